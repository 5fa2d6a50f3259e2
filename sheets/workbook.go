package sheets

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"go.uber.org/zap"
	"google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Workbook is one Google spreadsheet seen as an audit.Workbook. It is safe
// for concurrent use.
//
// It remembers the spreadsheet's metadata (tabs, grid sizes) between
// operations, because one cycle would otherwise spend a spreadsheets.get of
// the per-minute read quota on every step: read, typed read, two
// EnsureTabs, append, replace. The first read of a Workbook's life reads
// it afresh (people rename, resize and add tabs between cycles, and a
// cycle opens a new Workbook); sheetaudit's own changes (addSheet, grid growth) are
// applied to the copy; a tab not in the copy, or a request the API refuses
// as invalid or not found, makes the next operation read it again.
type Workbook struct {
	id    string
	svc   *sheets.Service
	hc    *http.Client // svc's own client: the values reads send requests themselves
	opts  Options
	log   *zap.Logger
	email string // service account, for "share with ..." hints

	writes atomic.Int64 // successful write requests, for VersionAfterWrites

	mu     sync.Mutex
	cached *book // the last metadata read, with our own changes applied
	// readOnce is set by the first metadata read of this Workbook's life:
	// later reads that ask for fresh metadata take the remembered copy.
	readOnce bool
	// version is what the last Version call answered and how many writes
	// had succeeded then (drive.go).
	version     int64
	writesAtVer int64
	drive       *drive.Service
}

var _ audit.Workbook = (*Workbook)(nil)

// New wires a Workbook for opts.SpreadsheetID. It sends no request: a wrong
// id or an unshared sheet shows up on the first operation. It fails on an
// unreadable or malformed credentials file, and when no credentials can be
// found at all.
func New(ctx context.Context, opts Options) (*Workbook, error) {
	if strings.TrimSpace(opts.SpreadsheetID) == "" {
		return nil, fmt.Errorf("spreadsheet id is empty; set spreadsheet_id to the id in the sheet's URL: %w", audit.ErrInvalid)
	}
	opts = opts.withDefaults()
	hc, email, err := httpClient(ctx, opts, opts.scopes())
	if err != nil {
		return nil, err
	}
	copts := []option.ClientOption{option.WithHTTPClient(hc)}
	if opts.Endpoint != "" {
		copts = append(copts, option.WithEndpoint(opts.Endpoint))
	}
	svc, err := sheets.NewService(ctx, copts...)
	if err != nil {
		return nil, fmt.Errorf("create sheets client: %w", err)
	}
	return &Workbook{
		id:    opts.SpreadsheetID,
		svc:   svc,
		hc:    hc,
		opts:  opts,
		log:   opts.Logger.With(zap.String("spreadsheet", opts.SpreadsheetID)),
		email: email,
	}, nil
}

// metaFields asks spreadsheets.get for the tab list and grid sizes only; the
// default answer carries themes and formats that sheets never uses.
const metaFields = "spreadsheetId,properties(title,locale,timeZone),sheets.properties(sheetId,title,index,gridProperties)"

// book is the spreadsheet's metadata as read by one spreadsheets.get.
type book struct {
	locale, timeZone string
	tabs             []*sheets.SheetProperties
}

