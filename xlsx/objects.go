package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Notes and charts live outside the worksheet part: comments, VML and
// drawing parts, their relationships and [Content_Types].xml, plus one
// reference element (<legacyDrawing r:id>, <drawing r:id>) in the worksheet.
// excelize knows how to write those parts, but saving through it would
// re-serialise the worksheet too, and the worksheet is the team's data tab.
// So editObjects lets excelize work on a shadow copy and keeps only what it
// produced around the tab:
//
//   - the tab's worksheet part keeps its original bytes; a reference element
//     that excelize added is spliced in at its schema position;
//   - the parts reachable from the tab's relationships through comments,
//     vmlDrawing and drawing relationships, the tab's relationships part
//     and [Content_Types].xml come from excelize;
//   - every other part is copied byte for byte from the original.
//
// For notes the shadow's worksheet is a stub holding only the reference
// elements, so a data tab of a million rows is never parsed.

// Relationship types that lead from a worksheet to its objects.
const (
	relComments   = "/comments"
	relVMLDrawing = "/vmlDrawing"
	relDrawing    = "/drawing"
	relChart      = "/chart"
	nsRelations   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
)

// padMark names the placeholder parts put into the shadow package so that
// excelize, which numbers new parts by counting existing ones, picks numbers
// that are free. They never reach the saved file.
const padMark = "-sheetaudit-pad-"

// objectEdit is the excelize work on the shadow; it reports whether it
// changed anything.
type objectEdit func(f *excelize.File, sheet string) (bool, error)

// editObjects runs edit on a shadow of the workbook and saves the result as
// described above. stub replaces the tab's worksheet in the shadow by the
// reference elements alone. The caller holds w.mu.
func (w *Workbook) editObjects(ctx context.Context, c *openFile, sh bookSheet, stub bool, edit objectEdit) error {
	orig := c.book.entries
	target, ok := orig[sh.part]
	if !ok {
		return fmt.Errorf("tab %q has no worksheet part: %w", sh.name, audit.ErrInvalid)
	}
	// The data tab can be hundreds of megabytes of XML; only its two ends
	// are needed unless excelize must see it whole or an element must be
	// spliced in.
	sb, err := readEnds(target)
	if err != nil {
		return err
	}
	refs, err := scanTail(sb)
	if errors.Is(err, errNeedWhole) {
		if sb, err = readWhole(target); err == nil {
			refs, err = scanTail(sb)
		}
	}
	if err != nil {
		return err
	}
	shadow, err := shadowPackage(c.book.zr, sh.part, refs, stub)
	if err != nil {
		return err
	}
	f, err := excelize.OpenReader(bytes.NewReader(shadow))
	if err != nil {
		return fmt.Errorf("%w: %w", audit.ErrInvalid, err)
	}
	defer f.Close()
	changed, err := edit(f, sh.name)
	if err != nil || !changed {
		return err
	}
	var out bytes.Buffer
	if _, err := f.WriteTo(&out); err != nil {
		return fmt.Errorf("build parts: %w", err)
	}
	ezr, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		return fmt.Errorf("build parts: %w", err)
	}
	ex := make(map[string]*zip.File, len(ezr.File))
	for _, f := range ezr.File {
		ex[f.Name] = f
	}
	exTarget, ok := ex[sh.part]
	if !ok {
		return fmt.Errorf("build parts: the tab's worksheet went missing: %w", audit.ErrInvalid)
	}
	exSheet, err := readWhole(exTarget)
	if err != nil {
		return err
	}
	exRefs, err := scanTail(exSheet)
	if err != nil {
		return err
	}
	adds, err := plannedRefs(refs, exRefs)
	if err != nil {
		return err
	}
	var sheetOut []byte // nil: the part is copied as it is
	if len(adds) > 0 {
		if sb.full == nil {
			if sb, err = readWhole(target); err != nil {
				return err
			}
		}
		sheetOut = splice(sb.full, adds)
	}

	relsName := relsPartOf(sh.part)
	newParts := map[string][]byte{}
	took := func(name string) error {
		b, err := readEntry(ex[name])
		if err != nil {
			return err
		}
		newParts[name] = b
		return nil
	}
	if ex[relsName] != nil {
		if err := took(relsName); err != nil {
			return err
		}
	}
	// excelize's DeleteChart drops the anchor but keeps the chart's
	// relationship and part; drop both so deleted charts do not pile up.
	newSet, err := reachable(ex, sh.part, func(part string, content, rels []byte) []byte {
		if !strings.HasPrefix(part, "xl/drawings/") || strings.HasSuffix(part, ".vml") {
			return rels
		}
		return dropDeadChartRels(rels, content)
	})
	if err != nil {
		return err
	}
	for name, b := range newSet {
		newParts[name] = b
	}
	oldSet, err := reachable(orig, sh.part, nil)
	if err != nil {
		return err
	}
	dropped := map[string]bool{}
	for name := range oldSet {
		if _, ok := newSet[name]; !ok && isObjectPart(name) {
			dropped[name] = true
		}
	}
	if err := took("[Content_Types].xml"); err != nil {
		return err
	}
	newParts["[Content_Types].xml"] = dropOverrides(newParts["[Content_Types].xml"], dropped, newSet)

	return w.save(ctx, func(dst io.Writer) error {
		zw := zip.NewWriter(dst)
		written := map[string]bool{}
		for _, f := range c.book.zr.File {
			var err error
			switch b, isNew := newParts[f.Name]; {
			case f.Name == sh.part && sheetOut != nil:
				err = writeEntry(zw, f, sheetOut)
			case dropped[f.Name]:
				continue
			case isNew:
				err = writeEntry(zw, f, b)
			default:
				err = zw.Copy(f) // the exact original bytes
			}
			if err != nil {
				return fmt.Errorf("write part %q: %w", f.Name, err)
			}
			written[f.Name] = true
		}
		for _, f := range ezr.File { // new parts, in excelize's order
			b, isNew := newParts[f.Name]
			if !isNew || written[f.Name] {
				continue
			}
			if err := writeEntry(zw, &zip.File{FileHeader: zip.FileHeader{Name: f.Name, Modified: f.Modified}}, b); err != nil {
				return fmt.Errorf("write part %q: %w", f.Name, err)
			}
		}
		return zw.Close()
	})
}

