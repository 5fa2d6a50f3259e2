package emulator

import "encoding/json"

// appendCellsRequest answers an appendCells request of a batchUpdate, as
// Sheets does: the rows go after the last row of the sheet that holds
// data, and rows are added to the grid when it is too short. Rows wider
// than the grid are refused (sheetaudit widens the grid first, in the same
// batch). It reports whether kind was appendCells.
func (s *Server) appendCellsRequest(ss *spreadsheet, kind string, raw json.RawMessage) (any, *apiError, bool) {
	if kind != "appendCells" {
		return nil, nil, false
	}
	var req struct {
		SheetID int64 `json:"sheetId"`
		Rows    []struct {
			Values []map[string]any `json:"values"`
		} `json:"rows"`
		Fields string `json:"fields"`
	}
	if e := unmarshal(raw, &req); e != nil {
		return nil, e, true
	}
	sh, _ := ss.sheetByID(req.SheetID)
	if sh == nil {
		return nil, errInvalid("No grid with id: %d", req.SheetID), true
	}
	fields, e := cellFields(req.Fields)
	if e != nil {
		return nil, e, true
	}
	formats := formatPaths(req.Fields)
	start := sh.extent()
	for i, row := range req.Rows {
		if len(row.Values) > sh.colCount {
			return nil, errInvalid("Range (%s!%s) exceeds grid limits. Max rows: %d, max columns: %d", quoteTitle(sh.title),
				gridRect{start + i, 0, start + i, len(row.Values) - 1}.a1(), sh.rowCount, sh.colCount), true
		}
	}
	if need := start + len(req.Rows) - sh.rowCount; need > 0 {
		if e := growGrid(ss, sh, "ROWS", need); e != nil {
			return nil, e, true
		}
	}
	for i, row := range req.Rows {
		for c, cd := range row.Values {
			if e := applyCellData(sh, start+i, c, cd, fields); e != nil {
				return nil, e, true
			}
			if len(formats) > 0 {
				applyFormatFields(sh, start+i, c, cd, formats)
			}
		}
	}
	return nil, nil, true
}
