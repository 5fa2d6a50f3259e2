package audit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ChangeLogHeader is the first row of the Change Log tab.
var changeLogHeader = []string{"Time", "Change", "Key", "Column", "Old value", "New value", "Snapshot"}

// ChangeLogHeader returns the header row of the Change Log tab.
func ChangeLogHeader() []string { return append([]string(nil), changeLogHeader...) }

// ChangeLogRows turns changes between snapshots from and to into Change Log
// rows. At most limit rows are returned: when there are more changes, the
// last row says how many were left out and how to see them all, so a mass
// paste can never push the spreadsheet towards its 10-million-cell cap.
func ChangeLogRows(changes []Change, at time.Time, from, to string, limit int) [][]string {
	ts := at.Format("2006-01-02 15:04:05")
	n := len(changes)
	if limit > 0 && n > limit {
		n = limit - 1
	}
	rows := make([][]string, 0, n+1)
	for _, c := range changes[:n] {
		rows = append(rows, []string{ts, string(c.Kind), c.Key, c.Column, c.Old, c.New, to})
	}
	if n < len(changes) {
		rows = append(rows, []string{ts, "summary", "", "",
			"", fmt.Sprintf("%d more changes not listed; run: sheetaudit snapshots diff %s %s", len(changes)-n, from, to), to})
	}
	return rows
}

// BaselineRow is the Change Log row of a sheet's first snapshot.
func BaselineRow(at time.Time, t *Table, snapshot string) []string {
	return []string{at.Format("2006-01-02 15:04:05"), "baseline", "", "", "",
		strconv.Itoa(len(t.Rows)) + " rows, " + strconv.Itoa(len(t.Header)) + " columns", snapshot}
}

// Change kinds that only the Change Log writes; the diff never reports them.
const (
	// HeaderChanged is one row for columns that kept their names but moved:
	// the old and the new header, in order.
	HeaderChanged ChangeKind = "header changed"
	// Restored marks the rows of a restore: its own row (what it restored
	// where) and the changes of the cells it wrote (Change.Restore set),
	// whose Snapshot cell also names the version restored and who ran it.
	Restored ChangeKind = "restored"
)

// CellTextLimit caps the characters (UTF-16 code units, as spreadsheets
// count them) of one cell sheetaudit writes. Google Sheets holds 50,000 per
// cell and Excel 32,767; staying under both keeps a Google sheet downloaded
// as .xlsx whole. Longer text is split over continuation rows, never
// refused, so one long row cannot stop the Change Log.
const CellTextLimit = 32000

// ChangeLogEntry says when, between which versions and by which cycle
// Change Log rows were produced.
type ChangeLogEntry struct {
	// At is when, in the time zone the sheet is read in.
	At time.Time
	// From is the last logged version ("" for a baseline), To the new one.
	From, To string
	// Cycle identifies the cycle that writes the rows; the last column
	// carries it, so a restarted cycle can tell whether its rows landed.
	Cycle string
	// Locale is the language of the change types and texts.
	Locale string
	// Limit caps the rows; 0 means no cap. When the changes need more,
	// the last row says how many were left out and how to see them all.
	Limit int
	// Restores are the restores of the window, oldest first: each gets a
	// row of its own before the changes (see RestoreLogCells).
	Restores []RestoreRecord
}

// ChangeLogHeaderCells is the header row of the Change Log tab: Time,
// Change, Key, Column, Old value, New value, Snapshot, Cycle.
func ChangeLogHeaderCells(locale string) []Cell {
	cat, _ := catalogFor(locale)
	return texts(cat.changeLog.header...)
}

// ChangeLogLayout is how the Change Log reads: a frozen bold header with
// a filter, wide wrapped value columns, removals and restores in colour.
func ChangeLogLayout(locale string) Layout {
	cat, _ := catalogFor(locale)
	l := Layout{
		HeaderRows: 1,
		Widths:     []int{150, 130, 120, 130, 300, 300, 240, 170, 140}, // the last for the Editor column attribution adds
		// The Snapshot cell of a restore's rows also names the version
		// restored and who ran it: wrapped, it shows whole.
		Wrap:   []int{4, 5, 6},
		Filter: true,
	}
	for _, h := range []struct {
		k    ChangeKind
		tone Tone
	}{
		{RowRemoved, ToneWarning}, {ColumnRemoved, ToneWarning}, {HeaderChanged, ToneWarning},
		{RowAdded, ToneGood}, {ColumnAdded, ToneGood}, {Restored, ToneInfo},
	} {
		name := cat.kind(h.k)
		l.Highlights = append(l.Highlights,
			Highlight{Column: 1, Value: name, Tone: h.tone},
			Highlight{Column: 1, Value: fmt.Sprintf(cat.changeLog.continued, name), Tone: h.tone})
	}
	return l
}

