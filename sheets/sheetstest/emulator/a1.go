package emulator

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxColumns is Sheets' column limit (column ZZZ).
const maxColumns = 18278

// unbounded marks an open side of a range ("A:A" has no row bounds).
const unbounded = -1

// a1Range is a parsed range before it is resolved against a sheet's grid.
// Indexes are 0-based and inclusive; unbounded sides are -1. A range with
// no cell part at all ("Sheet1") is the whole sheet.
type a1Range struct {
	sheet     string // title as written (unquoted); "" = first sheet
	hasSheet  bool
	r0, c0    int
	r1, c1    int
	wholeGrid bool
}

// parseA1 parses spec the way Sheets does (see SHEETS-API.md §2): the last
// '!' splits title from cells, quotes are optional with ” as an escaped
// apostrophe, a spec without '!' is tried as cells first (A1, then R1C1 when
// allowed) and only then as a sheet title. ok is false for what Sheets
// answers with "Unable to parse range".
func parseA1(spec string, allowR1C1 bool) (a1Range, bool) {
	if spec == "" {
		return a1Range{}, false
	}
	if i := strings.LastIndexByte(spec, '!'); i >= 0 {
		title, ok := unquoteTitle(spec[:i])
		if !ok {
			return a1Range{}, false
		}
		r, ok := parseCells(spec[i+1:], allowR1C1)
		if !ok {
			return a1Range{}, false
		}
		r.sheet, r.hasSheet = title, title != ""
		return r, true
	}
	if r, ok := parseCells(spec, allowR1C1); ok {
		return r, true
	}
	title, ok := unquoteTitle(spec)
	if !ok || title == "" {
		return a1Range{}, false
	}
	return a1Range{sheet: title, hasSheet: true, r0: 0, c0: 0, r1: unbounded, c1: unbounded, wholeGrid: true}, true
}

// unquoteTitle removes optional single quotes; inside them ” is one '.
// A lone apostrophe inside quotes is kept, because Google's own example
// 'Jon's_Data'!A1:D5 is accepted.
func unquoteTitle(s string) (string, bool) {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'"), true
	}
	return s, true
}

// endpoint is one side of a cell range; -1 means "not given".
type endpoint struct{ row, col int }

func parseCells(s string, allowR1C1 bool) (a1Range, bool) {
	if s == "" || strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return a1Range{}, false
	}
	if r, ok := parseA1Cells(s); ok {
		return r, true
	}
	if allowR1C1 {
		return parseR1C1Cells(s)
	}
	return a1Range{}, false
}

func parseA1Cells(s string) (a1Range, bool) {
	parts := strings.Split(s, ":")
	switch len(parts) {
	case 1:
		e, ok := parseA1End(parts[0])
		if !ok || e.row < 0 || e.col < 0 {
			// A bare column or row is only valid inside a range.
			return a1Range{}, false
		}
		return a1Range{r0: e.row, c0: e.col, r1: e.row, c1: e.col}, true
	case 2:
		a, ok1 := parseA1End(parts[0])
		b, ok2 := parseA1End(parts[1])
		if !ok1 || !ok2 {
			return a1Range{}, false
		}
		// "A:1" mixes a pure column with a pure row: not a range.
		if (a.row < 0 && b.col < 0) || (a.col < 0 && b.row < 0) {
			return a1Range{}, false
		}
		return spanFrom(a, b), true
	}
	return a1Range{}, false
}

// spanFrom orders two endpoints; missing start parts mean the first
// row/column, missing end parts the grid's last one.
func spanFrom(a, b endpoint) a1Range {
	r := a1Range{r0: a.row, c0: a.col, r1: b.row, c1: b.col}
	if r.r0 >= 0 && r.r1 >= 0 && r.r0 > r.r1 {
		r.r0, r.r1 = r.r1, r.r0
	}
	if r.c0 >= 0 && r.c1 >= 0 && r.c0 > r.c1 {
		r.c0, r.c1 = r.c1, r.c0
	}
	if r.r0 < 0 {
		r.r0 = 0
	}
	if r.c0 < 0 {
		r.c0 = 0
	}
	return r
}

// parseA1End parses "A1", "$A$1", "A" or "1".
func parseA1End(s string) (endpoint, bool) {
	e := endpoint{row: -1, col: -1}
	i := 0
	if i < len(s) && s[i] == '$' {
		i++
	}
	j := i
	for j < len(s) && isASCIILetter(s[j]) {
		j++
	}
	if j-i > 3 {
		return e, false
	}
	if j > i {
		e.col = colIndex(s[i:j])
		if e.col >= maxColumns {
			return e, false
		}
	}
	rest := s[j:]
	if rest == "" {
		return e, j > i
	}
	if rest[0] == '$' {
		rest = rest[1:]
	}
	n, ok := parsePositive(rest)
	if !ok {
		return e, false
	}
	e.row = n - 1
	return e, true
}

