package xlsx

import (
	"context"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.CellWriter = (*Workbook)(nil)

// WriteCells implements audit.CellWriter. It rewrites only the tab's
// worksheet part, as WriteFormulas does (and sets fullCalcOnLoad, so
// formulas that use the cells are recomputed): each listed cell becomes an
// inline-string cell holding the text, as ReplaceTab writes cells, so text
// that starts with "=" stays text and the shared-strings part is not
// touched; "" leaves the cell without a value. The cell's style stays.
// Like ReplaceTab, it does not enforce Excel's 32,767 characters per cell.
// Errors wrap audit.ErrNotFound for a missing file or tab and
// audit.ErrInvalid for a bad cell name.
func (w *Workbook) WriteCells(ctx context.Context, title string, values map[string]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(values) == 0 {
		return nil
	}
	cells := make([]formulaCell, 0, len(values))
	for ref, v := range values {
		col, row, err := excelize.CellNameToCoordinates(ref)
		if err != nil || strings.ContainsRune(ref, '$') {
			return fmt.Errorf("write cells to tab %q: %q is not a cell name like B7: %w", title, ref, audit.ErrInvalid)
		}
		cells = append(cells, formulaCell{row: row, col: col, t: "inlineStr", v: v})
	}
	return w.writeCells(ctx, title, "cells", cells, false)
}
