package audit_test

import (
	"errors"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
)

const day = 24 * time.Hour

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	return loc
}

func table(t *testing.T, values [][]string) *audit.Table {
	t.Helper()
	tb, err := audit.ParseTable(values, 1, []string{"客户编号"})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

var header = []string{"客户编号", "客户名称", "负责人", "销售进展", "最后跟进日期", "电话", "备注"}

// thisWeek is the sheet on Friday 2026-11-27 (ISO week 2026-W48).
var thisWeek = [][]string{
	header,
	{"C001", "华为", "张三", "商务谈判", "2026-11-13", "13800138000"},
	{"C002", "腾讯", "李四", "商务谈判", "2026-11-22"},
	{"C003", "阿里", "张三", "初步洽谈", "2026/11/20"},
	{"C004", "百度", "王五", "流失", "2026-01-01"},
	{"C005", "京东<script>x</script>", "李四", "样品测试", "2026-10-01"},
	{"C006", "美团", "王五", "签约完成", ""},
	{"C007", "小米", "张三", "初步洽谈", "下周"},
	{"C008", "字节", "", "商务谈判", "２０２６年１１月２０日"},
	{"C009", "网易", "张三", "方案报价", "46336"}, // serial of 2026-11-10
	{"C010", "滴滴", "李四", "商务谈判", "2026-11-25"},
}

// lastWeek is the same sheet as it stood at the end of 2026-W47.
var lastWeek = [][]string{
	header,
	{"C001", "华为", "张三", "商务谈判", "2026-11-13", "13800138000"},
	{"C002", "腾讯", "李四", "商务谈判", "2026-11-10"},
	{"C003", "阿里", "张三", "初步洽谈", "2026/11/20"},
	{"C004", "百度", "王五", "流失", "2026-01-01"},
	{"C005", "京东<script>x</script>", "李四", "样品测试", "2026-10-01"},
	{"C006", "美团", "王五", "签约完成", ""},
	{"C007", "小米", "张三", "初步洽谈", "2026-11-18"},
	{"C008", "字节", "", "商务谈判", "2026-11-20"},
	{"C009", "网易", "张三", "方案报价", "2026-11-10"},
	{"C010", "滴滴", "李四", "商务谈判", "2026-11-01"},
}

func policy() audit.StalePolicy {
	return audit.StalePolicy{
		DateColumn: "最后跟进日期", OwnerColumn: "负责人", StageColumn: "销售进展", CustomerColumn: "客户名称",
		Default: 30 * day,
		Stages: map[string]time.Duration{
			"初步洽谈": 14 * day, "需求确认": 14 * day, "方案报价": 10 * day, "商务谈判": 7 * day, "签约完成": 90 * day,
		},
		StageOrder: []string{"初步洽谈", "需求确认", "方案报价", "商务谈判", "签约完成", "流失"},
		Exempt:     []string{"流失"},
		WarnBefore: 3 * day,
	}
}

// brief is what the tests compare of an item; explanations are checked on
// their own.
type brief struct {
	Key, Owner, Stage, Rule, From, Due string
	Since, Threshold, Over             int
	DueSoon                            bool
}

func briefs(items []audit.StaleItem) []brief {
	var out []brief
	for _, it := range items {
		b := brief{Key: it.Key, Owner: it.Owner, Stage: it.Stage, Rule: it.Rule, Since: it.DaysSince,
			Threshold: it.Threshold, Over: it.DaysOverdue, DueSoon: it.DueSoon}
		if !it.From.IsZero() {
			b.From, b.Due = it.From.String(), it.Due.String()
		}
		out = append(out, b)
	}
	return out
}

func TestCheckStaleThresholds(t *testing.T) {
	sh := shanghai(t)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, sh)
	items := audit.CheckStale(table(t, thisWeek), policy(), now, sh, nil, time.Time{})
	want := []brief{
		// Stage rule: 14 days since, 7 allowed.
		{Key: "C001", Owner: "张三", Stage: "商务谈判", Rule: "stage", From: "2026-11-13", Due: "2026-11-20", Since: 14, Threshold: 7, Over: 7},
		// 5 of 7 days: goes stale within the 3 days of warn_before.
		{Key: "C002", Owner: "李四", Stage: "商务谈判", Rule: "stage", From: "2026-11-22", Due: "2026-11-29", Since: 5, Threshold: 7, DueSoon: true},
		// C003: 7 of 14 days, fine. C004: exempt.
		// An unknown stage falls back to the default threshold.
		{Key: "C005", Owner: "李四", Stage: "样品测试", Rule: "default", From: "2026-10-01", Due: "2026-10-31", Since: 57, Threshold: 30, Over: 27},
		// Empty date: never followed up.
		{Key: "C006", Owner: "王五", Stage: "签约完成", Rule: "stage", Threshold: 90},
		// Not a date: cannot be counted, so stale.
		{Key: "C007", Owner: "张三", Stage: "初步洽谈", Rule: "stage", Threshold: 14},
		// Full-width date, exactly at the threshold: not stale yet, due today.
		{Key: "C008", Stage: "商务谈判", Rule: "stage", From: "2026-11-20", Due: "2026-11-27", Since: 7, Threshold: 7, DueSoon: true},
		// C009: a date serial, 17 of 10 days.
		{Key: "C009", Owner: "张三", Stage: "方案报价", Rule: "stage", From: "2026-11-10", Due: "2026-11-20", Since: 17, Threshold: 10, Over: 7},
	}
	if diff := cmp.Diff(want, briefs(items)); diff != "" {
		t.Errorf("CheckStale mismatch (-want +got):\n%s", diff)
	}

	byKey := make(map[string]audit.StaleItem)
	for _, it := range items {
		byKey[it.Key] = it
	}
	for key, want := range map[string]string{
		"C001": "Stale by the 商务谈判 stage rule (7 calendar days): counted from 最后跟进日期 2026-11-13, 14 calendar days ago, 7 over; update 最后跟进日期 or move the stage to clear it.",
		"C002": "Due soon by the 商务谈判 stage rule (7 calendar days): counted from 最后跟进日期 2026-11-22, 5 calendar days ago; it goes stale after 2026-11-29 unless you update 最后跟进日期 or move the stage.",
		"C005": "Stale by the default rule (30 calendar days): counted from 最后跟进日期 2026-10-01, 57 calendar days ago, 27 over; update 最后跟进日期 or move the stage to clear it.",
		"C006": "Never followed up: 最后跟进日期 is empty and the 签约完成 stage rule (90 calendar days) applies; fill in 最后跟进日期 or move the stage to clear it.",
		"C007": `Stale by the 初步洽谈 stage rule (14 calendar days): 最后跟进日期 "下周" is not a date, so no follow-up can be counted; write a date such as 2026-11-29 to clear it.`,
	} {
		if got := byKey[key].Explanation; got != want {
			t.Errorf("%s explanation = %q\nwant %q", key, got, want)
		}
	}
	if f := byKey["C001"].Finding("clients"); f.Rule != audit.RuleStale || f.Severity != audit.Warning || f.Row != 2 ||
		f.Column != "最后跟进日期" || f.Value != "2026-11-13" || f.Sheet != "clients" || f.Message != byKey["C001"].Explanation {
		t.Errorf("stale Finding = %+v; want a warning of rule stale on row 2, 最后跟进日期", f)
	}
	if f := byKey["C002"].Finding("clients"); f.Rule != audit.RuleDueSoon || f.Severity != audit.Info {
		t.Errorf("due-soon Finding = %+v; want info of rule due_soon", f)
	}
}

