package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/option"
	sheets "google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// TestCarry copies every tab but the data tab into a fresh emulator that
// holds only the data tab: values (a number with a date format
// included), sheetIds and grid sizes arrive as they were.
func TestCarry(t *testing.T) {
	ctx := context.Background()
	src := sheetstest.Start(t, sheetstest.Options{})
	dst := sheetstest.Start(t, sheetstest.Options{})
	if err := src.CreateSpreadsheet("bench", "bench", "客户", "Change Log", "Needs Review"); err != nil {
		t.Fatal(err)
	}
	if err := dst.CreateSpreadsheet("bench", "bench", "客户"); err != nil {
		t.Fatal(err)
	}
	for _, e := range []struct {
		srv  *sheetstest.Server
		tab  string
		rows [][]string
	}{
		{src, "客户", [][]string{{"客户编号"}, {"old"}}},
		{dst, "客户", [][]string{{"客户编号"}, {"new"}}},
		{src, "Change Log", [][]string{{"Time", "Change", "Key"}, {"", "edited", "K-1"}, {"", "", ""}, {"", "added", "K-2"}}},
		{src, "Needs Review", [][]string{{"Row", "Problem"}, {"3", "电话格式不对"}}},
	} {
		if err := e.srv.SetValues("bench", e.tab, e.rows); err != nil {
			t.Fatal(err)
		}
	}
	// A time cell as sheetaudit writes it: a serial number with a date
	// format, shown as text.
	svc, err := sheets.NewService(ctx, option.WithEndpoint(src.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	ids, err := src.TabIDs("bench")
	if err != nil {
		t.Fatal(err)
	}
	when := 46359.5
	_, err = svc.Spreadsheets.BatchUpdate("bench", &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{{
		UpdateCells: &sheets.UpdateCellsRequest{
			Rows: []*sheets.RowData{{Values: []*sheets.CellData{{
				UserEnteredValue:  &sheets.ExtendedValue{NumberValue: &when},
				UserEnteredFormat: &sheets.CellFormat{NumberFormat: &sheets.NumberFormat{Type: "DATE_TIME", Pattern: "yyyy-mm-dd hh:mm"}},
			}}}},
			Fields: "userEnteredValue,userEnteredFormat",
			Start:  &sheets.GridCoordinate{SheetId: ids["Change Log"], RowIndex: 1, ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
		},
	}}}).Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}

	tabs, rows, err := carry(ctx, src.URL(), dst.URL(), "bench", "客户", 2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Change Log", "Needs Review"}, tabs); diff != "" {
		t.Errorf("tabs carried (-want +got):\n%s", diff)
	}
	if rows != 6 {
		t.Errorf("rows carried = %d, want 6 (4 of the Change Log, the blank one included, 2 of Needs Review)", rows)
	}
	for _, tab := range []string{"客户", "Change Log", "Needs Review"} {
		want, err := src.Values("bench", tab)
		if err != nil {
			t.Fatal(err)
		}
		if tab == "客户" {
			want = [][]string{{"客户编号"}, {"new"}}
		}
		got, err := dst.Values("bench", tab)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("tab %q after carry (-want +got):\n%s", tab, diff)
		}
	}
	if got, _ := dst.Values("bench", "Change Log"); len(got) < 2 || !strings.HasPrefix(got[1][0], "2026-") {
		t.Errorf("the time cell lost its date format: %q", got)
	}
	want, _ := src.TabIDs("bench")
	got, _ := dst.TabIDs("bench")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sheet ids (-want +got):\n%s", diff)
	}

	// A second carry into the same emulator would duplicate rows: refused.
	if _, _, err := carry(ctx, src.URL(), dst.URL(), "bench", "客户", 2); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("second carry: err = %v, want one saying the tab is already there", err)
	}
	if code := run(ctx, []string{"-from", src.URL()}, io.Discard); code != 2 {
		t.Errorf("missing flags: exit %d, want 2", code)
	}
}
