package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.BatchWriter = (*Workbook)(nil)

// Relationship and content types of the parts a write-back may add.
const (
	relWorksheetType = nsRelations + "/worksheet"
	relHyperlinkType = nsRelations + "/hyperlink"
	relStylesType    = nsRelations + "/styles"
	ctWorksheet      = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
	nsMain           = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
)

// WriteBack implements audit.BatchWriter: every tab of b is written in ONE
// save of the workbook (a temporary file, fsynced, renamed over the
// original), so after a crash the file holds all of b or none of it.
//
// Only the written tabs' worksheet parts (and their relationships) change,
// plus, when needed, the styles part (the header, date-time, wrap and link
// styles and the highlight colours, added once and found again after),
// the workbook part, its relationships and [Content_Types].xml (for a tab
// created now). Every other part is copied byte for byte.
//
// Cells are typed: text as inline strings (never formulas, whatever they
// hold), numbers as t="n", times as date-time serials in b.Location with a
// yyyy-mm-dd hh:mm:ss format. A Cell.Link becomes a hyperlink: "#'Tab'!B7"
// a link inside the workbook, anything else an external relationship. A
// TabWrite's Layout becomes frozen header rows, bold header cells, column
// widths, wrapped columns, an autoFilter over the header and the rows
// below it, and each Highlight a conditional format (so sorting keeps the
// colours right); a nil Layout leaves the tab's formats as they are.
// Header rows are written above Rows when an append finds the tab missing
// or without any value. Errors wrap audit.ErrInvalid for a tab name Excel
// refuses or rows beyond its grid, and audit.ErrNotFound for a missing
// file; on any error the file is unchanged.
func (w *Workbook) WriteBack(ctx context.Context, b *audit.WriteBack) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b == nil || len(b.Tabs) == 0 {
		return nil
	}
	for _, t := range b.Tabs {
		if err := checkTitle(t.Title); err != nil {
			return fmt.Errorf("write back to %q: %w", w.path, err)
		}
		if n := len(t.Rows) + len(t.Header); n > maxRows {
			return fmt.Errorf("write back to tab %q: %d rows exceed the %d rows of an Excel sheet: %w", t.Title, n, maxRows, audit.ErrInvalid)
		}
	}
	loc := b.Location
	if loc == nil {
		loc = time.UTC
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	start := time.Now()
	c, err := w.load()
	if err != nil {
		return err
	}
	p, err := planBatch(c, b, loc)
	if err != nil {
		return fmt.Errorf("write back to %q: %w", w.path, err)
	}
	if err := w.save(ctx, p.write); err != nil {
		return fmt.Errorf("write back: %w", err)
	}
	titles := make([]string, len(b.Tabs))
	for i, t := range b.Tabs {
		titles[i] = t.Title
	}
	w.log.Debug("write-back saved", zap.String("file", w.path), zap.Strings("tabs", titles),
		zap.String("cycle", b.Cycle), zap.Duration("duration", time.Since(start)))
	return nil
}

// checkTitle refuses tab names Excel cannot hold.
func checkTitle(title string) error {
	switch {
	case strings.TrimSpace(title) == "":
		return fmt.Errorf("a tab name is empty: %w", audit.ErrInvalid)
	case len([]rune(title)) > 31:
		return fmt.Errorf("tab name %q is longer than the 31 characters Excel allows (shorten it in the config): %w", title, audit.ErrInvalid)
	case strings.ContainsAny(title, `:\/?*[]`):
		return fmt.Errorf("tab name %q holds one of : \\ / ? * [ ], which Excel does not allow (rename it in the config): %w", title, audit.ErrInvalid)
	case strings.HasPrefix(title, "'") || strings.HasSuffix(title, "'"):
		return fmt.Errorf("tab name %q starts or ends with an apostrophe, which Excel does not allow: %w", title, audit.ErrInvalid)
	}
	return nil
}

// batchPlan is the new content of the parts a write-back changes, and the
// parts it adds, in the order they are added.
type batchPlan struct {
	zr      *zip.Reader
	parts   map[string][]byte // existing part → new content
	added   []string          // new parts, in order
	dropped map[string]bool
}

func (p *batchPlan) content(name string) ([]byte, bool, error) {
	if b, ok := p.parts[name]; ok {
		return b, true, nil
	}
	for _, f := range p.zr.File {
		if f.Name == name {
			b, err := readEntry(f)
			return b, true, err
		}
	}
	return nil, false, nil
}

