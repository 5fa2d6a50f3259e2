package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// writeSpy sits in front of the emulator: it records the ranges of every
// values.batchUpdate and the kinds of all requests, and runs a colleague's
// edit, once, just before the next values.batchUpdate reaches the
// emulator: after the restore has read the tab, before it writes.
type writeSpy struct {
	srv *sheetstest.Server

	mu     sync.Mutex
	ranges []string
	kinds  []string
	edit   func()
}

func (s *writeSpy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "values:batchUpdate") {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var req struct {
			Data []struct{ Range string } `json:"data"`
		}
		_ = json.Unmarshal(body, &req)
		s.mu.Lock()
		for _, d := range req.Data {
			s.ranges = append(s.ranges, d.Range)
		}
		edit := s.edit
		s.edit = nil
		s.mu.Unlock()
		if edit != nil {
			edit()
		}
	}
	n := len(s.srv.Requests())
	s.srv.ServeHTTP(w, r)
	s.mu.Lock()
	for _, rec := range s.srv.Requests()[n:] {
		s.kinds = append(s.kinds, rec.Kind)
	}
	s.mu.Unlock()
}

// reset empties the log and returns what it held.
func (s *writeSpy) reset() (ranges, kinds []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ranges, kinds = s.ranges, s.kinds
	s.ranges, s.kinds = nil, nil
	return ranges, kinds
}

// TestRestoreColumnsWritesOnlyChangedCells: someone pastes over 40 phone
// numbers; restoring the column writes those 40 cells and nothing else: no
// clear, one write of the phone range, a formula and styles elsewhere
// untouched, and on Google a colleague's edit made while the restore runs
// survives. A deleted row comes back with --rows as one appended row, and
// running a restore again writes nothing.
func TestRestoreColumnsWritesOnlyChangedCells(t *testing.T) {
	ctx := context.Background()
	for _, b := range backendsUnderTest {
		t.Run(b.name, func(t *testing.T) {
			orig := phoneSheet(50)
			var ts *testSheet
			var spy *writeSpy
			var edit func() error
			if b.name == "google" {
				spy = &writeSpy{srv: sheetstest.NewServer(sheetstest.Options{})}
				hs := httptest.NewServer(spy)
				t.Cleanup(hs.Close)
				direct := httptest.NewServer(spy.srv) // for the colleague, past the spy
				t.Cleanup(direct.Close)
				colleague, err := sheets.New(ctx, sheets.Options{SpreadsheetID: "1RestoreTestSheet", Endpoint: direct.URL + "/"})
				if err != nil {
					t.Fatal(err)
				}
				edit = func() error {
					return colleague.WriteCells(ctx, "客户", map[string]string{"D46": "方案报价"})
				}
				ts = googleSheetOn(t, spy.srv, hs.URL+"/", orig, "", 1)
			} else {
				ts = b.new(t, orig, "", 1)
			}
			backend := backendOpener(ts, b.name)
			// A formula outside the restored column, in a sheet that does
			// not capture formulas: rewriting the tab would freeze it.
			if err := backend(t).WriteFormulas(ctx, "客户", map[string]string{"D3": `=B3&"!"`}); err != nil {
				t.Fatal(err)
			}
			book := filepath.Join(filepath.Dir(ts.cfg), "clients.xlsx")
			styled := []string{"B5", "C5", "C45"}
			var styles map[string]int
			if b.name == "xlsx" {
				styles = setStyles(t, book, styled)
			}
			v1 := ts.cycle(t)

			phones := map[string]string{}
			for i := 2; i <= 41; i++ {
				phones["C"+strconv.Itoa(i)] = "请补充"
			}
			if err := backend(t).(audit.CellWriter).WriteCells(ctx, "客户", phones); err != nil {
				t.Fatal(err)
			}
			ts.cycle(t)
			want := ts.get(t, "客户")
			for i := 1; i <= 40; i++ {
				want[i][2] = orig[i][2]
			}
			if spy != nil {
				// The colleague updates C00045's stage while the restore runs.
				spy.reset()
				spy.edit = func() {
					if err := edit(); err != nil {
						t.Error(err)
					}
				}
				want[45][3] = "方案报价"
			}

			out := ts.mustCLI(t, "restore", v1, "--columns", "联系方式")
			if !strings.Contains(out, "cells written: 40\n") || !strings.Contains(out, "40 changes") {
				t.Errorf("output does not report 40 cells written:\n%s", out)
			}
			checkTab(t, ts, "客户", want)
			checkFormulas(t, backend(t), "客户", map[string]string{"D3": `=B3&"!"`})
			if b.name == "xlsx" {
				if diff := cmp.Diff(styles, cellStyles(t, book, styled)); diff != "" {
					t.Errorf("styles mismatch (-before +after):\n%s", diff)
				}
			}
			if spy != nil {
				ranges, kinds := spy.reset()
				if slices.Contains(kinds, "values.clear") {
					t.Errorf("the restore cleared values; requests: %v", kinds)
				}
				if diff := cmp.Diff([]string{"'客户'!C2:C41"}, ranges); diff != "" {
					t.Errorf("ranges written (-want +got):\n%s", diff)
				}
			}

			// Again: nothing to write.
			out = ts.mustCLI(t, "restore", v1, "--columns", "联系方式")
			if !strings.Contains(out, "nothing to do") {
				t.Errorf("second restore did not find the tab restored:\n%s", out)
			}
			if spy != nil {
				if ranges, _ := spy.reset(); len(ranges) != 0 {
					t.Errorf("second restore wrote %v", ranges)
				}
			}

			// A deleted row comes back, appended, as its own cells only.
			gone := append(clone(want[:10]), want[11:]...)
			ts.set(t, "客户", gone)
			ts.cycle(t)
			if spy != nil {
				spy.reset()
			}
			// --force: the version the restore above stored is dated a
			// second after the one before it (ids are per second), so a
			// cycle within that second is not the newest version.
			out = ts.mustCLI(t, "restore", v1, "--rows", orig[10][0], "--force")
			if !strings.Contains(out, "cells written: 4\n") {
				t.Errorf("output does not report the appended row's 4 cells:\n%s", out)
			}
			checkTab(t, ts, "客户", append(clone(gone), orig[10]))
			if spy != nil {
				ranges, kinds := spy.reset()
				if slices.Contains(kinds, "values.clear") {
					t.Errorf("the restore cleared values; requests: %v", kinds)
				}
				if diff := cmp.Diff([]string{"'客户'!A51:D51"}, ranges); diff != "" {
					t.Errorf("ranges written (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// setStyles gives each of cells of the workbook's data tab a fill of its
// own and returns the cells' style ids.
func setStyles(t *testing.T, book string, cells []string) map[string]int {
	t.Helper()
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, c := range cells {
		color := []string{"FFFF00", "00FF00", "00FFFF"}[i%3]
		s, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellStyle("客户", c, c, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	return cellStyles(t, book, cells)
}

// cellStyles returns the style ids of cells of the workbook's data tab.
func cellStyles(t *testing.T, book string, cells []string) map[string]int {
	t.Helper()
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := make(map[string]int, len(cells))
	for _, c := range cells {
		if out[c], err = f.GetCellStyle("客户", c); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
