package emulator

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// resolved is a range bound to a sheet and clamped to its grid.
type resolved struct {
	sh     *sheet
	rect   gridRect
	single bool // written as one cell: an anchor for writes
}

// echo is the normalised range Sheets sends back: always sheet-qualified,
// grid-bounded, quoted when needed.
func (rv resolved) echo() string { return quoteTitle(rv.sh.title) + "!" + rv.rect.a1() }

// resolve parses spec and binds it to a sheet of ss (SHEETS-API.md §1.4, §2).
func resolve(ss *spreadsheet, spec string, allowR1C1 bool) (resolved, *apiError) {
	name := spec
	if i := strings.LastIndexByte(spec, '!'); i >= 0 {
		name = spec[i+1:] // 'Sheet1'!NamedRange reads the named range, as recorded
	}
	if sh, g, ok := namedRange(ss, name); ok {
		g.r1, g.c1 = min(g.r1, sh.rowCount-1), min(g.c1, sh.colCount-1)
		return resolved{sh: sh, rect: g, single: g.r0 == g.r1 && g.c0 == g.c1}, nil
	}
	p, ok := parseA1(spec, allowR1C1)
	if !ok {
		return resolved{}, errParseRange(spec)
	}
	var sh *sheet
	if p.hasSheet {
		sh = ss.sheetByTitle(p.sheet)
		if sh == nil {
			return resolved{}, errParseRange(spec)
		}
	} else {
		if len(ss.sheets) == 0 {
			return resolved{}, errParseRange(spec)
		}
		sh = ss.sheets[0]
	}
	want := gridRect{r0: p.r0, c0: p.c0, r1: p.r1, c1: p.c1}
	if p.wholeGrid || want.r1 == unbounded {
		want.r1 = max(sh.rowCount-1, want.r0)
	}
	if p.wholeGrid || want.c1 == unbounded {
		want.c1 = max(sh.colCount-1, want.c0)
	}
	if want.r0 >= sh.rowCount || want.c0 >= sh.colCount {
		return resolved{}, errInvalid("Range (%s!%s) exceeds grid limits. Max rows: %d, max columns: %d",
			quoteTitle(sh.title), want.a1(), sh.rowCount, sh.colCount)
	}
	got := want
	got.r1 = min(got.r1, sh.rowCount-1)
	got.c1 = min(got.c1, sh.colCount-1)
	single := !p.wholeGrid && p.r0 == p.r1 && p.c0 == p.c1
	return resolved{sh: sh, rect: got, single: single}, nil
}

// renderOpts selects how cells become JSON.
type renderOpts struct {
	render  string // FORMATTED_VALUE (default), UNFORMATTED_VALUE, FORMULA
	dateStr bool   // dateTimeRenderOption=FORMATTED_STRING
	columns bool   // majorDimension=COLUMNS
}

func readOpts(get func(string) string, renderKey, dateKey string) renderOpts {
	return renderOpts{
		render:  get(renderKey),
		dateStr: get(dateKey) == "FORMATTED_STRING",
		columns: get("majorDimension") == "COLUMNS",
	}
}

