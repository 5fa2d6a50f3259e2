package sheetstest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// TestGridDataMatchesRecordedValueReads checks what sheets' one-request
// read (Workbook.ReadTabTyped) relies on: spreadsheets.get with a fields
// mask reaching the grid data answers, for the cells gspread wrote on the
// live API, each cell's formattedValue as Google's recorded FORMATTED_VALUE
// read shows it and the effectiveValue number as its recorded
// UNFORMATTED_VALUE/SERIAL_NUMBER read gives it, text having no number.
// The shape (grid data without includeGridData, only the sheet the range
// names, {} for an empty cell, trimmed rows) is the recorded notes
// sessions' and is replayed by TestReplayGspreadCassettes.
func TestGridDataMatchesRecordedValueReads(t *testing.T) {
	c := readCassette(t, "testdata/cassettes/WorksheetTest.test_get_all_values_date_time_render_options.json.gz")
	var put struct {
		Values [][]any `json:"values"`
	}
	var formatted, unformatted struct {
		Values [][]any `json:"values"`
	}
	for _, x := range []struct {
		i    int
		into any
		body bool
	}{{7, &put, true}, {8, &unformatted, false}, {10, &formatted, false}} {
		it := c.Interactions[x.i]
		s := it.Response.Body.String
		if x.body {
			s = it.Request.Body
		}
		if err := json.Unmarshal([]byte(s), x.into); err != nil {
			t.Fatalf("interaction %d: %v", x.i, err)
		}
	}
	srv, svc := newService(t, sheetstest.Options{}, "Sheet1", "Other")
	if _, err := svc.Spreadsheets.Values.Update(sid, "'Sheet1'!A1:D2", &sheets.ValueRange{Values: put.Values}).
		ValueInputOption("USER_ENTERED").Do(); err != nil {
		t.Fatal(err)
	}
	q := url.Values{
		"ranges": {"'Sheet1'!A1:D1000"},
		"fields": {"sheets.data.rowData.values(formattedValue,effectiveValue(numberValue,boolValue))"},
	}
	resp, err := http.Get(srv.URL() + "v4/spreadsheets/" + sid + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var got struct {
		Sheets []struct {
			Properties json.RawMessage `json:"properties"`
			Data       []struct {
				StartRow *int `json:"startRow"`
				RowData  []struct {
					Values []struct {
						FormattedValue *string `json:"formattedValue"`
						EffectiveValue *struct {
							NumberValue *float64 `json:"numberValue"`
							BoolValue   *bool    `json:"boolValue"`
							StringValue *string  `json:"stringValue"`
						} `json:"effectiveValue"`
					} `json:"values"`
				} `json:"rowData"`
			} `json:"data"`
		} `json:"sheets"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got.Sheets) != 1 || len(got.Sheets[0].Data) != 1 || got.Sheets[0].Properties != nil || got.Sheets[0].Data[0].StartRow != nil {
		t.Fatalf("answer shape: %+v; want one sheet, one grid data block, no properties, no startRow", got)
	}
	rows := got.Sheets[0].Data[0].RowData
	if len(rows) != len(formatted.Values) {
		t.Fatalf("%d rows, want %d (trimmed as the recorded read)", len(rows), len(formatted.Values))
	}
	for r, row := range rows {
		if len(row.Values) != len(formatted.Values[r]) {
			t.Errorf("row %d: %d cells, want %d (trimmed as the recorded read)", r+1, len(row.Values), len(formatted.Values[r]))
			continue
		}
		for c, cell := range row.Values {
			if cell.FormattedValue == nil || *cell.FormattedValue != formatted.Values[r][c] {
				t.Errorf("cell %d,%d: formattedValue %v, recorded FORMATTED_VALUE %q", r+1, c+1, cell.FormattedValue, formatted.Values[r][c])
			}
			var want, have any
			if n, ok := unformatted.Values[r][c].(float64); ok {
				want = n
			}
			if v := cell.EffectiveValue; v != nil {
				if v.StringValue != nil {
					t.Errorf("cell %d,%d: effectiveValue carries stringValue outside the mask", r+1, c+1)
				}
				if v.NumberValue != nil {
					have = *v.NumberValue
				}
			}
			if !cmp.Equal(want, have) {
				t.Errorf("cell %d,%d: effectiveValue number %v, recorded UNFORMATTED_VALUE %v", r+1, c+1, have, unformatted.Values[r][c])
			}
		}
	}
}

// TestGridCellsStreamed: a mask selecting only cells of the grid data is
// answered by a streaming writer; it must answer what the general path
// (build the whole Spreadsheet, mask it, trim it) does. Asking for
// startRow as well takes the general path, and adds nothing to a range
// that starts at A1.
func TestGridCellsStreamed(t *testing.T) {
	srv, svc := newService(t, sheetstest.Options{}, "Sheet1", "Other")
	if _, err := svc.Spreadsheets.Values.Update(sid, "'Sheet1'!A1:E6", &sheets.ValueRange{Values: [][]any{
		{"编号", "日期", "金额", "有效", "备注"},
		{"C1", "2026-11-01", "1,234.50", "TRUE", "<a&b>"},
		{},
		{"", "", "=1+2", "", ""},
		{"C3", "x", "7", "false"},
		{"", "", "", "", ""},
	}}).ValueInputOption("USER_ENTERED").Do(); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Spreadsheets.Values.Update(sid, "'Other'!B2", &sheets.ValueRange{Values: [][]any{{"o"}}}).
		ValueInputOption("RAW").Do(); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{UpdateCells: &sheets.UpdateCellsRequest{
			Start:  &sheets.GridCoordinate{SheetId: 0, RowIndex: 7, ColumnIndex: 6},
			Rows:   []*sheets.RowData{{Values: []*sheets.CellData{{Note: "below and right of the values"}}}},
			Fields: "note",
		}},
		{RepeatCell: &sheets.RepeatCellRequest{
			Range: &sheets.GridRange{SheetId: 0, StartRowIndex: 2, EndRowIndex: 3, StartColumnIndex: 1, EndColumnIndex: 2,
				ForceSendFields: []string{"SheetId"}},
			Cell:   &sheets.CellData{UserEnteredFormat: &sheets.CellFormat{TextFormat: &sheets.TextFormat{Bold: true}}},
			Fields: "userEnteredFormat.textFormat.bold",
		}},
	}}).Do(); err != nil {
		t.Fatal(err)
	}
	get := func(q url.Values) any {
		t.Helper()
		resp, err := http.Get(srv.URL() + "v4/spreadsheets/" + sid + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, decode: %v", resp.StatusCode, err)
		}
		return v
	}
	for _, cells := range []string{
		"formattedValue,effectiveValue(numberValue,boolValue)", "note", "formattedValue", "userEnteredFormat",
		"effectiveValue", "userEnteredValue,note",
	} {
		for _, ranges := range [][]string{{"'Sheet1'!A1:H10"}, {"'Sheet1'!A1:C2"}, {"Sheet1"}, nil} {
			streamed := get(url.Values{"fields": {"sheets.data.rowData.values(" + cells + ")"}, "ranges": ranges})
			built := get(url.Values{"fields": {"sheets.data(startRow,rowData.values(" + cells + "))"}, "ranges": ranges})
			if b, _ := json.Marshal(streamed); cells == "formattedValue" && len(ranges) == 1 && ranges[0] == "Sheet1" &&
				!strings.Contains(string(b), `"1,234.50"`) {
				t.Errorf("cells %s, ranges %q: answer %s lacks the values", cells, ranges, b)
			}
			if diff := cmp.Diff(built, streamed); diff != "" {
				t.Errorf("cells %s, ranges %q: streamed answer differs (-built +streamed):\n%s", cells, ranges, diff)
			}
		}
	}
}
