package audit

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Report is the weekly Staleness Report of one sheet: what managers read to
// see which deals nobody follows up. Build it with BuildReport; render it
// with TabRows, HTML and CSV.
type Report struct {
	Sheet string `json:"sheet"`
	// Week is the ISO week the report is for, such as 2026-W48.
	Week string `json:"week"`
	// Produced is when the figures were taken, in the report's time zone.
	Produced time.Time `json:"produced"`
	// Owner is set on a report narrowed to one owner's rows (ForOwner).
	Owner string `json:"owner,omitempty"`
	// Business reports whether days are business days.
	Business bool `json:"business_days,omitempty"`

	Rows int `json:"rows"`
	// Active counts the rows that can go stale: those not in an exempt
	// stage (a lost deal is not work to do). StalePct is of Active.
	Active   int     `json:"active"`
	Stale    int     `json:"stale"`
	DueSoon  int     `json:"due_soon"`
	StalePct float64 `json:"stale_pct"`
	// Scheduled counts rows that would be stale or due soon but have a
	// next follow-up date in the future (StalePolicy.NextDateColumn).
	Scheduled int `json:"scheduled,omitempty"`

	// FirstWeek is set when there was no stale set of last week to compare
	// with; the three figures below are then zero and mean nothing.
	FirstWeek  bool `json:"first_week,omitempty"`
	NewlyStale int  `json:"newly_stale"`
	Resolved   int  `json:"resolved"`
	StillStale int  `json:"still_stale"`

	ByOwnerStage []OwnerStageCell `json:"by_owner_stage"`
	// Items are the stale rows, most urgent first: never followed up, then
	// by days overdue.
	Items []StaleItem `json:"items"`
	// DueSoonItems are the rows about to go stale, soonest first.
	DueSoonItems   []StaleItem    `json:"due_soon_items,omitempty"`
	QualityByOwner []OwnerQuality `json:"quality_by_owner,omitempty"`

	// Trend holds the stale and data-error counts of the weeks up to and
	// including this one, oldest first, each computed from the snapshot
	// that stood at the end of its week.
	Trend []WeekPoint `json:"trend,omitempty"`
	// Movement is this week's pipeline movement; nil when there is no
	// snapshot of last week to compare with.
	Movement *Movement `json:"movement,omitempty"`
	// FullList says where the whole stale list is: a URL or a file name
	// relative to the HTML page (the CSV beside it).
	FullList string `json:"full_list,omitempty"`
	// Access is who the file is shared with and what the access rules
	// flag, from the last cycle's access audit; nil when the access audit
	// is off or has not run yet.
	Access *ReportAccess `json:"access,omitempty"`
	// DataTab is the tab the rows are in. The Staleness Report tab links
	// each listed row there ("#'客户'!A7", a place in the same workbook)
	// when the row has no Link of its own, as in an .xlsx file.
	DataTab string `json:"data_tab,omitempty"`
}

// WeekPoint is one week of the trend.
type WeekPoint struct {
	Week string `json:"week"`
	// Missing is set when no snapshot stood at the end of the week.
	Missing bool `json:"missing,omitempty"`
	Stale   int  `json:"stale"`
	Errors  int  `json:"errors"`
}

// OwnerStageCell is one cell of the owner × stage table.
type OwnerStageCell struct {
	Owner string `json:"owner"`
	Stage string `json:"stage"`
	Stale int    `json:"stale"`
	Total int    `json:"total"`
	// Active is Total less the rows of exempt stages.
	Active int `json:"active"`
	// Oldest is the most urgent stale row of the cell; zero when Stale is 0.
	Oldest StaleItem `json:"oldest,omitzero"`
}

// OwnerQuality counts one owner's data-quality findings.
type OwnerQuality struct {
	Owner    string `json:"owner"`
	Errors   int    `json:"errors"`
	Warnings int    `json:"warnings"`
}

