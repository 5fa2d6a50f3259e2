package xlsx

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// The fast reader must show exactly what excelize's own row iterator shows;
// excelize is the oracle, on every fixture and on a workbook full of
// number formats.
func TestFastReaderMatchesExcelize(t *testing.T) {
	files, err := filepath.Glob("testdata/*.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, styledBook(t), "../examples/clients.xlsx")
	ctx := context.Background()
	for _, path := range files {
		w, err := Open(path, Options{})
		if err != nil {
			continue // broken fixtures have their own tests
		}
		c, err := w.load()
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range c.book.sheets {
			if sh.part == "" {
				continue
			}
			t.Run(filepath.Base(path)+"/"+sh.name, func(t *testing.T) {
				fast, _, err := c.book.readSheetFast(ctx, sh.part)
				if err != nil {
					t.Fatalf("fast reader: %v", err)
				}
				slow, _, err := c.readSlow(ctx, sh.name)
				if err != nil {
					t.Fatalf("excelize reader: %v", err)
				}
				if diff := cmp.Diff(slow, fast, emptyRows); diff != "" {
					t.Errorf("fast reader differs from excelize (-excelize +fast):\n%s", diff)
				}
			})
		}
		if err := w.Close(); err != nil {
			t.Error(err)
		}
	}
}

// styledBook writes numbers, dates, times, percentages, currencies,
// booleans, text under number formats, and rich text, in a 1904 workbook.
func styledBook(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "styled.xlsx")
	f := excelize.NewFile()
	defer f.Close()
	on := true
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &on}); err != nil {
		t.Fatal(err)
	}
	const sh = "Sheet1"
	formats := []*excelize.Style{
		{NumFmt: 0, Font: &excelize.Font{Bold: true}}, // General, styled
		{NumFmt: 2}, {NumFmt: 4}, {NumFmt: 9}, {NumFmt: 10}, {NumFmt: 11},
		{NumFmt: 14}, {NumFmt: 22}, {NumFmt: 49},
		{CustomNumFmt: ptr("yyyy-mm-dd")}, {CustomNumFmt: ptr("yyyy年m月d日")},
		{CustomNumFmt: ptr(`"¥"#,##0.00;[Red]-"¥"#,##0.00`)}, {CustomNumFmt: ptr("0.000%")},
		{CustomNumFmt: ptr(`;;;`)}, {CustomNumFmt: ptr(`0;-0;"zero";"text: "@`)},
	}
	values := []any{0, 1, -1, 0.1 + 0.2, 12.5, 8595602512225, 1234567890123456789, 1e-7, 46000, 46000.75, math.Pi,
		"text", "0012", "=1+1", true, false, time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)}
	for ci, st := range formats {
		id, err := f.NewStyle(st)
		if err != nil {
			t.Fatal(err)
		}
		for ri, v := range values {
			cell, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
			if s, ok := v.(string); ok {
				err = f.SetCellStr(sh, cell, s)
			} else {
				err = f.SetCellValue(sh, cell, v)
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := f.SetCellStyle(sh, cell, cell, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	row := len(values) + 2
	if err := f.SetCellRichText(sh, "A"+itoa(row), []excelize.RichTextRun{{Text: "富"}, {Text: "文本", Font: &excelize.Font{Bold: true}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFormula(sh, "B"+itoa(row), "A1*2"); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func itoa(n int) string {
	name, _ := excelize.CoordinatesToCellName(1, n)
	return name[1:]
}