func (p *batchPlan) set(name string, b []byte) {
	if _, ok := p.parts[name]; !ok && !p.exists(name) {
		p.added = append(p.added, name)
	}
	p.parts[name] = b
}

func (p *batchPlan) exists(name string) bool {
	for _, f := range p.zr.File {
		if f.Name == name {
			return true
		}
	}
	return false
}

// write writes the package: the original parts in their order, changed
// ones with their new content, the others as their exact bytes, then the
// added parts.
func (p *batchPlan) write(dst io.Writer) error {
	zw := zip.NewWriter(dst)
	for _, f := range p.zr.File {
		var err error
		switch b, ok := p.parts[f.Name]; {
		case p.dropped[f.Name]:
			continue
		case ok:
			err = writeEntry(zw, f, b)
		default:
			err = zw.Copy(f)
		}
		if err != nil {
			return fmt.Errorf("write part %q: %w", f.Name, err)
		}
	}
	for _, name := range p.added {
		hdr := &zip.File{FileHeader: zip.FileHeader{Name: name, Modified: time.Now()}}
		if err := writeEntry(zw, hdr, p.parts[name]); err != nil {
			return fmt.Errorf("write part %q: %w", name, err)
		}
	}
	return zw.Close()
}

// planBatch computes the new content of every part the write-back touches.
func planBatch(c *openFile, b *audit.WriteBack, loc *time.Location) (*batchPlan, error) {
	p := &batchPlan{zr: c.book.zr, parts: map[string][]byte{}, dropped: map[string]bool{}}
	wbPart, err := workbookPart(c.book)
	if err != nil {
		return nil, err
	}
	wbRels := relsPartOf(wbPart)
	stylesPart := ""
	if rf, ok := c.book.entries[wbRels]; ok {
		rels, err := readRels(rf, path.Dir(wbPart)+"/")
		if err != nil {
			return nil, err
		}
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/styles") {
				stylesPart = r.target
			}
		}
	}
	var st batchStyles
	if stylesPart != "" {
		orig, _, err := p.content(stylesPart)
		if err != nil {
			return nil, err
		}
		var out []byte
		if st, out, err = planStyles(orig); err != nil {
			return nil, fmt.Errorf("add the tabs' styles: %w", err)
		}
		if out != nil {
			p.set(stylesPart, out)
		}
	}
	created := map[string]string{} // title (lower case) → part, for tabs created in this batch
	for _, t := range b.Tabs {
		part := ""
		if sh, ok := c.book.sheet(t.Title); ok {
			if sh.part == "" {
				return nil, fmt.Errorf("tab %q: the workbook lists it but holds no data for it (save it again from Excel or WPS): %w", t.Title, audit.ErrInvalid)
			}
			part = sh.part
		} else if pt, ok := created[strings.ToLower(t.Title)]; ok {
			part = pt
		} else {
			if part, err = p.createTab(c, wbPart, t.Title); err != nil {
				return nil, fmt.Errorf("create tab %q: %w", t.Title, err)
			}
			created[strings.ToLower(t.Title)] = part
		}
		src, _, err := p.content(part)
		if err != nil {
			return nil, err
		}
		relsName := relsPartOf(part)
		rels, _, err := p.content(relsName)
		if err != nil {
			return nil, err
		}
		date1904 := c.book.date1904
		out, relsOut, formulasDropped, err := buildSheet(src, rels, t, st, loc, date1904)
		if err != nil {
			return nil, fmt.Errorf("tab %q: %w", t.Title, err)
		}
		p.set(part, out)
		if relsOut != nil {
			p.set(relsName, relsOut)
		}
		if formulasDropped && p.exists("xl/calcChain.xml") {
			// Excel calls a file damaged whose calculation chain names a
			// cell without a formula; without the chain it builds one.
			p.dropped["xl/calcChain.xml"] = true
			for _, name := range []string{"[Content_Types].xml", wbRels} {
				b, ok, err := p.content(name)
				if err != nil {
					return nil, err
				}
				if ok {
					p.parts[name] = calcChainRefs.ReplaceAll(b, nil)
				}
			}
		}
	}
	return p, nil
}