// ChangeLogCells turns the changes between the versions e.From and e.To
// into Change Log rows. old and new are the two versions as tables: with
// them an added or removed row is written as "column: value" pairs and
// moved columns as one header change; either may be nil, and then the
// change's own text is written. Text longer than CellTextLimit goes on
// continuation rows with the same key and column.
func ChangeLogCells(changes []Change, old, new *Table, e ChangeLogEntry) [][]Cell {
	cat, _ := catalogFor(e.Locale)
	if old != nil && new != nil {
		if o, n, moved := movedColumns(old.Header, new.Header); moved {
			sep := cat.changeLog.pairSep
			changes = append([]Change{{Kind: HeaderChanged, Old: strings.Join(o, sep), New: strings.Join(n, sep)}}, changes...)
		}
	}
	var added, removed *rowFinder
	if new != nil {
		added = newRowFinder(new)
	}
	if old != nil {
		removed = newRowFinder(old)
	}
	var rows [][]Cell
	for _, r := range e.Restores {
		rows = append(rows, RestoreLogCells(r, e)...)
	}
	for i, c := range changes {
		switch {
		case c.Kind == RowAdded && added != nil:
			if r, ok := added.take(c.Key); ok {
				c.New = pairs(cat, new.Header, r.Cells)
			}
		case c.Kind == RowRemoved && removed != nil:
			if r, ok := removed.take(c.Key); ok {
				c.Old = pairs(cat, old.Header, r.Cells)
			}
		}
		kind, snap := cat.kind(c.Kind), e.To
		if c.Restore != nil {
			kind, snap = cat.kind(Restored), restoredFrom(cat, e.To, *c.Restore)
		}
		more := logRows(cat, e, kind, snap, c.Key, c.Column, c.Old, c.New)
		if e.Limit > 0 && len(rows)+len(more) > e.Limit-1 && i < len(changes)-1 ||
			e.Limit > 0 && len(rows)+len(more) > e.Limit {
			rows = append(rows, logRow(e, cat.changeLog.summary, "", "", "",
				fmt.Sprintf(cat.changeLog.more, len(changes)-i, e.From, e.To)))
			return rows
		}
		rows = append(rows, more...)
	}
	return rows
}

// BaselineCells is the Change Log row of a sheet's first snapshot.
func BaselineCells(t *Table, e ChangeLogEntry) [][]Cell {
	cat, _ := catalogFor(e.Locale)
	return [][]Cell{logRow(e, cat.changeLog.baseline, "", "", "",
		fmt.Sprintf(cat.changeLog.size, len(t.Rows), len(t.Header)))}
}

// RestoreLogCells is the Change Log row of one restore of the window
// e.From → e.To: what it restored and where (the whole tab, the chosen
// rows or columns, or a copy in a new tab, which leaves the data tab as it
// was), with the version restored and who ran it, and why, in the
// Snapshot cell. The rows of the cells it wrote follow among the changes.
func RestoreLogCells(r RestoreRecord, e ChangeLogEntry) [][]Cell {
	cat, _ := catalogFor(e.Locale)
	l := cat.changeLog.restore
	var what string
	if r.Mode == RestoreNewTab {
		what = fmt.Sprintf(l.newTab, r.From, r.Tab)
	} else {
		how := []string{r.Mode}
		if m, ok := l.modes[r.Mode]; ok {
			how[0] = m
		}
		if len(r.Rows) > 0 {
			how = append(how, fmt.Sprintf(l.rows, strings.Join(r.Rows, cat.listSep)))
		}
		if len(r.Columns) > 0 {
			how = append(how, fmt.Sprintf(l.columns, strings.Join(r.Columns, cat.listSep)))
		}
		how = append(how, fmt.Sprintf(l.changes, r.Changes))
		what = fmt.Sprintf(l.into, r.From, r.Tab, strings.Join(how, cat.changeLog.pairSep))
	}
	return logRows(cat, e, cat.kind(Restored), restoredFrom(cat, e.To, r), "", "", "", what)
}

// restoredFrom is the Snapshot cell of a restore's rows: who ran it, the
// version restored and why, then the version the window ends at.
func restoredFrom(cat *catalog, to string, r RestoreRecord) string {
	l := cat.changeLog.restore
	by := strings.TrimSpace(r.By)
	if by == "" {
		by = l.nobody
	}
	if why := strings.TrimSpace(r.Reason); why != "" {
		return fmt.Sprintf(l.why, to, r.From, by, why)
	}
	return fmt.Sprintf(l.from, to, r.From, by)
}

