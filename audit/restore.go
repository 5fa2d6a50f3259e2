package audit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// RestoreOptions says how a stored version goes back into the live tab.
type RestoreOptions struct {
	// HeaderRow and Key read both versions as tables (the sheet's config).
	HeaderRow int
	Key       []string
	// Rows are the display keys of the rows to restore; Columns the names
	// of the columns to restore. Both empty means a full restore: the tab
	// becomes the stored version. Either set means a selective restore:
	// only those cells of the live tab change.
	Rows    []string
	Columns []string
	// Formulas are the stored version's formulas (Snapshot.Formulas); nil
	// when they were not captured, and then the plan writes values only.
	Formulas [][]string
	// LiveFormulas are the live tab's formulas, read with FormulaReader, or
	// nil. A selective restore rewrites the whole tab, so it writes them
	// back too, for the formulas it does not restore to survive.
	LiveFormulas [][]string
	// Typed are the stored version's typed values (Snapshot.Typed); nil
	// when they were not captured, and then the plan writes text only.
	Typed [][]string
	// LiveTyped are the live tab's typed values of the typed columns, read
	// with TypedReader, or nil. A selective restore rewrites the whole tab
	// as text, so it writes them back too, for the numbers, dates and
	// booleans it does not restore to stay typed.
	LiveTyped [][]string
}

// Selective reports whether only some rows or columns are restored.
func (o RestoreOptions) Selective() bool { return len(o.Rows) > 0 || len(o.Columns) > 0 }

// RestorePlan is what a restore writes and what that changes.
type RestorePlan struct {
	// Values is the tab's new content, rows above the header and blank rows
	// included, without trailing empty cells or rows (as backends read it).
	Values [][]string
	// Changes is the keyed diff live → restored. It is nil when the live
	// tab cannot be read as a table (Notes says why); the restore still
	// replaces it whole then.
	Changes   []Change
	Selective bool
	// DroppedColumns are live columns that a full restore removes because
	// the stored version does not have them (added since).
	DroppedColumns []string
	// Appended are the display keys of restored rows that the live tab no
	// longer had; a selective restore adds them below its last row.
	Appended []string
	// LeftOut counts stored rows that are no longer live and that a
	// restore of only some columns does not bring back.
	LeftOut int
	// Formulas are the formulas to write after Values, by A1 cell ("C7"),
	// through FormulaWriter; nil when no formulas are known: for a full
	// restore, the stored version's; for a selective one, also the live
	// tab's outside the restored cells. The cells' entries in Values are their results, so a
	// backend that cannot write formulas still shows what the tab showed.
	Formulas map[string]string
	// Typed are the typed values (numbers, date serials, TRUE or FALSE, as
	// Snapshot.Typed holds them) to write after Values, by A1 cell, through
	// TypedWriter, so the cells are numbers and booleans again rather than
	// their display text; nil when none are known: for a full restore, the
	// stored version's; for a selective one, the restored cells' and the
	// live tab's elsewhere. Cells in Formulas are left out (the formula
	// wins). A tab the restore creates gets none: it has no number formats,
	// so a date serial would show as a bare number there.
	Typed map[string]string
	// Cells are, for a selective restore, the only cells it changes, by A1
	// cell, with their restored values: the chosen cells whose value
	// differs from the live one or that must lose a live formula or typed
	// value, and the non-empty cells of the appended rows. A backend with
	// CellWriter writes just these, then CellTyped and CellFormulas, and
	// leaves the rest of the tab as it is; Values, Formulas and Typed are
	// for a backend without it, which rewrites the whole tab. Empty when
	// the chosen cells already hold what the stored version held; nil for a
	// full restore.
	Cells map[string]string
	// CellFormulas are the formulas of the chosen cells that differ from
	// the live ones (moved with their rows, as in Formulas), and CellTyped
	// the typed values of the chosen cells without a formula that differ
	// from the live ones or whose text changes; both by A1 cell, written
	// after Cells. Nil for a full restore.
	CellFormulas map[string]string
	CellTyped    map[string]string
	// Notes explain the plan to the operator, one sentence each.
	Notes []string

	// rows and cols are what a selective restore rewrites (display keys,
	// column names); Lost uses them.
	rows map[string]bool
	cols map[string]bool
}

