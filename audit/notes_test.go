package audit

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNoteChanges(t *testing.T) {
	header := []string{"id", "phone", "email"}
	findings := []Finding{
		{Row: 2, Column: "phone", Message: "bad phone", Severity: Error},
		{Row: 2, Column: "phone", Message: "too short", Severity: Warning},
		{Row: 3, Column: "email", Message: "bad email", Severity: Error},
		{Row: 4, Column: "phone", Message: "team note here", Severity: Error},
		{Row: 0, Column: "phone", Message: "table-level", Severity: Error},
		{Row: 5, Column: "missing", Message: "no such column", Severity: Error},
		{Row: 6, Column: "id", Message: "due soon", Severity: Info},
	}
	existing := map[string]string{
		"C3": NotePrefix + "bad email",   // unchanged: no write
		"B4": "call after 3pm",           // the team's own note: left alone
		"B9": NotePrefix + "old finding", // fixed since: removed
		"A9": "someone else's note",      // not ours: kept
	}
	want := map[string]string{
		"B2": NotePrefix + "bad phone\n" + NotePrefix + "too short",
		"B9": "",
	}
	if diff := cmp.Diff(want, NoteChanges(existing, findings, header)); diff != "" {
		t.Errorf("NoteChanges mismatch (-want +got):\n%s", diff)
	}
}
