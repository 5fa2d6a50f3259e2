package emulator

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Embedded charts (SHEETS-API.md §5 addChart). The emulator stores a chart as
// the EmbeddedChart JSON it was given, with its chartId, on the sheet its
// overlay is anchored to, and answers it in spreadsheets.get under
// sheets[].charts. Only basic charts (BasicChartSpec) drawn from sourceRange
// data are modelled; chart positions do not move when rows or columns are
// inserted or deleted, and charts are not rendered.
//
// Guesses, where no live answer was recorded: the error texts for an unknown
// or duplicate object id, a missing position, an anchor outside the grid,
// and a source range that is not one row or one column wide.

// basicChartTypes are BasicChartSpec.chartType values (discovery enum,
// without BASIC_CHART_TYPE_UNSPECIFIED).
var basicChartTypes = map[string]bool{
	"BAR": true, "LINE": true, "AREA": true, "COLUMN": true, "SCATTER": true, "COMBO": true, "STEPPED_AREA": true,
}

var legendPositions = map[string]bool{
	"BASIC_CHART_LEGEND_POSITION_UNSPECIFIED": true, "BOTTOM_LEGEND": true, "LEFT_LEGEND": true,
	"RIGHT_LEGEND": true, "TOP_LEGEND": true, "NO_LEGEND": true,
}

// chartRequest applies the chart kinds of batchUpdate; ok is false for any
// other kind.
func (s *Server) chartRequest(ss *spreadsheet, kind string, raw json.RawMessage) (reply any, e *apiError, ok bool) {
	switch kind {
	case "addChart":
		reply, e = s.addChart(ss, raw)
	case "deleteEmbeddedObject":
		e = deleteEmbeddedObject(ss, raw)
	case "updateChartSpec":
		e = updateChartSpec(ss, raw)
	default:
		return nil, nil, false
	}
	return reply, e, true
}

func (s *Server) addChart(ss *spreadsheet, raw json.RawMessage) (any, *apiError) {
	var req struct {
		Chart map[string]any `json:"chart"`
	}
	if e := unmarshal(raw, &req); e != nil {
		return nil, e
	}
	if req.Chart == nil {
		return nil, errInvalid("chart must be specified")
	}
	chart := pruneNulls(cloneJSON(req.Chart)).(map[string]any)
	var id int64
	if v, ok := chart["chartId"]; ok {
		n, err := toInt(v)
		if err != nil || n < 0 {
			return nil, errInvalid("Invalid chartId: %v", v)
		}
		id = int64(n)
		if sh, _ := findChart(ss, id); sh != nil {
			return nil, errInvalid("An embedded object with id %d already exists.", id) // Guess
		}
	} else {
		for {
			id = int64(s.rng.Int31())
			if sh, _ := findChart(ss, id); id > 0 && sh == nil {
				break
			}
		}
	}
	pos, _ := chart["position"].(map[string]any)
	if pos == nil {
		return nil, errInvalid("The chart's position must be specified.") // Guess
	}
	if nb, _ := pos["newSheet"].(bool); nb {
		return nil, errInvalid("position.newSheet is not implemented by sheetstest")
	}
	if _, ok := pos["sheetId"]; ok {
		return nil, errInvalid("position.sheetId (a chart on its own sheet) is not implemented by sheetstest")
	}
	ov, _ := pos["overlayPosition"].(map[string]any)
	anchor, _ := ov["anchorCell"].(map[string]any)
	if anchor == nil {
		return nil, errInvalid("The chart's position must be specified.") // Guess
	}
	home, e := anchorSheet(ss, anchor)
	if e != nil {
		return nil, e
	}
	for _, k := range []string{"widthPixels", "heightPixels", "offsetXPixels", "offsetYPixels"} {
		if n, err := toInt(ov[k]); err != nil || n < 0 {
			return nil, errInvalid("Invalid overlayPosition.%s: %v", k, ov[k])
		}
	}
	spec, _ := chart["spec"].(map[string]any)
	if e := checkChartSpec(ss, spec); e != nil {
		return nil, e
	}
	chart["chartId"] = json.Number(strconv.FormatInt(id, 10))
	home.charts = append(home.charts, chart)
	return map[string]any{"addChart": map[string]any{"chart": cloneJSON(chart)}}, nil
}

