package sheetstest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// TestFormatsRoundTrip sends the layout requests sheetaudit's own tabs use
// and reads them back through spreadsheets.get as Google answers them.
func TestFormatsRoundTrip(t *testing.T) {
	_, svc := newService(t, sheetstest.Options{}, "Change Log")
	rng := func(r0, r1, c0, c1 int64) *sheets.GridRange {
		return &sheets.GridRange{SheetId: 0, StartRowIndex: r0, EndRowIndex: r1, StartColumnIndex: c0, EndColumnIndex: c1,
			ForceSendFields: []string{"SheetId", "StartRowIndex", "StartColumnIndex"}}
	}
	reqs := []*sheets.Request{
		{UpdateCells: &sheets.UpdateCellsRequest{
			Start: &sheets.GridCoordinate{SheetId: 0, RowIndex: 0, ColumnIndex: 0},
			Rows: []*sheets.RowData{{Values: []*sheets.CellData{
				{UserEnteredValue: &sheets.ExtendedValue{StringValue: ptr("时间")}},
				{UserEnteredValue: &sheets.ExtendedValue{StringValue: ptr("行 7")},
					TextFormatRuns: []*sheets.TextFormatRun{{Format: &sheets.TextFormat{Link: &sheets.Link{Uri: "https://docs.google.com/spreadsheets/d/x/edit#gid=0&range=A7"}}}}},
				{UserEnteredValue: &sheets.ExtendedValue{NumberValue: ptr(1234.5)},
					UserEnteredFormat: &sheets.CellFormat{NumberFormat: &sheets.NumberFormat{Type: "NUMBER", Pattern: "#,##0.00"}}},
			}}},
			Fields: "userEnteredValue,textFormatRuns,userEnteredFormat.numberFormat",
		}},
		{RepeatCell: &sheets.RepeatCellRequest{
			Range: rng(0, 1, 0, 3),
			Cell: &sheets.CellData{UserEnteredFormat: &sheets.CellFormat{
				TextFormat:          &sheets.TextFormat{Bold: true},
				BackgroundColor:     &sheets.Color{Red: 0.8, Green: 0.8, Blue: 0.8},
				WrapStrategy:        "WRAP",
				HorizontalAlignment: "CENTER",
			}},
			Fields: "userEnteredFormat(textFormat.bold,backgroundColor,wrapStrategy,horizontalAlignment)",
		}},
		{UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{
			Properties: &sheets.SheetProperties{SheetId: 0, GridProperties: &sheets.GridProperties{FrozenRowCount: 1}},
			Fields:     "gridProperties.frozenRowCount",
		}},
		{SetBasicFilter: &sheets.SetBasicFilterRequest{Filter: &sheets.BasicFilter{Range: rng(0, 10, 0, 3)}}},
		{UpdateDimensionProperties: &sheets.UpdateDimensionPropertiesRequest{
			Range:      &sheets.DimensionRange{SheetId: 0, Dimension: "COLUMNS", StartIndex: 1, EndIndex: 2, ForceSendFields: []string{"SheetId"}},
			Properties: &sheets.DimensionProperties{PixelSize: 240},
			Fields:     "pixelSize",
		}},
		{AddConditionalFormatRule: &sheets.AddConditionalFormatRuleRequest{Rule: &sheets.ConditionalFormatRule{
			Ranges: []*sheets.GridRange{rng(1, 10, 0, 3)},
			BooleanRule: &sheets.BooleanRule{
				Condition: &sheets.BooleanCondition{Type: "TEXT_EQ", Values: []*sheets.ConditionValue{{UserEnteredValue: "error"}}},
				Format:    &sheets.CellFormat{BackgroundColor: &sheets.Color{Red: 1}},
			},
		}}},
	}
	if _, err := svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).Do(); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Spreadsheets.Get(sid).Ranges("A1:C1").
		Fields("sheets(properties.gridProperties,basicFilter,conditionalFormats,data(rowData.values(userEnteredFormat,textFormatRuns,userEnteredValue),columnMetadata))").Do()
	if err != nil {
		t.Fatal(err)
	}
	// The Go client drops zero indexes when it decodes (Google sends them);
	// the replay test compares the wire JSON itself.
	b, _ := json.Marshal(got.Sheets[0])
	var have any
	_ = json.Unmarshal(b, &have)
	const want = `{
	 "properties": {"gridProperties": {"rowCount": 1000, "columnCount": 26, "frozenRowCount": 1}},
	 "basicFilter": {"range": {"endRowIndex": 10, "endColumnIndex": 3}},
	 "conditionalFormats": [{"ranges": [{"startRowIndex": 1, "endRowIndex": 10, "endColumnIndex": 3}],
	   "booleanRule": {"condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": "error"}]},
	     "format": {"backgroundColor": {"red": 1}, "backgroundColorStyle": {"rgbColor": {"red": 1}}}}}],
	 "data": [{
	   "columnMetadata": [{"pixelSize": 100}, {"pixelSize": 240}, {"pixelSize": 100}],
	   "rowData": [{"values": [
	     {"userEnteredValue": {"stringValue": "时间"}, "userEnteredFormat": {"backgroundColor": {"red": 0.8, "green": 0.8, "blue": 0.8},
	       "backgroundColorStyle": {"rgbColor": {"red": 0.8, "green": 0.8, "blue": 0.8}},
	       "horizontalAlignment": "CENTER", "wrapStrategy": "WRAP", "textFormat": {"bold": true}}},
	     {"userEnteredValue": {"stringValue": "行 7"}, "textFormatRuns": [{"format": {"link": {"uri": "https://docs.google.com/spreadsheets/d/x/edit#gid=0&range=A7"}}}],
	       "userEnteredFormat": {"backgroundColor": {"red": 0.8, "green": 0.8, "blue": 0.8},
	       "backgroundColorStyle": {"rgbColor": {"red": 0.8, "green": 0.8, "blue": 0.8}},
	       "horizontalAlignment": "CENTER", "wrapStrategy": "WRAP", "textFormat": {"bold": true}}},
	     {"userEnteredValue": {"numberValue": 1234.5}, "userEnteredFormat": {"numberFormat": {"type": "NUMBER", "pattern": "#,##0.00"},
	       "backgroundColor": {"red": 0.8, "green": 0.8, "blue": 0.8},
	       "backgroundColorStyle": {"rgbColor": {"red": 0.8, "green": 0.8, "blue": 0.8}},
	       "horizontalAlignment": "CENTER", "wrapStrategy": "WRAP", "textFormat": {"bold": true}}}
	   ]}]
	 }]
	}`
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(w, have); diff != "" {
		t.Errorf("formats (-want +got):\n%s", diff)
	}
}

