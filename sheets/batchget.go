package sheets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"google.golang.org/api/googleapi"

	"github.com/sheetaudit/sheetaudit/audit"
)

// The values reads (ReadTab, AppendRows' extent, ReadTyped) send
// values.batchGet themselves instead of through the generated client: its
// Do reads the whole body into memory and decodes it into [][]any before
// sheets converts it to strings, which for a large tab was about 40% of all
// the bytes a cycle allocated. Here the body is decoded as it streams in,
// one row at a time, and each row is handed over as text at once. The
// request is the one the client would send, on the same authenticated
// *http.Client, and a non-2xx answer becomes the same *googleapi.Error, so
// retries, metrics and translate see no difference.

// valuesQuery is one values.batchGet request.
type valuesQuery struct {
	ranges []string
	// render is the valueRenderOption; dateTime the dateTimeRenderOption,
	// empty to leave it out (it is ignored under FORMATTED_VALUE anyway).
	render, dateTime string
	cells            cellRender
}

// cellRender says how a cell's JSON value becomes text.
type cellRender struct {
	// dropText renders JSON strings as "" (typed reads keep numbers and
	// booleans only); otherwise a string is its own text.
	dropText bool
	// other renders any other value as encoding/json decodes it into an
	// interface: float64, bool or nil (Sheets sends no arrays or objects).
	other func(any) string
}

// getValues runs q with the usual pacing and retries. Before every attempt
// it calls reset, so that the caller can drop what a failed attempt
// delivered; then row receives each row of each requested range, in order,
// with vr the index of the range and y the row's index within it. cells is
// reused for the next row, so row must copy what it keeps. row returns
// false to stop reading; the rest of the body is then not read.
func (w *Workbook) getValues(ctx context.Context, op string, q valuesQuery, reset func(), row func(vr, y int, cells []string) bool) error {
	stopped, extra := false, false
	var n int
	err := w.call(ctx, "values.batchGet", false, func(ctx context.Context) error {
		reset()
		stopped, extra = false, false
		var err error
		n, err = w.batchGetValues(ctx, q, func(vr, y int, cells []string) bool {
			if vr >= len(q.ranges) {
				extra = true
				return false
			}
			if !row(vr, y, cells) {
				stopped = true
				return false
			}
			return true
		})
		return err
	})
	if err != nil {
		return w.translate(err, op)
	}
	if extra || (!stopped && n != len(q.ranges)) {
		got := fmt.Sprint(n)
		if extra {
			got = "more"
		}
		return fmt.Errorf("%s of spreadsheet %q: asked for %d ranges, got %s: %w",
			op, w.id, len(q.ranges), got, audit.ErrUnavailable)
	}
	return nil
}

// batchGetValues sends one attempt of q and decodes the answer as it
// streams in. It returns the number of value ranges read.
func (w *Workbook) batchGetValues(ctx context.Context, q valuesQuery, row func(vr, y int, cells []string) bool) (int, error) {
	params := url.Values{
		"ranges":         q.ranges,
		"majorDimension": {"ROWS"},
		"alt":            {"json"},
		"prettyPrint":    {"false"},
	}
	if q.render != "" {
		params.Set("valueRenderOption", q.render)
	}
	if q.dateTime != "" {
		params.Set("dateTimeRenderOption", q.dateTime)
	}
	u := googleapi.ResolveRelative(w.svc.BasePath, "v4/spreadsheets/{spreadsheetId}/values:batchGet") + "?" + params.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	// Expand escapes the id as the client does (every byte outside
	// [A-Za-z0-9-._~]) and keeps the escaped form in RawPath.
	googleapi.Expand(req.URL, map[string]string{"spreadsheetId": w.id})
	req.Header.Set("User-Agent", googleapi.UserAgent)
	res, err := w.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			// As the client does: the context says more than the
			// transport's wrapping of it.
			return 0, ctx.Err()
		}
		return 0, err
	}
	defer googleapi.CloseBody(res)
	if err := googleapi.CheckResponse(res); err != nil {
		return 0, err
	}
	return decodeValueRanges(res.Body, q.cells, row)
}

// errStop ends a decode early when row asks to.
var errStop = errors.New("stop")

