package sheets

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
)

var (
	_ audit.BatchWriter = (*Workbook)(nil)
	_ audit.TailReader  = (*Workbook)(nil)
	_ audit.TabChecker  = (*Workbook)(nil)
)

// cellMask is what the write-back sets of each cell it writes: the value,
// the number format of dates and times, and the link. Other formats (a
// bold header, colours) stay as they are.
const cellMask = "userEnteredValue,userEnteredFormat.numberFormat,userEnteredFormat.textFormat.link"

// dateTimePattern shows a TimeCell as audit.Cell.String does.
const dateTimePattern = "yyyy-mm-dd hh:mm:ss"

// WriteBack implements audit.BatchWriter: the whole write-back goes out as
// one spreadsheets.batchUpdate, which Sheets applies entirely or not at
// all. A missing tab is added with an id chosen here, so the rows for it
// ride in the same batch; appended rows go in with appendCells (after the
// tab's last row with data, rows added as needed); a replaced tab is one
// updateCells over the whole grid, which clears what the new rows do not
// cover. Values are typed cells, never formulas: text as stringValue (RAW),
// numbers as numbers, times as date-time serials in b.Location with a
// date-time format, links as textFormat.link.
//
// The batch is not idempotent (appendCells), so it is retried only when
// it certainly did not apply (quota refusal, connection refused). Any
// other failure after sending is reported wrapping audit.ErrUnavailable:
// the caller finds out from the Change Log whether it landed.
func (w *Workbook) WriteBack(ctx context.Context, b *audit.WriteBack) error {
	op := "write back"
	if b.Cycle != "" {
		op = fmt.Sprintf("write back cycle %s", b.Cycle)
	}
	if len(b.Tabs) == 0 {
		return nil
	}
	loc := b.Location
	if loc == nil {
		loc = time.UTC
	}
	bk, err := w.book(ctx, op, false)
	if err != nil {
		return err
	}
	ids := make(map[string]int64, len(bk.tabs)+len(b.Tabs))
	used := make(map[int64]bool, len(bk.tabs))
	for _, p := range bk.tabs {
		used[p.SheetId] = true
		ids[p.Title] = p.SheetId
	}
	type plan struct {
		t      audit.TabWrite
		p      *sheets.SheetProperties // nil: created in this batch
		id     int64
		rows   [][]audit.Cell
		width  int
		stable bool // its cached grid size stays right after the batch
	}
	plans := make([]plan, 0, len(b.Tabs))
	for _, t := range b.Tabs {
		if strings.TrimSpace(t.Title) == "" {
			return fmt.Errorf("%s: a tab title is empty: %w", op, audit.ErrInvalid)
		}
		pl := plan{t: t, rows: t.Rows}
		if p, ok := bk.find(t.Title); ok {
			pl.p, pl.id = p, p.SheetId
		} else {
			pl.id = newSheetID(used)
			used[pl.id] = true
			if t.Append {
				pl.rows = append(append([][]audit.Cell{}, t.Header...), t.Rows...)
			}
		}
		ids[t.Title] = pl.id
		for _, r := range pl.rows {
			pl.width = max(pl.width, len(r))
		}
		if pl.width > maxColumns {
			return fmt.Errorf("%s of spreadsheet %q: tab %q: %d columns, Sheets allows %d: %w",
				op, w.id, t.Title, pl.width, maxColumns, audit.ErrInvalid)
		}
		if err := checkCellText(op, w.id, t.Title, pl.rows); err != nil {
			return err
		}
		plans = append(plans, pl)
	}

	// A layout with highlights sent again for a tab that exists replaces
	// the conditional format rules sheetaudit added before: find them
	// (one read, only then; a layout without highlights, as the weekly
	// report's, leaves rules alone and costs none).
	var relaid map[int64]bool
	for _, pl := range plans {
		if pl.p != nil && pl.t.Layout != nil && len(pl.t.Layout.Highlights) > 0 {
			if relaid == nil {
				relaid = map[int64]bool{}
			}
			relaid[pl.id] = true
		}
	}
	var drop map[int64][]int
	if relaid != nil {
		if drop, err = w.ownRules(ctx, op, relaid); err != nil {
			return err
		}
	}

	var reqs, formats []*sheets.Request // formats of existing tabs go after every data request
	var added []audit.TabMeta
	for i := range plans {
		pl := &plans[i]
		data := rowData(pl.rows, loc, func(target string) string { return linkURI(target, ids) })
		mask := cellMask
		if wrapCells(data, pl.t, pl.p == nil) {
			mask += ",userEnteredFormat.wrapStrategy"
		}
		if pl.p == nil {
			grid := &sheets.GridProperties{RowCount: int64(max(len(pl.rows), 1)), ColumnCount: int64(max(pl.width, 1))}
			reqs = append(reqs, &sheets.Request{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{
				SheetId: pl.id, Title: pl.t.Title, GridProperties: grid, ForceSendFields: []string{"SheetId"},
			}}})
			if len(data) > 0 {
				reqs = append(reqs, &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
					Start:  &sheets.GridCoordinate{SheetId: pl.id, ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
					Rows:   data,
					Fields: mask,
				}})
			}
			added = append(added, audit.TabMeta{TabID: pl.id, Title: pl.t.Title, GridRows: int(grid.RowCount), GridCols: int(grid.ColumnCount)})
			if l := pl.t.Layout; l != nil {
				reqs = append(reqs, layoutRequests(pl.id, *l, pl.width, nil)...)
			}
			if pl.t.Protect != "" {
				reqs = append(reqs, protectRequest(pl.id, pl.t.Protect == audit.ProtectStrict))
			}
			continue
		}
		gridRows, gridCols := 0, 0
		if g := pl.p.GridProperties; g != nil {
			gridRows, gridCols = int(g.RowCount), int(g.ColumnCount)
		}
		if l := pl.t.Layout; l != nil {
			// The whole grid's width: an append of one short row still
			// lays out the table.
			formats = append(formats, layoutRequests(pl.id, *l, max(pl.width, gridCols), drop[pl.id])...)
		}
		if pl.width > gridCols {
			reqs = append(reqs, appendDimension(pl.id, "COLUMNS", pl.width-gridCols))
		}
		if pl.t.Append {
			if len(data) > 0 {
				reqs = append(reqs, &sheets.Request{AppendCells: &sheets.AppendCellsRequest{
					SheetId: pl.id, Rows: data, Fields: mask, ForceSendFields: []string{"SheetId"},
				}})
			}
			continue // appendCells adds the rows it needs: the grid size is no longer known
		}
		if len(pl.rows) > gridRows {
			reqs = append(reqs, appendDimension(pl.id, "ROWS", len(pl.rows)-gridRows))
		}
		reqs = append(reqs, &sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
			Range:  &sheets.GridRange{SheetId: pl.id, ForceSendFields: []string{"SheetId"}},
			Rows:   data,
			Fields: mask,
		}})
		pl.stable = true
	}
	reqs = append(reqs, formats...)
	if len(reqs) == 0 {
		return nil
	}
	err = w.callWith(ctx, "spreadsheets.batchUpdate", true, notApplied, func(ctx context.Context) error {
		_, err := w.svc.Spreadsheets.BatchUpdate(w.id, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).
			Fields("spreadsheetId").Context(ctx).Do()
		return err
	})
	if err != nil {
		return w.translate(err, op)
	}
	// What changed under the remembered metadata: new tabs and grown grids
	// are applied; a tab appendCells grew is dropped, so the next
	// operation on it reads its size afresh.
	for _, m := range added {
		w.remember(m)
	}
	for _, pl := range plans {
		if pl.p == nil {
			continue
		}
		if !pl.stable {
			w.drop(pl.id)
			continue
		}
		m := w.meta(bk, pl.p)
		m.GridRows, m.GridCols = max(m.GridRows, len(pl.rows)), max(m.GridCols, pl.width)
		w.remember(m)
	}
	w.log.Debug("write-back sent", zap.String("cycle", b.Cycle), zap.Int("tabs", len(b.Tabs)), zap.Int("requests", len(reqs)))
	return nil
}

