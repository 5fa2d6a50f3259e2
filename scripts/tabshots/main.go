// Command tabshots prepares the quick start workbook for screenshots of the
// tabs sheetaudit writes (scripts/render-tabs.sh): it makes a colleague's
// edits between two cycles, and it writes a copy of the workbook whose
// tabs each print on one page showing their first rows.
//
//	tabshots edit  WORKBOOK        # a few edits, a row added, a row removed
//	tabshots paste WORKBOOK COLUMN # one value pasted over a whole column
//	tabshots crop  WORKBOOK OUT ROWS
//
// It is a tool for people looking at the tabs, not part of sheetaudit.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/xlsx"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "tabshots:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: tabshots edit WORKBOOK | paste WORKBOOK COLUMN | crop WORKBOOK OUT ROWS")
	}
	ctx := context.Background()
	switch args[0] {
	case "edit":
		return edit(ctx, args[1])
	case "paste":
		if len(args) != 3 {
			return fmt.Errorf("usage: tabshots paste WORKBOOK COLUMN")
		}
		return paste(ctx, args[1], args[2])
	case "crop":
		if len(args) != 4 {
			return fmt.Errorf("usage: tabshots crop WORKBOOK OUT ROWS")
		}
		n, err := strconv.Atoi(args[3])
		if err != nil || n < 1 {
			return fmt.Errorf("rows %q: want a positive number", args[3])
		}
		return crop(args[1], args[2], n, os.Stdout)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

const tab = "客户"

// edit changes cells through sheetaudit's own .xlsx writer, which keeps
// every other cell and format as it is.
func edit(ctx context.Context, path string) error {
	w, err := xlsx.Open(path, xlsx.Options{})
	if err != nil {
		return err
	}
	defer w.Close()
	t, err := w.ReadTab(ctx, tab)
	if err != nil {
		return err
	}
	last := len(t.Values)
	cells := map[string]string{
		"E3": "139 1234 5678", "I4": "商务谈判", "K4": "2026-11-28", "N5": "客户要求下周回电",
		"I6": "签约完成",
		// The second data row is deleted: all its cells emptied.
	}
	for c := range len(t.Values[0]) {
		name, _ := excelize.CoordinatesToCellName(c+1, 8)
		cells[name] = ""
	}
	added := []string{"C09001", "杭州云帆科技有限公司", "", "周婷", "0571-8765 4321", "zhouting@yunfan.example.com",
		"浙江省杭州市西湖区文三路 90 号", "IT", "初步洽谈", "王芳", "2026-11-27", "", "", "展会新线索"}
	for c, v := range added {
		name, _ := excelize.CoordinatesToCellName(c+1, last+1)
		cells[name] = v
	}
	return w.WriteCells(ctx, tab, cells)
}

// paste writes one value over every filled cell of a column.
func paste(ctx context.Context, path, column string) error {
	w, err := xlsx.Open(path, xlsx.Options{})
	if err != nil {
		return err
	}
	defer w.Close()
	t, err := w.ReadTab(ctx, tab)
	if err != nil {
		return err
	}
	col := -1
	for i, h := range t.Values[0] {
		if h == column {
			col = i
		}
	}
	if col < 0 {
		return fmt.Errorf("no column %q in tab %q", column, tab)
	}
	cells := map[string]string{}
	for r := 1; r < len(t.Values); r++ {
		if col < len(t.Values[r]) && t.Values[r][col] != "" {
			name, _ := excelize.CoordinatesToCellName(col+1, r+1)
			cells[name] = "138 0000 0000"
		}
	}
	return w.WriteCells(ctx, tab, cells)
}

// slugs name the screenshot of each tab sheetaudit writes, in either
// language.
var slugs = map[string]string{
	"Change Log": "change-log", "变更记录": "change-log",
	"Needs Review": "needs-review", "待核查": "needs-review",
	"Staleness Report": "staleness-report", "超期报告": "staleness-report",
}

// crop writes a copy whose every tab prints its first rows on one page,
// and lists the tabs in page order, one file-name slug a line ("-" for a
// tab that is not one of sheetaudit's).
func crop(path, out string, rows int, list io.Writer) error {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		slug, ok := slugs[sheet]
		switch {
		case ok:
		case strings.HasPrefix(sheet, "Restored "), strings.HasPrefix(sheet, "已恢复 "):
			slug = "restored"
		default:
			slug = "-"
		}
		fmt.Fprintln(list, slug)
		dim, err := f.GetSheetDimension(sheet)
		if err != nil {
			return err
		}
		cols := 1
		if _, end, ok := cut(dim); ok {
			if c, _, err := excelize.CellNameToCoordinates(end); err == nil {
				cols = c
			}
		}
		if cols > 12 {
			cols = 12
		}
		n := rows
		if slug == "staleness-report" {
			// The bar chart sits at K2, 600 × 360 pixels: show it and the
			// rows it is drawn from.
			cols, n = 20, max(rows, 40)
		}
		end, _ := excelize.CoordinatesToCellName(cols, n)
		if err := f.SetDefinedName(&excelize.DefinedName{
			Name: "_xlnm.Print_Area", RefersTo: "'" + sheet + "'!$A$1:" + absolute(end), Scope: sheet,
		}); err != nil {
			return err
		}
		landscape, one, fit := "landscape", 1, true
		if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
			Orientation: &landscape, FitToWidth: &one, FitToHeight: &one,
		}); err != nil {
			return err
		}
		if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
			return err
		}
	}
	return f.SaveAs(out)
}

func cut(ref string) (string, string, bool) {
	for i := range ref {
		if ref[i] == ':' {
			return ref[:i], ref[i+1:], true
		}
	}
	return ref, ref, false
}

func absolute(cell string) string {
	c, r, _ := excelize.CellNameToCoordinates(cell)
	name, _ := excelize.ColumnNumberToName(c)
	return "$" + name + "$" + strconv.Itoa(r)
}