var (
	sheetsClose  = regexp.MustCompile(`</(?:\w+:)?sheets>`)
	sheetsEmpty  = regexp.MustCompile(`<((?:\w+:)?)sheets\s*/>`)
	sheetIDAttr  = regexp.MustCompile(`<(?:\w+:)?sheet\s[^>]*?\ssheetId="(\d+)"`)
	relIDAttr    = regexp.MustCompile(`\sId="([^"]*)"`)
	relsClose    = regexp.MustCompile(`</(?:\w+:)?Relationships>`)
	typesClose   = regexp.MustCompile(`</(?:\w+:)?Types>`)
	rootNSPrefix = regexp.MustCompile(`\sxmlns:(\w+)="` + regexp.QuoteMeta(nsRelations) + `"`)
)

// createTab adds an empty tab at the end of the workbook: a worksheet
// part, its entry in the workbook part, a relationship and a content type.
func (p *batchPlan) createTab(c *openFile, wbPart, title string) (string, error) {
	n := 1
	for ; ; n++ {
		name := fmt.Sprintf("xl/worksheets/sheet%d.xml", n)
		if _, taken := p.parts[name]; !taken && !p.exists(name) {
			break
		}
	}
	part := fmt.Sprintf("xl/worksheets/sheet%d.xml", n)
	wbRels := relsPartOf(wbPart)
	rels, ok, err := p.content(wbRels)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("the workbook part has no relationships: %w", audit.ErrInvalid)
	}
	ids := map[string]bool{}
	for _, m := range relIDAttr.FindAllSubmatch(rels, -1) {
		ids[string(m[1])] = true
	}
	rid := ""
	for i := 1; ; i++ {
		if rid = "rIdSA" + strconv.Itoa(i); !ids[rid] {
			break
		}
	}
	target, err := relTarget(path.Dir(wbPart), part)
	if err != nil {
		return "", err
	}
	loc := relsClose.FindIndex(rels)
	if loc == nil {
		return "", fmt.Errorf("part %q has no Relationships element: %w", wbRels, audit.ErrInvalid)
	}
	rel := fmt.Sprintf(`<Relationship Id="%s" Type="%s" Target="%s"/>`, rid, relWorksheetType, escapeAttr(target))
	p.parts[wbRels] = slices.Concat(rels[:loc[0]], []byte(rel), rels[loc[0]:])

	wb, _, err := p.content(wbPart)
	if err != nil {
		return "", err
	}
	sheetID := 0
	for _, m := range sheetIDAttr.FindAllSubmatch(wb, -1) {
		if v, err := strconv.Atoi(string(m[1])); err == nil {
			sheetID = max(sheetID, v)
		}
	}
	rp := ""
	if m := rootNSPrefix.FindSubmatch(wb); m != nil {
		rp = string(m[1])
	}
	prefix := ""
	if m := regexp.MustCompile(`<(\w+:)?workbook[\s>]`).FindSubmatch(wb); m != nil {
		prefix = string(m[1])
	}
	var el string
	if rp != "" {
		el = fmt.Sprintf(`<%ssheet name="%s" sheetId="%d" %s:id="%s"/>`, prefix, escapeAttr(title), sheetID+1, rp, rid)
	} else {
		el = fmt.Sprintf(`<%ssheet name="%s" sheetId="%d" xmlns:r="%s" r:id="%s"/>`, prefix, escapeAttr(title), sheetID+1, nsRelations, rid)
	}
	if loc := sheetsClose.FindIndex(wb); loc != nil {
		wb = slices.Concat(wb[:loc[0]], []byte(el), wb[loc[0]:])
	} else if m := sheetsEmpty.FindSubmatchIndex(wb); m != nil {
		pre := string(wb[m[2]:m[3]])
		wb = slices.Concat(wb[:m[0]], []byte("<"+pre+"sheets>"+el+"</"+pre+"sheets>"), wb[m[1]:])
	} else {
		return "", fmt.Errorf("the workbook part has no sheets element: %w", audit.ErrInvalid)
	}
	p.parts[wbPart] = wb

	ct, ok, err := p.content("[Content_Types].xml")
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("the package has no [Content_Types].xml: %w", audit.ErrInvalid)
	}
	tloc := typesClose.FindIndex(ct)
	if tloc == nil {
		return "", fmt.Errorf("[Content_Types].xml has no Types element: %w", audit.ErrInvalid)
	}
	ov := fmt.Sprintf(`<Override PartName="/%s" ContentType="%s"/>`, part, ctWorksheet)
	p.parts["[Content_Types].xml"] = slices.Concat(ct[:tloc[0]], []byte(ov), ct[tloc[0]:])

	p.set(part, []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
		`<worksheet xmlns="`+nsMain+`" xmlns:r="`+nsRelations+`"><sheetData/>`+
		`<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`))
	return part, nil
}

