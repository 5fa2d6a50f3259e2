package xlsx

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

// writeBook writes tabs (in title order) into a new workbook at path, each
// value as a text cell, the way a person typing into Excel would leave it.
func writeBook(t testing.TB, path string, tabs map[string][][]string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	titles := make([]string, 0, len(tabs))
	for title := range tabs {
		titles = append(titles, title)
	}
	slices.Sort(titles)
	for i, title := range titles {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", title); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(title); err != nil {
			t.Fatal(err)
		}
		for r, row := range tabs[title] {
			for c, v := range row {
				if v == "" {
					continue
				}
				cell, err := excelize.CoordinatesToCellName(c+1, r+1)
				if err != nil {
					t.Fatal(err)
				}
				if err := f.SetCellStr(title, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func openTest(t testing.TB, path string) *Workbook {
	t.Helper()
	w, err := Open(path, Options{Logger: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return w
}

func TestConformance(t *testing.T) {
	audittest.Conformance(t, func(t *testing.T, tabs map[string][][]string) audit.Workbook {
		path := filepath.Join(t.TempDir(), "book.xlsx")
		writeBook(t, path, tabs)
		return openTest(t, path)
	})
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notZip := filepath.Join(dir, "clients.xlsx")
	if err := os.WriteFile(notZip, []byte("编号\t名称\n1\tx\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want error
	}{
		{"missing file", filepath.Join(dir, "nope.xlsx"), audit.ErrNotFound},
		{"text file named .xlsx", notZip, audit.ErrInvalid},
		{"workbook without sheets", "testdata/BadWorkbook.xlsx", audit.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(tt.path, Options{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open(%q) error = %v, want %v", tt.path, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("Open(%q) error %q does not name the file", tt.path, err)
			}
		})
	}
}

func TestFileRemovedAfterOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"客户": {{"a"}}})
	w := openTest(t, path)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	_, err := w.ReadTab(context.Background(), "客户")
	if !errors.Is(err, audit.ErrNotFound) || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadTab after removal = %v, want ErrNotFound naming %q", err, path)
	}
}

func TestReadTabMissingTabNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"客户": {{"a"}}})
	w := openTest(t, path)
	_, err := w.ReadTab(context.Background(), "Clients")
	if !errors.Is(err, audit.ErrNotFound) {
		t.Fatalf("ReadTab = %v, want ErrNotFound", err)
	}
	for _, s := range []string{path, "Clients"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

// Someone edits the file between cycles; the next read must see it.
func TestReadTabSeesEditsOnDisk(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"客户": {{"a", "b"}}})
	w := openTest(t, path)
	first, err := w.ReadTab(ctx, "客户")
	if err != nil {
		t.Fatal(err)
	}
	again, err := w.ReadTab(ctx, "客户")
	if err != nil {
		t.Fatal(err)
	}
	if again.Meta.Revision != first.Meta.Revision {
		t.Errorf("revision changed without an edit: %q → %q", first.Meta.Revision, again.Meta.Revision)
	}
	writeBook(t, path, map[string][][]string{"客户": {{"a", "b"}, {"c"}}})
	edited, err := w.ReadTab(ctx, "客户")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"a", "b"}, {"c"}}, edited.Values); diff != "" {
		t.Errorf("values after edit mismatch (-want +got):\n%s", diff)
	}
	if edited.Meta.Revision == first.Meta.Revision {
		t.Errorf("revision %q unchanged after an edit", edited.Meta.Revision)
	}
}

func TestReadTabMeta(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"A": {{"x"}}, "B": {{"1", "2", "3"}, {}, {"4"}}})
	w := openTest(t, path)
	tab, err := w.ReadTab(context.Background(), "b") // Excel matches tab names case-insensitively
	if err != nil {
		t.Fatal(err)
	}
	got := tab.Meta
	if !strings.HasPrefix(got.Revision, "sha256:") {
		t.Errorf("Revision = %q, want a sha256 digest", got.Revision)
	}
	got.Revision = ""
	want := audit.TabMeta{SpreadsheetID: path, TabID: 2, Title: "B", GridRows: 3, GridCols: 3}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("meta mismatch (-want +got):\n%s", diff)
	}
}

