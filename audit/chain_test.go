package audit_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
)

// chainRows makes n Change Log rows of one cycle.
func chainRows(cycle string, n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{"2026-12-01 09:00:00", "modified", fmt.Sprintf("C%03d", i), "电话", "1", "2", "20261201T090000Z-aaaaaaaa", cycle}
	}
	return rows
}

func testChain() []audit.ChainEntry {
	return []audit.ChainEntry{
		{Seq: 1, Cycle: "c1", Rows: chainRows("c1", 4)},
		{Seq: 2, Cycle: "c2", Rows: chainRows("c2", 6)},
	}
}

// tabOf is the Change Log tab as read: header, a row from before the chain,
// then every chain row.
func tabOf(chain []audit.ChainEntry) [][]string {
	tab := [][]string{
		{"Time", "Change", "Key", "Column", "Old value", "New value", "Snapshot", "Cycle"},
		{"2026-11-30 09:00:00", "baseline", "", "", "", "10 rows, 3 columns", "20261130T090000Z-bbbbbbbb"},
	}
	for _, e := range chain {
		for _, r := range e.Rows {
			tab = append(tab, slices.Clone(r))
		}
	}
	return tab
}

func rules(fs []audit.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s row %d key %s", f.Rule, f.Row, f.Key))
	}
	return out
}

func TestCompareChangeLogIntact(t *testing.T) {
	chain := testChain()
	got := audit.CompareChangeLog("s", "Change Log", tabOf(chain), chain, "en")
	if len(got.Findings) != 0 || len(got.Restore) != 0 || got.Checked != 10 {
		t.Errorf("CompareChangeLog(intact) = %+v, want no findings, nothing to restore, 10 checked", got)
	}
}

// Three rows deleted and one edited are found, and exactly those four chain
// rows are put back; once appended, the check is stable.
func TestCompareChangeLogDeletedAndEdited(t *testing.T) {
	chain := testChain()
	tab := tabOf(chain)
	// tab[2:6] holds cycle c1, tab[6:12] cycle c2.
	tab[7][5] = "999"               // c2 row 1 (C001) edited
	tab = slices.Delete(tab, 8, 10) // c2 rows 2, 3 (C002, C003) deleted
	tab = slices.Delete(tab, 2, 3)  // c1 row 0 (C000) deleted
	got := audit.CompareChangeLog("s", "Change Log", tab, chain, "en")
	want := []string{
		"changelog_deleted row 0 key C000",
		"changelog_deleted row 0 key C002",
		"changelog_deleted row 0 key C003",
		"changelog_edited row 7 key C001",
	}
	if diff := cmp.Diff(want, rules(got.Findings)); diff != "" {
		t.Errorf("findings mismatch (-want +got):\n%s", diff)
	}
	for _, f := range got.Findings {
		if f.Severity != audit.Error {
			t.Errorf("finding %s has severity %v, want error", f.Rule, f.Severity)
		}
	}
	marked := func(r []string) []string {
		r = slices.Clone(r)
		r[7] += " (restored from history)"
		return r
	}
	wantRestore := [][]string{marked(chain[0].Rows[0]), marked(chain[1].Rows[1]), marked(chain[1].Rows[2]), marked(chain[1].Rows[3])}
	if diff := cmp.Diff(wantRestore, got.Restore); diff != "" {
		t.Errorf("restore mismatch (-want +got):\n%s", diff)
	}

	tab = append(tab, got.Restore...)
	again := audit.CompareChangeLog("s", "Change Log", tab, chain, "en")
	if len(again.Restore) != 0 {
		t.Errorf("after appending the restored rows, Restore = %v, want none", again.Restore)
	}
	// The edited row is still there and still reported, until someone
	// deletes it.
	if diff := cmp.Diff([]string{"changelog_edited row 7 key C001"}, rules(again.Findings)); diff != "" {
		t.Errorf("findings after restore mismatch (-want +got):\n%s", diff)
	}
}

func TestCompareChangeLogReordered(t *testing.T) {
	chain := testChain()
	tab := tabOf(chain)
	tab[6], tab[8] = tab[8], tab[6] // c2 rows 0 and 2 swapped
	got := audit.CompareChangeLog("s", "Change Log", tab, chain, "zh-CN")
	if len(got.Restore) != 0 {
		t.Errorf("Restore = %v, want none: nothing is missing", got.Restore)
	}
	if len(got.Findings) == 0 {
		t.Fatal("no finding for swapped rows")
	}
	for _, f := range got.Findings {
		if f.Rule != "changelog_reordered" {
			t.Errorf("finding %+v, want changelog_reordered", f)
		}
	}

	// A whole cycle moved above the one before it.
	tab = tabOf(chain)
	moved := slices.Concat(tab[:2], tab[6:], tab[2:6])
	got = audit.CompareChangeLog("s", "Change Log", moved, chain, "en")
	if len(got.Restore) != 0 || len(got.Findings) == 0 {
		t.Errorf("cycle moved: findings %v, restore %v; want reordered findings and nothing to restore", rules(got.Findings), got.Restore)
	}
}

