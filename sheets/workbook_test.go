package sheets

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

const testID = "1TestSpreadsheetId"

// startBook serves a fresh emulator holding one spreadsheet with the given
// tabs (sorted by title, so the first tab is deterministic).
func startBook(t testing.TB, opts sheetstest.Options, tabs map[string][][]string) *sheetstest.Server {
	t.Helper()
	srv := sheetstest.Start(t, opts)
	titles := slices.Sorted(maps.Keys(tabs))
	if err := srv.CreateSpreadsheet(testID, "Customers", titles...); err != nil {
		t.Fatal(err)
	}
	for _, title := range titles {
		if len(tabs[title]) == 0 {
			continue
		}
		if err := srv.SetValues(testID, title, tabs[title]); err != nil {
			t.Fatal(err)
		}
	}
	return srv
}

// openBook returns a Workbook on the emulator; opts fills in the rest.
func openBook(t testing.TB, srv *sheetstest.Server, opts Options) *Workbook {
	t.Helper()
	if opts.SpreadsheetID == "" {
		opts.SpreadsheetID = testID
	}
	opts.Endpoint = srv.URL()
	if opts.Logger == nil {
		if tt, ok := t.(*testing.T); ok {
			opts.Logger = zaptest.NewLogger(tt)
		}
	}
	wb, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return wb
}

func TestConformance(t *testing.T) {
	audittest.Conformance(t, func(t *testing.T, tabs map[string][][]string) audit.Workbook {
		srv := startBook(t, sheetstest.Options{}, tabs)
		return openBook(t, srv, Options{})
	})
}

// countKind counts the emulator's answered requests of one API method.
func countKind(srv *sheetstest.Server, kind string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Kind == kind {
			n++
		}
	}
	return n
}

// sparse builds rows×cols values with ragged rows, an interior empty row,
// interior empty cells and an empty stretch of rows, so block boundaries
// fall on every case.
func sparse(rows, cols int) [][]string {
	out := make([][]string, rows)
	for r := range out {
		switch {
		case r >= 300 && r < 460: // empty stretch wider than a block
			out[r] = []string{}
			continue
		case r%97 == 5:
			out[r] = []string{}
			continue
		}
		w := cols - r%3 // ragged
		out[r] = make([]string, w)
		for c := range w {
			if (r+c)%11 != 4 { // interior empties
				out[r][c] = fmt.Sprintf("r%dc%d", r+1, c+1)
			}
		}
		out[r][w-1] = fmt.Sprintf("last%d", r+1)
	}
	return out
}

func TestReadTabPaging(t *testing.T) {
	const rows, cols = 2500, 6
	data := sparse(rows, cols)
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": data})
	tests := []struct {
		name            string
		pageRows, per   int
		wantBatchGetReq int
	}{
		{"one block per request", 100, 1, 25},
		{"three blocks per request", 100, 3, 9},
		{"block not dividing the grid", 333, 2, 4},
		{"default", 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wb := openBook(t, srv, Options{PageRows: tt.pageRows, BlocksPerRequest: tt.per})
			before := countKind(srv, "values.batchGet")
			tab, err := wb.ReadTab(context.Background(), "Data")
			if err != nil {
				t.Fatalf("ReadTab: %v", err)
			}
			if diff := cmp.Diff(data, tab.Values, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("values mismatch (-want +got):\n%.2000s", diff)
			}
			if got := countKind(srv, "values.batchGet") - before; got != tt.wantBatchGetReq {
				t.Errorf("batchGet requests = %d, want %d", got, tt.wantBatchGetReq)
			}
			if tab.Meta.GridRows != rows || tab.Meta.GridCols != 26 || tab.Meta.TabID != 0 || tab.Meta.SpreadsheetID != testID {
				t.Errorf("Meta = %+v, want grid %dx26, tab id 0, spreadsheet %q", tab.Meta, rows, testID)
			}
		})
	}
}

func TestReadTabTrailingEmptyBlocks(t *testing.T) {
	// Data only in the first rows of a big grid: the empty blocks after it
	// must not add rows.
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": {{"a"}, {}, {"", "b"}}})
	wb := openBook(t, srv, Options{PageRows: 2})
	tab, err := wb.ReadTab(context.Background(), "Data")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"a"}, {}, {"", "b"}}
	if diff := cmp.Diff(want, tab.Values, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("values mismatch (-want +got):\n%s", diff)
	}
}

