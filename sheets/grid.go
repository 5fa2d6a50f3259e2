package sheets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"go.uber.org/zap"
	"google.golang.org/api/googleapi"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.TypedTabReader = (*Workbook)(nil)

// gridFields masks spreadsheets.get down to each cell's displayed text and
// the number or boolean behind it. A mask reaching sheets.data returns grid
// data without includeGridData (SHEETS-API.md §4), and only the sheet the
// range names. Text cells keep no effectiveValue field of their own (a typed
// read drops text anyway), so the answer stays close to twice the bytes of
// a FORMATTED_VALUE read rather than three times.
const gridFields = "sheets.data.rowData.values(formattedValue,effectiveValue(numberValue,boolValue))"

// ReadTabTyped implements audit.TypedTabReader. values.batchGet has one
// valueRenderOption per request, so displayed and typed values take two of
// them; spreadsheets.get with a fields mask on the grid data returns both
// for every cell in one. A tab that fits in one values request (BlockCells ×
// BlocksPerRequest cells with the defaults) is read that way: one read
// request instead of two, for about twice the bytes of its FORMATTED_VALUE
// read. A larger tab is read as ReadTab reads it and typed comes back nil,
// so the caller reads its typed columns with ReadTyped: paged, and only the
// columns it needs, where the grid data of every column would cost more
// bytes than the request it saves.
func (w *Workbook) ReadTabTyped(ctx context.Context, title string) (*audit.Tab, [][]string, error) {
	op := fmt.Sprintf("read tab %q", title)
	start := w.opts.Now()
	meta, err := w.tabOf(ctx, op, title, true)
	if err != nil {
		return nil, nil, err
	}
	if !w.oneRequest(meta) {
		values, reqs, err := w.readRows(ctx, op, meta)
		if err != nil {
			return nil, nil, err
		}
		w.log.Debug("read tab", zap.String("tab", meta.Title), zap.Int("rows", len(values)),
			zap.Int("requests", reqs), zap.Duration("duration", w.opts.Now().Sub(start)))
		return &audit.Tab{Meta: meta, Values: values}, nil, nil
	}
	values, typed := [][]string{}, [][]string{}
	if meta.GridRows > 0 && meta.GridCols > 0 {
		if values, typed, err = w.readGrid(ctx, op, meta); err != nil {
			return nil, nil, err
		}
	}
	w.log.Debug("read tab with typed values", zap.String("tab", meta.Title), zap.Int("rows", len(values)),
		zap.Int("requests", 1), zap.Duration("duration", w.opts.Now().Sub(start)))
	return &audit.Tab{Meta: meta, Values: values}, typed, nil
}

// oneRequest reports whether ReadTab would read the whole grid in one
// values.batchGet.
func (w *Workbook) oneRequest(meta audit.TabMeta) bool {
	if meta.GridRows < 1 || meta.GridCols < 1 {
		return true
	}
	blocks := (meta.GridRows + w.pageRows(meta.GridCols) - 1) / w.pageRows(meta.GridCols)
	return blocks <= max(1, w.opts.BlocksPerRequest)
}

// readGrid reads the whole grid of a tab with one spreadsheets.get: the
// displayed values as ReadTab returns them, and the typed values of every
// column as ReadTyped returns them.
func (w *Workbook) readGrid(ctx context.Context, op string, meta audit.TabMeta) (values, typed [][]string, err error) {
	rng := rowsRange(meta.Title, 1, meta.GridRows, meta.GridCols)
	var slab rowSlab
	err = w.call(ctx, "spreadsheets.get", false, func(ctx context.Context) error {
		// A failed attempt may have delivered part of the answer.
		values, typed = [][]string{}, [][]string{}
		return w.getGrid(ctx, rng, func(y int, shown, typedRow []string) {
			if len(shown) > 0 {
				for len(values) < y {
					values = append(values, []string{})
				}
				values = append(values, slab.copy(shown))
			}
			for x, s := range typedRow {
				if s != "" {
					typed = setCell(typed, y, x, s)
				}
			}
		})
	})
	if err != nil {
		return nil, nil, w.translate(err, op)
	}
	return values, typed, nil
}

