package audit_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"html"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
)

// update reports whether golden files should be rewritten (go test -update).
// Another test file of the binary may have registered the flag first.
var update = updateFlag()

func updateFlag() func() bool {
	f := flag.Lookup("update")
	if f == nil {
		flag.Bool("update", false, "rewrite golden files in testdata")
		f = flag.Lookup("update")
	}
	return func() bool { return f.Value.String() == "true" }
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// weeklyReport builds the report of 2026-W48 from the fixed pair of
// versions in stale_test.go, the way the lead's report command does: each
// week's sheet checked as of the end of that week.
func weeklyReport(t *testing.T) audit.Report { return weeklyReportIn(t, "en") }

func weeklyReportIn(t *testing.T, locale string) audit.Report {
	t.Helper()
	sh := shanghai(t)
	p := policy()
	p.Locale = locale
	_, endW47, err := audit.ParseISOWeek("2026-W47", sh)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, sh)
	cur := table(t, thisWeek)
	this := audit.CheckStale(cur, p, now, sh, nil, time.Time{})
	last := audit.CheckStale(table(t, lastWeek), p, endW47, sh, nil, time.Time{})
	findings := []audit.Finding{
		{Row: 2, Key: "C001", Rule: "required", Severity: audit.Error},
		{Row: 6, Key: "C005", Rule: "phone", Severity: audit.Warning},
		{Row: 9, Key: "C008", Rule: "owner", Severity: audit.Warning},
		{Row: 9, Key: "C008", Rule: "hint", Severity: audit.Info},      // not a quality problem
		this[0].Finding("clients"),                                     // staleness is not data quality
		{Row: 1, Rule: "header", Severity: audit.Warning, Column: "H"}, // whole table: no owner
	}
	return audit.BuildReport("clients", audit.ISOWeek(now, sh), this, last, cur, p, findings, now)
}

