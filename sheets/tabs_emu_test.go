package sheets

import (
	"context"
	"strconv"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// tabLook is what a person sees of a tab sheetaudit wrote: what
// TestTabsReadBack checks of each, read back through the real client.
type tabLook struct {
	title      string
	headerRows int64
	filter     bool
	widths     map[int]int64 // 0-based column → pixels
	numbers    []string      // A1 cells that must hold a number
	times      []string      // A1 cells that must hold a date-time
	links      []string      // A1 cells that must be links (never formulas)
	wrapped    []string      // A1 cells whose text wraps
	bold       []string      // cells below the header shown bold (section titles)
	plain      []string      // cells below the header not bold
	rules      int           // conditional format rules (severity by colour)
}

// TestTabsReadBack runs two cycles and a weekly report against the
// emulator and reads back, through the real Sheets client, the frozen
// rows, the bold header, the filter, the widths, the links and the numeric
// cells of each tab sheetaudit writes: Change Log, Needs Review, Staleness
// Report and a Restored tab.
func TestTabsReadBack(t *testing.T) {
	ctx := context.Background()
	data := [][]string{
		{"客户编号", "客户名称", "负责人", "最后跟进日期", "联系方式"},
		{"C00001", "华为", "张三", "2026-09-01", "13800000001"},
		{"C00002", "腾讯", "李四", "2026-11-30", "bad phone"},
		{"C00003", "字节", "张三", "2026-08-01", "13800000003"},
	}
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"客户": data})
	store := audittest.NewStore()
	clock := audittest.NewClock(time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC))
	rules, err := audit.Compile(audit.RuleSet{Columns: []audit.ColumnRule{{Column: "联系方式", Type: audit.TypePhone}}})
	if err != nil {
		t.Fatal(err)
	}
	stale := &audit.StalePolicy{DateColumn: "最后跟进日期", OwnerColumn: "负责人", CustomerColumn: "客户名称", Default: 30 * 24 * time.Hour}
	spec := audit.Spec{Name: "s", Tab: "客户", HeaderRow: 1, Key: []string{"客户编号"}, ChangeLogTab: "Change Log",
		ReviewTab: "Needs Review", Rules: rules, Stale: stale}
	wb := openBook(t, srv, Options{})
	run := func() {
		t.Helper()
		clock.Advance(time.Hour)
		c := &audit.Cycle{Spec: spec, Workbook: wb, Store: store, State: store, Now: clock.Now, Logger: zaptest.NewLogger(t)}
		if _, err := c.Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	run()
	data[1][1] = "华为技术"
	data = append(data, []string{"C00004", "网易", "王五", "2026-07-01", "13800000004"})
	if err := srv.SetValues(testID, "客户", data); err != nil {
		t.Fatal(err)
	}
	run()

	// The weekly report's tab, as report.writeTab writes it.
	r := audit.Report{Sheet: "s", Week: "2026-W49", Produced: clock.Now(), FirstWeek: true, Rows: 4, Active: 4}
	for i, o := range []string{"张三", "张三", "王五"} {
		r.Items = append(r.Items, audit.StaleItem{Key: "C0000" + string(rune('1'+i)), Owner: o, Row: i + 2,
			DaysSince: 40 + i, Threshold: 30, DaysOverdue: 10 + i, Rule: "default", Explanation: "stale",
			LastFollowUp: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), From: audit.Date{Y: 2026, M: time.October, D: 1},
			Link: "https://docs.google.com/spreadsheets/d/" + testID + "/edit#gid=0&range=A" + string(rune('2'+i))})
	}
	r.Stale = len(r.Items)
	report := r.Tab("en")
	restored := [][]string{{"客户编号", "客户名称"}, {"C00001", "华为"}}
	restoredLayout := audit.RestoredLayout(restored, 1)
	err = wb.WriteBack(ctx, &audit.WriteBack{Location: time.UTC, Tabs: []audit.TabWrite{
		{Title: "Staleness Report", Rows: report.Rows, Layout: &audit.Layout{HeaderRows: 1, Widths: []int{150, 200}, Wrap: []int{8}, BoldRows: report.HeaderRows}},
		{Title: "Restored 客户", Rows: audit.RestoredCells(restored), Layout: &restoredLayout},
	}})
	if err != nil {
		t.Fatal(err)
	}
	itemRow := 0
	for i, row := range report.Rows {
		if len(row) > 0 && row[0].Link != "" {
			itemRow = i + 1
		}
	}

	for _, want := range []tabLook{
		{title: "Change Log", headerRows: 1, filter: true, widths: map[int]int64{0: 150, 4: 300},
			times: []string{"A2", "A3"}, wrapped: []string{"E3", "F3"}, rules: len(audit.ChangeLogLayout("en").Highlights)},
		{title: "Needs Review", headerRows: 2, filter: true, widths: map[int]int64{0: 80, 3: 90},
			numbers: []string{"B3", "B4"}, links: []string{"J3", "J4"}, rules: 3},
		{title: "Staleness Report", headerRows: 1, widths: map[int]int64{0: 150, 1: 200},
			numbers: []string{"A6", "B6", "H10", "F" + itoa(itemRow), "G" + itoa(itemRow), "H" + itoa(itemRow)}, links: []string{"A" + itoa(itemRow)},
			bold: []string{"A5", "A8", "A9"}, plain: []string{"A6", "A10"}},
		{title: "Restored 客户", headerRows: 1, filter: true},
	} {
		t.Run(want.title, func(t *testing.T) { checkLook(t, wb, want) })
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// checkLook reads one tab back with its grid data and compares it with want.
func checkLook(t *testing.T, wb *Workbook, want tabLook) {
	t.Helper()
	ss, err := wb.svc.Spreadsheets.Get(testID).Ranges("'" + want.title + "'").IncludeGridData(true).
		Fields("sheets(properties(gridProperties),basicFilter,conditionalFormats,data(rowData(values(userEnteredValue,userEnteredFormat)),columnMetadata(pixelSize)))").Do()
	if err != nil {
		t.Fatal(err)
	}
	sh := ss.Sheets[0]
	if g := sh.Properties.GridProperties; g == nil || g.FrozenRowCount != want.headerRows {
		t.Errorf("frozen rows = %+v, want %d", g, want.headerRows)
	}
	rows := sh.Data[0].RowData
	cell := func(a1 string) *sheets.CellData {
		col, row, ok := parseA1(a1)
		if !ok || row >= len(rows) || col >= len(rows[row].Values) {
			return &sheets.CellData{}
		}
		return rows[row].Values[col]
	}
	for r := range int(want.headerRows) {
		c := rows[r].Values[0]
		if f := c.UserEnteredFormat; f == nil || f.TextFormat == nil || !f.TextFormat.Bold {
			t.Errorf("header row %d is not bold: %+v", r+1, f)
		}
	}
	if (sh.BasicFilter != nil) != want.filter {
		t.Errorf("basic filter = %+v, want one: %v", sh.BasicFilter, want.filter)
	}
	if sh.BasicFilter != nil && sh.BasicFilter.Range.StartRowIndex != want.headerRows-1 {
		t.Errorf("filter starts at row %d, want the header row %d", sh.BasicFilter.Range.StartRowIndex+1, want.headerRows)
	}
	md := sh.Data[0].ColumnMetadata
	for col, px := range want.widths {
		if col >= len(md) || md[col].PixelSize != px {
			t.Errorf("column %s width: want %d px, metadata %+v", audit.ColumnName(col), px, md)
		}
	}
	for _, a1 := range want.numbers {
		v := cell(a1).UserEnteredValue
		if v == nil || v.NumberValue == nil || v.StringValue != nil {
			t.Errorf("%s = %+v, want a number", a1, v)
		}
	}
	for _, a1 := range want.times {
		c := cell(a1)
		if c.UserEnteredValue == nil || c.UserEnteredValue.NumberValue == nil || c.UserEnteredFormat == nil ||
			c.UserEnteredFormat.NumberFormat == nil || c.UserEnteredFormat.NumberFormat.Type != "DATE_TIME" {
			t.Errorf("%s = %+v %+v, want a date-time", a1, c.UserEnteredValue, c.UserEnteredFormat)
		}
	}
	for _, a1 := range want.links {
		c := cell(a1)
		if f := c.UserEnteredFormat; f == nil || f.TextFormat == nil || f.TextFormat.Link == nil || f.TextFormat.Link.Uri == "" {
			t.Errorf("%s format = %+v, want a link", a1, f)
		}
		if v := c.UserEnteredValue; v == nil || v.FormulaValue != nil || v.StringValue == nil {
			t.Errorf("%s = %+v, want text (a link format, never a formula)", a1, v)
		}
	}
	for _, a1 := range want.bold {
		if f := cell(a1).UserEnteredFormat; f == nil || f.TextFormat == nil || !f.TextFormat.Bold {
			t.Errorf("%s format = %+v, want bold", a1, f)
		}
	}
	for _, a1 := range want.plain {
		if f := cell(a1).UserEnteredFormat; f != nil && f.TextFormat != nil && f.TextFormat.Bold {
			t.Errorf("%s is bold, want plain", a1)
		}
	}
	for _, a1 := range want.wrapped {
		if f := cell(a1).UserEnteredFormat; f == nil || f.WrapStrategy != "WRAP" {
			t.Errorf("%s format = %+v, want wrapped text", a1, f)
		}
	}
	if len(sh.ConditionalFormats) != want.rules {
		t.Errorf("%d conditional format rules, want %d", len(sh.ConditionalFormats), want.rules)
	}
}

// parseA1 turns "B7" into 0-based column and row.
func parseA1(a1 string) (col, row int, ok bool) {
	i := 0
	for i < len(a1) && a1[i] >= 'A' && a1[i] <= 'Z' {
		col = col*26 + int(a1[i]-'A'+1)
		i++
	}
	if i == 0 || i == len(a1) {
		return 0, 0, false
	}
	for _, c := range a1[i:] {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		row = row*10 + int(c-'0')
	}
	return col - 1, row - 1, row > 0
}