func TestCheckStaleChineseExplanations(t *testing.T) {
	sh := shanghai(t)
	p := policy()
	p.Locale = "zh-CN"
	items := audit.CheckStale(table(t, thisWeek), p, time.Date(2026, 11, 27, 10, 0, 0, 0, sh), sh, nil, time.Time{})
	want := map[string]string{
		"C001": "按“商务谈判”阶段规则（7个自然日）已超期：从最后跟进日期 2026-11-13 起算，已过 14 个自然日，超出 7 个自然日；更新最后跟进日期或推进阶段即可解除。",
		"C002": "按“商务谈判”阶段规则（7个自然日）即将超期：从最后跟进日期 2026-11-22 起算，已过 5 个自然日；如不更新最后跟进日期或推进阶段，2026-11-29 之后即超期。",
		"C006": "从未跟进：最后跟进日期为空，适用“签约完成”阶段规则（90个自然日）；填写最后跟进日期或推进阶段即可解除。",
	}
	got := make(map[string]string)
	for _, it := range items {
		if _, ok := want[it.Key]; ok {
			got[it.Key] = it.Explanation
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Chinese explanations mismatch (-want +got):\n%s", diff)
	}
}

// TestCheckStaleBusinessDays counts across the 2026 National Day holiday
// week with its make-up working days (see nationalDay2026).
func TestCheckStaleBusinessDays(t *testing.T) {
	sh := shanghai(t)
	p := policy()
	p.Calendar = nationalDay2026(t)
	p.Stages = map[string]time.Duration{"商务谈判": 5 * day}
	p.WarnBefore = 2 * day
	tb := table(t, [][]string{
		header,
		{"B1", "", "张三", "商务谈判", "2026-09-25"}, // Fri before the holiday
		{"B2", "", "张三", "商务谈判", "2026-09-30"}, // last day before it
		{"B3", "", "张三", "商务谈判", "2026-10-02"}, // on a holiday
		{"B4", "", "张三", "商务谈判", "2026-10-09"},
	})
	now := time.Date(2026, 10, 12, 9, 0, 0, 0, sh) // Monday after the holiday
	got := briefs(audit.CheckStale(tb, p, now, sh, nil, time.Time{}))
	want := []brief{
		// 09-27 (Sun, worked), 28, 29, 30, 10-08, 09, 10 (Sat, worked), 12: 8 business days.
		{Key: "B1", Owner: "张三", Stage: "商务谈判", Rule: "stage", From: "2026-09-25", Due: "2026-10-08", Since: 8, Threshold: 5, Over: 3},
		// 10-08, 09, 10, 12: 4 of 5 in business days (12 in calendar days), due soon.
		{Key: "B2", Owner: "张三", Stage: "商务谈判", Rule: "stage", From: "2026-09-30", Due: "2026-10-13", Since: 4, Threshold: 5, DueSoon: true},
		{Key: "B3", Owner: "张三", Stage: "商务谈判", Rule: "stage", From: "2026-10-02", Due: "2026-10-13", Since: 4, Threshold: 5, DueSoon: true},
		// B4: 10-10 and 10-12 are 2 business days, fine.
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("business-day CheckStale mismatch (-want +got):\n%s", diff)
	}
	items := audit.CheckStale(tb, p, now, sh, nil, time.Time{})
	if e := items[0].Explanation; !strings.Contains(e, "5 business days") || !strings.Contains(e, "8 business days ago") {
		t.Errorf("B1 explanation = %q; want it to say business days", e)
	}
	// The same rows in calendar days are all stale.
	p.Calendar = audit.Calendar{}
	if n := len(audit.CheckStale(tb, p, now, sh, nil, time.Time{})); n != 3 {
		t.Errorf("calendar-day CheckStale flagged %d rows, want 3", n)
	}
}

func TestCheckStaleZeroThresholdIsNotChecked(t *testing.T) {
	p := policy()
	p.Default = 0
	p.Stages["商务谈判"] = 0
	items := audit.CheckStale(table(t, thisWeek), p, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), time.UTC, nil, time.Time{})
	for _, it := range items {
		if it.Stage == "商务谈判" || it.Rule == "default" {
			t.Errorf("item %s (%s, rule %s) flagged; a zero threshold should not be checked", it.Key, it.Stage, it.Rule)
		}
	}
	if len(items) == 0 {
		t.Error("no items; rows under other stages should still be checked")
	}
}