// relTarget is part relative to the folder dir, as relationships name
// their targets.
func relTarget(dir, part string) (string, error) {
	if dir == "." || dir == "" {
		return part, nil
	}
	if rest, ok := strings.CutPrefix(part, dir+"/"); ok {
		return rest, nil
	}
	return "/" + part, nil
}

// schemaOrder is the order of a worksheet's children (CT_Worksheet).
var schemaOrder = func() map[string]int {
	m := map[string]int{}
	for i, n := range []string{"sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData",
		"sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
		"dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
		"dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
		"rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
		"drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
		"webPublishItems", "tableParts", "extLst"} {
		m[n] = i
	}
	return m
}()

// span is one child element of the worksheet, by byte offsets.
type span struct {
	name       string
	start, end int
}

// children lists the elements directly inside the worksheet in src[from:to];
// the range starts inside the root element.
func children(src []byte, from, to int) ([]span, error) {
	d := xml.NewDecoder(bytes.NewReader(src[from:to]))
	d.Strict = false
	var out []span
	depth := 0
	for {
		before := from + int(d.InputOffset())
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parse worksheet: %w: %w", audit.ErrInvalid, err)
		}
		after := from + int(d.InputOffset())
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				out = append(out, span{name: t.Name.Local, start: before})
				if bytes.HasSuffix(src[before:after], []byte("/>")) {
					out[len(out)-1].end = after // RawToken reports a matching end next
				}
			}
			depth++
		case xml.EndElement:
			if depth == 0 {
				return out, nil // </worksheet>
			}
			depth--
			if depth == 0 && out[len(out)-1].end == 0 {
				out[len(out)-1].end = after
			}
		}
	}
}

