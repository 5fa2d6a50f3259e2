package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// reviewValueLimit caps the characters of a value copied into the Needs
// Review tab: the finding is about the cell, which the link opens, and a
// pasted 50,000-character cell would otherwise be copied whole.
const reviewValueLimit = 500

// ReviewLimit caps the finding rows of the Needs Review tab. A mass mistake
// (an enum renamed in the config, a column pasted over) can produce a
// finding per row; 20,000 rows of 8 cells keep the tab far from the
// spreadsheet's 10-million-cell limit, and nobody reviews more by hand.
// The last row then says how many were left out and how to list them all.
const ReviewLimit = 20000

// ReviewRows returns the whole content of the Needs Review tab for the
// findings of one data tab (meta; header is its header row, used to address
// cells): a first line that says when the tab was produced, how many rows
// were checked and how many findings of each severity there are; a header
// row (Severity | Row | Key | Column | Rule | Value | Message | Link); then
// one row per finding, sorted by severity, row, column (in sheet order) and
// rule, at most ReviewLimit rows in all. The texts are in the locale ("en" or "zh-CN"; others fall back to
// English).
//
// The Link is a plain address of the offending cell: a docs.google.com URL
// with #gid=…&range=… when meta.SpreadsheetID is a Google id, otherwise a
// workbook reference such as '客户'!B7. There are no formulas at all: the
// tab is written with RAW values, so every cell, including a user's value
// like =HYPERLINK(…), appears as the text it is.
func ReviewRows(findings []Finding, meta TabMeta, produced time.Time, checked int, locale string, header []string) [][]string {
	cat, _ := catalogFor(locale)
	var counts [3]int
	for _, f := range findings {
		counts[clampSeverity(f.Severity)]++
	}
	stamp := produced.Format("2006-01-02 15:04:05") + " UTC" + produced.Format("-07:00")
	rows := make([][]string, 0, len(findings)+2)
	rows = append(rows,
		[]string{fmt.Sprintf(cat.firstLine, stamp, checked, counts[Error], counts[Warning], counts[Info])},
		slices.Clone(cat.header))

	col := make(map[string]int, len(header))
	for i, h := range header {
		col[h] = i
	}
	colIndex := func(f Finding) int {
		if i, ok := col[f.Column]; ok {
			return i
		}
		return len(header) // findings about columns not in the header go last
	}
	sorted := slices.Clone(findings)
	slices.SortStableFunc(sorted, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(clampSeverity(a.Severity), clampSeverity(b.Severity)),
			cmp.Compare(a.Row, b.Row),
			cmp.Compare(colIndex(a), colIndex(b)),
			strings.Compare(a.Column, b.Column),
			strings.Compare(a.Rule, b.Rule),
		)
	})
	google := meta.URL != ""
	var more int
	if len(sorted) > ReviewLimit {
		more = len(sorted) - (ReviewLimit - 1)
		sorted = sorted[:ReviewLimit-1]
	}
	for _, f := range sorted {
		row := ""
		if f.Row > 0 {
			row = strconv.Itoa(f.Row)
		}
		c, ok := col[f.Column]
		if !ok {
			c = -1
		}
		rows = append(rows, []string{
			cat.severity(f.Severity), row, f.Key, f.Column, f.Rule,
			shorten(f.Value, reviewValueLimit), f.Message, cellLink(meta, google, f.Row, c),
		})
	}
	if more > 0 {
		rows = append(rows, []string{"", "", "", "", "", "", fmt.Sprintf(cat.more, more), ""})
	}
	return rows
}

func clampSeverity(s Severity) Severity {
	if s < Error || s > Info {
		return Info
	}
	return s
}

// cellLink addresses the cell at the 1-based row and 0-based column col of
// the tab: the cell when both are known, the whole row when the column is
// not (-1), the tab when the row is 0.
func cellLink(meta TabMeta, google bool, row, col int) string {
	var a1 string
	switch {
	case row <= 0:
	case col < 0:
		a1 = strconv.Itoa(row) + ":" + strconv.Itoa(row)
	default:
		a1 = ColumnName(col) + strconv.Itoa(row)
	}
	if google {
		link := meta.URL
		if a1 != "" {
			link += "&range=" + a1
		}
		return link
	}
	if a1 == "" {
		a1 = "A1"
	}
	return "'" + strings.ReplaceAll(meta.Title, "'", "''") + "'!" + a1
}