func TestReadTabCaseInsensitive(t *testing.T) {
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Customers": {{"id"}, {"1"}}})
	wb := openBook(t, srv, Options{})
	tab, err := wb.ReadTab(context.Background(), "customers")
	if err != nil {
		t.Fatalf("ReadTab(customers): %v", err)
	}
	if tab.Meta.Title != "Customers" || len(tab.Values) != 2 {
		t.Errorf("ReadTab(customers) = %q with %d rows, want tab %q with 2 rows", tab.Meta.Title, len(tab.Values), "Customers")
	}
}

func TestTitlesNeedingQuotes(t *testing.T) {
	// Titles that A1 would misread unquoted: a cell reference, an
	// apostrophe, a bang, a space, digits only.
	titles := []string{"CRM26", "Bob's Sheet", "has!bang", "Q1 / Q2", "2024"}
	tabs := map[string][][]string{}
	for _, title := range titles {
		tabs[title] = [][]string{{"in " + title}}
	}
	srv := startBook(t, sheetstest.Options{}, tabs)
	wb := openBook(t, srv, Options{})
	ctx := context.Background()
	for _, title := range titles {
		if err := wb.AppendRows(ctx, title, [][]string{{"x", title}}); err != nil {
			t.Errorf("AppendRows(%q): %v", title, err)
			continue
		}
		tab, err := wb.ReadTab(ctx, title)
		if err != nil {
			t.Errorf("ReadTab(%q): %v", title, err)
			continue
		}
		want := [][]string{{"in " + title}, {"x", title}}
		if diff := cmp.Diff(want, tab.Values); diff != "" {
			t.Errorf("tab %q mismatch (-want +got):\n%s", title, diff)
		}
	}
}

func TestRawWrites(t *testing.T) {
	rows := [][]string{
		{"=1+1", "+86 10", "-5", "@user"},
		{"=HYPERLINK(\"http://x\")", "0012", "TRUE", "1,5"},
		{"'quoted", "2026-11-29", "1e3", " padded "},
	}
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Out": nil})
	wb := openBook(t, srv, Options{})
	ctx := context.Background()
	if err := wb.ReplaceTab(ctx, "Out", rows); err != nil {
		t.Fatalf("ReplaceTab: %v", err)
	}
	stored, err := srv.Values(testID, "Out")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows, stored); diff != "" {
		t.Errorf("emulator holds (-want +got):\n%s", diff)
	}
	tab, err := wb.ReadTab(ctx, "Out")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows, tab.Values); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

func TestAppendRowsAfterGaps(t *testing.T) {
	// A blank row and rows whose column A is empty: values.append's table
	// detection would write after row 2 or shift columns; AppendRows must
	// land below the last non-empty row, in column A.
	data := [][]string{
		{"when", "what"},
		{"mon", "a"},
		{},
		{"", "b"},
		{"", "", "c"},
	}
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Log": data})
	wb := openBook(t, srv, Options{PageRows: 2, BlocksPerRequest: 1})
	ctx := context.Background()
	if err := wb.AppendRows(ctx, "Log", [][]string{{"tue", "d"}}); err != nil {
		t.Fatalf("AppendRows: %v", err)
	}
	got, err := srv.Values(testID, "Log")
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(data), []string{"tue", "d"})
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("after append (-want +got):\n%s", diff)
	}
}

