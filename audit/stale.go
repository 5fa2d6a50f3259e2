package audit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Bases of a StalePolicy: where the time of the last follow-up comes from.
const (
	// BasisColumn reads the last follow-up from a date column.
	BasisColumn = "column"
	// BasisHistory takes the last time sheetaudit saw the row change, from
	// the snapshot history.
	BasisHistory = "history"
)

// Rules of the findings stale rows turn into.
const (
	RuleStale   = "stale"
	RuleDueSoon = "due_soon"
)

// StalePolicy says when a record is stale: how long each stage may wait
// between follow-ups, and how days are counted. Thresholds are whole days
// (a duration is cut to whole days); with Calendar.BusinessDays they are
// business days, and so is WarnBefore.
type StalePolicy struct {
	// Basis is BasisColumn (the default when empty) or BasisHistory.
	Basis string
	// DateColumn holds the last follow-up date (basis column).
	DateColumn string
	// OwnerColumn, StageColumn and CustomerColumn name the columns shown
	// beside each stale row; any may be empty. Without a stage column every
	// row gets the Default threshold.
	OwnerColumn, StageColumn, CustomerColumn string
	// Default is the threshold of a stage that has none in Stages. Zero
	// means such rows are not checked.
	Default time.Duration
	// Stages maps a stage name to its threshold. A zero threshold means rows
	// in that stage are not checked.
	Stages map[string]time.Duration
	// StageOrder lists the stages in pipeline order for the report; stages
	// not in it follow in name order.
	StageOrder []string
	// Exempt lists stages that are never stale (lost or archived deals);
	// the report counts a row that reaches one as lost.
	Exempt []string
	// WonStages lists the stages the report counts as won; empty means the
	// last non-exempt stage of StageOrder.
	WonStages []string
	// NextDateColumn, when set, names a next-follow-up date column: a row
	// whose next date is after today is not stale or due soon until that
	// date (it is scheduled), and one whose next date has passed is stale
	// from that date on, whatever its last follow-up.
	NextDateColumn string
	Calendar       Calendar
	// WarnBefore flags rows that go stale within this many days as due soon;
	// zero disables due-soon flags.
	WarnBefore time.Duration
	// ResetOn lists the columns whose edits count as a follow-up (basis
	// history); empty means any column.
	ResetOn []string
	// Locale picks the language of explanations: "zh-CN" (or any "zh") for
	// Chinese, anything else for English.
	Locale string
}

// StaleItem is one row that is stale or due soon, with everything needed to
// show and explain it.
type StaleItem struct {
	// Key is the row's display key.
	Key      string `json:"key"`
	Customer string `json:"customer,omitempty"`
	Owner    string `json:"owner,omitempty"`
	Stage    string `json:"stage,omitempty"`
	// Row is the 1-based sheet row.
	Row int `json:"row"`
	// LastFollowUp is when the clock started; zero when the row was never
	// followed up or its date cannot be read.
	LastFollowUp time.Time `json:"last_follow_up,omitzero"`
	// DaysSince, Threshold and DaysOverdue count calendar or business days
	// as the policy's calendar says (Business). DaysOverdue is 0 for a row
	// that is only due soon, and for one never followed up.
	DaysSince   int `json:"days_since"`
	Threshold   int `json:"threshold"`
	DaysOverdue int `json:"days_overdue"`
	// DueSoon marks a row that is not stale yet but will be within the
	// policy's WarnBefore.
	DueSoon bool `json:"due_soon,omitempty"`
	// From is the civil date the clock started from, and Due the last day a
	// follow-up is on time; both zero when never followed up.
	From Date `json:"from,omitzero"`
	Due  Date `json:"due,omitzero"`
	// Rule is "stage" when the stage's own threshold applied, "default"
	// otherwise.
	Rule     string `json:"rule"`
	Business bool   `json:"business_days,omitempty"`
	// Column is the date column (basis column); Value is its raw text.
	Column string `json:"column,omitempty"`
	Value  string `json:"value,omitempty"`
	// Explanation is one sentence: which rule fired, which date it counted
	// from, in which days, and what clears the flag.
	Explanation string `json:"explanation"`
	// Next is the row's next follow-up date (StalePolicy.NextDateColumn)
	// when it has one; a row stale because Next has passed counts its days
	// from Next.
	Next Date `json:"next,omitzero"`
	// Link opens the row in the spreadsheet, when the backend has URLs
	// (Google); set by the report, not by CheckStale.
	Link string `json:"link,omitempty"`
	// Newly marks a row stale this week that was not stale last week; set
	// by BuildReport.
	Newly bool `json:"newly,omitempty"`
}