func TestBuildReportWeekOverWeek(t *testing.T) {
	r := weeklyReport(t)
	type figures struct {
		Week                             string
		Rows, Active, Stale, DueSoon     int
		StalePct                         float64
		NewlyStale, Resolved, StillStale int
		Items, DueSoonItems              []string
		FirstWeek                        bool
	}
	keys := func(items []audit.StaleItem) []string {
		var k []string
		for _, it := range items {
			k = append(k, it.Key)
		}
		return k
	}
	got := figures{r.Week, r.Rows, r.Active, r.Stale, r.DueSoon, r.StalePct, r.NewlyStale, r.Resolved, r.StillStale,
		keys(r.Items), keys(r.DueSoonItems), r.FirstWeek}
	// Last week (as of Sunday 11-22 23:59): C001, C002, C005, C006, C009
	// (12 of 10 days) and C010 stale. This week: C001, C005, C006, C007,
	// C009 stale; C002 and C010 were followed up; C007's date became
	// unreadable.
	want := figures{
		// Stale % is of the 9 active rows: 王五's 流失 row is exempt.
		Week: "2026-W48", Rows: 10, Active: 9, Stale: 5, DueSoon: 2, StalePct: 500.0 / 9,
		NewlyStale: 1, Resolved: 2, StillStale: 4,
		// Never followed up first (sheet order), then by days overdue, then
		// by days waited (C009 17, C001 14).
		Items:        []string{"C006", "C007", "C005", "C009", "C001"},
		DueSoonItems: []string{"C008", "C002"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report figures mismatch (-want +got):\n%s", diff)
	}

	type cell struct {
		Owner, Stage string
		Stale, Total int
		Oldest       string
	}
	var cells []cell
	for _, c := range r.ByOwnerStage {
		cells = append(cells, cell{c.Owner, c.Stage, c.Stale, c.Total, c.Oldest.Key})
	}
	wantCells := []cell{
		{"张三", "初步洽谈", 1, 2, "C007"},
		{"张三", "方案报价", 1, 1, "C009"},
		{"张三", "商务谈判", 1, 1, "C001"},
		{"李四", "商务谈判", 0, 2, ""},
		{"李四", "样品测试", 1, 1, "C005"},
		{"王五", "签约完成", 1, 1, "C006"},
		{"王五", "流失", 0, 1, ""},
		{"", "商务谈判", 0, 1, ""},
	}
	if diff := cmp.Diff(wantCells, cells); diff != "" {
		t.Errorf("owner × stage mismatch (-want +got):\n%s", diff)
	}
	wantQuality := []audit.OwnerQuality{{Owner: "张三", Errors: 1}, {Owner: "", Warnings: 2}, {Owner: "李四", Warnings: 1}}
	if diff := cmp.Diff(wantQuality, r.QualityByOwner); diff != "" {
		t.Errorf("quality by owner mismatch (-want +got):\n%s", diff)
	}

	first := audit.BuildReport("clients", "2026-W48", nil, nil, nil, policy(), nil, time.Time{})
	if !first.FirstWeek || first.NewlyStale != 0 || first.StalePct != 0 {
		t.Errorf("report without last week = %+v; want FirstWeek and zero figures", first)
	}
}

func TestPipelineMovement(t *testing.T) {
	p := policy()
	p.StageOrder = []string{"初步洽谈", "方案报价", "商务谈判", "签约完成"}
	prev := table(t, [][]string{
		{"客户编号", "客户名称", "负责人", "销售进展"},
		{"C001", "华为", "张三", "商务谈判"},
		{"C002", "腾讯", "李四", "方案报价"},
		{"C003", "京东", "张三", "初步洽谈"},
		{"C004", "美团", "李四", "商务谈判"},
		{"C005", "小米", "王五", "方案报价"},
	})
	cur := table(t, [][]string{
		{"客户编号", "客户名称", "负责人", "销售进展"},
		{"C001", "华为", "张三", "签约完成"}, // won
		{"C002", "腾讯", "李四", "商务谈判"}, // moved
		{"C003", "京东", "张三", "流失"},   // lost
		{"C004", "美团", "王五", "商务谈判"}, // new owner, same stage
		{"C006", "网易", "王五", "初步洽谈"}, // new row
	})
	got := audit.PipelineMovement(prev, cur, p)
	want := audit.Movement{
		Moves: []audit.StageMove{{From: "初步洽谈", To: "流失", Count: 1}, {From: "商务谈判", To: "签约完成", Count: 1}, {From: "方案报价", To: "商务谈判", Count: 1}},
		Won:   1, Lost: 1, New: 1,
		ByOwner: []audit.OwnerMovement{{Owner: "张三", Moved: 2, Won: 1, Lost: 1}, {Owner: "李四", Moved: 1}, {Owner: "王五", New: 1}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PipelineMovement mismatch (-want +got):\n%s", diff)
	}
}

func TestReportLabelsComplete(t *testing.T) {
	// Every word of every language is filled in (a new label added to
	// English alone shows here), and the CSV header has a word per column.
	for _, l := range audit.ReportLanguages() {
		v := reflect.ValueOf(l)
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if f.Kind() == reflect.String && f.String() == "" {
				t.Errorf("%s: label %s is empty", v.FieldByName("Lang"), v.Type().Field(i).Name)
			}
		}
		if n := len(v.FieldByName("CSV").Interface().([]string)); n != 14 {
			t.Errorf("%s: CSV header has %d words, want 14", v.FieldByName("Lang"), n)
		}
	}
}

func TestReportForOwner(t *testing.T) {
	r := weeklyReport(t).ForOwner("李四")
	if r.Owner != "李四" || r.Rows != 3 || r.Stale != 1 || r.DueSoon != 1 || r.Items[0].Key != "C005" || r.DueSoonItems[0].Key != "C002" {
		t.Errorf("ForOwner(李四) = rows %d stale %d due %d items %v; want 3 rows, C005 stale, C002 due soon",
			r.Rows, r.Stale, r.DueSoon, r.Items)
	}
}

func TestReportTabRowsGolden(t *testing.T) {
	for _, locale := range []string{"en", "zh-CN"} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		for _, row := range weeklyReportIn(t, locale).TabRows(locale) {
			if err := enc.Encode(row); err != nil {
				t.Fatal(err)
			}
		}
		golden(t, "report_tab_"+locale+".golden", b.Bytes())
	}
}

