package sheetstest_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zaptest"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

const sid = "sid1"

// newService starts an emulator with one spreadsheet and returns the real
// client pointed at it.
func newService(t *testing.T, opts sheetstest.Options, tabs ...string) (*sheetstest.Server, *sheets.Service) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = zaptest.NewLogger(t)
	}
	srv := sheetstest.Start(t, opts)
	if err := srv.CreateSpreadsheet(sid, "Test", tabs...); err != nil {
		t.Fatal(err)
	}
	svc, err := sheets.NewService(context.Background(), option.WithEndpoint(srv.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	return srv, svc
}

func apiErr(t *testing.T, err error) *googleapi.Error {
	t.Helper()
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		t.Fatalf("error = %v, want *googleapi.Error", err)
	}
	return ge
}

func TestValuesGetRangeEcho(t *testing.T) {
	srv, svc := newService(t, sheetstest.Options{}, "Sheet1", "My Sheet", "Bob's", "2024", "A1", "Q1/Q2")
	if err := srv.SetValues(sid, "Sheet1", [][]string{{"a", "b"}, {"c"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rng, want string
	}{
		{"Sheet1", "Sheet1!A1:Z1000"},
		{"A1:A2", "Sheet1!A1:A2"},
		{"A:A", "Sheet1!A1:A1000"},
		{"1:1", "Sheet1!A1:Z1"},
		{"A1:1", "Sheet1!A1:Z1"},
		{"A5:A", "Sheet1!A5:A1000"},
		{"A1:A1", "Sheet1!A1"},
		{"B2:A1", "Sheet1!A1:B2"},
		{"A1:AA5", "Sheet1!A1:Z5"},
		{"A2:F10001", "Sheet1!A2:F1000"},
		{"sheet1!B2", "Sheet1!B2"},
		{"'My Sheet'!A1:C3", "'My Sheet'!A1:C3"},
		{"My Sheet!A1", "'My Sheet'!A1"},
		{"'Bob''s'!A:C", "'Bob''s'!A1:C1000"},
		{"'2024'", "'2024'!A1:Z1000"},
		{"'A1'", "'A1'!A1:Z1000"},
		{"A1", "Sheet1!A1"},
		{"Q1/Q2!1:5", "'Q1/Q2'!A1:Z5"},
		{"$A$1:$B$2", "Sheet1!A1:B2"},
		{"R1C1:R2C2", "Sheet1!A1:B2"},
		{"Sheet1!R[1]C[1]", "Sheet1!B2"},
	}
	for _, tt := range tests {
		vr, err := svc.Spreadsheets.Values.Get(sid, tt.rng).Do()
		if err != nil {
			t.Errorf("Get(%q): %v", tt.rng, err)
			continue
		}
		if vr.Range != tt.want {
			t.Errorf("Get(%q).Range = %q, want %q", tt.rng, vr.Range, tt.want)
		}
	}
}

func TestValuesGetErrors(t *testing.T) {
	_, svc := newService(t, sheetstest.Options{})
	tests := []struct {
		id, rng  string
		code     int
		message  string
		rendered string
	}{
		{sid, "Nope!A1", 400, "Unable to parse range: Nope!A1", ""},
		{sid, "A0", 400, "Unable to parse range: A0", ""},
		{sid, " A1", 400, "Unable to parse range:  A1", ""},
		{sid, "Sheet1!B", 400, "Unable to parse range: Sheet1!B", ""},
		{sid, "A1:R2C2", 400, "Unable to parse range: A1:R2C2", ""},
		{sid, "AA1:AB5", 400, "Range (Sheet1!AA1:AB5) exceeds grid limits. Max rows: 1000, max columns: 26", ""},
		{sid, "A1001", 400, "Range (Sheet1!A1001) exceeds grid limits. Max rows: 1000, max columns: 26", ""},
		{"missing", "A1", 404, "Requested entity was not found.", ""},
	}
	for _, tt := range tests {
		_, err := svc.Spreadsheets.Values.Get(tt.id, tt.rng).Do()
		ge := apiErr(t, err)
		if ge.Code != tt.code || ge.Message != tt.message {
			t.Errorf("Get(%q, %q) error = %d %q, want %d %q", tt.id, tt.rng, ge.Code, ge.Message, tt.code, tt.message)
		}
	}
	_, err := svc.Spreadsheets.Values.Get(sid, "A1").MajorDimension("DIAGONAL").Do()
	if ge := apiErr(t, err); ge.Message != `Invalid value at 'major_dimension' (type.googleapis.com/google.apps.sheets.v4.Dimension), "DIAGONAL"` {
		t.Errorf("bad enum message = %q", ge.Message)
	}
}

func TestErrorEnvelope(t *testing.T) {
	srv, _ := newService(t, sheetstest.Options{})
	resp, err := http.Get(srv.URL() + "v4/spreadsheets/missing?alt=json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if got := resp.Header.Get("Content-Type"); got != "application/json; charset=UTF-8" {
		t.Errorf("Content-Type = %q", got)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"error": map[string]any{"code": 404.0, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("envelope mismatch (-want +got):\n%s", diff)
	}
}

func TestTrimming(t *testing.T) {
	srv, svc := newService(t, sheetstest.Options{})
	if err := srv.SetValues(sid, "Sheet1", [][]string{
		{"a", "", "c", ""},
		{"", "", "", ""},
		{"d"},
		{"", "e"},
		{"", "", "", ""},
	}); err != nil {
		t.Fatal(err)
	}
	vr, err := svc.Spreadsheets.Values.Get(sid, "Sheet1").Do()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"a", "", "c"}, {}, {"d"}, {"", "e"}}
	if diff := cmp.Diff(want, vr.Values); diff != "" {
		t.Errorf("ROWS mismatch (-want +got):\n%s", diff)
	}
	vr, err = svc.Spreadsheets.Values.Get(sid, "Sheet1").MajorDimension("COLUMNS").Do()
	if err != nil {
		t.Fatal(err)
	}
	want = [][]any{{"a", "", "d"}, {"", "", "", "e"}, {"c"}}
	if diff := cmp.Diff(want, vr.Values); diff != "" {
		t.Errorf("COLUMNS mismatch (-want +got):\n%s", diff)
	}
	// An empty range has no values key at all.
	srv2 := sheetstest.Start(t, sheetstest.Options{})
	_ = srv2.CreateSpreadsheet("e", "E")
	resp, err := http.Get(srv2.URL() + "v4/spreadsheets/e/values/Sheet1%21A2%3AF10001")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got, want := string(b), `{"range":"Sheet1!A2:F1000","majorDimension":"ROWS"}`; got != want {
		t.Errorf("empty body = %s, want %s", got, want)
	}
}

func TestRenderOptions(t *testing.T) {
	_, svc := newService(t, sheetstest.Options{})
	_, err := svc.Spreadsheets.Values.Update(sid, "A1", &sheets.ValueRange{Values: [][]any{
		{"Data", 123.45, true, "=MAX(D2:D4)", "10", "=4/2", "1,000", "2020-01-01"},
	}}).ValueInputOption("USER_ENTERED").Do()
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Spreadsheets.Values.Update(sid, "A2", &sheets.ValueRange{Values: [][]any{
		{"Data", 123.45, true, "=MAX(D2:D4)", "10"},
	}}).ValueInputOption("RAW").Do()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		opt  string
		want [][]any
	}{
		{"FORMATTED_VALUE", [][]any{
			{"Data", "123.45", "TRUE", "=MAX(D2:D4)", "10", "2", "1,000", "2020-01-01"},
			{"Data", "123.45", "TRUE", "=MAX(D2:D4)", "10"}}},
		{"UNFORMATTED_VALUE", [][]any{
			{"Data", 123.45, true, "=MAX(D2:D4)", 10.0, 2.0, 1000.0, 43831.0},
			{"Data", 123.45, true, "=MAX(D2:D4)", "10"}}},
		{"FORMULA", [][]any{
			{"Data", 123.45, true, "=MAX(D2:D4)", 10.0, "=4/2", 1000.0, 43831.0},
			{"Data", 123.45, true, "=MAX(D2:D4)", "10"}}},
	}
	for _, tt := range tests {
		vr, err := svc.Spreadsheets.Values.Get(sid, "A1:H2").ValueRenderOption(tt.opt).Do()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, vr.Values); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tt.opt, diff)
		}
	}
}

