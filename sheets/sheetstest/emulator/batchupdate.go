package emulator

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// batchUpdate applies spreadsheets.batchUpdate requests to a copy of the
// spreadsheet and swaps it in only if every request succeeded, which is how
// Google promises "validated before being applied ... atomically" (§5).
func (s *Server) batchUpdate(w http.ResponseWriter, r *http.Request, id string) *apiError {
	var body struct {
		Requests                     []map[string]json.RawMessage `json:"requests"`
		IncludeSpreadsheetInResponse bool                         `json:"includeSpreadsheetInResponse"`
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
	work := ss.clone()
	replies := make([]any, 0, len(body.Requests))
	for i, req := range body.Requests {
		if len(req) != 1 {
			return errInvalid("Invalid requests[%d]: exactly one request kind must be set", i)
		}
		for kind, raw := range req {
			reply, e := s.applyRequest(work, kind, raw, accountOf(r))
			if e != nil {
				return prefixed(fmt.Sprintf("requests[%d].%s", i, kind), e)
			}
			if reply == nil {
				reply = map[string]any{}
			}
			replies = append(replies, reply)
		}
	}
	s.books[id] = work
	s.changedBy(r, id, "spreadsheets.batchUpdate")
	out := map[string]any{"spreadsheetId": work.id}
	if len(replies) > 0 {
		out["replies"] = replies
	}
	if body.IncludeSpreadsheetInResponse {
		out["updatedSpreadsheet"] = spreadsheetJSON(work)
	}
	writeJSON(w, 200, out)
	return nil
}

// gridRangeIn is a GridRange: absent indexes are unbounded (wrapper fields),
// an absent sheetId is 0 (SHEETS-API.md §5, Go omitempty pitfall).
type gridRangeIn struct {
	SheetID          int64 `json:"sheetId"`
	StartRowIndex    *int  `json:"startRowIndex"`
	EndRowIndex      *int  `json:"endRowIndex"`
	StartColumnIndex *int  `json:"startColumnIndex"`
	EndColumnIndex   *int  `json:"endColumnIndex"`
}

func (g gridRangeIn) resolve(ss *spreadsheet) (*sheet, gridRect, *apiError) {
	sh, _ := ss.sheetByID(g.SheetID)
	if sh == nil {
		return nil, gridRect{}, errInvalid("No grid with id: %d", g.SheetID)
	}
	or := func(p *int, d int) int {
		if p == nil {
			return d
		}
		return *p
	}
	r0, r1 := or(g.StartRowIndex, 0), or(g.EndRowIndex, sh.rowCount)
	c0, c1 := or(g.StartColumnIndex, 0), or(g.EndColumnIndex, sh.colCount)
	if r0 < 0 || r1 < 0 || c0 < 0 || c1 < 0 {
		return nil, gridRect{}, errInvalid("GridRange indexes must be >= 0")
	}
	if r1 < r0 {
		return nil, gridRect{}, errInvalid("endRowIndex[%d] cannot be before startRowIndex[%d]", r1, r0)
	}
	if c1 < c0 {
		return nil, gridRect{}, errInvalid("endColumnIndex[%d] cannot be before startColumnIndex[%d]", c1, c0)
	}
	if r1 > sh.rowCount || c1 > sh.colCount {
		return nil, gridRect{}, errInvalid("Range (%s!%s) exceeds grid limits. Max rows: %d, max columns: %d",
			quoteTitle(sh.title), gridRect{r0, c0, max(r1-1, r0), max(c1-1, c0)}.a1(), sh.rowCount, sh.colCount)
	}
	return sh, gridRect{r0, c0, r1 - 1, c1 - 1}, nil
}

type dimensionRangeIn struct {
	SheetID    int64  `json:"sheetId"`
	Dimension  string `json:"dimension"`
	StartIndex *int   `json:"startIndex"`
	EndIndex   *int   `json:"endIndex"`
}

func unmarshal(raw json.RawMessage, v any) *apiError {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return errInvalid("Invalid JSON payload received. %s", err)
	}
	return nil
}