func logRow(e ChangeLogEntry, kind, key, column, old, new string) []Cell {
	return logRowAt(e, e.To, kind, key, column, old, new)
}

// logRowAt is a Change Log row whose Snapshot cell holds snap.
func logRowAt(e ChangeLogEntry, snap, kind, key, column, old, new string) []Cell {
	return []Cell{TimeOf(e.At), Text(kind), Text(key), Text(column), Text(old), Text(new), Text(snap), Text(e.Cycle)}
}

// logRows is one change's rows: one, or more when a value is longer than a
// cell holds, the later ones marked as continued. snap is the Snapshot
// cell.
func logRows(cat *catalog, e ChangeLogEntry, kind, snap, key, column, old, new string) [][]Cell {
	o, n := SplitCellText(old, CellTextLimit), SplitCellText(new, CellTextLimit)
	count := max(len(o), len(n))
	rows := make([][]Cell, 0, count)
	for i := range count {
		k := kind
		if i > 0 {
			k = fmt.Sprintf(cat.changeLog.continued, kind)
		}
		rows = append(rows, logRowAt(e, snap, k, key, column, part(o, i), part(n, i)))
	}
	return rows
}

func part(parts []string, i int) string {
	if i < len(parts) {
		return parts[i]
	}
	return ""
}

// SplitCellText cuts s into pieces of at most limit UTF-16 code units, at
// rune boundaries, preferring to cut after a line break or a "; " in the
// last tenth of a piece. It returns one piece for short text, the empty
// one included.
func SplitCellText(s string, limit int) []string {
	if limit <= 0 || utf16Len(s) <= limit {
		return []string{s}
	}
	var out []string
	for utf16Len(s) > limit {
		cut, units := 0, 0
		for i, r := range s {
			w := 1
			if r >= 0x10000 {
				w = 2
			}
			if units+w > limit {
				cut = i
				break
			}
			units += w
		}
		if soft := strings.LastIndexAny(s[:cut], "\n;；"); soft > cut-cut/10 && soft > 0 {
			_, w := utf8.DecodeRuneInString(s[soft:])
			cut = soft + w
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	return append(out, s)
}

func utf16Len(s string) int {
	if len(s) <= CellTextLimit/3 { // fast path: even 3-byte runes fit
		return utf8.RuneCountInString(s)
	}
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// pairs writes a row as "column: value" pairs of its filled cells.
func pairs(cat *catalog, header, cells []string) string {
	var b strings.Builder
	for i, v := range cells {
		if strings.TrimSpace(v) == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(cat.changeLog.pairSep)
		}
		name := ColumnName(i)
		if i < len(header) {
			name = header[i]
		}
		b.WriteString(name)
		b.WriteString(cat.changeLog.pairColon)
		b.WriteString(v)
	}
	return b.String()
}

// movedColumns reports whether the columns both headers have are in a
// different order, and returns the two headers when they are.
func movedColumns(old, new []string) ([]string, []string, bool) {
	inNew := make(map[string]bool, len(new))
	for _, h := range new {
		inNew[h] = true
	}
	inOld := make(map[string]bool, len(old))
	var o []string
	for _, h := range old {
		inOld[h] = true
		if inNew[h] {
			o = append(o, h)
		}
	}
	var n []string
	for _, h := range new {
		if inOld[h] {
			n = append(n, h)
		}
	}
	if slices.Equal(o, n) {
		return nil, nil, false
	}
	return old, new, true
}

// rowFinder finds the rows a diff names by display key, each once, so
// rows with the same display key are taken in table order.
type rowFinder struct {
	t     *Table
	taken map[string]int
}

func newRowFinder(t *Table) *rowFinder { return &rowFinder{t: t, taken: map[string]int{}} }

func (f *rowFinder) take(display string) (Row, bool) {
	if r, ok := f.t.Lookup(strings.ReplaceAll(display, " / ", keySep)); ok && f.taken[display] == 0 {
		f.taken[display]++
		return r, true
	}
	// A display key that does not map back (a compound part holding " / ").
	n := 0
	for _, r := range f.t.Rows {
		if DisplayKey(r.Key) == display {
			if n == f.taken[display] {
				f.taken[display]++
				return r, true
			}
			n++
		}
	}
	return Row{}, false
}

// texts returns text cells of ss.
func texts(ss ...string) []Cell {
	out := make([]Cell, len(ss))
	for i, s := range ss {
		out[i] = Text(s)
	}
	return out
}