// notApplied reports the failures after which a write that is not
// idempotent certainly did not apply, so retrying it cannot write twice:
// Sheets refused it for quota, or the connection was refused before it
// was sent.
func notApplied(err error) bool {
	switch statusCode(err) {
	case 429:
		return true
	case 0:
		return errors.Is(err, syscall.ECONNREFUSED)
	}
	return false
}

func appendDimension(id int64, dim string, n int) *sheets.Request {
	return &sheets.Request{AppendDimension: &sheets.AppendDimensionRequest{
		SheetId: id, Dimension: dim, Length: int64(n), ForceSendFields: []string{"SheetId"},
	}}
}

// newSheetID picks an unused sheet id for a tab added in a batch: ids are
// positive 31-bit numbers, as Sheets gives them.
func newSheetID(used map[int64]bool) int64 {
	for {
		id := int64(rand.Int32N(math.MaxInt32-1)) + 1
		if !used[id] {
			return id
		}
	}
}

// drop removes a tab from the remembered metadata, so the next operation
// on it reads the metadata again.
func (w *Workbook) drop(id int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cached == nil {
		return
	}
	tabs := make([]*sheets.SheetProperties, 0, len(w.cached.tabs))
	for _, p := range w.cached.tabs {
		if p.SheetId != id {
			tabs = append(tabs, p)
		}
	}
	w.cached = &book{locale: w.cached.locale, timeZone: w.cached.timeZone, tabs: tabs}
	// The copy now lacks a tab that exists: the next read asking for
	// fresh metadata reads it.
	w.readOnce = false
}

