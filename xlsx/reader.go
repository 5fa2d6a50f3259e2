package xlsx

import (
	"archive/zip"
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
)

// errFallback sends a read down excelize's own (slower) path: the fast
// reader met something it does not mirror exactly.
var errFallback = errors.New("use excelize reader")

// book is the parts of a workbook the fast reader needs, parsed once per
// version of the file.
type book struct {
	zr       *zip.Reader
	entries  map[string]*zip.File
	sheets   []bookSheet
	date1904 bool
	xfFmt    []int          // cellXfs index → numFmtId
	custom   map[int]string // custom numFmtId → format code
	sst      []string       // nil until a sheet needs it
	sstDone  bool
	fmt      *numFormatter
}

type bookSheet struct {
	name string
	id   int64
	part string // "" when the workbook lists a tab whose part is missing
}

func parseBook(zr *zip.Reader) (*book, error) {
	b := &book{zr: zr, entries: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		b.entries[f.Name] = f
	}
	wbPart := "xl/workbook.xml"
	if rels, ok := b.entries["_rels/.rels"]; ok {
		targets, err := readRels(rels, "")
		if err != nil {
			return nil, err
		}
		for _, r := range targets {
			if strings.HasSuffix(r.typ, "/officeDocument") {
				wbPart = r.target
			}
		}
	}
	wb, ok := b.entries[wbPart]
	if !ok {
		return nil, fmt.Errorf("the package has no workbook part %q", wbPart)
	}
	type entry struct {
		name, rid string
		id        int64
	}
	var list []entry
	err := decodeEntry(wb, func(se xml.StartElement) {
		switch se.Name.Local {
		case "sheet":
			var e entry
			for _, a := range se.Attr {
				switch {
				case a.Name.Local == "name" && a.Name.Space == "":
					e.name = a.Value
				case a.Name.Local == "sheetId":
					e.id, _ = strconv.ParseInt(a.Value, 10, 64)
				case a.Name.Local == "id" && a.Name.Space != "":
					e.rid = a.Value
				}
			}
			list = append(list, e)
		case "workbookPr":
			for _, a := range se.Attr {
				if a.Name.Local == "date1904" {
					b.date1904 = a.Value == "1" || a.Value == "true"
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	targets := map[string]string{}
	dir, file := path.Split(wbPart)
	if relsPart, ok := b.entries[dir+"_rels/"+file+".rels"]; ok {
		rels, err := readRels(relsPart, dir)
		if err != nil {
			return nil, err
		}
		for _, r := range rels {
			targets[r.id] = r.target
			if strings.HasSuffix(r.typ, "/styles") {
				if err := b.readStyles(r.target); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, e := range list {
		s := bookSheet{name: e.name, id: e.id}
		if t, ok := targets[e.rid]; ok {
			if _, ok := b.entries[t]; ok {
				s.part = t
			}
		}
		b.sheets = append(b.sheets, s)
	}
	return b, nil
}

// sheet finds a tab by title: exact match first, else case-insensitive, as
// Excel matches names.
func (b *book) sheet(title string) (bookSheet, bool) {
	var found bookSheet
	ok := false
	for _, s := range b.sheets {
		if s.name == title {
			return s, true
		}
		if !ok && strings.EqualFold(s.name, title) {
			found, ok = s, true
		}
	}
	return found, ok
}

func (b *book) readStyles(part string) error {
	f, ok := b.entries[part]
	if !ok {
		return nil
	}
	b.custom = map[int]string{}
	inXfs := false
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("parse part %q: %w", part, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "numFmt":
				id, code, code16 := -1, "", ""
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "numFmtId":
						id, _ = strconv.Atoi(a.Value)
					case "formatCode":
						if a.Name.Space == "" {
							code = a.Value
						} else {
							code16 = a.Value
						}
					}
				}
				if code16 != "" {
					code = code16
				}
				b.custom[id] = code
			case "cellXfs":
				inXfs = true
			case "xf":
				if inXfs {
					id := 0
					for _, a := range t.Attr {
						if a.Name.Local == "numFmtId" {
							id, _ = strconv.Atoi(a.Value)
						}
					}
					b.xfFmt = append(b.xfFmt, id)
				}
			}
		case xml.EndElement:
			if t.Name.Local == "cellXfs" {
				inXfs = false
			}
		}
	}
}

// sharedStrings parses the shared string table on first use.
func (b *book) sharedStrings() ([]string, error) {
	if b.sstDone {
		return b.sst, nil
	}
	b.sstDone = true
	var f *zip.File
	for name, e := range b.entries {
		if strings.EqualFold(path.Base(name), "sharedStrings.xml") {
			f = e
		}
	}
	if f == nil {
		return nil, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	var (
		sb    strings.Builder
		stack []string
	)
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return b.sst, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parse shared strings: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
			if t.Name.Local == "si" {
				sb.Reset()
			}
		case xml.CharData:
			if inText(stack) {
				sb.Write(t)
			}
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			if t.Name.Local == "si" {
				b.sst = append(b.sst, unescapeOOXML(sb.String()))
			}
		}
	}
}

// inText reports whether the element path ends in a string item's own text
// (si/t or si/r/t), excluding phonetic runs (rPh), as Excel displays it.
func inText(stack []string) bool {
	n := len(stack)
	if n < 2 || stack[n-1] != "t" {
		return false
	}
	switch stack[n-2] {
	case "si", "is":
		return true
	case "r":
		return n >= 3 && (stack[n-3] == "si" || stack[n-3] == "is")
	}
	return false
}

var ooxmlEscape = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

// unescapeOOXML decodes _xHHHH_ escapes the way excelize does.
func unescapeOOXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	return ooxmlEscape.ReplaceAllStringFunc(s, func(m string) string {
		if m == "_x005F_" {
			return "_"
		}
		v, err := strconv.Unquote(`"\u` + m[2:6] + `"`)
		if err != nil {
			return m
		}
		return v
	})
}

// readSheetFast reads a worksheet's display values in one pass, formatting
// only styled numbers (through a memo), which is where excelize spends its
// time on big tabs.
func (b *book) readSheetFast(ctx context.Context, part string) ([][]string, string, error) {
	f := b.entries[part]
	rc, err := f.Open()
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	var (
		values    [][]string
		dimension string
		row       []string
		rowNum    int
		inData    bool
		// current cell
		inCell        bool
		col, style    int
		typ           string
		val           strings.Builder
		inV           bool
		hasV          bool
		stack         []string
		inlineStarted bool
	)
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if !inData {
				switch name {
				case "dimension":
					for _, a := range t.Attr {
						if a.Name.Local == "ref" {
							dimension = a.Value
						}
					}
				case "sheetData":
					inData = true
				}
				continue
			}
			switch {
			case name == "row" && !inCell:
				n := rowNum + 1
				for _, a := range t.Attr {
					if a.Name.Local == "r" {
						if v, err := strconv.Atoi(a.Value); err == nil && v > 0 {
							n = v
						}
					}
				}
				if n <= rowNum || n > maxRows {
					return nil, "", errFallback
				}
				rowNum = n
				if rowNum%4096 == 0 {
					if err := ctx.Err(); err != nil {
						return nil, "", err
					}
				}
				row = nil
				col = 0
			case name == "c" && !inCell:
				inCell, hasV, inlineStarted = true, false, false
				style, typ = 0, ""
				col++
				val.Reset()
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "r":
						c, _, err := excelize.CellNameToCoordinates(a.Value)
						if err != nil || c < col {
							return nil, "", errFallback
						}
						col = c
					case "s":
						style, _ = strconv.Atoi(a.Value)
					case "t":
						typ = a.Value
					}
				}
				stack = stack[:0]
			case inCell:
				stack = append(stack, name)
				switch {
				case name == "v" && len(stack) == 1:
					inV, hasV = true, true
				case name == "is" && len(stack) == 1:
					inlineStarted = true
				}
			}
		case xml.CharData:
			if inV || (inlineStarted && inText(stack)) {
				val.Write(t)
			}
		case xml.EndElement:
			if !inData {
				continue
			}
			name := t.Name.Local
			switch {
			case inCell && name == "c" && len(stack) == 0:
				inCell = false
				if !hasV && !inlineStarted {
					continue
				}
				s, err := b.display(typ, style, val.String(), inlineStarted)
				if err != nil {
					return nil, "", err
				}
				if s == "" {
					continue
				}
				for len(row) < col-1 {
					row = append(row, "")
				}
				row = append(row, s)
			case inCell:
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
				if name == "v" {
					inV = false
				}
			case name == "row":
				if len(row) > 0 {
					for len(values) < rowNum-1 {
						values = append(values, []string{})
					}
					values = append(values, row[:len(row):len(row)])
				}
			case name == "sheetData":
				return values, dimension, nil
			}
		}
	}
	return nil, "", errFallback
}