// Writes go to another tab; the data tab's formulas, styles and values, and
// every other byte of its part, must survive.
func TestWritesKeepOtherTabs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	f := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "客户"))
	must(f.SetSheetRow("客户", "A1", &[]any{"金额", "数量", "合计"}))
	must(f.SetSheetRow("客户", "A2", &[]any{12.5, 3}))
	must(f.SetCellFormula("客户", "C2", "A2*B2"))
	must(f.SetCellValue("客户", "C2", 37.5)) // the cached result Excel would store
	style, err := f.NewStyle(&excelize.Style{NumFmt: 2, Font: &excelize.Font{Bold: true}})
	must(err)
	must(f.SetCellStyle("客户", "A2", "A2", style))
	_, err = f.NewSheet("Log")
	must(err)
	must(f.SetCellFormula("客户", "C2", "A2*B2"))
	must(f.SaveAs(path))
	must(f.Close())

	partsBefore := zipParts(t, path)
	w := openTest(t, path)
	must(w.AppendRows(ctx, "Log", [][]string{{"=1+1", "x"}}))
	must(w.ReplaceTab(ctx, "Log", [][]string{{"a"}, {"b"}}))
	must(w.AppendRows(ctx, "Log", [][]string{{"c"}}))
	if _, _, err := w.EnsureTab(ctx, "Needs Review"); err != nil {
		t.Fatal(err)
	}

	g, err := excelize.OpenFile(path)
	must(err)
	defer g.Close()
	formula, err := g.GetCellFormula("客户", "C2")
	must(err)
	if formula != "A2*B2" {
		t.Errorf("formula C2 = %q, want A2*B2", formula)
	}
	gotStyle, err := g.GetCellStyle("客户", "A2")
	must(err)
	st, err := g.GetStyle(gotStyle)
	must(err)
	if st.NumFmt != 2 || st.Font == nil || !st.Font.Bold {
		t.Errorf("style of A2 = numfmt %d font %+v, want numfmt 2 bold", st.NumFmt, st.Font)
	}
	tab, err := w.ReadTab(ctx, "客户")
	must(err)
	if diff := cmp.Diff([][]string{{"金额", "数量", "合计"}, {"12.50", "3", "37.5"}}, tab.Values); diff != "" {
		t.Errorf("data tab mismatch (-want +got):\n%s", diff)
	}
	log, err := w.ReadTab(ctx, "Log")
	must(err)
	if diff := cmp.Diff([][]string{{"a"}, {"b"}, {"c"}}, log.Values); diff != "" {
		t.Errorf("log tab mismatch (-want +got):\n%s", diff)
	}
	// Only the tabs that were written (and the workbook parts that list the
	// new tab) may differ byte for byte.
	partsAfter := zipParts(t, path)
	dataPart := "xl/worksheets/sheet1.xml"
	if partsBefore[dataPart] != partsAfter[dataPart] {
		t.Errorf("data tab part %s changed", dataPart)
	}
}

func zipParts(t testing.TB, path string) map[string]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	f.Pkg.Range(func(k, v any) bool {
		out[k.(string)] = string(v.([]byte))
		return true
	})
	return out
}

func TestWriteRawTextRoundTrip(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"Log": {}})
	w := openTest(t, path)
	rows := [][]string{
		{"=SUM(A1:A3)", "+8613800138000", "-1", "@mention"},
		{"_x0041_ literal", "ctl\x01char", "  padded  ", "line1\nline2\r\nline3"},
		{"<b>&amp;</b>", `"quoted"`, "\t", "0012"},
		{strings.Repeat("长", 40000)},
	}
	if err := w.ReplaceTab(ctx, "Log", rows); err != nil {
		t.Fatal(err)
	}
	tab, err := w.ReadTab(ctx, "Log")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows, tab.Values); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%.2000s", diff)
	}
	g, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if f, err := g.GetCellFormula("Log", "A1"); err != nil || f != "" {
		t.Errorf("A1 formula = %q, %v; want none (text)", f, err)
	}
	if typ, err := g.GetCellType("Log", "C1"); err != nil || typ != excelize.CellTypeInlineString {
		t.Errorf("C1 type = %v, %v; want inline string", typ, err)
	}
}

