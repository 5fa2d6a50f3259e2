package xlsx

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// typedBook writes a workbook whose dates and amounts display formatted
// (2026/11/01, 11/1/2026, 5.10) over the values the file stores.
func typedBook(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ymd, mdy, two := "yyyy/mm/dd", "m/d/yyyy", "0.00"
	sYMD, err := f.NewStyle(&excelize.Style{CustomNumFmt: &ymd})
	must(err)
	sMDY, err := f.NewStyle(&excelize.Style{CustomNumFmt: &mdy})
	must(err)
	sTwo, err := f.NewStyle(&excelize.Style{CustomNumFmt: &two})
	must(err)
	must(f.SetSheetRow("Sheet1", "A1", &[]any{"编号", "日期", "备注", "金额", "有效"}))
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	must(f.SetSheetRow("Sheet1", "A2", &[]any{"C1", day, "一", 5.1, true}))
	must(f.SetSheetRow("Sheet1", "A3", &[]any{"C2", day, "二", 7, false}))
	must(f.SetSheetRow("Sheet1", "A4", &[]any{"C3", "not a date", "三", "n/a"}))
	must(f.SetCellStyle("Sheet1", "B2", "B2", sYMD))
	must(f.SetCellStyle("Sheet1", "B3", "B3", sMDY))
	must(f.SetCellStyle("Sheet1", "D2", "D2", sTwo))
	path := filepath.Join(t.TempDir(), "typed.xlsx")
	must(f.SaveAs(path))
	return path
}

func TestReadTyped(t *testing.T) {
	ctx := context.Background()
	w := openTest(t, typedBook(t))
	tab, err := w.ReadTab(ctx, "Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.Values[1][1] + " " + tab.Values[2][1] + " " + tab.Values[1][3]; got != "2026/11/01 11/1/2026 5.10" {
		t.Fatalf("displayed values %q; want the formats applied", got)
	}
	got, err := w.ReadTyped(ctx, "Sheet1", []int{1, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{}, {"", "46327", "", "5.1", "TRUE"}, {"", "46327", "", "7", "FALSE"}}
	if diff := cmp.Diff(want, got, cmpEmptyRows); diff != "" {
		t.Errorf("typed values mismatch (-want +got):\n%s", diff)
	}
	if _, err := w.ReadTyped(ctx, "nope", []int{1}); err == nil {
		t.Error("ReadTyped(missing tab) succeeded")
	}
}
