package sheets

import (
	"context"
	"fmt"
	"math"
	"strconv"

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
	return w.writeCells(ctx, title, "typed values", cells, func(ref, v string) string {
		if _, ok := typedJSON(v); !ok {
			return fmt.Sprintf("cell %s: %q is not a number, TRUE or FALSE", ref, v)
		}
		return ""
	}, "RAW", typedValues)
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
