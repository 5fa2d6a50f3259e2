package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// fuzzBase is a small real workbook: a tab 客户 with shared strings, a
// number, a date-styled cell and an inline string.
func fuzzBase(f *testing.F) map[string][]byte {
	f.Helper()
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", "客户"); err != nil {
		f.Fatal(err)
	}
	for cell, v := range map[string]any{"A1": "客户编号", "B1": "金额", "C1": "日期", "A2": "C00001", "B2": 12.5, "C2": 46355} {
		if err := x.SetCellValue("客户", cell, v); err != nil {
			f.Fatal(err)
		}
	}
	style, err := x.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		f.Fatal(err)
	}
	if err := x.SetCellStyle("客户", "C2", "C2", style); err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		f.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		f.Fatal(err)
	}
	parts := make(map[string][]byte)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			f.Fatal(err)
		}
		parts[zf.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			f.Fatal(err)
		}
	}
	return parts
}

// FuzzReadMutated: a workbook whose worksheet, shared strings, styles or
// workbook part is mutated either reads or fails with an error; the reader
// never panics nor hangs.
func FuzzReadMutated(f *testing.F) {
	parts := fuzzBase(f)
	mutable := []string{"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml"}
	for i, name := range mutable {
		f.Add(uint8(i), parts[name])
	}
	f.Add(uint8(0), []byte(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="XFD1048576" t="s"><v>99</v></c></row></sheetData></worksheet>`))
	f.Add(uint8(1), []byte(`<sst count="1"><si><r><t>a</t></r><r><t xml:space="preserve"> b</t></r></si></sst>`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		target := mutable[int(which)%len(mutable)]
		for name, content := range parts {
			if name == target {
				content = data
			}
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(content); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "fuzz.xlsx")
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		w, err := Open(path, Options{})
		if err != nil {
			return
		}
		defer w.Close()
		_, _ = w.ReadTab(context.Background(), "客户")
	})
}