func TestAppendAfterLastValueRow(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	f := excelize.NewFile()
	_ = f.SetSheetName("Sheet1", "Log")
	_ = f.SetCellStr("Log", "A1", "head")
	_ = f.SetCellStr("Log", "B3", "data")
	// Styled but empty rows below the data, as a formatted template has.
	style, _ := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFF00"}}})
	_ = f.SetCellStyle("Log", "A4", "C10", style)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	w := openTest(t, path)
	if err := w.AppendRows(ctx, "Log", [][]string{{"n1"}, {"", "n2"}}); err != nil {
		t.Fatal(err)
	}
	tab, err := w.ReadTab(ctx, "Log")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"head"}, {}, {"", "data"}, {"n1"}, {"", "n2"}}
	if diff := cmp.Diff(want, tab.Values); diff != "" {
		t.Errorf("values mismatch (-want +got):\n%s", diff)
	}
	g, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if s, err := g.GetCellStyle("Log", "C8"); err != nil || s != style {
		t.Errorf("style of C8 below the appended rows = %d, %v; want %d", s, err, style)
	}
}

// failAfter fails every write once n bytes went through, like a full disk.
type failAfter struct {
	w io.Writer
	n int
}

var errDiskFull = errors.New("no space left on device")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		n, _ := f.w.Write(p[:f.n])
		f.n = 0
		return n, errDiskFull
	}
	f.n -= len(p)
	return f.w.Write(p)
}

func TestFailedSaveLeavesOriginal(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "book.xlsx")
	writeBook(t, path, map[string][][]string{"客户": {{"a"}}, "Log": {{"old"}}})
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w := openTest(t, path)
	w.wrapTemp = func(out io.Writer) io.Writer { return &failAfter{w: out, n: 100} }
	writes := map[string]func() error{
		"append":  func() error { return w.AppendRows(ctx, "Log", [][]string{{"new"}}) },
		"replace": func() error { return w.ReplaceTab(ctx, "Log", [][]string{{"new"}}) },
		"ensure": func() error {
			_, _, err := w.EnsureTab(ctx, "Needs Review")
			return err
		},
	}
	for name, write := range writes {
		if err := write(); !errors.Is(err, errDiskFull) {
			t.Errorf("%s error = %v, want the write error", name, err)
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(after) != string(before) {
			t.Errorf("%s: workbook changed by a failed save", name)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			t.Errorf("%s: folder holds %d entries after a failed save, want only the workbook: %v", name, len(entries), entries)
		}
	}
	w.wrapTemp = nil
	if err := w.AppendRows(ctx, "Log", [][]string{{"new"}}); err != nil {
		t.Fatalf("AppendRows after failures: %v", err)
	}
	tab, err := w.ReadTab(ctx, "Log")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"old"}, {"new"}}, tab.Values); diff != "" {
		t.Errorf("values mismatch (-want +got):\n%s", diff)
	}
}

func TestSaveKeepsFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"Log": {{"a"}}})
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	w := openTest(t, path)
	if err := w.AppendRows(context.Background(), "Log", [][]string{{"b"}}); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o640 {
		t.Errorf("mode after save = %v, want 0640", info.Mode().Perm())
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("folder holds %v after a save, want only the workbook", entries)
	}
}

func TestCancelledWriteChangesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"Log": {{"a"}}})
	w := openTest(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.AppendRows(ctx, "Log", [][]string{{"b"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("AppendRows(cancelled) = %v, want context.Canceled", err)
	}
	tab, err := w.ReadTab(context.Background(), "Log")
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Values) != 1 {
		t.Errorf("values after cancelled append = %v, want one row", tab.Values)
	}
}

func TestWriteTooManyColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"Log": {{"a"}}})
	w := openTest(t, path)
	err := w.AppendRows(context.Background(), "Log", [][]string{make([]string, maxCols+1)})
	if !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("AppendRows(16385 columns) = %v, want ErrInvalid", err)
	}
}

// Writes within the process are serialized: concurrent appends all land.
func TestConcurrentAppends(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"Log": {}})
	w := openTest(t, path)
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- w.AppendRows(ctx, "Log", [][]string{{"row", string(rune('a' + i))}})
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	tab, err := w.ReadTab(ctx, "Log")
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Values) != n {
		t.Errorf("%d rows after %d concurrent appends: %v", len(tab.Values), n, tab.Values)
	}
}
