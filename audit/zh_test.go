package audit_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

// A cycle under zh-CN writes no English label: not in the Change Log
// (headers, change types, baseline, continuation) and not in Needs Review
// (first line, headers, severities, rule names, the duplicate-key message,
// the bad-paste alarm).
func TestCycleInChineseWritesNoEnglish(t *testing.T) {
	ctx := context.Background()
	clock := audittest.NewClock(time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC))
	sh, _ := time.LoadLocation("Asia/Shanghai")
	rows := func(phone func(i int) string) [][]string {
		v := [][]string{{"客户编号", "客户名称", "联系方式", "负责人", "最后跟进日期"}}
		for i := range 30 {
			v = append(v, []string{fmt.Sprintf("C%05d", i), "客户" + fmt.Sprint(i), phone(i), []string{"张三", "李四"}[i%2], "2026-10-01"})
		}
		return append(v, []string{"C00001", "重复", "", "王五", ""}, []string{"C00099", strings.Repeat("长", 40000), "", "", ""})
	}
	wb := audittest.NewWorkbook(map[string][][]string{"客户": rows(func(i int) string { return fmt.Sprint(13800000000 + i) })})
	store := audittest.NewStore()
	rules, err := audit.Compile(audit.RuleSet{Locale: "zh-CN", Columns: []audit.ColumnRule{{Column: "联系方式", Type: audit.TypePhone}}})
	if err != nil {
		t.Fatal(err)
	}
	spec := audit.Spec{
		Name: "clients", Tab: "客户", HeaderRow: 1, Key: []string{"客户编号"}, Locale: "zh-CN",
		ChangeLogTab: "变更记录", ReviewTab: "待核查", Rules: rules, Paste: &audit.DefaultPastePolicy,
		Stale: &audit.StalePolicy{DateColumn: "最后跟进日期", OwnerColumn: "负责人", CustomerColumn: "客户名称",
			Default: 30 * 24 * time.Hour, Locale: "zh-CN"},
	}
	c := &audit.Cycle{Spec: spec, Workbook: wb, Store: store, State: store, Logger: zaptest.NewLogger(t), Now: clock.Now, Location: sh}
	if _, err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	// Someone pastes one number over the whole phone column.
	wb.Set("客户", rows(func(int) string { return "12345" }))
	clock.Advance(time.Hour)
	res, err := c.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.PasteAlarms) != 1 || res.PasteAlarms[0].Column != "联系方式" {
		t.Fatalf("paste alarms = %+v, want one on 联系方式", res.PasteAlarms)
	}
	review, err := wb.ReadTab(ctx, "待核查")
	if err != nil {
		t.Fatal(err)
	}
	top := review.Values[2]
	if !strings.Contains(strings.Join(top, "|"), "sheetaudit restore "+store.Snapshots("clients")[0].ID+" --columns 联系方式") {
		t.Errorf("first finding = %q, want the bad-paste alarm with its undo command", top)
	}
	log, err := wb.ReadTab(ctx, "变更记录")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(fmt.Sprint(log.Values), "修改单元格"); n != 30 {
		t.Errorf("Change Log has %d modified cells, want each of the 30 pasted over", n)
	}

	labels := audit.EnglishLabels()
	word := regexp.MustCompile(`[A-Za-z][A-Za-z ]*[A-Za-z]`)
	for tabName, tab := range map[string]*audit.Tab{"变更记录": log, "待核查": review} {
		for i, r := range tab.Values {
			for j, v := range r {
				if strings.HasPrefix(v, "sheetaudit ") || strings.Contains(v, "'客户'!") {
					continue // commands and cell addresses are not words
				}
				text := strings.ReplaceAll(v, "sheetaudit restore", "")
				for _, l := range labels {
					if strings.EqualFold(strings.TrimSpace(v), l) ||
						(strings.Contains(l, " ") && strings.Contains(strings.ToLower(text), strings.ToLower(l))) {
						t.Errorf("%s row %d column %d = %q holds the English label %q", tabName, i+1, j+1, v, l)
					}
				}
				for _, p := range audit.EnglishPhrases {
					if strings.Contains(text, p) {
						t.Errorf("%s row %d column %d = %q holds the English %q", tabName, i+1, j+1, v, p)
					}
				}
				if w := word.FindString(strings.NewReplacer("--columns", "", "UTC", "").Replace(text)); w != "" && !isID(v) {
					t.Errorf("%s row %d column %d = %q holds the Latin word %q", tabName, i+1, j+1, v, w)
				}
			}
		}
	}
}

// isID reports values that are identifiers, not words: keys, snapshot and
// cycle ids, times, the undo command's parts.
func isID(v string) bool {
	return regexp.MustCompile(`^(C\d{5}|s\d+|\d{8}T\d{6}(\.\d{3})?Z(-[0-9a-f]+)?|[\d: -]+)$`).MatchString(v) ||
		strings.Contains(v, "sheetaudit restore")
}
