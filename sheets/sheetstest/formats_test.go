package sheetstest_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
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
