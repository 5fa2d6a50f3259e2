package sheets

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zaptest"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// kinds lists the API methods of the requests answered since before.
func kinds(srv *sheetstest.Server, before int) []string {
	var out []string
	for _, r := range srv.Requests()[before:] {
		out = append(out, r.Kind)
	}
	return out
}

func TestWriteBackIsOneBatchUpdate(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{
		"Data":   {{"id", "v"}, {"1", "a"}},
		"Review": {{"old", "findings", "that", "go"}, {"x"}, {"y"}},
	})
	wb := openBook(t, srv, Options{})
	if _, err := wb.ReadTab(ctx, "Data"); err != nil { // a cycle reads first: the metadata is known
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := time.Date(2026, 12, 3, 9, 30, 0, 0, sh)
	b := &audit.WriteBack{Cycle: "c1", Location: sh, Tabs: []audit.TabWrite{
		{Title: "Log", Append: true, Layout: &audit.Layout{HeaderRows: 1, Widths: []int{150}, Wrap: []int{1}, Filter: true,
			Highlights: []audit.Highlight{{Column: 1, Value: "=1+1", Tone: audit.ToneError}}},
			Header: [][]audit.Cell{{audit.Text("Time"), audit.Text("What"), audit.Text("N"), audit.Text("Cycle")}},
			Rows:   [][]audit.Cell{{audit.TimeOf(at), audit.Text("=1+1"), audit.Number(12.5), audit.Text("c1")}}},
		{Title: "Review", Rows: [][]audit.Cell{{audit.Text("new")}, {audit.Linked("see", "#'Data'!B2")}}},
	}}
	before := len(srv.Requests())
	if err := wb.WriteBack(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got := kinds(srv, before); !cmp.Equal(got, []string{"spreadsheets.batchUpdate"}) {
		t.Errorf("requests = %q; want one batchUpdate", got)
	}
	b.Cycle = "c2"
	b.Tabs = b.Tabs[:1]
	b.Tabs[0].Layout = nil // laid out already: the cycle sends a layout again only when it changed
	b.Tabs[0].Rows = [][]audit.Cell{{audit.TimeOf(at), audit.Text("0012"), audit.Number(-3), audit.Text("c2")}}
	before = len(srv.Requests())
	if err := wb.WriteBack(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got := kinds(srv, before); !cmp.Equal(got, []string{"spreadsheets.batchUpdate"}) {
		t.Errorf("requests = %q; want one batchUpdate", got)
	}

	log, err := wb.ReadTab(ctx, "Log")
	if err != nil {
		t.Fatal(err)
	}
	shown := "2026-12-03 09:30:00" // a date-time serial shown with its date-time format
	want := [][]string{
		{"Time", "What", "N", "Cycle"},
		{shown, "=1+1", "12.5", "c1"},
		{shown, "0012", "-3", "c2"},
	}
	if diff := cmp.Diff(want, log.Values); diff != "" {
		t.Errorf("Log (-want +got):\n%s", diff)
	}
	review, err := wb.ReadTab(ctx, "Review")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"new"}, {"see"}}, review.Values); diff != "" {
		t.Errorf("Review (-want +got):\n%s", diff)
	}
	tail, err := wb.ReadTail(ctx, "Log", 2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[1:], tail); diff != "" {
		t.Errorf("ReadTail (-want +got):\n%s", diff)
	}
}

func TestWriteBackRefusesOversizedCellsBeforeSending(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": {{"id"}}})
	wb := openBook(t, srv, Options{})
	long := make([]byte, MaxCellChars+1)
	for i := range long {
		long[i] = 'x'
	}
	before := len(srv.Requests())
	err := wb.WriteBack(ctx, &audit.WriteBack{Tabs: []audit.TabWrite{{Title: "Log", Append: true,
		Rows: [][]audit.Cell{{audit.Text(string(long))}}}}})
	if err == nil {
		t.Fatal("oversized cell written")
	}
	for _, k := range kinds(srv, before) {
		if k == "spreadsheets.batchUpdate" {
			t.Errorf("a batchUpdate was sent for an oversized cell")
		}
	}
}

