package audit

import (
	"strconv"
	"strings"
	"unicode"
)

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
	// ValueRecalculated is a cell whose value changed while it held the
	// same formula in both versions: the formula's result moved because
	// one of its inputs did, nobody typed into the cell. Only
	// DiffWithFormulas reports it; an edited formula, or a formula
	// replaced by a typed value, stays CellModified.
	ValueRecalculated ChangeKind = "formula result changed"
)

// Change is one difference between two versions of a table.
type Change struct {
	Kind ChangeKind `json:"change"`
	// Key is the display key of the row; empty for column changes.
	Key    string `json:"key,omitempty"`
	Column string `json:"column,omitempty"`
	Old    string `json:"old,omitempty"`
	New    string `json:"new,omitempty"`
	// Restore is the restore that made this change, when one did (see
	// MarkRestored): the Change Log then shows it as Restored, with the
	// version it came from and who ran it. Diff never sets it.
	Restore *RestoreRecord `json:"restore,omitempty"`
}

// Diff returns the changes from old to new, matching rows by key and columns
// by name. A column whose name vanished while another appeared at the same
// position counts as renamed, and its cells are compared across the rename.
// Row order alone is not a change: sorting a sheet produces no changes.
// Rows that share a key (duplicates, empty keys) are matched among
// themselves by content, then by position (see matchRows), so duplicates
// never invent history.
//
// The result lists column changes first, then rows in the new table's order
// (added rows and modified cells), then removed rows in the old table's order.
// An added row is one change; its cells are in New, joined by " | ", so a
// mass paste cannot flood the log cell by cell.
func Diff(old, new *Table) []Change { return diff(old, new, nil) }

// DiffWithFormulas is Diff for two versions whose formulas are known
// (oldF and newF are formula grids as audit.Snapshot.Formulas holds them).
// A modified cell that holds the same formula in both versions is reported
// as ValueRecalculated instead of CellModified, so the Change Log tells an
// input someone edited from a total that followed it. "The same formula"
// allows for the row or column having moved: =B5*C5 in D5 is the same
// formula as =B6*C6 in D6 after a row was inserted above. With either grid
// nil (formulas not captured) it is exactly Diff.
//
// A formula edited without changing the cell's value is not reported:
// values are what the log compares, and a row insert rewrites every
// relative reference below it.
func DiffWithFormulas(old, new *Table, oldF, newF [][]string) []Change {
	if oldF == nil || newF == nil {
		return Diff(old, new)
	}
	return diff(old, new, func(o, n Row, oc, nc int) ChangeKind {
		of, nf := formulaAt(oldF, o.Line-1, oc), formulaAt(newF, n.Line-1, nc)
		if of != "" && nf != "" && (of == nf || shiftFormula(of, n.Line-o.Line, nc-oc) == nf) {
			return ValueRecalculated
		}
		return CellModified
	})
}

