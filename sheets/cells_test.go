package sheets

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// TestWriteCells writes a few cells RAW, in one values.batchUpdate and no
// values.clear, and leaves the other cells' values, formulas and typed
// values alone; writing them again changes nothing.
func TestWriteCells(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"客户": {
		{"编号", "金额", "备注", "合计"},
		{"C1", "10", "old", "20"},
		{"C2", "20", "old", "40"},
		{"C3", "30", "old", "60"},
	}})
	wb := openBook(t, srv, Options{})
	if err := wb.WriteFormulas(ctx, "客户", map[string]string{"D2": "=B2*2"}); err != nil {
		t.Fatal(err)
	}
	if err := wb.WriteTyped(ctx, "客户", map[string]string{"B2": "10"}); err != nil {
		t.Fatal(err)
	}
	cells := map[string]string{
		"C2": "=B2*3", // stays text
		"C3": "新",
		"C4": "",    // cleared
		"F9": "far", // past the grid's end
	}
	before := len(srv.Requests())
	if err := wb.WriteCells(ctx, "客户", cells); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, r := range srv.Requests()[before:] {
		kinds[r.Kind]++
	}
	// C2:C4 go as one range, F9 as another, in one request.
	if kinds["values.clear"] != 0 || kinds["values.batchUpdate"] != 1 {
		t.Errorf("requests = %v; want one values.batchUpdate and no values.clear", kinds)
	}
	want := [][]string{
		{"编号", "金额", "备注", "合计"},
		{"C1", "10", "=B2*3", "=B2*2"}, // the emulator shows a formula, not its result
		{"C2", "20", "新", "40"},
		{"C3", "30", "", "60"},
		{}, {}, {}, {},
		{"", "", "", "", "", "far"},
	}
	check := func(t *testing.T) {
		t.Helper()
		got, err := srv.Values(testID, "客户")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("values mismatch (-want +got):\n%s", diff)
		}
		f, err := wb.ReadFormulas(ctx, "客户")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]string{"D2": "=B2*2"}, audit.FormulaCells(f)); diff != "" {
			t.Errorf("formulas mismatch (-want +got):\n%s", diff)
		}
		ty, err := wb.ReadTyped(ctx, "客户", []int{1})
		if err != nil {
			t.Fatal(err)
		}
		if got := audit.FormulaCells(ty)["B2"]; got != "10" {
			t.Errorf("typed B2 = %q, want 10 untouched", got)
		}
	}
	check(t)
	if err := wb.WriteCells(ctx, "客户", cells); err != nil {
		t.Fatal(err)
	}
	check(t)
}

func TestWriteCellsErrors(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"客户": {{"编号"}}})
	wb := openBook(t, srv, Options{})
	tests := []struct {
		name  string
		tab   string
		cells map[string]string
		want  error
	}{
		{"bad cell name", "客户", map[string]string{"7B": "x"}, audit.ErrInvalid},
		{"missing tab", "没有", map[string]string{"A1": "x"}, audit.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := wb.WriteCells(ctx, tt.tab, tt.cells); !errors.Is(err, tt.want) {
				t.Errorf("WriteCells = %v, want %v", err, tt.want)
			}
		})
	}
}