// appendCellJSON renders one cell per SHEETS-API.md §1.3: empty is always "",
// FORMATTED gives strings, UNFORMATTED numbers and bools, FORMULA formulas.
func appendCellJSON(b []byte, c cell, o renderOpts) []byte {
	if o.render == "" || o.render == "FORMATTED_VALUE" {
		return appendJSONString(b, c.formatted())
	}
	switch c.k {
	case kEmpty:
		return append(b, '"', '"')
	case kNumber:
		return append(b, c.s...)
	case kNumDisp:
		_, n := c.split()
		return append(b, n...)
	case kDate:
		d, n := c.split()
		if o.dateStr {
			return appendJSONString(b, d)
		}
		return append(b, n...)
	case kBool:
		if c.s == "TRUE" {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case kFormula:
		if o.render == "FORMULA" {
			return appendJSONString(b, c.s)
		}
		if v, ok := evalArith(c.s[1:]); ok {
			return append(b, formatFloat(v)...)
		}
		return appendJSONString(b, c.s)
	}
	return appendJSONString(b, c.s)
}

// writeValueRange streams a ValueRange without building it in memory, so a
// 10-million-cell read costs one pass and a small buffer. It applies the
// trimming rules: ragged rows, interior empty rows as [], no "values" key
// when nothing is left.
func writeValueRange(w *bufio.Writer, rv resolved, o renderOpts) {
	b := make([]byte, 0, 4096)
	b = append(b, `{"range":`...)
	b = appendJSONString(b, rv.echo())
	if o.columns {
		b = append(b, `,"majorDimension":"COLUMNS"`...)
	} else {
		b = append(b, `,"majorDimension":"ROWS"`...)
	}
	sh, g := rv.sh, rv.rect
	if !o.columns {
		last := -1
		for r := min(g.r1, len(sh.rows)-1); r >= g.r0; r-- {
			if sh.rowWidth(r, g.c0, g.c1) > g.c0 {
				last = r
				break
			}
		}
		if last >= 0 {
			b = append(b, `,"values":[`...)
			for r := g.r0; r <= last; r++ {
				if r > g.r0 {
					b = append(b, ',')
				}
				b = append(b, '[')
				end := sh.rowWidth(r, g.c0, g.c1)
				for c := g.c0; c < end; c++ {
					if c > g.c0 {
						b = append(b, ',')
					}
					b = appendCellJSON(b, sh.view(r, c, sh.rows[r][c]), o)
				}
				b = append(b, ']')
				if len(b) > 32<<10 {
					_, _ = w.Write(b)
					b = b[:0]
				}
			}
			b = append(b, ']')
		}
	} else {
		heights := make([]int, g.c1-g.c0+1)
		last := -1
		for c := g.c0; c <= g.c1; c++ {
			h := g.r0
			for r := min(g.r1, len(sh.rows)-1); r >= g.r0; r-- {
				if !sh.at(r, c).empty() {
					h = r + 1
					break
				}
			}
			heights[c-g.c0] = h
			if h > g.r0 {
				last = c
			}
		}
		if last >= 0 {
			b = append(b, `,"values":[`...)
			for c := g.c0; c <= last; c++ {
				if c > g.c0 {
					b = append(b, ',')
				}
				b = append(b, '[')
				for r := g.r0; r < heights[c-g.c0]; r++ {
					if r > g.r0 {
						b = append(b, ',')
					}
					b = appendCellJSON(b, sh.view(r, c, sh.at(r, c)), o)
				}
				b = append(b, ']')
				if len(b) > 32<<10 {
					_, _ = w.Write(b)
					b = b[:0]
				}
			}
			b = append(b, ']')
		}
	}
	b = append(b, '}')
	_, _ = w.Write(b)
}

func startJSON(w http.ResponseWriter) *bufio.Writer {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	return bufio.NewWriterSize(w, 64<<10)
}

func (s *Server) valuesGet(w http.ResponseWriter, r *http.Request, id, spec string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, e := s.book(id)
	if e != nil {
		return e
	}
	rv, e := resolve(ss, spec, true)
	if e != nil {
		return e
	}
	q := r.URL.Query()
	bw := startJSON(w)
	writeValueRange(bw, rv, readOpts(q.Get, "valueRenderOption", "dateTimeRenderOption"))
	return flush(bw)
}

func flush(bw *bufio.Writer) *apiError {
	_ = bw.Flush()
	return nil
}

func (s *Server) valuesBatchGet(w http.ResponseWriter, r *http.Request, id string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, e := s.book(id)
	if e != nil {
		return e
	}
	q := r.URL.Query()
	var rvs []resolved
	for _, spec := range q["ranges"] {
		rv, e := resolve(ss, spec, true)
		if e != nil {
			return e
		}
		rvs = append(rvs, rv)
	}
	o := readOpts(q.Get, "valueRenderOption", "dateTimeRenderOption")
	bw := startJSON(w)
	b := appendJSONString([]byte(`{"spreadsheetId":`), ss.id)
	if len(rvs) > 0 {
		b = append(b, `,"valueRanges":[`...)
	}
	_, _ = bw.Write(b)
	for i, rv := range rvs {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		writeValueRange(bw, rv, o)
	}
	if len(rvs) > 0 {
		_ = bw.WriteByte(']')
	}
	_ = bw.WriteByte('}')
	return flush(bw)
}

// valueRangeIn is a ValueRange in a request body.
type valueRangeIn struct {
	Range          string  `json:"range"`
	MajorDimension string  `json:"majorDimension"`
	Values         [][]any `json:"values"`
}

// updateResult is UpdateValuesResponse; zero counts are omitted as proto3 does.
type updateResult struct {
	SpreadsheetID  string          `json:"spreadsheetId"`
	UpdatedRange   string          `json:"updatedRange,omitempty"`
	UpdatedRows    int             `json:"updatedRows,omitempty"`
	UpdatedColumns int             `json:"updatedColumns,omitempty"`
	UpdatedCells   int             `json:"updatedCells,omitempty"`
	UpdatedData    json.RawMessage `json:"updatedData,omitempty"`

	sh         *sheet
	rowSet     map[int]bool
	colSet     map[int]bool
	writes     []cellWrite
	responseRv resolved
}

type cellWrite struct {
	r, c int
	v    cell
}

// toCell converts one JSON input value. skip reports a null, which leaves the
// cell unchanged ("values with no data are skipped").
func toCell(v any, userEntered bool) (c cell, skip bool, err *apiError) {
	switch t := v.(type) {
	case nil:
		return cell{}, true, nil
	case string:
		if utf8.RuneCountInString(t) > maxCellChars {
			return cell{}, false, errInvalid("%s", msgCellTooLarge)
		}
		if t == "" {
			return cell{}, false, nil
		}
		if userEntered {
			return parseUserEntered(t), false, nil
		}
		return cell{s: t, k: kString}, false, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return cell{}, false, errInvalid("Invalid value: %s", t)
		}
		return cell{s: formatFloat(f), k: kNumber}, false, nil
	case bool:
		if t {
			return cell{s: "TRUE", k: kBool}, false, nil
		}
		return cell{s: "FALSE", k: kBool}, false, nil
	}
	return cell{}, false, errInvalid("Invalid values: only bool, string and number values are supported, got %T", v)
}

