package xlsx

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
)

// TestWriteTyped: junk typed over a date and an amount, then a restore's
// two steps: the values as text (ReplaceTab, which keeps cell styles) and
// the typed values (WriteTyped). The cells are numbers and booleans again,
// with their styles, and show as they did.
func TestWriteTyped(t *testing.T) {
	ctx := context.Background()
	path := typedBook(t)
	w := openTest(t, path)
	shown, err := w.ReadTab(ctx, "Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	cols := []int{1, 3, 4}
	before, err := w.ReadTyped(ctx, "Sheet1", cols)
	if err != nil {
		t.Fatal(err)
	}
	styles := cellStyles(t, path, "B2", "B3", "D2")

	junk := make([][]string, len(shown.Values))
	for i, r := range shown.Values {
		junk[i] = append([]string(nil), r...)
	}
	junk[1][1], junk[1][3] = "someday", "lots"
	for _, v := range [][][]string{junk, shown.Values} {
		if err := w.ReplaceTab(ctx, "Sheet1", v); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := w.ReadTyped(ctx, "Sheet1", cols); len(got) != 0 {
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
	for range 2 { // idempotent
		if err := w.WriteTyped(ctx, "Sheet1", cells); err != nil {
			t.Fatal(err)
		}
	}
	got, err := w.ReadTyped(ctx, "Sheet1", cols)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, got, cmpEmptyRows); diff != "" {
		t.Errorf("typed values mismatch (-want +got):\n%s", diff)
	}
	after, err := w.ReadTab(ctx, "Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(shown.Values, after.Values); diff != "" {
		t.Errorf("formatted values mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(styles, cellStyles(t, path, "B2", "B3", "D2")); diff != "" {
		t.Errorf("cell styles mismatch (-want +got):\n%s", diff)
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		cell string
		typ  excelize.CellType
		raw  string
	}{
		{"B2", excelize.CellTypeNumber, "46327"},
		{"D2", excelize.CellTypeNumber, "5.1"},
		{"E2", excelize.CellTypeBool, "1"},
		{"E3", excelize.CellTypeBool, "0"},
		{"A2", excelize.CellTypeInlineString, "C1"},
	} {
		typ, err := f.GetCellType("Sheet1", c.cell)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := f.GetCellValue("Sheet1", c.cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if typ != c.typ || raw != c.raw {
			t.Errorf("cell %s: type %v, raw %q; want %v, %q", c.cell, typ, raw, c.typ, c.raw)
		}
	}

	for _, tc := range []struct {
		name  string
		tab   string
		cells map[string]string
		want  error
	}{
		{"bad cell name", "Sheet1", map[string]string{"7B": "1"}, audit.ErrInvalid},
		{"text value", "Sheet1", map[string]string{"B2": "2026/11/01"}, audit.ErrInvalid},
		{"formula", "Sheet1", map[string]string{"B2": "=1+1"}, audit.ErrInvalid},
		{"missing tab", "nope", map[string]string{"B2": "1"}, audit.ErrNotFound},
	} {
		if err := w.WriteTyped(ctx, tc.tab, tc.cells); !errors.Is(err, tc.want) {
			t.Errorf("WriteTyped(%s) = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// cellStyles returns the style ids of cells, as excelize reads them.
func cellStyles(t *testing.T, path string, cells ...string) map[string]int {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := make(map[string]int, len(cells))
	for _, c := range cells {
		s, err := f.GetCellStyle("Sheet1", c)
		if err != nil {
			t.Fatal(err)
		}
		out[c] = s
	}
	return out
}