// PlanRestore computes what restoring snap into the tab that now holds live
// writes. Both are tab values as read (row-major from A1); live is nil when
// the tab no longer exists.
//
// A full restore gives the version back exactly as it was: header order,
// rows above the header and blank rows included. Columns and rows added
// since are dropped, and the plan says so, because the caller keeps the live
// state in a safety snapshot first.
//
// A selective restore changes only the chosen cells of the live tab,
// matching rows by key and columns by name, so that everything else that
// moved on since stays as it is live: the live header order wins, a chosen
// row the live tab lost is appended at its end, and a chosen column the live
// tab lacks is an error (ErrInvalid) naming it. Chosen rows or columns that
// the stored version lacks are errors too.
func PlanRestore(live, snap [][]string, opts RestoreOptions) (RestorePlan, error) {
	if opts.Selective() {
		return planSelective(live, snap, opts)
	}
	p := RestorePlan{Values: TrimValues(slices.Clone(snap))}
	if opts.Formulas != nil {
		p.Formulas = FormulaCells(opts.Formulas)
		p.noteFormulas()
	}
	if live != nil && opts.Typed != nil {
		p.Typed = FormulaCells(opts.Typed)
		p.noteTyped()
	}
	if live == nil {
		p.Notes = append(p.Notes, "the tab does not exist any more; it is created with the stored version")
		if len(FormulaCells(opts.Typed)) > 0 {
			p.Notes = append(p.Notes, "the new tab has no number formats, so numbers, dates and booleans are written as the text they showed")
		}
		return p, nil
	}
	liveT, err := ParseTable(live, opts.HeaderRow, opts.Key)
	if err != nil {
		p.Notes = append(p.Notes, fmt.Sprintf("the live tab cannot be read as a table (%v); it is replaced whole, so no keyed diff is shown", err))
		return p, nil
	}
	snapT, err := ParseTable(p.Values, opts.HeaderRow, opts.Key)
	if err != nil {
		p.Notes = append(p.Notes, fmt.Sprintf("the stored version cannot be read as a table (%v); it is restored as stored, so no keyed diff is shown", err))
		return p, nil
	}
	p.Changes = Diff(liveT, snapT)
	removed := 0
	for _, c := range p.Changes {
		switch c.Kind {
		case ColumnRemoved:
			p.DroppedColumns = append(p.DroppedColumns, c.Column)
		case RowRemoved:
			removed++
		}
	}
	if len(p.DroppedColumns) > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("columns added since the stored version are dropped with their values: %s",
			strings.Join(p.DroppedColumns, ", ")))
	}
	if removed > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%s added since the stored version dropped", rowCount(removed)))
	}
	return p, nil
}