// rowMajor returns values as rows regardless of majorDimension.
func rowMajor(values [][]any, columns bool) [][]any {
	if !columns {
		return values
	}
	h := 0
	for _, col := range values {
		h = max(h, len(col))
	}
	out := make([][]any, h)
	for r := range out {
		out[r] = make([]any, len(values))
	}
	for c, col := range values {
		for r, v := range col {
			out[r][c] = v
		}
	}
	return out
}

// planWrite validates a write of rows at the anchor of rv and returns the
// cells to store; nothing is changed yet, so batches stay all-or-nothing.
// A multi-cell range bounds the data; a single-cell anchor lets it extend,
// up to the grid unless growOK (values.append grows the grid itself).
func planWrite(ss *spreadsheet, rv resolved, rows [][]any, userEntered, growOK bool) (*updateResult, *apiError) {
	res := &updateResult{SpreadsheetID: ss.id, sh: rv.sh, rowSet: map[int]bool{}, colSet: map[int]bool{}}
	g := rv.rect
	width := 0
	for _, row := range rows {
		width = max(width, len(row))
	}
	if len(rows) == 0 || width == 0 {
		res.UpdatedRange = quoteTitle(rv.sh.title) + "!" + gridRect{g.r0, g.c0, g.r0, g.c0}.a1()
		return res, nil
	}
	bounded := !rv.single
	written := gridRect{r0: g.r0, c0: g.c0, r1: g.r0 + len(rows) - 1, c1: g.c0 + width - 1}
	if bounded {
		if written.r1 > g.r1 {
			return nil, errInvalid("Requested writing within range [%s], but tried writing to row [%d]", rv.echo(), g.r1+2)
		}
		if written.c1 > g.c1 {
			return nil, errInvalid("Requested writing within range [%s], but tried writing to column [%s]", rv.echo(), colName(g.c1+1))
		}
	} else if !growOK && (written.r1 >= rv.sh.rowCount || written.c1 >= rv.sh.colCount) {
		// Guess (UNCONFIRMED live): an anchored update that overruns the grid
		// fails like a range past the grid; clients must appendDimension first.
		return nil, errInvalid("Range (%s!%s) exceeds grid limits. Max rows: %d, max columns: %d",
			quoteTitle(rv.sh.title), written.a1(), rv.sh.rowCount, rv.sh.colCount)
	}
	for i, row := range rows {
		for j, v := range row {
			c, skip, e := toCell(v, userEntered)
			if e != nil {
				return nil, e
			}
			if skip {
				continue
			}
			res.writes = append(res.writes, cellWrite{g.r0 + i, g.c0 + j, c})
			res.rowSet[g.r0+i] = true
			res.colSet[g.c0+j] = true
		}
	}
	res.UpdatedRange = quoteTitle(rv.sh.title) + "!" + written.a1()
	res.UpdatedRows, res.UpdatedColumns, res.UpdatedCells = len(res.rowSet), len(res.colSet), len(res.writes)
	res.responseRv = resolved{sh: rv.sh, rect: written}
	if bounded {
		res.responseRv.rect = g
	}
	return res, nil
}