func TestUpdate(t *testing.T) {
	srv, svc := newService(t, sheetstest.Options{})
	resp, err := svc.Spreadsheets.Values.Update(sid, "Sheet1!B2", &sheets.ValueRange{Values: [][]any{{"a", "b"}, {nil, "c"}}}).
		ValueInputOption("RAW").Do()
	if err != nil {
		t.Fatal(err)
	}
	if resp.UpdatedRange != "Sheet1!B2:C3" || resp.UpdatedRows != 2 || resp.UpdatedColumns != 2 || resp.UpdatedCells != 3 {
		t.Errorf("response = %+v", resp)
	}
	got, _ := srv.Values(sid, "Sheet1")
	if diff := cmp.Diff([][]string{{}, {"", "a", "b"}, {"", "", "c"}}, got); diff != "" {
		t.Errorf("values mismatch (-want +got):\n%s", diff)
	}

	tests := []struct {
		name, rng, opt string
		values         [][]any
		message        string
	}{
		{"no input option", "A1", "", [][]any{{"x"}}, "'valueInputOption' is required but not specified"},
		{"row overflow", "A1:B2", "RAW", [][]any{{1}, {2}, {3}}, "Requested writing within range [Sheet1!A1:B2], but tried writing to row [3]"},
		{"column overflow", "A1:B2", "RAW", [][]any{{1, 2, 3}}, "Requested writing within range [Sheet1!A1:B2], but tried writing to column [C]"},
		{"past grid", "A1000", "RAW", [][]any{{1}, {2}}, "Range (Sheet1!A1000:A1001) exceeds grid limits. Max rows: 1000, max columns: 26"},
		{"start past grid", "A1001", "RAW", [][]any{{1}}, "Range (Sheet1!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"},
		{"cell too large", "A1", "RAW", [][]any{{strings.Repeat("x", 50001)}}, "Your input contains more than the maximum of 50000 characters in a single cell."},
	}
	for _, tt := range tests {
		call := svc.Spreadsheets.Values.Update(sid, tt.rng, &sheets.ValueRange{Values: tt.values})
		if tt.opt != "" {
			call = call.ValueInputOption(tt.opt)
		}
		_, err := call.Do()
		ge := apiErr(t, err)
		if ge.Code != 400 || ge.Message != tt.message {
			t.Errorf("%s: error = %d %q, want 400 %q", tt.name, ge.Code, ge.Message, tt.message)
		}
	}
	// After appendDimension the same write succeeds.
	_, err = svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AppendDimension: &sheets.AppendDimensionRequest{Dimension: "ROWS", Length: 10}},
	}}).Do()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Spreadsheets.Values.Update(sid, "A1000", &sheets.ValueRange{Values: [][]any{{1}, {2}}}).ValueInputOption("RAW").Do(); err != nil {
		t.Errorf("update after appendDimension: %v", err)
	}
}

