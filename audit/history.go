package audit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// RowFirstSeen marks a row that is already in the oldest version a history
// starts from: its content then, not a change.
const RowFirstSeen ChangeKind = "first seen"

// HistoryEntry is one change of one row between two stored versions.
type HistoryEntry struct {
	// Snapshot and Time name the version that shows the change.
	Snapshot string     `json:"snapshot"`
	Time     time.Time  `json:"time"`
	Change   ChangeKind `json:"change"`
	Column   string     `json:"column,omitempty"`
	Old      string     `json:"old,omitempty"`
	New      string     `json:"new,omitempty"`
}

// RowHistory returns every change of the row with the given key across
// series, oldest version first (ids and times name the versions; a nil
// table is a version that could not be read and is skipped). key is the
// display key ("C00001", or "A / B" for a compound key). With column set,
// only that column's changes are returned, and an added or removed row shows
// that column's value; column renames and removals are listed when they
// concern that column.
//
// Changes are computed as Diff computes them, so they read like the Change
// Log. Each version costs one lookup and a diff of one row: the series may
// hold only the row of interest (see RowOf) to keep memory flat.
func RowHistory(series []*Table, ids []string, times []time.Time, key string, column string) []HistoryEntry {
	var out []HistoryEntry
	var prev *Table
	for i, t := range series {
		if t == nil {
			continue
		}
		cur := RowOf(t, key)
		if prev == nil {
			prev = cur
			if len(cur.Rows) == 1 {
				r := cur.Rows[0]
				e := HistoryEntry{Snapshot: ids[i], Time: times[i], Change: RowFirstSeen, New: joinCells(r.Cells)}
				if column != "" {
					e.Column, e.New = column, cellOf(cur, r, column)
				}
				out = append(out, e)
			}
			continue
		}
		for _, c := range Diff(prev, cur) {
			e := HistoryEntry{Snapshot: ids[i], Time: times[i], Change: c.Kind, Column: c.Column, Old: c.Old, New: c.New}
			switch {
			case column == "":
				if c.Key == "" {
					continue // column changes concern every row; ask with --column
				}
			case c.Kind == RowAdded:
				e.Column, e.New = column, cellOf(cur, cur.Rows[0], column)
			case c.Kind == RowRemoved:
				e.Column, e.Old = column, cellOf(prev, prev.Rows[0], column)
			case c.Column != column && !(c.Kind == ColumnRenamed && c.Old == column):
				continue
			}
			out = append(out, e)
		}
		prev = cur
	}
	return out
}

// RowOf returns a table with t's header and only the row with the given
// display key, or no row. A history keeps these instead of whole versions.
func RowOf(t *Table, key string) *Table {
	one := &Table{Header: t.Header, Key: t.Key, HeaderRow: t.HeaderRow, index: make(map[string]int, 1)}
	if r, ok := lookupDisplay(t, key); ok {
		one.Rows = []Row{r}
		one.index[r.Key] = 0
	}
	return one
}

// cellOf returns r's value in the named column of t, "" when t has no such
// column.
func cellOf(t *Table, r Row, column string) string {
	if i := t.Column(column); i >= 0 {
		return r.Cell(i)
	}
	return ""
}

// WalkVersions is the one reader of a sheet's version history: it calls fn
// with each stored version of sheet, oldest first, up to and including
// until (every version when until is zero), and returns how many versions
// the store lists in all. fn's error stops the walk and is returned as it
// is. The store must list versions (Lister); otherwise the error wraps
// ErrInvalid. Each version is loaded once; a store-side index that answers
// history without loading every version plugs in here. A version that is
// damaged (ErrInvalid) or was removed meanwhile (ErrNotFound) is passed to
// skipped (when not nil) and the walk goes on: one bad object must not hide
// the rest of the history.
func WalkVersions(ctx context.Context, st Store, sheet string, until time.Time, fn func(*Snapshot) error, skipped func(id string, err error)) (int, error) {
	l, ok := st.(Lister)
	if !ok {
		return 0, fmt.Errorf("reading the version history of %q needs a store that lists versions: %w", sheet, ErrInvalid)
	}
	infos, err := l.List(ctx, sheet)
	if err != nil {
		return 0, fmt.Errorf("list snapshots of %q: %w", sheet, err)
	}
	for _, in := range infos {
		if !until.IsZero() && in.Time.After(until) {
			break
		}
		snap, err := st.Load(ctx, sheet, in.ID)
		if errors.Is(err, ErrInvalid) || errors.Is(err, ErrNotFound) {
			if skipped != nil {
				skipped(in.ID, err)
			}
			continue
		}
		if err != nil {
			return len(infos), fmt.Errorf("load snapshot %s: %w", in.ID, err)
		}
		if snap.Time.IsZero() {
			snap.Time = in.Time
		}
		if snap.ID == "" {
			snap.ID = in.ID
		}
		if err := fn(snap); err != nil {
			return len(infos), err
		}
	}
	return len(infos), nil
}