// BuildReport assembles the report of sheet for week from the stale items of
// this week and of last week (CheckStale on the snapshots as of the end of
// each week), the table as of this week, the policy that produced the items,
// and this week's validation findings. Pass last as nil when there is no
// snapshot of last week; an empty slice means nothing was stale then.
// Stale and due-soon rows are compared by key.
func BuildReport(sheet, week string, this, last []StaleItem, t *Table, p StalePolicy, findings []Finding, produced time.Time) Report {
	r := Report{Sheet: sheet, Week: week, Produced: produced, Business: p.Calendar.BusinessDays, FirstWeek: last == nil}
	for _, it := range this {
		if it.DueSoon {
			r.DueSoonItems = append(r.DueSoonItems, it)
		} else {
			r.Items = append(r.Items, it)
		}
	}
	slices.SortStableFunc(r.Items, compareUrgency)
	slices.SortStableFunc(r.DueSoonItems, func(a, b StaleItem) int {
		return cmp.Or(cmp.Compare(a.Threshold-a.DaysSince, b.Threshold-b.DaysSince), cmp.Compare(a.Row, b.Row))
	})
	r.Stale, r.DueSoon = len(r.Items), len(r.DueSoonItems)

	if !r.FirstWeek {
		before := make(map[string]bool)
		for _, it := range last {
			if !it.DueSoon {
				before[it.Key] = true
			}
		}
		for i, it := range r.Items {
			if before[it.Key] {
				r.StillStale++
				delete(before, it.Key)
			} else {
				r.NewlyStale++
				r.Items[i].Newly = true
			}
		}
		r.Resolved = len(before)
	}

	// The owner × stage table counts every row, so "2 of 40" reads right.
	type cellKey struct{ owner, stage string }
	cells := make(map[cellKey]*OwnerStageCell)
	get := func(owner, stage string) *OwnerStageCell {
		k := cellKey{owner, stage}
		if cells[k] == nil {
			cells[k] = &OwnerStageCell{Owner: owner, Stage: stage}
		}
		return cells[k]
	}
	ownerByKey := make(map[string]string)
	ownerByLine := make(map[int]string)
	if t != nil {
		r.Rows = len(t.Rows)
		oi, si := t.Column(p.OwnerColumn), t.Column(p.StageColumn)
		for _, row := range t.Rows {
			owner, stage := staleCell(row, oi), staleCell(row, si)
			c := get(owner, stage)
			c.Total++
			if !slices.Contains(p.Exempt, stage) {
				r.Active++
				c.Active++
			}
			ownerByKey[DisplayKey(row.Key)] = owner
			ownerByLine[row.Line] = owner
		}
	}
	for _, it := range r.Items {
		c := get(it.Owner, it.Stage)
		if c.Stale == 0 {
			c.Oldest = it // Items are sorted, so the first is the most urgent.
		}
		c.Stale++
	}
	if r.Active > 0 {
		r.StalePct = float64(r.Stale) * 100 / float64(r.Active)
	}
	stageRank := make(map[string]int, len(p.StageOrder))
	for i, s := range p.StageOrder {
		stageRank[s] = i + 1
	}
	for _, c := range cells {
		r.ByOwnerStage = append(r.ByOwnerStage, *c)
	}
	slices.SortFunc(r.ByOwnerStage, func(a, b OwnerStageCell) int {
		return cmp.Or(compareOwner(a.Owner, b.Owner), compareStage(stageRank, a.Stage, b.Stage))
	})

	quality := make(map[string]*OwnerQuality)
	for _, f := range findings {
		if f.Severity == Info || f.Rule == RuleStale || f.Rule == RuleDueSoon || f.Rule == "staleness_config" {
			continue
		}
		owner, ok := ownerByKey[f.Key]
		if !ok || f.Key == "" {
			owner = ownerByLine[f.Row]
		}
		q := quality[owner]
		if q == nil {
			q = &OwnerQuality{Owner: owner}
			quality[owner] = q
		}
		if f.Severity == Error {
			q.Errors++
		} else {
			q.Warnings++
		}
	}
	for _, q := range quality {
		r.QualityByOwner = append(r.QualityByOwner, *q)
	}
	slices.SortFunc(r.QualityByOwner, func(a, b OwnerQuality) int {
		return cmp.Or(cmp.Compare(b.Errors, a.Errors), cmp.Compare(b.Warnings, a.Warnings), compareOwner(a.Owner, b.Owner))
	})
	return r
}