// isObjectPart limits what editObjects may delete to comments, drawings and
// charts; media can be shared between drawings and always stay.
func isObjectPart(name string) bool {
	return strings.HasPrefix(name, "xl/comments") || strings.HasPrefix(name, "xl/drawings/") ||
		strings.HasPrefix(name, "xl/charts/")
}

// relsPartOf is the relationships part of a part: xl/worksheets/sheet1.xml →
// xl/worksheets/_rels/sheet1.xml.rels.
func relsPartOf(part string) string {
	dir, file := path.Split(part)
	return dir + "_rels/" + file + ".rels"
}

// sheetRels reads the relationships of the tab's worksheet part; none when
// the part has no relationships part.
func sheetRels(c *openFile, sh bookSheet) ([]rel, error) {
	rf, ok := c.book.entries[relsPartOf(sh.part)]
	if !ok {
		return nil, nil
	}
	return readRels(rf, path.Dir(sh.part)+"/")
}

// objectsTab loads the file and finds the tab whose objects (notes, charts)
// are to change, with w.mu held. A tab with no worksheet part has nowhere
// to hang them.
func (w *Workbook) objectsTab(title string) (*openFile, bookSheet, error) {
	c, err := w.load()
	if err != nil {
		return nil, bookSheet{}, err
	}
	sh, ok := c.book.sheet(title)
	if !ok {
		return nil, bookSheet{}, w.tabNotFound(title)
	}
	if sh.part == "" {
		return nil, bookSheet{}, fmt.Errorf("the workbook lists the tab but holds no data for it (save it again from Excel or WPS): %w", audit.ErrInvalid)
	}
	return c, sh, nil
}

// reachable returns the tab's object parts with their content: the parts its
// comments, vmlDrawing and drawing relationships lead to, followed through
// their own relationships parts (drawing → chart → style), the relationships
// parts included. fix, if set, may rewrite a part's relationships before
// they are followed.
func reachable(pkg map[string]*zip.File, sheetPart string, fix func(part string, content, rels []byte) []byte) (map[string][]byte, error) {
	out := map[string][]byte{}
	rf, ok := pkg[relsPartOf(sheetPart)]
	if !ok {
		return out, nil
	}
	top, err := readRels(rf, path.Dir(sheetPart)+"/")
	if err != nil {
		return nil, err
	}
	var queue []string
	for _, r := range top {
		if strings.HasSuffix(r.typ, relComments) || strings.HasSuffix(r.typ, relVMLDrawing) || strings.HasSuffix(r.typ, relDrawing) {
			queue = append(queue, r.target)
		}
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if _, seen := out[name]; seen {
			continue
		}
		f, ok := pkg[name]
		if !ok {
			continue // a dangling relationship; nothing to copy
		}
		b, err := readEntry(f)
		if err != nil {
			return nil, err
		}
		out[name] = b
		rn := relsPartOf(name)
		rf, ok := pkg[rn]
		if !ok {
			continue
		}
		rb, err := readEntry(rf)
		if err != nil {
			return nil, err
		}
		if fix != nil {
			rb = fix(name, b, rb)
		}
		out[rn] = rb
		rels, err := parseRels(rb, path.Dir(name)+"/")
		if err != nil {
			return nil, fmt.Errorf("parse part %q: %w", rn, err)
		}
		for _, r := range rels {
			if r.target != "" {
				queue = append(queue, r.target)
			}
		}
	}
	return out, nil
}