// ReviewInput is what the Needs Review work list is made of.
type ReviewInput struct {
	Findings []Finding
	// Meta is the data tab's: links point into it.
	Meta TabMeta
	// Table is the data tab as read: its header addresses cells, and its
	// rows give each finding's owner and customer.
	Table *Table
	// Produced is when, in the time zone the sheet is read in.
	Produced time.Time
	// OwnerColumn and CustomerColumn, when set and in the header, add the
	// row's owner and customer beside its key, so a rep can filter for
	// their own rows.
	OwnerColumn, CustomerColumn string
	Locale                      string
}

// reviewGroup orders the work list: alarms and data errors first, then
// data warnings, then rows due soon, then stale rows, then the rest.
func reviewGroup(f Finding) int {
	switch {
	case f.Rule == RuleBadPaste:
		return 0
	case f.Rule == RuleDueSoon:
		return 3
	case f.Rule == RuleStale:
		return 4
	case clampSeverity(f.Severity) == Error:
		return 1
	case clampSeverity(f.Severity) == Warning:
		return 2
	}
	return 5
}

// ReviewColumns are the Needs Review columns, by role, as ReviewCells
// writes them; Owner and Customer are -1 when the tab has none.
type ReviewColumns struct {
	Severity, Row, Key, Owner, Customer, Column, Rule, Value, Message, Link int
}

// reviewColumns places the columns: owner and customer beside the key when
// the input names them.
func reviewColumns(in ReviewInput) ReviewColumns {
	c := ReviewColumns{Severity: 0, Row: 1, Key: 2, Owner: -1, Customer: -1}
	n := 3
	if in.OwnerColumn != "" && in.Table != nil && in.Table.Column(in.OwnerColumn) >= 0 {
		c.Owner, n = n, n+1
	}
	if in.CustomerColumn != "" && in.Table != nil && in.Table.Column(in.CustomerColumn) >= 0 {
		c.Customer, n = n, n+1
	}
	c.Column, c.Rule, c.Value, c.Message, c.Link = n, n+1, n+2, n+3, n+4
	return c
}

// ReviewCells returns the whole content of the Needs Review tab as a work
// list: a first line with when it was produced, how many rows were checked,
// the findings by severity and by owner; a header row; then one row per
// finding, the bad-paste alarms and data errors first, then data warnings,
// rows due soon and stale rows, each group by row and column; at most
// ReviewLimit rows in all. Row numbers are numbers; each row links to the
// offending cell (a link, never a formula). Texts are in in.Locale.
func ReviewCells(in ReviewInput) [][]Cell {
	cat, _ := catalogFor(in.Locale)
	l := cat.review
	cols := reviewColumns(in)
	var header []string
	if in.Table != nil {
		header = in.Table.Header
	}
	colIdx := make(map[string]int, len(header))
	for i, h := range header {
		colIdx[h] = i
	}
	byLine := map[int]*Row{}
	if in.Table != nil && (cols.Owner >= 0 || cols.Customer >= 0) {
		for i := range in.Table.Rows {
			byLine[in.Table.Rows[i].Line] = &in.Table.Rows[i]
		}
	}
	cell := func(f Finding, name string) string {
		if r := byLine[f.Row]; r != nil {
			return strings.TrimSpace(r.Cell(in.Table.Column(name)))
		}
		return ""
	}

	var counts [3]int
	owners := map[string]int{}
	var ownerOrder []string
	for _, f := range in.Findings {
		counts[clampSeverity(f.Severity)]++
		if cols.Owner >= 0 {
			o := cell(f, in.OwnerColumn)
			if owners[o] == 0 {
				ownerOrder = append(ownerOrder, o)
			}
			owners[o]++
		}
	}
	stamp := in.Produced.Format("2006-01-02 15:04:05") + " UTC" + in.Produced.Format("-07:00")
	checked := 0
	if in.Table != nil {
		checked = len(in.Table.Rows)
	}
	first := fmt.Sprintf(l.firstLine, stamp, checked, counts[Error], counts[Warning], counts[Info])
	if len(ownerOrder) > 0 {
		slices.SortStableFunc(ownerOrder, func(a, b string) int {
			return cmp.Or(cmp.Compare(owners[b], owners[a]), cmp.Compare(b2i(a == ""), b2i(b == "")) /* no owner last */, strings.Compare(a, b))
		})
		parts := make([]string, 0, min(len(ownerOrder), 12))
		for i, o := range ownerOrder {
			if i == 11 && len(ownerOrder) > 12 {
				parts = append(parts, "…")
				break
			}
			name := o
			if name == "" {
				name = l.noOwner
			}
			parts = append(parts, name+" "+strconv.Itoa(owners[o]))
		}
		first += fmt.Sprintf(l.byOwner, strings.Join(parts, cat.listSep))
	}
	titles := []string{l.severity, l.row, l.key}
	if cols.Owner >= 0 {
		titles = append(titles, l.owner)
	}
	if cols.Customer >= 0 {
		titles = append(titles, l.customer)
	}
	titles = append(titles, l.column, l.rule, l.value, l.message, l.link)
	rows := make([][]Cell, 0, min(len(in.Findings), ReviewLimit)+2)
	rows = append(rows, []Cell{Text(first)}, texts(titles))

	colIndex := func(f Finding) int {
		if i, ok := colIdx[f.Column]; ok {
			return i
		}
		return len(header)
	}
	sorted := slices.Clone(in.Findings)
	slices.SortStableFunc(sorted, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(reviewGroup(a), reviewGroup(b)),
			cmp.Compare(a.Row, b.Row),
			cmp.Compare(colIndex(a), colIndex(b)),
			strings.Compare(a.Column, b.Column),
			strings.Compare(a.Rule, b.Rule),
		)
	})
	var more int
	if len(sorted) > ReviewLimit {
		more = len(sorted) - (ReviewLimit - 1)
		sorted = sorted[:ReviewLimit-1]
	}
	google := in.Meta.URL != ""
	for _, f := range sorted {
		row := Text("")
		if f.Row > 0 {
			row = Number(float64(f.Row))
		}
		c, ok := colIdx[f.Column]
		if !ok {
			c = -1
		}
		out := []Cell{Text(cat.severity(f.Severity)), row, Text(f.Key)}
		if cols.Owner >= 0 {
			out = append(out, Text(cell(f, in.OwnerColumn)))
		}
		if cols.Customer >= 0 {
			out = append(out, Text(cell(f, in.CustomerColumn)))
		}
		out = append(out, Text(f.Column), Text(cat.ruleName(f.Rule)),
			Text(shorten(f.Value, reviewValueLimit)), Text(shortenUnits(f.Message, CellTextLimit)),
			reviewLink(in.Meta, google, f.Row, c, l.open))
		rows = append(rows, out)
	}
	if more > 0 {
		last := make([]Cell, cols.Link+1)
		for i := range last {
			last[i] = Text("")
		}
		last[cols.Message] = Text(fmt.Sprintf(l.more, more))
		rows = append(rows, last)
	}
	return rows
}