func TestLinkURI(t *testing.T) {
	ids := map[string]int64{"Data": 7, "Bob's": 9}
	for in, want := range map[string]string{
		"#'Data'!B7":            "#gid=7&range=B7",
		"#Data!3:3":             "#gid=7&range=3:3",
		"#'Bob''s'!A1":          "#gid=9&range=A1",
		"#'Other'!A1":           "#'Other'!A1",
		"https://example.com/x": "https://example.com/x",
	} {
		if got := linkURI(in, ids); got != want {
			t.Errorf("linkURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCycleOnGoogleCostsThreeSheetsRequests runs whole cycles against the
// emulator: a changed sheet with Change Log and Needs Review on costs a
// metadata read, a values read and one batchUpdate.
func TestCycleOnGoogleCostsThreeSheetsRequests(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": {{"id", "v"}, {"1", "a"}}})
	store := audittest.NewStore()
	clock := audittest.NewClock(time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC))
	spec := audit.Spec{Name: "s", Tab: "Data", HeaderRow: 1, Key: []string{"id"}, ChangeLogTab: "Change Log", ReviewTab: "Needs Review"}
	run := func() *audit.Result {
		t.Helper()
		clock.Advance(time.Minute)
		c := &audit.Cycle{Spec: spec, Workbook: openBook(t, srv, Options{}), Store: store, State: store,
			Now: clock.Now, Logger: zaptest.NewLogger(t)}
		res, err := c.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	run()
	if err := srv.SetValues(testID, "Data", [][]string{{"id", "v"}, {"1", "b"}, {"2", ""}}); err != nil {
		t.Fatal(err)
	}
	before := len(srv.Requests())
	res := run()
	want := []string{"spreadsheets.get", "values.batchGet", "spreadsheets.batchUpdate"}
	if got := kinds(srv, before); !cmp.Equal(got, want) {
		t.Errorf("changed cycle's requests = %q, want %q", got, want)
	}
	if res.Logged != 2 {
		t.Errorf("logged %d rows, want 2", res.Logged)
	}
	before = len(srv.Requests())
	run()
	want = []string{"spreadsheets.get", "values.batchGet"} // same findings, same day: nothing written
	if got := kinds(srv, before); !cmp.Equal(got, want) {
		t.Errorf("unchanged cycle's requests = %q, want %q", got, want)
	}
}

func TestLayoutRequests(t *testing.T) {
	l := audit.Layout{HeaderRows: 1, Widths: []int{120, 0, 300}, Wrap: []int{2}, Filter: true,
		Highlights: []audit.Highlight{{Column: 0, Value: `错误 "x"`, Tone: audit.ToneError}}}
	var got []string
	for _, r := range layoutRequests(7, l, 3, nil) {
		b, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b))
	}
	want := []string{
		`{"updateSheetProperties":{"fields":"gridProperties.frozenRowCount","properties":{"gridProperties":{"frozenRowCount":1},"sheetId":7}}}`,
		`{"repeatCell":{"cell":{"userEnteredFormat":{"textFormat":{"bold":true}}},"fields":"userEnteredFormat.textFormat.bold","range":{"endRowIndex":1,"sheetId":7,"startRowIndex":0}}}`,
		`{"updateDimensionProperties":{"fields":"pixelSize","properties":{"pixelSize":120},"range":{"dimension":"COLUMNS","endIndex":1,"sheetId":7,"startIndex":0}}}`,
		`{"updateDimensionProperties":{"fields":"pixelSize","properties":{"pixelSize":300},"range":{"dimension":"COLUMNS","endIndex":3,"sheetId":7,"startIndex":2}}}`,
		`{"repeatCell":{"cell":{"userEnteredFormat":{"wrapStrategy":"WRAP"}},"fields":"userEnteredFormat.wrapStrategy","range":{"endColumnIndex":3,"sheetId":7,"startColumnIndex":2,"startRowIndex":1}}}`,
		`{"setBasicFilter":{"filter":{"range":{"endColumnIndex":3,"sheetId":7,"startColumnIndex":0,"startRowIndex":0}}}}`,
		`{"addConditionalFormatRule":{"index":0,"rule":{"booleanRule":{"condition":{"type":"CUSTOM_FORMULA","values":[{"userEnteredValue":"=TRIM($A2)=\"错误 \"\"x\"\"\""}]},"format":{"backgroundColor":{"blue":0.8,"green":0.8,"red":0.96}}},"ranges":[{"endColumnIndex":3,"sheetId":7,"startColumnIndex":0,"startRowIndex":1}]}}}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("layout requests (-want +got):\n%s", diff)
	}
	var again []string
	for _, r := range layoutRequests(7, l, 3, []int{4, 1}) {
		b, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		again = append(again, string(b))
	}
	want = slices.Insert(want, len(want)-1,
		`{"deleteConditionalFormatRule":{"index":4,"sheetId":7}}`,
		`{"deleteConditionalFormatRule":{"index":1,"sheetId":7}}`)
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("layout requests replacing old rules (-want +got):\n%s", diff)
	}
}

// TestWriteBackFormats reads back what a write-back set besides values:
// the layout of a new tab, a time's date-time format, a link.
func TestWriteBackFormats(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": {{"id", "v"}, {"1", "a"}}})
	wb := openBook(t, srv, Options{})
	at := time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC)
	err := wb.WriteBack(ctx, &audit.WriteBack{Cycle: "c1", Tabs: []audit.TabWrite{{
		Title: "Log", Append: true,
		Layout: &audit.Layout{HeaderRows: 1, Widths: []int{150}, Filter: true,
			Highlights: []audit.Highlight{{Column: 1, Value: "bad", Tone: audit.ToneError}}},
		Header: [][]audit.Cell{{audit.Text("Time"), audit.Text("What")}},
		Rows:   [][]audit.Cell{{audit.TimeOf(at), audit.Linked("row 2", "#'Data'!2:2")}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	ss, err := wb.svc.Spreadsheets.Get(testID).IncludeGridData(true).Ranges("Log").Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	sh := ss.Sheets[0]
	if g := sh.Properties.GridProperties; g.FrozenRowCount != 1 {
		t.Errorf("frozen rows = %d, want 1", g.FrozenRowCount)
	}
	if sh.BasicFilter == nil {
		t.Error("no basic filter")
	}
	if len(sh.ConditionalFormats) != 1 {
		t.Errorf("%d conditional formats, want 1", len(sh.ConditionalFormats))
	}
	rows := sh.Data[0].RowData
	if f := rows[0].Values[0].UserEnteredFormat; f == nil || f.TextFormat == nil || !f.TextFormat.Bold {
		t.Errorf("header cell format = %+v, want bold", f)
	}
	if f := rows[1].Values[0].UserEnteredFormat; f == nil || f.NumberFormat == nil || f.NumberFormat.Type != "DATE_TIME" {
		t.Errorf("time cell format = %+v, want DATE_TIME", f)
	}
	if f := rows[1].Values[1].UserEnteredFormat; f == nil || f.TextFormat == nil || f.TextFormat.Link == nil ||
		!strings.HasPrefix(f.TextFormat.Link.Uri, "#gid=") {
		t.Errorf("linked cell format = %+v, want a #gid= link", f)
	}
	if md := sh.Data[0].ColumnMetadata; len(md) == 0 || md[0].PixelSize != 150 {
		t.Errorf("column metadata = %+v, want the first column 150 px", md)
	}
}

// TestWriteBackColoursAnExistingTabOnce reads back, through the real client
// against the emulator, the conditional format rules of a tab that an
// older version wrote without them: the layout sent again adds them once,
// a changed layout replaces them, a person's own rule stays, and a
// steady-state write (no Layout) is still one batchUpdate.
func TestWriteBackColoursAnExistingTabOnce(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{
		"Data":         {{"id"}, {"1"}},
		"Needs Review": {{"Produced …"}, {"Severity", "Row", "Message"}, {"error", "2", "bad"}},
	})
	wb := openBook(t, srv, Options{})
	if _, err := wb.ReadTab(ctx, "Data"); err != nil {
		t.Fatal(err)
	}
	rulesOf := func() []string {
		t.Helper()
		ss, err := wb.svc.Spreadsheets.Get(testID).Ranges("Needs Review").
			Fields("sheets(conditionalFormats)").Context(ctx).Do()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range ss.Sheets[0].ConditionalFormats {
			out = append(out, r.BooleanRule.Condition.Values[0].UserEnteredValue)
		}
		return out
	}
	// A person's own rule on the tab.
	meta, err := wb.tabOf(ctx, "test", "Needs Review", false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = wb.svc.Spreadsheets.BatchUpdate(testID, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{{
		AddConditionalFormatRule: &sheets.AddConditionalFormatRuleRequest{Rule: &sheets.ConditionalFormatRule{
			Ranges: []*sheets.GridRange{{SheetId: meta.TabID, ForceSendFields: []string{"SheetId"}}},
			BooleanRule: &sheets.BooleanRule{
				Condition: &sheets.BooleanCondition{Type: "CUSTOM_FORMULA", Values: []*sheets.ConditionValue{{UserEnteredValue: "=$B3>100"}}},
				Format:    &sheets.CellFormat{TextFormat: &sheets.TextFormat{Bold: true}},
			},
		}},
	}}}).Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	write := func(l *audit.Layout) []string {
		t.Helper()
		before := len(srv.Requests())
		err := wb.WriteBack(ctx, &audit.WriteBack{Tabs: []audit.TabWrite{{Title: "Needs Review", Layout: l, Rows: [][]audit.Cell{
			{audit.Text("Produced …")}, {audit.Text("Severity"), audit.Text("Row"), audit.Text("Message")},
			{audit.Text("warning"), audit.Number(3), audit.Text("stale")}}}}})
		if err != nil {
			t.Fatal(err)
		}
		return kinds(srv, before)
	}
	lay := audit.ReviewLayout("en", false, false)
	write(&lay)
	want := []string{"=$B3>100", `=TRIM($A3)="error"`, `=TRIM($A3)="info"`, `=TRIM($A3)="warning"`}
	if diff := cmp.Diff(want, slices.Sorted(slices.Values(rulesOf()))); diff != "" {
		t.Errorf("rules after the layout went to an existing tab (-want +got):\n%s", diff)
	}
	zh := audit.ReviewLayout("zh-CN", false, false)
	write(&zh)
	want = []string{"=$B3>100", `=TRIM($A3)="提示"`, `=TRIM($A3)="警告"`, `=TRIM($A3)="错误"`}
	if diff := cmp.Diff(want, slices.Sorted(slices.Values(rulesOf()))); diff != "" {
		t.Errorf("rules after a changed layout (-want +got):\n%s", diff)
	}
	if got := write(nil); !cmp.Equal(got, []string{"spreadsheets.batchUpdate"}) {
		t.Errorf("a steady-state write sent %q, want one batchUpdate", got)
	}
	if n := len(rulesOf()); n != 4 {
		t.Errorf("%d rules after a steady-state write, want 4", n)
	}
}