func planSelective(live, snap [][]string, opts RestoreOptions) (RestorePlan, error) {
	p := RestorePlan{Selective: true, rows: make(map[string]bool), cols: make(map[string]bool),
		Cells: make(map[string]string), CellFormulas: make(map[string]string), CellTyped: make(map[string]string)}
	if live == nil {
		return p, fmt.Errorf("the tab does not exist, so there is nothing to restore rows or columns into; restore the whole version instead: %w", ErrNotFound)
	}
	liveT, err := ParseTable(live, opts.HeaderRow, opts.Key)
	if err != nil {
		return p, fmt.Errorf("read the live tab: %w (a selective restore needs its header and keys; restore the whole version instead)", err)
	}
	snapT, err := ParseTable(snap, opts.HeaderRow, opts.Key)
	if err != nil {
		return p, fmt.Errorf("read the stored version: %w", err)
	}

	// Columns, as pairs of indices: stored → live.
	names := opts.Columns
	if len(names) == 0 {
		names = snapT.Header
	}
	type pair struct{ snap, live int }
	var cols []pair
	var notStored, notLive []string
	for _, name := range names {
		si, li := snapT.Column(name), liveT.Column(name)
		switch {
		case si < 0:
			notStored = append(notStored, name)
		case li < 0:
			notLive = append(notLive, name)
		default:
			cols = append(cols, pair{si, li})
			p.cols[name] = true
		}
	}
	if len(notStored) > 0 {
		return p, fmt.Errorf("column %s not in the stored version (its columns: %s): %w",
			quoteList(notStored), strings.Join(snapT.Header, ", "), ErrInvalid)
	}
	if len(notLive) > 0 {
		hint := "rename it back in the sheet, or leave it out of --columns"
		if len(opts.Columns) == 0 {
			hint = "rename it back in the sheet, or list the other columns with --columns"
		}
		return p, fmt.Errorf("column %s not in the live tab's header (renamed or deleted since?); %s: %w",
			quoteList(notLive), hint, ErrInvalid)
	}

	rows := snapT.Rows
	if len(opts.Rows) > 0 {
		rows = make([]Row, 0, len(opts.Rows))
		var missing []string
		for _, k := range opts.Rows {
			r, ok := lookupDisplay(snapT, k)
			if !ok {
				missing = append(missing, k)
				continue
			}
			rows = append(rows, r)
		}
		if len(missing) > 0 {
			return p, fmt.Errorf("row %s not in the stored version (is the key right? sheetaudit history KEY shows a row's versions): %w",
				quoteList(missing), ErrInvalid)
		}
	}

	// formulas follows what the rewritten tab's formulas will be, by
	// 0-based row and column: the live ones, then each restored cell's.
	var formulas map[[2]int]string
	if opts.Formulas != nil || opts.LiveFormulas != nil {
		formulas = make(map[[2]int]string)
		for i, r := range opts.LiveFormulas {
			for j, f := range r {
				if f != "" {
					formulas[[2]int{i, j}] = f
				}
			}
		}
	}
	// restoreFormula returns the formula the cell gets back, "" if none.
	restoreFormula := func(r Row, snapCol, liveRow, liveCol int) string {
		f := formulaAt(opts.Formulas, r.Line-1, snapCol)
		if f != "" {
			// Rows move (sorts, inserts): the formula is moved with its row.
			f = shiftFormula(f, liveRow-(r.Line-1), liveCol-snapCol)
		}
		if formulas == nil {
			return f
		}
		at := [2]int{liveRow, liveCol}
		delete(formulas, at) // the cell now holds the stored value as text
		if f != "" {
			formulas[at] = f
		}
		return f
	}

	// typed follows what the rewritten tab's typed values will be, as
	// formulas does.
	var typed map[[2]int]string
	if opts.Typed != nil || opts.LiveTyped != nil {
		typed = make(map[[2]int]string)
		for i, r := range opts.LiveTyped {
			for j, v := range r {
				if v != "" {
					typed[[2]int{i, j}] = v
				}
			}
		}
	}
	restoreCell := func(r Row, snapCol, liveRow, liveCol int) {
		f := restoreFormula(r, snapCol, liveRow, liveCol)
		ty := formulaAt(opts.Typed, r.Line-1, snapCol)
		p.planCell(ColumnName(liveCol)+strconv.Itoa(liveRow+1), r.Cell(snapCol), f, ty,
			formulaAt(live, liveRow, liveCol), formulaAt(opts.LiveFormulas, liveRow, liveCol), formulaAt(opts.LiveTyped, liveRow, liveCol))
		if typed == nil {
			return
		}
		at := [2]int{liveRow, liveCol}
		delete(typed, at)
		if ty != "" {
			typed[at] = ty
		}
	}

	out := slices.Clone(live)
	for _, r := range rows {
		p.rows[DisplayKey(r.Key)] = true
		lr, ok := liveT.Lookup(r.Key)
		if !ok {
			if len(opts.Rows) == 0 {
				p.LeftOut++ // removed since; restoring a column does not resurrect rows
				continue
			}
			row := make([]string, len(liveT.Header))
			for _, si := range snapT.Key {
				li := liveT.Column(snapT.Header[si])
				row[li] = r.Cell(si)
				restoreCell(r, si, len(out), li)
			}
			for _, c := range cols {
				row[c.live] = r.Cell(c.snap)
				restoreCell(r, c.snap, len(out), c.live)
			}
			out = append(out, row)
			p.Appended = append(p.Appended, DisplayKey(r.Key))
			continue
		}
		i := lr.Line - 1
		row := slices.Clone(out[i])
		for _, c := range cols {
			v := r.Cell(c.snap)
			restoreCell(r, c.snap, i, c.live)
			if c.live >= len(row) {
				if v == "" {
					continue
				}
				row = append(row, make([]string, c.live+1-len(row))...)
			}
			row[c.live] = v
		}
		out[i] = row
	}
	p.Values = TrimValues(out)
	if formulas != nil {
		p.Formulas = make(map[string]string, len(formulas))
		for at, f := range formulas {
			p.Formulas[ColumnName(at[1])+strconv.Itoa(at[0]+1)] = f
		}
		p.noteFormulas()
	}
	if typed != nil {
		p.Typed = make(map[string]string, len(typed))
		for at, v := range typed {
			p.Typed[ColumnName(at[1])+strconv.Itoa(at[0]+1)] = v
		}
		p.noteTyped()
	}
	restored, err := ParseTable(p.Values, opts.HeaderRow, opts.Key)
	if err != nil {
		return p, fmt.Errorf("read the restored tab: %w", err)
	}
	p.Changes = Diff(liveT, restored)
	if len(p.Appended) > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%s no longer in the live tab appended below its last row: %s",
			rowCount(len(p.Appended)), strings.Join(p.Appended, ", ")))
	}
	if p.LeftOut > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%s of the stored version no longer in the live tab left out; name them with --rows to bring them back", rowCount(p.LeftOut)))
	}
	return p, nil
}

// Lost returns the changes among since (the newest stored version → live)
// that the restore overwrites: all of them for a full restore, those of the
// rewritten cells for a selective one. They are the edits nobody has
// snapshotted yet, which the operator must see before forcing a restore.
func (p RestorePlan) Lost(since []Change) []Change {
	if !p.Selective {
		return since
	}
	var lost []Change
	for _, c := range since {
		switch c.Kind {
		case CellModified:
			if p.rows[c.Key] && p.cols[c.Column] {
				lost = append(lost, c)
			}
		case RowAdded:
			if p.rows[c.Key] {
				lost = append(lost, c)
			}
		}
	}
	return lost
}