// parseRels is readRels on bytes; external targets (hyperlinks) are left out.
func parseRels(b []byte, dir string) ([]rel, error) {
	var out []rel
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", audit.ErrInvalid, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" {
			continue
		}
		var r rel
		external := false
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				r.id = a.Value
			case "Type":
				r.typ = a.Value
			case "Target":
				r.target = a.Value
			case "TargetMode":
				external = a.Value == "External"
			}
		}
		if external {
			continue
		}
		if strings.HasPrefix(r.target, "/") {
			r.target = strings.TrimPrefix(r.target, "/")
		} else {
			r.target = path.Clean(dir + r.target)
		}
		out = append(out, r)
	}
}

var (
	relElem   = regexp.MustCompile(`<(?:\w+:)?Relationship\s[^>]*?(?:/>|>\s*</(?:\w+:)?Relationship>)`)
	relAttr   = regexp.MustCompile(`\s(Id|Type)="([^"]*)"`)
	rIDAttr   = regexp.MustCompile(`\s(?:\w+:)?(?:id|embed|link|pict)="([^"]*)"`)
	overrideE = regexp.MustCompile(`<(?:\w+:)?Override\s[^>]*?PartName="([^"]*)"[^>]*?(?:/>|>\s*</(?:\w+:)?Override>)`)
)

// dropDeadChartRels removes chart relationships that no element of the
// drawing refers to any more.
func dropDeadChartRels(rels, drawing []byte) []byte {
	used := map[string]bool{}
	for _, m := range rIDAttr.FindAllSubmatch(drawing, -1) {
		used[string(m[1])] = true
	}
	return relElem.ReplaceAllFunc(rels, func(el []byte) []byte {
		var id, typ string
		for _, m := range relAttr.FindAllSubmatch(el, -1) {
			if string(m[1]) == "Id" {
				id = string(m[2])
			} else {
				typ = string(m[2])
			}
		}
		if strings.HasSuffix(typ, relChart) && !used[id] {
			return nil
		}
		return el
	})
}

// dropOverrides removes the content-type overrides of dropped parts and of
// excelize's placeholders.
func dropOverrides(ct []byte, dropped map[string]bool, keep map[string][]byte) []byte {
	return overrideE.ReplaceAllFunc(ct, func(el []byte) []byte {
		m := overrideE.FindSubmatch(el)
		name := strings.TrimPrefix(string(m[1]), "/")
		if _, kept := keep[name]; !kept && (dropped[name] || strings.Contains(name, padMark)) {
			return nil
		}
		return el
	})
}

// tailRefs is what editObjects needs of a worksheet: the reference elements
// after sheetData and where others could go.
type tailRefs struct {
	prefix        string // namespace prefix of the worksheet's elements
	relPrefix     string // prefix bound to the relationships namespace on the root, if any
	drawing       string // r:id of <drawing>, "" if none
	legacyDrawing string // r:id of <legacyDrawing>, "" if none
	// children lists the worksheet's child elements after sheetData, by
	// local name and start offset; end is the offset of </worksheet>.
	children []tailChild
	end      int
}

type tailChild struct {
	name   string
	offset int
}

// sheetBytes holds a worksheet part's first and last bytes, or all of it.
type sheetBytes struct {
	head, tail []byte
	tailOff    int    // offset of tail within the part
	full       []byte // the whole part, when it was read whole
}

// The ends kept of a big worksheet: the root start tag is at the head; what
// follows sheetData (merges, validations, hyperlinks, the reference
// elements) is at the tail.
const (
	headMax = 64 << 10
	tailMax = 16 << 20
)

// errNeedWhole reports a tail longer than tailMax.
var errNeedWhole = errors.New("worksheet tail beyond the kept window")

func readWhole(f *zip.File) (sheetBytes, error) {
	b, err := readEntry(f)
	if err != nil {
		return sheetBytes{}, err
	}
	return sheetBytes{head: b, tail: b, full: b}, nil
}