// Never reports whether the row has no usable follow-up date.
func (i StaleItem) Never() bool { return i.LastFollowUp.IsZero() }

// Finding turns the item into a Needs Review finding. Stale rows are
// warnings; due-soon rows are information, so they sort below everything
// that is already wrong.
func (i StaleItem) Finding(sheet string) Finding {
	f := Finding{
		Sheet: sheet, Row: i.Row, Key: i.Key, Column: i.Column, Value: i.Value,
		Rule: RuleStale, Severity: Warning, Message: i.Explanation,
	}
	if i.DueSoon {
		f.Rule, f.Severity = RuleDueSoon, Info
	}
	return f
}

// PolicyError is one problem of a StalePolicy's settings, so that the
// configuration can point at the line that wrote it. errors.Is(err,
// ErrInvalid) holds.
type PolicyError struct {
	// Field is the setting at fault as configuration files write it:
	// "basis", "date_column", "stages.<stage>", "reset_on".
	Field string
	// Err is the problem, worded to follow the setting's name.
	Err error
}

func (e *PolicyError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns Err, which wraps ErrInvalid.
func (e *PolicyError) Unwrap() error { return e.Err }

// PolicyErrors is every problem Check found, one line each.
type PolicyErrors []*PolicyError

func (es PolicyErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find each *PolicyError and errors.Is find ErrInvalid.
func (es PolicyErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Check is the one judge of what a policy may say, without a table: a
// known basis with what it needs, something that can go stale, a stage
// column for stages, no negative time. It returns PolicyErrors, every
// problem at once; Validate runs it first.
func (p StalePolicy) Check() error {
	var errs PolicyErrors
	add := func(field, format string, args ...any) {
		errs = append(errs, &PolicyError{Field: field, Err: invalidf(format, args...)})
	}
	switch p.Basis {
	case "", BasisColumn:
		if p.DateColumn == "" {
			add("date_column", "is required with basis column: name the follow-up date column, or use basis: history")
		}
		if len(p.ResetOn) > 0 {
			add("reset_on", "applies to basis: history only")
		}
	case BasisHistory:
	default:
		add("basis", "%q is unknown: use column or history%s", p.Basis, Suggest(p.Basis, []string{BasisColumn, BasisHistory}))
	}
	if p.Default <= 0 && len(p.Stages) == 0 {
		add("default", "set default or stages: how long a row may go without follow-up")
	}
	if p.Default < 0 {
		add("default", "must not be negative")
	}
	if p.WarnBefore < 0 {
		add("warn_before", "must not be negative")
	}
	if (len(p.Stages) > 0 || len(p.Exempt) > 0) && p.StageColumn == "" {
		add("stage_column", "is required with stages or exempt")
	}
	for _, s := range p.stageNames() {
		switch {
		case p.Stages[s] < 0:
			add("stages."+s, "must not be negative")
		case slices.Contains(p.Exempt, s):
			add("stages."+s, "stage %q is also exempt", s)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// stageNames lists the stages of Stages in StageOrder, then the rest in
// name order, so that Check reports them in the order they were written.
func (p StalePolicy) stageNames() []string {
	var out []string
	for _, s := range p.StageOrder {
		if _, ok := p.Stages[s]; ok && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, s := range sortedNames(p.Stages) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Validate checks the policy against the table it will run on. It returns an
// error (wrapping ErrInvalid) for what makes the check meaningless — what
// Check rejects, a named column missing from the sheet — and warnings for
// what is probably a typo: a listed stage that no row has. CheckStale
// returns nothing for a table that fails Validate. Its errors name the
// setting, not the staleness block; callers say which block it is.
func (p StalePolicy) Validate(t *Table) (warnings []Finding, err error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	if t == nil {
		return nil, nil
	}
	cols := []struct{ key, name string }{
		{"owner_column", p.OwnerColumn}, {"stage_column", p.StageColumn}, {"customer_column", p.CustomerColumn},
		{"next_date_column", p.NextDateColumn},
	}
	if p.Basis != BasisHistory {
		cols = append([]struct{ key, name string }{{"date_column", p.DateColumn}}, cols...)
	}
	for _, c := range cols {
		if c.name != "" && t.Column(c.name) < 0 {
			return nil, invalidf("%s %q is not in the sheet (columns: %s); fix the name in the config",
				c.key, c.name, strings.Join(t.Header, ", "))
		}
	}
	for _, c := range p.ResetOn {
		if t.Column(c) < 0 {
			warnings = append(warnings, Finding{Rule: "staleness_config", Severity: Warning, Column: c,
				Message: fmt.Sprintf("reset_on column %q is not in the sheet; edits to it cannot reset the clock", c)})
		}
	}
	if si := t.Column(p.StageColumn); si >= 0 {
		seen := make(map[string]bool)
		for _, r := range t.Rows {
			seen[strings.TrimSpace(r.Cell(si))] = true
		}
		listed := append(sortedNames(p.Stages), p.Exempt...)
		for _, s := range listed {
			if !seen[s] {
				warnings = append(warnings, Finding{Rule: "staleness_config", Severity: Warning, Column: p.StageColumn, Value: s,
					Message: fmt.Sprintf("stage %q is configured but no row of %s has it; check the spelling", s, p.StageColumn)})
			}
		}
	}
	return warnings, nil
}

// CheckStale returns the rows of t that are stale or due soon at now, in
// table order. Days are counted on the civil calendar of loc.
//
// With basis column the clock starts at the row's date in DateColumn; an
// empty or unreadable date on a non-exempt row is stale ("never followed
// up"). With basis history, history maps Row.Key to the last time the row
// changed (see LastChanges) and historySince is the time of the first
// snapshot: a row whose last change is that time was there from the start,
// and its explanation says earlier edits are unknown. A row missing from
// history is taken as new at now.
func CheckStale(t *Table, p StalePolicy, now time.Time, loc *time.Location, history map[string]time.Time, historySince time.Time) []StaleItem {
	if t == nil {
		return nil
	}
	if _, err := p.Validate(t); err != nil {
		return nil
	}
	if loc == nil {
		loc = time.UTC
	}
	var (
		today = DateOf(now, loc)
		di    = t.Column(p.DateColumn)
		oi    = t.Column(p.OwnerColumn)
		si    = t.Column(p.StageColumn)
		ci    = t.Column(p.CustomerColumn)
		ni    = t.Column(p.NextDateColumn)
		cal   = p.Calendar.compile()
		now0  = today.days()
		warn  = wholeDays(p.WarnBefore)
		items []StaleItem
	)
	for _, r := range t.Rows {
		stage := staleCell(r, si)
		if slices.Contains(p.Exempt, stage) {
			continue
		}
		threshold, rule := p.Default, "default"
		if d, ok := p.Stages[stage]; ok && si >= 0 {
			threshold, rule = d, "stage"
		}
		if threshold <= 0 {
			continue
		}
		it := StaleItem{
			Key: DisplayKey(r.Key), Customer: staleCell(r, ci), Owner: staleCell(r, oi), Stage: stage, Row: r.Line,
			Threshold: wholeDays(threshold), Rule: rule, Business: p.Calendar.BusinessDays,
		}
		if next, ok := nextDate(t, r, ni, loc); ok {
			it.Next = next
			if next.Compare(today) >= 0 {
				continue // scheduled: someone has planned the follow-up
			}
			it.Column, it.Value = p.NextDateColumn, staleCell(r, ni)
			it.LastFollowUp = next.In(loc)
			it.From = next
			it.DaysSince = cal.between(next.days(), now0)
			it.Threshold, it.DaysOverdue, it.Due = 0, it.DaysSince, next
			it.Explanation = explainNextPassed(p, it)
			items = append(items, it)
			continue
		}
		var src staleSource
		if p.Basis == BasisHistory {
			// A row the history has not seen yet appeared after the newest
			// snapshot: it is new, so its clock starts now.
			last, ok := history[r.Key]
			if !ok {
				last = now
			}
			it.LastFollowUp = last
			src = staleSource{kind: srcChanged, date: DateOf(last, loc)}
			if !historySince.IsZero() && last.Equal(historySince) {
				src.kind = srcFirst
			}
		} else {
			it.Column, it.Value = p.DateColumn, staleCell(r, di)
			d, ok := ParseDate(it.Value, loc)
			// A typed serial is the date itself, whatever the display
			// ("01/02/2026" is January or February by locale).
			if day, typed := typedDate(t.TypedCell(&r, di)); typed {
				d, ok = time.Date(day.y, time.Month(day.m), day.d, 0, 0, 0, 0, loc), true
			}
			switch {
			case it.Value == "":
				src.kind = srcNever
			case !ok:
				src.kind = srcBad
			default:
				it.LastFollowUp = d
				src = staleSource{kind: srcColumn, date: DateOf(d, loc)}
			}
		}
		if src.kind == srcNever || src.kind == srcBad {
			it.Explanation = explainStale(p, it, src)
			items = append(items, it)
			continue
		}
		it.From = src.date
		from := src.date.days()
		it.DaysSince = cal.between(from, now0)
		it.Due = dateFromDays(cal.add(from, it.Threshold))
		switch {
		case it.DaysSince > it.Threshold:
			it.DaysOverdue = it.DaysSince - it.Threshold
		case warn > 0 && it.DaysSince > it.Threshold-warn:
			it.DueSoon = true
		default:
			continue
		}
		it.Explanation = explainStale(p, it, src)
		items = append(items, it)
	}
	return items
}

// nextDate reads a row's next follow-up date; false when the policy has
// no such column or the cell is empty or not a date (the row is then
// checked as if the column did not exist).
func nextDate(t *Table, r Row, ni int, loc *time.Location) (Date, bool) {
	if ni < 0 {
		return Date{}, false
	}
	if day, typed := typedDate(t.TypedCell(&r, ni)); typed {
		return Date{Y: day.y, M: time.Month(day.m), D: day.d}, true
	}
	v := staleCell(r, ni)
	if v == "" {
		return Date{}, false
	}
	d, ok := ParseDate(v, loc)
	if !ok {
		return Date{}, false
	}
	return DateOf(d, loc), true
}

// ScheduledRows counts the rows CheckStale leaves alone because their next
// follow-up date (p.NextDateColumn) is today or later: work that is
// planned, shown apart in the report.
func ScheduledRows(t *Table, p StalePolicy, now time.Time, loc *time.Location) int {
	if t == nil || p.NextDateColumn == "" {
		return 0
	}
	if loc == nil {
		loc = time.UTC
	}
	today, si, ni := DateOf(now, loc), t.Column(p.StageColumn), t.Column(p.NextDateColumn)
	n := 0
	for _, r := range t.Rows {
		if slices.Contains(p.Exempt, staleCell(r, si)) {
			continue
		}
		if next, ok := nextDate(t, r, ni, loc); ok && next.Compare(today) >= 0 {
			n++
		}
	}
	return n
}

func explainNextPassed(p StalePolicy, it StaleItem) string {
	if isZH(p.Locale) {
		unit := "自然日"
		if it.Business {
			unit = "工作日"
		}
		return fmt.Sprintf("计划的下次跟进日（%s %s）已过 %d 个%s；跟进后更新%s即可解除。", p.NextDateColumn, it.Next, it.DaysSince, unit, p.NextDateColumn)
	}
	unit := "calendar"
	if it.Business {
		unit = "business"
	}
	return fmt.Sprintf("The planned next follow-up (%s %s) passed %s ago; follow up and update %s to clear it.", p.NextDateColumn, it.Next, pluralDays(it.DaysSince, unit+" day"), p.NextDateColumn)
}

func wholeDays(d time.Duration) int { return int(d / (24 * time.Hour)) }

func staleCell(r Row, i int) string {
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(r.Cell(i))
}

func sortedNames[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// LastChanges computes, from an ordered series of versions of a table taken
// at times, when each row of the newest version last changed. Only edits to
// the resetOn columns count (any column when resetOn is empty); a row counts
// as changed when it first appears. Columns added, removed or renamed are
// structure, not follow-up, so only columns present in both versions of a
// pair are compared. since is the time of the first version: rows unchanged
// since then map to since, and callers cannot know of earlier edits.
func LastChanges(series []*Table, times []time.Time, resetOn []string) (last map[string]time.Time, since time.Time) {
	n := min(len(series), len(times))
	if n == 0 {
		return map[string]time.Time{}, time.Time{}
	}
	since = times[0]
	last = make(map[string]time.Time, len(series[0].Rows))
	for _, r := range series[0].Rows {
		last[r.Key] = since
	}
	for v := 1; v < n; v++ {
		old, cur, at := series[v-1], series[v], times[v]
		// pairs[k] = {old index, new index} of a compared column.
		var pairs [][2]int
		for i, h := range cur.Header {
			if len(resetOn) > 0 && !slices.Contains(resetOn, h) {
				continue
			}
			if j := old.Column(h); j >= 0 {
				pairs = append(pairs, [2]int{j, i})
			}
		}
		next := make(map[string]time.Time, len(cur.Rows))
		for _, r := range cur.Rows {
			o, ok := old.Lookup(r.Key)
			prev, known := last[r.Key]
			if !ok || !known {
				next[r.Key] = at
				continue
			}
			next[r.Key] = prev
			for _, p := range pairs {
				if o.Cell(p[0]) != r.Cell(p[1]) {
					next[r.Key] = at
					break
				}
			}
		}
		last = next
	}
	return last, since
}

// staleSource is where a stale row's clock started, for its explanation.
type staleSource struct {
	kind int
	date Date
}

const (
	srcColumn  = iota // the date column
	srcNever          // the date column is empty
	srcBad            // the date column is not a date
	srcChanged        // the row's last change in the history
	srcFirst          // the first snapshot, when the row was already there
)

// zh reports whether locale asks for Chinese.
func isZH(locale string) bool { return strings.HasPrefix(strings.ToLower(locale), "zh") }

func explainStale(p StalePolicy, it StaleItem, src staleSource) string {
	c := isZH(p.Locale)
	unit := "calendar"
	if it.Business {
		unit = "business"
	}
	if c {
		unit = "自然日"
		if it.Business {
			unit = "工作日"
		}
	}
	var rule string
	switch {
	case it.Rule == "stage" && c:
		rule = fmt.Sprintf("“%s”阶段规则（%d个%s）", it.Stage, it.Threshold, unit)
	case it.Rule == "stage":
		rule = fmt.Sprintf("the %s stage rule (%d %s days)", it.Stage, it.Threshold, unit)
	case c:
		rule = fmt.Sprintf("默认规则（%d个%s）", it.Threshold, unit)
	default:
		rule = fmt.Sprintf("the default rule (%d %s days)", it.Threshold, unit)
	}

	// What clears the flag.
	var clear string
	moveStage := p.StageColumn != "" && (p.Basis != BasisHistory || len(p.ResetOn) == 0 || slices.Contains(p.ResetOn, p.StageColumn))
	switch {
	case p.Basis == BasisHistory && len(p.ResetOn) == 0 && c:
		clear = "编辑该行"
	case p.Basis == BasisHistory && len(p.ResetOn) == 0:
		clear = "edit the row"
	case p.Basis == BasisHistory && c:
		clear = "编辑" + strings.Join(p.ResetOn, "、")
	case p.Basis == BasisHistory:
		clear = "edit " + joinOr(p.ResetOn)
		moveStage = moveStage && !slices.Contains(p.ResetOn, p.StageColumn)
	case src.kind == srcNever && c:
		clear = "填写" + p.DateColumn
	case src.kind == srcNever:
		clear = "fill in " + p.DateColumn
	case c:
		clear = "更新" + p.DateColumn
	default:
		clear = "update " + p.DateColumn
	}
	if moveStage && c {
		clear += "或推进阶段"
	} else if moveStage {
		clear += " or move the stage"
	}

	var from string
	switch {
	case src.kind == srcColumn && c:
		from = fmt.Sprintf("从%s %s 起算", p.DateColumn, src.date)
	case src.kind == srcColumn:
		from = fmt.Sprintf("counted from %s %s", p.DateColumn, src.date)
	case src.kind == srcChanged && c:
		from = fmt.Sprintf("最后一次变更见于 %s 的快照", src.date)
	case src.kind == srcChanged:
		from = fmt.Sprintf("last changed in the snapshot of %s", src.date)
	case src.kind == srcFirst && c:
		from = fmt.Sprintf("从首个快照（%s）起算，更早的编辑无从得知", src.date)
	case src.kind == srcFirst:
		from = fmt.Sprintf("counted from the first snapshot (%s), as earlier edits are unknown", src.date)
	}

	switch {
	case src.kind == srcNever && c:
		return fmt.Sprintf("从未跟进：%s为空，适用%s；%s即可解除。", p.DateColumn, rule, clear)
	case src.kind == srcNever:
		return fmt.Sprintf("Never followed up: %s is empty and %s applies; %s to clear it.", p.DateColumn, rule, clear)
	case src.kind == srcBad && c:
		return fmt.Sprintf("按%s视为超期：%s“%s”不是日期，无法计算跟进时间；改为 2026-11-29 这样的日期即可解除。", rule, p.DateColumn, it.Value)
	case src.kind == srcBad:
		return fmt.Sprintf("Stale by %s: %s %q is not a date, so no follow-up can be counted; write a date such as 2026-11-29 to clear it.", rule, p.DateColumn, it.Value)
	case it.DueSoon && c:
		return fmt.Sprintf("按%s即将超期：%s，已过 %d 个%s；如不%s，%s 之后即超期。", rule, from, it.DaysSince, unit, clear, it.Due)
	case it.DueSoon:
		return fmt.Sprintf("Due soon by %s: %s, %s ago; it goes stale after %s unless you %s.", rule, from, pluralDays(it.DaysSince, unit+" day"), it.Due, clear)
	case c:
		return fmt.Sprintf("按%s已超期：%s，已过 %d 个%s，超出 %d 个%s；%s即可解除。", rule, from, it.DaysSince, unit, it.DaysOverdue, unit, clear)
	default:
		return fmt.Sprintf("Stale by %s: %s, %s ago, %d over; %s to clear it.", rule, from, pluralDays(it.DaysSince, unit+" day"), it.DaysOverdue, clear)
	}
}

func pluralDays(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

func joinOr(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
