package xlsx

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
)

var (
	_ audit.FormulaReader = (*Workbook)(nil)
	_ audit.FormulaWriter = (*Workbook)(nil)
)

// ReadFormulas implements audit.FormulaReader. A cell holds a formula when
// its <c> element has an <f> child; text that starts with "=" is a string
// cell and never one. The formula text is the <f> element's, except in the
// shared formulas Excel writes for filled-down columns, where only the
// run's first cell holds it: excelize computes the others. Formulas read with a leading "=", as
// Google Sheets shows them. Errors wrap audit.ErrNotFound for a missing file
// or tab.
func (w *Workbook) ReadFormulas(ctx context.Context, title string) ([][]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c, err := w.load()
	if err != nil {
		return nil, err
	}
	sh, ok := c.book.sheet(title)
	if !ok {
		return nil, w.tabNotFound(title)
	}
	if sh.part == "" {
		return nil, fmt.Errorf("read formulas of tab %q of %q: the workbook lists the tab but holds no data for it (save it again from Excel or WPS): %w", title, w.path, audit.ErrInvalid)
	}
	start := time.Now()
	src, err := readEntry(c.book.entries[sh.part])
	if err != nil {
		return nil, fmt.Errorf("read formulas of tab %q of %q: %w", title, w.path, err)
	}
	l, err := scanCells(src)
	if err != nil {
		return nil, fmt.Errorf("read formulas of tab %q of %q: %w", title, w.path, err)
	}
	out := [][]string{}
	n := 0
	var ex *excelize.File
	for _, r := range l.rows {
		for _, cl := range r.cells {
			if !cl.formula {
				continue
			}
			f := string(cl.text)
			if cl.shared {
				// Parsing the whole sheet with excelize is the slow part,
				// so it is done only for a sheet with shared formulas.
				if ex == nil {
					if ex, err = c.excel(); err != nil {
						return nil, fmt.Errorf("read formulas of tab %q of %q: %w", title, w.path, err)
					}
				}
				ref, _ := excelize.CoordinatesToCellName(cl.col, r.num)
				if f, err = ex.GetCellFormula(sh.name, ref); err != nil {
					return nil, fmt.Errorf("read formula of cell %s of tab %q of %q: %w: %w", ref, title, w.path, audit.ErrInvalid, err)
				}
			}
			if f = unescapeOOXML(f); f == "" {
				continue
			}
			for len(out) < r.num {
				out = append(out, []string{})
			}
			row := out[r.num-1]
			for len(row) < cl.col {
				row = append(row, "")
			}
			row[cl.col-1] = "=" + f
			out[r.num-1] = row
			n++
		}
	}
	w.log.Debug("formulas read", zap.String("file", w.path), zap.String("tab", sh.name),
		zap.Int("cells", n), zap.Duration("duration", time.Since(start)))
	return out, nil
}

// WriteFormulas implements audit.FormulaWriter. It rewrites only the tab's
// worksheet part: each listed cell becomes a formula cell whose cached value
// is the value the cell shows now (the restored value), kept as text, so
// the tab reads back the same before any spreadsheet app recalculates it;
// its style stays. It also sets fullCalcOnLoad in the workbook's calcPr, so
// Excel recomputes every formula when it next opens the file (a workbook
// without calcPr is left without one). Errors wrap audit.ErrNotFound for a
// missing file or tab and audit.ErrInvalid for a bad cell name.
func (w *Workbook) WriteFormulas(ctx context.Context, title string, formulas map[string]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(formulas) == 0 {
		return nil
	}
	cells := make([]formulaCell, 0, len(formulas))
	for ref, f := range formulas {
		col, row, err := excelize.CellNameToCoordinates(ref)
		if err != nil || strings.ContainsRune(ref, '$') {
			return fmt.Errorf("write formulas to tab %q: %q is not a cell name like B7: %w", title, ref, audit.ErrInvalid)
		}
		body, ok := strings.CutPrefix(f, "=")
		if !ok || body == "" {
			return fmt.Errorf("write formulas to tab %q: cell %s: %q is not a formula: %w", title, ref, f, audit.ErrInvalid)
		}
		cells = append(cells, formulaCell{row: row, col: col, f: body})
	}
	return w.writeCells(ctx, title, "formulas", cells, true)
}

