package xlsx

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

// tabLook is what a person sees of a tab sheetaudit wrote: what
// TestTabsReadBack checks of each, read back by reopening the file.
type tabLook struct {
	title      string
	headerRows int
	filter     bool
	widths     map[string]float64 // column → width in characters (pixels / 7)
	numbers    []string           // cells that must hold a number
	times      []string           // cells that must hold a date-time
	links      []string           // cells that must be links (never formulas)
	wrapped    []string           // cells whose text wraps
	bold       []string           // cells below the header shown bold (section titles)
	plain      []string           // cells below the header not bold
	rules      int                // conditional format rules (severity by colour)
}

// TestTabsReadBack runs two cycles and writes the weekly report's tab and a
// Restored tab into an .xlsx file, then reopens it and reads back, for each
// tab, the frozen rows, the bold header, the filter, the widths, the links
// and the numeric cells.
func TestTabsReadBack(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"客户": {
		{"客户编号", "客户名称", "负责人", "最后跟进日期", "联系方式"},
		{"C00001", "华为", "张三", "2026-09-01", "13800000001"},
		{"C00002", "腾讯", "李四", "2026-11-30", "bad phone"},
		{"C00003", "字节", "张三", "2026-08-01", "13800000003"},
	}})
	w := openTest(t, path)
	store := audittest.NewStore()
	clock := audittest.NewClock(time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC))
	rules, err := audit.Compile(audit.RuleSet{Columns: []audit.ColumnRule{{Column: "联系方式", Type: audit.TypePhone}}})
	if err != nil {
		t.Fatal(err)
	}
	spec := audit.Spec{Name: "s", Tab: "客户", HeaderRow: 1, Key: []string{"客户编号"}, ChangeLogTab: "Change Log",
		ReviewTab: "Needs Review", Rules: rules,
		Stale: &audit.StalePolicy{DateColumn: "最后跟进日期", OwnerColumn: "负责人", CustomerColumn: "客户名称", Default: 30 * 24 * time.Hour}}
	run := func() {
		t.Helper()
		clock.Advance(time.Hour)
		c := &audit.Cycle{Spec: spec, Workbook: w, Store: store, State: store, Now: clock.Now, Logger: zaptest.NewLogger(t)}
		if _, err := c.Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if err := w.WriteCells(ctx, "客户", map[string]string{"B2": "华为技术",
		"A5": "C00004", "B5": "网易", "C5": "王五", "D5": "2026-07-01", "E5": "13800000004"}); err != nil {
		t.Fatal(err)
	}
	run()

	r := audit.Report{Sheet: "s", Week: "2026-W49", Produced: clock.Now(), FirstWeek: true, Rows: 4, Active: 4}
	for i, o := range []string{"张三", "张三", "王五"} {
		r.Items = append(r.Items, audit.StaleItem{Key: "C0000" + strconv.Itoa(i+1), Owner: o, Row: i + 2,
			DaysSince: 40 + i, Threshold: 30, DaysOverdue: 10 + i, Rule: "default", Explanation: "stale",
			LastFollowUp: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), From: audit.Date{Y: 2026, M: time.October, D: 1}})
	}
	r.DataTab = "客户" // no URLs in a file: keys link to their rows in the data tab
	r.Stale = len(r.Items)
	report := r.Tab("en")
	restored := [][]string{{"客户编号", "客户名称"}, {"C00001", "华为"}}
	restoredLayout := audit.RestoredLayout(restored, 1)
	err = w.WriteBack(ctx, &audit.WriteBack{Location: time.UTC, Tabs: []audit.TabWrite{
		{Title: "Staleness Report", Rows: report.Rows, Layout: &audit.Layout{HeaderRows: 1, Widths: []int{150, 200}, Wrap: []int{8}, BoldRows: report.HeaderRows}},
		{Title: "Restored 客户", Rows: audit.RestoredCells(restored), Layout: &restoredLayout},
	}})
	if err != nil {
		t.Fatal(err)
	}
	item := ""
	for i, row := range report.Rows {
		if len(row) > 0 && row[0].Link != "" {
			item = strconv.Itoa(i + 1)
		}
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, target, _ := f.GetCellHyperLink("Staleness Report", "A"+item); target != "'客户'!A4" {
		t.Errorf("the last listed key links to %q, want its row '客户'!A4", target)
	}
	for _, want := range []tabLook{
		{title: "Change Log", headerRows: 1, filter: true, widths: map[string]float64{"A": 150, "E": 300},
			times: []string{"A2", "A3"}, wrapped: []string{"E3", "F3"}, rules: len(audit.ChangeLogLayout("en").Highlights)},
		{title: "Needs Review", headerRows: 2, filter: true, widths: map[string]float64{"A": 80, "D": 90},
			numbers: []string{"B3", "B4"}, links: []string{"J3", "J4"}, wrapped: []string{"I3"}, rules: 3},
		{title: "Staleness Report", headerRows: 1, widths: map[string]float64{"A": 150, "B": 200},
			numbers: []string{"A6", "B6", "H10", "F" + item, "G" + item, "H" + item}, links: []string{"A" + item},
			bold: []string{"A5", "A8", "A9"}, plain: []string{"A6", "A10"}},
		{title: "Restored 客户", headerRows: 1, filter: true},
	} {
		t.Run(want.title, func(t *testing.T) { checkLook(t, f, path, want) })
	}
}