func deleteEmbeddedObject(ss *spreadsheet, raw json.RawMessage) *apiError {
	var req struct {
		ObjectID *int64 `json:"objectId"`
	}
	if e := unmarshal(raw, &req); e != nil {
		return e
	}
	var id int64
	if req.ObjectID != nil {
		id = *req.ObjectID
	}
	sh, i := findChart(ss, id)
	if sh == nil {
		return errInvalid("No embedded object with id: %d", id) // Guess
	}
	sh.charts = append(sh.charts[:i:i], sh.charts[i+1:]...)
	return nil
}

func updateChartSpec(ss *spreadsheet, raw json.RawMessage) *apiError {
	var req struct {
		ChartID *int64         `json:"chartId"`
		Spec    map[string]any `json:"spec"`
	}
	if e := unmarshal(raw, &req); e != nil {
		return e
	}
	var id int64
	if req.ChartID != nil {
		id = *req.ChartID
	}
	sh, i := findChart(ss, id)
	if sh == nil {
		return errInvalid("No chart with id: %d", id) // Guess
	}
	spec := pruneNulls(cloneJSON(req.Spec))
	sm, _ := spec.(map[string]any)
	if e := checkChartSpec(ss, sm); e != nil {
		return e
	}
	sh.charts[i]["spec"] = sm
	return nil
}

// anchorSheet resolves overlayPosition.anchorCell to its sheet and checks the
// cell lies on the grid.
func anchorSheet(ss *spreadsheet, anchor map[string]any) (*sheet, *apiError) {
	sid, err := toInt(anchor["sheetId"])
	if err != nil {
		return nil, errInvalid("Invalid anchorCell.sheetId: %v", anchor["sheetId"])
	}
	sh, _ := ss.sheetByID(int64(sid))
	if sh == nil {
		return nil, errInvalid("No grid with id: %d", sid)
	}
	r, err1 := toInt(anchor["rowIndex"])
	c, err2 := toInt(anchor["columnIndex"])
	if err1 != nil || err2 != nil || r < 0 || c < 0 {
		return nil, errInvalid("GridCoordinate indexes must be >= 0")
	}
	if r >= sh.rowCount || c >= sh.colCount {
		return nil, errInvalid("GridCoordinate (row %d, column %d) is outside the grid of sheet %d", r, c, sid) // Guess
	}
	return sh, nil
}

// checkChartSpec validates a ChartSpec the way the discovery document
// describes BasicChartSpec: known enums, a single domain, the minor axis
// that suits the chart type, and source ranges one row or one column wide,
// as many for the domain as for every series.
func checkChartSpec(ss *spreadsheet, spec map[string]any) *apiError {
	if spec == nil {
		return errInvalid("spec must be specified")
	}
	basic, _ := spec["basicChart"].(map[string]any)
	if basic == nil {
		for k := range spec {
			if strings.HasSuffix(k, "Chart") {
				return errInvalid("spec.%s is not implemented by sheetstest (only basicChart)", k)
			}
		}
		return errInvalid("The chart spec must have one chart type set.") // Guess
	}
	typ, _ := basic["chartType"].(string)
	if !basicChartTypes[typ] {
		return errInvalid("Invalid value at 'basicChart.chartType' (TYPE_ENUM), %q", typ)
	}
	if lp, ok := basic["legendPosition"].(string); ok && !legendPositions[lp] {
		return errInvalid("Invalid value at 'basicChart.legendPosition' (TYPE_ENUM), %q", lp)
	}
	if v, ok := basic["headerCount"]; ok {
		if n, err := toInt(v); err != nil || n < 0 {
			return errInvalid("Invalid headerCount: %v", v)
		}
	}
	domains, _ := basic["domains"].([]any)
	if len(domains) > 1 {
		return errInvalid("Only a single domain is supported.")
	}
	sources := -1
	same := func(n int) *apiError {
		if sources >= 0 && n != sources {
			return errInvalid("The domain and all series must have the same number of source ranges.")
		}
		sources = n
		return nil
	}
	for _, d := range domains {
		dm, _ := d.(map[string]any)
		data, _ := dm["domain"].(map[string]any)
		n, e := checkChartData(ss, data)
		if e != nil {
			return e
		}
		if e := same(n); e != nil {
			return e
		}
	}
	series, _ := basic["series"].([]any)
	for i, s := range series {
		sm, _ := s.(map[string]any)
		if axis, ok := sm["targetAxis"].(string); ok && !validMinorAxis(typ, axis) {
			return errInvalid("series[%d]: %s is not a valid minor axis for a %s chart", i, axis, typ) // Guess
		}
		data, _ := sm["series"].(map[string]any)
		n, e := checkChartData(ss, data)
		if e != nil {
			return e
		}
		if e := same(n); e != nil {
			return e
		}
	}
	return nil
}

