package xlsx

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.TypedReader = (*Workbook)(nil)

// ReadTyped implements audit.TypedReader with the values the file stores:
// numeric cells as their stored number (dates are numbers with a date
// format, so they read as their serial; a workbook saved with the 1904
// date system stores serials 1462 days smaller, which are read as
// stored), boolean cells as TRUE or FALSE, and "" for text, errors and
// empty cells. Errors wrap audit.ErrNotFound for a missing file or tab.
func (w *Workbook) ReadTyped(ctx context.Context, title string, cols []int) ([][]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c, err := w.load()
	if err != nil {
		return nil, err
	}
	sh, ok := c.book.sheet(title)
	if !ok {
		return nil, w.tabNotFound(title)
	}
	out := [][]string{}
	if sh.part == "" || len(cols) == 0 {
		return out, nil
	}
	start := time.Now()
	ex, err := c.excel()
	if err != nil {
		return nil, fmt.Errorf("read typed values of tab %q of %q: %w", title, w.path, err)
	}
	rows, err := ex.GetRows(sh.name, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("read typed values of tab %q of %q: %w: %w", title, w.path, audit.ErrInvalid, err)
	}
	want := slices.Clone(cols)
	slices.Sort(want)
	want = slices.Compact(want)
	n := 0
	for y, r := range rows {
		for _, x := range want {
			if x < 0 || x >= len(r) || r[x] == "" {
				continue
			}
			ref, err := excelize.CoordinatesToCellName(x+1, y+1)
			if err != nil {
				continue
			}
			typ, err := ex.GetCellType(sh.name, ref)
			if err != nil {
				return nil, fmt.Errorf("read typed values of tab %q of %q: %w: %w", title, w.path, audit.ErrInvalid, err)
			}
			if v := typedValue(typ, r[x]); v != "" {
				out = setTyped(out, y, x, v)
				n++
			}
		}
	}
	w.log.Debug("read typed values", zap.String("tab", title), zap.Int("cells", n),
		zap.Duration("duration", time.Since(start)))
	return out, nil
}

// typedValue converts a stored cell value of the given type as
// audit.Snapshot.Typed holds it.
func typedValue(typ excelize.CellType, raw string) string {
	switch typ {
	case excelize.CellTypeBool:
		switch raw {
		case "1", "TRUE", "true":
			return "TRUE"
		case "0", "FALSE", "false":
			return "FALSE"
		}
	case excelize.CellTypeNumber, excelize.CellTypeUnset:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return ""
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return ""
}

// setTyped puts v at the 0-based cell of grid, growing it as needed.
func setTyped(grid [][]string, row, col int, v string) [][]string {
	for len(grid) <= row {
		grid = append(grid, []string{})
	}
	r := grid[row]
	for len(r) <= col {
		r = append(r, "")
	}
	r[col] = v
	grid[row] = r
	return grid
}