// compareUrgency orders stale rows most urgent first: never followed up,
// then most days overdue, then longest waiting, then sheet order.
func compareUrgency(a, b StaleItem) int {
	if a.Never() != b.Never() {
		if a.Never() {
			return -1
		}
		return 1
	}
	return cmp.Or(cmp.Compare(b.DaysOverdue, a.DaysOverdue), cmp.Compare(b.DaysSince, a.DaysSince), cmp.Compare(a.Row, b.Row))
}

// compareOwner sorts owners by name with rows that have no owner last.
func compareOwner(a, b string) int {
	if (a == "") != (b == "") {
		if a == "" {
			return 1
		}
		return -1
	}
	return strings.Compare(a, b)
}

// compareStage sorts stages in pipeline order, then unlisted stages by name,
// then rows without a stage.
func compareStage(rank map[string]int, a, b string) int {
	ra, rb := rank[a], rank[b]
	if ra == 0 {
		ra = len(rank) + 1
	}
	if rb == 0 {
		rb = len(rank) + 1
	}
	return cmp.Or(cmp.Compare(ra, rb), compareOwner(a, b))
}

// ForOwner narrows the report to one owner's stale and due-soon rows: the
// list that owner can act on. Totals and week-over-week figures are about
// the whole sheet and are dropped.
func (r Report) ForOwner(owner string) Report {
	o := Report{Sheet: r.Sheet, Week: r.Week, Produced: r.Produced, Owner: owner, Business: r.Business, FullList: r.FullList}
	for _, it := range r.Items {
		if it.Owner == owner {
			o.Items = append(o.Items, it)
		}
	}
	for _, it := range r.DueSoonItems {
		if it.Owner == owner {
			o.DueSoonItems = append(o.DueSoonItems, it)
		}
	}
	for _, c := range r.ByOwnerStage {
		if c.Owner == owner {
			o.ByOwnerStage = append(o.ByOwnerStage, c)
			o.Rows += c.Total
			o.Active += c.Active
		}
	}
	for _, q := range r.QualityByOwner {
		if q.Owner == owner {
			o.QualityByOwner = append(o.QualityByOwner, q)
		}
	}
	o.Stale, o.DueSoon = len(o.Items), len(o.DueSoonItems)
	if o.Active > 0 {
		o.StalePct = float64(o.Stale) * 100 / float64(o.Active)
	}
	return o
}

// Masked returns a copy of the report with phone numbers and e-mail
// addresses masked in every text taken from the sheet (MaskPII), for output
// that leaves the spreadsheet's access control, such as mail.
func (r Report) Masked() Report {
	m := r
	m.Sheet = MaskPII(r.Sheet)
	m.Owner = MaskPII(r.Owner)
	maskItem := func(it StaleItem) StaleItem {
		it.Key, it.Customer, it.Owner, it.Stage = MaskPII(it.Key), MaskPII(it.Customer), MaskPII(it.Owner), MaskPII(it.Stage)
		it.Value, it.Explanation = MaskPII(it.Value), MaskPII(it.Explanation)
		return it
	}
	m.Items = make([]StaleItem, len(r.Items))
	for i, it := range r.Items {
		m.Items[i] = maskItem(it)
	}
	m.DueSoonItems = make([]StaleItem, len(r.DueSoonItems))
	for i, it := range r.DueSoonItems {
		m.DueSoonItems[i] = maskItem(it)
	}
	m.ByOwnerStage = make([]OwnerStageCell, len(r.ByOwnerStage))
	for i, c := range r.ByOwnerStage {
		c.Owner, c.Stage = MaskPII(c.Owner), MaskPII(c.Stage)
		if c.Stale > 0 {
			c.Oldest = maskItem(c.Oldest)
		}
		m.ByOwnerStage[i] = c
	}
	if r.Movement != nil {
		mv := *r.Movement
		mv.ByOwner = make([]OwnerMovement, len(r.Movement.ByOwner))
		for i, o := range r.Movement.ByOwner {
			o.Owner = MaskPII(o.Owner)
			mv.ByOwner[i] = o
		}
		m.Movement = &mv
	}
	m.Access = r.Access.masked()
	m.QualityByOwner = make([]OwnerQuality, len(r.QualityByOwner))
	for i, q := range r.QualityByOwner {
		q.Owner = MaskPII(q.Owner)
		m.QualityByOwner[i] = q
	}
	return m
}

