package sheets

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// TestReadTyped enters values as a person would type them (USER_ENTERED,
// through the real client), so the emulator keeps numbers, dates and
// booleans typed behind their display, and reads the typed columns back
// unformatted, in blocks of rows and runs of columns.
func TestReadTyped(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"客户": {{"编号", "日期", "备注", "金额", "有效"}}})
	wb := openBook(t, srv, Options{PageRows: 2, BlocksPerRequest: 2})
	_, err := wb.svc.Spreadsheets.Values.Update(testID, "'客户'!A2:E6", &sheets.ValueRange{Values: [][]any{
		{"C1", "2026/11/01", "一", "1,234.50", "TRUE"},
		{"C2", "11/1/2026", "二", "5.10", "false"},
		{"C3", "", "三", "n/a", ""},
		{"C4", "not a date", "四", "7", "yes"},
		{"C5", "2026-11-02", "五", "$3", "TRUE"},
	}}).ValueInputOption("USER_ENTERED").Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	before := countKind(srv, "values.batchGet")
	tab, err := wb.ReadTab(ctx, "客户")
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.Values[1][1] + " " + tab.Values[2][1] + " " + tab.Values[1][3]; got != "2026/11/01 11/1/2026 1,234.50" {
		t.Fatalf("displayed values %q: the emulator no longer keeps the typed display", got)
	}
	tabReqs := countKind(srv, "values.batchGet") - before
	before = countKind(srv, "values.batchGet")
	got, err := wb.ReadTyped(ctx, "客户", []int{4, 1, 3})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{},
		{"", "46327", "", "1234.5", "TRUE"},
		{"", "46327", "", "5.1", "FALSE"},
		{},
		{"", "", "", "7"},
		{"", "46328", "", "3", "TRUE"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("typed values mismatch (-want +got):\n%s", diff)
	}
	// The same blocks of rows as ReadTab, the two column runs of a block
	// in the same request.
	if n := countKind(srv, "values.batchGet") - before; n != tabReqs {
		t.Errorf("%d values.batchGet requests, want %d as ReadTab", n, tabReqs)
	}
	if _, err := wb.ReadTyped(ctx, "nope", []int{1}); err == nil {
		t.Error("ReadTyped(missing tab) succeeded")
	}
}

func TestColumnRuns(t *testing.T) {
	got := columnRuns([]int{7, 1, 2, 2, 4, 3, 9, -1}, 8)
	want := []colRun{{1, 4}, {7, 7}}
	if !cmp.Equal(want, got, cmp.AllowUnexported(colRun{})) {
		t.Errorf("columnRuns = %v, want %v", got, want)
	}
}

