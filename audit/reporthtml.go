package audit

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/csv"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
)

// reportLabels are the words of the report in one language.
type reportLabels struct {
	Lang, Title, OwnerTitle, Produced, Rows, Stale, StalePct, DueSoon string
	Change, NewlyStale, Resolved, StillStale, FirstWeek               string
	ByOwnerStage, Owner, Stage, Total, Oldest                         string
	StaleList, DueSoonList, Key, Customer, LastFollowUp, DaysSince    string
	Threshold, DaysOverdue, Due, Explanation, Never, NoOwner, NoStage string
	Quality, Errors, Warnings, Chart, NoneStale, Days                 string
}

var reportEnglish = reportLabels{
	Lang: "en", Title: "Staleness Report", OwnerTitle: "Your records to follow up",
	Produced: "Produced", Rows: "Rows", Stale: "Stale", StalePct: "Stale %", DueSoon: "Due soon",
	Change: "Change since last week", NewlyStale: "Newly stale", Resolved: "Resolved", StillStale: "Still stale",
	FirstWeek:    "No report of last week to compare with.",
	ByOwnerStage: "Stale records by owner and stage", Owner: "Owner", Stage: "Stage", Total: "Total", Oldest: "Most overdue",
	StaleList: "Stale records", DueSoonList: "Due soon", Key: "Key", Customer: "Customer",
	LastFollowUp: "Last follow-up", DaysSince: "Days since", Threshold: "Threshold", DaysOverdue: "Days overdue",
	Due: "Follow up by", Explanation: "Why", Never: "never", NoOwner: "(no owner)", NoStage: "(no stage)",
	Quality: "Data quality by owner", Errors: "Errors", Warnings: "Warnings",
	Chart: "Stale records per owner", NoneStale: "No stale records.",
	Days: "Days are %s days.",
}

var reportChinese = reportLabels{
	Lang: "zh-CN", Title: "客户跟进超期报告", OwnerTitle: "你需要跟进的客户",
	Produced: "生成时间", Rows: "总行数", Stale: "超期", StalePct: "超期占比", DueSoon: "即将超期",
	Change: "与上周相比", NewlyStale: "新增超期", Resolved: "已解除", StillStale: "持续超期",
	FirstWeek:    "没有上周的报告可供比较。",
	ByOwnerStage: "按负责人和阶段统计超期", Owner: "负责人", Stage: "阶段", Total: "总数", Oldest: "超期最久",
	StaleList: "超期记录", DueSoonList: "即将超期", Key: "编号", Customer: "客户",
	LastFollowUp: "最后跟进", DaysSince: "已过天数", Threshold: "期限", DaysOverdue: "超期天数",
	Due: "最迟跟进日", Explanation: "原因", Never: "从未", NoOwner: "（未填负责人）", NoStage: "（未填阶段）",
	Quality: "各负责人的数据质量问题", Errors: "错误", Warnings: "警告",
	Chart: "各负责人的超期记录数", NoneStale: "没有超期记录。",
	Days: "天数按%s计算。",
}

func labelsFor(locale string) reportLabels {
	if isZH(locale) {
		return reportChinese
	}
	return reportEnglish
}

func (l reportLabels) unit(business bool) string {
	switch {
	case business && l.Lang != "en":
		return "工作日"
	case l.Lang != "en":
		return "自然日"
	case business:
		return "business"
	}
	return "calendar"
}

func (l reportLabels) owner(s string) string {
	if s == "" {
		return l.NoOwner
	}
	return s
}

func (l reportLabels) stage(s string) string {
	if s == "" {
		return l.NoStage
	}
	return s
}

func (l reportLabels) lastFollowUp(it StaleItem) string {
	if it.From.IsZero() {
		if it.Value != "" {
			return it.Value
		}
		return l.Never
	}
	return it.From.String()
}

func (l reportLabels) title(r Report) string {
	t := l.Title
	if r.Owner != "" {
		t = l.OwnerTitle + " · " + r.Owner
	}
	return t + " · " + r.Sheet + " · " + r.Week
}