func (res *updateResult) apply() {
	owned := map[int]bool{}
	for _, w := range res.writes {
		res.sh.setCell(w.r, w.c, w.v, owned)
	}
}

// withData fills updatedData when includeValuesInResponse is set.
func (res *updateResult) withData(include bool, o renderOpts) {
	if !include || res.responseRv.sh == nil {
		return
	}
	var buf bytesWriter
	bw := bufio.NewWriter(&buf)
	o.columns = false
	writeValueRange(bw, res.responseRv, o)
	_ = bw.Flush()
	res.UpdatedData = json.RawMessage(buf)
}

type bytesWriter []byte

func (b *bytesWriter) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }

func valueInput(v string) (userEntered bool, e *apiError) {
	switch v {
	case "RAW":
		return false, nil
	case "USER_ENTERED":
		return true, nil
	}
	return false, errInvalid("'valueInputOption' is required but not specified")
}

func (s *Server) valuesUpdate(w http.ResponseWriter, r *http.Request, id, spec string) *apiError {
	q := r.URL.Query()
	var body valueRangeIn
	if e := decodeBody(r, &body); e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, e := s.book(id)
	if e != nil {
		return e
	}
	userEntered, e := valueInput(q.Get("valueInputOption"))
	if e != nil {
		return e
	}
	rv, e := resolve(ss, spec, false)
	if e != nil {
		return e
	}
	if body.Range != "" {
		brv, e := resolve(ss, body.Range, false)
		if e != nil || brv.sh != rv.sh || brv.rect != rv.rect {
			return errInvalid("Requested range [%s] and the range in the URL [%s] do not match.", body.Range, spec)
		}
	}
	res, e := planWrite(ss, rv, rowMajor(body.Values, body.MajorDimension == "COLUMNS"), userEntered, false)
	if e != nil {
		return e
	}
	if e := s.checkProtected(ss, res.sh, res.bbox(), accountOf(r)); e != nil && len(res.writes) > 0 {
		return e
	}
	res.apply()
	inc, _ := parseBool(q.Get("includeValuesInResponse"))
	res.withData(inc, readOpts(q.Get, "responseValueRenderOption", "responseDateTimeRenderOption"))
	s.changedBy(r, id, "values.update")
	writeJSON(w, 200, res)
	return nil
}

