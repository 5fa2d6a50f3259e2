package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.Workbook = (*Workbook)(nil)

// Options configures a Workbook.
type Options struct {
	// Logger receives debug logs of reads and saves; nil discards them.
	Logger *zap.Logger
}

// Workbook is one .xlsx file on the local disk. It is safe for concurrent
// use; reads and writes within the process are serialized, and the file is
// re-read whenever it changed on disk, because people edit it between cycles.
type Workbook struct {
	path string
	log  *zap.Logger

	// mu serializes every access: the cached excelize file is not meant for
	// concurrent iteration, and saves must not interleave.
	mu     sync.Mutex
	cached *openFile

	// wrapTemp, when set by tests, wraps the writer of the temporary file so
	// a save can be made to fail midway.
	wrapTemp func(io.Writer) io.Writer
}

// openFile is one version of the file: its bytes, their digest, and what
// has been parsed from them so far.
type openFile struct {
	info     os.FileInfo
	data     []byte
	revision string
	book     *book
	ex       *excelize.File // parsed lazily, only when the fast reader declines
}

// Open returns the workbook at path. It checks that the file exists and is
// a readable workbook, so a wrong path fails at start-up rather than at the
// first cycle. Errors wrap audit.ErrNotFound (no such file) or
// audit.ErrInvalid (not an .xlsx workbook).
func Open(path string, opts Options) (*Workbook, error) {
	log := opts.Logger
	if log == nil {
		log = zap.NewNop()
	}
	w := &Workbook{path: path, log: log}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.load(); err != nil {
		return nil, err
	}
	return w, nil
}

// Path returns the workbook's file path.
func (w *Workbook) Path() string { return w.path }

// Close releases the cached copy of the file (and any temporary files
// excelize extracted for big worksheets). The Workbook stays usable; the
// next read loads the file again.
func (w *Workbook) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dropCache()
}

func (w *Workbook) dropCache() error {
	c := w.cached
	w.cached = nil
	if c == nil || c.ex == nil {
		return nil
	}
	if err := c.ex.Close(); err != nil {
		return fmt.Errorf("close workbook %q: %w", w.path, err)
	}
	return nil
}

// load returns the current version of the file, reusing the cached one
// when the file on disk is the same file with the same size and
// modification time (people edit it between cycles; nothing stale is kept).
func (w *Workbook) load() (*openFile, error) {
	info, err := os.Stat(w.path)
	if err != nil {
		return nil, w.fileError(err)
	}
	if c := w.cached; c != nil && os.SameFile(c.info, info) &&
		c.info.Size() == info.Size() && c.info.ModTime().Equal(info.ModTime()) {
		return c, nil
	}
	if err := w.dropCache(); err != nil {
		w.log.Warn("close stale workbook", zap.String("file", w.path), zap.Error(err))
	}
	start := time.Now()
	data, err := os.ReadFile(w.path)
	if err != nil {
		return nil, w.fileError(err)
	}
	sum := sha256.Sum256(data)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("open workbook %q: not a readable .xlsx file (save it again from Excel or WPS as .xlsx): %w: %w", w.path, audit.ErrInvalid, err)
	}
	b, err := parseBook(zr)
	if err != nil {
		return nil, fmt.Errorf("open workbook %q: not a readable .xlsx file (save it again from Excel or WPS as .xlsx): %w: %w", w.path, audit.ErrInvalid, err)
	}
	if len(b.sheets) == 0 {
		return nil, fmt.Errorf("open workbook %q: it lists no sheets (save it again from Excel or WPS as .xlsx): %w", w.path, audit.ErrInvalid)
	}
	c := &openFile{info: info, data: data, revision: "sha256:" + hex.EncodeToString(sum[:]), book: b}
	w.cached = c
	w.log.Debug("workbook loaded", zap.String("file", w.path), zap.Int64("bytes", info.Size()),
		zap.Duration("duration", time.Since(start)))
	return c, nil
}

// excel returns the file parsed by excelize, for the cases the fast reader
// leaves to it.
func (c *openFile) excel() (*excelize.File, error) {
	if c.ex != nil {
		return c.ex, nil
	}
	f, err := excelize.OpenReader(bytes.NewReader(c.data))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", audit.ErrInvalid, err)
	}
	c.ex = f
	return f, nil
}

func (w *Workbook) fileError(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("open workbook %q: no such file (check the xlsx path in the config): %w: %w", w.path, audit.ErrNotFound, err)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("open workbook %q: %w: %w", w.path, audit.ErrPermission, err)
	default:
		return fmt.Errorf("open workbook %q: %w", w.path, err)
	}
}

func (w *Workbook) tabNotFound(title string) error {
	return fmt.Errorf("workbook %q has no tab %q (check the tab name in the config): %w", w.path, title, audit.ErrNotFound)
}

// ReadTab returns the tab's values as Excel displays them: numbers and dates
// formatted by their number format, formulas as their cached results, a
// merged range's value in its top-left cell. Trailing empty cells and rows
// are dropped; empty rows inside the table stay as empty rows. Errors wrap
// audit.ErrNotFound for a missing file or tab.
func (w *Workbook) ReadTab(ctx context.Context, title string) (*audit.Tab, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c, err := w.load()
	if err != nil {
		return nil, err
	}
	sh, ok := c.book.sheet(title)
	if !ok {
		return nil, w.tabNotFound(title)
	}
	if sh.part == "" {
		return nil, fmt.Errorf("read tab %q of %q: the workbook lists the tab but holds no data for it (save it again from Excel or WPS): %w", title, w.path, audit.ErrInvalid)
	}
	start := time.Now()
	values, dim, err := c.book.readSheetFast(ctx, sh.part)
	fast := err == nil
	if errors.Is(err, errFallback) || (err != nil && ctx.Err() == nil) {
		// excelize copes with more of what producers write; it is slower.
		values, dim, err = c.readSlow(ctx, sh.name)
	}
	if err != nil {
		return nil, fmt.Errorf("read tab %q of %q: %w", title, w.path, err)
	}
	meta := audit.TabMeta{SpreadsheetID: w.path, TabID: sh.id, Title: sh.name, Revision: c.revision,
		ModifiedBy: c.book.modifiedBy()}
	meta.GridRows, meta.GridCols = gridSize(dim, values)
	w.log.Debug("tab read", zap.String("file", w.path), zap.String("tab", sh.name),
		zap.Int("rows", len(values)), zap.Bool("fast", fast), zap.Duration("duration", time.Since(start)))
	return &audit.Tab{Meta: meta, Values: values}, nil
}

