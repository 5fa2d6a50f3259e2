package audit

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Every text a user reads in the tabs has a zh-CN form: each string, list
// and map of the English catalog has its Chinese counterpart, filled in.
func TestCatalogsHaveChinese(t *testing.T) {
	walkCatalog(t, "catalog", reflect.ValueOf(*english), reflect.ValueOf(*chinese))
	for _, k := range []ChangeKind{RowAdded, RowRemoved, CellModified, ColumnAdded, ColumnRemoved,
		ColumnRenamed, ValueRecalculated, HeaderChanged, Restored, AccessAdded, AccessRemoved, AccessChanged} {
		for name, c := range map[string]*catalog{"en": english, "zh-CN": chinese} {
			if _, ok := c.changeLog.kinds[k]; !ok {
				t.Errorf("%s catalog has no Change Log name for %q", name, k)
			}
		}
	}
	for _, r := range []string{"key", "header", RuleStale, RuleDueSoon, RuleMissingColumn, RuleMissingTab,
		RuleBadPaste, "required", "enum", "pattern", "min", "max", "min_length", "max_length",
		"not_before", "not_after", "unique", "references", RuleAccessAnyone, RuleAccessDomain, RuleAccessOutside,
		RuleAccessWriters, RuleChangeLogDeleted, RuleChangeLogEdited, RuleChangeLogReordered} {
		if _, ok := chinese.rules[r]; !ok {
			t.Errorf("zh-CN catalog has no name for rule %q", r)
		}
	}
	for _, ty := range allTypes {
		if _, ok := chinese.typeNames[ty]; !ok && ty != TypeText && ty != "" {
			t.Errorf("zh-CN catalog has no name for type %q", ty)
		}
	}
}

func walkCatalog(t *testing.T, path string, en, zh reflect.Value) {
	t.Helper()
	switch en.Kind() {
	case reflect.String:
		if zh.String() == "" && en.String() != "" {
			t.Errorf("%s: zh-CN text missing (en %q)", path, en.String())
		}
		if en.String() == "" && zh.String() != "" {
			t.Errorf("%s: English text missing (zh-CN %q)", path, zh.String())
		}
	case reflect.Slice, reflect.Array:
		if en.Len() != zh.Len() {
			t.Errorf("%s: %d English texts, %d zh-CN", path, en.Len(), zh.Len())
			return
		}
		for i := range en.Len() {
			walkCatalog(t, fmt.Sprintf("%s[%d]", path, i), en.Index(i), zh.Index(i))
		}
	case reflect.Map:
		for _, k := range en.MapKeys() {
			z := zh.MapIndex(k)
			if !z.IsValid() {
				t.Errorf("%s[%v]: zh-CN text missing", path, k)
				continue
			}
			walkCatalog(t, fmt.Sprintf("%s[%v]", path, k), en.MapIndex(k), z)
		}
	case reflect.Struct:
		for i := range en.NumField() {
			walkCatalog(t, path+"."+en.Type().Field(i).Name, en.Field(i), zh.Field(i))
		}
	}
}

func logTable(t *testing.T, values [][]string) *Table {
	t.Helper()
	tab, err := ParseTable(values, 1, []string{"编号"})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func cellTexts(rows [][]Cell) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		for _, c := range r {
			out[i] = append(out[i], c.String())
		}
	}
	return out
}

func TestChangeLogCellsReadLikeAHistory(t *testing.T) {
	old := logTable(t, [][]string{{"编号", "名称", "电话"}, {"1", "华为", "138"}, {"2", "腾讯", ""}})
	new := logTable(t, [][]string{{"编号", "电话", "名称"}, {"1", "139", "华为"}, {"3", "", "字节"}})
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	e := ChangeLogEntry{At: at, From: "s1", To: "s2", Cycle: "c9", Locale: "zh-CN"}
	rows := ChangeLogCells(Diff(old, new), old, new, e)
	want := [][]string{
		{"2026-11-29 09:00:00", "表头变更", "", "", "编号；名称；电话", "编号；电话；名称", "s2", "c9"},
		{"2026-11-29 09:00:00", "修改单元格", "1", "电话", "138", "139", "s2", "c9"},
		{"2026-11-29 09:00:00", "新增行", "3", "", "", "编号：3；名称：字节", "s2", "c9"},
		{"2026-11-29 09:00:00", "删除行", "2", "", "编号：2；名称：腾讯", "", "s2", "c9"},
	}
	if diff := cmp.Diff(want, cellTexts(rows)); diff != "" {
		t.Errorf("ChangeLogCells mismatch (-want +got):\n%s", diff)
	}
	if rows[0][0].Kind != TimeCell {
		t.Errorf("time column is %v, want a time cell", rows[0][0].Kind)
	}
	if h := ChangeLogHeaderCells("zh-CN"); len(h) != len(rows[0]) || h[7].Text != "轮次" {
		t.Errorf("header = %v, want 8 columns ending with the cycle", h)
	}
}