// validMinorAxis: a BAR chart's values run along the bottom axis, every
// other basic chart's along the left or right one.
func validMinorAxis(chartType, axis string) bool {
	switch axis {
	case "BASIC_CHART_AXIS_POSITION_UNSPECIFIED":
		return true
	case "BOTTOM_AXIS":
		return chartType == "BAR"
	case "LEFT_AXIS", "RIGHT_AXIS":
		return chartType != "BAR"
	}
	return false
}

// checkChartData checks a ChartData's sourceRange and returns how many
// sources it has.
func checkChartData(ss *spreadsheet, data map[string]any) (int, *apiError) {
	src, _ := data["sourceRange"].(map[string]any)
	if src == nil {
		if len(data) > 0 {
			return 0, errInvalid("only sourceRange chart data is implemented by sheetstest")
		}
		return 0, errInvalid("sourceRange must be specified")
	}
	list, _ := src["sources"].([]any)
	if len(list) == 0 {
		return 0, errInvalid("sourceRange.sources must not be empty")
	}
	rowWise := -1 // 1: each source is one row; 0: one column
	for i, x := range list {
		b, err := json.Marshal(x)
		if err != nil {
			return 0, errInvalid("Invalid sources[%d]", i)
		}
		var g gridRangeIn
		if e := unmarshal(b, &g); e != nil {
			return 0, e
		}
		_, rect, e := g.resolve(ss)
		if e != nil {
			return 0, e
		}
		var w int
		switch {
		case rect.cols() == 1:
			w = 0
		case rect.rows() == 1:
			w = 1
		default:
			return 0, errInvalid("sources[%d]: exactly one dimension of a chart source range must have a length of 1", i) // Guess
		}
		if rowWise >= 0 && w != rowWise {
			return 0, errInvalid("All chart source ranges must have the same dimension with length 1.") // Guess
		}
		rowWise = w
	}
	return len(list), nil
}

// findChart returns the sheet holding chart id and its index there.
func findChart(ss *spreadsheet, id int64) (*sheet, int) {
	for _, sh := range ss.sheets {
		for i, c := range sh.charts {
			if n, err := toInt(c["chartId"]); err == nil && int64(n) == id {
				return sh, i
			}
		}
	}
	return nil, -1
}

func cloneCharts(charts []map[string]any) []map[string]any {
	if charts == nil {
		return nil
	}
	out := make([]map[string]any, len(charts))
	for i, c := range charts {
		out[i] = cloneJSON(c).(map[string]any)
	}
	return out
}

// putChartsJSON adds a sheet's charts to its Sheet resource, as Google lists
// them under sheets[].charts; a sheet without charts has no such field.
func putChartsJSON(js map[string]any, sh *sheet) {
	if len(sh.charts) == 0 {
		return
	}
	out := make([]any, len(sh.charts))
	for i, c := range sh.charts {
		out[i] = cloneJSON(c)
	}
	js["charts"] = out
}

// Charts returns the EmbeddedChart JSON of the charts on a tab, for tests.
func (s *Server) Charts(spreadsheetID, tab string) ([]map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, sh, err := s.tab(spreadsheetID, tab)
	if err != nil {
		return nil, err
	}
	return cloneCharts(sh.charts), nil
}
