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
