package emulator

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Default grid of a new sheet (SHEETS-API.md §2) and the workbook limits.
const (
	defaultRows     = 1000
	defaultCols     = 26
	maxCells        = 10_000_000
	maxCellChars    = 50_000
	msgCellTooLarge = "Your input contains more than the maximum of 50000 characters in a single cell."
	msgTooManyCells = "This action would increase the number of cells in the workbook above the limit of 10000000 cells."
)

// kind tells how a cell's text is to be read. Cells are 24 bytes (one string
// header and a byte) so that 10,000,000 of them fit in a test's memory; the
// rarer typed cells pack their extra text into the same string.
type kind uint8

const (
	kEmpty   kind = iota
	kString       // s = the text
	kNumber       // s = canonical number; displayed the same way
	kNumDisp      // s = display + "\x00" + canonical number (user typed "1,000" or "50%")
	kDate         // like kNumDisp; the number is a date serial
	kBool         // s = "TRUE" or "FALSE"
	kFormula      // s = formula text, starting with '='
)

type cell struct {
	s string
	k kind
}

func (c cell) empty() bool { return c.k == kEmpty }

// split returns display and canonical number of kNumDisp/kDate cells.
func (c cell) split() (display, number string) {
	i := strings.IndexByte(c.s, 0)
	if i < 0 {
		return c.s, c.s
	}
	return c.s[:i], c.s[i+1:]
}

// formatted is the text a user sees in the cell (FORMATTED_VALUE).
func (c cell) formatted() string {
	switch c.k {
	case kNumber:
		return displayNumber(c.s)
	case kNumDisp, kDate:
		d, _ := c.split()
		return d
	case kFormula:
		// No formula engine: arithmetic on constants is computed (enough for
		// the recorded sessions); other formulas show their text, a guess that
		// keeps formula cells visible rather than silently blank.
		if v, ok := evalArith(c.s[1:]); ok {
			return displayNumber(formatFloat(v))
		}
		return c.s
	}
	return c.s
}

// displayNumber renders a number in Sheets' automatic format, roughly: plain
// decimal digits, scientific notation for very large magnitudes.
func displayNumber(canonical string) string {
	f, err := strconv.ParseFloat(canonical, 64)
	if err != nil {
		return canonical
	}
	if math.Abs(f) >= 1e15 {
		return strconv.FormatFloat(f, 'E', 5, 64)
	}
	return formatFloat(f)
}