func TestReportCSVGolden(t *testing.T) {
	out, err := weeklyReport(t).CSV("en")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "report_items.csv", out)
	zh, err := weeklyReportIn(t, "zh-CN").CSV("zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	if head, _, _ := strings.Cut(strings.TrimPrefix(string(zh), "\ufeff"), "\n"); head != "状态,编号,客户,负责人,阶段,行号,最后跟进,已过天数,期限,超期天数,最迟跟进日,按工作日,规则,原因" {
		t.Errorf("zh-CN CSV header = %q; want it in Chinese", head)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse back: %v", err)
	}
	if len(recs) != 1+5+2 {
		t.Errorf("CSV has %d records, want header + 5 stale + 2 due soon", len(recs))
	}
}

func TestReportCSVDefusesFormulas(t *testing.T) {
	r := audit.Report{Items: []audit.StaleItem{{Key: "=HYPERLINK(\"http://x\")", Customer: "+1", Owner: "@me"}}}
	out, err := r.CSV("en")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := recs[1][1:4]; got[0] != "'=HYPERLINK(\"http://x\")" || got[1] != "'+1" || got[2] != "'@me" {
		t.Errorf("CSV cells = %q; want each prefixed with an apostrophe", got)
	}
}

// htmlText turns a page into its visible text: scripts and styles dropped,
// tags removed, entities decoded, whitespace collapsed.
func htmlText(page []byte) string {
	s := regexp.MustCompile(`(?is)<(style|script)[^>]*>.*?</(style|script)>`).ReplaceAllString(string(page), " ")
	s = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

func TestReportHTML(t *testing.T) {
	r := weeklyReport(t)
	r.Items[0].Link = "https://docs.google.com/spreadsheets/d/x/edit#gid=1&range=7:7"
	page, err := r.HTML("en")
	if err != nil {
		t.Fatal(err)
	}
	text := htmlText(page)
	for _, want := range []string{
		"Staleness Report · clients · 2026-W48",
		"Produced: 2026-11-27 10:00 +08:00",
		// Stale % is of the 9 active rows: 王五's 流失 row is exempt.
		"Stale 5 Stale % 55.6% of active rows Due soon 2 Active rows 9 of 10 rows",
		"+1 new, 2 resolved since last week",
		// Act this week: most overdue first, days written out.
		"Act this week C005 京东<script>x</script> 27 days overdue 李四 · 样品测试 C001 华为 7 days overdue 张三 · 商务谈判 C009 网易 7 days overdue",
		"C006 美团 never followed up 王五 · 签约完成",
		"C007 小米 follow-up date unreadable",
		// Per owner: count, oldest, due soon.
		"张三 3 3 stale · oldest 7 days overdue · 0 due soon",
		// Owner × stage only where non-zero, most stale first.
		"Stale records by owner and stage Owner Stage Stale / Active rows 张三 初步洽谈 1 / 2",
		"Data quality by owner Owner Errors Warnings 张三 1 0 (no owner) 0 2 李四 0 1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("HTML text lacks %q\ntext: %s", want, text)
		}
	}
	if strings.Contains(text, "李四 商务谈判 0") || strings.Contains(text, "(+") {
		t.Errorf("HTML lists an owner × stage cell without stale rows, or an unexplained (+n):\n%s", text)
	}
	raw := string(page)
	if strings.Contains(raw, "<script>") {
		t.Error("HTML contains a raw <script> from a cell; sheet text must be escaped")
	}
	for _, external := range []string{"src=", "@import", "url(", "<svg", "<img"} {
		if strings.Contains(raw, external) {
			t.Errorf("HTML contains %q; the page must not load anything or draw SVG", external)
		}
	}
	for _, want := range []string{`name="viewport"`, "<details", `href="https://docs.google.com/spreadsheets/d/x/edit#gid=1&amp;range=7:7"`, "@media print"} {
		if !strings.Contains(raw, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}

	mailPage, err := r.Page("en", audit.PageMail)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(mailPage), "<details") || strings.Contains(string(mailPage), "<style") && strings.Contains(string(mailPage), "class=\"fig") {
		t.Error("the mail page must not fold rows into <details> or rely on classes")
	}

	zh, err := weeklyReportIn(t, "zh-CN").HTML("zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	if text := htmlText(zh); !strings.Contains(text, "客户跟进超期报告") || !strings.Contains(text, "逾期 27 天") || !strings.Contains(text, "较上周：新增 +1，解除 2") {
		t.Errorf("Chinese HTML text lacks title, days overdue or change: %s", text)
	}
}