// writeCells sets cells on the tab's worksheet part, for WriteFormulas and
// WriteTyped; what names the operation in errors and the log. With
// withCached each cell's cached value is the value the cell shows now,
// read under the same lock as the write so no other write slips between.
func (w *Workbook) writeCells(ctx context.Context, title, what string, cells []formulaCell, withCached bool) error {
	slices.SortFunc(cells, func(a, b formulaCell) int {
		return cmp.Or(cmp.Compare(a.row, b.row), cmp.Compare(a.col, b.col))
	})
	w.mu.Lock()
	defer w.mu.Unlock()
	start := time.Now()
	c, err := w.load()
	if err != nil {
		return err
	}
	sh, ok := c.book.sheet(title)
	if !ok {
		return w.tabNotFound(title)
	}
	if sh.part == "" {
		return fmt.Errorf("write %s to tab %q of %q: the workbook lists the tab but holds no data for it: %w", what, title, w.path, audit.ErrInvalid)
	}
	if withCached {
		values, _, err := c.book.readSheetFast(ctx, sh.part)
		if errors.Is(err, errFallback) || (err != nil && ctx.Err() == nil) {
			values, _, err = c.readSlow(ctx, sh.name)
		}
		if err != nil {
			return fmt.Errorf("write %s to tab %q of %q: read its values: %w", what, title, w.path, err)
		}
		for i := range cells {
			if r := cells[i].row - 1; r < len(values) && cells[i].col-1 < len(values[r]) {
				cells[i].cached = values[r][cells[i].col-1]
			}
		}
	}
	if err := w.patchCells(ctx, c, sh.part, cells); err != nil {
		return fmt.Errorf("write %s to tab %q of %q: %w", what, title, w.path, err)
	}
	w.log.Debug(what+" written", zap.String("file", w.path), zap.String("tab", sh.name),
		zap.Int("cells", len(cells)), zap.Duration("duration", time.Since(start)))
	return nil
}

// patchCells rewrites the worksheet part with cells (sorted) set, and the
// workbook part with fullCalcOnLoad, so Excel recomputes formulas that
// depend on them; the other parts keep their exact bytes.
func (w *Workbook) patchCells(ctx context.Context, c *openFile, part string, cells []formulaCell) error {
	src, err := readEntry(c.book.entries[part])
	if err != nil {
		return err
	}
	out, err := setFormulasXML(src, cells)
	if err != nil {
		return err
	}
	wbPart, err := workbookPart(c.book)
	if err != nil {
		return err
	}
	zr := c.book.zr
	return w.save(ctx, func(dst io.Writer) error {
		zw := zip.NewWriter(dst)
		for _, f := range zr.File {
			var err error
			switch f.Name {
			case part:
				err = writeEntry(zw, f, out)
			case wbPart:
				var b []byte
				if b, err = readEntry(f); err == nil {
					err = writeEntry(zw, f, fullCalcOnLoad(b))
				}
			default:
				err = zw.Copy(f) // the other parts keep their exact bytes
			}
			if err != nil {
				return fmt.Errorf("write part %q: %w", f.Name, err)
			}
		}
		return zw.Close()
	})
}

// formulaCell is one cell to write: 1-based row and column, and either a
// formula (f, without its "=", and the value to cache) or a typed value (t
// "n" with v a number, or t "b" with v "1" or "0") or text (t "inlineStr"
// with v the text, "" for a cell without a value).
type formulaCell struct {
	row, col  int
	f, cached string
	t, v      string
	// likeColumn gives a typed number written into a cell without a style
	// the style of the nearest styled cell above it (WriteTypedFormatted).
	likeColumn bool
}

// workbookPart returns the name of the workbook part, as the package
// relationships give it.
func workbookPart(b *book) (string, error) {
	name := "xl/workbook.xml"
	if rels, ok := b.entries["_rels/.rels"]; ok {
		targets, err := readRels(rels, "")
		if err != nil {
			return "", err
		}
		for _, r := range targets {
			if strings.HasSuffix(r.typ, "/officeDocument") {
				name = r.target
			}
		}
	}
	return name, nil
}

var (
	calcPrTag      = regexp.MustCompile(`<(?:\w+:)?calcPr\b[^>]*>`)
	fullCalcAttr   = regexp.MustCompile(`\sfullCalcOnLoad="[^"]*"`)
	calcPrTagStart = regexp.MustCompile(`^<(?:\w+:)?calcPr\b`)
)