// buildSheet returns the worksheet src with t written into it, its new
// relationships part (nil when unchanged) and whether cells with formulas
// were dropped.
func buildSheet(src, rels []byte, t audit.TabWrite, st batchStyles, loc *time.Location, date1904 bool) ([]byte, []byte, bool, error) {
	l, err := scanSheet(src)
	if err != nil {
		return nil, nil, false, err
	}
	rootEnd, relPrefix, err := rootStart(src[:l.dataStart])
	if err != nil {
		return nil, nil, false, err
	}
	head, err := children(src, rootEnd, l.dataStart)
	if err != nil {
		return nil, nil, false, err
	}
	tail, err := childrenAfter(src, l.dataEnd)
	if err != nil {
		return nil, nil, false, err
	}
	p := l.prefix

	lastValue := 0
	for _, r := range l.rows {
		if r.hasValue {
			lastValue = r.num
		}
	}
	first, rows := 1, t.Rows
	var kept []rowSpan
	if t.Append {
		first = lastValue + 1
		for _, r := range l.rows {
			if r.num <= lastValue {
				kept = append(kept, r)
			}
		}
		if lastValue == 0 && len(t.Header) > 0 {
			rows = append(slices.Clone(t.Header), rows...)
		}
	}
	lastRow := first - 1 + len(rows)
	if lastRow > maxRows {
		return nil, nil, false, fmt.Errorf("%d rows from row %d exceed the %d rows of an Excel sheet (clear old rows of the tab): %w", len(rows), first, maxRows, audit.ErrInvalid)
	}
	lastCol := 0
	for i, r := range rows {
		if len(r) > maxCols {
			return nil, nil, false, fmt.Errorf("row %d has %d cells, more than the %d columns of an Excel sheet: %w", first+i, len(r), maxCols, audit.ErrInvalid)
		}
		lastCol = max(lastCol, len(r))
	}
	if t.Append {
		if m := dimensionRef.FindSubmatch(src[:l.dataStart]); m != nil {
			ref := string(m[2])
			if _, end, ok := strings.Cut(ref, ":"); ok {
				ref = end
			}
			if c, r, err := excelize.CellNameToCoordinates(ref); err == nil {
				lastCol = max(lastCol, c)
				lastRow = max(lastRow, min(r, lastValue))
			}
		}
	}
	lay := t.Layout
	if lay != nil {
		lastCol = max(lastCol, len(lay.Widths))
	}
	// styled is the layout the new cells are styled by: the one sent, or
	// else the one the tab already shows.
	styled := lay
	if styled == nil {
		styled = keptLayout(src, l, st)
	}
	headerRows := 0
	if styled != nil {
		headerRows = styled.HeaderRows
	}

	// Hyperlinks: an append keeps those of the rows it keeps.
	var links bytes.Buffer
	var oldLinks []byte
	for _, s := range tail {
		if s.name == "hyperlinks" && t.Append {
			oldLinks = append(oldLinks, innerOf(src[s.start:s.end])...)
		}
	}
	links.Write(oldLinks)
	newRels, relIDs := relsWithoutLinks(rels, t.Append)
	relsChanged := !t.Append && !bytes.Equal(newRels, rels)
	nextRel := 1
	addLink := func(ref, target, shown string) {
		if loc, ok := strings.CutPrefix(target, "#"); ok {
			fmt.Fprintf(&links, `<%shyperlink ref="%s" location="%s" display="%s"/>`, p, ref, escapeAttr(loc), escapeAttr(shown))
			return
		}
		id := ""
		for {
			id = "rIdL" + strconv.Itoa(nextRel)
			nextRel++
			if !relIDs[id] {
				break
			}
		}
		relIDs[id] = true
		newRels = addRel(newRels, fmt.Sprintf(`<Relationship Id="%s" Type="%s" Target="%s" TargetMode="External"/>`,
			id, relHyperlinkType, escapeAttr(target)))
		relsChanged = true
		if relPrefix != "" {
			fmt.Fprintf(&links, `<%shyperlink ref="%s" %s:id="%s" display="%s"/>`, p, ref, relPrefix, id, escapeAttr(shown))
		} else {
			fmt.Fprintf(&links, `<%shyperlink xmlns:r="%s" ref="%s" r:id="%s" display="%s"/>`, p, nsRelations, ref, id, escapeAttr(shown))
		}
	}
	wrap, bold := map[int]bool{}, map[int]bool{}
	if styled != nil {
		for _, c := range styled.Wrap {
			wrap[c] = true
		}
		for _, r := range styled.BoldRows {
			bold[r+1] = true
		}
	}

	var data bytes.Buffer
	data.Grow(64 * len(rows))
	data.WriteString("<" + p + "sheetData>")
	for _, r := range kept {
		data.Write(src[r.start:r.end])
	}
	for i, r := range rows {
		num := first + i
		ht := 0.0
		if styled != nil && num > headerRows {
			ht = rowHeight(r, styled)
		}
		writeTypedRow(&data, p, num, ht, r, func(col int, c audit.Cell) int {
			switch {
			case num <= headerRows, bold[num] && c.Kind == audit.TextCell:
				return st.header
			case c.Link != "":
				return st.link
			case c.Kind == audit.TimeCell:
				return st.time
			case c.Kind == audit.NumberCell && styled != nil:
				return st.number
			case c.Kind == audit.TextCell && wrap[col]:
				return st.wrap
			case styled != nil:
				return st.plain
			}
			return 0
		}, loc, date1904, addLink)
	}
	data.WriteString("</" + p + "sheetData>")

	// The elements this write owns, by schema name.
	own := map[string][]byte{}
	dimEnd := "A1"
	if lastRow > 0 && lastCol > 0 {
		if end, err := excelize.CoordinatesToCellName(lastCol, lastRow); err == nil && end != "A1" {
			dimEnd = "A1:" + end
		}
	}
	own["dimension"] = []byte(`<` + p + `dimension ref="` + dimEnd + `"/>`)
	if links.Len() > 0 {
		own["hyperlinks"] = slices.Concat([]byte("<"+p+"hyperlinks>"), links.Bytes(), []byte("</"+p+"hyperlinks>"))
	} else {
		own["hyperlinks"] = nil
	}
	if lay != nil {
		selected := false
		for _, s := range head {
			if s.name == "sheetViews" && bytes.Contains(src[s.start:s.end], []byte(`tabSelected="1"`)) {
				selected = true
			}
		}
		own["sheetViews"] = sheetViews(p, headerRows, selected)
		own["cols"] = colsXML(p, lay.Widths)
		own["autoFilter"] = nil
		if lay.Filter && lastCol > 0 {
			h := max(headerRows, 1)
			end, _ := excelize.CoordinatesToCellName(lastCol, max(lastRow, h))
			start, _ := excelize.CoordinatesToCellName(1, h)
			own["autoFilter"] = []byte(`<` + p + `autoFilter ref="` + start + ":" + end + `"/>`)
		}
		own["conditionalFormatting"] = conditionalXML(p, lay, headerRows, lastCol, st)
	} else {
		for _, s := range tail {
			if s.name == "autoFilter" {
				own["autoFilter"] = stretchFilter(src[s.start:s.end], lastRow, 0)
			}
		}
	}

	var out bytes.Buffer
	out.Grow(len(src) + data.Len())
	out.Write(src[:rootEnd])
	pending := make([]string, 0, len(own))
	for name, b := range own {
		if b != nil {
			pending = append(pending, name)
		}
	}
	slices.SortFunc(pending, func(a, b string) int { return schemaOrder[a] - schemaOrder[b] })
	flush := func(upTo int) {
		for len(pending) > 0 && schemaOrder[pending[0]] < upTo {
			out.Write(own[pending[0]])
			pending = pending[1:]
		}
	}
	kids := slices.Concat(head, []span{{name: "sheetData"}}, tail)
	for _, k := range kids {
		if _, owned := own[k.name]; owned {
			continue
		}
		if i, known := schemaOrder[k.name]; known {
			flush(i)
		}
		if k.name == "sheetData" {
			out.Write(data.Bytes())
			continue
		}
		out.Write(src[k.start:k.end])
	}
	flush(math.MaxInt)
	out.WriteString("</" + p + "worksheet>")

	var relsOut []byte
	if relsChanged {
		relsOut = newRels
	}
	dropped := !t.Append && l.formulas
	return out.Bytes(), relsOut, dropped, nil
}

