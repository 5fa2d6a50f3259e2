package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"reflect"

	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
)

// batchStyles are the cellXfs indices and the conditional formats (dxf)
// the write-back uses.
type batchStyles struct {
	header, plain, wrap, time, number, link int
	dxf                                     map[audit.Tone]int
}

// DateTimeFormat is the number format of time cells sheetaudit writes.
const DateTimeFormat = "yyyy-mm-dd hh:mm:ss"

// The styles, as excelize describes them. Body cells align to the top, so
// a row made tall by a wrapped message still reads from its first line.
var (
	top         = &excelize.Alignment{Vertical: "top"}
	topLeft     = &excelize.Alignment{Vertical: "top", Horizontal: "left"}
	headerStyle = &excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}},
		Alignment: &excelize.Alignment{Vertical: "center"},
	}
	plainStyle = &excelize.Style{Alignment: top}
	wrapStyle  = &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}
	// Times and numbers align left like the text beside them, so a
	// right-aligned time does not run into the next column's text.
	timeStyle   = &excelize.Style{CustomNumFmt: stringPtr(DateTimeFormat), Alignment: topLeft}
	numberStyle = &excelize.Style{Alignment: topLeft}
	linkStyle   = &excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}, Alignment: top}
	// Tones as Excel's own "Good, Bad and Neutral" cell styles colour
	// them, readable in every spreadsheet program.
	toneStyles = []struct {
		tone     audit.Tone
		font, bg string
	}{
		{audit.ToneError, "9C0006", "FFC7CE"},
		{audit.ToneWarning, "9C5700", "FFEB9C"},
		{audit.ToneInfo, "1F4E79", "DDEBF7"},
		{audit.ToneGood, "006100", "C6EFCE"},
	}
)

func stringPtr(s string) *string { return &s }

// planStyles finds or adds the write-back's styles in the styles part orig
// and returns their indices, and the new styles part, nil when every style
// was there already (then the part stays byte for byte). excelize does the
// work on a scratch package holding only this styles part, and finds
// styles equal to wanted ones, so a workbook gets them once, also after a
// spreadsheet program rewrote the part.
func planStyles(orig []byte) (batchStyles, []byte, error) {
	var st batchStyles
	f, err := scratchWithStyles(orig)
	if err != nil {
		return st, nil, err
	}
	defer f.Close()
	xfs := 0
	for ; ; xfs++ {
		if _, err := f.GetStyle(xfs); err != nil {
			break
		}
	}
	var dxfs []*excelize.Style
	for i := 0; ; i++ {
		s, err := f.GetConditionalStyle(i)
		if err != nil {
			break
		}
		dxfs = append(dxfs, s)
	}
	changed := false
	for _, s := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&st.header, headerStyle}, {&st.plain, plainStyle}, {&st.wrap, wrapStyle},
		{&st.time, timeStyle}, {&st.number, numberStyle}, {&st.link, linkStyle},
	} {
		if *s.id, err = f.NewStyle(s.style); err != nil {
			return st, nil, err
		}
		changed = changed || *s.id >= xfs
	}
	st.dxf = map[audit.Tone]int{}
	for _, t := range toneStyles {
		want := &excelize.Style{
			Font: &excelize.Font{Color: t.font},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{t.bg}},
		}
		norm, err := normalDxf(want)
		if err != nil {
			return st, nil, err
		}
		found := -1
		for i, d := range dxfs {
			if reflect.DeepEqual(d, norm) {
				found = i
				break
			}
		}
		if found < 0 {
			if found, err = f.NewConditionalStyle(want); err != nil {
				return st, nil, err
			}
			dxfs = append(dxfs, norm)
			changed = true
		}
		st.dxf[t.tone] = found
	}
	if !changed {
		return st, nil, nil
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return st, nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		return st, nil, err
	}
	for _, zf := range zr.File {
		if zf.Name == "xl/styles.xml" {
			out, err := readEntry(zf)
			return st, out, err
		}
	}
	return st, nil, fmt.Errorf("the scratch workbook lost its styles part: %w", audit.ErrInvalid)
}

// normalDxf is a conditional format as excelize reads it back, so formats
// written by it or by a spreadsheet program compare equal when they are.
func normalDxf(s *excelize.Style) (*excelize.Style, error) {
	f := excelize.NewFile()
	defer f.Close()
	id, err := f.NewConditionalStyle(s)
	if err != nil {
		return nil, err
	}
	return f.GetConditionalStyle(id)
}

// scratchWithStyles is an empty workbook whose styles part is styles.
func scratchWithStyles(styles []byte) (*excelize.File, error) {
	base := excelize.NewFile()
	var buf bytes.Buffer
	_, err := base.WriteTo(&buf)
	base.Close()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		if zf.Name == "xl/styles.xml" {
			err = writeEntry(zw, zf, styles)
		} else {
			err = zw.Copy(zf)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("read the styles part: %w: %w", audit.ErrInvalid, err)
	}
	return f, nil
}
