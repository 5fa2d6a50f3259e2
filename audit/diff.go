package audit

import "strings"

// ChangeKind names what a Change did. The values are what the Change Log tab shows.
type ChangeKind string

// Change kinds.
const (
	RowAdded      ChangeKind = "row added"
	RowRemoved    ChangeKind = "row removed"
	CellModified  ChangeKind = "cell modified"
	ColumnAdded   ChangeKind = "column added"
	ColumnRemoved ChangeKind = "column removed"
	ColumnRenamed ChangeKind = "column renamed"
)

// Change is one difference between two versions of a table.
type Change struct {
	Kind ChangeKind `json:"change"`
	// Key is the display key of the row; empty for column changes.
	Key    string `json:"key,omitempty"`
	Column string `json:"column,omitempty"`
	Old    string `json:"old,omitempty"`
	New    string `json:"new,omitempty"`
}

// Diff returns the changes from old to new, matching rows by key and columns
// by name. A column whose name vanished while another appeared at the same
// position counts as renamed, and its cells are compared across the rename.
// Row order alone is not a change: sorting a sheet produces no changes.
//
// The result lists column changes first, then rows in the new table's order
// (added rows and modified cells), then removed rows in the old table's order.
// An added row is one change; its cells are in New, joined by " | ", so a
// mass paste cannot flood the log cell by cell.
func Diff(old, new *Table) []Change {
	var changes []Change
	// colMap[i] is the old column index that new column i is compared with, or -1.
	colMap := make([]int, len(new.Header))
	oldByName := make(map[string]int, len(old.Header))
	for i, h := range old.Header {
		oldByName[h] = i
	}
	newByName := make(map[string]int, len(new.Header))
	for i, h := range new.Header {
		newByName[h] = i
	}
	for i, h := range new.Header {
		j, ok := oldByName[h]
		switch {
		case ok:
			colMap[i] = j
		case i < len(old.Header) && !has(newByName, old.Header[i]):
			colMap[i] = i
			changes = append(changes, Change{Kind: ColumnRenamed, Column: h, Old: old.Header[i], New: h})
		default:
			colMap[i] = -1
			changes = append(changes, Change{Kind: ColumnAdded, Column: h})
		}
	}
	renamedFrom := make(map[int]bool)
	for _, j := range colMap {
		if j >= 0 {
			renamedFrom[j] = true
		}
	}
	for j, h := range old.Header {
		if !renamedFrom[j] {
			changes = append(changes, Change{Kind: ColumnRemoved, Column: h})
		}
	}

	seen := make([]bool, len(old.Rows))
	for _, r := range new.Rows {
		oi, ok := old.index[r.Key]
		if !ok {
			changes = append(changes, Change{Kind: RowAdded, Key: DisplayKey(r.Key), New: joinCells(r.Cells)})
			continue
		}
		seen[oi] = true
		o := old.Rows[oi]
		for i, h := range new.Header {
			j := colMap[i]
			if j < 0 {
				continue // an added column is one change, not one per row
			}
			if ov, nv := o.Cell(j), r.Cell(i); ov != nv {
				changes = append(changes, Change{Kind: CellModified, Key: DisplayKey(r.Key), Column: h, Old: ov, New: nv})
			}
		}
	}
	for i, o := range old.Rows {
		if !seen[i] {
			changes = append(changes, Change{Kind: RowRemoved, Key: DisplayKey(o.Key), Old: joinCells(o.Cells)})
		}
	}
	return changes
}

func has(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func joinCells(cells []string) string {
	end := len(cells)
	for end > 0 && cells[end-1] == "" {
		end--
	}
	return strings.Join(cells[:end], " | ")
}