// checkCellText refuses text over the Sheets cell limit before anything
// is sent.
func checkCellText(op, id, title string, rows [][]audit.Cell) error {
	for i, r := range rows {
		for j, c := range r {
			if len(c.Text) <= MaxCellChars {
				continue
			}
			if n := utf8.RuneCountInString(c.Text); n > MaxCellChars {
				return fmt.Errorf("%s of spreadsheet %q: tab %q, new row %d, column %s holds %d characters; Sheets allows %d per cell: %w",
					op, id, title, i+1, audit.ColumnName(j), n, MaxCellChars, audit.ErrInvalid)
			}
		}
	}
	return nil
}

// wrapCells marks the cells of t's wrapped columns below its header rows
// to wrap, and reports whether it marked any. Rows appendCells adds (and
// rows a replaced tab grows by) are new to the grid and carry no format,
// so the wrap the layout set on the columns must travel with each cell:
// with t.Layout when the tab is laid out now, with t.Style after.
func wrapCells(data []*sheets.RowData, t audit.TabWrite, created bool) bool {
	l := t.Layout
	if l == nil {
		l = t.Style
	}
	if l == nil || len(l.Wrap) == 0 {
		return false
	}
	first := l.HeaderRows // the header rows written now, above the rows
	if t.Append && !created {
		first = 0 // an append below an existing header: every row is a body row
	}
	marked := false
	for i := first; i < len(data); i++ {
		for _, c := range l.Wrap {
			if c < 0 || c >= len(data[i].Values) {
				continue
			}
			d := data[i].Values[c]
			if d.UserEnteredFormat == nil {
				d.UserEnteredFormat = &sheets.CellFormat{}
			}
			d.UserEnteredFormat.WrapStrategy = "WRAP"
			marked = true
		}
	}
	return marked
}

// rowData turns cells into the API's typed cell data.
func rowData(rows [][]audit.Cell, loc *time.Location, link func(string) string) []*sheets.RowData {
	out := make([]*sheets.RowData, len(rows))
	for i, r := range rows {
		cells := make([]*sheets.CellData, len(r))
		for j, c := range r {
			cells[j] = cellData(c, loc, link)
		}
		out[i] = &sheets.RowData{Values: cells}
	}
	return out
}