func (s *Server) valuesBatchUpdate(w http.ResponseWriter, r *http.Request, id string) *apiError {
	var body struct {
		ValueInputOption             string         `json:"valueInputOption"`
		Data                         []valueRangeIn `json:"data"`
		IncludeValuesInResponse      bool           `json:"includeValuesInResponse"`
		ResponseValueRenderOption    string         `json:"responseValueRenderOption"`
		ResponseDateTimeRenderOption string         `json:"responseDateTimeRenderOption"`
	}
	if e := decodeBody(r, &body); e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, e := s.book(id)
	if e != nil {
		return e
	}
	userEntered, e := valueInput(body.ValueInputOption)
	if e != nil {
		return e
	}
	var plans []*updateResult
	for i, d := range body.Data {
		rv, e := resolve(ss, d.Range, false)
		if e == nil {
			var p *updateResult
			p, e = planWrite(ss, rv, rowMajor(d.Values, d.MajorDimension == "COLUMNS"), userEntered, false)
			plans = append(plans, p)
		}
		if e != nil {
			return prefixed(fmt.Sprintf("data[%d]", i), e)
		}
	}
	type total struct{ rows, cols map[int]bool }
	per := map[*sheet]*total{}
	out := struct {
		SpreadsheetID       string          `json:"spreadsheetId"`
		TotalUpdatedRows    int             `json:"totalUpdatedRows,omitempty"`
		TotalUpdatedColumns int             `json:"totalUpdatedColumns,omitempty"`
		TotalUpdatedCells   int             `json:"totalUpdatedCells,omitempty"`
		TotalUpdatedSheets  int             `json:"totalUpdatedSheets,omitempty"`
		Responses           []*updateResult `json:"responses,omitempty"`
	}{SpreadsheetID: ss.id}
	o := renderOpts{render: body.ResponseValueRenderOption, dateStr: body.ResponseDateTimeRenderOption == "FORMATTED_STRING"}
	for _, p := range plans {
		if e := s.checkProtected(ss, p.sh, p.bbox(), accountOf(r)); e != nil && len(p.writes) > 0 {
			return e
		}
	}
	for _, p := range plans {
		p.apply()
		t := per[p.sh]
		if t == nil {
			t = &total{map[int]bool{}, map[int]bool{}}
			per[p.sh] = t
		}
		for k := range p.rowSet {
			t.rows[k] = true
		}
		for k := range p.colSet {
			t.cols[k] = true
		}
		out.TotalUpdatedCells += p.UpdatedCells
		out.Responses = append(out.Responses, p)
	}
	for _, p := range plans {
		p.withData(body.IncludeValuesInResponse, o)
	}
	for _, t := range per {
		out.TotalUpdatedRows += len(t.rows)
		out.TotalUpdatedColumns += len(t.cols)
		if len(t.rows) > 0 {
			out.TotalUpdatedSheets++
		}
	}
	s.changedBy(r, id, "values.batchUpdate")
	writeJSON(w, 200, out)
	return nil
}

// findTable locates the table values.append writes below. A table is the
// rectangle grown from a non-empty cell until no non-empty cell touches it,
// diagonals included (like a spreadsheet's "current region"); of the tables
// that have a non-empty cell inside the range, the last one found in
// row-major order wins. This reproduces the guide's B7/A3/E4/A4 example
// (SHEETS-API.md §3.4) and the recorded gspread sessions, where a row
// "v1, ”, v3" forms two tables A1 and C1 and appending to the sheet writes
// below C1.
func findTable(sh *sheet, g gridRect) (gridRect, bool) {
	var found []gridRect
	inFound := func(r, c int) (gridRect, bool) {
		for _, t := range found {
			if r >= t.r0 && r <= t.r1 && c >= t.c0 && c <= t.c1 {
				return t, true
			}
		}
		return gridRect{}, false
	}
	last := min(g.r1, sh.extent()-1)
	for r := g.r0; r <= last; r++ {
		row := sh.rows[r]
		for c := g.c0; c <= g.c1 && c < len(row); c++ {
			if row[c].empty() {
				continue
			}
			if t, ok := inFound(r, c); ok {
				c = t.c1
				continue
			}
			t := currentRegion(sh, r, c)
			found = append(found, t)
			c = t.c1
		}
	}
	if len(found) == 0 {
		return gridRect{}, false
	}
	return found[len(found)-1], true
}