// book returns the spreadsheet's metadata: the remembered copy, or with
// fresh (or nothing remembered) a new spreadsheets.get.
func (w *Workbook) book(ctx context.Context, op string, fresh bool) (*book, error) {
	w.mu.Lock()
	b := w.cached
	w.mu.Unlock()
	if !fresh && b != nil {
		return b, nil
	}
	var ss *sheets.Spreadsheet
	err := w.call(ctx, "spreadsheets.get", false, func(ctx context.Context) error {
		var err error
		ss, err = w.svc.Spreadsheets.Get(w.id).Fields(metaFields).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, w.translate(err, op)
	}
	b = &book{}
	if ss.Properties != nil {
		b.locale, b.timeZone = ss.Properties.Locale, ss.Properties.TimeZone
	}
	for _, s := range ss.Sheets {
		if s.Properties != nil {
			b.tabs = append(b.tabs, s.Properties)
		}
	}
	w.mu.Lock()
	w.cached, w.readOnce = b, true
	w.mu.Unlock()
	return b, nil
}

// forget drops the remembered metadata, so the next operation reads it.
func (w *Workbook) forget() {
	w.mu.Lock()
	w.cached = nil
	w.mu.Unlock()
}

// remember applies sheetaudit's own change to a tab (a new tab, a grown
// grid) to the remembered metadata.
func (w *Workbook) remember(meta audit.TabMeta) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cached == nil {
		return
	}
	tabs := make([]*sheets.SheetProperties, 0, len(w.cached.tabs)+1)
	grid := &sheets.GridProperties{RowCount: int64(meta.GridRows), ColumnCount: int64(meta.GridCols)}
	found := false
	for _, p := range w.cached.tabs {
		if p.SheetId == meta.TabID {
			c := *p
			c.GridProperties = grid
			p, found = &c, true
		}
		tabs = append(tabs, p)
	}
	if !found {
		tabs = append(tabs, &sheets.SheetProperties{SheetId: meta.TabID, Title: meta.Title, GridProperties: grid})
	}
	// A new book, not an edit in place: readers may hold the old one.
	w.cached = &book{locale: w.cached.locale, timeZone: w.cached.timeZone, tabs: tabs}
}

// find looks a tab up by exact title, then case-insensitively as Sheets
// itself resolves titles in A1 ranges.
func (b *book) find(title string) (*sheets.SheetProperties, bool) {
	for _, p := range b.tabs {
		if p.Title == title {
			return p, true
		}
	}
	for _, p := range b.tabs {
		if strings.EqualFold(p.Title, title) {
			return p, true
		}
	}
	return nil, false
}

// titles lists the tabs for a "no such tab" hint, at most 20 of them.
func (b *book) titles() string {
	const most = 20
	var t []string
	for i, p := range b.tabs {
		if i == most {
			t = append(t, fmt.Sprintf("and %d more", len(b.tabs)-most))
			break
		}
		t = append(t, strconv.Quote(p.Title))
	}
	return strings.Join(t, ", ")
}

func (w *Workbook) meta(b *book, p *sheets.SheetProperties) audit.TabMeta {
	m := audit.TabMeta{
		SpreadsheetID: w.id,
		TabID:         p.SheetId,
		Title:         p.Title,
		Locale:        b.locale,
		TimeZone:      b.timeZone,
		URL:           "https://docs.google.com/spreadsheets/d/" + w.id + "/edit#gid=" + strconv.FormatInt(p.SheetId, 10),
	}
	if g := p.GridProperties; g != nil {
		m.GridRows, m.GridCols = int(g.RowCount), int(g.ColumnCount)
	}
	return m
}

// tab returns the metadata of an existing tab, or an error wrapping
// ErrNotFound that lists the tabs there are.
func (w *Workbook) tab(ctx context.Context, op, title string) (audit.TabMeta, error) {
	return w.tabOf(ctx, op, title, false)
}

// tabOf is tab with a choice: fresh reads the metadata anew. A title the
// remembered copy lacks is looked up once more in fresh metadata.
//
// A cycle opens its own Workbook, so fresh means fresh for this cycle: the
// first read of a Workbook's life goes to Google, later fresh reads (the
// Change Log check's ReadTab, a pending write-back's ReadTail after the
// data tab's read) take the copy, which holds our own changes and is
// dropped when Google refuses a request as invalid or not found. That
// keeps a changed cycle at one spreadsheets.get of metadata.
func (w *Workbook) tabOf(ctx context.Context, op, title string, fresh bool) (audit.TabMeta, error) {
	return w.lookup(ctx, op, title, fresh, false)
}