func ptr[T any](v T) *T { return &v }

// TestNumberFormats: a number format changes what FORMATTED_VALUE reads
// show, not the value underneath.
func TestNumberFormats(t *testing.T) {
	_, svc := newService(t, sheetstest.Options{})
	tests := []struct {
		value         float64
		typ, pattern  string
		shown, serial string
	}{
		{1234.5, "NUMBER", "#,##0.00", "1,234.50", "1234.5"},
		{0.256, "PERCENT", "0.0%", "25.6%", "0.256"},
		{1234, "CURRENCY", `"¥"#,##0`, "¥1,234", "1234"},
		{46357.375, "DATE_TIME", "yyyy-mm-dd hh:mm", "2026-12-01 09:00", "46357.375"},
		{46357, "DATE", "yyyy-mm-dd", "2026-12-01", "46357"},
		{-3.5, "NUMBER", "0.0;(0.0)", "(3.5)", "-3.5"},
	}
	var reqs []*sheets.Request
	for i, tt := range tests {
		reqs = append(reqs, &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
			Start: &sheets.GridCoordinate{RowIndex: int64(i)},
			Rows: []*sheets.RowData{{Values: []*sheets.CellData{{
				UserEnteredValue:  &sheets.ExtendedValue{NumberValue: ptr(tt.value)},
				UserEnteredFormat: &sheets.CellFormat{NumberFormat: &sheets.NumberFormat{Type: tt.typ, Pattern: tt.pattern}},
			}}}},
			Fields: "userEnteredValue,userEnteredFormat.numberFormat",
		}})
	}
	if _, err := svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).Do(); err != nil {
		t.Fatal(err)
	}
	shown, err := svc.Spreadsheets.Values.Get(sid, "A1:A6").Do()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := svc.Spreadsheets.Values.Get(sid, "A1:A6").ValueRenderOption("UNFORMATTED_VALUE").Do()
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		if got := shown.Values[i][0]; got != tt.shown {
			t.Errorf("%s %q: shows %q, want %q", tt.typ, tt.pattern, got, tt.shown)
		}
		if got := fmt.Sprint(raw.Values[i][0]); got != tt.serial {
			t.Errorf("%s %q: unformatted %q, want %q", tt.typ, tt.pattern, got, tt.serial)
		}
	}
}