// childrenAfter lists the worksheet's children after sheetData.
func childrenAfter(src []byte, from int) ([]span, error) { return children(src, from, len(src)) }

// rootStart returns the offset just after the worksheet's start tag and the
// prefix bound there to the relationships namespace ("" if none).
func rootStart(head []byte) (int, string, error) {
	d := xml.NewDecoder(bytes.NewReader(head))
	d.Strict = false
	for {
		tok, err := d.RawToken()
		if err != nil {
			return 0, "", fmt.Errorf("parse worksheet: %w: %w", audit.ErrInvalid, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			rp := ""
			for _, a := range se.Attr {
				if a.Name.Space == "xmlns" && a.Value == nsRelations {
					rp = a.Name.Local
				}
			}
			return int(d.InputOffset()), rp, nil
		}
	}
}

// innerOf returns an element's content between its start and end tags.
func innerOf(el []byte) []byte {
	i := bytes.IndexByte(el, '>')
	j := bytes.LastIndex(el, []byte("</"))
	if i < 0 || j <= i || el[i-1] == '/' {
		return nil
	}
	return el[i+1 : j]
}

// relsWithoutLinks returns the sheet's relationships, without the
// hyperlink ones unless keep, and the ids in use.
func relsWithoutLinks(rels []byte, keep bool) ([]byte, map[string]bool) {
	ids := map[string]bool{}
	if rels == nil {
		return []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>`), ids
	}
	out := rels
	if !keep {
		out = relElem.ReplaceAllFunc(rels, func(el []byte) []byte {
			if bytes.Contains(el, []byte(relHyperlinkType+`"`)) {
				return nil
			}
			return el
		})
	}
	for _, m := range relIDAttr.FindAllSubmatch(out, -1) {
		ids[string(m[1])] = true
	}
	return out, ids
}

func addRel(rels []byte, el string) []byte {
	loc := relsClose.FindIndex(rels)
	if loc == nil {
		return rels
	}
	return slices.Concat(rels[:loc[0]], []byte(el), rels[loc[0]:])
}

// sheetViews freezes the header rows.
func sheetViews(p string, headerRows int, selected bool) []byte {
	sel := ""
	if selected {
		sel = ` tabSelected="1"`
	}
	if headerRows <= 0 {
		return []byte(`<` + p + `sheetViews><` + p + `sheetView workbookViewId="0"` + sel + `/></` + p + `sheetViews>`)
	}
	top := "A" + strconv.Itoa(headerRows+1)
	return []byte(fmt.Sprintf(`<%[1]ssheetViews><%[1]ssheetView workbookViewId="0"%[2]s>`+
		`<%[1]spane ySplit="%[3]d" topLeftCell="%[4]s" activePane="bottomLeft" state="frozen"/>`+
		`<%[1]sselection pane="bottomLeft" activeCell="%[4]s" sqref="%[4]s"/></%[1]ssheetView></%[1]ssheetViews>`,
		p, sel, headerRows, top))
}

