package audittest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
)

// FormulaConformance checks a backend's audit.FormulaReader and
// audit.FormulaWriter: formulas written read back as formulas, text that
// merely starts with "=" (written RAW by ReplaceTab) is not taken for one,
// writing is idempotent and touches only the listed cells, and ReplaceTab
// leaves no formula behind. open must return a workbook implementing both.
func FormulaConformance(t *testing.T, open Opener) {
	ctx := context.Background()
	data := [][]string{
		{"单价", "数量", "合计", "备注"},
		{"2", "3", "6", "=not a formula"},
		{"5", "4", "20", ""},
	}
	both := func(t *testing.T) (audit.Workbook, audit.FormulaReader, audit.FormulaWriter) {
		t.Helper()
		wb := open(t, map[string][][]string{"订单": data})
		fr, ok := wb.(audit.FormulaReader)
		if !ok {
			t.Fatalf("%T does not implement audit.FormulaReader", wb)
		}
		fw, ok := wb.(audit.FormulaWriter)
		if !ok {
			t.Fatalf("%T does not implement audit.FormulaWriter", wb)
		}
		return wb, fr, fw
	}
	t.Run("text is not a formula", func(t *testing.T) {
		_, fr, _ := both(t)
		got, err := fr.ReadFormulas(ctx, "订单")
		if err != nil {
			t.Fatalf("ReadFormulas: %v", err)
		}
		if diff := cmp.Diff([][]string{}, got, cmpEmpty); diff != "" {
			t.Errorf("formulas of a tab of text mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("write and read back", func(t *testing.T) {
		wb, fr, fw := both(t)
		set := map[string]string{"C2": "=A2*B2", "C3": "=A3*B3", "E1": "=SUM(C2:C3)"}
		for range 2 { // idempotent
			if err := fw.WriteFormulas(ctx, "订单", set); err != nil {
				t.Fatalf("WriteFormulas: %v", err)
			}
		}
		got, err := fr.ReadFormulas(ctx, "订单")
		if err != nil {
			t.Fatalf("ReadFormulas: %v", err)
		}
		want := [][]string{{"", "", "", "", "=SUM(C2:C3)"}, {"", "", "=A2*B2"}, {"", "", "=A3*B3"}}
		if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
			t.Errorf("formulas mismatch (-want +got):\n%s", diff)
		}
		tab, err := wb.ReadTab(ctx, "订单")
		if err != nil {
			t.Fatalf("ReadTab: %v", err)
		}
		// Cells not listed keep their values; the text stays text.
		for _, c := range []struct{ row, col int }{{0, 0}, {1, 0}, {1, 1}, {1, 3}, {2, 0}} {
			if got, want := cellOf(tab.Values, c.row, c.col), data[c.row][c.col]; got != want {
				t.Errorf("cell %s%d = %q after WriteFormulas, want %q", audit.ColumnName(c.col), c.row+1, got, want)
			}
		}
	})
	t.Run("replace clears formulas", func(t *testing.T) {
		wb, fr, fw := both(t)
		if err := fw.WriteFormulas(ctx, "订单", map[string]string{"C2": "=A2*B2"}); err != nil {
			t.Fatalf("WriteFormulas: %v", err)
		}
		if err := wb.ReplaceTab(ctx, "订单", data); err != nil {
			t.Fatalf("ReplaceTab: %v", err)
		}
		got, err := fr.ReadFormulas(ctx, "订单")
		if err != nil {
			t.Fatalf("ReadFormulas: %v", err)
		}
		if diff := cmp.Diff([][]string{}, got, cmpEmpty); diff != "" {
			t.Errorf("formulas after ReplaceTab mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("missing tab", func(t *testing.T) {
		_, fr, fw := both(t)
		if _, err := fr.ReadFormulas(ctx, "nope"); !errors.Is(err, audit.ErrNotFound) {
			t.Errorf("ReadFormulas(missing) error = %v, want ErrNotFound", err)
		}
		if err := fw.WriteFormulas(ctx, "nope", map[string]string{"A1": "=1+1"}); !errors.Is(err, audit.ErrNotFound) {
			t.Errorf("WriteFormulas(missing) error = %v, want ErrNotFound", err)
		}
	})
	t.Run("bad cell name", func(t *testing.T) {
		_, _, fw := both(t)
		if err := fw.WriteFormulas(ctx, "订单", map[string]string{"not a cell": "=1"}); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("WriteFormulas(bad cell) error = %v, want ErrInvalid", err)
		}
	})
}

func cellOf(v [][]string, row, col int) string {
	if row < len(v) && col < len(v[row]) {
		return v[row][col]
	}
	return ""
}
