package audit

import (
	"context"
	"slices"
	"strings"
	"time"
)

// RestoreRecord is the store's record of one restore that changed the
// spreadsheet: who ran it, why, what it restored from and into, and the
// safety snapshot that undoes it. Records are never rewritten.
type RestoreRecord struct {
	Time  time.Time `json:"time"`
	Sheet string    `json:"sheet"`
	// By is who ran the restore (the --by flag, else the OS user).
	By     string `json:"by"`
	Reason string `json:"reason,omitempty"`
	// From is the version restored; Mode "new tab", "in place" or
	// "selective" (RestoreNewTab, RestoreInPlace, RestoreSelective); Tab
	// where it went.
	From string `json:"from"`
	Mode string `json:"mode"`
	Tab  string `json:"tab"`
	// Rows and Columns are what a selective restore chose (display keys,
	// column names); empty for a whole-tab restore.
	Rows    []string `json:"rows,omitempty"`
	Columns []string `json:"columns,omitempty"`
	// Safety holds the tab as it was before (empty for a new tab or a tab
	// the restore created); Restored the tab as it is after.
	Safety   string `json:"safety_snapshot,omitempty"`
	Restored string `json:"restored_snapshot,omitempty"`
	// Changes counts the keyed changes; Cells the cells written one by one
	// (selective restores on backends that write single cells).
	Changes int `json:"changes"`
	Cells   int `json:"cells_written,omitempty"`
}

// The modes of RestoreRecord.Mode.
const (
	RestoreNewTab    = "new tab"
	RestoreInPlace   = "in place"
	RestoreSelective = "selective"
)

// RestoreLister is implemented by stores that keep restore records. The
// cycle uses it to mark the Change Log rows of the cells a restore wrote.
type RestoreLister interface {
	// RestoresSince returns the sheet's restore records made after since,
	// oldest first; none, and no error, when there are none. A damaged
	// record is an error wrapping ErrInvalid. Idempotent.
	RestoresSince(ctx context.Context, sheet string, since time.Time) ([]RestoreRecord, error)
}

// RestoreTrail is one restore of a Change Log window with the data tab as
// the restore found it (Safety; nil when the restore created the tab) and
// as it left it (Restored). A new-tab restore has neither.
type RestoreTrail struct {
	Record   RestoreRecord
	Safety   *Table
	Restored *Table
}

// MarkRestored sets Change.Restore on each of changes (a diff of a Change
// Log window) that a restore of the window made: a change of a cell, row
// or column the restore covered (its Rows and Columns, all of the tab for
// a whole-tab restore), which the restore changed (Safety differs from
// Restored there) and which still holds what the restore wrote (the
// change's new state is Restored's). The newest restore that fits wins.
// Changes made by people after a restore, or of cells it did not cover,
// stay ordinary. changes is modified in place and returned.
func MarkRestored(changes []Change, trails []RestoreTrail) []Change {
	for i := range changes {
		c := &changes[i]
		for j := len(trails) - 1; j >= 0; j-- {
			t := &trails[j]
			if t.Restored == nil || !t.covers(*c) || !t.wrote(*c) {
				continue
			}
			rec := t.Record
			c.Restore = &rec
			break
		}
	}
	return changes
}

// covers reports whether the restore chose the change's cell, row or
// column.
func (t *RestoreTrail) covers(c Change) bool {
	rows, cols := t.Record.Rows, t.Record.Columns
	inRows := len(rows) == 0 || slices.ContainsFunc(rows, func(k string) bool { return strings.TrimSpace(k) == c.Key })
	switch c.Kind {
	case CellModified, ValueRecalculated:
		return inRows && (len(cols) == 0 || slices.Contains(cols, c.Column))
	case RowAdded, RowRemoved:
		// A selective restore brings back rows it names; it never
		// removes one, and restoring columns adds no row.
		return len(rows) == 0 && len(cols) == 0 || c.Kind == RowAdded && len(rows) > 0 && inRows
	default: // columns: only a whole-tab restore changes the header
		return len(rows) == 0 && len(cols) == 0
	}
}

// wrote reports whether the restore made the change: before it the tab
// did not hold the change's new state, after it it did.
func (t *RestoreTrail) wrote(c Change) bool {
	before, after := t.Safety, t.Restored
	switch c.Kind {
	case CellModified, ValueRecalculated:
		v, ok := valueAt(after, c.Key, c.Column)
		if !ok || v != c.New {
			return false
		}
		old, ok := valueAt(before, c.Key, c.Column)
		return !ok || old != c.New
	case RowAdded:
		return hasRow(after, c.Key) && !hasRow(before, c.Key)
	case RowRemoved:
		return !hasRow(after, c.Key) && (before == nil || hasRow(before, c.Key))
	case ColumnAdded:
		return after.Column(c.Column) >= 0 && (before == nil || before.Column(c.Column) < 0)
	case ColumnRemoved:
		return after.Column(c.Column) < 0 && (before == nil || before.Column(c.Column) >= 0)
	case ColumnRenamed:
		return after.Column(c.New) >= 0 && after.Column(c.Old) < 0 &&
			(before == nil || before.Column(c.Old) >= 0)
	}
	return false
}

// valueAt is the value of a row's column, by display key and column name;
// ok is false when t is nil or lacks either.
func valueAt(t *Table, key, column string) (string, bool) {
	if t == nil {
		return "", false
	}
	r, ok := lookupDisplay(t, key)
	i := t.Column(column)
	if !ok || i < 0 {
		return "", false
	}
	return r.Cell(i), true
}

func hasRow(t *Table, key string) bool {
	if t == nil {
		return false
	}
	_, ok := lookupDisplay(t, key)
	return ok
}
