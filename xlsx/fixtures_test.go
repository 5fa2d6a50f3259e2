package xlsx

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
)

// copyFixture copies a testdata workbook into a temp folder, so writes never
// touch the committed file.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Workbooks saved by other producers read as a user sees them. The expected
// rows are facts about the files (see testdata/SOURCES.md), checked by eye
// in the producing apps' terms.
func TestReadFixtures(t *testing.T) {
	tests := []struct {
		file, tab string
		rows      map[int][]string // 1-based row number → values
		nRows     int
	}{
		// Data starts at A19; rows above are empty, not missing.
		{"Book1.xlsx", "Sheet1", map[int][]string{1: {}, 18: {}, 19: {"Total:", "237"}, 21: {"", "", "Column1", "Column2"}, 22: {"GitHub"}}, 22},
		// Merged header cells: the value sits in the top-left cell only; E1 is an inline string.
		{"Book1.xlsx", "Sheet2", map[int][]string{1: {"Monitor", "", "Brand", "", "inlineStr"}, 2: {"> 23 Inch", "19", "HP", "200"}}, 11},
		// A 13-digit ID stored as a number reads as digits, not 8.59560E+12.
		{"OverflowNumericCell.xlsx", "Sheet1", map[int][]string{1: {"8595602512225"}}, 1},
		{"MergeCell.xlsx", "Sheet1", map[int][]string{1: {"A1", "", "C1", "D1"}, 8: {"", "", "", "D8"}}, 12},
		// Apple Numbers: part named sheet.xml, grid full of empty cells.
		{"macNumbersTest.xlsx", "主动技能", map[int][]string{1: {"编号"}}, 1},
		// WPS writes only three <row> elements in A1:C5; the skipped rows are empty rows.
		{"wpsBlankLineTest.xlsx", "Sheet1", map[int][]string{1: {"编号"}, 2: {}, 3: {"编号"}, 4: {}, 5: {"", "", "编号"}}, 5},
		{"inlineStrings.xlsx", "Activity by Day", map[int][]string{1: {"", "HL Retail - North America - Activity by Day - MTD"}, 4: {}}, 38},
		{"namespaced.xlsx", "Sheet1", map[int][]string{2: {"w", "w", "", "", "w", "w", "w", "w", "w", "w", "", "w"}}, 2},
		// Formulas read as their cached results, errors as Excel shows them.
		{"testcelltypes.xlsx", "Sheet1", map[int][]string{2: {"日本語", "string"}, 4: {"1.024", "float"}, 6: {"TRUE", "bool"}, 7: {"30", "formula"}, 8: {"#DIV/0!", "error"}}, 8},
		{"merged_cells.xlsx", "Sheet1", map[int][]string{2: {"01.01.2016", "A", "4"}, 3: {"", "B", "23"}}, 7},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.tab, func(t *testing.T) {
			w := openTest(t, filepath.Join("testdata", tt.file))
			tab, err := w.ReadTab(context.Background(), tt.tab)
			if err != nil {
				t.Fatal(err)
			}
			if len(tab.Values) != tt.nRows {
				t.Errorf("%d rows, want %d", len(tab.Values), tt.nRows)
			}
			for n, want := range tt.rows {
				if n > len(tab.Values) {
					t.Errorf("row %d missing", n)
					continue
				}
				if diff := cmp.Diff(want, tab.Values[n-1]); diff != "" {
					t.Errorf("row %d mismatch (-want +got):\n%s", n, diff)
				}
			}
		})
	}
}

func TestReadBrokenFixtures(t *testing.T) {
	if _, err := Open("testdata/BadWorkbook.xlsx", Options{}); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("Open(BadWorkbook.xlsx) = %v, want ErrInvalid", err)
	}
	// The workbook lists three tabs whose worksheet parts do not exist.
	w := openTest(t, "testdata/badfile_noWorksheets.xlsx")
	_, err := w.ReadTab(context.Background(), "Tabelle1")
	if !errors.Is(err, audit.ErrInvalid) || !strings.Contains(err.Error(), "badfile_noWorksheets.xlsx") {
		t.Errorf("ReadTab(Tabelle1) = %v, want ErrInvalid naming the file", err)
	}
	if err := w.AppendRows(context.Background(), "Tabelle1", [][]string{{"x"}}); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("AppendRows(Tabelle1) = %v, want ErrInvalid", err)
	}
}

// Writing into files from other producers (prefixed namespaces, odd part
// names, skipped rows) keeps them readable and their old values intact.
func TestWriteFixtures(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ file, tab string }{
		{"Book1.xlsx", "Sheet2"},
		{"namespaced.xlsx", "Sheet1"},
		{"macNumbersTest.xlsx", "主动技能"},
		{"wpsBlankLineTest.xlsx", "Sheet1"},
		{"inlineStrings.xlsx", "Activity by Day"},
		{"MergeCell.xlsx", "Sheet1"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := copyFixture(t, tc.file)
			w := openTest(t, path)
			before, err := w.ReadTab(ctx, tc.tab)
			if err != nil {
				t.Fatal(err)
			}
			added := [][]string{{"=1+1", "新行"}, {}, {"", "x"}}
			if err := w.AppendRows(ctx, tc.tab, added); err != nil {
				t.Fatal(err)
			}
			after, err := w.ReadTab(ctx, tc.tab)
			if err != nil {
				t.Fatal(err)
			}
			want := append(append([][]string{}, before.Values...), added...)
			if diff := cmp.Diff(want, after.Values, emptyRows); diff != "" {
				t.Errorf("after append mismatch (-want +got):\n%s", diff)
			}
			if err := w.ReplaceTab(ctx, tc.tab, [][]string{{"only"}}); err != nil {
				t.Fatal(err)
			}
			// excelize must still open every tab of the saved file.
			f, err := excelize.OpenFile(path)
			if err != nil {
				t.Fatalf("saved file does not open: %v", err)
			}
			defer f.Close()
			for _, s := range f.GetSheetList() {
				if _, err := f.GetRows(s); err != nil {
					t.Errorf("tab %q of the saved file: %v", s, err)
				}
			}
			got, err := w.ReadTab(ctx, tc.tab)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([][]string{{"only"}}, got.Values); diff != "" {
				t.Errorf("after replace mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Replacing a tab's formulas drops the calculation chain, which Excel would
// otherwise report as damaged content, and leaves no reference to it.
func TestReplaceDropsCalcChain(t *testing.T) {
	path := copyFixture(t, "CalcChain.xlsx")
	w := openTest(t, path)
	if err := w.ReplaceTab(context.Background(), "Sheet1", [][]string{{"text"}}); err != nil {
		t.Fatal(err)
	}
	parts := zipParts(t, path)
	if _, ok := parts["xl/calcChain.xml"]; ok {
		t.Error("xl/calcChain.xml still present")
	}
	for _, name := range []string{"[Content_Types].xml", "xl/_rels/workbook.xml.rels"} {
		if strings.Contains(parts[name], "calcChain") {
			t.Errorf("%s still mentions calcChain", name)
		}
	}
}

var emptyRows = cmp.Transformer("emptyRows", func(v [][]string) [][]string {
	out := make([][]string, len(v))
	for i, r := range v {
		if len(r) == 0 {
			r = []string{}
		}
		out[i] = r
	}
	return out
})
