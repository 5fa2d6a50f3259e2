package emulator

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// defaultProperties are a new spreadsheet's SpreadsheetProperties, copied from
// a response recorded against the live API (testdata/SOURCES.md), so that
// clients comparing whole responses see what Google sends.
const defaultProperties = `{"locale":"en_US","autoRecalc":"ON_CHANGE","timeZone":"Etc/GMT","defaultFormat":{"backgroundColor":{"red":1,"green":1,"blue":1},"padding":{"top":2,"right":3,"bottom":2,"left":3},"verticalAlignment":"BOTTOM","wrapStrategy":"OVERFLOW_CELL","textFormat":{"foregroundColor":{},"fontFamily":"arial,sans,sans-serif","fontSize":10,"bold":false,"italic":false,"strikethrough":false,"underline":false,"foregroundColorStyle":{"rgbColor":{}}},"backgroundColorStyle":{"rgbColor":{"red":1,"green":1,"blue":1}}},"spreadsheetTheme":{"primaryFontFamily":"Arial","themeColors":[{"colorType":"TEXT","color":{"rgbColor":{}}},{"colorType":"BACKGROUND","color":{"rgbColor":{"red":1,"green":1,"blue":1}}},{"colorType":"ACCENT1","color":{"rgbColor":{"red":0.25882354,"green":0.52156866,"blue":0.95686275}}},{"colorType":"ACCENT2","color":{"rgbColor":{"red":0.91764706,"green":0.2627451,"blue":0.20784314}}},{"colorType":"ACCENT3","color":{"rgbColor":{"red":0.9843137,"green":0.7372549,"blue":0.015686275}}},{"colorType":"ACCENT4","color":{"rgbColor":{"red":0.20392157,"green":0.65882355,"blue":0.3254902}}},{"colorType":"ACCENT5","color":{"rgbColor":{"red":1,"green":0.42745098,"blue":0.003921569}}},{"colorType":"ACCENT6","color":{"rgbColor":{"red":0.27450982,"green":0.7411765,"blue":0.7764706}}},{"colorType":"LINK","color":{"rgbColor":{"red":0.06666667,"green":0.33333334,"blue":0.8}}}]}}`

func newSpreadsheet(id, title string) *spreadsheet {
	var props map[string]any
	dec := json.NewDecoder(strings.NewReader(defaultProperties))
	dec.UseNumber()
	_ = dec.Decode(&props)
	props["title"] = title
	return &spreadsheet{id: id, props: props}
}

// sheetJSON renders a sheet's SheetProperties.
func sheetJSON(sh *sheet, index int) map[string]any {
	p := cloneJSON(sh.extra).(map[string]any)
	p["sheetId"] = sh.id
	p["title"] = sh.title
	if index > 0 {
		p["index"] = index
	} else {
		p["index"] = 0
	}
	p["sheetType"] = "GRID"
	gp, _ := p["gridProperties"].(map[string]any)
	if gp == nil {
		gp = map[string]any{}
	}
	gp["rowCount"] = sh.rowCount
	gp["columnCount"] = sh.colCount
	p["gridProperties"] = gp
	return p
}

// spreadsheetJSON renders the Spreadsheet resource without grid data.
func spreadsheetJSON(ss *spreadsheet) map[string]any {
	sheets := make([]any, len(ss.sheets))
	for i, sh := range ss.sheets {
		js := map[string]any{"properties": sheetJSON(sh, i)}
		putChartsJSON(js, sh)
		putSheetObjects(js, sh)
		sheets[i] = js
	}
	out := map[string]any{
		"spreadsheetId":  ss.id,
		"properties":     cloneJSON(ss.props),
		"sheets":         sheets,
		"spreadsheetUrl": "https://docs.google.com/spreadsheets/d/" + ss.id + "/edit",
	}
	if len(ss.named) > 0 {
		out["namedRanges"] = namedRangesJSON(ss)
	}
	return out
}

// cellValueJSON is an ExtendedValue for a stored cell.
func cellValueJSON(c cell, effective bool) map[string]any {
	k, v := cellValue(c, effective)
	if k == "" {
		return nil
	}
	return map[string]any{k: v}
}

