package emulator

import (
	"encoding/json"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The batchUpdate requests beyond values and tabs that the recorded sessions
// and sheetaudit's own tabs use: merges, sorts, named ranges, filters,
// dimension groups and properties, protected ranges, copy/cut paste, data
// validation, conditional formats, and cell formats. Each leaves the state
// Google shows in spreadsheets.get afterwards.

// gridRangeJSON renders a resolved GridRange as Google does: every index
// present, sheetId only when it is not 0 (proto3 default).
func gridRangeJSON(sh *sheet, g gridRect) map[string]any {
	m := map[string]any{"startRowIndex": g.r0, "endRowIndex": g.r1 + 1, "startColumnIndex": g.c0, "endColumnIndex": g.c1 + 1}
	if sh.id != 0 {
		m["sheetId"] = sh.id
	}
	return m
}

// rectOf reads a stored GridRange back.
func rectOf(m map[string]any) gridRect {
	i := func(k string) int { n, _ := toInt(m[k]); return n }
	return gridRect{i("startRowIndex"), i("startColumnIndex"), i("endRowIndex") - 1, i("endColumnIndex") - 1}
}

func overlaps(a, b gridRect) bool {
	return a.r0 <= b.r1 && b.r0 <= a.r1 && a.c0 <= b.c1 && b.c0 <= a.c1
}

func (sh *sheet) objList(key string) []any {
	l, _ := sh.objs[key].([]any)
	return l
}

func (sh *sheet) setObj(key string, v any) {
	if sh.objs == nil {
		sh.objs = map[string]any{}
	}
	if l, ok := v.([]any); (ok && len(l) == 0) || v == nil {
		delete(sh.objs, key)
		return
	}
	sh.objs[key] = v
}

// putSheetObjects adds the sheet-level objects to a Sheet's JSON.
func putSheetObjects(js map[string]any, sh *sheet) {
	for _, k := range []string{"merges", "conditionalFormats", "protectedRanges", "basicFilter", "rowGroups", "columnGroups"} {
		if v, ok := sh.objs[k]; ok {
			js[k] = cloneJSON(v)
		}
	}
}

// namedRangesJSON renders the spreadsheet's named ranges.
func namedRangesJSON(ss *spreadsheet) []any {
	out := make([]any, 0, len(ss.named))
	for _, n := range ss.named {
		out = append(out, cloneJSON(n))
	}
	return out
}

func (s *Server) newObjectID() int64 { return int64(s.rng.Int31()) }

func decodeReq[T any](raw json.RawMessage) (T, *apiError) {
	var v T
	e := unmarshal(raw, &v)
	return v, e
}

// engineRequest applies one request of the kinds in this file; ok reports
// whether kind is one of them.
func (s *Server) engineRequest(ss *spreadsheet, kind string, raw json.RawMessage, caller string) (reply any, e *apiError, ok bool) {
	switch kind {
	case "mergeCells":
		req, e := decodeReq[struct {
			Range     gridRangeIn `json:"range"`
			MergeType string      `json:"mergeType"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		sh, g, e := req.Range.resolve(ss)
		if e != nil {
			return nil, e, true
		}
		var parts []gridRect
		switch req.MergeType {
		case "", "MERGE_ALL":
			parts = []gridRect{g}
		case "MERGE_ROWS":
			for r := g.r0; r <= g.r1; r++ {
				parts = append(parts, gridRect{r, g.c0, r, g.c1})
			}
		case "MERGE_COLUMNS":
			for c := g.c0; c <= g.c1; c++ {
				parts = append(parts, gridRect{g.r0, c, g.r1, c})
			}
		default:
			return nil, errInvalid("Invalid value at 'requests.merge_cells.merge_type' (type.googleapis.com/google.apps.sheets.v4.MergeType), %q", req.MergeType), true
		}
		var kept []any
		for _, m := range sh.objList("merges") {
			if !overlaps(rectOf(m.(map[string]any)), g) {
				kept = append(kept, m)
			}
		}
		for _, p := range parts {
			if p.r0 == p.r1 && p.c0 == p.c1 {
				continue
			}
			kept = append(kept, gridRangeJSON(sh, p))
			// Only the top-left value of a merged range survives.
			for r := p.r0; r <= p.r1; r++ {
				for c := p.c0; c <= p.c1; c++ {
					if r != p.r0 || c != p.c0 {
						sh.setCell(r, c, cell{}, nil)
					}
				}
			}
		}
		sh.setObj("merges", kept)
		return nil, nil, true

	case "unmergeCells":
		req, e := decodeReq[struct {
			Range gridRangeIn `json:"range"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		sh, g, e := req.Range.resolve(ss)
		if e != nil {
			return nil, e, true
		}
		var kept []any
		for _, m := range sh.objList("merges") {
			if !overlaps(rectOf(m.(map[string]any)), g) {
				kept = append(kept, m)
			}
		}
		sh.setObj("merges", kept)
		return nil, nil, true

	case "sortRange":
		req, e := decodeReq[struct {
			Range     gridRangeIn `json:"range"`
			SortSpecs []struct {
				DimensionIndex int    `json:"dimensionIndex"`
				SortOrder      string `json:"sortOrder"`
			} `json:"sortSpecs"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		sh, g, e := req.Range.resolve(ss)
		if e != nil {
			return nil, e, true
		}
		type rowCopy struct {
			vals  []cell
			extra []map[string]any
			notes []string
		}
		rows := make([]rowCopy, g.rows())
		for i := range rows {
			r := g.r0 + i
			for c := g.c0; c <= g.c1; c++ {
				rows[i].vals = append(rows[i].vals, sh.at(r, c))
				rows[i].extra = append(rows[i].extra, sh.cellx[[2]int{r, c}])
				rows[i].notes = append(rows[i].notes, sh.notes[[2]int{r, c}])
			}
		}
		sort.SliceStable(rows, func(a, b int) bool {
			for _, spec := range req.SortSpecs {
				i := spec.DimensionIndex - g.c0
				if i < 0 || i >= len(rows[a].vals) {
					continue
				}
				x, y := rows[a].vals[i], rows[b].vals[i]
				if x.empty() != y.empty() {
					return y.empty() // empty cells sort last in either order
				}
				d := compareCells(x, y)
				if d == 0 {
					continue
				}
				if spec.SortOrder == "DESCENDING" {
					return d > 0
				}
				return d < 0
			}
			return false
		})
		for i, row := range rows {
			r := g.r0 + i
			for j, v := range row.vals {
				c := g.c0 + j
				sh.setCell(r, c, v, nil)
				setCellx(sh, r, c, row.extra[j])
				setNote(sh, r, c, row.notes[j])
			}
		}
		return nil, nil, true

	case "addNamedRange":
		req, e := decodeReq[struct {
			NamedRange struct {
				NamedRangeID string      `json:"namedRangeId"`
				Name         string      `json:"name"`
				Range        gridRangeIn `json:"range"`
			} `json:"namedRange"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		n := req.NamedRange
		if e := validRangeName(ss, n.Name, ""); e != nil {
			return nil, e, true
		}
		sh, g, e := n.Range.resolve(ss)
		if e != nil {
			return nil, e, true
		}
		id := n.NamedRangeID
		if id == "" {
			id = strconv.FormatInt(s.newObjectID(), 10)
		}
		nr := map[string]any{"namedRangeId": id, "name": n.Name, "range": gridRangeJSON(sh, g)}
		ss.named = append(ss.named, nr)
		return map[string]any{"addNamedRange": map[string]any{"namedRange": cloneJSON(nr)}}, nil, true

	case "updateNamedRange":
		req, e := decodeReq[struct {
			NamedRange struct {
				NamedRangeID string       `json:"namedRangeId"`
				Name         string       `json:"name"`
				Range        *gridRangeIn `json:"range"`
			} `json:"namedRange"`
			Fields string `json:"fields"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		nr := namedRangeByID(ss, req.NamedRange.NamedRangeID)
		if nr == nil {
			return nil, errInvalid("No named range with id %s", req.NamedRange.NamedRangeID), true
		}
		paths, e := maskPaths(req.Fields)
		if e != nil {
			return nil, e, true
		}
		for _, p := range paths {
			if p == "name" || p == "*" {
				if e := validRangeName(ss, req.NamedRange.Name, req.NamedRange.NamedRangeID); e != nil {
					return nil, e, true
				}
				nr["name"] = req.NamedRange.Name
			}
			if (p == "range" || p == "*") && req.NamedRange.Range != nil {
				sh, g, e := req.NamedRange.Range.resolve(ss)
				if e != nil {
					return nil, e, true
				}
				nr["range"] = gridRangeJSON(sh, g)
			}
		}
		return nil, nil, true

	case "deleteNamedRange":
		req, e := decodeReq[struct {
			NamedRangeID string `json:"namedRangeId"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		for i, n := range ss.named {
			if n["namedRangeId"] == req.NamedRangeID {
				ss.named = append(ss.named[:i:i], ss.named[i+1:]...)
				return nil, nil, true
			}
		}
		return nil, errInvalid("No named range with id %s", req.NamedRangeID), true

	case "setBasicFilter":
		req, e := decodeReq[struct {
			Filter map[string]any `json:"filter"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		var rg gridRangeIn
		b, _ := json.Marshal(req.Filter["range"])
		_ = json.Unmarshal(b, &rg)
		sh, g, e := rg.resolve(ss)
		if e != nil {
			return nil, e, true
		}
		f := cloneJSON(req.Filter).(map[string]any)
		f["range"] = gridRangeJSON(sh, g)
		sh.setObj("basicFilter", pruneNulls(f))
		return nil, nil, true

	case "clearBasicFilter":
		req, e := decodeReq[struct {
			SheetID int64 `json:"sheetId"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		sh, _ := ss.sheetByID(req.SheetID)
		if sh == nil {
			return nil, errInvalid("No grid with id: %d", req.SheetID), true
		}
		sh.setObj("basicFilter", nil)
		return nil, nil, true

	case "addDimensionGroup", "deleteDimensionGroup":
		req, e := decodeReq[struct {
			Range dimensionRangeIn `json:"range"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		sh, a, b, e := dimRange(ss, req.Range)
		if e != nil {
			return nil, e, true
		}
		key, control := "rowGroups", "rowGroupControlAfter"
		if req.Range.Dimension == "COLUMNS" {
			key, control = "columnGroups", "columnGroupControlAfter"
		}
		groups := sh.objList(key)
		rangeOf := func(g any) (int, int) {
			r := g.(map[string]any)["range"].(map[string]any)
			x, _ := toInt(r["startIndex"])
			y, _ := toInt(r["endIndex"])
			return x, y
		}
		if kind == "addDimensionGroup" {
			depth := 1
			for _, g := range groups {
				if x, y := rangeOf(g); x <= a && b <= y {
					depth++
				}
			}
			rj := map[string]any{"dimension": req.Range.Dimension, "startIndex": a, "endIndex": b}
			if sh.id != 0 {
				rj["sheetId"] = sh.id
			}
			groups = append(groups, map[string]any{"range": rj, "depth": depth})
			sort.SliceStable(groups, func(i, j int) bool {
				xi, _ := rangeOf(groups[i])
				xj, _ := rangeOf(groups[j])
				return xi < xj
			})
			gp, _ := sh.extra["gridProperties"].(map[string]any)
			if gp == nil {
				gp = map[string]any{}
				sh.extra["gridProperties"] = gp
			}
			gp[control] = true
		} else {
			found := -1
			for i, g := range groups {
				if x, y := rangeOf(g); x == a && y == b {
					found = i
				}
			}
			if found < 0 {
				return nil, errInvalid("No dimension group in range [%d, %d)", a, b), true
			}
			groups = append(groups[:found:found], groups[found+1:]...)
		}
		sh.setObj(key, groups)
		out := map[string]any{}
		if len(groups) > 0 {
			out["dimensionGroups"] = cloneJSON(groups)
		}
		return map[string]any{kind: out}, nil, true

	case "addProtectedRange":
		req, e := decodeReq[struct {
			ProtectedRange map[string]any `json:"protectedRange"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		p := pruneNulls(cloneJSON(req.ProtectedRange)).(map[string]any)
		var rg gridRangeIn
		b, _ := json.Marshal(p["range"])
		_ = json.Unmarshal(b, &rg)
		sh, g, e := rg.resolve(ss)
		if e != nil {
			return nil, e, true
		}
		if _, ok := p["protectedRangeId"]; !ok {
			p["protectedRangeId"] = s.newObjectID()
		}
		p["range"] = gridRangeJSON(sh, g)
		p["requestingUserCanEdit"] = true
		delete(p, "editors")
		pruneZero(p)
		reply := cloneJSON(p).(map[string]any)
		// The reply names no editors; later reads list the requested
		// editors and the requester, who keeps edit rights, as recorded.
		reply["editors"] = map[string]any{}
		p["editors"] = protectedEditors(req.ProtectedRange["editors"], caller)
		sh.setObj("protectedRanges", append(sh.objList("protectedRanges"), p))
		return map[string]any{"addProtectedRange": map[string]any{"protectedRange": reply}}, nil, true

	case "updateProtectedRange":
		req, e := decodeReq[struct {
			ProtectedRange map[string]any `json:"protectedRange"`
			Fields         string         `json:"fields"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		id, _ := toInt(req.ProtectedRange["protectedRangeId"])
		var found map[string]any
		var owner *sheet
		for _, sh := range ss.sheets {
			for _, p := range sh.objList("protectedRanges") {
				if pid, _ := toInt(p.(map[string]any)["protectedRangeId"]); pid == id {
					found, owner = p.(map[string]any), sh
				}
			}
		}
		if found == nil {
			return nil, errInvalid("No protected range with id: %d", id), true
		}
		paths, e := maskPaths(req.Fields)
		if e != nil {
			return nil, e, true
		}
		for _, path := range paths {
			switch {
			case path == "range":
				var rg gridRangeIn
				b, _ := json.Marshal(req.ProtectedRange["range"])
				_ = json.Unmarshal(b, &rg)
				sh, g, e := rg.resolve(ss)
				if e != nil {
					return nil, e, true
				}
				if sh != owner {
					return nil, errInvalid("A protected range cannot move to another sheet."), true
				}
				found["range"] = gridRangeJSON(sh, g)
			case path == "editors" || strings.HasPrefix(path, "editors."):
				found["editors"] = protectedEditors(req.ProtectedRange["editors"], caller)
			case path == "protectedRangeId" || path == "requestingUserCanEdit":
			default:
				setPath(found, path, getPath(req.ProtectedRange, path))
			}
		}
		return nil, nil, true

	case "deleteProtectedRange":
		req, e := decodeReq[struct {
			ProtectedRangeID int64 `json:"protectedRangeId"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		for _, sh := range ss.sheets {
			l := sh.objList("protectedRanges")
			for i, p := range l {
				if id, _ := toInt(p.(map[string]any)["protectedRangeId"]); int64(id) == req.ProtectedRangeID {
					sh.setObj("protectedRanges", append(l[:i:i], l[i+1:]...))
					return nil, nil, true
				}
			}
		}
		return nil, errInvalid("No protected range with id: %d", req.ProtectedRangeID), true

	case "updateDimensionProperties":
		req, e := decodeReq[struct {
			Range      dimensionRangeIn `json:"range"`
			Properties map[string]any   `json:"properties"`
			Fields     string           `json:"fields"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		sh, a, b, e := dimRange(ss, req.Range)
		if e != nil {
			return nil, e, true
		}
		paths, e := maskPaths(req.Fields)
		if e != nil {
			return nil, e, true
		}
		d := 0
		if req.Range.Dimension == "COLUMNS" {
			d = 1
		}
		if sh.dims[d] == nil {
			sh.dims[d] = map[int]map[string]any{}
		}
		for i := a; i < b; i++ {
			m := sh.dims[d][i]
			if m == nil {
				m = map[string]any{}
			}
			for _, p := range paths {
				if p == "*" {
					for k, v := range req.Properties {
						m[k] = v
					}
					continue
				}
				setPath(m, p, getPath(req.Properties, p))
			}
			pruneZero(m)
			if len(m) == 0 {
				delete(sh.dims[d], i)
			} else {
				sh.dims[d][i] = m
			}
		}
		return nil, nil, true

	case "autoResizeDimensions":
		req, e := decodeReq[struct {
			Dimensions dimensionRangeIn `json:"dimensions"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		sh, a, b, e := dimRange(ss, req.Dimensions)
		if e != nil {
			return nil, e, true
		}
		d := 0
		if req.Dimensions.Dimension == "COLUMNS" {
			d = 1
		}
		if sh.dims[d] == nil {
			sh.dims[d] = map[int]map[string]any{}
		}
		for i := a; i < b; i++ {
			size := defaultPixels[d]
			if d == 1 {
				widest := 0
				for r := range sh.rows {
					widest = max(widest, len([]rune(sh.at(r, i).formatted())))
				}
				if widest > 0 {
					size = textPixels(widest)
				}
			}
			m := sh.dims[d][i]
			if m == nil {
				m = map[string]any{}
				sh.dims[d][i] = m
			}
			m["pixelSize"] = size
		}
		return nil, nil, true

	case "copyPaste", "cutPaste":
		req, e := decodeReq[struct {
			Source      gridRangeIn `json:"source"`
			Destination json.RawMessage
			PasteType   string `json:"pasteType"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		src, g, e := req.Source.resolve(ss)
		if e != nil {
			return nil, e, true
		}
		var dst *sheet
		var d gridRect
		if kind == "copyPaste" {
			var dr gridRangeIn
			if e := unmarshal(req.Destination, &dr); e != nil {
				return nil, e, true
			}
			if dst, d, e = dr.resolve(ss); e != nil {
				return nil, e, true
			}
		} else {
			var at struct {
				SheetID     int64 `json:"sheetId"`
				RowIndex    int   `json:"rowIndex"`
				ColumnIndex int   `json:"columnIndex"`
			}
			if e := unmarshal(req.Destination, &at); e != nil {
				return nil, e, true
			}
			if dst, _ = ss.sheetByID(at.SheetID); dst == nil {
				return nil, errInvalid("No grid with id: %d", at.SheetID), true
			}
			d = gridRect{at.RowIndex, at.ColumnIndex, at.RowIndex + g.rows() - 1, at.ColumnIndex + g.cols() - 1}
		}
		// The source tiles the destination; a smaller destination gets the
		// whole source once.
		if d.rows() < g.rows() {
			d.r1 = d.r0 + g.rows() - 1
		}
		if d.cols() < g.cols() {
			d.c1 = d.c0 + g.cols() - 1
		}
		if d.r1 >= dst.rowCount || d.c1 >= dst.colCount {
			return nil, errInvalid("Range (%s!%s) exceeds grid limits. Max rows: %d, max columns: %d",
				quoteTitle(dst.title), d.a1(), dst.rowCount, dst.colCount), true
		}
		type snap struct {
			v     cell
			x     map[string]any
			note  string
			hasNt bool
		}
		grid := make([][]snap, g.rows())
		for i := range grid {
			for j := 0; j < g.cols(); j++ {
				k := [2]int{g.r0 + i, g.c0 + j}
				n, has := src.notes[k]
				grid[i] = append(grid[i], snap{src.at(k[0], k[1]), cloneMap(src.cellx[k]), n, has})
			}
		}
		values := req.PasteType != "PASTE_FORMAT" && req.PasteType != "PASTE_DATA_VALIDATION" && req.PasteType != "PASTE_CONDITIONAL_FORMATTING"
		formats := req.PasteType != "PASTE_VALUES" && req.PasteType != "PASTE_FORMULA"
		if kind == "cutPaste" {
			clearRect(src, g)
			for r := g.r0; r <= g.r1; r++ {
				for c := g.c0; c <= g.c1; c++ {
					setCellx(src, r, c, nil)
					setNote(src, r, c, "")
				}
			}
		}
		for r := d.r0; r <= d.r1; r++ {
			for c := d.c0; c <= d.c1; c++ {
				sn := grid[(r-d.r0)%g.rows()][(c-d.c0)%g.cols()]
				if values {
					dst.setCell(r, c, sn.v, nil)
				}
				if formats {
					setCellx(dst, r, c, cloneMap(sn.x))
				}
				if req.PasteType == "" || req.PasteType == "PASTE_NORMAL" {
					setNote(dst, r, c, sn.note)
				}
			}
		}
		return nil, nil, true

	case "setDataValidation":
		req, e := decodeReq[struct {
			Range gridRangeIn    `json:"range"`
			Rule  map[string]any `json:"rule"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		sh, g, e := req.Range.resolve(ss)
		if e != nil {
			return nil, e, true
		}
		for r := g.r0; r <= g.r1; r++ {
			for c := g.c0; c <= g.c1; c++ {
				x := cloneMap(sh.cellx[[2]int{r, c}])
				if req.Rule == nil {
					delete(x, "dataValidation")
				} else {
					rule := cloneJSON(req.Rule).(map[string]any)
					pruneZero(rule)
					x["dataValidation"] = rule
				}
				setCellx(sh, r, c, x)
			}
		}
		return nil, nil, true

	case "addConditionalFormatRule", "updateConditionalFormatRule", "deleteConditionalFormatRule":
		req, e := decodeReq[struct {
			Rule     map[string]any `json:"rule"`
			Index    int            `json:"index"`
			SheetID  int64          `json:"sheetId"`
			NewIndex *int           `json:"newIndex"`
		}](raw)
		if e != nil {
			return nil, e, true
		}
		sheetID := req.SheetID
		var rule map[string]any
		if req.Rule != nil {
			rule = cloneJSON(req.Rule).(map[string]any)
			ranges, _ := rule["ranges"].([]any)
			if len(ranges) == 0 {
				return nil, errInvalid("At least one range must be specified."), true
			}
			var out []any
			for i, rj := range ranges {
				var rg gridRangeIn
				b, _ := json.Marshal(rj)
				_ = json.Unmarshal(b, &rg)
				sh, g, e := rg.resolve(ss)
				if e != nil {
					return nil, e, true
				}
				if i == 0 {
					sheetID = sh.id
				} else if sh.id != sheetID {
					return nil, errInvalid("All ranges of a conditional format rule must be on the same sheet."), true
				}
				out = append(out, gridRangeJSON(sh, g))
			}
			rule["ranges"] = out
			rule = normFormats(pruneNulls(rule).(map[string]any))
		}
		sh, _ := ss.sheetByID(sheetID)
		if sh == nil {
			return nil, errInvalid("No grid with id: %d", sheetID), true
		}
		rules := sh.objList("conditionalFormats")
		switch kind {
		case "addConditionalFormatRule":
			i := max(0, min(req.Index, len(rules)))
			rules = append(rules[:i:i], append([]any{rule}, rules[i:]...)...)
			sh.setObj("conditionalFormats", rules)
			return nil, nil, true
		case "deleteConditionalFormatRule":
			if req.Index < 0 || req.Index >= len(rules) {
				return nil, errInvalid("No conditional format on sheet: %d at index: %d", sheetID, req.Index), true
			}
			old := rules[req.Index]
			sh.setObj("conditionalFormats", append(rules[:req.Index:req.Index], rules[req.Index+1:]...))
			return map[string]any{kind: map[string]any{"rule": old}}, nil, true
		default:
			if req.Index < 0 || req.Index >= len(rules) {
				return nil, errInvalid("No conditional format on sheet: %d at index: %d", sheetID, req.Index), true
			}
			old := rules[req.Index]
			nw := old
			if rule != nil {
				nw = rule
			}
			rules = append(rules[:req.Index:req.Index], rules[req.Index+1:]...)
			at := req.Index
			if req.NewIndex != nil {
				at = max(0, min(*req.NewIndex, len(rules)))
			}
			rules = append(rules[:at:at], append([]any{nw}, rules[at:]...)...)
			sh.setObj("conditionalFormats", rules)
			out := map[string]any{"oldRule": old, "oldIndex": req.Index, "newRule": nw, "newIndex": at}
			pruneZero(out)
			return map[string]any{kind: out}, nil, true
		}
	}
	return nil, nil, false
}

// defaultPixels are a new sheet's row height and column width.
var defaultPixels = [2]int{21, 100}

// textPixels estimates the width autoResizeDimensions gives a column whose
// longest text has n characters. Guess: fitted on the one recorded
// measurement (1,024 × "A" in Arial 10 gave 8691 px).
func textPixels(n int) int { return int(math.Round(float64(n)*8.4795 + 8)) }

// compareCells orders two non-empty cells as Sheets' sort does: numbers
// before text, text case-insensitively, booleans last.
func compareCells(x, y cell) int {
	rank := func(c cell) int {
		switch c.k {
		case kNumber, kNumDisp, kDate:
			return 0
		case kBool:
			return 2
		}
		return 1
	}
	if rx, ry := rank(x), rank(y); rx != ry {
		return rx - ry
	}
	if rank(x) == 0 {
		_, a := x.split()
		_, b := y.split()
		fa, _ := strconv.ParseFloat(a, 64)
		fb, _ := strconv.ParseFloat(b, 64)
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	return strings.Compare(strings.ToLower(x.formatted()), strings.ToLower(y.formatted()))
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return cloneJSON(m).(map[string]any)
}

// setCellx stores a cell's formats; an empty map removes them.
func setCellx(sh *sheet, r, c int, x map[string]any) {
	k := [2]int{r, c}
	if len(x) == 0 {
		delete(sh.cellx, k)
		return
	}
	if sh.cellx == nil {
		sh.cellx = map[[2]int]map[string]any{}
	}
	sh.cellx[k] = x
}

func setNote(sh *sheet, r, c int, note string) {
	k := [2]int{r, c}
	if note == "" {
		delete(sh.notes, k)
		return
	}
	if sh.notes == nil {
		sh.notes = map[[2]int]string{}
	}
	sh.notes[k] = note
}

func namedRangeByID(ss *spreadsheet, id string) map[string]any {
	for _, n := range ss.named {
		if n["namedRangeId"] == id {
			return n
		}
	}
	return nil
}

func validRangeName(ss *spreadsheet, name, selfID string) *apiError {
	if name == "" {
		return errInvalid("Named range name cannot be empty.")
	}
	if cellRefLike.MatchString(name) {
		return errInvalid("The name %q is not valid: it looks like a cell reference.", name)
	}
	for _, n := range ss.named {
		if other, _ := n["name"].(string); strings.EqualFold(other, name) && n["namedRangeId"] != selfID {
			return errInvalid("A named range with name %q already exists.", name)
		}
	}
	return nil
}

// namedRange resolves spec as a named range of ss, if it is one.
func namedRange(ss *spreadsheet, spec string) (*sheet, gridRect, bool) {
	for _, n := range ss.named {
		if name, _ := n["name"].(string); strings.EqualFold(name, spec) {
			rj, _ := n["range"].(map[string]any)
			id, _ := toInt(rj["sheetId"])
			sh, _ := ss.sheetByID(int64(id))
			if sh == nil {
				return nil, gridRect{}, false
			}
			return sh, rectOf(rj), true
		}
	}
	return nil, gridRect{}, false
}

// normFormats fills the colour-style twins Google answers with: a colour
// set as backgroundColor also appears as backgroundColorStyle.rgbColor, and
// the other way round, at every level of a CellFormat (textFormat included)
// or a conditional format's format.
func normFormats(v map[string]any) map[string]any {
	for k, x := range v {
		if m, ok := x.(map[string]any); ok {
			v[k] = normFormats(m)
		}
		if l, ok := x.([]any); ok {
			for i, e := range l {
				if m, ok := e.(map[string]any); ok {
					l[i] = normFormats(m)
				}
			}
		}
	}
	for _, base := range []string{"backgroundColor", "foregroundColor", "color", "tabColor"} {
		style := base + "Style"
		c, hasC := v[base].(map[string]any)
		st, hasS := v[style].(map[string]any)
		switch {
		case hasC && !hasS:
			v[style] = map[string]any{"rgbColor": cloneJSON(c)}
		case hasS && !hasC:
			if rgb, ok := st["rgbColor"].(map[string]any); ok {
				v[base] = cloneJSON(rgb)
			}
		}
	}
	return v
}

// applyFormatFields copies the format paths of a cell field mask from cd
// into the cell's stored CellData.
func applyFormatFields(sh *sheet, r, c int, cd map[string]any, paths []string) {
	x := cloneMap(sh.cellx[[2]int{r, c}])
	for _, p := range paths {
		top, _, _ := strings.Cut(p, ".")
		switch top {
		case "userEnteredFormat", "textFormatRuns", "dataValidation":
		default:
			continue
		}
		setPath(x, p, getPath(cd, p))
		if uf, ok := x["userEnteredFormat"].(map[string]any); ok {
			x["userEnteredFormat"] = normFormats(uf)
		}
	}
	if runs, ok := x["textFormatRuns"].([]any); ok {
		for i, run := range runs {
			if m, ok := run.(map[string]any); ok {
				pruneZero(m)
				if f, ok := m["format"].(map[string]any); ok {
					m["format"] = normFormats(f)
				}
				runs[i] = m
			}
		}
	}
	setCellx(sh, r, c, x)
}

// formatPaths picks from a cell mask the paths that address stored
// formats; "*" and "userEnteredFormat" take the whole field.
func formatPaths(mask string) []string {
	paths, _ := maskPaths(mask)
	var out []string
	for _, p := range paths {
		if p == "*" {
			out = append(out, "userEnteredFormat", "textFormatRuns", "dataValidation")
			continue
		}
		top, _, _ := strings.Cut(p, ".")
		if top == "userEnteredFormat" || top == "textFormatRuns" || top == "dataValidation" {
			out = append(out, p)
		}
	}
	return out
}

var cellRefLike = regexp.MustCompile(`^(?i)(\$?[a-z]{1,3}\$?[0-9]+|r[0-9]*c[0-9]*)$`)

// shiftObjects moves what is anchored to rows or columns after an insert
// (n > 0 at index at) or a delete (n < 0 of [at, at-n)): merges, the basic
// filter, protected ranges, conditional format ranges, dimension groups,
// dimension properties, and the named ranges on the sheet, as Google
// adjusts them. A range left empty by a delete is dropped.
func shiftObjects(ss *spreadsheet, sh *sheet, dim string, at, n int) {
	startKey, endKey := "startRowIndex", "endRowIndex"
	d := 0
	if dim == "COLUMNS" {
		startKey, endKey, d = "startColumnIndex", "endColumnIndex", 1
	}
	move := func(x int, isEnd bool) int {
		if n > 0 {
			if x > at || (!isEnd && x == at) {
				return x + n
			}
			return x
		}
		b := at - n
		switch {
		case x <= at:
			return x
		case x <= b:
			return at
		}
		return x + n
	}
	// adjust moves one range's bounds; ok is false when it became empty.
	adjust := func(m map[string]any, sk, ek string) bool {
		s, errS := toInt(m[sk])
		e, errE := toInt(m[ek])
		if errS != nil || errE != nil || m[ek] == nil {
			return true
		}
		s, e = move(s, false), move(e, true)
		m[sk], m[ek] = s, e
		return e > s
	}
	keep := func(l []any, get func(any) []map[string]any) []any {
		var out []any
		for _, x := range l {
			ok := true
			for _, m := range get(x) {
				ok = adjust(m, startKey, endKey) && ok
			}
			if ok {
				out = append(out, x)
			}
		}
		return out
	}
	self := func(x any) []map[string]any { return []map[string]any{x.(map[string]any)} }
	field := func(k string) func(any) []map[string]any {
		return func(x any) []map[string]any {
			r, _ := x.(map[string]any)[k].(map[string]any)
			if r == nil {
				return nil
			}
			return []map[string]any{r}
		}
	}
	sh.setObj("merges", keep(sh.objList("merges"), self))
	sh.setObj("protectedRanges", keep(sh.objList("protectedRanges"), field("range")))
	sh.setObj("conditionalFormats", keep(sh.objList("conditionalFormats"), func(x any) []map[string]any {
		var out []map[string]any
		for _, r := range x.(map[string]any)["ranges"].([]any) {
			out = append(out, r.(map[string]any))
		}
		return out
	}))
	if f, ok := sh.objs["basicFilter"].(map[string]any); ok {
		if l := keep([]any{f}, field("range")); len(l) == 0 {
			sh.setObj("basicFilter", nil)
		}
	}
	groupKey := "rowGroups"
	if d == 1 {
		groupKey = "columnGroups"
	}
	var groups []any
	for _, g := range sh.objList(groupKey) {
		if adjust(g.(map[string]any)["range"].(map[string]any), "startIndex", "endIndex") {
			groups = append(groups, g)
		}
	}
	sh.setObj(groupKey, groups)
	if len(sh.dims[d]) > 0 {
		m := map[int]map[string]any{}
		for k, v := range sh.dims[d] {
			switch {
			case n > 0 && k >= at:
				m[k+n] = v
			case n < 0 && k >= at && k < at-n:
			case n < 0 && k >= at-n:
				m[k+n] = v
			default:
				m[k] = v
			}
		}
		sh.dims[d] = m
	}
	if ss == nil {
		return
	}
	var named []map[string]any
	for _, nr := range ss.named {
		rj, _ := nr["range"].(map[string]any)
		id, _ := toInt(rj["sheetId"])
		if int64(id) != sh.id || adjust(rj, startKey, endKey) {
			named = append(named, nr)
		}
	}
	ss.named = named
}

// protectedEditors is a protected range's editors: those requested plus
// the requester, who always keeps edit rights.
func protectedEditors(v any, caller string) map[string]any {
	out := map[string]any{}
	in, _ := v.(map[string]any)
	seen := map[string]bool{}
	var users []any
	add := func(u string) {
		if u != "" && !seen[strings.ToLower(u)] {
			seen[strings.ToLower(u)] = true
			users = append(users, u)
		}
	}
	for _, u := range asList(in["users"]) {
		s, _ := u.(string)
		add(s)
	}
	add(accountEmail(caller))
	if len(users) > 0 {
		out["users"] = users
	}
	if g := asList(in["groups"]); len(g) > 0 {
		out["groups"] = g
	}
	if d, _ := in["domainUsersCanEdit"].(bool); d {
		out["domainUsersCanEdit"] = true
	}
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