func TestStalePolicyValidate(t *testing.T) {
	tb := table(t, thisWeek)
	p := policy()
	warnings, err := p.Validate(tb)
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	var stages []string
	for _, w := range warnings {
		stages = append(stages, w.Value)
	}
	// 需求确认 is configured but no row has it.
	if diff := cmp.Diff([]string{"需求确认"}, stages); diff != "" {
		t.Errorf("Validate warnings mismatch (-want +got):\n%s", diff)
	}

	for name, mod := range map[string]func(*audit.StalePolicy){
		"missing date column": func(p *audit.StalePolicy) { p.DateColumn = "跟进日期" },
		"missing owner":       func(p *audit.StalePolicy) { p.OwnerColumn = "销售" },
		"negative stage":      func(p *audit.StalePolicy) { p.Stages["商务谈判"] = -day },
		"negative default":    func(p *audit.StalePolicy) { p.Default = -day },
		"unknown basis":       func(p *audit.StalePolicy) { p.Basis = "modified" },
		"no date column":      func(p *audit.StalePolicy) { p.DateColumn = "" },
	} {
		p := policy()
		mod(&p)
		if _, err := p.Validate(tb); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("%s: Validate error = %v, want ErrInvalid", name, err)
		}
		if items := audit.CheckStale(tb, p, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), time.UTC, nil, time.Time{}); items != nil {
			t.Errorf("%s: CheckStale returned %d items for an invalid policy, want none", name, len(items))
		}
	}
	p = policy()
	p.DateColumn = "跟进日期"
	if _, err := p.Validate(tb); err == nil || !strings.Contains(err.Error(), "最后跟进日期") {
		t.Errorf("Validate error = %v; want it to list the sheet's columns", err)
	}
}