func TestReportSubjectLocale(t *testing.T) {
	r := weeklyReport(t)
	if got, want := r.Subject("zh-CN"), "客户跟进超期报告 2026-W48 · clients：5 条超期"; got != want {
		t.Errorf("Subject(zh-CN) = %q, want %q", got, want)
	}
	if got, want := r.Subject("en"), "Staleness Report 2026-W48 · clients: 5 stale"; got != want {
		t.Errorf("Subject(en) = %q, want %q", got, want)
	}
}

func TestReportTabNumbersAndChart(t *testing.T) {
	tab := weeklyReport(t).Tab("zh-CN")
	if tab.ChartLast-tab.ChartFirst != 3 {
		t.Fatalf("chart block rows [%d, %d); want 3 owners", tab.ChartFirst, tab.ChartLast)
	}
	for i := tab.ChartFirst; i < tab.ChartLast; i++ {
		row := tab.Rows[i]
		if row[0].Kind != audit.TextCell || row[1].Kind != audit.NumberCell {
			t.Errorf("chart row %d = %v; want a text label and a number", i, row)
		}
	}
	if got := tab.Rows[tab.ChartFirst]; got[0].Text != "张三" || got[1].Num != 3 {
		t.Errorf("first bar = %v, want 张三 3", got)
	}
	// Act this week comes before the full list.
	var act, full int
	for i, row := range tab.Rows {
		if len(row) > 0 && row[0].Text == "本周优先跟进" {
			act = i
		}
		if len(row) > 0 && strings.HasPrefix(row[0].Text, "超期记录") {
			full = i
		}
	}
	if act == 0 || full < act {
		t.Errorf("act this week at row %d, full list at row %d; want act first", act, full)
	}
}
func TestMaskPII(t *testing.T) {
	for in, want := range map[string]string{
		"13800138000":                         "138****8000",
		"电话 138 0013 8000，请回电":                "电话 138 **** 8000，请回电",
		"+86 138-0013-8000":                   "+86 138-****-8000",
		"zhang.san@corp.cn":                   "z***@corp.cn",
		"张三 <zhang.san@corp.cn>, 13912345678": "张三 <z***@corp.cn>, 139****5678",
		"010-12345678":                        "010-****5678",
		"订单 2026113800138000":                 "订单 2026113800138000", // part of a longer number
		"no contact":                          "no contact",
	} {
		if got := audit.MaskPII(in); got != want {
			t.Errorf("MaskPII(%q) = %q, want %q", in, got, want)
		}
	}
	r := weeklyReport(t)
	r.Items[0].Customer = "美团 13800138000"
	m := r.Masked()
	if got := m.Items[0].Customer; got != "美团 138****8000" {
		t.Errorf("Masked customer = %q, want 美团 138****8000", got)
	}
	if r.Items[0].Customer != "美团 13800138000" {
		t.Error("Masked changed the original report")
	}
}