// memChain is an in-memory ChangeChain.
type memChain struct{ entries []audit.ChainEntry }

func (m *memChain) AppendChanges(_ context.Context, _ string, e audit.ChainEntry) (audit.ChainEntry, error) {
	if n := len(m.entries); n > 0 && m.entries[n-1].Cycle == e.Cycle {
		return m.entries[n-1], nil
	}
	e.Seq = len(m.entries) + 1
	m.entries = append(m.entries, e)
	return e, nil
}

func (m *memChain) ChangeHistory(context.Context, string) ([]audit.ChainEntry, error) {
	return m.entries, nil
}

func TestRecordChanges(t *testing.T) {
	ctx := context.Background()
	c := &memChain{}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	rows := [][]audit.Cell{{audit.TimeOf(at), audit.Text("modified"), audit.Text("C1"), audit.Number(5.5), audit.Text("c1")}}
	for range 2 { // a retried cycle records once
		if err := audit.RecordChanges(ctx, c, "s", "c1", rows, at); err != nil {
			t.Fatal(err)
		}
	}
	if err := audit.RecordChanges(ctx, c, "s", "c2", nil, at); err != nil {
		t.Fatal(err)
	}
	want := []audit.ChainEntry{{Seq: 1, Cycle: "c1", Time: at, Rows: [][]string{{"2026-12-01 09:00:00", "modified", "C1", "5.5", "c1"}}}}
	if diff := cmp.Diff(want, c.entries); diff != "" {
		t.Errorf("chain mismatch (-want +got):\n%s", diff)
	}
}

// A backend that shows the Time cell in another format, or reads it back
// as a serial, does not make every row look edited.
func TestCompareChangeLogTimeFormats(t *testing.T) {
	chain := testChain()
	for _, shown := range []string{"2026/12/1 9:00:00", "46357.375", "2026-12-01 09:00"} {
		tab := tabOf(chain)
		for _, r := range tab[2:] {
			r[0] = shown
		}
		if got := audit.CompareChangeLog("s", "Change Log", tab, chain, "en"); len(got.Findings) != 0 {
			t.Errorf("time shown as %q: findings %v, want none", shown, rules(got.Findings))
		}
	}
}

// A big cycle with its first row deleted and its last edited: exactly two
// findings, and the alignment stays linear-ish (no n×m table).
func TestCompareChangeLogBigCycle(t *testing.T) {
	chain := []audit.ChainEntry{{Seq: 1, Cycle: "c1", Rows: chainRows("c1", 5000)}}
	tab := tabOf(chain)
	tab[len(tab)-1][5] = "edited"
	tab = slices.Delete(tab, 2, 3)
	got := audit.CompareChangeLog("s", "Change Log", tab, chain, "en")
	want := []string{"changelog_deleted row 0 key C000", fmt.Sprintf("changelog_edited row %d key C4999", len(tab))}
	if diff := cmp.Diff(want, rules(got.Findings)); diff != "" {
		t.Errorf("findings mismatch (-want +got):\n%s", diff)
	}
	if len(got.Restore) != 2 {
		t.Errorf("Restore has %d rows, want 2", len(got.Restore))
	}
}

// BenchmarkCompareChangeLog checks a Change Log of 100 cycles of 500 rows
// (50,000 rows) with a few rows deleted and edited.
func BenchmarkCompareChangeLog(b *testing.B) {
	var chain []audit.ChainEntry
	for c := range 100 {
		id := fmt.Sprintf("c%03d", c)
		chain = append(chain, audit.ChainEntry{Seq: c + 1, Cycle: id, Rows: chainRows(id, 500)})
	}
	tab := tabOf(chain)
	tab[1000][5] = "edited"
	tab = slices.Delete(tab, 20000, 20003)
	for b.Loop() {
		if got := audit.CompareChangeLog("s", "Change Log", tab, chain, "en"); len(got.Restore) != 4 {
			b.Fatalf("Restore has %d rows, want 4", len(got.Restore))
		}
	}
}