// fullCalcOnLoad sets fullCalcOnLoad="1" on the workbook's calcPr element.
// calcPr has a fixed place in the workbook schema, so a workbook without it
// is left alone rather than risk a file Excel calls damaged.
func fullCalcOnLoad(wb []byte) []byte {
	return calcPrTag.ReplaceAllFunc(wb, func(tag []byte) []byte {
		tag = fullCalcAttr.ReplaceAll(tag, nil)
		loc := calcPrTagStart.FindIndex(tag)
		return slices.Concat(tag[:loc[1]], []byte(` fullCalcOnLoad="1"`), tag[loc[1]:])
	})
}

// cellSpan is one <c> element of a worksheet, kept as raw bytes.
type cellSpan struct {
	col        int
	start, end int
	style      string // the s attribute, "" when absent
	formula    bool
	// text is the <f> element's text; shared marks a cell of a shared
	// formula that does not hold the text (only the run's first does).
	text   []byte
	shared bool
}

// cellRow is one <row> element with its cells. tagEnd is the end of its
// start tag, closeAt the offset of its end tag (== end when self-closing).
type cellRow struct {
	num                int
	start, tagEnd, end int
	closeAt            int
	cells              []cellSpan
}

type cellLayout struct {
	sheetLayout
	rows []cellRow
}

// scanCells locates every row and cell of sheetData with the raw tokenizer,
// as scanSheet does for rows.
func scanCells(src []byte) (cellLayout, error) {
	base, err := scanSheet(src)
	if err != nil {
		return cellLayout{}, err
	}
	l := cellLayout{sheetLayout: base}
	d := xml.NewDecoder(bytes.NewReader(src[base.contentStart:base.contentEnd]))
	d.Strict = false
	off := base.contentStart
	depth, lastRow := 0, 0
	var cur *cellRow
	var cell *cellSpan
	inF := false
	for {
		before := off + int(d.InputOffset())
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return l, nil
		}
		if err != nil {
			return l, fmt.Errorf("parse worksheet: %w: %w", audit.ErrInvalid, err)
		}
		after := off + int(d.InputOffset())
		selfClosing := bytes.HasSuffix(src[before:after], []byte("/>"))
		switch t := tok.(type) {
		case xml.StartElement:
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
				l.rows = append(l.rows, cellRow{num: num, start: before, tagEnd: after})
				cur = &l.rows[len(l.rows)-1]
				if selfClosing {
					cur.end, cur.closeAt = after, after
				}
			case depth == 2 && cur != nil && t.Name.Local == "c":
				col := 1
				if n := len(cur.cells); n > 0 {
					col = cur.cells[n-1].col + 1
				}
				cs := cellSpan{start: before}
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "r":
						if c, _, err := excelize.CellNameToCoordinates(a.Value); err == nil {
							col = c
						}
					case "s":
						cs.style = a.Value
					}
				}
				cs.col = col
				if selfClosing {
					cs.end = after
				}
				cur.cells = append(cur.cells, cs)
				cell = &cur.cells[len(cur.cells)-1]
			case depth == 3 && cell != nil && t.Name.Local == "f":
				cell.formula, inF = true, true
				var typ, ref string
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "t":
						typ = a.Value
					case "ref":
						ref = a.Value
					}
				}
				cell.shared = typ == "shared" && ref == ""
			}
		case xml.CharData:
			if inF {
				cell.text = append(cell.text, t...)
			}
		case xml.EndElement:
			inF = false
			switch {
			case depth == 1 && cur != nil && t.Name.Local == "row":
				if cur.end == 0 {
					cur.closeAt, cur.end = before, after
				}
				cur = nil
			case depth == 2 && cell != nil && t.Name.Local == "c":
				if cell.end == 0 {
					cell.end = after
				}
				cell = nil
			}
			depth--
		}
	}
}