// getGrid sends one attempt of spreadsheets.get for the grid data of rng
// under gridFields and decodes the answer as it streams in: row receives
// each row's displayed and typed text, y counting from the range's first
// row, both trimmed of trailing empty cells (an empty row has neither).
// The slices are reused for the next row.
func (w *Workbook) getGrid(ctx context.Context, rng string, row func(y int, shown, typed []string)) error {
	params := url.Values{
		"ranges":      {rng},
		"fields":      {gridFields},
		"alt":         {"json"},
		"prettyPrint": {"false"},
	}
	u := googleapi.ResolveRelative(w.svc.BasePath, "v4/spreadsheets/{spreadsheetId}") + "?" + params.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	googleapi.Expand(req.URL, map[string]string{"spreadsheetId": w.id})
	req.Header.Set("User-Agent", googleapi.UserAgent)
	res, err := w.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	defer googleapi.CloseBody(res)
	if err := googleapi.CheckResponse(res); err != nil {
		return err
	}
	return decodeGrid(res.Body, row)
}

// decodeGrid reads a Spreadsheet holding the grid data of one range under
// gridFields, as encoding/json would decode it into sheets.Spreadsheet
// (keys matched without regard to case, unknown keys skipped), and calls
// row for each row holding a value.
func decodeGrid(r io.Reader, row func(y int, shown, typed []string)) error {
	d := &gridDecoder{valuesDecoder: valuesDecoder{dec: json.NewDecoder(r)}, row: row}
	err := d.spreadsheet()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF // truncated: transient, worth a retry
		}
		return fmt.Errorf("decode spreadsheets.get response at byte %d: %w", d.dec.InputOffset(), err)
	}
	return nil
}

// gridDecoder holds the state of one decodeGrid; it walks the JSON with
// valuesDecoder's object, array and skip.
type gridDecoder struct {
	valuesDecoder
	row          func(y int, shown, typed []string)
	blocks       int
	shown, typed []string
	cells        []gridCell
}

// gridCell is one CellData under gridFields.
type gridCell struct {
	FormattedValue string `json:"formattedValue"`
	// Not a pointer: text cells carry an empty effectiveValue, which
	// would cost an allocation each.
	EffectiveValue struct {
		NumberValue *float64 `json:"numberValue"`
		BoolValue   *bool    `json:"boolValue"`
	} `json:"effectiveValue"`
}

func (d *gridDecoder) spreadsheet() error {
	if err := d.object("response", func(key string) error {
		if strings.EqualFold(key, "sheets") {
			return d.array("sheets", func(i int) error {
				return d.object(fmt.Sprintf("sheets[%d]", i), func(key string) error {
					if strings.EqualFold(key, "data") {
						return d.array("data", func(int) error { return d.gridData() })
					}
					return d.skip()
				})
			})
		}
		return d.skip()
	}); err != nil {
		return err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		if err == nil {
			return errors.New("data after the response object")
		}
		return err
	}
	if d.blocks > 1 {
		return fmt.Errorf("%d grid data blocks, want one", d.blocks)
	}
	return nil
}

// gridData reads one GridData. The range starts at A1, so Google leaves
// startRow and startColumn out (zero); any other start is an answer to a
// different question.
func (d *gridDecoder) gridData() error {
	d.blocks++
	return d.object("data", func(key string) error {
		switch {
		case strings.EqualFold(key, "rowData"):
			return d.array("rowData", d.rowData)
		case strings.EqualFold(key, "startRow"), strings.EqualFold(key, "startColumn"):
			var n int
			if err := d.dec.Decode(&n); err != nil {
				return err
			}
			if n != 0 {
				return fmt.Errorf("grid data %s is %d, want 0", key, n)
			}
			return nil
		}
		return d.skip()
	})
}

func (d *gridDecoder) rowData(y int) error {
	var row struct {
		Values []gridCell `json:"values"`
	}
	clear(d.cells[:cap(d.cells)])
	row.Values = d.cells[:0]
	// One Decode per row, as for values: the buffer holds one row at most.
	if err := d.dec.Decode(&row); err != nil {
		return err
	}
	d.cells = row.Values
	d.shown, d.typed = d.shown[:0], d.typed[:0]
	for _, c := range row.Values {
		d.shown = append(d.shown, c.FormattedValue)
		t := ""
		switch v := c.EffectiveValue; {
		case v.NumberValue != nil:
			t = strconv.FormatFloat(*v.NumberValue, 'f', -1, 64)
		case v.BoolValue != nil:
			t = "FALSE"
			if *v.BoolValue {
				t = "TRUE"
			}
		}
		d.typed = append(d.typed, t)
	}
	d.shown, d.typed = trimEmpty(d.shown), trimEmpty(d.typed)
	if len(d.shown) > 0 || len(d.typed) > 0 {
		d.row(y, d.shown, d.typed)
	}
	return nil
}

// trimEmpty drops trailing empty cells, as values.batchGet does.
func trimEmpty(cells []string) []string {
	n := len(cells)
	for n > 0 && cells[n-1] == "" {
		n--
	}
	return cells[:n]
}