func TestBatchUpdateValuesAtomic(t *testing.T) {
	srv, svc := newService(t, sheetstest.Options{})
	req := &sheets.BatchUpdateValuesRequest{ValueInputOption: "RAW", Data: []*sheets.ValueRange{
		{Range: "A1:A4", Values: [][]any{{1}, {2}, {3}, {4}}},
		{Range: "B1:D2", Values: [][]any{{1, 2, 3}, {4, 5, 6}}},
	}}
	resp, err := svc.Spreadsheets.Values.BatchUpdate(sid, req).Do()
	if err != nil {
		t.Fatal(err)
	}
	if resp.TotalUpdatedRows != 4 || resp.TotalUpdatedColumns != 4 || resp.TotalUpdatedCells != 10 || resp.TotalUpdatedSheets != 1 {
		t.Errorf("totals = %+v", resp)
	}
	req.Data = []*sheets.ValueRange{{Range: "E1", Values: [][]any{{"x"}}}, {Range: "Bad!A1", Values: [][]any{{"y"}}}}
	_, err = svc.Spreadsheets.Values.BatchUpdate(sid, req).Do()
	if ge := apiErr(t, err); ge.Message != "Invalid data[1]: Unable to parse range: Bad!A1" {
		t.Errorf("message = %q", ge.Message)
	}
	got, _ := srv.Values(sid, "Sheet1")
	if len(got[0]) != 4 {
		t.Errorf("failed batch wrote: %v", got[0])
	}
}