// readEnds streams a part through and keeps its ends; a small part is kept
// whole.
func readEnds(f *zip.File) (sheetBytes, error) {
	if f.UncompressedSize64 <= headMax+tailMax {
		return readWhole(f)
	}
	rc, err := f.Open()
	if err != nil {
		return sheetBytes{}, fmt.Errorf("read part %q: %w: %w", f.Name, audit.ErrInvalid, err)
	}
	defer rc.Close()
	head := make([]byte, headMax)
	if _, err := io.ReadFull(rc, head); err != nil {
		return sheetBytes{}, fmt.Errorf("read part %q: %w: %w", f.Name, audit.ErrInvalid, err)
	}
	win := make([]byte, 0, 2*tailMax)
	off := headMax // offset of win[0]
	buf := make([]byte, 1<<20)
	for {
		n, err := rc.Read(buf)
		if len(win)+n > cap(win) {
			drop := len(win) + n - tailMax
			if drop > len(win) {
				drop = len(win)
			}
			off += drop
			win = win[:copy(win, win[drop:])]
		}
		win = append(win, buf[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return sheetBytes{}, fmt.Errorf("read part %q: %w: %w", f.Name, audit.ErrInvalid, err)
		}
	}
	if len(win) > tailMax {
		off += len(win) - tailMax
		win = win[len(win)-tailMax:]
	}
	return sheetBytes{head: head, tail: win, tailOff: off}, nil
}

// scanTail reads the root element and the children after sheetData. It
// tokenises only the root start tag and the tail, so a huge sheetData costs
// a byte search, not a parse.
func scanTail(sb sheetBytes) (tailRefs, error) {
	var t tailRefs
	d := xml.NewDecoder(bytes.NewReader(sb.head))
	d.Strict = false
	for {
		tok, err := d.RawToken()
		if err != nil {
			return t, fmt.Errorf("parse worksheet: %w: %w", audit.ErrInvalid, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			t.prefix = prefixOf(se.Name)
			for _, a := range se.Attr {
				if a.Name.Space == "xmlns" && a.Value == nsRelations {
					t.relPrefix = a.Name.Local
				}
			}
			break
		}
	}
	rel, err := sheetDataEnd(sb.tail, t.prefix)
	if err != nil {
		if sb.full == nil {
			return t, errNeedWhole
		}
		return t, err
	}
	start := sb.tailOff + rel
	d = xml.NewDecoder(bytes.NewReader(sb.tail[rel:]))
	d.Strict = false
	depth := 0
	for {
		before := start + int(d.InputOffset())
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return t, fmt.Errorf("parse worksheet: the worksheet element is not closed: %w", audit.ErrInvalid)
		}
		if err != nil {
			return t, fmt.Errorf("parse worksheet: %w: %w", audit.ErrInvalid, err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				t.children = append(t.children, tailChild{tk.Name.Local, before})
				for _, a := range tk.Attr {
					if a.Name.Local == "id" && a.Name.Space != "" {
						switch tk.Name.Local {
						case "drawing":
							t.drawing = a.Value
						case "legacyDrawing":
							t.legacyDrawing = a.Value
						}
					}
				}
			}
			depth++
		case xml.EndElement:
			if depth == 0 { // </worksheet>
				t.end = before
				return t, nil
			}
			depth--
		}
	}
}

// sheetDataEnd is the offset just after the sheetData element. The element
// is found from the end, where its end tag is; a cell's text cannot hold a
// literal "</sheetData>" (it would be escaped), so the last one is the real
// one.
func sheetDataEnd(src []byte, prefix string) (int, error) {
	closeTag := []byte("</" + prefix + "sheetData>")
	if i := bytes.LastIndex(src, closeTag); i >= 0 {
		return i + len(closeTag), nil
	}
	// Self-closing: <sheetData/> or <sheetData />.
	open := []byte("<" + prefix + "sheetData")
	if i := bytes.LastIndex(src, open); i >= 0 {
		if j := bytes.IndexByte(src[i:], '>'); j > 0 && src[i+j-1] == '/' {
			return i + j + 1, nil
		}
	}
	return 0, fmt.Errorf("parse worksheet: no sheetData element: %w", audit.ErrInvalid)
}

// after lists, per reference element, the worksheet children that follow it
// in the schema (CT_Worksheet), so an inserted element goes before the
// first of them that is present.
var after = map[string][]string{
	"drawing":       {"legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst", "AlternateContent"},
	"legacyDrawing": {"legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst", "AlternateContent"},
}

// insertion is an element to splice into the worksheet at offset.
type insertion struct {
	offset int
	text   string
}

// plannedRefs lists the reference elements excelize added to the shadow
// that the original worksheet lacks. An element the original already has
// must carry the same id (the shadow was built from it).
func plannedRefs(orig, ex tailRefs) ([]insertion, error) {
	var adds []insertion
	for _, k := range []struct{ name, have, want string }{
		{"drawing", orig.drawing, ex.drawing},
		{"legacyDrawing", orig.legacyDrawing, ex.legacyDrawing},
	} {
		switch {
		case k.want == "" || k.want == k.have:
			continue
		case k.have != "":
			return nil, fmt.Errorf("tab's %s refers to %q, the edit to %q: %w", k.name, k.have, k.want, audit.ErrInvalid)
		}
		at := orig.end
		for _, c := range orig.children {
			if slicesContains(after[k.name], c.name) {
				at = c.offset
				break
			}
		}
		var el string
		if orig.relPrefix != "" {
			el = fmt.Sprintf(`<%s%s %s:id="%s"/>`, orig.prefix, k.name, orig.relPrefix, escapeAttr(k.want))
		} else {
			el = fmt.Sprintf(`<%s%s xmlns:r="%s" r:id="%s"/>`, orig.prefix, k.name, nsRelations, escapeAttr(k.want))
		}
		adds = append(adds, insertion{at, el})
	}
	return adds, nil
}

// splice inserts the elements into src; drawing precedes legacyDrawing when
// both go to the same offset, as plannedRefs lists them.
func splice(src []byte, adds []insertion) []byte {
	var b bytes.Buffer
	b.Grow(len(src) + 200)
	prev := 0
	for len(adds) > 0 {
		i := 0
		for j := range adds {
			if adds[j].offset < adds[i].offset {
				i = j
			}
		}
		a := adds[i]
		adds = append(adds[:i], adds[i+1:]...)
		b.Write(src[prev:a.offset])
		b.WriteString(a.text)
		prev = a.offset
	}
	b.Write(src[prev:])
	return b.Bytes()
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func escapeAttr(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// shadowPackage copies the package with the tab's worksheet replaced by a
// stub (when stub is set) and with placeholders that make excelize's next
// comments, drawing and chart numbers free ones.
func shadowPackage(zr *zip.Reader, sheetPart string, refs tailRefs, stub bool) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
		var err error
		if f.Name == sheetPart && stub {
			err = writeEntry(zw, f, stubSheet(refs))
		} else {
			err = zw.Copy(f)
		}
		if err != nil {
			return nil, fmt.Errorf("copy part %q: %w", f.Name, err)
		}
	}
	pad := func(counted func(string) bool, taken func(n int) bool, padName string) error {
		n := 0
		for name := range names {
			if counted(name) {
				n++
			}
		}
		for i := 1; taken(n + 1); i++ {
			if _, err := zw.Create(padName + strconv.Itoa(i)); err != nil {
				return err
			}
			n++
		}
		return nil
	}
	// The counting rules mirror excelize v2.11: countComments,
	// countDrawings, countCharts.
	if err := pad(func(s string) bool { return strings.Contains(s, "xl/comments") },
		func(n int) bool {
			return names[fmt.Sprintf("xl/comments%d.xml", n)] || names[fmt.Sprintf("xl/drawings/vmlDrawing%d.vml", n)]
		}, "xl/comments"+padMark); err != nil {
		return nil, err
	}
	if err := pad(func(s string) bool { return strings.Contains(s, "xl/drawings/drawing") },
		func(n int) bool { return names[fmt.Sprintf("xl/drawings/drawing%d.xml", n)] },
		"xl/drawings/drawing"+padMark); err != nil {
		return nil, err
	}
	if err := pad(func(s string) bool { return strings.Contains(s, "xl/charts/chart") },
		func(n int) bool { return names[fmt.Sprintf("xl/charts/chart%d.xml", n)] },
		"xl/charts/chart"+padMark); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// stubSheet is a worksheet with no cells that keeps the tab's reference
// elements, so excelize finds the tab's existing comments and drawing.
func stubSheet(refs tailRefs) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="` + nsRelations + `"><sheetData/>`)
	if refs.drawing != "" {
		b.WriteString(`<drawing r:id="` + escapeAttr(refs.drawing) + `"/>`)
	}
	if refs.legacyDrawing != "" {
		b.WriteString(`<legacyDrawing r:id="` + escapeAttr(refs.legacyDrawing) + `"/>`)
	}
	b.WriteString(`</worksheet>`)
	return []byte(b.String())
}