func parsePositive(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, _ := strconv.Atoi(s)
	if n < 1 {
		return 0, false
	}
	return n, true
}

func parseR1C1Cells(s string) (a1Range, bool) {
	parts := strings.Split(s, ":")
	if len(parts) > 2 {
		return a1Range{}, false
	}
	var ends []endpoint
	for _, p := range parts {
		e, ok := parseR1C1End(p)
		if !ok {
			return a1Range{}, false
		}
		ends = append(ends, e)
	}
	if len(ends) == 1 {
		e := ends[0]
		if e.row < 0 || e.col < 0 {
			return a1Range{}, false
		}
		return a1Range{r0: e.row, c0: e.col, r1: e.row, c1: e.col}, true
	}
	return spanFrom(ends[0], ends[1]), true
}

// parseR1C1End parses R1C1, R[1]C[1] (offsets from A1), R1, C1, R, C, RC.
func parseR1C1End(s string) (endpoint, bool) {
	e := endpoint{row: -1, col: -1}
	upper := strings.ToUpper(s)
	if upper == "" {
		return e, false
	}
	num := func(t string, base int) (int, string, bool) {
		if strings.HasPrefix(t, "[") {
			end := strings.IndexByte(t, ']')
			if end < 0 {
				return 0, "", false
			}
			n, err := strconv.Atoi(t[1:end])
			if err != nil || base+n < 0 {
				return 0, "", false
			}
			return base + n, t[end+1:], true
		}
		k := 0
		for k < len(t) && t[k] >= '0' && t[k] <= '9' {
			k++
		}
		if k == 0 {
			return base, t, true
		}
		n, ok := parsePositive(t[:k])
		if !ok {
			return 0, "", false
		}
		return n - 1, t[k:], true
	}
	rest := upper
	if strings.HasPrefix(rest, "R") {
		n, r, ok := num(rest[1:], 0)
		if !ok {
			return e, false
		}
		e.row, rest = n, r
	}
	if strings.HasPrefix(rest, "C") {
		n, r, ok := num(rest[1:], 0)
		if !ok {
			return e, false
		}
		e.col, rest = n, r
	}
	if rest != "" || (e.row < 0 && e.col < 0) {
		return e, false
	}
	return e, true
}

func isASCIILetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// colIndex turns "A" into 0 and "AA" into 26.
func colIndex(letters string) int {
	n := 0
	for i := 0; i < len(letters); i++ {
		c := letters[i]
		if c >= 'a' {
			c -= 'a' - 'A'
		}
		n = n*26 + int(c-'A'+1)
	}
	return n - 1
}

// colName turns 0 into "A".
func colName(c int) string {
	var buf [8]byte
	i := len(buf)
	for c >= 0 {
		i--
		buf[i] = byte('A' + c%26)
		c = c/26 - 1
	}
	return string(buf[i:])
}

func cellName(r, c int) string { return colName(c) + strconv.Itoa(r+1) }

// quoteTitle renders a title for an echoed range: plain identifiers stay bare;
// anything else (spaces, punctuation, non-ASCII, digits first, or a title that
// could be read as a cell reference) is quoted with ' doubled. The rule is
// inferred from recorded answers (SHEETS-API.md §1.4), not documented.
func quoteTitle(t string) string {
	if isPlainTitle(t) {
		return t
	}
	return "'" + strings.ReplaceAll(t, "'", "''") + "'"
}

func isPlainTitle(t string) bool {
	if t == "" || !utf8.ValidString(t) {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(isASCIILetter(c) || c == '_' || (i > 0 && c >= '0' && c <= '9')) {
			return false
		}
	}
	if _, ok := parseA1Cells(t); ok {
		return false
	}
	if _, ok := parseR1C1Cells(t); ok {
		return false
	}
	return true
}

// gridRect is a resolved, grid-clamped rectangle (inclusive, 0-based).
type gridRect struct{ r0, c0, r1, c1 int }

func (g gridRect) rows() int { return g.r1 - g.r0 + 1 }
func (g gridRect) cols() int { return g.c1 - g.c0 + 1 }

// a1 renders the cell part; a 1×1 rectangle echoes as one cell.
func (g gridRect) a1() string {
	if g.r0 == g.r1 && g.c0 == g.c1 {
		return cellName(g.r0, g.c0)
	}
	return cellName(g.r0, g.c0) + ":" + cellName(g.r1, g.c1)
}