func reportPct(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" }

func reportInt(n int) string { return strconv.Itoa(n) }

func (l reportLabels) oldest(c OwnerStageCell) string {
	if c.Stale == 0 {
		return ""
	}
	o := c.Oldest
	s := o.Key
	if o.Customer != "" {
		s += " " + o.Customer
	}
	if o.Never() {
		return s + " (" + l.lastFollowUp(o) + ")"
	}
	return s + " (+" + reportInt(o.DaysOverdue) + ")"
}

func (l reportLabels) itemHeader(due bool) []string {
	if due {
		return []string{l.Key, l.Customer, l.Owner, l.Stage, l.LastFollowUp, l.DaysSince, l.Threshold, l.Due, l.Explanation}
	}
	return []string{l.Key, l.Customer, l.Owner, l.Stage, l.LastFollowUp, l.DaysSince, l.Threshold, l.DaysOverdue, l.Explanation}
}

func (l reportLabels) itemRow(it StaleItem) []string {
	since, last := reportInt(it.DaysSince), reportInt(it.DaysOverdue)
	if it.Never() {
		since, last = "", ""
	}
	if it.DueSoon {
		last = it.Due.String()
	}
	return []string{it.Key, it.Customer, l.owner(it.Owner), l.stage(it.Stage), l.lastFollowUp(it), since, reportInt(it.Threshold), last, it.Explanation}
}

// TabRows renders the report as the rows of the Staleness Report tab: a
// title, the totals, the change since last week, the owner × stage table,
// the stale and due-soon lists and data quality per owner, separated by
// blank rows. Values are plain text and numbers meant to be written RAW, so
// nothing a user typed becomes a formula.
func (r Report) TabRows(locale string) [][]string {
	l := labelsFor(locale)
	rows := [][]string{
		{l.title(r)},
		{l.Produced, r.Produced.Format("2006-01-02 15:04 -07:00")},
		{fmt.Sprintf(l.Days, l.unit(r.Business))},
		{},
		{l.Rows, l.Stale, l.StalePct, l.DueSoon},
		{reportInt(r.Rows), reportInt(r.Stale), reportPct(r.StalePct), reportInt(r.DueSoon)},
	}
	if r.Owner == "" {
		rows = append(rows, []string{}, []string{l.Change})
		if r.FirstWeek {
			rows = append(rows, []string{l.FirstWeek})
		} else {
			rows = append(rows, []string{l.NewlyStale, l.Resolved, l.StillStale},
				[]string{reportInt(r.NewlyStale), reportInt(r.Resolved), reportInt(r.StillStale)})
		}
	}
	rows = append(rows, []string{}, []string{l.ByOwnerStage}, []string{l.Owner, l.Stage, l.Stale, l.Total, l.Oldest})
	for _, c := range r.ByOwnerStage {
		rows = append(rows, []string{l.owner(c.Owner), l.stage(c.Stage), reportInt(c.Stale), reportInt(c.Total), l.oldest(c)})
	}
	rows = append(rows, []string{}, []string{l.StaleList + " (" + reportInt(len(r.Items)) + ")"})
	if len(r.Items) == 0 {
		rows = append(rows, []string{l.NoneStale})
	} else {
		rows = append(rows, l.itemHeader(false))
		for _, it := range r.Items {
			rows = append(rows, l.itemRow(it))
		}
	}
	if len(r.DueSoonItems) > 0 {
		rows = append(rows, []string{}, []string{l.DueSoonList + " (" + reportInt(len(r.DueSoonItems)) + ")"}, l.itemHeader(true))
		for _, it := range r.DueSoonItems {
			rows = append(rows, l.itemRow(it))
		}
	}
	if len(r.QualityByOwner) > 0 {
		rows = append(rows, []string{}, []string{l.Quality}, []string{l.Owner, l.Errors, l.Warnings})
		for _, q := range r.QualityByOwner {
			rows = append(rows, []string{l.owner(q.Owner), reportInt(q.Errors), reportInt(q.Warnings)})
		}
	}
	return rows
}

// CSV renders the stale rows, then the due-soon rows, one per line with a
// status column, for managers who sort and filter in a spreadsheet. It
// starts with a UTF-8 byte order mark, without which Excel shows Chinese as
// mojibake, and prefixes sheet text that starts with = + - or @ with an
// apostrophe so that opening the file cannot run a formula.
func (r Report) CSV() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Write([]string{"status", "key", "customer", "owner", "stage", "row", "last_follow_up", "days_since",
		"threshold", "days_overdue", "due", "business_days", "rule", "explanation"})
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

//go:embed templates/report.html
var reportTemplates embed.FS

// reportTemplate is parsed once per call: it is small, and a package-level
// parsed template would be a global.
func reportTemplate() (*template.Template, error) {
	return template.New("report.html").Funcs(template.FuncMap{"int": reportInt, "pct": reportPct}).
		ParseFS(reportTemplates, "templates/report.html")
}

// chartBar is one bar of the stale-per-owner chart, laid out in SVG units.
type chartBar struct {
	Label        string
	Count        int
	Y, Width, TX int
}

// HTML renders the report as one self-contained page: inline CSS, an
// inline SVG bar chart of stale records per owner, no scripts and no
// external assets, laid out to be read on a phone. Every text from the sheet
// is escaped by html/template.
func (r Report) HTML(locale string) ([]byte, error) {
	tmpl, err := reportTemplate()
	if err != nil {
		return nil, fmt.Errorf("parse report template: %w", err)
	}
	l := labelsFor(locale)
	perOwner := make(map[string]int)
	var owners []string
	for _, it := range r.Items {
		if _, ok := perOwner[it.Owner]; !ok {
			owners = append(owners, it.Owner)
		}
		perOwner[it.Owner]++
	}
	sortOwnersByCount(owners, perOwner)
	const barArea, labelW, rowH = 380, 150, 26
	most := 1
	for _, n := range perOwner {
		most = max(most, n)
	}
	bars := make([]chartBar, len(owners))
	for i, o := range owners {
		w := perOwner[o] * barArea / most
		bars[i] = chartBar{Label: l.owner(o), Count: perOwner[o], Y: i * rowH, Width: max(w, 2), TX: labelW + max(w, 2) + 6}
	}
	var stale, due [][]string
	for _, it := range r.Items {
		stale = append(stale, l.itemRow(it))
	}
	for _, it := range r.DueSoonItems {
		due = append(due, l.itemRow(it))
	}
	var cells [][]string
	for _, c := range r.ByOwnerStage {
		cells = append(cells, []string{l.owner(c.Owner), l.stage(c.Stage), reportInt(c.Stale), reportInt(c.Total), l.oldest(c)})
	}
	var quality [][]string
	for _, q := range r.QualityByOwner {
		quality = append(quality, []string{l.owner(q.Owner), reportInt(q.Errors), reportInt(q.Warnings)})
	}
	data := map[string]any{
		"L": l, "R": r, "Title": l.title(r), "Produced": r.Produced.Format("2006-01-02 15:04 -07:00"),
		"DaysNote": fmt.Sprintf(l.Days, l.unit(r.Business)),
		"Bars":     bars, "ChartH": len(bars) * rowH, "LabelW": labelW, "BarH": rowH - 8,
		"Cells": cells, "CellHead": []string{l.Owner, l.Stage, l.Stale, l.Total, l.Oldest},
		"Stale": stale, "StaleHead": l.itemHeader(false),
		"Due": due, "DueHead": l.itemHeader(true),
		"Quality": quality, "QualityHead": []string{l.Owner, l.Errors, l.Warnings},
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("render report html: %w", err)
	}
	return b.Bytes(), nil
}

// sortOwnersByCount puts the owners with most stale records first.
func sortOwnersByCount(owners []string, n map[string]int) {
	slices.SortFunc(owners, func(a, b string) int { return cmp.Or(cmp.Compare(n[b], n[a]), compareOwner(a, b)) })
}