func TestAppendTableDetection(t *testing.T) {
	// The guide's example: data in A1:C2 and B4:D6.
	tests := []struct {
		rng, wantUpdated, wantTable string
	}{
		{"Sheet1", "Sheet1!B7:C7", "Sheet1!B4:D6"},
		{"B4", "Sheet1!B7:C7", "Sheet1!B4:D6"},
		{"C5:D5", "Sheet1!B7:C7", "Sheet1!B4:D6"},
		{"B2:D4", "Sheet1!B7:C7", "Sheet1!B4:D6"},
		{"A3:G10", "Sheet1!B7:C7", "Sheet1!B4:D6"},
		{"A1", "Sheet1!A3:B3", "Sheet1!A1:C2"},
		{"E4", "Sheet1!E4:F4", ""},
		{"A4", "Sheet1!A4:B4", ""},
	}
	for _, tt := range tests {
		srv, svc := newService(t, sheetstest.Options{})
		_ = srv.SetValues(sid, "Sheet1", [][]string{
			{"a", "a", "a"}, {"a", "a", "a"}, {}, {"", "b", "b", "b"}, {"", "b", "b", "b"}, {"", "b", "b", "b"}})
		resp, err := svc.Spreadsheets.Values.Append(sid, tt.rng, &sheets.ValueRange{Values: [][]any{{"x", "y"}}}).
			ValueInputOption("RAW").Do()
		if err != nil {
			t.Fatalf("Append(%q): %v", tt.rng, err)
		}
		if resp.Updates.UpdatedRange != tt.wantUpdated || resp.TableRange != tt.wantTable {
			t.Errorf("Append(%q) = updated %q table %q, want %q %q", tt.rng, resp.Updates.UpdatedRange, resp.TableRange, tt.wantUpdated, tt.wantTable)
		}
	}
}

func TestAppendGrowsGridAndInsertRows(t *testing.T) {
	srv, svc := newService(t, sheetstest.Options{})
	rows := make([][]string, 1000)
	for i := range rows {
		rows[i] = []string{fmt.Sprint(i)}
	}
	rows = append(rows[:500], append([][]string{{}}, rows[500:999]...)...)
	_ = srv.SetValues(sid, "Sheet1", rows)
	resp, err := svc.Spreadsheets.Values.Append(sid, "Sheet1!A501", &sheets.ValueRange{Values: [][]any{{"new"}, {"new2"}}}).
		ValueInputOption("RAW").InsertDataOption("INSERT_ROWS").Do()
	if err != nil {
		t.Fatal(err)
	}
	if resp.Updates.UpdatedRange != "Sheet1!A501:A502" {
		t.Errorf("updated = %q", resp.Updates.UpdatedRange)
	}
	ss, err := svc.Spreadsheets.Get(sid).Fields("sheets.properties").Do()
	if err != nil {
		t.Fatal(err)
	}
	if got := ss.Sheets[0].Properties.GridProperties.RowCount; got != 1002 {
		t.Errorf("rowCount after INSERT_ROWS = %d, want 1002", got)
	}
	// OVERWRITE past the end grows the grid by what is needed.
	resp, err = svc.Spreadsheets.Values.Append(sid, "Sheet1!A1000:A", &sheets.ValueRange{Values: [][]any{{"x"}, {"y"}, {"z"}}}).
		ValueInputOption("RAW").Do()
	if err != nil {
		t.Fatal(err)
	}
	if resp.Updates.UpdatedRange != "Sheet1!A1003:A1005" {
		t.Errorf("updated = %q", resp.Updates.UpdatedRange)
	}
	got, _ := srv.Values(sid, "Sheet1")
	if len(got) != 1005 || got[1004][0] != "z" || got[500][0] != "new" || len(got[502]) != 0 {
		t.Errorf("len %d, tail %v", len(got), got[len(got)-1])
	}
}

func TestClear(t *testing.T) {
	srv, svc := newService(t, sheetstest.Options{})
	_ = srv.SetValues(sid, "Sheet1", [][]string{{"a", "b"}, {"c", "d"}})
	resp, err := svc.Spreadsheets.Values.Clear(sid, "Sheet1", &sheets.ClearValuesRequest{}).Do()
	if err != nil {
		t.Fatal(err)
	}
	if resp.ClearedRange != "Sheet1!A1:Z1000" {
		t.Errorf("clearedRange = %q", resp.ClearedRange)
	}
	_ = srv.SetValues(sid, "Sheet1", [][]string{{"a", "b"}, {"c", "d"}})
	bc, err := svc.Spreadsheets.Values.BatchClear(sid, &sheets.BatchClearValuesRequest{Ranges: []string{"A1", "B2:B"}}).Do()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Sheet1!A1", "Sheet1!B2:B1000"}, bc.ClearedRanges); diff != "" {
		t.Errorf("clearedRanges mismatch (-want +got):\n%s", diff)
	}
	got, _ := srv.Values(sid, "Sheet1")
	if diff := cmp.Diff([][]string{{"", "b"}, {"c"}}, got); diff != "" {
		t.Errorf("values mismatch (-want +got):\n%s", diff)
	}
}

