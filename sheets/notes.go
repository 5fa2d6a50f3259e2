package sheets

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.uber.org/zap"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.Annotator = (*Workbook)(nil)

// notesFields asks spreadsheets.get for the notes of the requested range and
// nothing else: no values, no formats, so a tab of a million rows answers
// with little more than an empty object per row.
const notesFields = "sheets(properties(sheetId,title),data(startRow,startColumn,rowData(values(note))))"

// maxNoteRequests bounds the updateCells requests of one batchUpdate, to
// keep each call's payload and server time small.
const maxNoteRequests = 1000

// Notes implements audit.Annotator: one spreadsheets.get for the tab's
// metadata, one for its notes. Errors wrap audit.ErrNotFound for a missing
// tab.
func (w *Workbook) Notes(ctx context.Context, title string) (map[string]string, error) {
	op := fmt.Sprintf("read notes of tab %q", title)
	meta, err := w.tab(ctx, op, title)
	if err != nil {
		return nil, err
	}
	var ss *sheets.Spreadsheet
	err = w.call(ctx, "spreadsheets.get", false, func(ctx context.Context) error {
		var err error
		ss, err = w.svc.Spreadsheets.Get(w.id).Ranges(quote(meta.Title)).Fields(notesFields).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, w.translate(err, op)
	}
	notes := map[string]string{}
	for _, s := range ss.Sheets {
		for _, d := range s.Data {
			for i, row := range d.RowData {
				for j, c := range row.Values {
					if c != nil && c.Note != "" {
						notes[cellName(int(d.StartRow)+i, int(d.StartColumn)+j)] = c.Note
					}
				}
			}
		}
	}
	return notes, nil
}

// SetNotes implements audit.Annotator. Each cell gets one updateCells
// request with the field mask "note" alone, so the cell's value and format
// are not part of the write at all. Requests go in batches of at most
// maxNoteRequests; each batch is atomic, the whole call is not, but setting
// the same notes again converges. Removing a note from a cell beyond the
// tab's grid is a no-op; setting one there wraps audit.ErrInvalid.
func (w *Workbook) SetNotes(ctx context.Context, title string, notes map[string]string) error {
	op := fmt.Sprintf("set notes on tab %q", title)
	if len(notes) == 0 {
		return nil
	}
	type noteAt struct {
		row, col int
		text     string
	}
	cells := make([]noteAt, 0, len(notes))
	for ref, text := range notes {
		r, c, ok := parseCell(ref)
		if !ok {
			return fmt.Errorf("%s of spreadsheet %q: %q is not a cell name like B7: %w", op, w.id, ref, audit.ErrInvalid)
		}
		cells = append(cells, noteAt{r, c, text})
	}
	// Row by row, so a failed batch leaves the top of the tab done.
	slices.SortFunc(cells, func(a, b noteAt) int {
		return cmp.Or(cmp.Compare(a.row, b.row), cmp.Compare(a.col, b.col))
	})
	meta, err := w.tab(ctx, op, title)
	if err != nil {
		return err
	}
	reqs := make([]*sheets.Request, 0, len(cells))
	for _, n := range cells {
		if n.row >= meta.GridRows || n.col >= meta.GridCols {
			if n.text == "" {
				continue // the cell does not exist, so it has no note
			}
			return fmt.Errorf("%s of spreadsheet %q: cell %s is outside the tab's %d×%d grid: %w",
				op, w.id, cellName(n.row, n.col), meta.GridRows, meta.GridCols, audit.ErrInvalid)
		}
		reqs = append(reqs, &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
			Start: &sheets.GridCoordinate{
				SheetId: meta.TabID, RowIndex: int64(n.row), ColumnIndex: int64(n.col),
				ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"},
			},
			// An empty note is left out of the JSON; with "note" in the
			// mask, an absent note clears it.
			Rows:   []*sheets.RowData{{Values: []*sheets.CellData{{Note: n.text}}}},
			Fields: "note",
		}})
	}
	for len(reqs) > 0 {
		chunk := reqs[:min(len(reqs), maxNoteRequests)]
		reqs = reqs[len(chunk):]
		err := w.call(ctx, "spreadsheets.batchUpdate", true, func(ctx context.Context) error {
			_, err := w.svc.Spreadsheets.BatchUpdate(w.id, &sheets.BatchUpdateSpreadsheetRequest{Requests: chunk}).
				Fields("spreadsheetId").Context(ctx).Do()
			return err
		})
		if err != nil {
			return w.translate(err, op)
		}
	}
	w.log.Debug("set notes", zap.String("tab", meta.Title), zap.Int("cells", len(cells)))
	return nil
}

// cellName is the A1 name of a 0-based cell.
func cellName(row, col int) string {
	return audit.ColumnName(col) + strconv.Itoa(row+1)
}

// parseCell reads an A1 cell name ("B7", "$B$7", "b7") into 0-based indexes.
func parseCell(ref string) (row, col int, ok bool) {
	s := strings.ToUpper(strings.TrimSpace(ref))
	s = strings.ReplaceAll(s, "$", "")
	i := 0
	col = 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		col = col*26 + int(s[i]-'A'+1)
		i++
		if col > maxColumns {
			return 0, 0, false
		}
	}
	if i == 0 || i == len(s) || s[i] == '0' {
		return 0, 0, false
	}
	n, err := strconv.Atoi(s[i:])
	if err != nil || n < 1 || strconv.Itoa(n) != s[i:] {
		return 0, 0, false
	}
	return n - 1, col - 1, true
}