// lookup is tabOf; reread is the second look for a title the copy lacks,
// which always goes to Google.
func (w *Workbook) lookup(ctx context.Context, op, title string, fresh, reread bool) (audit.TabMeta, error) {
	// A fresh lookup served from this cycle's copy is as fresh as the
	// caller asked: a title it lacks is not there (no second read).
	settled := fresh
	w.mu.Lock()
	fresh = reread || fresh && !w.readOnce
	w.mu.Unlock()
	b, err := w.book(ctx, op, fresh)
	if err != nil {
		return audit.TabMeta{}, err
	}
	p, ok := b.find(title)
	if !ok && !fresh && !settled {
		return w.lookup(ctx, op, title, true, true)
	}
	if !ok {
		return audit.TabMeta{}, fmt.Errorf("%s of spreadsheet %q: no such tab (tabs: %s); check the tab name: %w",
			op, w.id, b.titles(), audit.ErrNotFound)
	}
	return w.meta(b, p), nil
}

// ReadTab implements audit.Workbook. Values are read as users see them
// (FORMATTED_VALUE) in blocks of rows, several blocks per values.batchGet,
// so a tab of millions of cells never needs one giant response.
func (w *Workbook) ReadTab(ctx context.Context, title string) (*audit.Tab, error) {
	op := fmt.Sprintf("read tab %q", title)
	start := w.opts.Now()
	meta, err := w.tabOf(ctx, op, title, true)
	if err != nil {
		return nil, err
	}
	values, reqs, err := w.readRows(ctx, op, meta)
	if err != nil {
		return nil, err
	}
	w.log.Debug("read tab", zap.String("tab", meta.Title), zap.Int("rows", len(values)),
		zap.Int("requests", reqs), zap.Duration("duration", w.opts.Now().Sub(start)))
	return &audit.Tab{Meta: meta, Values: values}, nil
}

// pageRows is the block height for a tab of cols columns.
func (w *Workbook) pageRows(cols int) int {
	if w.opts.PageRows > 0 {
		return w.opts.PageRows
	}
	return max(1, BlockCells/max(1, cols))
}

// block is one range of whole rows, first..last (1-based, inclusive).
type block struct{ first, last int }

// rangesOf names the blocks' rows in A1 notation, all columns of the grid.
func rangesOf(meta audit.TabMeta, blocks []block) []string {
	ranges := make([]string, len(blocks))
	for i, b := range blocks {
		ranges[i] = rowsRange(meta.Title, b.first, b.last, meta.GridCols)
	}
	return ranges
}

// readRows reads the whole grid of a tab top-down.
func (w *Workbook) readRows(ctx context.Context, op string, meta audit.TabMeta) ([][]string, int, error) {
	var out [][]string
	if meta.GridRows < 1 || meta.GridCols < 1 {
		return out, 0, nil
	}
	n, per := w.pageRows(meta.GridCols), w.opts.BlocksPerRequest
	reqs := 0
	var slab rowSlab
	for r := 1; r <= meta.GridRows; {
		var blocks []block
		for len(blocks) < per && r <= meta.GridRows {
			b := block{r, min(r+n-1, meta.GridRows)}
			blocks = append(blocks, b)
			r = b.last + 1
		}
		reqs++
		kept := len(out)
		q := valuesQuery{ranges: rangesOf(meta, blocks), render: "FORMATTED_VALUE", cells: cellRender{other: cellString}}
		err := w.getValues(ctx, op, q, func() {
			// A failed attempt may have delivered part of the answer.
			clear(out[kept:])
			out = out[:kept]
		}, func(vr, y int, cells []string) bool {
			// Blocks come trimmed, so empty rows between the data seen
			// so far and this row are filled in; trailing empty rows
			// simply never arrive.
			for len(out) < blocks[vr].first-1+y {
				out = append(out, []string{})
			}
			out = append(out, slab.copy(cells))
			return true
		})
		if err != nil {
			return nil, reqs, err
		}
	}
	return out, reqs, nil
}

// slabCells is how many cells rowSlab allocates at a time.
const slabCells = 4096

// rowSlab hands out rows cut from shared backing arrays: one allocation
// per few thousand cells instead of one per row.
type rowSlab struct{ free []string }