func TestBatchGet(t *testing.T) {
	srv, svc := newService(t, sheetstest.Options{}, "Sheet1", "X Y")
	_ = srv.SetValues(sid, "X Y", [][]string{{"", "", ""}, {"", "", ""}, {"", "", "c3"}})
	resp, err := svc.Spreadsheets.Values.BatchGet(sid).Ranges("A1:B2", "'X Y'!C3").Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.ValueRanges) != 2 || resp.ValueRanges[0].Values != nil || resp.ValueRanges[1].Range != "'X Y'!C3" ||
		resp.ValueRanges[1].Values[0][0] != "c3" || resp.SpreadsheetId != sid {
		b, _ := json.Marshal(resp)
		t.Errorf("response = %s", b)
	}
}

func TestSpreadsheetBatchUpdate(t *testing.T) {
	srv, svc := newService(t, sheetstest.Options{})
	resp, err := svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{Title: "Change Log",
			GridProperties: &sheets.GridProperties{RowCount: 20, ColumnCount: 7}}}},
		{UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{Properties: &sheets.SheetProperties{Title: "Data"}, Fields: "title"}},
	}}).Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Replies) != 2 || resp.Replies[0].AddSheet == nil || resp.Replies[0].AddSheet.Properties.Index != 1 ||
		resp.Replies[0].AddSheet.Properties.GridProperties.RowCount != 20 || resp.Replies[0].AddSheet.Properties.SheetId <= 0 {
		b, _ := json.Marshal(resp)
		t.Fatalf("response = %s", b)
	}
	ids, _ := srv.TabIDs(sid)
	if diff := cmp.Diff(map[string]int64{"Data": 0, "Change Log": resp.Replies[0].AddSheet.Properties.SheetId}, ids); diff != "" {
		t.Errorf("tabs mismatch (-want +got):\n%s", diff)
	}
	// Duplicate title fails the whole batch.
	_, err = svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{Title: "New"}}},
		{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{Title: "change log"}}},
	}}).Do()
	ge := apiErr(t, err)
	if want := `Invalid requests[1].addSheet: A sheet with the name "change log" already exists. Please enter another name.`; ge.Code != 400 || ge.Message != want {
		t.Errorf("error = %d %q, want %q", ge.Code, ge.Message, want)
	}
	if ids, _ := srv.TabIDs(sid); len(ids) != 2 {
		t.Errorf("failed batch applied: %v", ids)
	}
	// Notes, insert/delete dimension, deleteSheet.
	_, err = svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{RepeatCell: &sheets.RepeatCellRequest{Range: &sheets.GridRange{StartRowIndex: 1, EndRowIndex: 2, StartColumnIndex: 1, EndColumnIndex: 2},
			Cell: &sheets.CellData{Note: "check"}, Fields: "note"}},
		{InsertDimension: &sheets.InsertDimensionRequest{Range: &sheets.DimensionRange{Dimension: "ROWS", StartIndex: 0, EndIndex: 1}}},
		{DeleteSheet: &sheets.DeleteSheetRequest{SheetId: resp.Replies[0].AddSheet.Properties.SheetId}},
	}}).Do()
	if err != nil {
		t.Fatal(err)
	}
	notes, _ := srv.Notes(sid, "Data")
	if diff := cmp.Diff(map[string]string{"B3": "check"}, notes); diff != "" {
		t.Errorf("notes mismatch (-want +got):\n%s", diff)
	}
	ss, err := svc.Spreadsheets.Get(sid).Ranges("Data!B3").Fields("sheets.data.rowData.values.note").Do()
	if err != nil {
		t.Fatal(err)
	}
	if ss.Sheets[0].Data[0].RowData[0].Values[0].Note != "check" {
		t.Errorf("note via get = %+v", ss.Sheets[0].Data[0].RowData[0].Values[0])
	}
}

