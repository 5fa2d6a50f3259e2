package xlsx

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
)

// TestWriteCells writes a few cells as text over numbers, dates and text,
// clears one and adds one past the end; the cells keep their styles and
// the other cells their values, typed values and formulas. Writing them
// again changes nothing.
func TestWriteCells(t *testing.T) {
	ctx := context.Background()
	path := typedBook(t)
	w := openTest(t, path)
	if err := w.WriteFormulas(ctx, "Sheet1", map[string]string{"E4": "=D3*2"}); err != nil {
		t.Fatal(err)
	}
	styles := cellStyles(t, path, "B3", "D2")
	cells := map[string]string{
		"C2": "=not a formula",
		"D2": "",   // cleared, keeps its 0.00 style
		"B3": "下周", // text over a date-styled date
		"C3": "新",
		"G8": "far",
	}
	want := [][]string{
		{"编号", "日期", "备注", "金额", "有效"},
		{"C1", "2026/11/01", "=not a formula", "", "TRUE"},
		{"C2", "下周", "新", "7", "FALSE"},
		{"C3", "not a date", "三", "n/a"}, // E4's formula has no cached result (nothing computes it here)
		{}, {}, {},
		{"", "", "", "", "", "", "far"},
	}
	for range 2 { // idempotent
		if err := w.WriteCells(ctx, "Sheet1", cells); err != nil {
			t.Fatal(err)
		}
		got, err := w.ReadTab(ctx, "Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got.Values, cmpEmptyRows); diff != "" {
			t.Errorf("values mismatch (-want +got):\n%s", diff)
		}
		f, err := w.ReadFormulas(ctx, "Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]string{"E4": "=D3*2"}, audit.FormulaCells(f)); diff != "" {
			t.Errorf("formulas mismatch (-want +got):\n%s", diff)
		}
		ty, err := w.ReadTyped(ctx, "Sheet1", []int{1, 3})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]string{"B2": "46327", "D3": "7"}, audit.FormulaCells(ty)); diff != "" {
			t.Errorf("typed values mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(styles, cellStyles(t, path, "B3", "D2")); diff != "" {
			t.Errorf("styles mismatch (-before +after):\n%s", diff)
		}
	}
}

func TestWriteCellsErrors(t *testing.T) {
	ctx := context.Background()
	w := openTest(t, typedBook(t))
	tests := []struct {
		name  string
		tab   string
		cells map[string]string
		want  error
	}{
		{"bad cell name", "Sheet1", map[string]string{"7B": "x"}, audit.ErrInvalid},
		{"missing tab", "没有", map[string]string{"A1": "x"}, audit.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := w.WriteCells(ctx, tt.tab, tt.cells); !errors.Is(err, tt.want) {
				t.Errorf("WriteCells = %v, want %v", err, tt.want)
			}
		})
	}
}