// ReviewLayout is how Needs Review reads: the first line and the header
// bold and frozen, a filter on the header, the message wrapped, each row
// coloured by severity. owner and customer say whether the tab has those
// columns (ReviewInput.OwnerColumn, CustomerColumn found in the header).
func ReviewLayout(locale string, owner, customer bool) Layout {
	cat, _ := catalogFor(locale)
	widths := []int{80, 60, 110}
	if owner {
		widths = append(widths, 90)
	}
	if customer {
		widths = append(widths, 200)
	}
	widths = append(widths, 120, 120, 180, 460, 120)
	msg := len(widths) - 2
	return Layout{
		HeaderRows: 2,
		Widths:     widths,
		Wrap:       []int{msg - 1, msg},
		Filter:     true,
		Highlights: []Highlight{
			{Column: 0, Value: cat.severity(Error), Tone: ToneError},
			{Column: 0, Value: cat.severity(Warning), Tone: ToneWarning},
			{Column: 0, Value: cat.severity(Info), Tone: ToneInfo},
		},
	}
}

// ReviewLayoutFor is ReviewLayout for the columns in will have.
func ReviewLayoutFor(in ReviewInput) Layout {
	c := reviewColumns(in)
	return ReviewLayout(in.Locale, c.Owner >= 0, c.Customer >= 0)
}

// reviewLink is a link cell to the offending cell, showing its address.
func reviewLink(meta TabMeta, google bool, row, col int, open string) Cell {
	target := cellLink(meta, google, row, col)
	shown := target
	if google {
		shown = "A1"
		if _, a1, ok := strings.Cut(target, "&range="); ok {
			shown = a1
		}
	} else {
		target = "#" + target
		if _, a1, ok := strings.Cut(shown, "!"); ok {
			shown = a1
		}
	}
	return Linked(fmt.Sprintf(open, shown), target)
}

// shortenUnits cuts s to at most n UTF-16 code units, marking the cut.
func shortenUnits(s string, n int) string {
	if utf16Len(s) <= n {
		return s
	}
	return SplitCellText(s, n-1)[0] + "…"
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