func TestSpreadsheetGet(t *testing.T) {
	_, svc := newService(t, sheetstest.Options{}, "A", "B")
	ss, err := svc.Spreadsheets.Get(sid).Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(ss.Sheets) != 2 || ss.Sheets[0].Data != nil || ss.Properties.Title != "Test" || ss.Properties.Locale != "en_US" {
		t.Errorf("get = %+v", ss)
	}
	ss, err = svc.Spreadsheets.Get(sid).Ranges("B!A1:B2").IncludeGridData(true).Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(ss.Sheets) != 1 || ss.Sheets[0].Properties.Title != "B" || len(ss.Sheets[0].Data[0].RowMetadata) != 2 {
		t.Errorf("ranges get = %+v", ss.Sheets)
	}
	_, err = svc.Spreadsheets.Get(sid).Fields("sheets.nope").Do()
	if ge := apiErr(t, err); ge.Code != 400 || ge.Message != "Request contains an invalid argument." {
		t.Errorf("bad mask error = %d %q", ge.Code, ge.Message)
	}
}

func TestCreate(t *testing.T) {
	srv := sheetstest.Start(t, sheetstest.Options{})
	svc, err := sheets.NewService(context.Background(), option.WithEndpoint(srv.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	ss, err := svc.Spreadsheets.Create(&sheets.Spreadsheet{Properties: &sheets.SpreadsheetProperties{Title: "New"}}).Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(ss.SpreadsheetId) != 44 || ss.Sheets[0].Properties.Title != "Sheet1" || ss.Sheets[0].Properties.GridProperties.RowCount != 1000 {
		t.Errorf("create = %+v", ss)
	}
	if _, err := svc.Spreadsheets.Values.Get(ss.SpreadsheetId, "A1").Do(); err != nil {
		t.Error(err)
	}
}

// TestServiceAccountAuth runs the production auth path: a service-account
// key whose token_uri is the emulator.
func TestServiceAccountAuth(t *testing.T) {
	srv := sheetstest.Start(t, sheetstest.Options{RequireAuth: true, Logger: zaptest.NewLogger(t)})
	_ = srv.CreateSpreadsheet(sid, "T")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8(t, key)})
	js, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "p", "private_key_id": "k1", "private_key": string(pemKey),
		"client_email": "sa@p.iam.gserviceaccount.com", "client_id": "1", "token_uri": srv.TokenURL(),
	})
	ctx := context.Background()
	svc, err := sheets.NewService(ctx, option.WithAuthCredentialsJSON(option.ServiceAccount, js),
		option.WithEndpoint(srv.URL()), option.WithScopes(sheets.SpreadsheetsScope))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Spreadsheets.Values.Get(sid, "A1").Do(); err != nil {
		t.Fatalf("authenticated get: %v", err)
	}
	anon, _ := sheets.NewService(ctx, option.WithEndpoint(srv.URL()), option.WithoutAuthentication())
	_, err = anon.Spreadsheets.Values.Get(sid, "A1").Do()
	if ge := apiErr(t, err); ge.Code != 403 {
		t.Errorf("anonymous GET = %d, want 403", ge.Code)
	}
	_, err = anon.Spreadsheets.Values.Clear(sid, "A1", &sheets.ClearValuesRequest{}).Do()
	if ge := apiErr(t, err); ge.Code != 401 || !strings.HasPrefix(ge.Message, "Request is missing required authentication credential") {
		t.Errorf("anonymous POST = %d %q, want 401", ge.Code, ge.Message)
	}
	req, _ := http.NewRequest("GET", srv.URL()+"v4/spreadsheets/"+sid, nil)
	req.Header.Set("Authorization", "Bearer forged")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("forged token status = %d, want 401", resp.StatusCode)
	}
}