// series is four versions of a sheet, as the store would give them.
func series(t *testing.T) ([]*audit.Table, []time.Time) {
	sh := shanghai(t)
	h := []string{"客户编号", "客户名称", "负责人", "销售进展", "电话", "备注"}
	v0 := [][]string{h,
		{"A", "甲", "张三", "初步洽谈", "1", ""},
		{"B", "乙", "张三", "初步洽谈", "2", ""},
		{"D", "丁", "李四", "商务谈判", "4", ""},
		{"F", "己", "李四", "商务谈判", "6", ""},
	}
	v1 := [][]string{h,
		{"A", "甲", "张三", "初步洽谈", "1", "电话沟通"}, // 备注 edited: resets
		{"B", "乙", "张三", "初步洽谈", "22", ""},    // 电话 edited: not a follow-up
		{"D", "丁", "李四", "商务谈判", "4", ""},
		{"F", "己", "李四", "商务谈判", "6", ""},
	}
	v2 := [][]string{h,
		{"D", "丁", "李四", "方案报价", "4", ""}, // moved to another row and stage: resets
		{"A", "甲", "张三", "初步洽谈", "1", "电话沟通"},
		{"B", "乙", "张三", "初步洽谈", "22", ""},
		{"C", "丙", "王五", "初步洽谈", "3", ""}, // new row
		// F removed
	}
	v3 := [][]string{append(h, "微信"), // a column added: structure, not follow-up
		{"A", "甲", "张三", "初步洽谈", "1", "电话沟通", "wx_a"},
		{"B", "乙", "张三", "初步洽谈", "22", "", ""},
		{"C", "丙", "王五", "初步洽谈", "3", ""},
		{"D", "丁", "李四", "方案报价", "4", ""},
		{"F", "己", "李四", "商务谈判", "6", ""}, // back again: counts as new
	}
	var tables []*audit.Table
	for _, v := range [][][]string{v0, v1, v2, v3} {
		tables = append(tables, table(t, v))
	}
	times := []time.Time{
		time.Date(2026, 10, 1, 9, 0, 0, 0, sh),
		time.Date(2026, 10, 20, 9, 0, 0, 0, sh),
		time.Date(2026, 11, 2, 9, 0, 0, 0, sh),
		time.Date(2026, 11, 9, 9, 0, 0, 0, sh),
	}
	return tables, times
}

func TestLastChangesResetOn(t *testing.T) {
	tables, times := series(t)
	last, since := audit.LastChanges(tables, times, []string{"销售进展", "备注"})
	if !since.Equal(times[0]) {
		t.Errorf("since = %v, want the first snapshot %v", since, times[0])
	}
	want := map[string]time.Time{
		"A": times[1], // 备注 edited
		"B": times[0], // only 电话 edited: the clock keeps running
		"C": times[2], // added
		"D": times[2], // stage moved
		"F": times[3], // removed and added back
	}
	if diff := cmp.Diff(want, last); diff != "" {
		t.Errorf("LastChanges(reset_on 销售进展, 备注) mismatch (-want +got):\n%s", diff)
	}

	// With no reset_on every column counts: B's phone edit resets it; the
	// added 微信 column still does not touch A.
	last, _ = audit.LastChanges(tables, times, nil)
	want["B"] = times[1]
	if diff := cmp.Diff(want, last); diff != "" {
		t.Errorf("LastChanges(any column) mismatch (-want +got):\n%s", diff)
	}

	if last, since := audit.LastChanges(nil, nil, nil); len(last) != 0 || !since.IsZero() {
		t.Errorf("LastChanges(no versions) = %v, %v; want empty", last, since)
	}
}

