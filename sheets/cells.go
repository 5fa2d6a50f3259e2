package sheets

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.CellWriter = (*Workbook)(nil)

// WriteCells implements audit.CellWriter with values.batchUpdate and
// valueInputOption RAW, so a value starting with "=" stays text and
// nothing is parsed as a number or a date; "" clears a cell's value. No
// values.clear is sent: only the listed cells are written, so edits made
// elsewhere in the tab meanwhile survive. Adjacent cells go in one range,
// as WriteFormulas does (each range holds listed cells only, so no null
// placeholders are needed); the grid grows to fit the cells first. Each
// batch is atomic, the whole call is not, but writing the same cells again
// converges. Errors wrap audit.ErrNotFound for a missing tab and
// audit.ErrInvalid for a bad cell name or a value over MaxCellChars.
func (w *Workbook) WriteCells(ctx context.Context, title string, cells map[string]string) error {
	return w.writeCells(ctx, title, "cells", cells, func(ref, v string) string {
		if len(v) > MaxCellChars && utf8.RuneCountInString(v) > MaxCellChars {
			return fmt.Sprintf("cell %s holds more than %d characters; Sheets allows %d per cell", ref, MaxCellChars, MaxCellChars)
		}
		return ""
	}, "RAW", interfaces)
}