func TestISOWeek(t *testing.T) {
	sh := shanghai(t)
	for _, tc := range []struct {
		at   time.Time
		loc  *time.Location
		want string
	}{
		{time.Date(2026, 11, 27, 10, 0, 0, 0, sh), sh, "2026-W48"},
		// Sunday evening in UTC is already Monday of the next week in Shanghai.
		{time.Date(2026, 11, 29, 17, 0, 0, 0, time.UTC), sh, "2026-W49"},
		{time.Date(2026, 11, 29, 17, 0, 0, 0, time.UTC), time.UTC, "2026-W48"},
		{time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC), time.UTC, "2026-W53"},
		{time.Date(2025, 12, 29, 12, 0, 0, 0, time.UTC), time.UTC, "2026-W01"},
	} {
		if got := audit.ISOWeek(tc.at, tc.loc); got != tc.want {
			t.Errorf("ISOWeek(%v, %v) = %s, want %s", tc.at, tc.loc, got, tc.want)
		}
	}

	start, end, err := audit.ParseISOWeek("2026-W48", sh)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 23, 0, 0, 0, 0, sh); !start.Equal(want) {
		t.Errorf("2026-W48 starts %v, want %v", start, want)
	}
	if want := time.Date(2026, 11, 30, 0, 0, 0, 0, sh).Add(-time.Nanosecond); !end.Equal(want) {
		t.Errorf("2026-W48 ends %v, want %v", end, want)
	}
	// Every week of a decade round-trips, and its end is its last instant.
	for y := 2020; y <= 2030; y++ {
		for w := 1; w <= 53; w++ {
			s := audit.ISOWeek(time.Date(y, 1, 4, 0, 0, 0, 0, sh).AddDate(0, 0, 7*(w-1)), sh)
			start, end, err := audit.ParseISOWeek(s, sh)
			if err != nil {
				t.Fatalf("ParseISOWeek(%s): %v", s, err)
			}
			if audit.ISOWeek(start, sh) != s || audit.ISOWeek(end, sh) != s || audit.ISOWeek(end.Add(time.Nanosecond), sh) == s ||
				start.Weekday() != time.Monday {
				t.Fatalf("ParseISOWeek(%s) = %v .. %v, not the week's bounds", s, start, end)
			}
		}
	}
	for _, bad := range []string{"2025-W53", "2026-W00", "2026W48", "26-W48", "2026-W4", "week 48"} {
		if _, _, err := audit.ParseISOWeek(bad, sh); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("ParseISOWeek(%q) error = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestReportZHHasNoEnglishLabel(t *testing.T) {
	r := weeklyReportIn(t, "zh-CN")
	r.Trend = []audit.WeekPoint{{Week: "2026-W47", Stale: 4}, {Week: "2026-W48", Stale: 5, Errors: 1}}
	r.Movement = &audit.Movement{Moves: []audit.StageMove{{From: "初步洽谈", To: "商务谈判", Count: 1}}, Won: 1,
		ByOwner: []audit.OwnerMovement{{Owner: "张三", Moved: 1, Won: 1}}}
	r.FullList = "https://docs.google.com/spreadsheets/d/x/edit#gid=1"
	page, err := r.HTML("zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	mailPage, err := r.Page("zh-CN", audit.PageMail)
	if err != nil {
		t.Fatal(err)
	}
	csvOut, err := r.CSV("zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"page": htmlText(page), "mail": htmlText(mailPage), "text": r.Text("zh-CN"), "subject": r.Subject("zh-CN"),
		"tab": flattenRows(r.TabRows("zh-CN")), "csv header": strings.SplitN(string(csvOut), "\n", 2)[0],
	}
	for _, l := range audit.ReportLanguages() {
		v := reflect.ValueOf(l)
		if v.FieldByName("Lang").String() != "en" {
			continue
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if f.Kind() != reflect.String || len(f.String()) < 4 || strings.Contains(f.String(), "%") {
				continue
			}
			for where, out := range outputs {
				if strings.Contains(out, f.String()) {
					t.Errorf("zh-CN %s contains the English label %q (%s)", where, f.String(), v.Type().Field(i).Name)
				}
			}
		}
	}
}

func flattenRows(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, " | "))
		b.WriteString("\n")
	}
	return b.String()
}

