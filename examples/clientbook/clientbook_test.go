package clientbook_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/examples/clientbook"
	"github.com/sheetaudit/sheetaudit/examples/clientgen"
)

var base = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// What WriteXLSX stores shows in Excel as exactly the strings Rows returned:
// dates as yyyy-mm-dd date cells, amounts as numbers, the rest as text.
func TestWriteXLSXShowsRows(t *testing.T) {
	rows := clientgen.Rows(3, 60, base)
	path := filepath.Join(t.TempDir(), "c.xlsx")
	if err := clientbook.WriteXLSX(path, rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows(clientgen.Tab)
	if err != nil {
		t.Fatal(err)
	}
	want := make([][]string, len(rows))
	for i, r := range rows {
		n := len(r)
		for n > 0 && r[n-1] == "" {
			n--
		}
		want[i] = r[:n]
	}
	if diff := cmp.Diff(want, got, cmp.Transformer("nilEmpty", func(r []string) []string {
		if r == nil {
			return []string{}
		}
		return r
	})); diff != "" {
		t.Errorf("displayed values mismatch (-want +got):\n%.2000s", diff)
	}
	date, _ := excelize.CoordinatesToCellName(slices.Index(clientgen.Header(), clientgen.ColFollowUp)+1, 2)
	if typ, err := f.GetCellType(clientgen.Tab, date); err != nil || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("follow-up cell %s type %v, %v; want a date number", date, typ, err)
	}
}