// currentRegion grows a rectangle from (r, c) while any cell on its border
// ring, corners included, holds data.
func currentRegion(sh *sheet, r, c int) gridRect {
	t := gridRect{r, c, r, c}
	anyIn := func(r0, c0, r1, c1 int) bool {
		r0, c0 = max(r0, 0), max(c0, 0)
		for r := r0; r <= r1 && r < len(sh.rows); r++ {
			row := sh.rows[r]
			for c := c0; c <= c1 && c < len(row); c++ {
				if !row[c].empty() {
					return true
				}
			}
		}
		return false
	}
	for {
		grown := false
		if t.r0 > 0 && anyIn(t.r0-1, t.c0-1, t.r0-1, t.c1+1) {
			t.r0--
			grown = true
		}
		if anyIn(t.r1+1, t.c0-1, t.r1+1, t.c1+1) {
			t.r1++
			grown = true
		}
		if t.c0 > 0 && anyIn(t.r0-1, t.c0-1, t.r1+1, t.c0-1) {
			t.c0--
			grown = true
		}
		if anyIn(t.r0-1, t.c1+1, t.r1+1, t.c1+1) {
			t.c1++
			grown = true
		}
		if !grown {
			return t
		}
	}
}

func (s *Server) valuesAppend(w http.ResponseWriter, r *http.Request, id, spec string) *apiError {
	q := r.URL.Query()
	var body valueRangeIn
	if e := decodeBody(r, &body); e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, e := s.book(id)
	if e != nil {
		return e
	}
	userEntered, e := valueInput(q.Get("valueInputOption"))
	if e != nil {
		return e
	}
	rv, e := resolve(ss, spec, false)
	if e != nil {
		return e
	}
	sh := rv.sh
	out := struct {
		SpreadsheetID string        `json:"spreadsheetId"`
		TableRange    string        `json:"tableRange,omitempty"`
		Updates       *updateResult `json:"updates"`
	}{SpreadsheetID: ss.id}
	start := gridRect{r0: rv.rect.r0, c0: rv.rect.c0}
	if t, ok := findTable(sh, rv.rect); ok {
		out.TableRange = quoteTitle(sh.title) + "!" + t.a1()
		start = gridRect{r0: t.r1 + 1, c0: t.c0}
	}
	rows := rowMajor(body.Values, body.MajorDimension == "COLUMNS")
	width := 0
	for _, row := range rows {
		width = max(width, len(row))
	}
	needRows, needCols := sh.rowCount, sh.colCount
	insert := q.Get("insertDataOption") == "INSERT_ROWS"
	if insert {
		needRows += len(rows)
	} else {
		needRows = max(needRows, start.r0+len(rows))
	}
	needCols = max(needCols, start.c0+width)
	if needCols > maxColumns {
		return errInvalid("Range (%s!%s) exceeds grid limits. Max rows: %d, max columns: %d",
			quoteTitle(sh.title), cellName(start.r0, needCols-1), sh.rowCount, sh.colCount)
	}
	if ss.cells()-sh.rowCount*sh.colCount+needRows*needCols > maxCells {
		return errInvalid("%s", msgTooManyCells)
	}
	// Validate the cells against a grid that already has room, then grow.
	target := resolved{sh: &sheet{title: sh.title, rowCount: needRows, colCount: needCols}, rect: gridRect{start.r0, start.c0, start.r0, start.c0}, single: true}
	res, e := planWrite(ss, target, rows, userEntered, true)
	if e != nil {
		return e
	}
	if insert && len(rows) > 0 {
		insertRows(sh, start.r0, len(rows))
		shiftObjects(ss, sh, "ROWS", start.r0, len(rows))
	}
	sh.rowCount, sh.colCount = needRows, needCols
	res.sh = sh
	res.responseRv.sh = sh
	if e := s.checkProtected(ss, res.sh, res.bbox(), accountOf(r)); e != nil && len(res.writes) > 0 {
		return e
	}
	res.apply()
	inc, _ := parseBool(q.Get("includeValuesInResponse"))
	res.withData(inc, readOpts(q.Get, "responseValueRenderOption", "responseDateTimeRenderOption"))
	out.Updates = res
	s.changedBy(r, id, "values.append")
	writeJSON(w, 200, out)
	return nil
}

