package sheets

import (
	"context"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

func TestFormulaConformance(t *testing.T) {
	audittest.FormulaConformance(t, func(t *testing.T, tabs map[string][][]string) audit.Workbook {
		srv := startBook(t, sheetstest.Options{}, tabs)
		return openBook(t, srv, Options{})
	})
}

// TestReadFormulasTellsTextFromFormulas writes, as a person would type it, a
// =SUM formula next to text that starts with "=" written RAW, and reads only
// the formula back, in blocks of rows.
func TestReadFormulasTellsTextFromFormulas(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"客户": {
		{"编号", "金额", "备注"},
		{"C1", "10", "=not a formula"},
		{"C2", "20", "=SUM(B2:B3)"}, // RAW: text
	}})
	wb := openBook(t, srv, Options{PageRows: 2, BlocksPerRequest: 2})
	// USER_ENTERED through the real client, as the Sheets UI would enter it.
	_, err := wb.svc.Spreadsheets.Values.Update(testID, "'客户'!B4:C4", &sheets.ValueRange{
		Values: [][]any{{"=SUM(B2:B3)", "=B4*2"}},
	}).ValueInputOption("USER_ENTERED").Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	// A formula far down, past the first request's blocks.
	if err := wb.WriteFormulas(ctx, "客户", map[string]string{"A9": "=1+2"}); err != nil {
		t.Fatal(err)
	}
	got, err := wb.ReadFormulas(ctx, "客户")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{}, {}, {}, {"", "=SUM(B2:B3)", "=B4*2"}, {}, {}, {}, {}, {"=1+2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("formulas mismatch (-want +got):\n%s", diff)
	}
	if n := countKind(srv, "spreadsheets.get"); n < 3 {
		t.Errorf("%d spreadsheets.get requests; want the metadata read and one per 2 blocks of 2 rows", n)
	}
}

// TestWriteFormulasRestoresAfterReplace is what restore does: the values
// written RAW (results included), then the formulas put back; a computed
// column goes as one range.
func TestWriteFormulasRestoresAfterReplace(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"T": {{"x"}}})
	wb := openBook(t, srv, Options{})
	values := [][]string{{"a", "b", "sum"}}
	formulas := map[string]string{}
	for i := 2; i <= 1200; i++ {
		r := strconv.Itoa(i)
		values = append(values, []string{r, "1", strconv.Itoa(i + 1)})
		formulas["C"+r] = "=A" + r + "+B" + r
	}
	formulas["E1"] = "=SUM(C2:C1200)" // beyond the values' width: the grid grows
	if err := wb.ReplaceTab(ctx, "T", values); err != nil {
		t.Fatal(err)
	}
	before := countKind(srv, "values.batchUpdate")
	if err := wb.WriteFormulas(ctx, "T", formulas); err != nil {
		t.Fatal(err)
	}
	if n := countKind(srv, "values.batchUpdate") - before; n != 1 {
		t.Errorf("%d values.batchUpdate requests for a column of formulas, want 1", n)
	}
	got, err := wb.ReadFormulas(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(formulas, audit.FormulaCells(got)); diff != "" {
		t.Errorf("formulas read back mismatch (-want +got):\n%s", diff)
	}
	// The emulator computes arithmetic on constants only; =A2+B2 shows its
	// text there, so the values are checked where no formula is.
	tab, err := wb.ReadTab(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.Values[5][:2]; !cmp.Equal(got, []string{"6", "1"}) {
		t.Errorf("row 6 = %q, want its inputs untouched", got)
	}
}