func mustPKCS8(t *testing.T, k *rsa.PrivateKey) []byte {
	t.Helper()
	b, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFaults(t *testing.T) {
	var slept time.Duration
	f := &sheetstest.Faults{
		Sequence: []sheetstest.FaultKind{sheetstest.FaultQuota, sheetstest.Fault503, sheetstest.FaultNone, sheetstest.FaultCut, sheetstest.Fault500},
		Latency:  3 * time.Second,
		Sleep:    func(_ context.Context, d time.Duration) error { slept += d; return nil },
	}
	_, svc := newService(t, sheetstest.Options{Faults: f})
	var codes []int
	for range 5 {
		_, err := svc.Spreadsheets.Values.Get(sid, "A1").Do()
		var ge *googleapi.Error
		switch {
		case err == nil:
			codes = append(codes, 200)
		case errors.As(err, &ge):
			codes = append(codes, ge.Code)
			if ge.Code == 429 && (!strings.HasPrefix(ge.Message, "Quota exceeded for quota metric 'Read requests'") || len(ge.Details) != 2) { // ErrorInfo and Help, as recorded
				t.Errorf("429 = %q %v", ge.Message, ge.Details)
			}
		default:
			codes = append(codes, -1) // connection cut
		}
	}
	if diff := cmp.Diff([]int{429, 503, 200, -1, 500}, codes); diff != "" {
		t.Errorf("codes mismatch (-want +got):\n%s", diff)
	}
	if slept != 15*time.Second {
		t.Errorf("slept %v, want 15s", slept)
	}
	// A seeded rate is deterministic.
	run := func() []bool {
		fr := &sheetstest.Faults{Rate: 0.5, Seed: 7}
		_, svc := newService(t, sheetstest.Options{Faults: fr})
		var out []bool
		for range 20 {
			_, err := svc.Spreadsheets.Values.Get(sid, "A1").Do()
			out = append(out, err != nil)
		}
		return out
	}
	if a, b := run(), run(); !cmp.Equal(a, b) {
		t.Errorf("seeded faults differ: %v vs %v", a, b)
	}
}

func TestQuota(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	q := &sheetstest.Quota{Read: 3, Write: 1, Now: func() time.Time { return now }}
	_, svc := newService(t, sheetstest.Options{Quota: q})
	for i := range 4 {
		_, err := svc.Spreadsheets.Values.Get(sid, "A1").Do()
		if (err != nil) != (i == 3) {
			t.Errorf("read %d: err = %v", i, err)
		}
	}
	if _, err := svc.Spreadsheets.Values.Clear(sid, "A1", &sheets.ClearValuesRequest{}).Do(); err != nil {
		t.Errorf("first write: %v", err)
	}
	_, err := svc.Spreadsheets.Values.Clear(sid, "A1", &sheets.ClearValuesRequest{}).Do()
	if ge := apiErr(t, err); ge.Code != 429 || !strings.Contains(ge.Message, "'Write requests'") {
		t.Errorf("second write = %d %q", ge.Code, ge.Message)
	}
	now = now.Add(time.Minute)
	if _, err := svc.Spreadsheets.Values.Get(sid, "A1").Do(); err != nil {
		t.Errorf("read after refill: %v", err)
	}
}

// TestQuotaWindow: a shortened quota "minute" refills when its own window
// turns, not the calendar minute's.
func TestQuotaWindow(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	q := &sheetstest.Quota{Read: 2, Window: 6 * time.Second, Now: func() time.Time { return now }}
	_, svc := newService(t, sheetstest.Options{Quota: q})
	read := func() error { _, err := svc.Spreadsheets.Values.Get(sid, "A1").Do(); return err }
	for i, step := range []struct {
		advance time.Duration
		fail    bool
	}{{0, false}, {time.Second, false}, {time.Second, true}, {4 * time.Second, false}, {5 * time.Second, false}, {0, true}} {
		now = now.Add(step.advance)
		err := read()
		if (err != nil) != step.fail {
			t.Errorf("read %d at %s: err = %v, want failure %v", i, now.Format("15:04:05"), err, step.fail)
		}
		if err != nil {
			if ge := apiErr(t, err); ge.Code != 429 || !strings.Contains(string(ge.Body), `"quota_limit_value": "2"`) && !strings.Contains(string(ge.Body), `"quota_limit_value":"2"`) {
				t.Errorf("read %d: %d %s", i, ge.Code, ge.Body)
			}
		}
	}
}

// TestLoadDir loads a folder of spreadsheets: a subfolder with two .csv
// tabs and a lone .csv file.
func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "fleet-0001", "客户.csv"), "客户编号,名称\nC1,华为\n")
	write(filepath.Join(dir, "fleet-0001", "Other.csv"), "a\n1\n")
	write(filepath.Join(dir, "lone.csv"), "x,y\n1,2\n")
	write(filepath.Join(dir, "notes.txt"), "not a spreadsheet")
	srv := sheetstest.Start(t, sheetstest.Options{})
	ids, err := srv.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"fleet-0001", "lone"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	got, err := srv.Values("fleet-0001", "客户")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"客户编号", "名称"}, {"C1", "华为"}}, got); diff != "" {
		t.Errorf("客户 (-want +got):\n%s", diff)
	}
	if tabs, _ := srv.TabIDs("fleet-0001"); len(tabs) != 2 {
		t.Errorf("tabs = %v", tabs)
	}
	if got, _ := srv.Values("lone", "lone"); len(got) != 2 {
		t.Errorf("lone = %v", got)
	}

	write(filepath.Join(dir, "empty", "readme.txt"), "")
	if _, err := srv.LoadDir(dir); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("a subfolder without .csv: err = %v", err)
	}
}