// cellValue is the one field of a stored cell's ExtendedValue and its
// value (a string, json.Number or bool); "" for an empty cell.
func cellValue(c cell, effective bool) (string, any) {
	switch c.k {
	case kString:
		return "stringValue", c.s
	case kNumber:
		return "numberValue", json.Number(c.s)
	case kNumDisp, kDate:
		_, n := c.split()
		return "numberValue", json.Number(n)
	case kBool:
		return "boolValue", c.s == "TRUE"
	case kFormula:
		if !effective {
			return "formulaValue", c.s
		}
		if v, ok := evalArith(c.s[1:]); ok {
			return "numberValue", json.Number(formatFloat(v))
		}
		return "stringValue", c.s
	}
	return "", nil
}

// cellDataJSON renders the CellData of one cell: {} for a cell with
// nothing in it.
func cellDataJSON(sh *sheet, r, c int) map[string]any {
	cd := map[string]any{}
	if cl := sh.view(r, c, sh.at(r, c)); !cl.empty() {
		cd["userEnteredValue"] = cellValueJSON(cl, false)
		cd["effectiveValue"] = cellValueJSON(cl, true)
		cd["formattedValue"] = cl.formatted()
	}
	if n, ok := sh.notes[[2]int{r, c}]; ok {
		cd["note"] = n
	}
	for k, v := range sh.cellx[[2]int{r, c}] {
		cd[k] = cloneJSON(v)
	}
	return cd
}

// gridExtent returns the last row index holding a value, note or cell
// property, and the last column holding a note or cell property (-1 when
// none); a row's values set its own width.
func gridExtent(sh *sheet) (lastR, noteC int) {
	lastR, noteC = len(sh.rows)-1, -1
	for k := range sh.notes {
		lastR, noteC = max(lastR, k[0]), max(noteC, k[1])
	}
	for k := range sh.cellx {
		lastR, noteC = max(lastR, k[0]), max(noteC, k[1])
	}
	return lastR, noteC
}

