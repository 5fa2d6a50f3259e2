package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Excel's grid limits; a write beyond them would make a file Excel rejects.
const (
	maxRows = 1048576
	maxCols = 16384
)

func checkRows(rows [][]string) error {
	if len(rows) > maxRows {
		return fmt.Errorf("%d rows exceed the %d rows of an Excel sheet: %w", len(rows), maxRows, audit.ErrInvalid)
	}
	for i, r := range rows {
		if len(r) > maxCols {
			return fmt.Errorf("row %d has %d cells, more than the %d columns of an Excel sheet: %w", i+1, len(r), maxCols, audit.ErrInvalid)
		}
	}
	return nil
}

// sheetPart is where one tab lives inside the package.
type sheetPart struct {
	title string
	part  string // zip entry name, e.g. xl/worksheets/sheet2.xml
}

// findSheetPart resolves a tab title to its worksheet part through the
// package relationships, as a spreadsheet app does; part names vary by
// producer (Numbers writes xl/worksheets/sheet.xml).
func findSheetPart(zr *zip.Reader, title string) (sheetPart, bool, error) {
	entries := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		entries[f.Name] = f
	}
	wbPart := "xl/workbook.xml"
	if rels, ok := entries["_rels/.rels"]; ok {
		targets, err := readRels(rels, "")
		if err != nil {
			return sheetPart{}, false, err
		}
		for _, r := range targets {
			if strings.HasSuffix(r.typ, "/officeDocument") {
				wbPart = r.target
			}
		}
	}
	wb, ok := entries[wbPart]
	if !ok {
		return sheetPart{}, false, fmt.Errorf("the package has no workbook part %q: %w", wbPart, audit.ErrInvalid)
	}
	sheets, err := readSheets(wb)
	if err != nil {
		return sheetPart{}, false, err
	}
	var rid, name string
	for _, s := range sheets {
		if s.name == title {
			rid, name = s.rid, s.name
			break
		}
		if rid == "" && strings.EqualFold(s.name, title) {
			rid, name = s.rid, s.name
		}
	}
	if rid == "" {
		return sheetPart{}, false, nil
	}
	dir, file := path.Split(wbPart)
	relsPart, ok := entries[dir+"_rels/"+file+".rels"]
	if !ok {
		return sheetPart{}, false, fmt.Errorf("the package has no relationships for %q: %w", wbPart, audit.ErrInvalid)
	}
	rels, err := readRels(relsPart, dir)
	if err != nil {
		return sheetPart{}, false, err
	}
	for _, r := range rels {
		if r.id == rid {
			if _, ok := entries[r.target]; !ok {
				return sheetPart{}, false, fmt.Errorf("tab %q points to missing part %q: %w", name, r.target, audit.ErrInvalid)
			}
			return sheetPart{title: name, part: r.target}, true, nil
		}
	}
	return sheetPart{}, false, fmt.Errorf("tab %q has no relationship %q: %w", name, rid, audit.ErrInvalid)
}

type rel struct{ id, typ, target string }

// readRels reads a relationships part; targets are resolved against dir.
func readRels(f *zip.File, dir string) ([]rel, error) {
	var out []rel
	err := decodeEntry(f, func(se xml.StartElement) {
		if se.Name.Local != "Relationship" {
			return
		}
		var r rel
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				r.id = a.Value
			case "Type":
				r.typ = a.Value
			case "Target":
				r.target = a.Value
			}
		}
		if strings.HasPrefix(r.target, "/") {
			r.target = strings.TrimPrefix(r.target, "/")
		} else {
			r.target = path.Clean(dir + r.target)
		}
		out = append(out, r)
	})
	return out, err
}

type sheetEntry struct{ name, rid string }

func readSheets(f *zip.File) ([]sheetEntry, error) {
	var out []sheetEntry
	err := decodeEntry(f, func(se xml.StartElement) {
		if se.Name.Local != "sheet" {
			return
		}
		var s sheetEntry
		for _, a := range se.Attr {
			switch {
			case a.Name.Local == "name" && a.Name.Space == "":
				s.name = a.Value
			case a.Name.Local == "id" && a.Name.Space != "":
				s.rid = a.Value
			}
		}
		out = append(out, s)
	})
	return out, err
}

