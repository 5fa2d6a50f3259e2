package xlsx

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.TypedWriter = (*Workbook)(nil)

// WriteTyped implements audit.TypedWriter. It rewrites only the tab's
// worksheet part (and sets fullCalcOnLoad, as WriteFormulas does, so
// formulas that use the cells are recomputed): each listed cell becomes a
// numeric cell (t="n", the value as stored in Snapshot.Typed, so a date is
// its serial) or a boolean cell (t="b"). The cell's style, and with it its
// number format, stays: ReplaceTab keeps cell styles, so after a restore a
// date serial shows as the date it showed before. Errors wrap
// audit.ErrNotFound for a missing file or tab and audit.ErrInvalid for a
// bad cell name or a value that is neither a finite number nor TRUE or
// FALSE.
func (w *Workbook) WriteTyped(ctx context.Context, title string, typed map[string]string) error {
	return w.writeTyped(ctx, title, typed, false)
}

var _ audit.FormattedTypedWriter = (*Workbook)(nil)

// WriteTypedFormatted implements audit.FormattedTypedWriter: WriteTyped,
// except that a number written into a cell without a style takes the
// style of the nearest styled cell above it in its column, and with it
// the column's number format.
func (w *Workbook) WriteTypedFormatted(ctx context.Context, title string, typed map[string]string) error {
	return w.writeTyped(ctx, title, typed, true)
}

func (w *Workbook) writeTyped(ctx context.Context, title string, typed map[string]string, likeColumn bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(typed) == 0 {
		return nil
	}
	cells := make([]formulaCell, 0, len(typed))
	for ref, v := range typed {
		col, row, err := excelize.CellNameToCoordinates(ref)
		if err != nil || strings.ContainsRune(ref, '$') {
			return fmt.Errorf("write typed values to tab %q: %q is not a cell name like B7: %w", title, ref, audit.ErrInvalid)
		}
		c := formulaCell{row: row, col: col}
		switch v {
		case "TRUE":
			c.t, c.v = "b", "1"
		case "FALSE":
			c.t, c.v = "b", "0"
		default:
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("write typed values to tab %q: cell %s: %q is not a number, TRUE or FALSE: %w", title, ref, v, audit.ErrInvalid)
			}
			// Plain decimal as Snapshot.Typed holds it ("5.1", "46327"),
			// the shortest text that reads back as the same float64.
			c.t, c.v = "n", strconv.FormatFloat(f, 'f', -1, 64)
			if math.Abs(f) >= 1e21 {
				c.v = strconv.FormatFloat(f, 'g', -1, 64)
			}
		}
		c.likeColumn = likeColumn && c.t == "n"
		cells = append(cells, c)
	}
	return w.writeCells(ctx, title, "typed values", cells, false)
}