// colsXML sets the column widths, given in pixels: Excel measures them in
// characters of the default font's digit width, 7 pixels for Calibri 11.
func colsXML(p string, widths []int) []byte {
	var b bytes.Buffer
	for i, px := range widths {
		if px <= 0 {
			continue
		}
		chars := math.Round(float64(px)/7*100) / 100
		fmt.Fprintf(&b, `<%scol min="%d" max="%d" width="%s" customWidth="1"/>`, p, i+1, i+1, strconv.FormatFloat(chars, 'f', -1, 64))
	}
	if b.Len() == 0 {
		return nil
	}
	return slices.Concat([]byte("<"+p+"cols>"), b.Bytes(), []byte("</"+p+"cols>"))
}

// conditionalXML colours the rows below the header whose cell in a
// highlight's column equals its value.
func conditionalXML(p string, lay *audit.Layout, headerRows, lastCol int, st batchStyles) []byte {
	if len(lay.Highlights) == 0 || lastCol == 0 {
		return nil
	}
	first := headerRows + 1
	end, _ := excelize.ColumnNumberToName(lastCol)
	sqref := "A" + strconv.Itoa(first) + ":" + end + strconv.Itoa(maxRows)
	var b bytes.Buffer
	b.WriteString(`<` + p + `conditionalFormatting sqref="` + sqref + `">`)
	n := 0
	for _, h := range lay.Highlights {
		dxf, ok := st.dxf[h.Tone]
		if !ok || h.Column < 0 {
			continue
		}
		n++
		col, _ := excelize.ColumnNumberToName(h.Column + 1)
		formula := fmt.Sprintf(`TRIM($%s%d)="%s"`, col, first, strings.ReplaceAll(strings.TrimSpace(h.Value), `"`, `""`))
		fmt.Fprintf(&b, `<%scfRule type="expression" dxfId="%d" priority="%d" stopIfTrue="1"><%sformula>`, p, dxf, n, p)
		writeText(&b, formula)
		b.WriteString(`</` + p + `formula></` + p + `cfRule>`)
	}
	if n == 0 {
		return nil
	}
	b.WriteString(`</` + p + `conditionalFormatting>`)
	return b.Bytes()
}