// gridDataJSON renders GridData for g (SHEETS-API.md §4): values, notes,
// and the stored userEnteredFormat, textFormatRuns and dataValidation.
// Guess: effectiveFormat is not computed and so is absent.
func gridDataJSON(sh *sheet, g gridRect) map[string]any {
	d := map[string]any{}
	if g.r0 > 0 {
		d["startRow"] = g.r0
	}
	if g.c0 > 0 {
		d["startColumn"] = g.c0
	}
	lastR, noteC := gridExtent(sh)
	var rows []any
	lastRow := -1
	for r := g.r0; r <= min(g.r1, lastR); r++ {
		width := noteC
		if r < len(sh.rows) {
			width = max(width, len(sh.rows[r])-1)
		}
		var vals []any
		last := -1
		for c := g.c0; c <= min(g.c1, width); c++ {
			cd := cellDataJSON(sh, r, c)
			if len(cd) > 0 {
				last = c
			}
			vals = append(vals, cd)
		}
		row := map[string]any{}
		if last >= 0 {
			row["values"] = vals[:last-g.c0+1]
			lastRow = r
		}
		rows = append(rows, row)
	}
	if lastRow >= 0 {
		d["rowData"] = rows[:lastRow-g.r0+1]
	}
	dimMeta := func(d, i int) map[string]any {
		m := map[string]any{"pixelSize": defaultPixels[d]}
		for k, v := range sh.dims[d][i] {
			m[k] = cloneJSON(v)
		}
		return m
	}
	rm := make([]any, g.rows())
	for i := range rm {
		rm[i] = dimMeta(0, g.r0+i)
	}
	cm := make([]any, g.cols())
	for i := range cm {
		cm[i] = dimMeta(1, g.c0+i)
	}
	d["rowMetadata"], d["columnMetadata"] = rm, cm
	return d
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) *apiError {
	var body struct {
		SpreadsheetID string `json:"spreadsheetId"`
		Properties    struct {
			Title string `json:"title"`
		} `json:"properties"`
		Sheets []struct {
			Properties map[string]any `json:"properties"`
		} `json:"sheets"`
	}
	if e := decodeBody(r, &body); e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := body.SpreadsheetID
	if id == "" || s.books[id] != nil {
		id = s.newSpreadsheetID()
	}
	title := body.Properties.Title
	if title == "" {
		title = "Untitled spreadsheet"
	}
	ss := newSpreadsheet(id, title)
	if len(body.Sheets) == 0 {
		ss.sheets = []*sheet{newSheet(0, "Sheet1", defaultRows, defaultCols)}
	}
	for i, in := range body.Sheets {
		if _, e := s.addSheet(ss, in.Properties, i == 0); e != nil {
			return prefixed(fmt.Sprintf("sheets[%d]", i), e)
		}
	}
	s.books[id] = ss
	s.created(id, accountOf(r), "spreadsheets.create")
	writeJSON(w, 200, spreadsheetJSON(ss))
	return nil
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, id string) *apiError {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, e := s.book(id)
	if e != nil {
		return e
	}
	var mask maskNode
	if f := q.Get("fields"); f != "" {
		m, ok := parseMask(f)
		if !ok {
			return errInvalid("Invalid field selection %s", f)
		}
		if bad := m.unknown(spreadsheetSchema); bad != "" {
			e := errInvalid("Request contains an invalid argument.")
			e.details = []any{map[string]any{
				"@type": "type.googleapis.com/google.rpc.BadRequest",
				"fieldViolations": []any{map[string]any{
					"field":       "fields",
					"description": fmt.Sprintf("Error expanding 'fields' parameter. Cannot find matching fields for path '%s'.", bad),
				}},
			}}
			return e
		}
		mask = m
	}
	withData, _ := parseBool(q.Get("includeGridData"))
	if mask != nil {
		// With a mask, includeGridData is ignored and the mask decides.
		withData = mask.reaches("sheets", "data")
	}
	out := spreadsheetJSON(ss)
	// ranges filter the sheets and, with grid data, pick the blocks.
	blocks := map[*sheet][]gridRect{}
	var order []*sheet
	for _, spec := range q["ranges"] {
		rv, e := resolve(ss, spec, true)
		if e != nil {
			return e
		}
		if _, seen := blocks[rv.sh]; !seen {
			order = append(order, rv.sh)
		}
		blocks[rv.sh] = append(blocks[rv.sh], rv.rect)
	}
	if len(q["ranges"]) > 0 {
		sort.SliceStable(order, func(i, j int) bool { return indexOf(ss, order[i]) < indexOf(ss, order[j]) })
	} else {
		order = ss.sheets
	}
	if cm, ok := cellsOnly(mask); ok {
		// The answer is the grid's cells alone: streamed row by row, as
		// a large tab read this way would not fit a built tree.
		bw := startJSON(w)
		_, _ = bw.WriteString(`{"sheets":[`)
		for i, sh := range order {
			if i > 0 {
				_ = bw.WriteByte(',')
			}
			_, _ = bw.WriteString(`{"data":[`)
			rects := blocks[sh]
			if len(rects) == 0 {
				rects = []gridRect{{0, 0, sh.rowCount - 1, sh.colCount - 1}}
			}
			for j, g := range rects {
				if j > 0 {
					_ = bw.WriteByte(',')
				}
				writeGridCells(bw, sh, g, cm)
			}
			_, _ = bw.WriteString(`]}`)
		}
		_, _ = bw.WriteString(`]}`)
		return flush(bw)
	}
	sheets := make([]any, 0, len(order))
	for _, sh := range order {
		idx := indexOf(ss, sh)
		js := map[string]any{"properties": sheetJSON(sh, idx)}
		putChartsJSON(js, sh)
		putSheetObjects(js, sh)
		if withData {
			rects := blocks[sh]
			if len(rects) == 0 {
				rects = []gridRect{{0, 0, sh.rowCount - 1, sh.colCount - 1}}
			}
			var data []any
			for _, g := range rects {
				data = append(data, gridDataJSON(sh, g))
			}
			js["data"] = data
		}
		sheets = append(sheets, js)
	}
	out["sheets"] = sheets
	var v any = out
	if mask != nil {
		v = mask.apply(out)
		trimMaskedGrid(v)
	}
	writeJSON(w, 200, v)
	return nil
}

// cellsOnly returns the selection within each cell when the mask selects
// nothing but the cells of the grid data (sheets.data.rowData.values(…)), as
// gspread's notes reads and sheets' one-request value read do.
func cellsOnly(m maskNode) (maskNode, bool) {
	n := m
	for _, p := range []string{"sheets", "data", "rowData", "values"} {
		child, ok := n[p]
		if len(n) != 1 || !ok || child == nil {
			return nil, false
		}
		n = child
	}
	return n, true
}

