package export_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/export"
)

func TestWriteCSV(t *testing.T) {
	tests := []struct {
		name   string
		values [][]string
		bom    bool
		want   string
	}{
		{"bom", [][]string{{"客户编号", "备注"}, {"C1", "老客户"}}, true, "\uFEFF客户编号,备注\nC1,老客户\n"},
		{"no bom", [][]string{{"a"}}, false, "a\n"},
		{"ragged rows padded", [][]string{{"a", "b", "c"}, {"1"}, {}}, false, "a,b,c\n1,,\n,,\n"},
		{"quotes and formulas as stored", [][]string{{"=SUM(A1)", "a \"b\", c"}}, false, "=SUM(A1),\"a \"\"b\"\", c\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := export.WriteCSV(&b, tt.values, tt.bom); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("CSV (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTabTitle(t *testing.T) {
	tests := []struct{ title, sheet, want string }{
		{"客户", "clients", "客户"},
		{"a/b:c?d*e[f]g\\h", "s", "a_b_c_d_e_f_g_h"},
		{strings.Repeat("长", 40), "s", strings.Repeat("长", 31)},
		{" ", "clients", "clients"},
	}
	for _, tt := range tests {
		snap := &audit.Snapshot{Sheet: tt.sheet}
		snap.Meta.Title = tt.title
		if got := export.TabTitle(snap); got != tt.want {
			t.Errorf("TabTitle(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}

// book is a Book that writes its tab as lines of text on Close.
type book struct {
	path  string
	title string
	rows  [][]string
}

func (b *book) ReplaceTab(_ context.Context, title string, rows [][]string) error {
	b.title, b.rows = title, rows
	return nil
}

func (b *book) Close() error {
	var lines []string
	for _, r := range b.rows {
		lines = append(lines, strings.Join(r, "|"))
	}
	return os.WriteFile(b.path, []byte(b.title+"\n"+strings.Join(lines, "\n")), 0o600)
}

func TestFile(t *testing.T) {
	snap := &audit.Snapshot{Sheet: "clients", Values: [][]string{{"客户编号"}, {"C1"}}}
	snap.Meta.Title = "客户"
	newBook := func(_ context.Context, path, title string) (export.Book, error) {
		return &book{path: path, title: title}, nil
	}
	tests := []struct {
		name     string
		opts     export.Options
		existing bool
		want     string // the file's content
		err      error
		perm     os.FileMode
	}{
		{"csv", export.Options{Format: export.CSV}, false, "客户编号\nC1\n", nil, 0o600},
		{"xlsx through the backend", export.Options{Format: export.XLSX, NewBook: newBook, Perm: 0o640}, false, "客户\n客户编号\nC1", nil, 0o640},
		{"never replaces", export.Options{Format: export.CSV}, true, "old", export.ErrExists, 0o600},
		{"replaces with force", export.Options{Format: export.CSV, Force: true}, true, "客户编号\nC1\n", nil, 0o600},
		{"unknown format", export.Options{Format: "pdf"}, false, "", audit.ErrInvalid, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "v.out")
			if tt.existing {
				if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := export.File(context.Background(), snap, out, tt.opts)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("File = %v, want %v", err, tt.err)
			}
			got, _ := os.ReadFile(out)
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("file (-want +got):\n%s", diff)
			}
			if tt.perm != 0 {
				if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != tt.perm {
					t.Errorf("mode %v, %v; want %v", fi.Mode().Perm(), err, tt.perm)
				}
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}