func TestAppendRowsChunks(t *testing.T) {
	// 25,000 short rows exceed maxWriteRows: three requests, one grid growth.
	rows := make([][]string, 25_000)
	for i := range rows {
		rows[i] = []string{fmt.Sprint(i + 1), "x"}
	}
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Log": {{"n", "v"}}})
	wb := openBook(t, srv, Options{})
	if err := wb.AppendRows(context.Background(), "Log", rows); err != nil {
		t.Fatalf("AppendRows: %v", err)
	}
	if got, want := countKind(srv, "values.update"), 3; got != want {
		t.Errorf("values.update requests = %d, want %d", got, want)
	}
	if got, want := countKind(srv, "spreadsheets.batchUpdate"), 1; got != want {
		t.Errorf("spreadsheets.batchUpdate requests = %d, want %d (one grid growth)", got, want)
	}
	got, err := srv.Values(testID, "Log")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows)+1 || !slices.Equal(got[len(got)-1], rows[len(rows)-1]) || !slices.Equal(got[1], rows[0]) {
		t.Errorf("tab has %d rows, last %v; want %d rows ending %v", len(got), got[len(got)-1], len(rows)+1, rows[len(rows)-1])
	}
}

func TestLargeCellRefused(t *testing.T) {
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Log": {{"a"}}})
	wb := openBook(t, srv, Options{})
	ctx := context.Background()
	rows := [][]string{{"ok"}, {"ok", "ok", strings.Repeat("é", MaxCellChars+1)}}
	before := len(srv.Requests())
	for name, err := range map[string]error{
		"AppendRows": wb.AppendRows(ctx, "Log", rows),
		"ReplaceTab": wb.ReplaceTab(ctx, "Log", rows),
	} {
		if !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("%s error = %v, want ErrInvalid", name, err)
			continue
		}
		for _, part := range []string{`"Log"`, "row 2", "column C", "50001"} {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("%s error %q does not mention %s", name, err, part)
			}
		}
	}
	if n := len(srv.Requests()) - before; n != 0 {
		t.Errorf("%d requests sent for refused writes, want 0", n)
	}
	// Exactly the limit is fine.
	if err := wb.AppendRows(ctx, "Log", [][]string{{strings.Repeat("é", MaxCellChars)}}); err != nil {
		t.Errorf("AppendRows(50000 chars) = %v, want nil", err)
	}
}

func TestReplaceTabGrowsColumns(t *testing.T) {
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Wide": {{"old"}}})
	wb := openBook(t, srv, Options{})
	row := make([]string, 40)
	for i := range row {
		row[i] = audit.ColumnName(i)
	}
	ctx := context.Background()
	if err := wb.ReplaceTab(ctx, "Wide", [][]string{row}); err != nil {
		t.Fatalf("ReplaceTab: %v", err)
	}
	tab, err := wb.ReadTab(ctx, "Wide")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{row}, tab.Values); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if tab.Meta.GridCols != 40 {
		t.Errorf("GridCols = %d, want 40", tab.Meta.GridCols)
	}
	// Emptying the tab is a replace with no rows.
	if err := wb.ReplaceTab(ctx, "Wide", nil); err != nil {
		t.Fatal(err)
	}
	if tab, err := wb.ReadTab(ctx, "Wide"); err != nil || len(tab.Values) != 0 {
		t.Errorf("after ReplaceTab(nil): %v rows, %v; want empty", len(tab.Values), err)
	}
}

// TestReplaceVeryWideTab writes rows 18,000 columns wide into a new tab,
// which at the default 1000 rows would pass the 10-million-cell cap.
func TestReplaceVeryWideTab(t *testing.T) {
	if testing.Short() {
		t.Skip("wide grid")
	}
	ctx := context.Background()
	srv := sheetstest.Start(t, sheetstest.Options{})
	if err := srv.CreateSpreadsheet("wide", "w", "Data"); err != nil {
		t.Fatal(err)
	}
	wb, err := New(ctx, Options{SpreadsheetID: "wide", Endpoint: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := wb.EnsureTab(ctx, "Wide"); err != nil {
		t.Fatal(err)
	}
	row := make([]string, 18000)
	for i := range row {
		row[i] = strconv.Itoa(i)
	}
	rows := [][]string{row, {"second"}, row}
	if err := wb.ReplaceTab(ctx, "Wide", rows); err != nil {
		t.Fatalf("ReplaceTab 18,000 columns: %v", err)
	}
	got, err := wb.ReadTab(ctx, "Wide")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Values) != 3 || len(got.Values[0]) != 18000 || got.Values[2][17999] != "17999" || got.Values[1][0] != "second" {
		t.Errorf("read back %d rows; first %d cells", len(got.Values), len(got.Values[0]))
	}
}