// writeGridCells streams the GridData of g under a mask selecting cm
// within each cell: what gridDataJSON, the mask and trimMaskedGrid make of
// it, without building it. A row's cells are buffered to trim its trailing
// empty ones; empty rows are counted until a row with a value shows they
// are not trailing.
func writeGridCells(w *bufio.Writer, sh *sheet, g gridRect, cm maskNode) {
	lastR, noteC := gridExtent(sh)
	_ = w.WriteByte('{')
	started, empty := false, 0
	var row []byte // the row's cells, comma-separated
	for r := g.r0; r <= min(g.r1, lastR); r++ {
		width := noteC
		if r < len(sh.rows) {
			width = max(width, len(sh.rows[r])-1)
		}
		row = row[:0]
		end := 0 // of the last cell that is not {}
		for c := g.c0; c <= min(g.c1, width); c++ {
			if c > g.c0 {
				row = append(row, ',')
			}
			start := len(row)
			var ok bool
			if row, ok = appendPlainCell(row, sh, r, c, cm); !ok {
				row = append(row[:start], "{}"...)
				if cd := cellDataJSON(sh, r, c); len(cd) > 0 {
					if m, _ := cm.apply(cd).(map[string]any); len(m) > 0 {
						b, _ := json.Marshal(m)
						row = append(row[:start], b...)
					}
				}
			}
			if len(row)-start > 2 {
				end = len(row)
			}
		}
		if end == 0 {
			empty++
			continue
		}
		if started {
			_ = w.WriteByte(',')
		} else {
			_, _ = w.WriteString(`"rowData":[`)
			started = true
		}
		for ; empty > 0; empty-- {
			_, _ = w.WriteString(`{},`)
		}
		_, _ = w.WriteString(`{"values":[`)
		_, _ = w.Write(row[:end])
		_, _ = w.WriteString(`]}`)
	}
	if started {
		_ = w.WriteByte(']')
	}
	_ = w.WriteByte('}')
}

// plainCellFields are the CellData fields appendPlainCell writes, in the
// order encoding/json writes a map's keys.
var plainCellFields = []string{"effectiveValue", "formattedValue", "note", "userEnteredValue"}

// appendPlainCell appends the CellData of a cell without stored cell
// properties under the mask cm, as cellDataJSON, the mask and
// encoding/json would, without their maps: a large grid read costs one
// pass. ok is false when the cell has properties or the mask selects
// something else; the caller then takes the general path.
func appendPlainCell(b []byte, sh *sheet, r, c int, cm maskNode) ([]byte, bool) {
	if _, ok := sh.cellx[[2]int{r, c}]; ok {
		return b, false
	}
	for k := range cm {
		if !slices.Contains(plainCellFields, k) {
			return b, false
		}
	}
	cl := sh.at(r, c)
	note, hasNote := sh.notes[[2]int{r, c}]
	b = append(b, '{')
	n := 0
	field := func(name string) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendJSONString(b, name)
		b = append(b, ':')
	}
	for _, k := range plainCellFields {
		sub, selected := cm[k]
		if !selected {
			continue
		}
		switch k {
		case "effectiveValue", "userEnteredValue":
			if cl.empty() {
				continue
			}
			field(k)
			b = appendExtendedValue(b, cl, k == "effectiveValue", sub)
		case "formattedValue":
			if cl.empty() {
				continue
			}
			field(k)
			b = appendJSONString(b, cl.formatted())
		case "note":
			if !hasNote {
				continue
			}
			field(k)
			b = appendJSONString(b, note)
		}
	}
	return append(b, '}'), true
}

// appendExtendedValue writes the ExtendedValue of a non-empty cell
// (cellValue) under the mask sub, nil selecting it whole.
func appendExtendedValue(b []byte, cl cell, effective bool, sub maskNode) []byte {
	b = append(b, '{')
	k, x := cellValue(cl, effective)
	if _, ok := sub[k]; sub == nil || ok {
		b = appendJSONString(b, k)
		b = append(b, ':')
		switch x := x.(type) {
		case string:
			b = appendJSONString(b, x)
		case json.Number:
			b = append(b, x...)
		case bool:
			b = strconv.AppendBool(b, x)
		}
	}
	return append(b, '}')
}

func indexOf(ss *spreadsheet, sh *sheet) int {
	for i, x := range ss.sheets {
		if x == sh {
			return i
		}
	}
	return -1
}