// writeTypedRow writes one row of typed cells; style picks each cell's
// style and link records a cell's link.
func writeTypedRow(b *bytes.Buffer, p string, num int, ht float64, cells []audit.Cell, style func(int, audit.Cell) int,
	loc *time.Location, date1904 bool, link func(ref, target, shown string)) {
	rs := strconv.Itoa(num)
	if ht > 0 {
		b.WriteString("<" + p + `row r="` + rs + `" ht="` + strconv.FormatFloat(ht, 'f', -1, 64) + `" customHeight="1">`)
	} else {
		b.WriteString("<" + p + `row r="` + rs + `">`)
	}
	for i, c := range cells {
		s := style(i, c)
		if c.Kind == audit.TextCell && c.Text == "" && s == 0 {
			continue
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		ref := col + rs
		sa := ""
		if s > 0 {
			sa = ` s="` + strconv.Itoa(s) + `"`
		}
		switch c.Kind {
		case audit.NumberCell:
			if math.IsNaN(c.Num) || math.IsInf(c.Num, 0) {
				writeInline(b, p, ref, sa, c.String())
				break
			}
			b.WriteString("<" + p + `c r="` + ref + `"` + sa + ` t="n"><` + p + "v>" + formatNumber(c.Num) + "</" + p + "v></" + p + "c>")
		case audit.TimeCell:
			if c.Time.IsZero() {
				b.WriteString("<" + p + `c r="` + ref + `"` + sa + "/>")
				break
			}
			b.WriteString("<" + p + `c r="` + ref + `"` + sa + ` t="n"><` + p + "v>" + formatNumber(serial(c.Time, loc, date1904)) + "</" + p + "v></" + p + "c>")
		default:
			if c.Text == "" {
				b.WriteString("<" + p + `c r="` + ref + `"` + sa + "/>")
				break
			}
			writeInline(b, p, ref, sa, c.Text)
		}
		if c.Link != "" {
			link(ref, c.Link, c.String())
		}
	}
	b.WriteString("</" + p + "row>")
}

func writeInline(b *bytes.Buffer, p, ref, sa, text string) {
	b.WriteString("<" + p + `c r="` + ref + `"` + sa + ` t="inlineStr"><` + p + `is><` + p + `t xml:space="preserve">`)
	writeText(b, text)
	b.WriteString("</" + p + "t></" + p + "is></" + p + "c>")
}

func formatNumber(f float64) string {
	if math.Abs(f) >= 1e21 {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// serial is t's wall-clock time in loc as a spreadsheet date serial.
func serial(t time.Time, loc *time.Location, date1904 bool) float64 {
	wall := t.In(loc)
	y, m, d := wall.Date()
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	days := math.Round(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(base).Hours() / 24)
	secs := wall.Hour()*3600 + wall.Minute()*60 + wall.Second()
	return days + float64(secs)/86400
}

// modifiedBy is who last saved the file, as its core properties say
// (docProps/core.xml lastModifiedBy); "" when they do not.
func (b *book) modifiedBy() string {
	f, ok := b.entries["docProps/core.xml"]
	if !ok || f.UncompressedSize64 > 1<<20 {
		return ""
	}
	rc, err := f.Open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	in := false
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case xml.StartElement:
			in = t.Name.Local == "lastModifiedBy"
		case xml.CharData:
			if in {
				return strings.TrimSpace(string(t))
			}
		case xml.EndElement:
			in = false
		}
	}
}

// Row heights of wrapped text, in points. Spreadsheet programs do not all
// fit a row to its wrapped text when they open a file (LibreOffice keeps
// the default height), so the height is written, estimated from the text:
// a line of 16.5 points per wrapped line (CJK fonts run taller than Latin ones), at most maxLines lines, so one
// long value does not make a row taller than the window.
const (
	lineHeight = 16.5
	maxLines   = 6
)

// rowHeight is the height a row needs for its wrapped cells; 0 when one
// line is enough.
func rowHeight(cells []audit.Cell, lay *audit.Layout) float64 {
	lines := 1
	for _, col := range lay.Wrap {
		if col < 0 || col >= len(cells) || col >= len(lay.Widths) || lay.Widths[col] <= 0 {
			continue
		}
		c := cells[col]
		if c.Kind != audit.TextCell || c.Text == "" {
			continue
		}
		lines = max(lines, wrappedLines(c.Text, lay.Widths[col]))
		if lines >= maxLines {
			lines = maxLines
			break
		}
	}
	if lines <= 1 {
		return 0
	}
	return float64(lines) * lineHeight
}

// wrappedLines estimates the lines text takes in a column px pixels wide,
// breaking as spreadsheet programs do: between CJK characters, and at
// spaces between Latin words (a word that does not fit goes to the next
// line whole). A Latin character is about 7 pixels, a CJK one 12.
func wrappedLines(text string, px int) int {
	avail := float64(px - 8)
	if avail < 20 {
		avail = 20
	}
	lines, w := 1, 0.0
	place := func(width float64) {
		if w > 0 && w+width > avail {
			lines, w = lines+1, 0
		}
		w += width
		for w > avail { // a word longer than the line breaks inside it
			lines, w = lines+1, w-avail
		}
	}
	word := 0.0
	for _, r := range text {
		switch {
		case r == '\n':
			place(word)
			word = 0
			lines, w = lines+1, 0
		case r == ' ':
			place(word + 7)
			word = 0
		case wide(r):
			place(word)
			word = 0
			place(12)
		default:
			word += 7
		}
		if lines > maxLines {
			return lines
		}
	}
	place(word)
	return min(lines, maxLines+1)
}

// wide reports East Asian wide characters (CJK, kana, hangul, full-width
// forms), which take about two Latin characters' width.
func wide(r rune) bool {
	return r >= 0x1100 && (r <= 0x115F || r >= 0x2E80 && r <= 0xA4CF || r >= 0xAC00 && r <= 0xD7A3 ||
		r >= 0xF900 && r <= 0xFAFF || r >= 0xFE30 && r <= 0xFE4F || r >= 0xFF00 && r <= 0xFF60 ||
		r >= 0xFFE0 && r <= 0xFFE6 || r >= 0x20000 && r <= 0x3FFFD)
}
