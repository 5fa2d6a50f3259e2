package audit

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// NotePrefix starts every note sheetaudit puts on a data cell. Notes
// without it are the team's own and are never changed.
const NotePrefix = "sheetaudit: "

// NoteChanges works out the notes to set on the data tab so that each
// offending cell carries one note listing its findings, and notes sheetaudit
// left on cells that are now fine are removed (""). existing is the tab's
// notes by A1 cell. A cell that holds a note of the team's own is left
// alone: a person's words outrank ours.
func NoteChanges(existing map[string]string, findings []Finding, header []string) map[string]string {
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[h] = i
	}
	want := make(map[string][]string)
	for _, f := range findings {
		i, ok := col[f.Column]
		if !ok || f.Row < 1 || f.Severity == Info {
			continue
		}
		a1 := ColumnName(i) + strconv.Itoa(f.Row)
		if !slices.Contains(want[a1], f.Message) {
			want[a1] = append(want[a1], f.Message)
		}
	}
	changes := make(map[string]string)
	for a1, msgs := range want {
		note := NotePrefix + strings.Join(msgs, "\n"+NotePrefix)
		old, has := existing[a1]
		if has && old != "" && !strings.HasPrefix(old, NotePrefix) {
			continue
		}
		if old != note {
			changes[a1] = note
		}
	}
	for a1, old := range existing {
		if _, still := want[a1]; !still && strings.HasPrefix(old, NotePrefix) {
			changes[a1] = ""
		}
	}
	return changes
}

// markCells puts the findings on the data tab as notes, on a backend that
// supports notes. It touches notes only.
func (c *Cycle) markCells(ctx context.Context, findings []Finding, header []string) (int, error) {
	a, ok := c.Workbook.(Annotator)
	if !ok {
		return 0, nil
	}
	existing, err := a.Notes(ctx, c.Spec.Tab)
	if err != nil {
		return 0, fmt.Errorf("read notes of tab %q: %w", c.Spec.Tab, err)
	}
	changes := NoteChanges(existing, findings, header)
	if len(changes) == 0 {
		return 0, nil
	}
	if err := a.SetNotes(ctx, c.Spec.Tab, changes); err != nil {
		return 0, fmt.Errorf("mark cells of tab %q: %w", c.Spec.Tab, err)
	}
	return len(changes), nil
}