// trimMaskedGrid re-applies the trimming rules after a mask removed fields:
// a cell left empty is {}, trailing empty cells and rows vanish, and an empty
// rowData disappears (as the recorded notes requests show).
func trimMaskedGrid(v any) {
	top, _ := v.(map[string]any)
	sheets, _ := top["sheets"].([]any)
	for _, s := range sheets {
		sm, _ := s.(map[string]any)
		data, _ := sm["data"].([]any)
		for _, d := range data {
			dm, _ := d.(map[string]any)
			rows, ok := dm["rowData"].([]any)
			if !ok {
				continue
			}
			for _, r := range rows {
				rm, _ := r.(map[string]any)
				vals, _ := rm["values"].([]any)
				n := len(vals)
				for n > 0 && isEmptyObj(vals[n-1]) {
					n--
				}
				if n == 0 {
					delete(rm, "values")
				} else {
					rm["values"] = vals[:n]
				}
			}
			n := len(rows)
			for n > 0 && isEmptyObj(rows[n-1]) {
				n--
			}
			if n == 0 {
				delete(dm, "rowData")
			} else {
				dm["rowData"] = rows[:n]
			}
		}
	}
}

func isEmptyObj(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 0
}

// addSheet adds a sheet described by SheetProperties JSON. first marks the
// first sheet of a new spreadsheet, which gets sheetId 0.
func (s *Server) addSheet(ss *spreadsheet, p map[string]any, first bool) (*sheet, *apiError) {
	title, _ := p["title"].(string)
	if title == "" {
		for n := len(ss.sheets) + 1; ; n++ {
			t := "Sheet" + strconv.Itoa(n)
			if ss.sheetByTitle(t) == nil {
				title = t
				break
			}
		}
	}
	if ss.sheetByTitle(title) != nil {
		return nil, errInvalid("A sheet with the name \"%s\" already exists. Please enter another name.", title)
	}
	var id int64
	if v, ok := p["sheetId"]; ok {
		n, err := toInt(v)
		if err != nil || n < 0 {
			return nil, errInvalid("Invalid sheetId: %v", v)
		}
		id = int64(n)
		if sh, _ := ss.sheetByID(id); sh != nil {
			return nil, errInvalid("A sheet with id %d already exists.", id)
		}
	} else if first && len(ss.sheets) == 0 {
		id = 0
	} else {
		id = s.newSheetID(ss)
	}
	rows, cols := defaultRows, defaultCols
	extra := cloneJSON(p).(map[string]any)
	for _, k := range []string{"sheetId", "title", "index", "sheetType"} {
		delete(extra, k)
	}
	if gp, ok := extra["gridProperties"].(map[string]any); ok {
		if v, ok := gp["rowCount"]; ok {
			rows, _ = toInt(v)
		}
		if v, ok := gp["columnCount"]; ok {
			cols, _ = toInt(v)
		}
		delete(gp, "rowCount")
		delete(gp, "columnCount")
		pruneZero(gp)
		if len(gp) == 0 {
			delete(extra, "gridProperties")
		}
	}
	pruneZero(extra)
	if rows < 1 || cols < 1 || cols > maxColumns {
		return nil, errInvalid("Invalid grid size: %d rows, %d columns", rows, cols)
	}
	if ss.cells()+rows*cols > maxCells {
		return nil, errInvalid("%s", msgTooManyCells)
	}
	sh := newSheet(id, title, rows, cols)
	sh.extra = extra
	idx := len(ss.sheets)
	if v, ok := p["index"]; ok {
		n, _ := toInt(v)
		idx = max(0, min(n, len(ss.sheets)))
	}
	ss.sheets = append(ss.sheets, nil)
	copy(ss.sheets[idx+1:], ss.sheets[idx:])
	ss.sheets[idx] = sh
	return sh, nil
}

func toInt(v any) (int, error) {
	switch t := v.(type) {
	case json.Number:
		n, err := t.Int64()
		return int(n), err
	case float64:
		return int(t), nil
	case int:
		return t, nil
	case int64:
		return int(t), nil
	case string:
		return strconv.Atoi(t)
	case nil:
		return 0, nil
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

// pruneZero drops proto3 default values, which Google never sends back.
func pruneZero(m map[string]any) {
	for k, v := range m {
		switch t := v.(type) {
		case bool:
			if !t {
				delete(m, k)
			}
		case string:
			if t == "" {
				delete(m, k)
			}
		case json.Number:
			if f, err := t.Float64(); err == nil && f == 0 {
				delete(m, k)
			}
		case nil:
			delete(m, k)
		}
	}
}