func (s *rowSlab) copy(cells []string) []string {
	if len(cells) == 0 {
		return []string{}
	}
	if len(cells) > len(s.free) {
		s.free = make([]string, max(slabCells, len(cells)))
	}
	row := s.free[:len(cells):len(cells)]
	s.free = s.free[len(cells):]
	copy(row, cells)
	return row
}

// cellString renders a cell's JSON token. Under FORMATTED_VALUE Sheets sends
// strings only; the other cases render a number, boolean or null as the
// sheet would show it, should one ever come.
func cellString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return ""
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// lastRow returns the 1-based number of the last row holding a value, 0 for
// an empty tab. It scans blocks from the bottom of the grid up: the grid is
// grown exactly to fit what sheets appends, so the first request usually
// finds the data.
func (w *Workbook) lastRow(ctx context.Context, op string, meta audit.TabMeta) (int, error) {
	if meta.GridRows < 1 || meta.GridCols < 1 {
		return 0, nil
	}
	n, per := w.pageRows(meta.GridCols), w.opts.BlocksPerRequest
	for r := meta.GridRows; r >= 1; {
		var blocks []block
		for len(blocks) < per && r >= 1 {
			b := block{max(1, r-n+1), r}
			blocks = append(blocks, b)
			r = b.first - 1
		}
		// Blocks run bottom-up: the first one holding a row holds the last.
		last, hit := 0, -1
		q := valuesQuery{ranges: rangesOf(meta, blocks), render: "FORMATTED_VALUE", cells: cellRender{other: cellString}}
		err := w.getValues(ctx, op, q, func() { last, hit = 0, -1 }, func(vr, y int, _ []string) bool {
			if hit >= 0 && vr != hit {
				return false
			}
			hit, last = vr, blocks[vr].first+y
			return true
		})
		if err != nil || last > 0 {
			return last, err
		}
	}
	return 0, nil
}

// EnsureTab implements audit.Workbook. When two writers race, the loser's
// addSheet fails with "already exists"; that is success, not created.
func (w *Workbook) EnsureTab(ctx context.Context, title string) (audit.TabMeta, bool, error) {
	op := fmt.Sprintf("ensure tab %q", title)
	if strings.TrimSpace(title) == "" {
		return audit.TabMeta{}, false, fmt.Errorf("%s: the title is empty: %w", op, audit.ErrInvalid)
	}
	meta, err := w.tab(ctx, op, title)
	if err == nil {
		return meta, false, nil
	}
	if !errors.Is(err, audit.ErrNotFound) {
		return audit.TabMeta{}, false, err
	}
	b, err := w.book(ctx, op, false) // fresh: tab just looked the title up anew
	if err != nil {
		return audit.TabMeta{}, false, err
	}
	var resp *sheets.BatchUpdateSpreadsheetResponse
	err = w.call(ctx, "spreadsheets.batchUpdate", true, func(ctx context.Context) error {
		var err error
		resp, err = w.svc.Spreadsheets.BatchUpdate(w.id, &sheets.BatchUpdateSpreadsheetRequest{
			Requests: []*sheets.Request{{AddSheet: &sheets.AddSheetRequest{
				Properties: &sheets.SheetProperties{Title: title},
			}}},
		}).Context(ctx).Do()
		return err
	})
	if alreadyExists(err) {
		meta, err := w.tab(ctx, op, title)
		return meta, false, err
	}
	if err != nil {
		return audit.TabMeta{}, false, w.translate(err, op)
	}
	if len(resp.Replies) != 1 || resp.Replies[0].AddSheet == nil || resp.Replies[0].AddSheet.Properties == nil {
		// Created, but the reply is unusable: read the metadata back.
		meta, err := w.tab(ctx, op, title)
		return meta, err == nil, err
	}
	meta = w.meta(b, resp.Replies[0].AddSheet.Properties)
	w.remember(meta)
	w.log.Info("created tab", zap.String("tab", meta.Title), zap.Int64("tab_id", meta.TabID))
	return meta, true, nil
}