var cfRule = regexp.MustCompile(`<cfRule\b`)

func checkLook(t *testing.T, f *excelize.File, path string, want tabLook) {
	t.Helper()
	sheet := want.title
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != want.headerRows {
		t.Errorf("panes = %+v (%v), want %d frozen rows", panes, err, want.headerRows)
	}
	style := func(cell string) *excelize.Style {
		id, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	for r := 1; r <= want.headerRows; r++ {
		if st := style("A" + strconv.Itoa(r)); st.Font == nil || !st.Font.Bold {
			t.Errorf("header row %d is not bold: %+v", r, st)
		}
	}
	x := partOf(t, path, sheet)
	filter := regexp.MustCompile(`<autoFilter ref="A` + strconv.Itoa(max(want.headerRows, 1)) + `:[A-Z]+\d+"`)
	if filter.MatchString(x) != want.filter {
		t.Errorf("autoFilter from the header row: %v, want %v:\n%s", !want.filter, want.filter, x)
	}
	for col, px := range want.widths {
		if wd, err := f.GetColWidth(sheet, col); err != nil || wd < px/7-0.5 || wd > px/7+0.5 {
			t.Errorf("column %s is %v characters wide (%v), want %v px", col, wd, err, px)
		}
	}
	for _, cell := range want.numbers {
		if typ, err := f.GetCellType(sheet, cell); err != nil || typ != excelize.CellTypeNumber {
			t.Errorf("%s is %v (%v), want a number", cell, typ, err)
		}
	}
	for _, cell := range want.times {
		typ, _ := f.GetCellType(sheet, cell)
		if st := style(cell); typ != excelize.CellTypeNumber || st.CustomNumFmt == nil || *st.CustomNumFmt != DateTimeFormat {
			t.Errorf("%s is %v styled %+v, want a date-time serial", cell, typ, st)
		}
	}
	for _, cell := range want.links {
		if ok, target, err := f.GetCellHyperLink(sheet, cell); err != nil || !ok || target == "" {
			t.Errorf("%s link = %v %q (%v), want a hyperlink", cell, ok, target, err)
		}
		if fm, _ := f.GetCellFormula(sheet, cell); fm != "" {
			t.Errorf("%s holds the formula %q", cell, fm)
		}
	}
	for _, cell := range want.bold {
		if st := style(cell); st.Font == nil || !st.Font.Bold {
			t.Errorf("%s is not bold: %+v", cell, st)
		}
	}
	for _, cell := range want.plain {
		if st := style(cell); st.Font != nil && st.Font.Bold {
			t.Errorf("%s is bold, want plain", cell)
		}
	}
	for _, cell := range want.wrapped {
		if st := style(cell); st.Alignment == nil || !st.Alignment.WrapText {
			t.Errorf("%s does not wrap: %+v", cell, st)
		}
	}
	if n := len(cfRule.FindAllString(x, -1)); n != want.rules {
		t.Errorf("%d conditional format rules, want %d", n, want.rules)
	}
}