// decodeValueRanges reads a BatchGetValuesResponse from r and calls row for
// each row of each value range, in order, with the cells rendered by
// render; cells is reused for the next row. It reads what encoding/json
// would decode into sheets.BatchGetValuesResponse, and as it would: keys
// matched without regard to case, unknown keys skipped, null as an empty
// array, a range without "values" as a range without rows. It returns the
// number of value ranges read; when row returns false it stops there,
// without error.
func decodeValueRanges(r io.Reader, render cellRender, row func(vr, y int, cells []string) bool) (int, error) {
	d := &valuesDecoder{dec: json.NewDecoder(r), render: render, row: row}
	err := d.response()
	if errors.Is(err, errStop) {
		return d.ranges, nil
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			// A body that ends inside the JSON is a truncated answer, as
			// when the connection drops: transient, worth a retry.
			err = io.ErrUnexpectedEOF
		}
		return d.ranges, fmt.Errorf("decode values.batchGet response at byte %d: %w", d.dec.InputOffset(), err)
	}
	return d.ranges, nil
}

// valuesDecoder holds the state of one decodeValueRanges.
type valuesDecoder struct {
	dec    *json.Decoder
	render cellRender
	row    func(vr, y int, cells []string) bool
	ranges int
	cells  []string
	raw    []rawCell
}

// response decodes the top-level object, then checks that nothing follows.
func (d *valuesDecoder) response() error {
	if err := d.object("response", func(key string) error {
		if strings.EqualFold(key, "valueRanges") {
			return d.valueRanges()
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
	return nil
}

// object reads a JSON object (or null), calling field for each key with
// the decoder positioned at the key's value.
func (d *valuesDecoder) object(what string, field func(key string) error) error {
	t, err := d.dec.Token()
	if err != nil {
		return err
	}
	if t == nil {
		return nil
	}
	if t != json.Delim('{') {
		return fmt.Errorf("%s is %s, want an object", what, kind(t))
	}
	for d.dec.More() {
		t, err := d.dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string) // the decoder only gives strings as keys
		if err := field(key); err != nil {
			return err
		}
	}
	_, err = d.dec.Token() // '}'
	return err
}

// array reads a JSON array (or null), calling elem with the decoder
// positioned at each element.
func (d *valuesDecoder) array(what string, elem func(i int) error) error {
	t, err := d.dec.Token()
	if err != nil {
		return err
	}
	if t == nil {
		return nil
	}
	if t != json.Delim('[') {
		return fmt.Errorf("%s is %s, want an array", what, kind(t))
	}
	for i := 0; d.dec.More(); i++ {
		if err := elem(i); err != nil {
			return err
		}
	}
	_, err = d.dec.Token() // ']'
	return err
}

func (d *valuesDecoder) valueRanges() error {
	return d.array("valueRanges", func(vr int) error {
		d.ranges = vr + 1
		return d.object(fmt.Sprintf("valueRanges[%d]", vr), func(key string) error {
			if strings.EqualFold(key, "values") {
				return d.values(vr)
			}
			return d.skip()
		})
	})
}

func (d *valuesDecoder) values(vr int) error {
	return d.array("values", func(y int) error {
		// One Decode per row: the decoder's buffer never holds more
		// than the row, and its reflection costs once per row, not once
		// per token as Token would.
		if err := d.dec.Decode(&d.raw); err != nil {
			return err
		}
		d.cells = d.cells[:0]
		for _, c := range d.raw {
			switch {
			case !c.isText:
				d.cells = append(d.cells, d.render.other(c.v))
			case d.render.dropText:
				d.cells = append(d.cells, "")
			default:
				d.cells = append(d.cells, c.text)
			}
		}
		clear(d.raw) // let the strings go with the row
		if !d.row(vr, y, d.cells) {
			return errStop
		}
		return nil
	})
}

// rawCell is one cell of a row as decoded: the text of a JSON string, or
// any other value as encoding/json decodes it into an interface. Strings,
// nearly every cell under FORMATTED_VALUE, thus skip the interface box
// that decoding into []any costs them.
type rawCell struct {
	isText bool
	text   string
	v      any
}

func (c *rawCell) UnmarshalJSON(b []byte) error {
	if len(b) >= 2 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
		// The decoder has checked the syntax; without escapes or
		// invalid UTF-8 (which encoding/json would replace by U+FFFD)
		// the bytes between the quotes are the text.
		*c = rawCell{isText: true, text: string(b[1 : len(b)-1])}
		return nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if t, ok := v.(string); ok {
		*c = rawCell{isText: true, text: t}
		return nil
	}
	*c = rawCell{v: v}
	return nil
}

// skip consumes one value of any shape.
func (d *valuesDecoder) skip() error {
	depth := 0
	for {
		t, err := d.dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// kind names a token's JSON type for an error message, never its content:
// a cell's text has no place in a log line about a malformed answer.
func kind(t json.Token) string {
	switch t := t.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		if t == '[' {
			return "an array"
		}
		return fmt.Sprintf("%q", string(t))
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", t)
}
