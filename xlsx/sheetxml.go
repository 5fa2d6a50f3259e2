package xlsx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
)

// rowSpan is one <row> element of the source worksheet, kept as raw bytes.
type rowSpan struct {
	num        int
	start, end int
	hasValue   bool
}

// sheetLayout is what the rewrite needs to know about a worksheet part.
type sheetLayout struct {
	prefix       string // namespace prefix of the worksheet elements ("" or "x:")
	dataStart    int    // offset of "<sheetData"
	contentStart int    // offset just after the sheetData start tag
	contentEnd   int    // offset of "</sheetData>" (== contentStart when self-closing)
	dataEnd      int    // offset just after the sheetData element
	rows         []rowSpan
	formulas     bool // some cell holds a formula
}

// scanSheet locates sheetData and its rows with the raw tokenizer, which
// keeps byte offsets, so rows can be copied without being re-encoded.
func scanSheet(src []byte) (sheetLayout, error) {
	var l sheetLayout
	d := xml.NewDecoder(bytes.NewReader(src))
	d.Strict = false
	depth := 0 // depth below sheetData; 0 = outside
	inData := false
	var cur *rowSpan
	var inValue bool
	lastRow := 0
	for {
		before := int(d.InputOffset())
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return l, fmt.Errorf("parse worksheet: %w: %w", audit.ErrInvalid, err)
		}
		after := int(d.InputOffset())
		switch t := tok.(type) {
		case xml.StartElement:
			if !inData {
				if t.Name.Local == "sheetData" {
					inData = true
					l.prefix = prefixOf(t.Name)
					l.dataStart, l.contentStart = before, after
					if bytes.HasSuffix(src[before:after], []byte("/>")) {
						// Self-closing: RawToken reports a matching end next.
						l.contentEnd = after
					}
				}
				continue
			}
			depth++
			switch {
			case depth == 1 && t.Name.Local == "row":
				num := lastRow + 1
				for _, a := range t.Attr {
					if a.Name.Local == "r" {
						if n, err := strconv.Atoi(a.Value); err == nil && n > 0 {
							num = n
						}
					}
				}
				lastRow = num
				l.rows = append(l.rows, rowSpan{num: num, start: before})
				cur = &l.rows[len(l.rows)-1]
				if bytes.HasSuffix(src[before:after], []byte("/>")) {
					cur.end = after
				}
			case t.Name.Local == "f":
				l.formulas = true
				if cur != nil {
					cur.hasValue = true
				}
			case t.Name.Local == "v" || t.Name.Local == "t":
				inValue = true
			}
		case xml.CharData:
			if inValue && cur != nil && len(bytes.TrimSpace(t)) > 0 {
				cur.hasValue = true
			}
		case xml.EndElement:
			if !inData {
				continue
			}
			if depth == 0 && t.Name.Local == "sheetData" {
				if l.contentEnd == 0 {
					l.contentEnd = before
				}
				l.dataEnd = after
				return l, nil
			}
			inValue = false
			if depth == 1 && t.Name.Local == "row" && cur != nil {
				if cur.end == 0 {
					cur.end = after
				}
				cur = nil
			}
			depth--
		}
	}
	if !inData {
		return l, fmt.Errorf("parse worksheet: no sheetData element: %w", audit.ErrInvalid)
	}
	return l, fmt.Errorf("parse worksheet: sheetData is not closed: %w", audit.ErrInvalid)
}

func prefixOf(n xml.Name) string {
	if n.Space == "" {
		return ""
	}
	return n.Space + ":"
}