// display turns a cell's stored value into what Excel shows, mirroring
// excelize's GetCellValue.
func (b *book) display(typ string, style int, v string, inline bool) (string, error) {
	switch typ {
	case "s":
		if inline {
			return "", errFallback
		}
		sst, err := b.sharedStrings()
		if err != nil {
			return "", err
		}
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(sst) {
			return "", errFallback
		}
		return b.formatted(style, sst[i], true)
	case "inlineStr":
		return b.formatted(style, unescapeOOXML(v), true)
	case "str":
		return v, nil
	case "b":
		switch v {
		case "1":
			return "TRUE", nil
		case "0":
			return "FALSE", nil
		}
		return b.formatted(style, v, false)
	case "", "n", "e":
		if ok, prec, f := isNumeric(v); ok {
			if prec > 15 && !isNumWithinPrecision(v) {
				v = strconv.FormatFloat(f, 'G', 15, 64)
			} else {
				v = strconv.FormatFloat(f, 'f', -1, 64)
			}
		}
		return b.formatted(style, v, false)
	}
	return "", errFallback
}

// formatted applies the style's number format to v.
func (b *book) formatted(style int, v string, text bool) (string, error) {
	if style <= 0 || style >= len(b.xfFmt) {
		return v, nil
	}
	id := b.xfFmt[style]
	code, custom := b.custom[id]
	if text && !custom && (id == 0 || id == 49) {
		// General and "@" show text as it is.
		return v, nil
	}
	if b.fmt == nil {
		nf, err := newNumFormatter(b.date1904)
		if err != nil {
			return "", err
		}
		b.fmt = nf
	}
	return b.fmt.format(id, code, custom, v, text)
}

