package audit

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

func (l reportLabels) oldest(c OwnerStageCell) string {
	if c.Stale == 0 {
		return ""
	}
	o := c.Oldest
	s := o.Key
	if o.Customer != "" {
		s += " " + o.Customer
	}
	return s + " (" + l.overdue(o) + ")"
}

func (l reportLabels) itemHeader(due bool) []string {
	if due {
		return []string{l.Key, l.Customer, l.Owner, l.Stage, l.LastFollowUp, l.DaysSince, l.Threshold, l.Due, l.Explanation}
	}
	return []string{l.Key, l.Customer, l.Owner, l.Stage, l.LastFollowUp, l.DaysSince, l.Threshold, l.DaysOverdue, l.Explanation}
}

// itemCells is one stale or due-soon row of the tab: counts are numbers,
// the key links to the row in the sheet: its Link (a URL, on Google), or
// else the row of dataTab in the same workbook (.xlsx).
func (l reportLabels) itemCells(it StaleItem, dataTab string) []Cell {
	key := Text(it.Key)
	switch {
	case it.Link != "":
		key = Linked(it.Key, it.Link)
	case dataTab != "" && it.Row > 0:
		key = Linked(it.Key, "#'"+strings.ReplaceAll(dataTab, "'", "''")+"'!A"+strconv.Itoa(it.Row))
	}
	since, last := Number(float64(it.DaysSince)), Number(float64(it.DaysOverdue))
	if it.Never() {
		since, last = Text(""), Text("")
	}
	if it.DueSoon {
		last = Text(it.Due.String())
	}
	return []Cell{key, Text(it.Customer), Text(l.owner(it.Owner)), Text(l.stage(it.Stage)), Text(l.lastFollowUp(it)),
		since, Number(float64(it.Threshold)), last, Text(it.Explanation)}
}

func num(n int) Cell { return Number(float64(n)) }

// ActLimit is how many rows "act this week" lists by default.
const ActLimit = 10