// AppendRows implements audit.Workbook.
//
// It finds the last non-empty row itself and writes below it with
// values.update, instead of values.append. values.append detects a "table"
// around the given range and appends after that table, starting at the
// table's first column: on a tab with a blank row, or with data that does
// not start in column A, it writes into the middle of the tab or shifts the
// columns. Reading the extent costs one batchGet (the grid is grown exactly,
// so the bottom block holds the data) and is right whatever the gaps. The
// price is a window between that read and the write in which a person
// typing below the data could be overwritten; the tabs sheetaudit appends
// to are its own logs, not meant to be edited by hand.
func (w *Workbook) AppendRows(ctx context.Context, title string, rows [][]string) error {
	op := fmt.Sprintf("append to tab %q", title)
	if err := checkCells(op, w.id, rows, "new row"); err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	meta, err := w.tab(ctx, op, title)
	if err != nil {
		return err
	}
	last, err := w.lastRow(ctx, op, meta)
	if err != nil {
		return err
	}
	if err := w.grow(ctx, op, &meta, last+len(rows), width(rows)); err != nil {
		return err
	}
	return w.write(ctx, op, meta, last+1, rows)
}

// ReplaceTab implements audit.Workbook: clear the values, grow the grid if
// needed, write the rows from A1.
//
// Sheets has no transactions across requests, so this is not atomic: a
// failure part way leaves the tab cleared or partly written, and readers in
// between may see it so. Every step is idempotent, so running ReplaceTab
// again with the same rows converges on the intended content. Only values
// are cleared; formatting and the grid size stay (the grid never shrinks).
func (w *Workbook) ReplaceTab(ctx context.Context, title string, rows [][]string) error {
	op := fmt.Sprintf("replace tab %q", title)
	if err := checkCells(op, w.id, rows, "row"); err != nil {
		return err
	}
	meta, err := w.tab(ctx, op, title)
	if err != nil {
		return err
	}
	err = w.call(ctx, "values.clear", true, func(ctx context.Context) error {
		_, err := w.svc.Spreadsheets.Values.Clear(w.id, quote(meta.Title), &sheets.ClearValuesRequest{}).Context(ctx).Do()
		return err
	})
	if err != nil {
		return w.translate(err, op)
	}
	if err := w.grow(ctx, op, &meta, len(rows), width(rows)); err != nil {
		return err
	}
	return w.write(ctx, op, meta, 1, rows)
}

// grow appends rows and columns to the grid so that rows×cols fits, in one
// batchUpdate. Writing past the grid's end is an error in Sheets
// ("exceeds grid limits"), and values.update is not documented to grow it.
// maxGridCells is the Sheets cap on the cells of a spreadsheet; one tab's
// grid is kept under it when widening.
const maxGridCells = 10_000_000

func (w *Workbook) grow(ctx context.Context, op string, meta *audit.TabMeta, rows, cols int) error {
	if cols > maxColumns {
		return fmt.Errorf("%s of spreadsheet %q: %d columns, Sheets allows %d: %w", op, w.id, cols, maxColumns, audit.ErrInvalid)
	}
	var reqs []*sheets.Request
	add := func(dim string, n int) {
		reqs = append(reqs, &sheets.Request{AppendDimension: &sheets.AppendDimensionRequest{
			SheetId: meta.TabID, Dimension: dim, Length: int64(n),
			// The first tab's id is 0, which omitempty would drop; Sheets
			// reads a missing sheetId as 0 too, but say what is meant.
			ForceSendFields: []string{"SheetId"},
		}})
	}
	gridRows := meta.GridRows
	if cols > meta.GridCols && meta.GridRows > rows && int64(meta.GridRows)*int64(cols) > maxGridCells {
		// A new tab is 1000 rows tall; widening it to thousands of columns
		// would pass the spreadsheet's cell cap with empty rows alone. The
		// rows below the content are empty (callers pass the content's
		// extent), so drop them first, in the same atomic batch.
		reqs = append(reqs, &sheets.Request{DeleteDimension: &sheets.DeleteDimensionRequest{
			Range: &sheets.DimensionRange{SheetId: meta.TabID, Dimension: "ROWS",
				StartIndex: int64(max(rows, 1)), EndIndex: int64(meta.GridRows),
				ForceSendFields: []string{"SheetId"}},
		}})
		gridRows = max(rows, 1)
	}
	if rows > gridRows {
		add("ROWS", rows-gridRows)
	}
	if cols > meta.GridCols {
		add("COLUMNS", cols-meta.GridCols)
	}
	if len(reqs) == 0 {
		return nil
	}
	err := w.call(ctx, "spreadsheets.batchUpdate", true, func(ctx context.Context) error {
		_, err := w.svc.Spreadsheets.BatchUpdate(w.id, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).Context(ctx).Do()
		return err
	})
	if err != nil {
		return w.translate(err, op)
	}
	meta.GridRows, meta.GridCols = max(gridRows, rows), max(meta.GridCols, cols)
	w.remember(*meta)
	return nil
}

