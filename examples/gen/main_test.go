package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/config"
)

// The committed example must be exactly what the generator writes, so it
// cannot drift from the code. To refresh it after changing the generator:
//
//	go run ./examples/gen -out examples/clients.xlsx
func TestCommittedExampleIsCurrent(t *testing.T) {
	out := filepath.Join(t.TempDir(), "clients.xlsx")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("run = %d, stderr: %s", code, stderr.String())
	}
	want, got := cells(t, "../clients.xlsx"), cells(t, out)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("examples/clients.xlsx is stale; regenerate it with `go run ./examples/gen -out examples/clients.xlsx` (-committed +generated):\n%.3000s", diff)
	}
}

// cell is what a user sees and what is stored, per cell.
type cell struct {
	Shown, Raw, Style string
	Type              excelize.CellType
}

func cells(t *testing.T, path string) map[string]map[string]cell {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string]cell{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]cell{}
		for r, row := range rows {
			for c := range row {
				name, _ := excelize.CoordinatesToCellName(c+1, r+1)
				var x cell
				x.Raw = row[c]
				if x.Shown, err = f.GetCellValue(sheet, name); err != nil {
					t.Fatal(err)
				}
				if x.Type, err = f.GetCellType(sheet, name); err != nil {
					t.Fatal(err)
				}
				id, err := f.GetCellStyle(sheet, name)
				if err != nil {
					t.Fatal(err)
				}
				if st, err := f.GetStyle(id); err == nil && st.CustomNumFmt != nil {
					x.Style = *st.CustomNumFmt
				}
				if x != (cell{}) {
					m[name] = x
				}
			}
		}
		out[sheet] = m
	}
	return out
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-rows", "-1"}, {"-base", "20.11.2026"}, {"-nope"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("run(%q) = %d, want 2", args, code)
		}
	}
}

// The example config must load with the real config package, and point at
// the git-ignored working copy, never at the committed workbook.
func TestExampleConfigLoads(t *testing.T) {
	cfg, err := config.Load("../sheetaudit.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatalf("examples/sheetaudit.yaml: %v", err)
	}
	s, ok := cfg.Sheet("group-clients")
	if !ok {
		t.Fatal("no sheet group-clients")
	}
	want, err := filepath.Abs(filepath.Join("..", ".work", "clients.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := filepath.Abs(s.Source.XLSX); err != nil || got != want {
		t.Errorf("source xlsx = %q, want the working copy %q", s.Source.XLSX, want)
	}
	if s.Tab != "客户" || len(s.Key) != 1 || s.Key[0] != "客户编号" {
		t.Errorf("tab %q key %q, want 客户 [客户编号]", s.Tab, s.Key)
	}
	if len(s.Columns) == 0 || len(s.Rules) == 0 || s.Staleness == nil {
		t.Errorf("columns %d, rules %d, staleness %v: want all set", len(s.Columns), len(s.Rules), s.Staleness)
	}
}
