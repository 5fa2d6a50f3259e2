package audit

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var (
	valZone = time.FixedZone("CST", 8*3600)
	// valNow is the pinned "now" of these tests: 2026-11-29 10:00 in Shanghai.
	valNow = time.Date(2026, 11, 29, 10, 0, 0, 0, valZone)
)

func valPtr[T any](v T) *T { return &v }

// valTable parses rows under header with the first column as key.
func valTable(t *testing.T, header []string, rows ...[]string) *Table {
	t.Helper()
	tab, err := ParseTable(append([][]string{header}, rows...), 1, header[:1])
	if err != nil {
		t.Fatalf("ParseTable: %v", err)
	}
	return tab
}

func valCompile(t *testing.T, rs RuleSet) *Rules {
	t.Helper()
	r, err := Compile(rs)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return r
}

// TestColumnConstraints runs each constraint over values that must pass and
// values that must fail, naming the finding's rule for each failure.
func TestColumnConstraints(t *testing.T) {
	tests := []struct {
		name string
		rule ColumnRule
		good []string
		bad  map[string][]string // value → rules of its findings
	}{
		{
			name: "required",
			rule: ColumnRule{Required: true},
			good: []string{"x", "客户", "=SUM(A1)"},
			bad:  map[string][]string{"": {"required"}, "  ": {"required"}, "\u3000": {"required"}},
		},
		{
			name: "not required allows blank",
			rule: ColumnRule{Type: TypePhone, MinLength: valPtr(3)},
			good: []string{"", " "},
		},
		{
			name: "integer",
			rule: ColumnRule{Type: TypeInteger},
			good: []string{"42", "1,200", "１２０", "-5"},
			bad:  map[string][]string{"1.5": {"type:integer"}, "abc": {"type:integer"}, "十二": {"type:integer"}},
		},
		{
			name: "number",
			rule: ColumnRule{Type: TypeNumber},
			good: []string{"1234.5", "¥1,234", "１２３４．５", "-0.5", "8%"},
			bad:  map[string][]string{"1,23": {"type:number"}, "12元5": {"type:number"}, "约100": {"type:number"}},
		},
		{
			name: "date",
			rule: ColumnRule{Type: TypeDate},
			good: []string{"2026-11-29", "2026/11/29", "2026年11月29日", "46355", "２０２６－１１－２９"},
			bad:  map[string][]string{"2026-02-30": {"type:date"}, "明天": {"type:date"}, "2026": {"type:date"}},
		},
		{
			name: "datetime",
			rule: ColumnRule{Type: TypeDateTime},
			good: []string{"2026-11-29 14:30", "2026-11-29T14:30:00+08:00", "2026-11-29"},
			bad:  map[string][]string{"2026-11-29 25:00": {"type:datetime"}, "下午三点": {"type:datetime"}},
		},
		{
			name: "bool",
			rule: ColumnRule{Type: TypeBool},
			good: []string{"TRUE", "false", "是", "否", "Y"},
			bad:  map[string][]string{"maybe": {"type:bool"}, "对": {"type:bool"}},
		},
		{
			name: "email",
			rule: ColumnRule{Type: TypeEmail},
			good: []string{"zhang.san@corp.cn", "张三@例子.中国"},
			bad:  map[string][]string{"张三＠corp.cn": {"type:email"}, "zhang@corp": {"type:email"}},
		},
		{
			name: "phone",
			rule: ColumnRule{Type: TypePhone},
			good: []string{"138 0013 8000", "＋８６ １３８ ００１３ ８０００", "010-6552 9988 转 123", "+852 2345 6789"},
			bad:  map[string][]string{"1381234": {"type:phone"}, "6552 9988": {"type:phone"}},
		},
		{
			name: "url",
			rule: ColumnRule{Type: TypeURL},
			good: []string{"https://www.example.com", "http://corp.cn/客户"},
			bad:  map[string][]string{"www.example.com": {"type:url"}},
		},
		{
			name: "enum",
			rule: ColumnRule{Enum: []string{"IT", "金融", "制造"}},
			good: []string{"IT", "金融", " 制造 "},
			bad:  map[string][]string{"it": {"enum"}, "金 融": {"enum"}, "ＩＴ": {"enum"}},
		},
		{
			name: "enum ignore case",
			rule: ColumnRule{Enum: []string{"IT", "Retail"}, IgnoreCase: true},
			good: []string{"it", "ＩＴ", "RETAIL"},
			bad:  map[string][]string{"IT部": {"enum"}},
		},
		{
			name: "pattern",
			rule: ColumnRule{Pattern: `^C\d{5}$`},
			good: []string{"C00001", " C12345 "},
			bad:  map[string][]string{"C0001": {"pattern"}, "c00001": {"pattern"}, "Ｃ００００１": {"pattern"}},
		},
		{
			name: "min and max",
			rule: ColumnRule{Type: TypeNumber, Min: valPtr(0.0), Max: valPtr(1e6)},
			good: []string{"0", "¥1,000", "1000000"},
			bad:  map[string][]string{"-1": {"min"}, "2,000,000": {"max"}, "abc": {"type:number"}},
		},
		{
			name: "integer bounds",
			rule: ColumnRule{Type: TypeInteger, Min: valPtr(1.0), Max: valPtr(5.0)},
			good: []string{"1", "５"},
			bad:  map[string][]string{"0": {"min"}, "6": {"max"}, "2.5": {"type:integer"}},
		},
		{
			name: "lengths count characters",
			rule: ColumnRule{MinLength: valPtr(2), MaxLength: valPtr(5)},
			good: []string{"客户", "abcde", "北京科技"},
			bad:  map[string][]string{"客": {"min_length"}, "客户名称太长了": {"max_length"}},
		},
		{
			name: "not_after today",
			rule: ColumnRule{Type: TypeDate, NotAfter: "today"},
			good: []string{"2026-11-29", "2026/11/28", "46354"},
			bad:  map[string][]string{"2026-11-30": {"not_after"}, "2027年1月1日": {"not_after"}},
		},
		{
			name: "not_before relative",
			rule: ColumnRule{Type: TypeDate, NotBefore: "today-30d", NotAfter: "today+1w"},
			good: []string{"2026-10-30", "2026-12-06"},
			bad:  map[string][]string{"2026-10-29": {"not_before"}, "2026-12-07": {"not_after"}},
		},
		{
			name: "fixed date bounds",
			rule: ColumnRule{Type: TypeDate, NotBefore: "2026-01-01", NotAfter: "2026-12-31"},
			good: []string{"2026-01-01", "2026-12-31"},
			bad:  map[string][]string{"2025-12-31": {"not_before"}, "2027-01-01": {"not_after"}},
		},
		{
			name: "datetime bound in the sheet's zone",
			rule: ColumnRule{Type: TypeDateTime, NotAfter: "today"},
			good: []string{"2026-11-29 23:59", "2026-11-29T15:00:00Z"},
			bad:  map[string][]string{"2026-11-29T16:00:00Z": {"not_after"}, "2026-11-30 00:00": {"not_after"}},
		},
		{
			name: "several constraints on one cell",
			rule: ColumnRule{Enum: []string{"C1"}, Pattern: `^C\d+$`, MaxLength: valPtr(2)},
			good: []string{"C1"},
			bad:  map[string][]string{"X123": {"enum", "pattern", "max_length"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule := tt.rule
			rule.Column = "值"
			rs := valCompile(t, RuleSet{Columns: []ColumnRule{rule}})
			var rows [][]string
			want := map[string][]string{}
			for _, v := range tt.good {
				rows = append(rows, []string{"K" + string(rune('a'+len(rows))), v})
			}
			for v, rules := range tt.bad {
				key := "K" + string(rune('a'+len(rows)))
				rows = append(rows, []string{key, v})
				want[key] = rules
			}
			got := map[string][]string{}
			for _, f := range rs.Check(valTable(t, []string{"编号", "值"}, rows...), valNow, valZone, nil) {
				got[f.Key] = append(got[f.Key], f.Rule)
				if f.Column != "值" || f.Severity != Error || f.Message == "" {
					t.Errorf("finding %+v: want column 值, severity error and a message", f)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rules by row mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckUnique(t *testing.T) {
	rs := valCompile(t, RuleSet{Columns: []ColumnRule{
		{Column: "客户编号", Unique: true}, // the key: ParseTable reports duplicates
		{Column: "邮箱", Unique: true, Severity: Warning},
	}})
	tab := valTable(t, []string{"客户编号", "邮箱"},
		[]string{"C1", "a@corp.cn"},
		[]string{"C2", "b@corp.cn"},
		[]string{"C3", " a@corp.cn "},
		[]string{"C4", ""},
		[]string{"C5", ""},
		[]string{"C1", "a@corp.cn"},
	)
	got := rs.Check(tab, valNow, valZone, nil)
	want := []Finding{
		{Row: 4, Key: "C3", Column: "邮箱", Rule: "unique", Value: " a@corp.cn ", Severity: Warning,
			Message: `邮箱 "a@corp.cn" also appears on row 2; each value must be unique`},
		{Row: 7, Key: "C1 (2)", Column: "邮箱", Rule: "unique", Value: "a@corp.cn", Severity: Warning,
			Message: `邮箱 "a@corp.cn" also appears on row 2; each value must be unique`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check mismatch (-want +got):\n%s", diff)
	}
}

func TestCheckReferences(t *testing.T) {
	rs := valCompile(t, RuleSet{Columns: []ColumnRule{
		{Column: "所属集团", References: &Reference{Column: "客户名称"}},
		{Column: "集团编号", Required: true, References: &Reference{Tab: "集团", Column: "编号"}},
	}})
	if diff := cmp.Diff([]string{"集团"}, rs.ReferencedTabs()); diff != "" {
		t.Errorf("ReferencedTabs mismatch (-want +got):\n%s", diff)
	}
	tab := valTable(t, []string{"客户编号", "客户名称", "所属集团", "集团编号"},
		[]string{"C0", "华信投资", "华信集团", "G1"}, // names a row further down
		[]string{"C1", "华信集团", "", "G1"},
		[]string{"C2", "华信科技", "华信集团", "G1"},
		[]string{"C3", "华信物流", "华信科技 ", "G2"},
		[]string{"C4", "远航贸易", "远航集团", "G9"}, // neither exists
		[]string{"C5", "新客户", "远航贸易", ""},
	)
	groups := valTable(t, []string{"编号", "名称"}, []string{"G1", "华信"}, []string{"G2", "远航"})
	got := rs.Check(tab, valNow, valZone, map[string]*Table{"集团": groups})
	want := []Finding{
		{Row: 6, Key: "C4", Column: "所属集团", Rule: "references", Value: "远航集团",
			Message: `所属集团 "远航集团" does not match any 客户名称 in this tab`},
		{Row: 6, Key: "C4", Column: "集团编号", Rule: "references", Value: "G9",
			Message: `集团编号 "G9" does not match any 编号 in tab "集团"`},
		{Row: 7, Key: "C5", Column: "集团编号", Rule: "required", Message: "集团编号 is empty; it must be filled in"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check mismatch (-want +got):\n%s", diff)
	}

	// The referenced tab was not read: one finding, no flood of row
	// findings, and the column's other checks still run.
	got = rs.Check(tab, valNow, valZone, nil)
	want = []Finding{
		{Column: "集团编号", Rule: RuleMissingTab, Severity: Error,
			Message: `tab "集团", which 集团编号 refers to, was not read; check the tab name in the rules`},
		want[0], want[2],
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check without refs mismatch (-want +got):\n%s", diff)
	}

	// The referenced column is not in the other tab's header.
	got = rs.Check(tab, valNow, valZone, map[string]*Table{"集团": valTable(t, []string{"代码"}, []string{"G1"})})
	if len(got) != 3 || got[0].Rule != RuleMissingColumn || got[0].Row != 0 ||
		got[0].Message != `column "编号", which 集团编号 refers to, is not in the header of tab "集团"` {
		t.Errorf("Check with a bad ref tab = %+v, want a missing_column finding then the row findings", got)
	}
}

func TestCheckMissingColumn(t *testing.T) {
	rs := valCompile(t, RuleSet{
		Columns: []ColumnRule{
			{Column: "传真", Type: TypePhone},
			{Column: "客户名称", Required: true},
			{Column: "上级", References: &Reference{Column: "母公司名称"}},
		},
		Rows: []RowRule{{Name: "签约需合同编号", When: map[string][]string{"销售进展": {"签约完成"}}, Require: []string{"合同编号", "传真"}}},
	})
	tab := valTable(t, []string{"客户编号", "客户名称", "上级", "销售进展"},
		[]string{"C1", "", "X", "签约完成"},
	)
	got := rs.Check(tab, valNow, valZone, nil)
	want := []Finding{
		{Column: "传真", Rule: RuleMissingColumn, Severity: Error, Message: `column "传真" named in the rules is not in the header`},
		{Column: "母公司名称", Rule: RuleMissingColumn, Severity: Error, Message: `column "母公司名称" named in the rules is not in the header`},
		{Column: "合同编号", Rule: RuleMissingColumn, Severity: Error, Message: `column "合同编号" named in the rules is not in the header`},
		{Row: 2, Key: "C1", Column: "客户名称", Rule: "required", Severity: Error, Message: "客户名称 is empty; it must be filled in"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check mismatch (-want +got):\n%s", diff)
	}
}

func TestCheckRowRules(t *testing.T) {
	rs := valCompile(t, RuleSet{Rows: []RowRule{
		{Name: "签约需合同编号", When: map[string][]string{"销售进展": {"签约完成"}}, Require: []string{"合同编号", "合同金额"}},
		{Name: "大额需审批", Severity: Warning,
			When:    map[string][]string{"销售进展": {"商务谈判", "签约完成"}, "级别": {"A"}},
			Require: []string{"审批人"}, Message: "{column} must name who approved this deal"},
		{Name: "无阶段", When: map[string][]string{"销售进展": {""}}, Require: []string{"备注"}},
	}})
	header := []string{"客户编号", "销售进展", "级别", "合同编号", "合同金额", "审批人", "备注"}
	tab := valTable(t, header,
		[]string{"C1", "签约完成", "B", "HT-1", "100", "", ""},
		[]string{"C2", " 签约完成 ", "A", "", "100", "", ""},
		[]string{"C3", "商务谈判", "A", "", "", "王五", ""},
		[]string{"C4", "商务谈判", "A", "", "", " ", "x"},
		[]string{"C5", "", "", "", "", "", ""},
		[]string{"C6", "初步洽谈", "A", "", "", "", ""},
	)
	got := rs.Check(tab, valNow, valZone, nil)
	want := []Finding{
		{Row: 3, Key: "C2", Column: "合同编号", Rule: "签约需合同编号",
			Message: `合同编号 is empty; it is required when 销售进展 is "签约完成" (rule 签约需合同编号)`},
		{Row: 3, Key: "C2", Column: "审批人", Rule: "大额需审批", Severity: Warning, Message: "审批人 must name who approved this deal"},
		{Row: 5, Key: "C4", Column: "审批人", Rule: "大额需审批", Severity: Warning, Message: "审批人 must name who approved this deal"},
		{Row: 6, Key: "C5", Column: "备注", Rule: "无阶段",
			Message: `备注 is empty; it is required when 销售进展 is "" (rule 无阶段)`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check mismatch (-want +got):\n%s", diff)
	}
}

func TestCheckMessages(t *testing.T) {
	rules := []ColumnRule{
		{Column: "客户名称", Required: true},
		{Column: "联系方式", Type: TypePhone},
		{Column: "行业", Enum: []string{"IT", "金融"}},
		{Column: "最后跟进日期", Type: TypeDate, NotAfter: "today"},
		{Column: "合同金额", Type: TypeNumber, Min: valPtr(0.0)},
		{Column: "备注", MaxLength: valPtr(4), Message: "{column} 太长了：{value}"},
	}
	tab := valTable(t, []string{"客户编号", "客户名称", "联系方式", "行业", "最后跟进日期", "合同金额", "备注"},
		[]string{"C1", "", "1381234", "零售", "2026-12-01", "-5", "一二三四五"},
	)
	tests := []struct {
		locale string
		want   []string
	}{
		{"en", []string{
			"客户名称 is empty; it must be filled in",
			`联系方式 "1381234" is not a phone number: expected a mainland mobile like 138 0013 8000, a landline like 010-6552 9988, or +country number`,
			`行业 "零售" is not one of the allowed values: "IT", "金融"`,
			`最后跟进日期 "2026-12-01" is too late: it must be on or before 2026-11-29 (today)`,
			`合同金额 "-5" is less than the minimum 0`,
			"备注 太长了：一二三四五",
		}},
		{"zh-CN", []string{
			"客户名称为必填项，不能为空",
			"联系方式“1381234”不是有效的电话号码：应为手机号（如 138 0013 8000）、座机（如 010-6552 9988）或带国家码的号码",
			"行业“零售”不在允许的取值中：“IT”、“金融”",
			"最后跟进日期“2026-12-01”太晚：应不晚于 2026-11-29（今天）",
			"合同金额“-5”小于最小值 0",
			"备注 太长了：一二三四五",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.locale, func(t *testing.T) {
			rs := valCompile(t, RuleSet{Columns: rules, Locale: tt.locale})
			var got []string
			for _, f := range rs.Check(tab, valNow, valZone, nil) {
				got = append(got, f.Message)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("messages mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckCompoundKeyAndLongValue(t *testing.T) {
	long := strings.Repeat("长", 100)
	rs := valCompile(t, RuleSet{Columns: []ColumnRule{{Column: "邮箱", Type: TypeEmail}}})
	tab, err := ParseTable([][]string{{"区域", "编号", "邮箱"}, {"华东", "7", long}}, 1, []string{"区域", "编号"})
	if err != nil {
		t.Fatal(err)
	}
	got := rs.Check(tab, valNow, valZone, nil)
	if len(got) != 1 {
		t.Fatalf("Check = %+v, want one finding", got)
	}
	if got[0].Key != "华东 / 7" || got[0].Value != long {
		t.Errorf("finding key %q and value of %d bytes, want key 华东 / 7 and the whole value", got[0].Key, len(got[0].Value))
	}
	if want := `邮箱 "` + strings.Repeat("长", 40) + `…" is not an e-mail address`; !strings.HasPrefix(got[0].Message, want) {
		t.Errorf("message %q, want it to start with %q", got[0].Message, want)
	}
}

// TestCheckCustomMessageLongValue: a configured message quoting {value}
// shortens the value as the default messages do, so a 50,000-character
// cell cannot make the Needs Review write fail.
func TestCheckCustomMessageLongValue(t *testing.T) {
	long := strings.Repeat("长", 50000)
	rs := valCompile(t, RuleSet{Columns: []ColumnRule{{Column: "邮箱", Type: TypeEmail, Message: "{column}: {value} {value} {value}"}}})
	tab, err := ParseTable([][]string{{"编号", "邮箱"}, {"7", long}}, 1, []string{"编号"})
	if err != nil {
		t.Fatal(err)
	}
	got := rs.Check(tab, valNow, valZone, nil)
	if len(got) != 1 {
		t.Fatalf("Check = %+v, want one finding", got)
	}
	short := strings.Repeat("长", 40) + "…"
	if want := "邮箱: " + short + " " + short + " " + short; got[0].Message != want {
		t.Errorf("message of %d runes, want %q", utf8.RuneCountInString(got[0].Message), want)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name  string
		rs    RuleSet
		field string   // RuleError.Field
		want  []string // parts the error must name
	}{
		{"invalid regex", RuleSet{Columns: []ColumnRule{{Column: "客户编号", Pattern: `^C(\d{5}$`}}}, "pattern", []string{"客户编号", "RE2", "missing closing )"}},
		{"unknown type", RuleSet{Columns: []ColumnRule{{Column: "联系方式", Type: "mobile"}}}, "type", []string{"联系方式", "mobile"}},
		{"misspelt type", RuleSet{Columns: []ColumnRule{{Column: "人数", Type: "interger"}}}, "type", []string{`did you mean "integer"`}},
		{"min over max", RuleSet{Columns: []ColumnRule{{Column: "金额", Type: TypeNumber, Min: valPtr(5.0), Max: valPtr(1.0)}}}, "max", []string{"金额", "1 is less than min 5"}},
		{"min on text", RuleSet{Columns: []ColumnRule{{Column: "金额", Min: valPtr(0.0)}}}, "min", []string{"金额", "integer or number"}},
		{"max on date", RuleSet{Columns: []ColumnRule{{Column: "日期", Type: TypeDate, Max: valPtr(0.0)}}}, "max", []string{"not_before/not_after"}},
		{"empty enum", RuleSet{Columns: []ColumnRule{{Column: "行业", Enum: []string{}}}}, "enum", []string{"行业", "no value"}},
		{"blank enum value", RuleSet{Columns: []ColumnRule{{Column: "行业", Enum: []string{"IT", " "}}}}, "enum[1]", []string{"行业", "empty"}},
		{"enum of wrong type", RuleSet{Columns: []ColumnRule{{Column: "级别", Type: TypeInteger, Enum: []string{"1", "高"}}}}, "enum[1]", []string{"级别", "高", "integer"}},
		{"enum listed twice", RuleSet{Columns: []ColumnRule{{Column: "行业", Enum: []string{"IT", "金融", "IT"}}}}, "enum[2]", []string{"IT", "twice", "enum[0]"}},
		{"enum twice ignoring case", RuleSet{Columns: []ColumnRule{{Column: "行业", Enum: []string{"it", "ＩＴ"}, IgnoreCase: true}}}, "enum[1]", []string{"twice"}},
		{"invalid date bound", RuleSet{Columns: []ColumnRule{{Column: "日期", Type: TypeDate, NotAfter: "tomorrow"}}}, "not_after", []string{"日期", "tomorrow", "today-30d"}},
		{"bad relative bound", RuleSet{Columns: []ColumnRule{{Column: "日期", Type: TypeDate, NotBefore: "today-30m"}}}, "not_before", []string{"日期", "d (days) or w (weeks)"}},
		{"impossible date", RuleSet{Columns: []ColumnRule{{Column: "日期", Type: TypeDate, NotBefore: "2026-02-30"}}}, "not_before", []string{"2026-02-30"}},
		{"bound on text", RuleSet{Columns: []ColumnRule{{Column: "日期", NotAfter: "today"}}}, "not_after", []string{"日期", "date or datetime"}},
		{"bounds crossed", RuleSet{Columns: []ColumnRule{{Column: "日期", Type: TypeDate, NotBefore: "today", NotAfter: "today-1d"}}}, "not_after", []string{"日期", "earlier than not_before"}},
		{"length on date", RuleSet{Columns: []ColumnRule{{Column: "日期", Type: TypeDate, MaxLength: valPtr(3)}}}, "max_length", []string{"日期", "text"}},
		{"negative length", RuleSet{Columns: []ColumnRule{{Column: "名称", MinLength: valPtr(-1)}}}, "min_length", []string{"negative"}},
		{"lengths crossed", RuleSet{Columns: []ColumnRule{{Column: "名称", MinLength: valPtr(5), MaxLength: valPtr(2)}}}, "max_length", []string{"名称", "min_length 5"}},
		{"reference without column", RuleSet{Columns: []ColumnRule{{Column: "集团", References: &Reference{Tab: "集团"}}}}, "references", []string{"集团", "no column"}},
		{"two rules for a column", RuleSet{Columns: []ColumnRule{{Column: "名称"}, {Column: "名称"}}}, "", []string{"名称", "two rules"}},
		{"empty column name", RuleSet{Columns: []ColumnRule{{Column: " "}}}, "", []string{"column name"}},
		{"bad severity", RuleSet{Columns: []ColumnRule{{Column: "名称", Severity: 7}}}, "severity", []string{"名称", "7"}},
		{"row rule without name", RuleSet{Rows: []RowRule{{When: map[string][]string{"a": {"b"}}, Require: []string{"c"}}}}, "name", []string{"#1", "empty"}},
		{"row rules with one name", RuleSet{Rows: []RowRule{
			{Name: "r", When: map[string][]string{"a": {"b"}}, Require: []string{"c"}},
			{Name: "r", When: map[string][]string{"a": {"b"}}, Require: []string{"d"}}}}, "name", []string{`"r"`, "earlier row rule"}},
		{"row rule without when", RuleSet{Rows: []RowRule{{Name: "r", Require: []string{"c"}}}}, "when", []string{`"r"`, "at least one column"}},
		{"row rule without values", RuleSet{Rows: []RowRule{{Name: "r", When: map[string][]string{"a": nil}, Require: []string{"c"}}}}, "when.a", []string{`"r"`, "no value"}},
		{"row rule without require", RuleSet{Rows: []RowRule{{Name: "r", When: map[string][]string{"a": {"b"}}}}}, "require", []string{`"r"`, "at least one column"}},
		{"row rule requires twice", RuleSet{Rows: []RowRule{{Name: "r", When: map[string][]string{"a": {"b"}}, Require: []string{"c", "c"}}}}, "require[1]", []string{`"c"`, "twice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.rs)
			if err == nil {
				t.Fatal("Compile: no error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Compile error %v does not wrap ErrInvalid", err)
			}
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("Compile error %v is not a *RuleError", err)
			}
			if re.Field != tt.field {
				t.Errorf("RuleError.Field = %q, want %q (%v)", re.Field, tt.field, err)
			}
			if strings.Contains(err.Error(), ": invalid") {
				t.Errorf("Compile error %q shows the bare sentinel", err)
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("Compile error %q does not name %q", err, part)
				}
			}
		})
	}
	t.Run("unknown locale", func(t *testing.T) {
		_, err := Compile(RuleSet{Locale: "fr"})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"fr"`) {
			t.Errorf("Compile(locale fr) = %v, want an error naming it", err)
		}
	})
}

// Compile reports every problem of a set at once, in the set's order, so
// that a configuration is fixed in one round.
func TestCompileReportsEveryProblem(t *testing.T) {
	_, err := Compile(RuleSet{
		Columns: []ColumnRule{
			{Column: "客户编号", Pattern: "("},
			{Column: "合同金额", Type: TypeNumber, Enum: []string{"¥100", "很多"}, Min: valPtr(9.0), Max: valPtr(1.0)},
			{Column: "客户名称", Required: true},
		},
		Rows: []RowRule{{Name: "签约需合同编号", When: map[string][]string{"销售进展": {"签约完成"}}}},
	})
	var es RuleErrors
	if !errors.As(err, &es) {
		t.Fatalf("Compile = %v, want RuleErrors", err)
	}
	type at struct{ Column, Field string }
	var got []at
	for _, e := range es {
		got = append(got, at{e.Column, e.Field})
	}
	want := []at{{"客户编号", "pattern"}, {"合同金额", "enum[1]"}, {"合同金额", "max"}, {"", "require"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s\n%v", diff, err)
	}
}

func TestCheckNoFindings(t *testing.T) {
	rs := valCompile(t, RuleSet{Columns: []ColumnRule{{Column: "客户名称", Required: true}}, Locale: "zh_CN"})
	tab := valTable(t, []string{"客户编号", "客户名称"}, []string{"C1", "甲"}, []string{"C2", "乙"})
	if got := rs.Check(tab, valNow, nil, nil); len(got) != 0 {
		t.Errorf("Check = %+v, want no findings", got)
	}
}

func TestParseSeverity(t *testing.T) {
	for in, want := range map[string]Severity{"": Error, "error": Error, "Warning": Warning, " info ": Info} {
		got, err := ParseSeverity(in)
		if err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	if _, err := ParseSeverity("fatal"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseSeverity(fatal) error = %v, want ErrInvalid", err)
	}
}
