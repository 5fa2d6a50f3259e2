package sheets

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.TypedWriter = (*Workbook)(nil)

// WriteTyped implements audit.TypedWriter with values.batchUpdate and
// valueInputOption RAW, each value sent as a JSON number or boolean: RAW
// stores those as they are (a number stays a number, nothing is parsed as
// a formula or a date), and a values write changes no format, so a date
// serial written into a date-formatted cell shows as the date again.
// Adjacent cells go in one range, as WriteFormulas does; the grid grows to
// fit the cells first. Each batch is atomic, the whole call is not, but
// writing the same values again converges. Errors wrap audit.ErrNotFound
// for a missing tab and audit.ErrInvalid for a bad cell name or a value
// that is neither a finite number nor TRUE or FALSE.
func (w *Workbook) WriteTyped(ctx context.Context, title string, cells map[string]string) error {
	op := fmt.Sprintf("write typed values to tab %q", title)
	if len(cells) == 0 {
		return nil
	}
	list := make([]rectCell, 0, len(cells))
	rows, cols := 0, 0
	for ref, v := range cells {
		r, c, ok := parseCell(ref)
		if !ok {
			return fmt.Errorf("%s of spreadsheet %q: %q is not a cell name like B7: %w", op, w.id, ref, audit.ErrInvalid)
		}
		if _, ok := typedJSON(v); !ok {
			return fmt.Errorf("%s of spreadsheet %q: cell %s: %q is not a number, TRUE or FALSE: %w", op, w.id, ref, v, audit.ErrInvalid)
		}
		list = append(list, rectCell{r, c, v})
		rows, cols = max(rows, r+1), max(cols, c+1)
	}
	meta, err := w.tab(ctx, op, title)
	if err != nil {
		return err
	}
	if err := w.grow(ctx, op, &meta, max(rows, meta.GridRows), max(cols, meta.GridCols)); err != nil {
		return err
	}
	if err := w.writeRects(ctx, op, meta, mergeRects(list), "RAW", typedValues); err != nil {
		return err
	}
	w.log.Debug("wrote typed values", zap.String("tab", meta.Title), zap.Int("cells", len(list)))
	return nil
}

// typedJSON converts a typed value as audit.Snapshot.Typed holds it into
// what the client sends: a float64 (a JSON number) or a bool.
func typedJSON(v string) (any, bool) {
	switch v {
	case "TRUE":
		return true, true
	case "FALSE":
		return false, true
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, false
	}
	return f, true
}

// typedValues converts checked typed values for the client.
func typedValues(rows [][]string) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = make([]any, len(r))
		for j, v := range r {
			out[i][j], _ = typedJSON(v)
		}
	}
	return out
}