// The access section lists who can open the sheet and what the access
// rules flag, in the page, the tab and the text, in both languages; the
// mailed copy masks the addresses; a report for one owner has none.
func TestReportAccessSection(t *testing.T) {
	perms := []audit.Permission{
		{ID: "1", Type: "user", Role: "owner", Email: "boss@corp.cn"},
		{ID: "2", Type: "user", Role: "writer", Email: "zhao@partner.com"},
		{ID: "anyoneWithLink", Type: "anyone", Role: "reader"},
	}
	policy := audit.AccessPolicy{AllowedDomains: []string{"corp.cn"}}
	for _, tc := range []struct {
		locale string
		want   []string
	}{
		{"en", []string{"Who can open this sheet", "anyone with the link", "zhao@partner.com", "error: zhao@partner.com (writer) is outside the allowed domains (corp.cn)"}},
		{"zh-CN", []string{"谁可以访问此表格", "任何获得链接的人", "查看者", "错误: zhao@partner.com（编辑者）不在允许的域内（corp.cn）"}},
	} {
		r := weeklyReportIn(t, tc.locale)
		r.Access = audit.NewReportAccess("clients", perms, policy, tc.locale)
		page, err := r.HTML(tc.locale)
		if err != nil {
			t.Fatal(err)
		}
		var tab strings.Builder
		for _, row := range r.TabRows(tc.locale) {
			tab.WriteString(strings.Join(row, " | ") + "\n")
		}
		for name, out := range map[string]string{"page": string(page), "tab": tab.String(), "text": r.Text(tc.locale)} {
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s %s lacks %q:\n%s", tc.locale, name, w, out)
				}
			}
		}
		if m := r.Masked(); strings.Contains(m.Text(tc.locale), "zhao@") {
			t.Errorf("%s: the masked report shows an address:\n%s", tc.locale, m.Text(tc.locale))
		}
		if o := r.ForOwner("张三"); o.Access != nil {
			t.Errorf("%s: a report for one owner has an access section", tc.locale)
		}
	}
	if audit.NewReportAccess("clients", nil, policy, "en") != nil {
		t.Error("sharing never read gives an access section")
	}
}

// TestReportTabNumbersAreNumbers: counts and days on the report tab are
// number cells (the chart, sorting and sums need them), in every section;
// no text cell reads as a number.
func TestReportTabNumbersAreNumbers(t *testing.T) {
	for _, locale := range []string{"en", "zh-CN"} {
		tab := weeklyReportIn(t, locale).Tab(locale)
		numbers := 0
		for i, row := range tab.Rows {
			for j, c := range row {
				if c.Kind == audit.NumberCell {
					numbers++
					continue
				}
				if _, err := strconv.ParseFloat(strings.TrimSpace(c.Text), 64); err == nil {
					t.Errorf("%s: row %d column %d holds the number %q as text", locale, i+1, j+1, c.Text)
				}
			}
		}
		if numbers == 0 {
			t.Errorf("%s: no number cells at all", locale)
		}
		for r := tab.ChartFirst; r < tab.ChartLast; r++ {
			if c := tab.Rows[r][1]; c.Kind != audit.NumberCell {
				t.Errorf("%s: chart value in row %d is %q, not a number", locale, r+1, c.String())
			}
		}
	}
}