func (s *Server) applyRequest(ss *spreadsheet, kind string, raw json.RawMessage, caller string) (any, *apiError) {
	switch kind {
	case "addSheet":
		var req struct {
			Properties map[string]any `json:"properties"`
		}
		if e := unmarshal(raw, &req); e != nil {
			return nil, e
		}
		if req.Properties == nil {
			req.Properties = map[string]any{}
		}
		sh, e := s.addSheet(ss, req.Properties, false)
		if e != nil {
			return nil, e
		}
		return map[string]any{"addSheet": map[string]any{"properties": sheetJSON(sh, indexOf(ss, sh))}}, nil

	case "deleteSheet":
		var req struct {
			SheetID int64 `json:"sheetId"`
		}
		if e := unmarshal(raw, &req); e != nil {
			return nil, e
		}
		_, i := ss.sheetByID(req.SheetID)
		if i < 0 {
			return nil, errInvalid("No sheet with id: %d", req.SheetID)
		}
		if len(ss.sheets) == 1 {
			// Guess modelled on "You can't hide all the sheets in a document."
			return nil, errInvalid("You can't remove all the sheets in a document.")
		}
		ss.sheets = append(ss.sheets[:i:i], ss.sheets[i+1:]...)
		return nil, nil

	case "appendDimension":
		var req struct {
			SheetID   int64  `json:"sheetId"`
			Dimension string `json:"dimension"`
			Length    int    `json:"length"`
		}
		if e := unmarshal(raw, &req); e != nil {
			return nil, e
		}
		sh, _ := ss.sheetByID(req.SheetID)
		if sh == nil {
			return nil, errInvalid("No grid with id: %d", req.SheetID)
		}
		if req.Length <= 0 {
			return nil, errInvalid("length must be > 0")
		}
		return nil, growGrid(ss, sh, req.Dimension, req.Length)

	case "insertDimension":
		var req struct {
			Range dimensionRangeIn `json:"range"`
		}
		if e := unmarshal(raw, &req); e != nil {
			return nil, e
		}
		sh, a, b, e := dimRange(ss, req.Range)
		if e != nil {
			return nil, e
		}
		if e := growGrid(ss, sh, req.Range.Dimension, b-a); e != nil {
			return nil, e
		}
		if req.Range.Dimension == "ROWS" {
			insertRows(sh, a, b-a)
		} else {
			insertCols(sh, a, b-a)
		}
		shiftObjects(ss, sh, req.Range.Dimension, a, b-a)
		return nil, nil

	case "deleteDimension":
		var req struct {
			Range dimensionRangeIn `json:"range"`
		}
		if e := unmarshal(raw, &req); e != nil {
			return nil, e
		}
		sh, a, b, e := dimRange(ss, req.Range)
		if e != nil {
			return nil, e
		}
		gone := min(b, limitOf(sh, req.Range.Dimension)) - a
		deleteDim(sh, req.Range.Dimension, a, b)
		shiftObjects(ss, sh, req.Range.Dimension, a, -gone)
		if sh.rowCount <= 0 || sh.colCount <= 0 {
			return nil, errInvalid("You can't delete all the rows on the sheet.")
		}
		return nil, nil

	case "updateSheetProperties":
		var req struct {
			Properties map[string]any `json:"properties"`
			Fields     string         `json:"fields"`
		}
		if e := unmarshal(raw, &req); e != nil {
			return nil, e
		}
		if e := updateSheetProps(ss, req.Properties, req.Fields); e != nil {
			return nil, e
		}
		for _, sh := range ss.sheets {
			if h, _ := sh.extra["hidden"].(bool); !h {
				return nil, nil
			}
		}
		return nil, errInvalid("You can't hide all the sheets in a document.")

	case "updateSpreadsheetProperties":
		var req struct {
			Properties map[string]any `json:"properties"`
			Fields     string         `json:"fields"`
		}
		if e := unmarshal(raw, &req); e != nil {
			return nil, e
		}
		paths, e := maskPaths(req.Fields)
		if e != nil {
			return nil, e
		}
		for _, p := range paths {
			if p == "*" {
				for k, v := range req.Properties {
					ss.props[k] = v
				}
				continue
			}
			setPath(ss.props, p, getPath(req.Properties, p))
		}
		return nil, nil

	case "updateCells":
		var req struct {
			Rows []struct {
				Values []map[string]any `json:"values"`
			} `json:"rows"`
			Fields string `json:"fields"`
			Start  *struct {
				SheetID     int64 `json:"sheetId"`
				RowIndex    int   `json:"rowIndex"`
				ColumnIndex int   `json:"columnIndex"`
			} `json:"start"`
			Range *gridRangeIn `json:"range"`
		}
		if e := unmarshal(raw, &req); e != nil {
			return nil, e
		}
		var sh *sheet
		var g gridRect
		if req.Range != nil {
			var e *apiError
			if sh, g, e = req.Range.resolve(ss); e != nil {
				return nil, e
			}
		} else if req.Start != nil {
			sh, _ = ss.sheetByID(req.Start.SheetID)
			if sh == nil {
				return nil, errInvalid("No grid with id: %d", req.Start.SheetID)
			}
			w := 0
			for _, row := range req.Rows {
				w = max(w, len(row.Values))
			}
			g = gridRect{req.Start.RowIndex, req.Start.ColumnIndex, req.Start.RowIndex + len(req.Rows) - 1, req.Start.ColumnIndex + max(w, 1) - 1}
			if g.r1 >= sh.rowCount || g.c1 >= sh.colCount {
				return nil, errInvalid("GridCoordinate.rowIndex[%d] is after last row in grid[%d]", g.r1, sh.id)
			}
		} else {
			return nil, errInvalid("Must specify either start or range.")
		}
		fields, e := cellFields(req.Fields)
		if e != nil {
			return nil, e
		}
		if e := s.checkProtected(ss, sh, g, caller); e != nil {
			return nil, e
		}
		// Cells the rows do not cover are cleared for the listed fields.
		for r := g.r0; r <= g.r1 && r < sh.rowCount; r++ {
			for c := g.c0; c <= g.c1 && c < sh.colCount; c++ {
				var cd map[string]any
				if i := r - g.r0; i < len(req.Rows) && c-g.c0 < len(req.Rows[i].Values) {
					cd = req.Rows[i].Values[c-g.c0]
				}
				if e := applyCellData(sh, r, c, cd, fields); e != nil {
					return nil, e
				}
				if fp := formatPaths(req.Fields); len(fp) > 0 {
					applyFormatFields(sh, r, c, cd, fp)
				}
			}
		}
		return nil, nil

	case "repeatCell":
		var req struct {
			Range  gridRangeIn    `json:"range"`
			Cell   map[string]any `json:"cell"`
			Fields string         `json:"fields"`
		}
		if e := unmarshal(raw, &req); e != nil {
			return nil, e
		}
		sh, g, e := req.Range.resolve(ss)
		if e != nil {
			return nil, e
		}
		fields, e := cellFields(req.Fields)
		if e != nil {
			return nil, e
		}
		if e := s.checkProtected(ss, sh, g, caller); e != nil {
			return nil, e
		}
		for r := g.r0; r <= g.r1; r++ {
			for c := g.c0; c <= g.c1; c++ {
				if e := applyCellData(sh, r, c, req.Cell, fields); e != nil {
					return nil, e
				}
			}
		}
		if fp := formatPaths(req.Fields); len(fp) > 0 {
			for r := g.r0; r <= g.r1; r++ {
				for c := g.c0; c <= g.c1; c++ {
					applyFormatFields(sh, r, c, req.Cell, fp)
				}
			}
		}
		return nil, nil
	}
	if reply, e, ok := s.appendCellsRequest(ss, kind, raw); ok {
		return reply, e
	}
	if reply, e, ok := s.chartRequest(ss, kind, raw); ok {
		return reply, e
	}
	if reply, e, ok := s.engineRequest(ss, kind, raw, caller); ok {
		return reply, e
	}
	return nil, errInvalid("request kind %q is not implemented by sheetstest", kind)
}

