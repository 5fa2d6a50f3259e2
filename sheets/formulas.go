package sheets

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
)

var (
	_ audit.FormulaReader = (*Workbook)(nil)
	_ audit.FormulaWriter = (*Workbook)(nil)
)

// formulaFields asks spreadsheets.get for the formulas of the requested
// ranges and nothing else. userEnteredValue.formulaValue is set only on
// cells that hold a formula: text typed or written RAW that starts with "="
// is a stringValue, so it is never mistaken for one. (values.batchGet with
// valueRenderOption=FORMULA cannot tell them apart: it returns "=abc" for
// both, and comparing with the FORMATTED render only guesses, wrongly for a
// formula whose result reads like its text.) With this mask a cell without
// a formula costs a "{}" in the response, less than its value would.
const formulaFields = "sheets(properties(sheetId,title),data(startRow,startColumn,rowData(values(userEnteredValue/formulaValue))))"

// maxFormulaRanges bounds the ranges of one values.batchUpdate, besides
// maxWriteBytes, so that one request stays small whatever the layout.
const maxFormulaRanges = 1000

// ReadFormulas implements audit.FormulaReader. It reads the tab in the same
// blocks of rows as ReadTab, several blocks per spreadsheets.get. Errors
// wrap audit.ErrNotFound for a missing spreadsheet or tab.
func (w *Workbook) ReadFormulas(ctx context.Context, title string) ([][]string, error) {
	op := fmt.Sprintf("read formulas of tab %q", title)
	start := w.opts.Now()
	meta, err := w.tab(ctx, op, title)
	if err != nil {
		return nil, err
	}
	out := [][]string{}
	if meta.GridRows < 1 || meta.GridCols < 1 {
		return out, nil
	}
	n, per := w.pageRows(meta.GridCols), w.opts.BlocksPerRequest
	reqs, cells := 0, 0
	for r := 1; r <= meta.GridRows; {
		var ranges []string
		for len(ranges) < per && r <= meta.GridRows {
			last := min(r+n-1, meta.GridRows)
			ranges = append(ranges, rowsRange(meta.Title, r, last, meta.GridCols))
			r = last + 1
		}
		var ss *sheets.Spreadsheet
		reqs++
		err := w.call(ctx, "spreadsheets.get", false, func(ctx context.Context) error {
			var err error
			ss, err = w.svc.Spreadsheets.Get(w.id).Ranges(ranges...).Fields(formulaFields).Context(ctx).Do()
			return err
		})
		if err != nil {
			return nil, w.translate(err, op)
		}
		for _, s := range ss.Sheets {
			for _, d := range s.Data {
				for i, row := range d.RowData {
					for j, c := range row.Values {
						if c == nil || c.UserEnteredValue == nil || c.UserEnteredValue.FormulaValue == nil {
							continue
						}
						f := *c.UserEnteredValue.FormulaValue
						if f == "" {
							continue
						}
						out = setCell(out, int(d.StartRow)+i, int(d.StartColumn)+j, f)
						cells++
					}
				}
			}
		}
	}
	w.log.Debug("read formulas", zap.String("tab", meta.Title), zap.Int("cells", cells),
		zap.Int("requests", reqs), zap.Duration("duration", w.opts.Now().Sub(start)))
	return out, nil
}

