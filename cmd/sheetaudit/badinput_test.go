package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// writeBook writes tabs into a new workbook and returns its path.
func writeBook(t *testing.T, dir string, tabs map[string][][]string) string {
	t.Helper()
	f := excelize.NewFile()
	first := true
	for name, rows := range tabs {
		if first {
			f.SetSheetName("Sheet1", name)
			first = false
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				f.SetCellStr(name, cell, v)
			}
		}
	}
	path := filepath.Join(dir, "book.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBadInput checks that each kind of bad input gives a clear error that
// names what is at fault, a non-zero exit, and no panic.
func TestBadInput(t *testing.T) {
	srv := sheetstest.Start(t, sheetstest.Options{})
	if err := srv.CreateSpreadsheet("known", "k", "客户"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		tabs   map[string][][]string
		source string // overrides the xlsx source
		extra  string // appended to the sheet's config
		store  string
		want   []string
	}{
		{name: "unknown tab", tabs: map[string][][]string{"Other": {{"客户编号"}}}, want: []string{`"客户"`, "not found"}},
		{name: "missing key column", tabs: map[string][][]string{"客户": {{"编号", "名称"}, {"1", "a"}}},
			want: []string{`key column "客户编号" is not in header row 1`, "编号, 名称"}},
		{name: "empty sheet", tabs: map[string][][]string{"客户": {}}, want: []string{"header row 1 is empty"}},
		{name: "duplicate header", tabs: map[string][][]string{"客户": {{"客户编号", "电话", "电话"}}},
			want: []string{`columns B and C are both named "电话"`}},
		{name: "unknown spreadsheet", source: `{google: {spreadsheet_id: "nope", endpoint: "` + srv.URL() + `"}}`,
			want: []string{"nope", "not found"}},
		{name: "unreadable credentials", source: `{google: {spreadsheet_id: "known", credentials_file: ./missing-key.json}}`,
			want: []string{"missing-key.json"}},
		{name: "store not writable", tabs: map[string][][]string{"客户": {{"客户编号"}, {"C1"}}}, store: "/proc/sheetaudit-store",
			want: []string{"/proc/sheetaudit-store"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			source := tt.source
			if source == "" {
				writeBook(t, dir, tt.tabs)
				source = "{xlsx: ./book.xlsx}"
			}
			store := tt.store
			if store == "" {
				store = "./store"
			}
			cfg := filepath.Join(dir, "sheetaudit.yaml")
			body := "store: " + store + "\nsheets:\n  - name: clients\n    source: " + source + "\n    tab: 客户\n    key: [客户编号]\n" + tt.extra
			if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := sheetaudit(t, nil, "run", "--once", "--config", cfg)
			if code == exitOK {
				t.Fatalf("exit 0 on bad input; stdout:\n%s", out)
			}
			all := out + errOut
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("output does not name %q:\n%s", w, all)
				}
			}
			if strings.Contains(all, "panic") || strings.Contains(all, "goroutine ") {
				t.Errorf("panic:\n%s", all)
			}
		})
	}
}

// TestAwkwardButValidInput checks inputs a user would expect to work: a
// header only, ragged rows, blank rows, duplicate and empty keys (reported as
// findings), a 50,000-character cell, CJK/emoji/RTL text, and values that
// look like formulas.
func TestAwkwardButValidInput(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("长", 50000)
	writeBook(t, dir, map[string][][]string{"客户": {
		{"客户编号", "客户名称", "备注"},
		{"C1", "😀 שלום 华为", long},
		{"C2"},
		{},
		{"C1", "dup", "=1+1"},
		{"", "no key", "+86 138"},
		{"C3", "@mention", "-5"},
	}})
	cfg := writeConfig(t, dir, "{xlsx: ./book.xlsx}")
	code, out, errOut := sheetaudit(t, nil, "run", "--once", "--config", cfg, "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, w := range []string{`"rows": 5`, `"blank_rows": 1`, `keys must be unique`, `has no 客户编号`} {
		if !strings.Contains(out, w) {
			t.Errorf("result lacks %q:\n%s", w, out)
		}
	}
	// Header only: a valid empty table.
	book2 := writeBook(t, t.TempDir(), map[string][][]string{"客户": {{"客户编号", "客户名称"}}})
	cfg2 := writeConfig(t, filepath.Dir(book2), "{xlsx: ./book.xlsx}")
	if code, out, errOut := sheetaudit(t, nil, "run", "--once", "--config", cfg2); code != exitOK || !strings.Contains(out, "0 rows") {
		t.Errorf("header only: exit %d\n%s\n%s", code, out, errOut)
	}
}
