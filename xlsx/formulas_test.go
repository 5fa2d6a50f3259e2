package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

func TestFormulaConformance(t *testing.T) {
	audittest.FormulaConformance(t, func(t *testing.T, tabs map[string][][]string) audit.Workbook {
		path := filepath.Join(t.TempDir(), "book.xlsx")
		writeBook(t, path, tabs)
		return openTest(t, path)
	})
}

// formulaBook writes a workbook as Excel users make one: a =SUM total, a
// column filled down as a shared formula, and text that starts with "=".
func formulaBook(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	set := func(cell, v string) {
		if err := f.SetCellStr("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "数量")
	set("B1", "单价")
	set("C1", "合计")
	for i, r := range []string{"2", "3", "4"} {
		if err := f.SetCellInt("Sheet1", "A"+r, int64(i+1)); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellInt("Sheet1", "B"+r, 10); err != nil {
			t.Fatal(err)
		}
	}
	shared, ref := "shared", "C2:C4"
	if err := f.SetCellFormula("Sheet1", "C2", "A2*B2", excelize.FormulaOpts{Type: &shared, Ref: &ref}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFormula("Sheet1", "C5", "SUM(C2:C4)"); err != nil {
		t.Fatal(err)
	}
	set("D2", "=not a formula")
	path := filepath.Join(t.TempDir(), "formulas.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadFormulasSharedAndText(t *testing.T) {
	w := openTest(t, formulaBook(t))
	got, err := w.ReadFormulas(context.Background(), "Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{}, {"", "", "=A2*B2"}, {"", "", "=A3*B3"}, {"", "", "=A4*B4"}, {"", "", "=SUM(C2:C4)"}}
	if diff := cmp.Diff(want, got, cmpEmptyRows); diff != "" {
		t.Errorf("formulas mismatch (-want +got):\n%s", diff)
	}
}

// TestWriteFormulasRestore is what restore does on a workbook: the values
// (results included) written as text by ReplaceTab, then the formulas put
// back. excelize reads them as formulas, the tab reads the restored values,
// Excel is told to recalculate, and the other tab's part is untouched.
func TestWriteFormulasRestore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"订单": {{"x"}}, "其他": {{"keep", "me"}}})
	w := openTest(t, path)
	values := [][]string{
		{"数量", "单价", "合计", "备注"},
		{"1", "10", "10", "=not a formula"},
		{"2", "10", "20"},
		{},
		{"", "", "30"},
	}
	if err := w.ReplaceTab(ctx, "订单", values); err != nil {
		t.Fatal(err)
	}
	formulas := map[string]string{
		"C2": "=A2*B2", "C3": "=A3*B3", "C5": `=SUM(C2:C3)&""`,
		"E4": "=IF(A2<B2,\"a<b\",\"\")", // a cell and a row that hold no value
	}
	before := partBytes(t, path)
	for range 2 { // idempotent
		if err := w.WriteFormulas(ctx, "订单", formulas); err != nil {
			t.Fatal(err)
		}
	}
	got, err := w.ReadFormulas(ctx, "订单")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(formulas, audit.FormulaCells(got)); diff != "" {
		t.Errorf("formulas mismatch (-want +got):\n%s", diff)
	}
	tab, err := w.ReadTab(ctx, "订单")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(values, tab.Values, cmpEmptyRows); diff != "" {
		t.Errorf("values after WriteFormulas mismatch (-want +got):\n%s", diff)
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, err := f.GetCellFormula("订单", "C5"); err != nil || got != `SUM(C2:C3)&""` {
		t.Errorf("excelize GetCellFormula(C5) = %q, %v", got, err)
	}
	if got, err := f.CalcCellValue("订单", "C3"); err != nil || got != "20" {
		t.Errorf("excelize CalcCellValue(C3) = %q, %v; want 20", got, err)
	}
	after := partBytes(t, path)
	if !strings.Contains(string(after["xl/workbook.xml"]), `fullCalcOnLoad="1"`) {
		t.Errorf("workbook.xml has no fullCalcOnLoad: %s", after["xl/workbook.xml"])
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	target, ok, err := findSheetPart(&zr.Reader, "订单")
	if err != nil || !ok {
		t.Fatalf("findSheetPart = %v, %v", ok, err)
	}
	for name, b := range before {
		if name != "xl/workbook.xml" && name != target.part && !bytes.Equal(b, after[name]) {
			t.Errorf("part %q changed", name)
		}
	}
}

// cmpEmptyRows treats nil and empty rows alike.
var cmpEmptyRows = cmp.Transformer("emptyRows", func(v [][]string) [][]string {
	out := make([][]string, len(v))
	for i, r := range v {
		if len(r) == 0 {
			r = []string{}
		}
		out[i] = r
	}
	return out
})

func TestFullCalcOnLoad(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<workbook><calcPr calcId="191029"/></workbook>`, `<workbook><calcPr fullCalcOnLoad="1" calcId="191029"/></workbook>`},
		{`<x:calcPr fullCalcOnLoad="0" calcId="1"></x:calcPr>`, `<x:calcPr fullCalcOnLoad="1" calcId="1"></x:calcPr>`},
		{`<workbook><sheets/></workbook>`, `<workbook><sheets/></workbook>`},
	}
	for _, tt := range tests {
		if got := string(fullCalcOnLoad([]byte(tt.in))); got != tt.want {
			t.Errorf("fullCalcOnLoad(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestSetFormulasXMLKeepsNeighbours(t *testing.T) {
	src := `<worksheet><dimension ref="A1:C2"/><sheetData>` +
		`<row r="1" spans="1:3"><c r="A1" s="2"><v>1</v></c><c r="C1" t="inlineStr"><is><t>x</t></is></c></row>` +
		`<row r="3"/>` +
		`</sheetData></worksheet>`
	out, err := setFormulasXML([]byte(src), []formulaCell{
		{row: 1, col: 1, f: "1+1", cached: "2"},
		{row: 1, col: 2, f: "A1"},
		{row: 2, col: 4, f: "C1&\"<\""},
		{row: 3, col: 1, f: "A1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `<worksheet><dimension ref="A1:D3"/><sheetData>` +
		`<row r="1"><c r="A1" s="2" t="str"><f>1+1</f><v>2</v></c><c r="B1"><f>A1</f></c><c r="C1" t="inlineStr"><is><t>x</t></is></c></row>` +
		`<row r="2"><c r="D2"><f>C1&amp;&#34;&lt;&#34;</f></c></row>` +
		`<row r="3"><c r="A3"><f>A1</f></c></row>` +
		`</sheetData></worksheet>`
	if string(out) != want {
		t.Errorf("setFormulasXML =\n%s\nwant\n%s", out, want)
	}
}

// partBytes returns every part of the package, uncompressed.
func partBytes(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		b, err := readEntry(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}