// planCell adds what one chosen cell needs written to Cells, CellFormulas
// and CellTyped: v, f and ty are its restored value, formula and typed
// value, lv, lf and lty the live ones ("" for none). A formula the cell
// already has is not rewritten even if its result changed since (its
// inputs did); a value is written over a formula or a typed value that
// the stored version did not have, so the cell holds the stored text.
func (p *RestorePlan) planCell(at, v, f, ty, lv, lf, lty string) {
	switch {
	case f != "":
		if f != lf {
			if v != lv {
				p.Cells[at] = v
			}
			p.CellFormulas[at] = f
		}
	case ty != "":
		if v != lv {
			p.Cells[at] = v
		}
		if v != lv || ty != lty || lf != "" {
			p.CellTyped[at] = ty
		}
	case v != lv || lf != "" || lty != "":
		p.Cells[at] = v
	}
}

// noteFormulas tells the operator that formulas come back as formulas.
func (p *RestorePlan) noteFormulas() {
	switch n := len(p.Formulas); {
	case n == 1:
		p.Notes = append(p.Notes, "1 cell gets its formula back")
	case n > 1:
		p.Notes = append(p.Notes, fmt.Sprintf("%d cells get their formulas back", n))
	}
}

// noteTyped leaves out of Typed the cells that get a formula back (the
// formula wins) and tells the operator how many cells become numbers,
// dates or booleans again.
func (p *RestorePlan) noteTyped() {
	for c := range p.Formulas {
		delete(p.Typed, c)
	}
	switch n := len(p.Typed); {
	case n == 1:
		p.Notes = append(p.Notes, "1 cell is written as a number, date or boolean again")
	case n > 1:
		p.Notes = append(p.Notes, fmt.Sprintf("%d cells are written as numbers, dates or booleans again", n))
	}
}

// FormulaCells lists a formula grid's formulas (like Snapshot.Formulas) by
// A1 cell name, as FormulaWriter takes them; it lists a typed-value grid
// (Snapshot.Typed) as TypedWriter takes it the same way. FormulaGrid is its
// inverse.
func FormulaCells(grid [][]string) map[string]string {
	into := make(map[string]string)
	for i, r := range grid {
		for j, f := range r {
			if f != "" {
				into[ColumnName(j)+strconv.Itoa(i+1)] = f
			}
		}
	}
	return into
}

// FormulaGrid lays formulas listed by A1 cell name out as a grid like
// Snapshot.Formulas: row-major from A1, "" where a cell has none, trimmed.
// Names that are not cells are skipped.
func FormulaGrid(cells map[string]string) [][]string {
	var g [][]string
	for name, f := range cells {
		row, col, ok := parseCellName(name)
		if !ok || f == "" {
			continue
		}
		for len(g) <= row {
			g = append(g, nil)
		}
		for len(g[row]) <= col {
			g[row] = append(g[row], "")
		}
		g[row][col] = f
	}
	for i := range g {
		if g[i] == nil {
			g[i] = []string{}
		}
	}
	return TrimValues(g)
}

// parseCellName reads "B7" into 0-based row and column.
func parseCellName(name string) (row, col int, ok bool) {
	i := 0
	for i < len(name) && name[i] >= 'A' && name[i] <= 'Z' {
		col = col*26 + int(name[i]-'A'+1)
		i++
	}
	if i == 0 || i > 3 || i == len(name) || name[i] == '0' {
		return 0, 0, false
	}
	n, err := strconv.Atoi(name[i:])
	if err != nil || n < 1 || strconv.Itoa(n) != name[i:] {
		return 0, 0, false
	}
	return n - 1, col - 1, true
}

// lookupDisplay finds a row by the key as people write it: a compound key's
// parts joined by " / ", as DisplayKey renders it.
func lookupDisplay(t *Table, key string) (Row, bool) {
	if r, ok := t.Lookup(key); ok {
		return r, true
	}
	if r, ok := t.Lookup(strings.TrimSpace(key)); ok {
		return r, true
	}
	return t.Lookup(strings.ReplaceAll(key, " / ", keySep))
}

// TrimValues drops trailing empty cells of each row and trailing empty rows,
// in place, as the Sheets API does when it returns values: a restored tab
// then reads back equal to its plan, and fakes answer like backends.
func TrimValues(v [][]string) [][]string {
	for i, r := range v {
		end := len(r)
		for end > 0 && r[end-1] == "" {
			end--
		}
		v[i] = r[:end]
	}
	end := len(v)
	for end > 0 && len(v[end-1]) == 0 {
		end--
	}
	return v[:end]
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func rowCount(n int) string {
	if n == 1 {
		return "1 row"
	}
	return fmt.Sprintf("%d rows", n)
}