// cellFields reads an updateCells/repeatCell field mask for values and
// notes; formatPaths (engine.go) picks the format fields.
func cellFields(mask string) (map[string]bool, *apiError) {
	if mask == "" {
		return nil, errInvalid("At least one field must be specified.")
	}
	paths, e := maskPaths(mask)
	if e != nil {
		return nil, e
	}
	f := map[string]bool{}
	for _, p := range paths {
		switch {
		case p == "*":
			f["note"], f["userEnteredValue"] = true, true
		case p == "note" || p == "userEnteredValue" || strings.HasPrefix(p, "userEnteredValue."):
			f[strings.SplitN(p, ".", 2)[0]] = true
		}
	}
	return f, nil
}

func applyCellData(sh *sheet, r, c int, cd map[string]any, fields map[string]bool) *apiError {
	if fields["note"] {
		note, _ := cd["note"].(string)
		if note == "" {
			delete(sh.notes, [2]int{r, c})
		} else {
			if sh.notes == nil {
				sh.notes = map[[2]int]string{}
			}
			sh.notes[[2]int{r, c}] = note
		}
	}
	if fields["userEnteredValue"] {
		v, _ := cd["userEnteredValue"].(map[string]any)
		var cl cell
		switch {
		case v["stringValue"] != nil:
			s, _ := v["stringValue"].(string)
			if len([]rune(s)) > maxCellChars {
				return errInvalid("%s", msgCellTooLarge)
			}
			cl = cell{s: s, k: kString}
		case v["numberValue"] != nil:
			n, _ := v["numberValue"].(json.Number)
			f, err := n.Float64()
			if err != nil {
				return errInvalid("Invalid numberValue: %v", v["numberValue"])
			}
			cl = cell{s: formatFloat(f), k: kNumber}
		case v["boolValue"] != nil:
			if b, _ := v["boolValue"].(bool); b {
				cl = cell{s: "TRUE", k: kBool}
			} else {
				cl = cell{s: "FALSE", k: kBool}
			}
		case v["formulaValue"] != nil:
			s, _ := v["formulaValue"].(string)
			cl = cell{s: s, k: kFormula}
		}
		if cl.s == "" && cl.k == kString {
			cl = cell{}
		}
		sh.setCell(r, c, cl, nil)
	}
	return nil
}

