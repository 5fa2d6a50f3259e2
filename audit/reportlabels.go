package audit

import (
	"fmt"
	"strconv"
)

// reportLabels are the words of the report in one language: the HTML
// page, the mail subject, the report tab, the CSV header and the chat
// messages all take their words from here, so a language is added in one
// place and TestReportLabelsComplete finds a missing word.
type reportLabels struct {
	Lang, Title, OwnerTitle, Produced, Rows, Stale, StalePct, DueSoon string
	Change, NewlyStale, Resolved, StillStale, FirstWeek               string
	ByOwnerStage, Owner, Stage, Total, Oldest                         string
	StaleList, DueSoonList, Key, Customer, LastFollowUp, DaysSince    string
	Threshold, DaysOverdue, Due, Explanation, Never, NoOwner, NoStage string
	Quality, Errors, Warnings, Chart, NoneStale, Days                 string

	// Phone-first page and chat.
	Active, OfRows, ActTitle, ActNone, Overdue, NeverFollowed, NotADate string
	ByOwner, OwnerLine, DueSoonShort, Scheduled                         string
	Trend, TrendStale, TrendErrors, TrendMissing                        string
	Movement, Moved, Won, Lost, NewRows, NoMovement                     string
	FullList, OpenRow, WeekChange, Subject, OwnerSubject, StaleOfActive string
	ChartValue                                                          string
	// The access section.
	Access, AccessOK, Grantee, Role string
	// CSV holds the CSV header, one word per column.
	CSV []string
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

	Active: "Active rows", OfRows: "of %d rows", ActTitle: "Act this week", ActNone: "Nothing overdue.",
	Overdue: "%d days overdue", NeverFollowed: "never followed up", NotADate: "follow-up date unreadable",
	ByOwner: "By owner", OwnerLine: "%d stale · oldest %s · %d due soon", DueSoonShort: "due %s", Scheduled: "Scheduled",
	Trend: "Trend, weeks shown: %d", TrendStale: "stale", TrendErrors: "data errors", TrendMissing: "no snapshot",
	Movement: "Pipeline this week", Moved: "Moved", Won: "Won", Lost: "Lost", NewRows: "New", NoMovement: "No row changed stage.",
	FullList: "Full list of %d stale rows", OpenRow: "open", WeekChange: "%+d new, %d resolved since last week",
	Subject: "Staleness Report %s · %s: %d stale", OwnerSubject: "Your follow-ups %s · %s: %d stale",
	StaleOfActive: "of active rows", ChartValue: "Stale",
	Access: "Who can open this sheet", AccessOK: "The sharing breaks no access rule.", Grantee: "Shared with", Role: "Role",
	CSV: []string{"status", "key", "customer", "owner", "stage", "row", "last_follow_up", "days_since",
		"threshold", "days_overdue", "due", "business_days", "rule", "explanation"},
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

	Active: "在跟进", OfRows: "共 %d 行", ActTitle: "本周优先跟进", ActNone: "没有逾期记录。",
	Overdue: "逾期 %d 天", NeverFollowed: "从未跟进", NotADate: "跟进日期无法识别",
	ByOwner: "按负责人", OwnerLine: "超期 %d · 最久 %s · 即将超期 %d", DueSoonShort: "%s 前跟进", Scheduled: "已排期",
	Trend: "近 %d 周趋势", TrendStale: "超期", TrendErrors: "数据错误", TrendMissing: "无快照",
	Movement: "本周销售进展", Moved: "阶段变化", Won: "签约", Lost: "流失", NewRows: "新增", NoMovement: "本周没有记录变更阶段。",
	FullList: "完整超期清单（%d 条）", OpenRow: "打开", WeekChange: "较上周：新增 %+d，解除 %d",
	Subject: "客户跟进超期报告 %s · %s：%d 条超期", OwnerSubject: "你的待跟进客户 %s · %s：%d 条超期",
	StaleOfActive: "占在跟进记录", ChartValue: "超期",
	Access: "谁可以访问此表格", AccessOK: "共享设置符合权限规则。", Grantee: "共享对象", Role: "权限",
	CSV: []string{"状态", "编号", "客户", "负责人", "阶段", "行号", "最后跟进", "已过天数",
		"期限", "超期天数", "最迟跟进日", "按工作日", "规则", "原因"},
}

// reportLanguages lists every label table, for the completeness test.
var reportLanguages = []reportLabels{reportEnglish, reportChinese}

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

// overdue says in words how late a row is: "64 days overdue", "逾期 64 天",
// "never followed up".
func (l reportLabels) overdue(it StaleItem) string {
	switch {
	case it.Never() && it.Value != "":
		return l.NotADate
	case it.Never():
		return l.NeverFollowed
	case it.DueSoon:
		return fmt.Sprintf(l.DueSoonShort, it.Due)
	}
	return fmt.Sprintf(l.Overdue, it.DaysOverdue)
}

func (l reportLabels) title(r Report) string {
	t := l.Title
	if r.Owner != "" {
		t = l.OwnerTitle + " · " + r.Owner
	}
	return t + " · " + r.Sheet + " · " + r.Week
}

// Subject is the report's mail subject in the locale's language.
func (r Report) Subject(locale string) string {
	l := labelsFor(locale)
	if r.Owner != "" {
		return fmt.Sprintf(l.OwnerSubject, r.Week, r.Sheet, r.Stale) + " · " + r.Owner
	}
	return fmt.Sprintf(l.Subject, r.Week, r.Sheet, r.Stale)
}

// Overdue says how late a row is in the locale's words ("逾期 64 天").
func (it StaleItem) Overdue(locale string) string { return labelsFor(locale).overdue(it) }

// OwnerName is the owner as the report shows it: "(no owner)" for none.
func OwnerName(owner, locale string) string { return labelsFor(locale).owner(owner) }

// ReportWord returns one of the report's words in the locale's language,
// for channels that compose their own messages (chat robots): "title",
// "stale", "due_soon", "stale_pct", "act", "full_list", "active".
func ReportWord(word, locale string) string {
	l := labelsFor(locale)
	switch word {
	case "title":
		return l.Title
	case "owner_title":
		return l.OwnerTitle
	case "stale":
		return l.Stale
	case "due_soon":
		return l.DueSoon
	case "stale_pct":
		return l.StalePct
	case "act":
		return l.ActTitle
	case "full_list":
		return l.FullList
	case "active":
		return l.Active
	case "newly_stale":
		return l.NewlyStale
	}
	return word
}

func reportPct(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" }

func reportInt(n int) string { return strconv.Itoa(n) }