// clearRect empties the values in g; notes and formats stay, as documented.
func clearRect(sh *sheet, g gridRect) {
	for r := g.r0; r <= g.r1 && r < len(sh.rows); r++ {
		row := sh.rows[r]
		if row == nil || g.c0 >= len(row) {
			continue
		}
		nr := append([]cell(nil), row...)
		for c := g.c0; c <= g.c1 && c < len(nr); c++ {
			nr[c] = cell{}
		}
		if rowEmpty(nr) {
			nr = nil
		}
		sh.rows[r] = nr
	}
}

func (s *Server) valuesClear(w http.ResponseWriter, r *http.Request, id, spec string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, e := s.book(id)
	if e != nil {
		return e
	}
	rv, e := resolve(ss, spec, true)
	if e != nil {
		return e
	}
	if e := s.checkProtected(ss, rv.sh, rv.rect, accountOf(r)); e != nil {
		return e
	}
	clearRect(rv.sh, rv.rect)
	s.changedBy(r, id, "values.clear")
	writeJSON(w, 200, map[string]any{"spreadsheetId": ss.id, "clearedRange": rv.echo()})
	return nil
}

func (s *Server) valuesBatchClear(w http.ResponseWriter, r *http.Request, id string) *apiError {
	var body struct {
		Ranges []string `json:"ranges"`
	}
	if e := decodeBody(r, &body); e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, e := s.book(id)
	if e != nil {
		return e
	}
	var rvs []resolved
	for _, spec := range body.Ranges {
		rv, e := resolve(ss, spec, true)
		if e != nil {
			return e
		}
		rvs = append(rvs, rv)
	}
	out := map[string]any{"spreadsheetId": ss.id}
	var cleared []string
	for _, rv := range rvs {
		if e := s.checkProtected(ss, rv.sh, rv.rect, accountOf(r)); e != nil {
			return e
		}
	}
	for _, rv := range rvs {
		clearRect(rv.sh, rv.rect)
		cleared = append(cleared, rv.echo())
	}
	if len(cleared) > 0 {
		out["clearedRanges"] = cleared
	}
	s.changedBy(r, id, "values.batchClear")
	writeJSON(w, 200, out)
	return nil
}

// insertRows shifts rows (and notes) at and below at down by n.
func insertRows(sh *sheet, at, n int) {
	if at < len(sh.rows) {
		tail := append([][]cell(nil), sh.rows[at:]...)
		sh.rows = append(append(sh.rows[:at:at], make([][]cell, n)...), tail...)
	}
	shiftNotes(sh, func(r, c int) (int, int, bool) {
		if r >= at {
			return r + n, c, true
		}
		return r, c, true
	})
}

// shiftNotes moves or drops notes and cell formats after a dimension change.
func shiftNotes(sh *sheet, f func(r, c int) (int, int, bool)) {
	if len(sh.cellx) > 0 {
		x := make(map[[2]int]map[string]any, len(sh.cellx))
		for k, v := range sh.cellx {
			if r, c, ok := f(k[0], k[1]); ok {
				x[[2]int{r, c}] = v
			}
		}
		sh.cellx = x
	}
	if len(sh.notes) == 0 {
		return
	}
	m := make(map[[2]int]string, len(sh.notes))
	for k, v := range sh.notes {
		if r, c, ok := f(k[0], k[1]); ok {
			m[[2]int{r, c}] = v
		}
	}
	sh.notes = m
}

// appendJSONString is a JSON string encoder without HTML escaping.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
