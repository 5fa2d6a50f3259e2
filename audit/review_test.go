package audit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// goldenUpdate reports whether -update was given. Another test file of the
// package may define the flag first; sharing it avoids the panic of
// defining it twice.
var goldenUpdate = func() func() bool {
	if f := flag.Lookup("update"); f != nil {
		return func() bool {
			g, ok := f.Value.(flag.Getter)
			return ok && g.Get() == true
		}
	}
	b := flag.Bool("update", false, "rewrite golden files in testdata")
	return func() bool { return *b }
}()

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if goldenUpdate() {
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

// clientsTable reads testdata/validate_clients.csv, a small customer sheet
// with one mistake of each kind, keyed by 客户编号.
func clientsTable(t *testing.T) *Table {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "validate_clients.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	values, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := ParseTable(values, 1, []string{"客户编号"})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// clientRules are the rules of the example configuration.
func clientRules(locale string) RuleSet {
	return RuleSet{
		Locale: locale,
		Columns: []ColumnRule{
			{Column: "客户编号", Required: true, Pattern: `^C\d{5}$`, Unique: true},
			{Column: "客户名称", Required: true, MaxLength: valPtr(100)},
			{Column: "所属集团", References: &Reference{Column: "客户名称"}},
			{Column: "联系方式", Type: TypePhone},
			{Column: "邮箱", Type: TypeEmail, Unique: true, Severity: Warning},
			{Column: "行业", Enum: []string{"IT", "金融", "制造", "零售", "医疗", "教育", "其他"}},
			{Column: "销售进展", Required: true, Enum: []string{"初步洽谈", "需求确认", "方案报价", "商务谈判", "签约完成", "流失"}},
			{Column: "最后跟进日期", Type: TypeDate, NotAfter: "today"},
			{Column: "合同金额", Type: TypeNumber, Min: valPtr(0.0)},
			{Column: "官网", Type: TypeURL, Severity: Warning},
		},
		Rows: []RowRule{{Name: "签约需合同编号", When: map[string][]string{"销售进展": {"签约完成"}}, Require: []string{"合同编号"}}},
	}
}

func clientFindings(t *testing.T, tab *Table, locale string) []Finding {
	t.Helper()
	rs := valCompile(t, clientRules(locale))
	findings := append([]Finding(nil), tab.Problems...)
	findings = append(findings, rs.Check(tab, valNow, valZone, nil)...)
	// A staleness finding, as the cycle will merge them into the same tab.
	findings = append(findings, Finding{Row: 3, Key: "C00002", Column: "最后跟进日期", Rule: "stale",
		Value: "2026/11/25", Message: "no follow-up for 4 days", Severity: Info})
	return findings
}

func encodeRows(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func TestReviewRowsGolden(t *testing.T) {
	tab := clientsTable(t)
	tests := []struct {
		golden string
		meta   TabMeta
		locale string
	}{
		{"review_google_en.golden", TabMeta{SpreadsheetID: "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd", TabID: 123456, Title: "客户", URL: "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd/edit#gid=123456"}, "en"},
		{"review_workbook_zh-CN.golden", TabMeta{SpreadsheetID: "examples/clients.xlsx", TabID: 0, Title: "Tom's 客户"}, "zh-CN"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			rows := ReviewRows(clientFindings(t, tab, tt.locale), tt.meta, valNow, len(tab.Rows), tt.locale, tab.Header)
			checkGolden(t, tt.golden, encodeRows(t, rows))
		})
	}
}

func TestReviewRowsShape(t *testing.T) {
	tab := clientsTable(t)
	findings := clientFindings(t, tab, "en")
	meta := TabMeta{SpreadsheetID: "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd", TabID: 7, Title: "客户", URL: "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd/edit#gid=7"}
	rows := ReviewRows(findings, meta, valNow, len(tab.Rows), "en", tab.Header)

	if len(rows) != len(findings)+2 {
		t.Fatalf("ReviewRows: %d rows, want %d findings + first line + header", len(rows), len(findings))
	}
	var errs, warns, infos int
	for _, f := range findings {
		switch f.Severity {
		case Error:
			errs++
		case Warning:
			warns++
		default:
			infos++
		}
	}
	first := rows[0][0]
	for _, part := range []string{"2026-11-29 10:00:00 UTC+08:00", strconv.Itoa(len(tab.Rows)) + " rows checked",
		"errors: " + strconv.Itoa(errs), "warnings: " + strconv.Itoa(warns), "info: " + strconv.Itoa(infos)} {
		if !strings.Contains(first, part) {
			t.Errorf("first line %q does not say %q", first, part)
		}
	}
	if diff := cmp.Diff([]string{"Severity", "Row", "Key", "Column", "Rule", "Value", "Message", "Link"}, rows[1]); diff != "" {
		t.Errorf("header mismatch (-want +got):\n%s", diff)
	}
	// Sorted by severity, then row.
	rank := map[string]int{"error": 0, "warning": 1, "info": 2}
	for i := 3; i < len(rows); i++ {
		a, b := rows[i-1], rows[i]
		if rank[a[0]] > rank[b[0]] || rank[a[0]] == rank[b[0]] && atoiOr0(a[1]) > atoiOr0(b[1]) {
			t.Errorf("rows %d and %d out of order: %q then %q", i-1, i, a[:3], b[:3])
		}
	}
	// A user's formula is copied as text, and nothing else looks like one.
	var hyperlink bool
	for _, r := range rows {
		for _, cell := range r {
			if strings.HasPrefix(cell, "=") {
				hyperlink = hyperlink || cell == `=HYPERLINK("http://evil.example","点我")`
				if cell != `=HYPERLINK("http://evil.example","点我")` {
					t.Errorf("cell %q looks like a formula", cell)
				}
			}
		}
	}
	if !hyperlink {
		t.Error("the user's =HYPERLINK value is not in the tab")
	}
}

func atoiOr0(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestReviewRowsEmpty(t *testing.T) {
	produced := time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)
	got := ReviewRows(nil, TabMeta{Title: "客户"}, produced, 300, "zh-CN", []string{"客户编号"})
	want := [][]string{
		{"生成于 2026-11-29 02:00:00 UTC+00:00 · 已检查 300 行 · 错误 0 条 · 警告 0 条 · 提示 0 条"},
		{"严重程度", "行", "键", "列", "规则", "值", "说明", "链接"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReviewRows mismatch (-want +got):\n%s", diff)
	}
}

func TestCellLink(t *testing.T) {
	const id = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd"
	google := TabMeta{SpreadsheetID: id, TabID: 42, Title: "客户", URL: "https://docs.google.com/spreadsheets/d/" + id + "/edit#gid=42"}
	book := TabMeta{SpreadsheetID: "/data/clients.xlsx", Title: "O'Brien 客户"}
	tests := []struct {
		meta     TabMeta
		row, col int
		want     string
	}{
		{google, 7, 1, "https://docs.google.com/spreadsheets/d/" + id + "/edit#gid=42&range=B7"},
		{google, 12, 27, "https://docs.google.com/spreadsheets/d/" + id + "/edit#gid=42&range=AB12"},
		{google, 7, -1, "https://docs.google.com/spreadsheets/d/" + id + "/edit#gid=42&range=7:7"},
		{google, 0, 3, "https://docs.google.com/spreadsheets/d/" + id + "/edit#gid=42"},
		{book, 7, 1, "'O''Brien 客户'!B7"},
		{book, 7, -1, "'O''Brien 客户'!7:7"},
		{book, 0, -1, "'O''Brien 客户'!A1"},
	}
	for _, tt := range tests {
		if got := cellLink(tt.meta, tt.meta.URL != "", tt.row, tt.col); got != tt.want {
			t.Errorf("cellLink(%q, %d, %d) = %q, want %q", tt.meta.SpreadsheetID, tt.row, tt.col, got, tt.want)
		}
	}
}

func TestReviewRowsLongValue(t *testing.T) {
	long := strings.Repeat("值", 2000)
	rows := ReviewRows([]Finding{{Row: 2, Column: "备注", Rule: "max_length", Value: long}}, TabMeta{Title: "客户"}, valNow, 1, "en", []string{"编号", "备注"})
	if got := []rune(rows[2][5]); len(got) != reviewValueLimit+1 || got[reviewValueLimit] != '…' {
		t.Errorf("value cell has %d runes, want %d and an ellipsis", len(got), reviewValueLimit+1)
	}
}

func TestReviewRowsLimit(t *testing.T) {
	findings := make([]Finding, ReviewLimit+5)
	for i := range findings {
		findings[i] = Finding{Row: len(findings) + 1 - i, Column: "邮箱", Rule: "type:email", Severity: Warning}
	}
	findings[len(findings)-1].Severity = Error // sorted first despite coming last
	rows := ReviewRows(findings, TabMeta{Title: "客户"}, valNow, len(findings), "en", []string{"编号", "邮箱"})
	if len(rows) != ReviewLimit+2 {
		t.Fatalf("ReviewRows: %d rows, want %d", len(rows), ReviewLimit+2)
	}
	if rows[2][0] != "error" {
		t.Errorf("first finding row %q, want the error first", rows[2])
	}
	if got, want := rows[len(rows)-1][6], "6 more findings are not listed here; run sheetaudit validate to see them all"; got != want {
		t.Errorf("last row message %q, want %q", got, want)
	}
	if !strings.Contains(rows[0][0], "errors: 1 · warnings: "+strconv.Itoa(ReviewLimit+4)) {
		t.Errorf("first line %q does not count every finding", rows[0][0])
	}
}