func TestCheckStaleHistoryBasis(t *testing.T) {
	sh := shanghai(t)
	tables, times := series(t)
	p := audit.StalePolicy{
		Basis: audit.BasisHistory, OwnerColumn: "负责人", StageColumn: "销售进展", CustomerColumn: "客户名称",
		Default: 30 * day, WarnBefore: 7 * day, ResetOn: []string{"销售进展", "备注"},
	}
	last, since := audit.LastChanges(tables, times, p.ResetOn)
	current := table(t, [][]string{
		append(tables[3].Header, ""),
		{"A", "甲", "张三", "初步洽谈", "1", "电话沟通", "wx_a"},
		{"B", "乙", "张三", "初步洽谈", "22", "", ""},
		{"D", "丁", "李四", "方案报价", "4", ""},
		{"G", "庚", "王五", "初步洽谈", "7", ""}, // not in any snapshot yet
	})
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, sh)
	items := audit.CheckStale(current, p, now, sh, last, since)
	want := []brief{
		{Key: "A", Owner: "张三", Stage: "初步洽谈", Rule: "default", From: "2026-10-20", Due: "2026-11-19", Since: 38, Threshold: 30, Over: 8},
		{Key: "B", Owner: "张三", Stage: "初步洽谈", Rule: "default", From: "2026-10-01", Due: "2026-10-31", Since: 57, Threshold: 30, Over: 27},
		// D changed stage on 11-02: 25 of 30 days, within the 7-day warning.
		{Key: "D", Owner: "李四", Stage: "方案报价", Rule: "default", From: "2026-11-02", Due: "2026-12-02", Since: 25, Threshold: 30, DueSoon: true},
	}
	if diff := cmp.Diff(want, briefs(items)); diff != "" {
		t.Fatalf("history CheckStale mismatch (-want +got):\n%s", diff)
	}
	for i, want := range []string{
		"Stale by the default rule (30 calendar days): last changed in the snapshot of 2026-10-20, 38 calendar days ago, 8 over; edit 销售进展 or 备注 to clear it.",
		"Stale by the default rule (30 calendar days): counted from the first snapshot (2026-10-01), as earlier edits are unknown, 57 calendar days ago, 27 over; edit 销售进展 or 备注 to clear it.",
	} {
		if got := items[i].Explanation; got != want {
			t.Errorf("%s explanation = %q\nwant %q", items[i].Key, got, want)
		}
		if f := items[i].Finding("clients"); f.Column != "" {
			t.Errorf("history finding column = %q, want none", f.Column)
		}
	}
	if !items[0].LastFollowUp.Equal(times[1]) {
		t.Errorf("A LastFollowUp = %v, want the snapshot time %v", items[0].LastFollowUp, times[1])
	}

	// The reset_on columns decide: counting every column, B's phone edit on
	// 10-20 would have been taken as a follow-up.
	p.ResetOn = nil
	last, since = audit.LastChanges(tables, times, nil)
	items = audit.CheckStale(current, p, now, sh, last, since)
	if got := briefs(items); len(got) < 2 || got[1].Key != "B" || got[1].From != "2026-10-20" {
		t.Errorf("with any column counting, B = %+v; want counted from 2026-10-20", got)
	}
	if !strings.HasSuffix(items[0].Explanation, "edit the row or move the stage to clear it.") {
		t.Errorf("explanation = %q; want the any-column hint", items[0].Explanation)
	}
}

func TestStaleItemJSONDates(t *testing.T) {
	d := audit.Date{Y: 2026, M: time.October, D: 1}
	b, err := d.MarshalText()
	if err != nil || string(b) != "2026-10-01" {
		t.Fatalf("MarshalText = %q, %v", b, err)
	}
	var back audit.Date
	if err := back.UnmarshalText(b); err != nil || back != d {
		t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, back, err, d)
	}
}

// BenchmarkCheckStale measures a large sheet: 50,000 rows with business
// days and a holiday calendar.
func BenchmarkCheckStale(b *testing.B) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		b.Skip(err)
	}
	values := [][]string{header}
	stages := []string{"初步洽谈", "商务谈判", "签约完成", "流失", "样品测试"}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, sh)
	for i := range 50000 {
		values = append(values, []string{"C" + strconv.Itoa(i), "客户", "张三", stages[i%len(stages)],
			start.AddDate(0, 0, i%600).Format("2006/1/2")})
	}
	tb, err := audit.ParseTable(values, 1, []string{"客户编号"})
	if err != nil {
		b.Fatal(err)
	}
	p := policy()
	p.Calendar = audit.Calendar{BusinessDays: true, Holidays: map[audit.Date]bool{}, Workdays: map[audit.Date]bool{}}
	for d := (audit.Date{Y: 2025, M: 1, D: 1}); d.Y < 2027; d = d.AddDays(17) {
		p.Calendar.Holidays[d] = true
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, sh)
	b.ReportAllocs()
	for b.Loop() {
		audit.CheckStale(tb, p, now, sh, nil, time.Time{})
	}
}