// maskPaths flattens a field mask into dotted paths.
func maskPaths(mask string) ([]string, *apiError) {
	m, ok := parseMask(mask)
	if !ok {
		return nil, errInvalid("Invalid field mask: %s", mask)
	}
	var out []string
	var walk func(prefix string, n maskNode)
	walk = func(prefix string, n maskNode) {
		for k, sub := range n {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			if sub == nil {
				out = append(out, p)
			} else {
				walk(p, sub)
			}
		}
	}
	walk("", m)
	sort.Strings(out)
	return out, nil
}

func getPath(m map[string]any, path string) any {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

// setPath sets or, for proto3 default values, removes a field.
func setPath(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	last := parts[len(parts)-1]
	m[last] = quantizeColors(pruneNulls(cloneJSON(v)))
	pruneZero(m)
	if mm, ok := m[last].(map[string]any); ok && len(mm) == 0 {
		delete(m, last)
	}
}

func updateSheetProps(ss *spreadsheet, p map[string]any, fields string) *apiError {
	id, _ := toInt(p["sheetId"])
	sh, idx := ss.sheetByID(int64(id))
	if sh == nil {
		return errInvalid("No grid with id: %d", id)
	}
	paths, e := maskPaths(fields)
	if e != nil {
		return e
	}
	for _, path := range paths {
		if path == "*" {
			return errInvalid("Field mask '*' is not supported by sheetstest for updateSheetProperties")
		}
		v := getPath(p, path)
		switch path {
		case "sheetId":
		case "title":
			t, _ := v.(string)
			if t == "" {
				return errInvalid("The sheet name cannot be empty.")
			}
			if other := ss.sheetByTitle(t); other != nil && other != sh {
				return errInvalid("A sheet with the name \"%s\" already exists. Please enter another name.", t)
			}
			sh.title = t
		case "index":
			n, _ := toInt(v)
			n = max(0, min(n, len(ss.sheets)))
			// Sheets moves "before the sheet at index n" in the old order.
			if n > idx {
				n--
			}
			ss.sheets = append(ss.sheets[:idx:idx], ss.sheets[idx+1:]...)
			ss.sheets = append(ss.sheets[:n], append([]*sheet{sh}, ss.sheets[n:]...)...)
		case "gridProperties.rowCount", "gridProperties.columnCount":
			n, _ := toInt(v)
			if n < 1 {
				return errInvalid("Invalid %s: %d", path, n)
			}
			rows, cols := sh.rowCount, sh.colCount
			if path == "gridProperties.rowCount" {
				rows = n
			} else {
				cols = n
			}
			if cols > maxColumns {
				return errInvalid("Invalid columnCount: %d", cols)
			}
			if ss.cells()-sh.rowCount*sh.colCount+rows*cols > maxCells {
				return errInvalid("%s", msgTooManyCells)
			}
			if rows < sh.rowCount {
				deleteDim(sh, "ROWS", rows, sh.rowCount)
			}
			if cols < sh.colCount {
				deleteDim(sh, "COLUMNS", cols, sh.colCount)
			}
			sh.rowCount, sh.colCount = rows, cols
		default:
			setPath(sh.extra, path, v)
		}
	}
	return nil
}

func dimRange(ss *spreadsheet, d dimensionRangeIn) (*sheet, int, int, *apiError) {
	sh, _ := ss.sheetByID(d.SheetID)
	if sh == nil {
		return nil, 0, 0, errInvalid("No grid with id: %d", d.SheetID)
	}
	limit := sh.rowCount
	switch d.Dimension {
	case "ROWS":
	case "COLUMNS":
		limit = sh.colCount
	default:
		return nil, 0, 0, errInvalid("Invalid dimension: %q", d.Dimension)
	}
	a, b := 0, limit
	if d.StartIndex != nil {
		a = *d.StartIndex
	}
	if d.EndIndex != nil {
		b = *d.EndIndex
	}
	if a < 0 || b <= a {
		return nil, 0, 0, errInvalid("Invalid dimension range: start %d, end %d", a, b)
	}
	return sh, a, b, nil
}

// growGrid adds n rows or columns at the end of the grid, within limits.
func growGrid(ss *spreadsheet, sh *sheet, dim string, n int) *apiError {
	rows, cols := sh.rowCount, sh.colCount
	switch dim {
	case "ROWS":
		rows += n
	case "COLUMNS":
		cols += n
	default:
		return errInvalid("Invalid dimension: %q", dim)
	}
	if cols > maxColumns {
		return errInvalid("This action would increase the number of columns in the sheet above the limit of %d.", maxColumns)
	}
	if ss.cells()-sh.rowCount*sh.colCount+rows*cols > maxCells {
		return errInvalid("%s", msgTooManyCells)
	}
	sh.rowCount, sh.colCount = rows, cols
	return nil
}

// insertCols shifts cells at and right of column at by n. The grid has
// already grown.
func insertCols(sh *sheet, at, n int) {
	for r, row := range sh.rows {
		if len(row) <= at {
			continue
		}
		nr := make([]cell, len(row)+n)
		copy(nr, row[:at])
		copy(nr[at+n:], row[at:])
		sh.rows[r] = nr
	}
	shiftNotes(sh, func(r, c int) (int, int, bool) {
		if c >= at {
			return r, c + n, true
		}
		return r, c, true
	})
}

// deleteDim removes rows or columns [a, b) with their values and notes.
func deleteDim(sh *sheet, dim string, a, b int) {
	if dim == "ROWS" {
		b = min(b, sh.rowCount)
		if a < len(sh.rows) {
			end := min(b, len(sh.rows))
			sh.rows = append(sh.rows[:a:a], sh.rows[end:]...)
		}
		sh.rowCount -= b - a
		shiftNotes(sh, func(r, c int) (int, int, bool) {
			switch {
			case r < a:
				return r, c, true
			case r < b:
				return 0, 0, false
			}
			return r - (b - a), c, true
		})
		return
	}
	b = min(b, sh.colCount)
	for r, row := range sh.rows {
		if len(row) <= a {
			continue
		}
		end := min(b, len(row))
		nr := append(append([]cell(nil), row[:a]...), row[end:]...)
		sh.rows[r] = nr
	}
	sh.colCount -= b - a
	shiftNotes(sh, func(r, c int) (int, int, bool) {
		switch {
		case c < a:
			return r, c, true
		case c < b:
			return 0, 0, false
		}
		return r, c - (b - a), true
	})
}

// pruneNulls drops JSON nulls and the objects they leave empty: a request
// that sets {"rgbColor": null} clears the field, and Google then omits it.
func pruneNulls(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for k, x := range m {
		before := -1
		if mm, ok := x.(map[string]any); ok {
			before = len(mm)
		}
		x = pruneNulls(x)
		if mm, ok := x.(map[string]any); x == nil || ok && len(mm) == 0 && before > 0 {
			delete(m, k)
			continue
		}
		m[k] = x
	}
	return m
}

// quantizeColors stores colour channels as Google does: 8 bits per channel,
// answered as float32 (0.5 comes back as 0.49803922, as recorded), with zero
// channels omitted.
func quantizeColors(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for k, x := range m {
		switch k {
		case "red", "green", "blue":
			f, err := toFloat(x)
			if err != nil {
				continue
			}
			q := math.Floor(f*255+1e-6) / 255
			if q <= 0 {
				delete(m, k)
				continue
			}
			m[k] = json.Number(strconv.FormatFloat(float64(float32(q)), 'g', -1, 32))
		default:
			m[k] = quantizeColors(x)
		}
	}
	return m
}

func toFloat(v any) (float64, error) {
	switch t := v.(type) {
	case json.Number:
		return t.Float64()
	case float64:
		return t, nil
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

func limitOf(sh *sheet, dim string) int {
	if dim == "COLUMNS" {
		return sh.colCount
	}
	return sh.rowCount
}