// setFormulasXML returns the worksheet with each of cells (sorted by row,
// then column) as a formula cell (or a typed cell, see formulaCell), replacing the cell that was there and
// adding the cell or its row where missing. Everything else is copied byte
// for byte.
func setFormulasXML(src []byte, cells []formulaCell) ([]byte, error) {
	l, err := scanCells(src)
	if err != nil {
		return nil, err
	}
	p := l.prefix
	var b bytes.Buffer
	b.Grow(len(src) + 64*len(cells))
	head := src[:l.dataStart]
	lastRow, lastCol := 0, 0
	if m := dimensionRef.FindSubmatch(head); m != nil {
		ref := string(m[2])
		if _, end, ok := strings.Cut(ref, ":"); ok {
			ref = end
		}
		if c, r, err := excelize.CellNameToCoordinates(ref); err == nil {
			lastRow, lastCol = r, c
		}
	}
	for _, c := range cells {
		lastRow, lastCol = max(lastRow, c.row), max(lastCol, c.col)
	}
	b.Write(patchDimension(head, lastRow, lastCol))
	b.WriteString("<" + p + "sheetData>")
	i := 0 // next formula cell
	// colStyle is, per column, the style of the last styled cell above:
	// a number written where no cell (or an unstyled one) was, such as a
	// re-added row below the old last row, takes its column's number
	// format, so a date shows as a date and not as its serial.
	colStyle := map[int]string{}
	styleOf := func(c formulaCell, style string) string {
		if style == "" && c.likeColumn {
			return colStyle[c.col]
		}
		return style
	}
	newRow := func(num int) {
		b.WriteString("<" + p + `row r="` + strconv.Itoa(num) + `">`)
		for ; i < len(cells) && cells[i].row == num; i++ {
			writeFormulaCell(&b, p, cells[i], styleOf(cells[i], ""))
		}
		b.WriteString("</" + p + "row>")
	}
	remember := func(r cellRow) {
		for _, c := range r.cells {
			if c.style != "" {
				colStyle[c.col] = c.style
			}
		}
	}
	for _, r := range l.rows {
		for i < len(cells) && cells[i].row < r.num {
			newRow(cells[i].row)
		}
		if i == len(cells) || cells[i].row != r.num {
			b.Write(src[r.start:r.end])
			remember(r)
			continue
		}
		// The row gets formulas: its start tag without spans (a hint that
		// may no longer cover the cells), its cells merged with them.
		tag := spansAttr.ReplaceAll(slices.Clone(src[r.start:r.tagEnd]), nil)
		if r.closeAt == r.end { // <row …/>
			tag = append(bytes.TrimRight(bytes.TrimSuffix(tag, []byte("/>")), " \t\r\n"), '>')
		}
		b.Write(tag)
		pos := r.tagEnd
		for _, c := range r.cells {
			b.Write(src[pos:c.start])
			pos = c.start
			for i < len(cells) && cells[i].row == r.num && cells[i].col < c.col {
				writeFormulaCell(&b, p, cells[i], styleOf(cells[i], ""))
				i++
			}
			if i < len(cells) && cells[i].row == r.num && cells[i].col == c.col {
				writeFormulaCell(&b, p, cells[i], styleOf(cells[i], c.style))
				pos = c.end
				i++
			}
		}
		if r.closeAt != r.end {
			b.Write(src[pos:r.closeAt])
		}
		for ; i < len(cells) && cells[i].row == r.num; i++ {
			writeFormulaCell(&b, p, cells[i], styleOf(cells[i], ""))
		}
		remember(r)
		b.WriteString("</" + p + "row>")
	}
	for i < len(cells) {
		newRow(cells[i].row)
	}
	b.WriteString("</" + p + "sheetData>")
	b.Write(src[l.dataEnd:])
	return b.Bytes(), nil
}

var spansAttr = regexp.MustCompile(`\sspans="[^"]*"`)

// writeFormulaCell writes a formula cell; its cached value, if any, is a
// string result (t="str"), which readers show as it is. A typed cell is
// written as a number or boolean cell instead, a text cell as an inline
// string, as ReplaceTab writes them.
func writeFormulaCell(b *bytes.Buffer, p string, c formulaCell, style string) {
	ref, _ := excelize.CoordinatesToCellName(c.col, c.row)
	b.WriteString("<" + p + `c r="` + ref + `"`)
	if style != "" {
		b.WriteString(` s="` + style + `"`)
	}
	switch {
	case c.t == "inlineStr" && c.v == "":
		b.WriteString("/>") // a cleared cell keeps only its style
		return
	case c.t == "inlineStr":
		b.WriteString(` t="inlineStr"><` + p + `is><` + p + `t xml:space="preserve">`)
		writeText(b, c.v)
		b.WriteString("</" + p + "t></" + p + "is></" + p + "c>")
		return
	case c.t != "":
		b.WriteString(` t="` + c.t + `"><` + p + "v>" + c.v + "</" + p + "v></" + p + "c>")
		return
	}
	if c.cached != "" {
		b.WriteString(` t="str"`)
	}
	b.WriteString("><" + p + "f>")
	writeText(b, c.f)
	b.WriteString("</" + p + "f>")
	if c.cached != "" {
		b.WriteString("<" + p + "v>")
		writeText(b, c.cached)
		b.WriteString("</" + p + "v>")
	}
	b.WriteString("</" + p + "c>")
}