// setCell puts v at the 0-based cell of grid, growing it as needed.
func setCell(grid [][]string, row, col int, v string) [][]string {
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

// formulaRect is a rectangle of cells written as one range: consecutive
// rows whose cells span the same columns, such as a computed column, go in
// one range instead of one per cell.
type formulaRect struct {
	row, col int // 0-based top-left
	cells    [][]string
}

// rectCell is one cell to write: 0-based row and column, and its text.
type rectCell struct {
	row, col int
	v        string
}

// mergeRects sorts cells and joins them into rectangles: runs of adjacent
// cells in a row, then runs with the same columns in consecutive rows.
func mergeRects(cells []rectCell) []*formulaRect {
	slices.SortFunc(cells, func(a, b rectCell) int {
		return cmp.Or(cmp.Compare(a.row, b.row), cmp.Compare(a.col, b.col))
	})
	var rects []*formulaRect
	open := map[[2]int]*formulaRect{} // first, last column → rectangle ending on the previous row
	for i := 0; i < len(cells); {
		j := i + 1
		for j < len(cells) && cells[j].row == cells[i].row && cells[j].col == cells[j-1].col+1 {
			j++
		}
		run := make([]string, j-i)
		for k := range run {
			run[k] = cells[i+k].v
		}
		span := [2]int{cells[i].col, cells[j-1].col}
		if r := open[span]; r != nil && r.row+len(r.cells) == cells[i].row && len(r.cells) < maxWriteRows {
			r.cells = append(r.cells, run)
		} else {
			r = &formulaRect{row: cells[i].row, col: cells[i].col, cells: [][]string{run}}
			rects = append(rects, r)
			open[span] = r
		}
		i = j
	}
	return rects
}

// writeRects writes rectangles with values.batchUpdate and the given
// valueInputOption, values converted for the client by conv, in batches of
// at most maxFormulaRanges ranges and about maxWriteBytes. Each batch is
// atomic, the whole call is not.
func (w *Workbook) writeRects(ctx context.Context, op string, meta audit.TabMeta, rects []*formulaRect, input string, conv func([][]string) [][]any) error {
	for len(rects) > 0 {
		var data []*sheets.ValueRange
		size := 0
		for len(rects) > 0 && len(data) < maxFormulaRanges {
			r := rects[0]
			s := 0
			for _, row := range r.cells {
				s += rowBytes(row)
			}
			if len(data) > 0 && size+s > maxWriteBytes {
				break
			}
			size += s
			rects = rects[1:]
			rng := fmt.Sprintf("%s!%s%d:%s%d", quote(meta.Title), audit.ColumnName(r.col), r.row+1,
				audit.ColumnName(r.col+len(r.cells[0])-1), r.row+len(r.cells))
			data = append(data, &sheets.ValueRange{Range: rng, MajorDimension: "ROWS", Values: conv(r.cells)})
		}
		err := w.call(ctx, "values.batchUpdate", true, func(ctx context.Context) error {
			_, err := w.svc.Spreadsheets.Values.BatchUpdate(w.id, &sheets.BatchUpdateValuesRequest{
				ValueInputOption: input,
				Data:             data,
			}).Fields(googleapi.Field("totalUpdatedCells")).Context(ctx).Do()
			return err
		})
		if err != nil {
			return w.translate(err, op)
		}
	}
	return nil
}

// WriteFormulas implements audit.FormulaWriter with values.batchUpdate and
// valueInputOption USER_ENTERED, so each value is entered as a person would
// type it and becomes a formula. This is the one place sheetaudit writes
// USER_ENTERED (everything else is RAW, so a value starting with "=" stays
// text): it writes only formulas that came from the team's own sheet, read
// by ReadFormulas into a snapshot, back into the cells they came from. The
// grid grows to fit the cells first. Requests go in batches of at most
// maxFormulaRanges ranges and about maxWriteBytes; each batch is atomic, the
// whole call is not, but writing the same formulas again converges. Errors
// wrap audit.ErrNotFound for a missing tab and audit.ErrInvalid for a bad
// cell name or an oversized formula.
func (w *Workbook) WriteFormulas(ctx context.Context, title string, formulas map[string]string) error {
	return w.writeCells(ctx, title, "formulas", formulas, func(ref, f string) string {
		if !strings.HasPrefix(f, "=") {
			return fmt.Sprintf("cell %s: %q is not a formula", ref, f)
		}
		if len(f) > MaxCellChars && utf8.RuneCountInString(f) > MaxCellChars {
			return fmt.Sprintf("the formula of cell %s has more than %d characters", ref, MaxCellChars)
		}
		return ""
	}, "USER_ENTERED", interfaces)
}

// writeCells writes values to the cells of a tab, for WriteFormulas and
// WriteTyped: what names the operation in errors and the log; check says
// why a cell's value cannot be written ("" when it can), before anything
// is sent; input is the valueInputOption and conv turns the values of a
// range into what the client sends. The grid grows to fit the cells first.
func (w *Workbook) writeCells(ctx context.Context, title, what string, values map[string]string, check func(ref, v string) string, input string, conv func([][]string) [][]any) error {
	op := fmt.Sprintf("write %s to tab %q", what, title)
	if len(values) == 0 {
		return nil
	}
	cells := make([]rectCell, 0, len(values))
	rows, cols := 0, 0
	for ref, v := range values {
		r, c, ok := parseCell(ref)
		if !ok {
			return fmt.Errorf("%s of spreadsheet %q: %q is not a cell name like B7: %w", op, w.id, ref, audit.ErrInvalid)
		}
		if why := check(ref, v); why != "" {
			return fmt.Errorf("%s of spreadsheet %q: %s: %w", op, w.id, why, audit.ErrInvalid)
		}
		cells = append(cells, rectCell{r, c, v})
		rows, cols = max(rows, r+1), max(cols, c+1)
	}
	meta, err := w.tab(ctx, op, title)
	if err != nil {
		return err
	}
	if err := w.grow(ctx, op, &meta, max(rows, meta.GridRows), max(cols, meta.GridCols)); err != nil {
		return err
	}
	if err := w.writeRects(ctx, op, meta, mergeRects(cells), input, conv); err != nil {
		return err
	}
	w.log.Debug("wrote "+what, zap.String("tab", meta.Title), zap.Int("cells", len(cells)))
	return nil
}