func (c *openFile) readSlow(ctx context.Context, sheet string) ([][]string, string, error) {
	f, err := c.excel()
	if err != nil {
		return nil, "", err
	}
	values, err := readValues(ctx, f, sheet)
	if err != nil {
		return nil, "", err
	}
	dim, _ := f.GetSheetDimension(sheet)
	return values, dim, nil
}

// readValues streams the sheet with excelize's row iterator, so a big tab is
// never held twice in memory.
func readValues(ctx context.Context, f *excelize.File, sheet string) ([][]string, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var values [][]string
	used := 0
	for rows.Next() {
		if len(values)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		cols, err := rows.Columns()
		if err != nil {
			return nil, err
		}
		n := len(cols)
		for n > 0 && cols[n-1] == "" {
			n--
		}
		if n == 0 {
			values = append(values, []string{})
			continue
		}
		values = append(values, cols[:n:n])
		used = len(values)
	}
	if err := rows.Error(); err != nil {
		return nil, err
	}
	return values[:used:used], nil
}

// gridSize reports the used range: the sheet's recorded dimension, widened
// to the values actually read (the recorded one may be missing or stale).
func gridSize(dim string, values [][]string) (rows, cols int) {
	rows = len(values)
	for _, r := range values {
		cols = max(cols, len(r))
	}
	if dim != "" {
		ref := dim
		if _, end, ok := strings.Cut(dim, ":"); ok {
			ref = end
		}
		if c, r, err := excelize.CellNameToCoordinates(ref); err == nil {
			rows, cols = max(rows, r), max(cols, c)
		}
	}
	return rows, cols
}

// EnsureTab creates an empty tab at the end of the workbook when none has
// the title (compared case-insensitively, as Excel does). Idempotent.
func (w *Workbook) EnsureTab(ctx context.Context, title string) (audit.TabMeta, bool, error) {
	if err := ctx.Err(); err != nil {
		return audit.TabMeta{}, false, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c, err := w.load()
	if err != nil {
		return audit.TabMeta{}, false, err
	}
	if sh, ok := c.book.sheet(title); ok {
		return audit.TabMeta{SpreadsheetID: w.path, TabID: sh.id, Title: sh.name, Revision: c.revision}, false, nil
	}
	// A fresh parse, not the cached one: the cache must keep describing the
	// file on disk if the save fails.
	f, err := excelize.OpenReader(bytes.NewReader(c.data))
	if err != nil {
		return audit.TabMeta{}, false, fmt.Errorf("open workbook %q: %w: %w", w.path, audit.ErrInvalid, err)
	}
	defer f.Close()
	if _, err := f.NewSheet(title); err != nil {
		return audit.TabMeta{}, false, fmt.Errorf("create tab %q in %q (Excel tab names have at most 31 characters and none of : \\ / ? * [ ]): %w: %w", title, w.path, audit.ErrInvalid, err)
	}
	var id int64
	for sid, name := range f.GetSheetMap() {
		if name == title {
			id = int64(sid)
		}
	}
	if err := w.save(ctx, func(out io.Writer) error {
		_, err := f.WriteTo(out)
		return err
	}); err != nil {
		return audit.TabMeta{}, false, fmt.Errorf("create tab %q: %w", title, err)
	}
	w.log.Info("tab created", zap.String("file", w.path), zap.String("tab", title))
	return audit.TabMeta{SpreadsheetID: w.path, TabID: id, Title: title}, true, nil
}

// AppendRows writes rows as text cells below the tab's last row that holds
// a value. Only that tab's part of the file changes. Not idempotent.
func (w *Workbook) AppendRows(ctx context.Context, title string, rows [][]string) error {
	if err := w.writeSheet(ctx, title, rows, false); err != nil {
		return fmt.Errorf("append rows to tab %q: %w", title, err)
	}
	return nil
}

// ReplaceTab makes rows, as text cells, the tab's whole content. Only that
// tab's part of the file changes; its formats, column widths and merges
// stay, and so does each cell's style (an emptied cell keeps it, as when
// its content is deleted in Excel), so WriteTyped can give cells their
// number format's display back. Idempotent.
func (w *Workbook) ReplaceTab(ctx context.Context, title string, rows [][]string) error {
	if err := w.writeSheet(ctx, title, rows, true); err != nil {
		return fmt.Errorf("replace tab %q: %w", title, err)
	}
	return nil
}

func (w *Workbook) writeSheet(ctx context.Context, title string, rows [][]string, replace bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkRows(rows); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	start := time.Now()
	n, err := w.rewriteSheet(ctx, title, rows, replace)
	if err != nil {
		return err
	}
	w.log.Debug("tab written", zap.String("file", w.path), zap.String("tab", title),
		zap.Int("rows", len(rows)), zap.Bool("replace", replace), zap.Int("first_row", n),
		zap.Duration("duration", time.Since(start)))
	return nil
}