// A row longer than a cell holds goes on continuation rows, so the log
// never stops on it (a 50,000-character cell refused every cycle).
func TestChangeLogCellsSplitsLongRows(t *testing.T) {
	long := strings.Repeat("长", 30000)
	old := logTable(t, [][]string{{"编号", "甲", "乙"}})
	new := logTable(t, [][]string{{"编号", "甲", "乙"}, {"1", long, long}})
	rows := ChangeLogCells(Diff(old, new), old, new, ChangeLogEntry{To: "s2", Cycle: "c", Locale: "en"})
	if len(rows) != 2 {
		t.Fatalf("%d rows, want the row and one continuation", len(rows))
	}
	var joined strings.Builder
	for i, r := range rows {
		if n := utf16Len(r[5].Text); n > CellTextLimit {
			t.Errorf("row %d holds %d characters, more than %d", i, n, CellTextLimit)
		}
		if r[2].Text != "1" || r[7].Text != "c" {
			t.Errorf("row %d = key %q cycle %q; continuation rows keep the key and cycle", i, r[2].Text, r[7].Text)
		}
		joined.WriteString(r[5].Text)
	}
	if rows[1][1].Text != "row added (continued)" {
		t.Errorf("continuation kind = %q", rows[1][1].Text)
	}
	if want := "编号: 1; 甲: " + long + "; 乙: " + long; joined.String() != want {
		t.Error("the pieces do not add up to the row")
	}
	for _, s := range []string{"", "abc", strings.Repeat("😀", 20000), strings.Repeat("a;", 40000)} {
		parts := SplitCellText(s, 1000)
		if strings.Join(parts, "") != s {
			t.Errorf("SplitCellText lost text of a %d-byte string", len(s))
		}
		for _, p := range parts {
			if utf16Len(p) > 1000 {
				t.Errorf("piece of %d units", utf16Len(p))
			}
		}
	}
}

func TestChangeLogCellsLimit(t *testing.T) {
	var changes []Change
	for i := range 10 {
		changes = append(changes, Change{Kind: CellModified, Key: fmt.Sprint(i), Column: "v", Old: "a", New: "b"})
	}
	rows := ChangeLogCells(changes, nil, nil, ChangeLogEntry{From: "s1", To: "s2", Limit: 5, Locale: "zh-CN"})
	if len(rows) != 5 || rows[4][1].Text != "汇总" || !strings.Contains(rows[4][5].Text, "另有 6 条变更") {
		t.Errorf("rows = %v, want 4 changes and a summary of 6 more", cellTexts(rows))
	}
	if rows := ChangeLogCells(changes[:5], nil, nil, ChangeLogEntry{Limit: 5}); len(rows) != 5 || rows[4][1].Text != "cell modified" {
		t.Errorf("5 changes under a limit of 5 = %v, want all five", cellTexts(rows))
	}
}

