package sheets

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.TypedReader = (*Workbook)(nil)

// ReadTyped implements audit.TypedReader with values.batchGet,
// valueRenderOption UNFORMATTED_VALUE and dateTimeRenderOption
// SERIAL_NUMBER: numbers and dates come as JSON numbers whatever their
// format and the spreadsheet's locale, booleans as JSON booleans, and text
// as strings, which have no typed value. Only the listed columns are read,
// one range per run of adjacent columns per block of rows, several blocks
// per request as ReadTab does. Errors wrap audit.ErrNotFound for a missing
// spreadsheet or tab.
func (w *Workbook) ReadTyped(ctx context.Context, title string, cols []int) ([][]string, error) {
	op := fmt.Sprintf("read typed values of tab %q", title)
	start := w.opts.Now()
	meta, err := w.tab(ctx, op, title)
	if err != nil {
		return nil, err
	}
	out := [][]string{}
	runs := columnRuns(cols, meta.GridCols)
	if meta.GridRows < 1 || len(runs) == 0 {
		return out, nil
	}
	width := 0
	for _, r := range runs {
		width += r.last - r.first + 1
	}
	n, per := w.pageRows(width), max(1, w.opts.BlocksPerRequest)
	reqs, cells := 0, 0
	for row := 1; row <= meta.GridRows; {
		type part struct {
			first int // 1-based sheet row
			col   int // 0-based first column
		}
		var ranges []string
		var parts []part
		for b := 0; b < per && row <= meta.GridRows; b++ {
			last := min(row+n-1, meta.GridRows)
			for _, r := range runs {
				ranges = append(ranges, quote(meta.Title)+"!"+audit.ColumnName(r.first)+strconv.Itoa(row)+":"+
					audit.ColumnName(r.last)+strconv.Itoa(last))
				parts = append(parts, part{row, r.first})
			}
			row = last + 1
		}
		reqs++
		q := valuesQuery{ranges: ranges, render: "UNFORMATTED_VALUE", dateTime: "SERIAL_NUMBER",
			cells: cellRender{dropText: true, other: typedText}}
		kept := cells
		err := w.getValues(ctx, op, q, func() {
			// Cells a failed attempt set are set again, to the same
			// values, by the next; only the count would be off.
			cells = kept
		}, func(vr, y int, vals []string) bool {
			p := parts[vr]
			for x, s := range vals {
				if s != "" {
					out = setCell(out, p.first-1+y, p.col+x, s)
					cells++
				}
			}
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	w.log.Debug("read typed values", zap.String("tab", meta.Title), zap.Int("columns", width),
		zap.Int("cells", cells), zap.Int("requests", reqs), zap.Duration("duration", w.opts.Now().Sub(start)))
	return out, nil
}

// typedText renders one UNFORMATTED_VALUE cell as audit.Snapshot.Typed
// does: numbers in plain decimal ("5.1", "46327"), booleans TRUE or FALSE,
// and "" for text and empty cells.
func typedText(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	}
	return ""
}

// colRun is a run of adjacent 0-based columns, first..last inclusive.
type colRun struct{ first, last int }

// columnRuns sorts cols, drops duplicates and those outside a grid of
// width columns, and joins adjacent ones into runs.
func columnRuns(cols []int, width int) []colRun {
	cs := slices.Clone(cols)
	slices.Sort(cs)
	cs = slices.Compact(cs)
	var runs []colRun
	for _, c := range cs {
		if c < 0 || c >= width {
			continue
		}
		if n := len(runs); n > 0 && runs[n-1].last == c-1 {
			runs[n-1].last = c
			continue
		}
		runs = append(runs, colRun{c, c})
	}
	return runs
}