func TestLoadSaveFile(t *testing.T) {
	srv := sheetstest.Start(t, sheetstest.Options{})
	dir := t.TempDir()
	_ = srv.CreateSpreadsheet("x", "X", "客户", "Other")
	_ = srv.SetValues("x", "客户", [][]string{{"编号", "名称"}, {"C00001", "=not a formula"}, {"", "b"}})
	path := filepath.Join(dir, "out.xlsx")
	if err := srv.SaveFile("x", path); err != nil {
		t.Fatal(err)
	}
	if err := srv.LoadFile("y", path); err != nil {
		t.Fatal(err)
	}
	got, err := srv.Values("y", "客户")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"编号", "名称"}, {"C00001", "=not a formula"}, {"", "b"}}, got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
	if ids, _ := srv.TabIDs("y"); len(ids) != 2 || ids["客户"] != 0 {
		t.Errorf("tabs = %v", ids)
	}
}

func TestLargeRead(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	srv, svc := newService(t, sheetstest.Options{})
	rows := make([][]string, 100_000)
	for i := range rows {
		row := make([]string, 20)
		for j := range row {
			row[j] = fmt.Sprintf("r%dc%d", i, j)
		}
		rows[i] = row
	}
	if err := srv.SetValues(sid, "Sheet1", rows); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	vr, err := svc.Spreadsheets.Values.Get(sid, "Sheet1").Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(vr.Values) != 100_000 || vr.Range != "Sheet1!A1:Z100000" {
		t.Errorf("got %d rows, range %q", len(vr.Values), vr.Range)
	}
	t.Logf("2M-cell read in %v", time.Since(start))
}

func TestWorkbookLimits(t *testing.T) {
	_, svc := newService(t, sheetstest.Options{})
	_, err := svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AppendDimension: &sheets.AppendDimensionRequest{Dimension: "ROWS", Length: 400_000}},
	}}).Do()
	ge := apiErr(t, err)
	if want := "Invalid requests[0].appendDimension: This action would increase the number of cells in the workbook above the limit of 10000000 cells."; ge.Message != want {
		t.Errorf("message = %q, want %q", ge.Message, want)
	}
	// 384,615 rows × 26 columns fits.
	if _, err := svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AppendDimension: &sheets.AppendDimensionRequest{Dimension: "ROWS", Length: 383_615}},
	}}).Do(); err != nil {
		t.Errorf("append to the limit: %v", err)
	}
}

func TestConcurrentClients(t *testing.T) {
	_, svc := newService(t, sheetstest.Options{})
	done := make(chan error, 8)
	for i := range 8 {
		go func() {
			_, err := svc.Spreadsheets.Values.Append(sid, "Sheet1", &sheets.ValueRange{Values: [][]any{{i}}}).ValueInputOption("RAW").Do()
			if err == nil {
				_, err = svc.Spreadsheets.Values.Get(sid, "Sheet1").Do()
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	vr, err := svc.Spreadsheets.Values.Get(sid, "A:A").Do()
	if err != nil || len(vr.Values) != 8 {
		t.Errorf("after concurrent appends: %d rows, %v", len(vr.Values), err)
	}
}

// BenchmarkValuesGet10M measures the server side of reading a 500,000×20
// tab (10 million cells), the Sheets maximum.
func BenchmarkValuesGet10M(b *testing.B) {
	srv := sheetstest.NewServer(sheetstest.Options{})
	_ = srv.CreateSpreadsheet(sid, "Big")
	rows := make([][]string, 500_000)
	for i := range rows {
		row := make([]string, 20)
		for j := range row {
			row[j] = fmt.Sprintf("r%dc%d", i, j)
		}
		rows[i] = row
	}
	if err := srv.SetValues(sid, "Sheet1", rows); err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "/v4/spreadsheets/"+sid+"/values/Sheet1", nil)
	b.ResetTimer()
	for range b.N {
		w := &countingWriter{h: http.Header{}}
		srv.ServeHTTP(w, req)
		if w.code != 200 || w.n < 100_000_000 {
			b.Fatalf("status %d, %d bytes", w.code, w.n)
		}
		b.SetBytes(int64(w.n))
	}
}

type countingWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *countingWriter) Header() http.Header         { return w.h }
func (w *countingWriter) WriteHeader(code int)        { w.code = code }
func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }
