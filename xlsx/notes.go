package xlsx

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.Annotator = (*Workbook)(nil)

// NoteAuthor is the author of the notes (Excel comments) sheetaudit writes.
const NoteAuthor = "sheetaudit"

// maxNoteUnits is Excel's limit on a comment's text, in UTF-16 units;
// excelize cuts longer text silently, so longer notes are refused.
const maxNoteUnits = 32512

// Notes implements audit.Annotator: the tab's cell comments ("notes" in
// Excel 365) by cell, their runs joined. It reads the comments part only,
// never the worksheet. Errors wrap audit.ErrNotFound for a missing file or
// tab.
func (w *Workbook) Notes(ctx context.Context, title string) (map[string]string, error) {
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
	notes, err := readNotes(c, sh)
	if err != nil {
		return nil, fmt.Errorf("read notes of tab %q in %q: %w", title, w.path, err)
	}
	return notes, nil
}

// commentsPart is the tab's comments part, "" if it has none.
func commentsPart(c *openFile, sh bookSheet) (string, error) {
	rels, err := sheetRels(c, sh)
	if err != nil {
		return "", err
	}
	for _, r := range rels {
		if strings.HasSuffix(r.typ, relComments) {
			return r.target, nil
		}
	}
	return "", nil
}

func readNotes(c *openFile, sh bookSheet) (map[string]string, error) {
	notes := map[string]string{}
	if sh.part == "" {
		return notes, nil
	}
	part, err := commentsPart(c, sh)
	if err != nil || part == "" {
		return notes, err
	}
	f, ok := c.book.entries[part]
	if !ok {
		return notes, nil
	}
	b, err := readEntry(f)
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	var ref string
	var text strings.Builder
	inText, phonetic := false, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return notes, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parse part %q: %w: %w", part, audit.ErrInvalid, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "comment":
				ref = ""
				text.Reset()
				for _, a := range t.Attr {
					if a.Name.Local == "ref" {
						ref = a.Value
					}
				}
			case "rPh": // phonetic guide: not part of the text
				phonetic++
			case "t":
				inText = phonetic == 0
			}
		case xml.CharData:
			if inText {
				text.Write(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "rPh":
				phonetic--
			case "comment":
				if ref != "" && text.Len() > 0 {
					notes[ref] = text.String()
				}
			}
		}
	}
}

// SetNotes implements audit.Annotator with cell comments by NoteAuthor.
// Only comment parts, their VML shapes, relationships and content types
// change, plus one <legacyDrawing> element in the worksheet when the tab
// had no comments yet; the tab's cells, formulas and styles keep their
// bytes (see editObjects). Nothing is written when every note is already as
// asked. Errors wrap audit.ErrNotFound for a missing tab and
// audit.ErrInvalid for a bad cell name or a note over Excel's limit.
func (w *Workbook) SetNotes(ctx context.Context, title string, notes map[string]string) error {
	if err := w.setNotes(ctx, title, notes); err != nil {
		return fmt.Errorf("set notes on tab %q: %w", title, err)
	}
	return nil
}

func (w *Workbook) setNotes(ctx context.Context, title string, notes map[string]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	want := make(map[string]string, len(notes))
	for ref, text := range notes {
		cell, err := canonicalCell(ref)
		if err != nil {
			return err
		}
		if n := len(utf16.Encode([]rune(text))); n > maxNoteUnits {
			return fmt.Errorf("the note on %s has %d characters; Excel allows %d: %w", cell, n, maxNoteUnits, audit.ErrInvalid)
		}
		want[cell] = text
	}
	if len(want) == 0 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c, sh, err := w.objectsTab(title)
	if err != nil {
		return err
	}
	have, err := readNotes(c, sh)
	if err != nil {
		return err
	}
	var cells []string
	for cell, text := range want {
		if have[cell] != text {
			cells = append(cells, cell)
		}
	}
	if len(cells) == 0 {
		return nil
	}
	slices.Sort(cells)
	if err := checkVMLOwner(c, sh); err != nil {
		return err
	}
	start := time.Now()
	err = w.editObjects(ctx, c, sh, true, func(f *excelize.File, sheet string) (bool, error) {
		existing, err := f.GetComments(sheet)
		if err != nil {
			return false, err
		}
		has := map[string]bool{}
		for _, cm := range existing {
			has[cm.Cell] = true
		}
		for _, cell := range cells {
			if has[cell] {
				if err := f.DeleteComment(sheet, cell); err != nil {
					return false, fmt.Errorf("remove the note on %s: %w", cell, err)
				}
			}
			if text := want[cell]; text != "" {
				if err := f.AddComment(sheet, excelize.Comment{Cell: cell, Author: NoteAuthor, Text: text}); err != nil {
					return false, fmt.Errorf("add the note on %s: %w", cell, err)
				}
			}
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	w.log.Debug("notes set", zap.String("file", w.path), zap.String("tab", sh.name),
		zap.Int("cells", len(cells)), zap.Duration("duration", time.Since(start)))
	return nil
}

// checkVMLOwner refuses a tab whose legacy drawing (form controls, say) has
// no comments part yet while another tab owns the comments part of the same
// number: excelize would attach that other tab's comments to this one.
func checkVMLOwner(c *openFile, sh bookSheet) error {
	rels, err := sheetRels(c, sh)
	if err != nil {
		return err
	}
	vml, comments := "", false
	for _, r := range rels {
		switch {
		case strings.HasSuffix(r.typ, relComments):
			comments = true
		case strings.HasSuffix(r.typ, relVMLDrawing):
			vml = r.target
		}
	}
	if vml == "" || comments {
		return nil
	}
	n := strings.TrimSuffix(strings.TrimPrefix(vml, "xl/drawings/vmlDrawing"), ".vml")
	if _, taken := c.book.entries["xl/comments"+n+".xml"]; taken {
		return fmt.Errorf("the tab has form controls and another tab's comments share their number, so notes cannot be added safely (add one note by hand in Excel, save, and run again): %w", audit.ErrInvalid)
	}
	return nil
}

// canonicalCell checks an A1 cell name and returns it upper-case without
// "$", as comments store it.
func canonicalCell(ref string) (string, error) {
	s := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(ref), "$", ""))
	col, row, err := excelize.CellNameToCoordinates(s)
	if err != nil || col > maxCols || row > maxRows {
		return "", fmt.Errorf("%q is not a cell name like B7 within Excel's grid: %w", ref, audit.ErrInvalid)
	}
	name, err := excelize.CoordinatesToCellName(col, row)
	if err != nil || name != s {
		return "", fmt.Errorf("%q is not a cell name like B7: %w", ref, audit.ErrInvalid)
	}
	return name, nil
}