// write stores rows from sheet row first down, as RAW text, in requests of
// at most maxWriteRows rows and about maxWriteBytes of payload.
func (w *Workbook) write(ctx context.Context, op string, meta audit.TabMeta, first int, rows [][]string) error {
	for i := 0; i < len(rows); {
		j, size := i, 0
		for j < len(rows) && j-i < maxWriteRows {
			s := rowBytes(rows[j])
			if j > i && size+s > maxWriteBytes {
				break
			}
			size += s
			j++
		}
		chunk := rows[i:j]
		if wd := width(chunk); wd > 0 { // an all-empty chunk has nothing to write
			rng := rowsRange(meta.Title, first+i, first+j-1, wd)
			vr := &sheets.ValueRange{Range: rng, MajorDimension: "ROWS", Values: interfaces(chunk)}
			err := w.call(ctx, "values.update", true, func(ctx context.Context) error {
				_, err := w.svc.Spreadsheets.Values.Update(w.id, rng, vr).ValueInputOption("RAW").
					Fields(googleapi.Field("updatedRange")).Context(ctx).Do()
				return err
			})
			if err != nil {
				return w.translate(err, op)
			}
		}
		i = j
	}
	return nil
}

// checkCells refuses cells over the Sheets limit before anything is sent,
// rather than letting Sheets fail half-way through a multi-request write or
// silently truncating. Rows are numbered from 1 in the message: sheet rows
// for ReplaceTab, positions among the new rows for AppendRows.
func checkCells(op, id string, rows [][]string, what string) error {
	for i, row := range rows {
		for j, c := range row {
			if len(c) <= MaxCellChars {
				continue // fast path: bytes ≥ characters
			}
			if n := utf8.RuneCountInString(c); n > MaxCellChars {
				return fmt.Errorf("%s of spreadsheet %q: %s %d, column %s holds %d characters; Sheets allows %d per cell: %w",
					op, id, what, i+1, audit.ColumnName(j), n, MaxCellChars, audit.ErrInvalid)
			}
		}
	}
	return nil
}

func width(rows [][]string) int {
	n := 0
	for _, r := range rows {
		n = max(n, len(r))
	}
	return n
}

// rowBytes estimates a row's share of the JSON payload.
func rowBytes(row []string) int {
	n := 2
	for _, c := range row {
		n += len(c) + 3
	}
	return n
}

// interfaces converts rows for the client. Every value is a string, so RAW
// stores it as text: "=1+1" stays "=1+1", "0012" keeps its zeros.
func interfaces(rows [][]string) [][]any {
	n := 0
	for _, r := range rows {
		n += len(r)
	}
	slab := make([]any, n)
	out := make([][]any, len(rows))
	for i, r := range rows {
		cells := slab[:len(r):len(r)]
		slab = slab[len(r):]
		for j, c := range r {
			cells[j] = c
		}
		out[i] = cells
	}
	return out
}