// rewriteSheetXML returns the worksheet with rows appended below its last
// row holding a value, or (replace) with rows as its only content. It also
// returns the first row number written and whether formulas were dropped.
func rewriteSheetXML(src []byte, rows [][]string, replace bool) (out []byte, first int, droppedFormulas bool, err error) {
	l, err := scanSheet(src)
	if err != nil {
		return nil, 0, false, err
	}
	var kept, after []rowSpan
	first = 1
	if !replace {
		last := 0
		for _, r := range l.rows {
			if r.hasValue {
				last = r.num
			}
		}
		first = last + 1
		for _, r := range l.rows {
			switch {
			case r.num <= last:
				kept = append(kept, r)
			case r.num >= first+len(rows):
				// Formatted but empty rows below the new ones stay.
				after = append(after, r)
			}
		}
	} else {
		droppedFormulas = l.formulas
	}
	// A replace keeps each cell's style, as clearing a cell's content in a
	// spreadsheet app does: number formats, fonts and fills stay where they
	// were, so a restore's typed values show as they did (TypedWriter).
	var styles map[int][]cellSpan
	if replace && styleAttr.Match(src[l.contentStart:l.contentEnd]) {
		cl, err := scanCells(src)
		if err != nil {
			return nil, 0, false, err
		}
		styles = make(map[int][]cellSpan)
		for _, r := range cl.rows {
			for _, c := range r.cells {
				if c.style != "" && c.style != "0" {
					styles[r.num] = append(styles[r.num], c)
				}
			}
		}
	}
	if first-1+len(rows) > maxRows {
		return nil, 0, false, fmt.Errorf("%d rows from row %d exceed the %d rows of an Excel sheet (start a new tab or clear old rows): %w", len(rows), first, maxRows, audit.ErrInvalid)
	}

	var b bytes.Buffer
	b.Grow(len(src) + 64*len(rows))
	head := src[:l.dataStart]
	lastRow, lastCol := first-1+len(rows), 0
	for _, r := range rows {
		lastCol = max(lastCol, trimmedLen(r))
	}
	styledRows := make([]int, 0, len(styles))
	for num, cells := range styles {
		styledRows = append(styledRows, num)
		lastRow, lastCol = max(lastRow, num), max(lastCol, cells[len(cells)-1].col)
	}
	slices.Sort(styledRows)
	if !replace {
		// Keep the old extent in the dimension; it only grows on append.
		if m := dimensionRef.FindSubmatch(head); m != nil {
			ref := string(m[2])
			if _, end, ok := strings.Cut(ref, ":"); ok {
				ref = end
			}
			if c, r, err := excelize.CellNameToCoordinates(ref); err == nil {
				lastRow, lastCol = max(lastRow, r), max(lastCol, c)
			}
		}
	}
	b.Write(patchDimension(head, lastRow, lastCol))
	p := l.prefix
	b.WriteString("<" + p + "sheetData>")
	for _, r := range kept {
		b.Write(src[r.start:r.end])
	}
	for i, r := range rows {
		writeRow(&b, p, first+i, r, styles[first+i])
	}
	for _, num := range styledRows {
		if num >= first+len(rows) {
			writeRow(&b, p, num, nil, styles[num])
		}
	}
	for _, r := range after {
		b.Write(src[r.start:r.end])
	}
	b.WriteString("</" + p + "sheetData>")
	b.Write(src[l.dataEnd:])
	return b.Bytes(), first, droppedFormulas, nil
}

var dimensionRef = regexp.MustCompile(`(<(?:\w+:)?dimension\s+ref=")([^"]*)(")`)

func patchDimension(head []byte, rows, cols int) []byte {
	ref := "A1"
	if rows > 0 && cols > 0 {
		end, err := excelize.CoordinatesToCellName(cols, rows)
		if err == nil && end != "A1" {
			ref = "A1:" + end
		}
	}
	return dimensionRef.ReplaceAll(head, []byte("${1}"+ref+"${3}"))
}

func trimmedLen(r []string) int {
	n := len(r)
	for n > 0 && r[n-1] == "" {
		n--
	}
	return n
}

var styleAttr = regexp.MustCompile(`\ss\s*=`)

// writeRow writes one row of inline-string cells. Inline strings keep the
// shared-strings part untouched and carry no formula, whatever the text.
// styled are the row's cells that had a style (sorted by column): each
// keeps it, an empty one as a cell without a value.
func writeRow(b *bytes.Buffer, p string, num int, cells []string, styled []cellSpan) {
	n := trimmedLen(cells)
	if n == 0 && len(styled) == 0 {
		return
	}
	rs := strconv.Itoa(num)
	b.WriteString("<" + p + `row r="` + rs + `">`)
	end := n
	if k := len(styled); k > 0 {
		end = max(end, styled[k-1].col)
	}
	k := 0
	for i := range end {
		style := ""
		for k < len(styled) && styled[k].col < i+1 {
			k++
		}
		if k < len(styled) && styled[k].col == i+1 {
			style = ` s="` + styled[k].style + `"`
		}
		v := ""
		if i < n {
			v = cells[i]
		}
		if v == "" && style == "" {
			continue
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		if v == "" {
			b.WriteString("<" + p + `c r="` + col + rs + `"` + style + "/>")
			continue
		}
		b.WriteString("<" + p + `c r="` + col + rs + `"` + style + ` t="inlineStr"><` + p + `is><` + p + `t xml:space="preserve">`)
		writeText(b, v)
		b.WriteString("</" + p + "t></" + p + "is></" + p + "c>")
	}
	b.WriteString("</" + p + "row>")
}

// escapedLiteral matches text that readers would take for an OOXML escape
// (_x000D_), so a user's literal text must itself be escaped.
var escapedLiteral = regexp.MustCompile(`_x[0-9A-Fa-f]{4}_`)

// writeText writes s as XML text the way Excel stores it: characters XML 1.0
// cannot carry become _xHHHH_, and literal _xHHHH_ is protected by _x005F_.
func writeText(b *bytes.Buffer, s string) {
	if strings.Contains(s, "_x") {
		s = escapedLiteral.ReplaceAllString(s, "_x005F$0")
	}
	start := 0
	flush := func(end int) {
		if start < end {
			_ = xml.EscapeText(b, []byte(s[start:end]))
		}
	}
	for i, r := range s {
		if r == utf8.RuneError || validXMLChar(r) {
			continue
		}
		flush(i)
		fmt.Fprintf(b, "_x%04X_", r)
		start = i + utf8.RuneLen(r)
	}
	flush(len(s))
}

func validXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
