// Package clientbook writes the example client table (package clientgen)
// as an .xlsx workbook. It is apart from clientgen so that what only needs
// the rows (bench/gen, and through it the audit benchmarks) does not link
// excelize.
package clientbook

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/atomicfile"
	"github.com/sheetaudit/sheetaudit/examples/clientgen"
)

// WriteXLSX writes rows (header first, as Rows returns them) as tab clientgen.Tab of a
// new workbook at path. 最后跟进日期 becomes a real date cell displayed
// yyyy-mm-dd and 合同金额 a number, as a person would enter them; every other
// cell is text, so IDs and phone numbers keep their form.
func WriteXLSX(path string, rows [][]string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", clientgen.Tab); err != nil {
		return fmt.Errorf("write example %q: %w", path, err)
	}
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")})
	if err != nil {
		return fmt.Errorf("write example %q: %w", path, err)
	}
	headStyle, err := f.NewStyle(&excelize.Style{
		Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
	})
	if err != nil {
		return fmt.Errorf("write example %q: %w", path, err)
	}
	if len(rows) == 0 {
		return fmt.Errorf("write example %q: no rows", path)
	}
	header := rows[0]
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	for ri, row := range rows {
		for ci, v := range row {
			if v == "" {
				continue
			}
			cell, err := excelize.CoordinatesToCellName(ci+1, ri+1)
			if err != nil {
				return fmt.Errorf("write example %q: %w", path, err)
			}
			col := ""
			if ri > 0 && ci < len(header) {
				col = header[ci]
			}
			switch {
			case col == clientgen.ColFollowUp && isDate(v):
				d, _ := time.Parse(clientgen.DateLayout, v)
				serial := int(d.Sub(epoch).Hours() / 24)
				if err = f.SetCellInt(clientgen.Tab, cell, int64(serial)); err == nil {
					err = f.SetCellStyle(clientgen.Tab, cell, cell, dateStyle)
				}
			case col == clientgen.ColAmount && isInt(v):
				n, _ := strconv.ParseInt(v, 10, 64)
				err = f.SetCellInt(clientgen.Tab, cell, n)
			default:
				err = f.SetCellStr(clientgen.Tab, cell, v)
			}
			if err != nil {
				return fmt.Errorf("write example %q: cell %s: %w", path, cell, err)
			}
		}
	}
	last, _ := excelize.ColumnNumberToName(len(header))
	if err := f.SetCellStyle(clientgen.Tab, "A1", last+"1", headStyle); err != nil {
		return fmt.Errorf("write example %q: %w", path, err)
	}
	widths := map[string]float64{"A": 11, "B": 30, "C": 26, "D": 11, "E": 20, "F": 30, "G": 46, "H": 8, "I": 10, "J": 8, "K": 13, "L": 12, "M": 14, "N": 28}
	for col, w := range widths {
		if err := f.SetColWidth(clientgen.Tab, col, col, w); err != nil {
			return fmt.Errorf("write example %q: %w", path, err)
		}
	}
	if err := f.SetPanes(clientgen.Tab, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("write example %q: %w", path, err)
	}
	// Not SaveAs: it creates files with the executable bit set.
	if err := atomicfile.Write(context.Background(), path, atomicfile.Options{Perm: 0o644}, func(w io.Writer) error {
		_, err := f.WriteTo(w)
		return err
	}); err != nil {
		return fmt.Errorf("write example %q: %w", path, err)
	}
	return nil
}

func isDate(s string) bool {
	_, err := time.Parse(clientgen.DateLayout, s)
	return err == nil
}

func isInt(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func ptr[T any](v T) *T { return &v }