func cellData(c audit.Cell, loc *time.Location, link func(string) string) *sheets.CellData {
	d := &sheets.CellData{}
	switch c.Kind {
	case audit.NumberCell:
		v := c.Num
		d.UserEnteredValue = &sheets.ExtendedValue{NumberValue: &v, ForceSendFields: []string{"NumberValue"}}
	case audit.TimeCell:
		v := serial(c.Time.In(loc))
		d.UserEnteredValue = &sheets.ExtendedValue{NumberValue: &v, ForceSendFields: []string{"NumberValue"}}
		d.UserEnteredFormat = &sheets.CellFormat{NumberFormat: &sheets.NumberFormat{Type: "DATE_TIME", Pattern: dateTimePattern}}
	default:
		if c.Text != "" {
			v := c.Text
			d.UserEnteredValue = &sheets.ExtendedValue{StringValue: &v}
		}
	}
	if c.Link != "" {
		if d.UserEnteredFormat == nil {
			d.UserEnteredFormat = &sheets.CellFormat{}
		}
		d.UserEnteredFormat.TextFormat = &sheets.TextFormat{Link: &sheets.Link{Uri: link(c.Link)}}
	}
	return d
}

// serial is the spreadsheet serial of a wall-clock time: days since
// 1899-12-30, the time of day as the fraction.
func serial(t time.Time) float64 {
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	return wall.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
}

// linkURI turns a link to a place in the workbook ("#'Tab'!B7") into the
// form Sheets links take ("#gid=123&range=B7"); other links stay.
func linkURI(target string, ids map[string]int64) string {
	rest, ok := strings.CutPrefix(target, "#")
	if !ok {
		return target
	}
	title, a1 := rest, ""
	if i := strings.LastIndex(rest, "!"); i >= 0 {
		title, a1 = rest[:i], rest[i+1:]
	}
	if len(title) >= 2 && title[0] == '\'' && title[len(title)-1] == '\'' {
		title = strings.ReplaceAll(title[1:len(title)-1], "''", "'")
	}
	id, ok := ids[title]
	if !ok {
		return target
	}
	u := "#gid=" + strconv.FormatInt(id, 10)
	if a1 != "" {
		u += "&range=" + a1
	}
	return u
}

// HasTab implements audit.TabChecker from the remembered metadata (one
// spreadsheets.get when nothing is remembered).
func (w *Workbook) HasTab(ctx context.Context, title string) (bool, error) {
	b, err := w.book(ctx, fmt.Sprintf("look tab %q up", title), false)
	if err != nil {
		return false, err
	}
	_, ok := b.find(title)
	return ok, nil
}

// ReadTail implements audit.TailReader: blocks of rows from the bottom of
// the grid up, until n rows holding a value are found.
func (w *Workbook) ReadTail(ctx context.Context, title string, n int) ([][]string, error) {
	op := fmt.Sprintf("read the last rows of tab %q", title)
	meta, err := w.tabOf(ctx, op, title, true)
	if err != nil {
		return nil, err
	}
	if meta.GridRows < 1 || meta.GridCols < 1 || n < 1 {
		return nil, nil
	}
	var out [][]string // bottom-up
	per := w.pageRows(meta.GridCols)
	for r := meta.GridRows; r >= 1 && len(out) < n; {
		blk := block{max(1, r-per+1), r}
		r = blk.first - 1
		var rows [][]string
		q := valuesQuery{ranges: rangesOf(meta, []block{blk}), render: "FORMATTED_VALUE", cells: cellRender{other: cellString}}
		err := w.getValues(ctx, op, q, func() { rows = rows[:0] }, func(_, y int, cells []string) bool {
			for len(rows) < y {
				rows = append(rows, nil)
			}
			rows = append(rows, append([]string(nil), cells...))
			return true
		})
		if err != nil {
			return nil, err
		}
		for i := len(rows) - 1; i >= 0 && len(out) < n; i-- {
			if len(rows[i]) > 0 {
				out = append(out, rows[i])
			}
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}