// The next two mirror excelize's numeric normalization (lib.go), so values
// read the same on both paths.
func isNumeric(s string) (bool, int, float64) {
	if strings.Contains(s, "_") {
		return false, 0, 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return false, 0, 0
	}
	plain := strconv.FormatFloat(f, 'f', -1, 64)
	return true, len(plain) - strings.Count(plain, "."), f
}

func isNumWithinPrecision(s string) bool {
	if strings.ContainsAny(s, ".Ee") {
		return false
	}
	s = strings.TrimLeft(s, "+-0")
	return len(strings.TrimRight(s, "0")) <= 15
}

// numFormatter formats values with a number format by asking excelize
// itself, on a scratch workbook, and remembers each answer: a tab repeats
// few distinct (format, value) pairs, while excelize re-parses the format
// for every cell.
type numFormatter struct {
	f      *excelize.File
	styles map[fmtID]int
	memo   map[memoKey]string
}

type fmtID struct {
	id     int
	code   string
	custom bool
}

type memoKey struct {
	style int
	text  bool
	v     string
}

const scratch = "Sheet1"

func newNumFormatter(date1904 bool) (*numFormatter, error) {
	f := excelize.NewFile()
	if date1904 {
		on := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &on}); err != nil {
			return nil, err
		}
	}
	return &numFormatter{f: f, styles: map[fmtID]int{}, memo: map[memoKey]string{}}, nil
}

func (n *numFormatter) format(id int, code string, custom bool, v string, text bool) (string, error) {
	key := fmtID{id: id, code: code, custom: custom}
	s, ok := n.styles[key]
	if !ok {
		// The font only keeps the style apart from the default one, which
		// excelize would not format at all.
		st := &excelize.Style{NumFmt: id, Font: &excelize.Font{Bold: true}}
		if custom {
			st = &excelize.Style{CustomNumFmt: &code, Font: &excelize.Font{Bold: true}}
		}
		var err error
		if s, err = n.f.NewStyle(st); err != nil {
			return "", errFallback
		}
		n.styles[key] = s
	}
	mk := memoKey{style: s, text: text, v: v}
	if out, ok := n.memo[mk]; ok {
		return out, nil
	}
	var err error
	if text {
		err = n.f.SetCellStr(scratch, "A1", v)
	} else {
		err = n.f.SetCellDefault(scratch, "A1", v)
	}
	if err == nil {
		err = n.f.SetCellStyle(scratch, "A1", "A1", s)
	}
	if err != nil {
		return "", errFallback
	}
	out, err := n.f.GetCellValue(scratch, "A1")
	if err != nil {
		return "", errFallback
	}
	n.memo[mk] = out
	return out, nil
}