// Act returns the rows to act on first: the stale rows with the most days
// overdue, then those never followed up or with an unreadable date, at
// most n (ActLimit when n <= 0).
func (r Report) Act(n int) []StaleItem {
	if n <= 0 {
		n = ActLimit
	}
	act := slices.Clone(r.Items)
	slices.SortStableFunc(act, func(a, b StaleItem) int {
		if a.Never() != b.Never() {
			if a.Never() {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(b.DaysOverdue, a.DaysOverdue), cmp.Compare(a.Row, b.Row))
	})
	return act[:min(n, len(act))]
}

// nonZeroCells returns the owner × stage cells with stale rows, most
// stale first.
func (r Report) nonZeroCells() []OwnerStageCell {
	var out []OwnerStageCell
	for _, c := range r.ByOwnerStage {
		if c.Stale > 0 {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b OwnerStageCell) int { return cmp.Compare(b.Stale, a.Stale) })
	return out
}

// ReportTab is the content of the Staleness Report tab: its cells, and
// the block of owner totals the bar chart reads ([ChartFirst, ChartLast),
// label in column 0, count in column 1).
type ReportTab struct {
	Rows                  [][]Cell
	ChartFirst, ChartLast int
	ChartTitle            string
	// HeaderRows are the 0-based rows shown bold (section headers).
	HeaderRows []int
}

// Tab renders the report as the Staleness Report tab, in the same order
// as the page: figures, act this week, change and trend, pipeline
// movement, stale per owner (the chart's source, as numbers), owner ×
// stage where non-zero, then the full stale and due-soon lists and data
// quality. Counts are number cells so the chart and sorting work; keys
// link to their rows when the report has links. Nothing is a formula.
func (r Report) Tab(locale string) ReportTab {
	l := labelsFor(locale)
	var t ReportTab
	add := func(rows ...[]Cell) { t.Rows = append(t.Rows, rows...) }
	head := func(cells ...string) {
		t.HeaderRows = append(t.HeaderRows, len(t.Rows))
		add(texts(cells...))
	}
	add(texts(l.title(r)), texts(l.Produced, r.Produced.Format("2006-01-02 15:04 -07:00")),
		texts(fmt.Sprintf(l.Days, l.unit(r.Business))), nil)
	head(l.Active, l.Stale, l.StalePct, l.DueSoon, l.Rows, l.Scheduled)
	add([]Cell{num(r.Active), num(r.Stale), Number(math.Round(r.StalePct*10) / 10), num(r.DueSoon), num(r.Rows), num(r.Scheduled)})

	add(nil)
	head(l.ActTitle)
	if act := r.Act(0); len(act) == 0 {
		add(texts(l.ActNone))
	} else {
		// The columns of the full list below, so widths and wrapping fit
		// both and the days are numbers to sort by.
		head(l.itemHeader(false)...)
		for _, it := range act {
			add(l.itemCells(it, r.DataTab))
		}
	}
	if r.Owner == "" {
		add(nil)
		head(l.Change)
		if r.FirstWeek {
			add(texts(l.FirstWeek))
		} else {
			head(l.NewlyStale, l.Resolved, l.StillStale)
			add([]Cell{num(r.NewlyStale), num(r.Resolved), num(r.StillStale)})
		}
		if len(r.Trend) > 0 {
			add(nil)
			head(fmt.Sprintf(l.Trend, len(r.Trend)))
			head("", l.TrendStale, l.TrendErrors)
			for _, p := range r.Trend {
				if p.Missing {
					add(texts(p.Week, l.TrendMissing))
					continue
				}
				add([]Cell{Text(p.Week), num(p.Stale), num(p.Errors)})
			}
		}
		if m := r.Movement; m != nil {
			add(nil)
			head(l.Movement)
			head(l.Moved, l.Won, l.Lost, l.NewRows)
			moved := 0
			for _, mv := range m.Moves {
				moved += mv.Count
			}
			add([]Cell{num(moved), num(m.Won), num(m.Lost), num(m.New)})
			for _, mv := range m.Moves {
				add([]Cell{Text(l.stage(mv.From) + " → " + l.stage(mv.To)), num(mv.Count)})
			}
			if len(m.ByOwner) > 0 {
				head(l.Owner, l.Moved, l.Won, l.Lost, l.NewRows)
				for _, o := range m.ByOwner {
					add([]Cell{Text(l.owner(o.Owner)), num(o.Moved), num(o.Won), num(o.Lost), num(o.New)})
				}
			}
		}
	}
	if owners := r.staleOwners(); len(owners) > 0 {
		add(nil)
		t.ChartTitle = l.Chart
		head(l.Chart)
		head(l.Owner, l.ChartValue)
		t.ChartFirst = len(t.Rows)
		for _, o := range owners {
			if o.Stale > 0 { // the chart shows stale rows; due-soon-only owners have no bar
				add([]Cell{Text(l.owner(o.Owner)), num(o.Stale)})
			}
		}
		t.ChartLast = len(t.Rows)
	}
	if cells := r.nonZeroCells(); len(cells) > 0 {
		add(nil)
		head(l.ByOwnerStage)
		head(l.Owner, l.Stage, l.Stale, l.Active, l.Oldest)
		for _, c := range cells {
			add([]Cell{Text(l.owner(c.Owner)), Text(l.stage(c.Stage)), num(c.Stale), num(c.Active), Text(l.oldest(c))})
		}
	}
	add(nil)
	head(l.StaleList + " (" + reportInt(len(r.Items)) + ")")
	if len(r.Items) == 0 {
		add(texts(l.NoneStale))
	} else {
		head(l.itemHeader(false)...)
		for _, it := range r.Items {
			add(l.itemCells(it, r.DataTab))
		}
	}
	if len(r.DueSoonItems) > 0 {
		add(nil)
		head(l.DueSoonList + " (" + reportInt(len(r.DueSoonItems)) + ")")
		head(l.itemHeader(true)...)
		for _, it := range r.DueSoonItems {
			add(l.itemCells(it, r.DataTab))
		}
	}
	if len(r.QualityByOwner) > 0 {
		add(nil)
		head(l.Quality)
		head(l.Owner, l.Errors, l.Warnings)
		for _, q := range r.QualityByOwner {
			add([]Cell{Text(l.owner(q.Owner)), num(q.Errors), num(q.Warnings)})
		}
	}
	if a := r.Access; a != nil && r.Owner == "" {
		add(nil)
		head(l.Access)
		lines := a.accessLines(locale)
		if len(lines) == 0 {
			add(texts(l.AccessOK))
		}
		for _, s := range lines {
			add(texts(s))
		}
		head(l.Grantee, l.Role)
		for _, g := range a.Shared {
			add(texts(g.Grantee, g.Role))
		}
	}
	return t
}

// TabRows is Tab as text, for backends that write text only.
func (r Report) TabRows(locale string) [][]string {
	t := r.Tab(locale)
	rows := make([][]string, len(t.Rows))
	for i, row := range t.Rows {
		rows[i] = make([]string, len(row))
		for j, c := range row {
			rows[i][j] = c.String()
		}
	}
	return rows
}

// OwnerCount is one owner's stale count.
type OwnerCount struct {
	Owner string
	Stale int
	// Oldest is the owner's most overdue stale row.
	Oldest StaleItem
	// DueSoon counts the owner's rows about to go stale.
	DueSoon int
}

// staleOwners counts stale rows per owner, most first; owners with only
// due-soon rows follow.
func (r Report) staleOwners() []OwnerCount {
	idx := make(map[string]int)
	var out []OwnerCount
	get := func(o string) *OwnerCount {
		i, ok := idx[o]
		if !ok {
			i = len(out)
			idx[o] = i
			out = append(out, OwnerCount{Owner: o})
		}
		return &out[i]
	}
	for _, it := range r.Act(len(r.Items)) {
		c := get(it.Owner)
		if c.Stale == 0 {
			c.Oldest = it
		}
		c.Stale++
	}
	for _, it := range r.DueSoonItems {
		get(it.Owner).DueSoon++
	}
	slices.SortStableFunc(out, func(a, b OwnerCount) int {
		return cmp.Or(cmp.Compare(b.Stale, a.Stale), cmp.Compare(b.DueSoon, a.DueSoon), compareOwner(a.Owner, b.Owner))
	})
	return out
}

// OwnerCounts returns the stale count of each owner, most first.
func (r Report) OwnerCounts() []OwnerCount { return r.staleOwners() }

// CSV renders the stale rows, then the due-soon rows, one per line with a
// status column, for managers who sort and filter in a spreadsheet; the
// header is in the locale's language. It
// starts with a UTF-8 byte order mark, without which Excel shows Chinese as
// mojibake, and prefixes sheet text that starts with = + - or @ with an
// apostrophe so that opening the file cannot run a formula.
func (r Report) CSV(locale string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Write(labelsFor(locale).CSV)
	write := func(status string, it StaleItem) {
		last, since, over := "", "", ""
		if !it.Never() {
			last, since, over = it.From.String(), reportInt(it.DaysSince), reportInt(it.DaysOverdue)
		} else if it.Value != "" {
			last = it.Value
		}
		due := ""
		if !it.Due.IsZero() {
			due = it.Due.String()
		}
		w.Write([]string{status, csvText(it.Key), csvText(it.Customer), csvText(it.Owner), csvText(it.Stage), reportInt(it.Row),
			csvText(last), since, reportInt(it.Threshold), over, due, strconv.FormatBool(it.Business), it.Rule, csvText(it.Explanation)})
	}
	for _, it := range r.Items {
		write(RuleStale, it)
	}
	for _, it := range r.DueSoonItems {
		write(RuleDueSoon, it)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write report csv: %w", err)
	}
	return b.Bytes(), nil
}

func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