// diff is Diff; classify, when set, names the kind of a modified cell from
// its old and new rows and column indices.
func diff(old, new *Table, classify func(o, n Row, oc, nc int) ChangeKind) []Change {
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

	match := matchRows(old, new, colMap)
	seen := make([]bool, len(old.Rows))
	for ni, r := range new.Rows {
		oi := match[ni]
		if oi < 0 {
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
				kind := CellModified
				if classify != nil {
					kind = classify(o, r, j, i)
				}
				changes = append(changes, Change{Kind: kind, Key: DisplayKey(r.Key), Column: h, Old: ov, New: nv})
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

// matchRows returns, for each row of new, the index of the old row it is
// compared with, or -1 for an added row. Rows are matched by the value of
// their key columns. Rows sharing a key value (duplicates, and rows with
// an empty key) are matched within their group: first each new row with
// an old one whose cells are all equal, in order, then the rest by their
// position among the group's unmatched rows. So renaming, reordering or
// removing one of several rows keyed K1 logs that row only, instead of
// every later duplicate shifting onto its neighbour's history.
//
// A row whose key value no other row of either table has is a group of one
// on each side: it pairs through the old table's index, and only the few
// key values that rows share are grouped, so a large sheet's diff builds
// no map of its own.
func matchRows(old, new *Table, colMap []int) []int {
	match := make([]int, len(new.Rows))
	if !old.keyed() || !new.keyed() {
		matchGroups(old, new, colMap, nil, match)
		return match
	}
	shared := make(map[string]bool, len(old.renamed)+len(new.renamed))
	for _, k := range old.renamed {
		shared[k] = true
	}
	for _, k := range new.renamed {
		shared[k] = true
	}
	for ni := range new.Rows {
		k := new.baseKeyAt(ni)
		if shared[k] {
			continue // grouped below
		}
		match[ni] = -1
		if oi, ok := old.index[k]; ok {
			if _, renamed := old.renamed[oi]; !renamed {
				match[ni] = oi
			}
		}
	}
	if len(shared) > 0 {
		matchGroups(old, new, colMap, shared, match)
	}
	return match
}

// keyed reports whether t came from ParseTable with an index that names
// every row: then a row's key value is its Key unless renamed says
// otherwise.
func (t *Table) keyed() bool { return t.parsed && !t.collided }

// baseKeyAt is baseKey of row i of a keyed table, without recomputing it.
func (t *Table) baseKeyAt(i int) string {
	if k, ok := t.renamed[i]; ok {
		return k
	}
	return t.Rows[i].Key
}

// matchGroups sets match for the rows of new whose key value is in only
// (every row when only is nil) by grouping both tables' rows by key value.
func matchGroups(old, new *Table, colMap []int, only map[string]bool, match []int) {
	key := func(t *Table, i int) (string, bool) {
		var k string
		if t.keyed() {
			k = t.baseKeyAt(i)
		} else {
			k = t.baseKey(&t.Rows[i])
		}
		return k, only == nil || only[k]
	}
	size := len(old.Rows)
	if only != nil {
		size = len(only)
	}
	oldGroups := make(map[string][]int, size)
	for i := range old.Rows {
		if k, ok := key(old, i); ok {
			oldGroups[k] = append(oldGroups[k], i)
		}
	}
	newGroups := make(map[string][]int, len(oldGroups))
	var order []string
	for i := range new.Rows {
		k, ok := key(new, i)
		if !ok {
			continue
		}
		if _, ok := newGroups[k]; !ok {
			order = append(order, k)
		}
		newGroups[k] = append(newGroups[k], i)
	}
	for _, k := range order {
		ns, os := newGroups[k], oldGroups[k]
		if len(ns) == 1 && len(os) <= 1 {
			match[ns[0]] = -1
			if len(os) == 1 {
				match[ns[0]] = os[0]
			}
			continue
		}
		used := make([]bool, len(os))
		done := make([]bool, len(ns))
		for a, ni := range ns {
			for b, oi := range os {
				if !used[b] && sameCells(old.Rows[oi], new.Rows[ni], colMap) {
					used[b], done[a] = true, true
					match[ni] = oi
					break
				}
			}
		}
		b := 0
		for a, ni := range ns {
			if done[a] {
				continue
			}
			for b < len(os) && used[b] {
				b++
			}
			if b == len(os) {
				match[ni] = -1
				continue
			}
			used[b] = true
			match[ni] = os[b]
		}
	}
}

// baseKey is the value of r's key columns as typed, before ParseTable told
// duplicates apart: the key a row is matched by across versions.
func (t *Table) baseKey(r *Row) string {
	if len(t.Key) == 0 {
		return r.Key
	}
	return t.rowKey(r.Cells)
}

// sameCells reports whether o and n hold the same value in every column
// new shares with old (colMap as in diff).
func sameCells(o, n Row, colMap []int) bool {
	for i, j := range colMap {
		if j >= 0 && o.Cell(j) != n.Cell(i) {
			return false
		}
	}
	return true
}

func joinCells(cells []string) string {
	end := len(cells)
	for end > 0 && cells[end-1] == "" {
		end--
	}
	return strings.Join(cells[:end], " | ")
}

// formulaAt returns the formula of the 0-based cell, "" when it has none.
func formulaAt(grid [][]string, row, col int) string {
	if row < 0 || row >= len(grid) || col < 0 || col >= len(grid[row]) {
		return ""
	}
	return grid[row][col]
}

// shiftFormula returns formula f as it reads when its cell moves by dRow
// rows and dCol columns, the way a spreadsheet adjusts it when rows or
// columns are inserted above or left of it: relative A1 references move,
// $-anchored parts stay. Text in double quotes is left alone. A reference
// moved off the grid becomes #REF!. Whole-column (A:A) and whole-row (3:3)
// references are left as they are, and so are references to other tabs,
// which is what an insert in this tab does to them only when they name it.
func shiftFormula(f string, dRow, dCol int) string {
	if dRow == 0 && dCol == 0 {
		return f
	}
	var b strings.Builder
	b.Grow(len(f) + 8)
	for i := 0; i < len(f); {
		c := f[i]
		switch {
		case c == '"' || c == '\'':
			// A string literal ("" escapes a quote) or a quoted tab name
			// ('' escapes); a quoted tab name is followed by ! and a
			// reference into that tab, which is copied as it is too.
			j := i + 1
			for j < len(f) {
				if f[j] == c {
					if j+1 < len(f) && f[j+1] == c {
						j += 2
						continue
					}
					j++
					break
				}
				j++
			}
			if c == '\'' && j < len(f) && f[j] == '!' {
				j = identEnd(f, j+1)
			}
			b.WriteString(f[i:j])
			i = j
		case isIdent(rune(c)) || c >= 0x80:
			j := identEnd(f, i)
			tok := f[i:j]
			if j < len(f) && f[j] == '!' {
				// tab!A1: a reference into another tab.
				j = identEnd(f, j+1)
				b.WriteString(f[i:j])
			} else if j < len(f) && f[j] == '(' {
				b.WriteString(tok) // a function such as LOG10(
			} else {
				b.WriteString(shiftRef(tok, dRow, dCol))
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// identEnd returns the end of the name or reference token starting at i.
func identEnd(f string, i int) int {
	for i < len(f) {
		r := rune(f[i])
		if r >= 0x80 {
			i++ // part of a multi-byte letter: names may be in any script
			continue
		}
		if !isIdent(r) {
			break
		}
		i++
	}
	return i
}

func isIdent(r rune) bool {
	return r == '$' || r == '_' || r == '.' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// shiftRef moves tok when it is a cell reference like B7, $B7, B$7 or $B$7;
// any other token (a name, a number, TRUE) comes back unchanged.
func shiftRef(tok string, dRow, dCol int) string {
	i := 0
	absCol := i < len(tok) && tok[i] == '$'
	if absCol {
		i++
	}
	cs := i
	for i < len(tok) && (tok[i] >= 'A' && tok[i] <= 'Z' || tok[i] >= 'a' && tok[i] <= 'z') {
		i++
	}
	letters := tok[cs:i]
	absRow := i < len(tok) && tok[i] == '$'
	if absRow {
		i++
	}
	digits := tok[i:]
	if len(letters) == 0 || len(letters) > 3 || digits == "" || digits[0] == '0' {
		return tok
	}
	for _, d := range digits {
		if d < '0' || d > '9' {
			return tok
		}
	}
	row, err := strconv.Atoi(digits)
	if err != nil {
		return tok
	}
	col := 0
	for _, l := range strings.ToUpper(letters) {
		col = col*26 + int(l-'A'+1)
	}
	if !absCol {
		col += dCol
	}
	if !absRow {
		row += dRow
	}
	if col < 1 || row < 1 {
		return "#REF!"
	}
	var b strings.Builder
	if absCol {
		b.WriteByte('$')
	}
	b.WriteString(ColumnName(col - 1))
	if absRow {
		b.WriteByte('$')
	}
	b.WriteString(strconv.Itoa(row))
	return b.String()
}