func formatFloat(f float64) string {
	if math.Abs(f) >= 1e21 {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// sheet is one tab: properties plus a sparse row store. rows[i] is nil for an
// empty row; a row slice may carry trailing empty cells after a clear.
type sheet struct {
	id       int64
	title    string
	rowCount int
	colCount int
	// extra holds the remaining SheetProperties as JSON (tabColor, hidden,
	// gridProperties.frozenRowCount, ...), set through updateSheetProperties.
	extra  map[string]any
	rows   [][]cell
	notes  map[[2]int]string
	charts []map[string]any // EmbeddedChart JSON anchored on this sheet (chart.go)
	// cellx holds the rest of a cell's CellData as JSON: userEnteredFormat,
	// textFormatRuns, dataValidation (engine.go).
	cellx map[[2]int]map[string]any
	// objs holds sheet-level objects as Sheet JSON: merges, basicFilter,
	// conditionalFormats, protectedRanges, rowGroups, columnGroups.
	objs map[string]any
	// dims holds DimensionProperties set on rows (0) and columns (1):
	// pixelSize, hiddenByUser, developerMetadata.
	dims [2]map[int]map[string]any
}

func newSheet(id int64, title string, rows, cols int) *sheet {
	return &sheet{id: id, title: title, rowCount: rows, colCount: cols, extra: map[string]any{}}
}

// clone copies what a batch may change so a failed batch leaves the original
// untouched. Rows are shared: mutations replace row slices, never edit them
// in place on a clone (see setCell).
func (sh *sheet) clone() *sheet {
	c := *sh
	c.rows = append([][]cell(nil), sh.rows...)
	c.extra = cloneJSON(sh.extra).(map[string]any)
	c.charts = cloneCharts(sh.charts)
	if sh.cellx != nil {
		c.cellx = make(map[[2]int]map[string]any, len(sh.cellx))
		for k, v := range sh.cellx {
			c.cellx[k] = cloneJSON(v).(map[string]any)
		}
	}
	if sh.objs != nil {
		c.objs = cloneJSON(sh.objs).(map[string]any)
	}
	for i, d := range sh.dims {
		if d != nil {
			c.dims[i] = make(map[int]map[string]any, len(d))
			for k, v := range d {
				c.dims[i][k] = cloneJSON(v).(map[string]any)
			}
		}
	}
	if sh.notes != nil {
		c.notes = make(map[[2]int]string, len(sh.notes))
		for k, v := range sh.notes {
			c.notes[k] = v
		}
	}
	return &c
}

func (sh *sheet) at(r, c int) cell {
	if r < len(sh.rows) && c < len(sh.rows[r]) {
		return sh.rows[r][c]
	}
	return cell{}
}

// setCell writes one cell. It copies the row before writing so that clones
// made for atomic batches never see the change.
func (sh *sheet) setCell(r, c int, v cell, owned map[int]bool) {
	if v.empty() && (r >= len(sh.rows) || c >= len(sh.rows[r])) {
		return
	}
	for r >= len(sh.rows) {
		sh.rows = append(sh.rows, nil)
	}
	row := sh.rows[r]
	if owned == nil || !owned[r] {
		n := len(row)
		if c >= n {
			n = c + 1
		}
		nr := make([]cell, n, n+n/4)
		copy(nr, row)
		row = nr
		if owned != nil {
			owned[r] = true
		}
	}
	for c >= len(row) {
		row = append(row, cell{})
	}
	row[c] = v
	sh.rows[r] = row
}

// extent is the 1-past-last row holding data.
func (sh *sheet) extent() int {
	n := len(sh.rows)
	for n > 0 && rowEmpty(sh.rows[n-1]) {
		n--
	}
	return n
}

func rowEmpty(row []cell) bool {
	for _, c := range row {
		if !c.empty() {
			return false
		}
	}
	return true
}

// rowWidth is the 1-past-last non-empty column of row r within [c0, c1].
func (sh *sheet) rowWidth(r, c0, c1 int) int {
	if r >= len(sh.rows) {
		return c0
	}
	row := sh.rows[r]
	end := c1 + 1
	if end > len(row) {
		end = len(row)
	}
	for end > c0 && row[end-1].empty() {
		end--
	}
	if end < c0 {
		return c0
	}
	return end
}

// spreadsheet is one workbook.
type spreadsheet struct {
	id     string
	props  map[string]any // SpreadsheetProperties as JSON (title, locale, ...)
	sheets []*sheet
	named  []map[string]any // NamedRange JSON, range with its sheetId
}

func (ss *spreadsheet) clone() *spreadsheet {
	c := *ss
	c.props = cloneJSON(ss.props).(map[string]any)
	c.named = make([]map[string]any, len(ss.named))
	for i, n := range ss.named {
		c.named[i] = cloneJSON(n).(map[string]any)
	}
	c.sheets = make([]*sheet, len(ss.sheets))
	for i, sh := range ss.sheets {
		c.sheets[i] = sh.clone()
	}
	return &c
}

// sheetByTitle matches titles case-insensitively, as Sheets does.
func (ss *spreadsheet) sheetByTitle(t string) *sheet {
	for _, sh := range ss.sheets {
		if sh.title == t {
			return sh
		}
	}
	for _, sh := range ss.sheets {
		if strings.EqualFold(sh.title, t) {
			return sh
		}
	}
	return nil
}

func (ss *spreadsheet) sheetByID(id int64) (*sheet, int) {
	for i, sh := range ss.sheets {
		if sh.id == id {
			return sh, i
		}
	}
	return nil, -1
}

func (ss *spreadsheet) cells() int {
	n := 0
	for _, sh := range ss.sheets {
		n += sh.rowCount * sh.colCount
	}
	return n
}

// parseUserEntered turns typed text into a cell as the Sheets UI would
// (USER_ENTERED): formulas, booleans, numbers with grouping, currency and
// percent, and ISO or US dates. Anything else stays text.
func parseUserEntered(s string) cell {
	if s == "" {
		return cell{}
	}
	if strings.HasPrefix(s, "=") && len(s) > 1 {
		return cell{s: s, k: kFormula}
	}
	switch strings.ToUpper(s) {
	case "TRUE", "FALSE":
		return cell{s: strings.ToUpper(s), k: kBool}
	}
	if f, ok := parseTypedNumber(s); ok {
		canon := formatFloat(f)
		// Plain digits get the automatic format ("0042" shows "42", as
		// recorded); grouping, currency and percent keep what was typed,
		// standing in for the number format Sheets infers from them.
		if !strings.ContainsAny(s, "$%,") {
			return cell{s: canon, k: kNumber}
		}
		return cell{s: s + "\x00" + canon, k: kNumDisp}
	}
	if serial, ok := parseDate(s); ok {
		return cell{s: s + "\x00" + formatFloat(serial), k: kDate}
	}
	return cell{s: s, k: kString}
}

func parseTypedNumber(s string) (float64, bool) {
	t := strings.TrimSpace(s)
	if t != s || t == "" {
		return 0, false
	}
	neg := false
	if strings.HasPrefix(t, "-") {
		neg, t = true, t[1:]
	}
	t = strings.TrimPrefix(t, "$")
	pct := strings.HasSuffix(t, "%")
	t = strings.TrimSuffix(t, "%")
	if strings.Contains(t, ",") {
		// Grouping must be in threes before any decimal point.
		intPart, _, _ := strings.Cut(t, ".")
		groups := strings.Split(intPart, ",")
		for i, g := range groups {
			if (i == 0 && (len(g) == 0 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return 0, false
			}
		}
		t = strings.ReplaceAll(t, ",", "")
	}
	if t == "" || strings.ContainsAny(t, "xXpP_") || strings.HasPrefix(t, "+") || strings.HasPrefix(t, "-") {
		return 0, false
	}
	low := strings.ToLower(t)
	if strings.Contains(low, "inf") || strings.Contains(low, "nan") {
		return 0, false
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, false
	}
	if pct {
		f /= 100
	}
	if neg {
		f = -f
	}
	return f, true
}

// epoch of Sheets' date serials (SHEETS-API.md §1.1).
var serialEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// parseDate accepts the en_US forms a user types: 2020-01-01, 2020/1/1,
// 1/2/2020 (month first).
func parseDate(s string) (float64, bool) {
	for _, layout := range []string{"2006-01-02", "2006-1-2", "2006/01/02", "2006/1/2", "1/2/2006", "01/02/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Sub(serialEpoch).Hours() / 24, true
		}
	}
	return 0, false
}

// evalArith computes formulas made only of numbers, + - * / and parentheses,
// so "=4/2" renders "2" as the recorded sessions show. Anything else
// (references, functions) reports ok=false.
func evalArith(expr string) (float64, bool) {
	p := arithParser{s: strings.ReplaceAll(expr, " ", "")}
	v, ok := p.sum()
	if !ok || p.i != len(p.s) {
		return 0, false
	}
	return v, true
}

type arithParser struct {
	s string
	i int
}

func (p *arithParser) sum() (float64, bool) {
	v, ok := p.product()
	for ok && p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
		op := p.s[p.i]
		p.i++
		var w float64
		w, ok = p.product()
		if op == '+' {
			v += w
		} else {
			v -= w
		}
	}
	return v, ok
}

func (p *arithParser) product() (float64, bool) {
	v, ok := p.unary()
	for ok && p.i < len(p.s) && (p.s[p.i] == '*' || p.s[p.i] == '/') {
		op := p.s[p.i]
		p.i++
		var w float64
		w, ok = p.unary()
		if op == '*' {
			v *= w
		} else {
			if w == 0 {
				return 0, false
			}
			v /= w
		}
	}
	return v, ok
}

func (p *arithParser) unary() (float64, bool) {
	if p.i < len(p.s) && p.s[p.i] == '-' {
		p.i++
		v, ok := p.unary()
		return -v, ok
	}
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		v, ok := p.sum()
		if !ok || p.i >= len(p.s) || p.s[p.i] != ')' {
			return 0, false
		}
		p.i++
		return v, true
	}
	j := p.i
	for j < len(p.s) && (p.s[j] >= '0' && p.s[j] <= '9' || p.s[j] == '.') {
		j++
	}
	if j == p.i {
		return 0, false
	}
	v, err := strconv.ParseFloat(p.s[p.i:j], 64)
	p.i = j
	return v, err == nil
}

// cloneJSON deep-copies decoded JSON.
func cloneJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = cloneJSON(x)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, x := range t {
			a[i] = cloneJSON(x)
		}
		return a
	}
	return v
}
