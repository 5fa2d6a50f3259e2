package xlsx

import (
	"bytes"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
)

// A write-back without a Layout (the cycle sends a tab's layout only when
// the tab is new or the layout changed) still writes whole rows: their
// cells must look like the rows the layout styled, or every cycle after
// the first would leave a plain header, unwrapped messages and rows
// outside the filter. keptLayout reads back the layout the tab already
// has, for styling the new cells only; the tab's panes, widths, filter
// criteria and colours stay as they are.

var (
	paneElem  = regexp.MustCompile(`<(?:\w+:)?pane\b[^>]*>`)
	colElem   = regexp.MustCompile(`<(?:\w+:)?col\b[^>]*>`)
	cellStart = regexp.MustCompile(`<(?:\w+:)?c\b[^>]*>`)
	refAttr   = regexp.MustCompile(`(\sref=")([^"]*)(")`)
)

// attr returns the value of the attribute name of the start tag el, ""
// when it has none.
func attr(el []byte, name string) string {
	key := []byte(name + `="`)
	for i := 0; ; {
		j := bytes.Index(el[i:], key)
		if j < 0 {
			return ""
		}
		at := i + j
		i = at + len(key)
		if at == 0 || !isSpace(el[at-1]) {
			continue
		}
		if k := bytes.IndexByte(el[i:], '"'); k >= 0 {
			return string(el[i : i+k])
		}
		return ""
	}
}

func isSpace(b byte) bool { return b == ' ' || b == '\n' || b == '\t' || b == '\r' }

// keptRows is how many of the tab's last rows keptLayout looks at to find
// the wrapped columns: enough to meet every wrapped column, few enough to
// cost nothing on a long Change Log.
const keptRows = 50

// keptLayout returns the layout the worksheet src (scanned as l) shows:
// its frozen rows, column widths and the columns whose cells below the
// header carry the wrap style; nil when it shows none of them.
func keptLayout(src []byte, l sheetLayout, st batchStyles) *audit.Layout {
	var lay audit.Layout
	head := src[:l.dataStart]
	if p := paneElem.Find(head); p != nil && attr(p, "state") == "frozen" {
		if n, err := strconv.ParseFloat(attr(p, "ySplit"), 64); err == nil && n > 0 && n < maxRows {
			lay.HeaderRows = int(n)
		}
	}
	for _, c := range colElem.FindAll(head, -1) {
		lo, err1 := strconv.Atoi(attr(c, "min"))
		hi, err2 := strconv.Atoi(attr(c, "max"))
		w, err3 := strconv.ParseFloat(attr(c, "width"), 64)
		if err1 != nil || err2 != nil || err3 != nil || lo < 1 || hi < lo || hi > maxCols {
			continue
		}
		hi = min(hi, lo+255) // a <col> spanning to XFD sets the default of the rest, not ours
		for len(lay.Widths) < hi {
			lay.Widths = append(lay.Widths, 0)
		}
		for i := lo; i <= hi; i++ {
			lay.Widths[i-1] = int(math.Round(w * 7))
		}
	}
	wrap := ""
	if st.wrap > 0 {
		wrap = strconv.Itoa(st.wrap)
	}
	seen := 0
	for i := len(l.rows) - 1; i >= 0 && seen < keptRows && wrap != ""; i-- {
		r := l.rows[i]
		if r.num <= lay.HeaderRows {
			break
		}
		seen++
		for _, c := range cellStart.FindAll(src[r.start:r.end], -1) {
			if attr(c, "s") != wrap {
				continue
			}
			col, _, err := excelize.CellNameToCoordinates(attr(c, "r"))
			if err == nil && !slices.Contains(lay.Wrap, col-1) {
				lay.Wrap = append(lay.Wrap, col-1)
			}
		}
	}
	slices.Sort(lay.Wrap)
	if lay.HeaderRows == 0 && len(lay.Widths) == 0 && len(lay.Wrap) == 0 {
		return nil
	}
	return &lay
}

// stretchFilter returns the tab's autoFilter element el with its range
// reaching down to lastRow, so rows a write adds below it are filtered
// too; its criteria stay. It returns el unchanged when it cannot tell.
func stretchFilter(el []byte, lastRow, lastCol int) []byte {
	m := refAttr.FindSubmatchIndex(el)
	if m == nil {
		return el
	}
	ref := string(el[m[4]:m[5]])
	start, end := ref, ref
	if a, b, ok := strings.Cut(ref, ":"); ok {
		start, end = a, b
	}
	c0, r0, err1 := excelize.CellNameToCoordinates(start)
	c1, r1, err2 := excelize.CellNameToCoordinates(end)
	if err1 != nil || err2 != nil {
		return el
	}
	newEnd, err := excelize.CoordinatesToCellName(max(c1, lastCol), max(r0, lastRow))
	if err != nil || r1 == max(r0, lastRow) && c1 >= lastCol {
		return el
	}
	first, _ := excelize.CoordinatesToCellName(c0, r0)
	out := slices.Concat(el[:m[4]], []byte(first+":"+newEnd), el[m[5]:])
	return out
}