// ISOWeek names the ISO 8601 week that t falls in, in loc: 2026-W48. Weeks
// start on Monday, and week 1 is the one holding the year's first Thursday,
// so 2027-01-01 is in 2026-W53.
func ISOWeek(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	y, w := t.In(loc).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// ParseISOWeek reads a week such as 2026-W48 and returns its first instant
// (Monday 00:00 in loc) and its last (the nanosecond before the next
// Monday). "As of week W" means as of end: the newest snapshot at or before
// end is the sheet as it stood when the week closed.
func ParseISOWeek(s string, loc *time.Location) (start, end time.Time, err error) {
	if loc == nil {
		loc = time.UTC
	}
	ys, ws, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(s)), "-W")
	y, yerr := strconv.Atoi(ys)
	w, werr := strconv.Atoi(ws)
	if !ok || yerr != nil || werr != nil || len(ys) != 4 || len(ws) != 2 || w < 1 {
		return time.Time{}, time.Time{}, fmt.Errorf("week %q: write it as YYYY-Www, such as 2026-W48: %w", s, ErrInvalid)
	}
	// January 4th is always in week 1; its Monday starts the ISO year.
	jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, loc)
	monday := jan4.AddDate(0, 0, -(int(jan4.Weekday())+6)%7)
	start = monday.AddDate(0, 0, 7*(w-1))
	if gy, gw := start.ISOWeek(); gy != y || gw != w {
		return time.Time{}, time.Time{}, fmt.Errorf("week %q: %d has no week %d: %w", s, y, w, ErrInvalid)
	}
	return start, start.AddDate(0, 0, 7).Add(-time.Nanosecond), nil
}

var (
	emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// A mainland mobile number, optionally with +86 and separators
	// (138 0013 8000, 138-0013-8000), or a landline with its area code
	// (010-12345678, 0755-8765 4321).
	phonePattern = regexp.MustCompile(`(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}|0\d{2,3}[ -]\d{3,4}[ -]?\d{4}`)
)

// MaskPII hides the middle of phone numbers (13800138000 → 138****8000) and
// the local part of e-mail addresses (zhang.san@corp.cn → z***@corp.cn), so
// a report mailed outside the spreadsheet does not spread contact details.
// Digits that are part of a longer number (an order id) are left alone.
func MaskPII(s string) string {
	s = emailPattern.ReplaceAllStringFunc(s, func(m string) string {
		local, domain, _ := strings.Cut(m, "@")
		first, _ := utf8First(local)
		return first + "***@" + domain
	})
	var b strings.Builder
	last := 0
	for _, loc := range phonePattern.FindAllStringIndex(s, -1) {
		i, j := loc[0], loc[1]
		if i > 0 && isDigit(s[i-1]) || j < len(s) && isDigit(s[j]) {
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(maskDigits(s[i:j]))
		last = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskDigits replaces the digits of a phone number except its first three
// and last four (counting from the subscriber number, after any +86 and
// area code separator) with *.
func maskDigits(m string) string {
	var pos []int
	for i := 0; i < len(m); i++ {
		if isDigit(m[i]) {
			pos = append(pos, i)
		}
	}
	b := []byte(m)
	keepHead := 3
	if strings.HasPrefix(m, "0") {
		// A landline keeps its area code: everything before the first separator.
		keepHead = strings.IndexAny(m, " -")
	} else if len(pos) > 11 {
		keepHead = len(pos) - 11 + 3
	}
	for n, i := range pos {
		if n >= keepHead && n < len(pos)-4 {
			b[i] = '*'
		}
	}
	return string(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func utf8First(s string) (string, int) {
	for i := range s {
		if i > 0 {
			return s[:i], i
		}
	}
	return s, len(s)
}