// TestWriteTyped: a restore writes a tab's values as text (ReplaceTab), then
// its typed cells back with WriteTyped; they read back unformatted as
// numbers and booleans again, in one values.batchUpdate for adjacent cells.
// The emulator keeps no number format apart from a cell's value, so a
// written serial shows as the plain number there (Google Sheets keeps the
// cell's date format and shows the date).
func TestWriteTyped(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"客户": {{"编号"}}})
	wb := openBook(t, srv, Options{})
	_, err := wb.svc.Spreadsheets.Values.Update(testID, "'客户'!A1:D3", &sheets.ValueRange{Values: [][]any{
		{"编号", "日期", "金额", "有效"},
		{"C1", "46327", "5.1", "TRUE"},
		{"C2", "46328.5", "-1234.5", "false"},
	}}).ValueInputOption("USER_ENTERED").Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	before, err := wb.ReadTyped(ctx, "客户", []int{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	shown, err := wb.ReadTab(ctx, "客户")
	if err != nil {
		t.Fatal(err)
	}
	// Junk typed over an amount, then, as a restore does, the values
	// written back as text.
	junk := clone2(shown.Values)
	junk[1][2] = "five"
	for _, v := range [][][]string{junk, shown.Values} {
		if err := wb.ReplaceTab(ctx, "客户", v); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := wb.ReadTyped(ctx, "客户", []int{1, 2, 3}); len(got) != 0 {
		t.Fatalf("typed values after ReplaceTab = %q, want none (all text)", got)
	}
	cells := map[string]string{}
	for i, r := range before {
		for j, v := range r {
			if v != "" {
				cells[audit.ColumnName(j)+strconv.Itoa(i+1)] = v
			}
		}
	}
	writes := countKind(srv, "values.batchUpdate")
	if err := wb.WriteTyped(ctx, "客户", cells); err != nil {
		t.Fatal(err)
	}
	if n := countKind(srv, "values.batchUpdate") - writes; n != 1 {
		t.Errorf("%d values.batchUpdate requests, want 1", n)
	}
	got, err := wb.ReadTyped(ctx, "客户", []int{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, got); diff != "" {
		t.Errorf("typed values mismatch (-want +got):\n%s", diff)
	}
	after, err := wb.ReadTab(ctx, "客户")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(shown.Values, after.Values); diff != "" {
		t.Errorf("formatted values mismatch (-want +got):\n%s", diff)
	}
	// Idempotent.
	if err := wb.WriteTyped(ctx, "客户", cells); err != nil {
		t.Fatal(err)
	}
	if got, _ := wb.ReadTyped(ctx, "客户", []int{1, 2, 3}); !cmp.Equal(before, got) {
		t.Errorf("typed values after a second write = %q, want %q", got, before)
	}

	for _, tc := range []struct {
		name  string
		tab   string
		cells map[string]string
		want  error
	}{
		{"bad cell name", "客户", map[string]string{"7B": "1"}, audit.ErrInvalid},
		{"text value", "客户", map[string]string{"B2": "2026/11/01"}, audit.ErrInvalid},
		{"formula", "客户", map[string]string{"B2": "=1+1"}, audit.ErrInvalid},
		{"missing tab", "nope", map[string]string{"B2": "1"}, audit.ErrNotFound},
	} {
		if err := wb.WriteTyped(ctx, tc.tab, tc.cells); !errors.Is(err, tc.want) {
			t.Errorf("WriteTyped(%s) = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func clone2(v [][]string) [][]string {
	out := make([][]string, len(v))
	for i, r := range v {
		out[i] = append([]string(nil), r...)
	}
	return out
}

// TestReadTabTyped reads displayed and typed values with one
// spreadsheets.get of the grid data and checks them against what ReadTab
// and ReadTyped read with two values.batchGet: the same text, the same
// typed cells, so a version stored by either path equals the other's.
func TestReadTabTyped(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"客户": {{"编号", "日期", "备注", "金额", "有效"}}})
	wb := openBook(t, srv, Options{})
	_, err := wb.svc.Spreadsheets.Values.Update(testID, "'客户'!A2:F9", &sheets.ValueRange{Values: [][]any{
		{"C1", "2026/11/01", "一", "1,234.50", "TRUE"},
		{"C2", "11/1/2026", "二", "5.10", "false"},
		{},
		{"C3", "", "三", "n/a", ""},
		{"C4", "not a date", "", "7", "yes", "=1+2"},
		{"", "", "", "", "", ""},
		{"C5", "2026-11-02", "五", "$3", "TRUE"},
	}}).ValueInputOption("USER_ENTERED").Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	cols := []int{1, 3, 4, 5}
	before := len(srv.Requests())
	tab, typed, err := wb.ReadTabTyped(ctx, "客户")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kinds(srv, before), []string{"spreadsheets.get", "spreadsheets.get"}; !cmp.Equal(got, want) {
		t.Errorf("requests %q, want %q (metadata, then grid data)", got, want)
	}
	if typed == nil {
		t.Fatal("typed values not read with the values")
	}
	wantTab, err := wb.ReadTab(ctx, "客户")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantTab, tab); diff != "" {
		t.Errorf("ReadTabTyped values differ from ReadTab's (-ReadTab +ReadTabTyped):\n%s", diff)
	}
	wantTyped, err := wb.ReadTyped(ctx, "客户", cols)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantTyped, audit.KeepColumns(typed, cols)); diff != "" {
		t.Errorf("typed values differ from ReadTyped's (-ReadTyped +ReadTabTyped):\n%s", diff)
	}
	if want := [][]string{{}, {"", "46327", "", "1234.5", "TRUE"}}; !cmp.Equal(want, typed[:2]) {
		t.Errorf("typed rows 1-2 = %q, want %q", typed[:2], want)
	}

	// A tab larger than one values request is read as ReadTab reads it;
	// its typed values are left to ReadTyped.
	paged := openBook(t, srv, Options{PageRows: 2, BlocksPerRequest: 2})
	before = len(srv.Requests())
	tab, typed, err = paged.ReadTabTyped(ctx, "客户")
	if err != nil {
		t.Fatal(err)
	}
	if typed != nil || strings.Count(strings.Join(kinds(srv, before), " "), "values.batchGet") == 0 {
		t.Errorf("paged tab: typed %q, requests %q; want nil and values.batchGet pages", typed, kinds(srv, before))
	}
	if diff := cmp.Diff(wantTab.Values, tab.Values); diff != "" {
		t.Errorf("paged tab values mismatch (-want +got):\n%s", diff)
	}
	if _, _, err := wb.ReadTabTyped(ctx, "nope"); !errors.Is(err, audit.ErrNotFound) {
		t.Errorf("ReadTabTyped(missing tab) error = %v, want ErrNotFound", err)
	}
}