func decodeEntry(f *zip.File, start func(xml.StartElement)) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("read part %q: %w: %w", f.Name, audit.ErrInvalid, err)
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("parse part %q: %w: %w", f.Name, audit.ErrInvalid, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			start(se)
		}
	}
}

// rewriteSheet saves a copy of the workbook in which only the tab's
// worksheet part differs, and returns the first row number written.
func (w *Workbook) rewriteSheet(ctx context.Context, title string, rows [][]string, replace bool) (int, error) {
	fh, err := os.Open(w.path)
	if err != nil {
		return 0, w.fileError(err)
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return 0, w.fileError(err)
	}
	zr, err := zip.NewReader(fh, info.Size())
	if err != nil {
		return 0, fmt.Errorf("open workbook %q: not a readable .xlsx file: %w: %w", w.path, audit.ErrInvalid, err)
	}
	sp, ok, err := findSheetPart(zr, title)
	if err != nil {
		return 0, fmt.Errorf("open workbook %q: %w", w.path, err)
	}
	if !ok {
		return 0, w.tabNotFound(title)
	}
	var target *zip.File
	for _, f := range zr.File {
		if f.Name == sp.part {
			target = f
		}
	}
	src, err := readEntry(target)
	if err != nil {
		return 0, fmt.Errorf("read tab %q of %q: %w", title, w.path, err)
	}
	out, first, droppedFormulas, err := rewriteSheetXML(src, rows, replace)
	if err != nil {
		return 0, fmt.Errorf("rewrite tab %q of %q: %w", title, w.path, err)
	}
	if !replace && len(rows) == 0 {
		return first, nil
	}
	// Excel reports a damaged file when the calculation chain names a cell
	// that no longer holds a formula; without the chain it rebuilds one.
	dropCalc := droppedFormulas && hasEntry(zr, "xl/calcChain.xml")
	err = w.save(ctx, func(dst io.Writer) error {
		zw := zip.NewWriter(dst)
		for _, f := range zr.File {
			var err error
			switch {
			case f == target:
				err = writeEntry(zw, f, out)
			case dropCalc && f.Name == "xl/calcChain.xml":
				continue
			case dropCalc && (f.Name == "[Content_Types].xml" || f.Name == "xl/_rels/workbook.xml.rels"):
				var b []byte
				if b, err = readEntry(f); err == nil {
					err = writeEntry(zw, f, calcChainRefs.ReplaceAll(b, nil))
				}
			default:
				// Raw copy: the other parts keep their exact bytes.
				err = zw.Copy(f)
			}
			if err != nil {
				return fmt.Errorf("write part %q: %w", f.Name, err)
			}
		}
		return zw.Close()
	})
	return first, err
}

var calcChainRefs = regexp.MustCompile(`<(?:\w+:)?(?:Override|Relationship)\s[^>]*calcChain\.xml"[^>]*/>`)

func hasEntry(zr *zip.Reader, name string) bool {
	for _, f := range zr.File {
		if f.Name == name {
			return true
		}
	}
	return false
}

func readEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("read part %q: %w: %w", f.Name, audit.ErrInvalid, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("read part %q: %w: %w", f.Name, audit.ErrInvalid, err)
	}
	return b, nil
}

func writeEntry(zw *zip.Writer, f *zip.File, content []byte) error {
	hdr := f.FileHeader
	hdr.Method = zip.Deflate
	// The sizes and checksum are recomputed by the writer.
	hdr.CompressedSize64, hdr.UncompressedSize64, hdr.CRC32 = 0, 0, 0
	//lint:ignore SA1019 the deprecated 32-bit fields are copied from f and must be cleared too
	hdr.CompressedSize, hdr.UncompressedSize = 0, 0
	hdr.Extra = nil // may hold the old zip64 sizes
	fw, err := zw.CreateHeader(&hdr)
	if err != nil {
		return err
	}
	_, err = io.Copy(fw, bytes.NewReader(content))
	return err
}