// TestObjectsFollowInsertAndDelete: merges, filters, protected ranges,
// conditional formats, named ranges and sizes move with inserted and
// deleted rows, as on Google.
func TestObjectsFollowInsertAndDelete(t *testing.T) {
	_, svc := newService(t, sheetstest.Options{})
	g := func(r0, r1 int64) *sheets.GridRange {
		return &sheets.GridRange{StartRowIndex: r0, EndRowIndex: r1, StartColumnIndex: 0, EndColumnIndex: 2, ForceSendFields: []string{"SheetId", "StartRowIndex", "StartColumnIndex"}}
	}
	dim := func(a, b int64) *sheets.DimensionRange {
		return &sheets.DimensionRange{Dimension: "ROWS", StartIndex: a, EndIndex: b, ForceSendFields: []string{"SheetId", "StartIndex"}}
	}
	batch := func(reqs ...*sheets.Request) {
		t.Helper()
		if _, err := svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).Do(); err != nil {
			t.Fatal(err)
		}
	}
	batch(
		&sheets.Request{MergeCells: &sheets.MergeCellsRequest{Range: g(5, 6), MergeType: "MERGE_ALL"}},
		&sheets.Request{SetBasicFilter: &sheets.SetBasicFilterRequest{Filter: &sheets.BasicFilter{Range: g(0, 10)}}},
		&sheets.Request{AddProtectedRange: &sheets.AddProtectedRangeRequest{ProtectedRange: &sheets.ProtectedRange{Range: g(8, 9), WarningOnly: true}}},
		&sheets.Request{AddNamedRange: &sheets.AddNamedRangeRequest{NamedRange: &sheets.NamedRange{Name: "Totals", Range: g(9, 10)}}},
		&sheets.Request{UpdateDimensionProperties: &sheets.UpdateDimensionPropertiesRequest{Range: dim(7, 8), Properties: &sheets.DimensionProperties{PixelSize: 40}, Fields: "pixelSize"}},
		// Three rows in at 2, then rows 0-1 out: everything moves down by one.
		&sheets.Request{InsertDimension: &sheets.InsertDimensionRequest{Range: dim(2, 5)}},
		&sheets.Request{DeleteDimension: &sheets.DeleteDimensionRequest{Range: dim(0, 2)}},
	)
	got, err := svc.Spreadsheets.Get(sid).Fields("namedRanges,sheets(merges,basicFilter,protectedRanges.range,data.rowMetadata.pixelSize)").Ranges("A1:B10").Do()
	if err != nil {
		t.Fatal(err)
	}
	sh := got.Sheets[0]
	rows := func(r *sheets.GridRange) [2]int64 { return [2]int64{r.StartRowIndex, r.EndRowIndex} }
	if m := rows(sh.Merges[0]); m != [2]int64{6, 7} {
		t.Errorf("merge rows %v, want [6 7]", m)
	}
	if f := rows(sh.BasicFilter.Range); f != [2]int64{0, 11} {
		t.Errorf("filter rows %v, want [0 11]", f)
	}
	if p := rows(sh.ProtectedRanges[0].Range); p != [2]int64{9, 10} {
		t.Errorf("protected rows %v, want [9 10]", p)
	}
	if n := rows(got.NamedRanges[0].Range); n != [2]int64{10, 11} {
		t.Errorf("named range rows %v, want [10 11]", n)
	}
	if px := sh.Data[0].RowMetadata[8].PixelSize; px != 40 {
		t.Errorf("row 9 is %d px, want the 40 px row 8 was", px)
	}
}