func TestNextDateSnoozes(t *testing.T) {
	sh := shanghai(t)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, sh)
	p := policy()
	p.NextDateColumn = "下次跟进日期"
	tb := table(t, [][]string{
		{"客户编号", "客户名称", "负责人", "销售进展", "最后跟进日期", "下次跟进日期"},
		{"C001", "华为", "张三", "商务谈判", "2026-10-01", "2027-01-10"}, // client abroad until January: scheduled
		{"C002", "腾讯", "李四", "商务谈判", "2026-11-25", "2026-11-20"}, // planned date passed 7 days ago
		{"C003", "阿里", "张三", "商务谈判", "2026-10-01", ""},           // no plan: the usual rule
		{"C004", "百度", "王五", "商务谈判", "2026-10-01", "2026-11-27"}, // due today: still scheduled
	})
	if _, err := p.Validate(tb); err != nil {
		t.Fatal(err)
	}
	items := audit.CheckStale(tb, p, now, sh, nil, time.Time{})
	got := map[string]int{}
	for _, it := range items {
		got[it.Key] = it.DaysOverdue
	}
	if diff := cmp.Diff(map[string]int{"C002": 7, "C003": 50}, got); diff != "" {
		t.Errorf("stale rows with next dates mismatch (-want +got):\n%s", diff)
	}
	for _, it := range items {
		if it.Key == "C002" && !strings.Contains(it.Explanation, "下次跟进日期 2026-11-20") {
			t.Errorf("C002 explanation %q does not say the planned date passed", it.Explanation)
		}
	}
	if n := audit.ScheduledRows(tb, p, now, sh); n != 2 {
		t.Errorf("ScheduledRows = %d, want 2 (C001, C004)", n)
	}

	p.NextDateColumn = "下次联系"
	if _, err := p.Validate(tb); err == nil || !strings.Contains(err.Error(), `next_date_column "下次联系" is not in the sheet`) {
		t.Errorf("Validate with a missing next_date_column = %v; want it named", err)
	}
}

// Check is the one judge of a policy's settings: each problem names the
// setting as the configuration writes it, all of them at once.
func TestStalePolicyCheck(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(p *audit.StalePolicy)
		fields []string
	}{
		{"valid", func(p *audit.StalePolicy) {}, nil},
		{"zero stage threshold is not checked", func(p *audit.StalePolicy) { p.Stages["签约完成"] = 0 }, nil},
		{"unknown basis", func(p *audit.StalePolicy) { p.Basis = "colum" }, []string{"basis"}},
		{"column basis without a date column", func(p *audit.StalePolicy) { p.DateColumn = "" }, []string{"date_column"}},
		{"reset_on with column basis", func(p *audit.StalePolicy) { p.ResetOn = []string{"备注"} }, []string{"reset_on"}},
		{"nothing can go stale", func(p *audit.StalePolicy) { p.Default, p.Stages = 0, nil }, []string{"default"}},
		{"negative times", func(p *audit.StalePolicy) { p.Default, p.WarnBefore, p.Stages["商务谈判"] = -day, -day, -day },
			[]string{"default", "warn_before", "stages.商务谈判"}},
		{"stages without a stage column", func(p *audit.StalePolicy) { p.StageColumn = "" }, []string{"stage_column"}},
		{"stage also exempt", func(p *audit.StalePolicy) { p.Exempt = append(p.Exempt, "签约完成") }, []string{"stages.签约完成"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := policy()
			p.Stages = maps.Clone(p.Stages)
			tt.edit(&p)
			err := p.Check()
			var got []string
			var pes audit.PolicyErrors
			if errors.As(err, &pes) {
				for _, pe := range pes {
					got = append(got, pe.Field)
				}
			} else if err != nil {
				t.Fatalf("Check = %v, want PolicyErrors", err)
			}
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s\n%v", diff, err)
			}
			if err != nil && (!errors.Is(err, audit.ErrInvalid) || strings.Contains(err.Error(), "invalid")) {
				t.Errorf("Check = %q: want ErrInvalid in the chain, not in the text", err)
			}
			if _, verr := p.Validate(nil); (verr == nil) != (err == nil) {
				t.Errorf("Validate(nil) = %v, Check = %v: Validate must run Check", verr, err)
			}
		})
	}
}