func TestReviewCellsWorkList(t *testing.T) {
	table := logTable(t, [][]string{
		{"编号", "客户", "负责人"}, {"1", "华为", "张三"}, {"2", "腾讯", "李四"}, {"3", "字节", "张三"},
	})
	findings := []Finding{
		{Row: 2, Key: "1", Column: "客户", Rule: RuleStale, Severity: Warning, Message: "stale"},
		{Row: 4, Key: "3", Column: "客户", Rule: RuleDueSoon, Severity: Info, Message: "soon"},
		{Row: 3, Key: "2", Column: "负责人", Rule: "required", Severity: Error, Message: "data"},
		{Row: 4, Key: "3", Column: "客户", Rule: "pattern", Severity: Warning, Message: "warn"},
		{Row: 1, Column: "客户", Rule: RuleBadPaste, Severity: Error, Message: "paste"},
	}
	in := ReviewInput{
		Findings: findings, Meta: TabMeta{Title: "客户"}, Table: table, Locale: "zh-CN",
		Produced: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC), OwnerColumn: "负责人", CustomerColumn: "客户",
	}
	rows := ReviewCells(in)
	got := cellTexts(rows)
	if !strings.Contains(got[0][0], "按负责人：张三 3、李四 1、（无负责人） 1") || !strings.Contains(got[0][0], "错误 2 条") {
		t.Errorf("first line = %q, want counts by severity and by owner", got[0][0])
	}
	if want := []string{"严重程度", "行号", "键", "负责人", "客户", "列", "规则", "值", "说明", "链接"}; !cmp.Equal(got[1], want) {
		t.Errorf("header = %q, want %q", got[1], want)
	}
	var order []string
	for _, r := range got[2:] {
		order = append(order, r[8])
	}
	if want := []string{"paste", "data", "warn", "soon", "stale"}; !cmp.Equal(order, want) {
		t.Errorf("order = %q, want alarm, data error, data warning, due soon, stale", order)
	}
	r := rows[3] // the data error on row 3
	if r[1].Kind != NumberCell || r[1].Num != 3 || r[3].Text != "李四" || r[4].Text != "腾讯" {
		t.Errorf("data error row = %v, want row 3 as a number with owner and customer", cellTexts([][]Cell{r}))
	}
	if r[9].Link != "#'客户'!C3" || r[9].Text != "打开 C3" {
		t.Errorf("link = %+v, want a link to '客户'!C3", r[9])
	}
	lay := ReviewLayoutFor(in)
	if len(lay.Widths) != len(got[1]) || lay.HeaderRows != 2 || !lay.Filter || lay.Highlights[0].Value != "错误" {
		t.Errorf("layout = %+v, want widths for each column, two header rows, a filter, zh-CN severities", lay)
	}
	in.OwnerColumn, in.CustomerColumn = "", ""
	if got := cellTexts(ReviewCells(in)); len(got[1]) != 8 {
		t.Errorf("without owner and customer columns the header is %q", got[1])
	}
}

func TestDetectPaste(t *testing.T) {
	values := [][]string{{"编号", "电话", "备注"}}
	for i := range 30 {
		values = append(values, []string{fmt.Sprint(i), fmt.Sprint(13800000000 + i), ""})
	}
	old := logTable(t, values)
	var changes []Change
	for i := range 25 {
		changes = append(changes, Change{Kind: CellModified, Key: fmt.Sprint(i), Column: "电话", New: "138"})
	}
	for i := range 10 {
		changes = append(changes, Change{Kind: CellModified, Key: fmt.Sprint(i), Column: "备注", New: "x"})
	}
	got := DetectPaste(changes, old, "20261128T080000Z-aa", "s2", DefaultPastePolicy)
	want := []PasteAlarm{{Column: "电话", Changed: 25, Filled: 30, From: "20261128T080000Z-aa", To: "s2",
		Undo: "sheetaudit restore 20261128T080000Z-aa --columns 电话"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DetectPaste mismatch (-want +got):\n%s", diff)
	}
	if got := DetectPaste(changes[:19], old, "a", "b", DefaultPastePolicy); got != nil {
		t.Errorf("19 cells raised %v; at least 20 are needed", got)
	}
	if got := DetectPaste(changes[:20], old, "a", "b", PastePolicy{MinShare: 0.9, MinCells: 20}); got != nil {
		t.Errorf("20 of 30 cells raised %v under a 90%% share", got)
	}
	f := PasteAlarm{Column: "Last Contact", Changed: 25, Filled: 30, From: "a", To: "b", By: "王五",
		Undo: "sheetaudit restore a --columns " + shellQuote("Last Contact")}.Finding("s", 1, "en")
	if !strings.Contains(f.Message, "sheetaudit restore a --columns 'Last Contact'") || !strings.Contains(f.Message, "王五") {
		t.Errorf("message = %q, want the undo command and who edited", f.Message)
	}
}

func TestRestoredLayout(t *testing.T) {
	values := [][]string{{"说明"}, {"客户编号", "客户名称"}, {"C00001", strings.Repeat("长", 100)}}
	l := RestoredLayout(values, 2)
	if l.HeaderRows != 2 || !l.Filter || len(l.Widths) != 2 || l.Widths[0] < 60 || l.Widths[1] != 320 {
		t.Errorf("RestoredLayout = %+v, want two frozen rows, a filter and widths from 60 to 320", l)
	}
	if got := cellTexts(RestoredCells(values)); !cmp.Equal(got, values) {
		t.Errorf("RestoredCells = %q, want the values as text", got)
	}
}