// TestProtectedRangeEditors: the requested editors and the requester are
// listed; updateProtectedRange changes what its mask names.
func TestProtectedRangeEditors(t *testing.T) {
	srv := sheetstest.Start(t, sheetstest.Options{})
	if err := srv.CreateSpreadsheet(sid, "T", "Change Log"); err != nil {
		t.Fatal(err)
	}
	svc, err := sheets.NewService(context.Background(), option.WithEndpoint(srv.URL()), asUser(srv, "bot@p.iam.gserviceaccount.com"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AddProtectedRange: &sheets.AddProtectedRangeRequest{ProtectedRange: &sheets.ProtectedRange{
			Range: &sheets.GridRange{SheetId: 0}, Description: "sheetaudit", WarningOnly: true}}},
	}}).Do()
	if err != nil {
		t.Fatal(err)
	}
	id := resp.Replies[0].AddProtectedRange.ProtectedRange.ProtectedRangeId
	if _, err := svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{UpdateProtectedRange: &sheets.UpdateProtectedRangeRequest{
			ProtectedRange: &sheets.ProtectedRange{ProtectedRangeId: id, WarningOnly: false,
				Editors: &sheets.Editors{Users: []string{"admin@corp.cn"}}, ForceSendFields: []string{"WarningOnly"}},
			Fields: "warningOnly,editors",
		}},
	}}).Do(); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Spreadsheets.Get(sid).Fields("sheets.protectedRanges").Do()
	if err != nil {
		t.Fatal(err)
	}
	p := got.Sheets[0].ProtectedRanges[0]
	if p.WarningOnly || p.Description != "sheetaudit" || !cmp.Equal(p.Editors.Users, []string{"admin@corp.cn", "bot@p.iam.gserviceaccount.com"}) {
		t.Errorf("protected range %+v editors %+v", p, p.Editors)
	}
}

// TestProtectedRangeRefusesOthers: a strict protected range (not warning
// only) refuses writes by writers it does not list; its editors and the
// owner still write.
func TestProtectedRangeRefusesOthers(t *testing.T) {
	srv := sheetstest.Start(t, sheetstest.Options{Sharing: true})
	const owner, bot, colleague = "owner@corp.cn", "bot@p.iam.gserviceaccount.com", "lisi@corp.cn"
	if err := srv.As(owner).CreateSpreadsheet(sid, "T", "Sheet1", "Change Log"); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{bot, colleague} {
		if err := srv.Share(sid, who, "writer"); err != nil {
			t.Fatal(err)
		}
	}
	ids, _ := srv.TabIDs(sid)
	client := func(who string) *sheets.Service {
		svc, err := sheets.NewService(context.Background(), option.WithEndpoint(srv.URL()), asUser(srv, who))
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	if _, err := client(bot).Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AddProtectedRange: &sheets.AddProtectedRangeRequest{ProtectedRange: &sheets.ProtectedRange{
			Range: &sheets.GridRange{SheetId: ids["Change Log"]}, Editors: &sheets.Editors{Users: []string{bot}}}}},
	}}).Do(); err != nil {
		t.Fatal(err)
	}
	write := func(who, rng string) int {
		_, err := client(who).Spreadsheets.Values.Update(sid, rng, &sheets.ValueRange{Values: [][]any{{"x"}}}).ValueInputOption("RAW").Do()
		return codeOf(err)
	}
	for _, tt := range []struct {
		who, rng string
		want     int
	}{
		{colleague, "'Change Log'!A5", 400},
		{colleague, "Sheet1!A5", 200},
		{bot, "'Change Log'!A5", 200},
		{owner, "'Change Log'!A6", 200},
	} {
		if got := write(tt.who, tt.rng); got != tt.want {
			t.Errorf("%s writes %s: %d, want %d", tt.who, tt.rng, got, tt.want)
		}
	}
}
