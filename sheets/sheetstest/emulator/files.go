package emulator

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/atomicfile"
)

// LoadFile loads an .xlsx (every tab, cell values as users see them) or a
// .csv (one tab named after the file) as spreadsheet id, replacing any
// spreadsheet with that id. Numeric and boolean cells keep their type, so
// UNFORMATTED_VALUE reads answer numbers as Google would. The admin account
// (Options.Admin) owns the loaded spreadsheet.
func (s *Server) LoadFile(id, path string) error { return s.loadFile(s.admin, id, path) }

func (s *Server) loadFile(user, id, path string) error {
	title := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	ss := newSpreadsheet(id, title)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		if err := s.loadCSV(ss, path); err != nil {
			return err
		}
	case ".xlsx", ".xlsm":
		f, err := excelize.OpenFile(path)
		if err != nil {
			return fmt.Errorf("load %q: %w", path, err)
		}
		defer f.Close()
		for _, name := range f.GetSheetList() {
			rows, err := f.GetRows(name)
			if err != nil {
				return fmt.Errorf("load %q tab %q: %w", path, name, err)
			}
			typeOf := func(r, c int) excelize.CellType {
				axis, _ := excelize.CoordinatesToCellName(c+1, r+1)
				t, _ := f.GetCellType(name, axis)
				return t
			}
			if err := s.loadTab(ss, name, rows, typeOf); err != nil {
				return fmt.Errorf("load %q tab %q: %w", path, name, err)
			}
		}
	default:
		return fmt.Errorf("load %q: want .xlsx or .csv", path)
	}
	if len(ss.sheets) == 0 {
		ss.sheets = []*sheet{newSheet(0, "Sheet1", defaultRows, defaultCols)}
	}
	s.mu.Lock()
	s.books[id] = ss
	s.created(id, user, "admin.load")
	s.mu.Unlock()
	return nil
}

// loadCSV adds the .csv file at path to ss as one tab named after the file.
func (s *Server) loadCSV(ss *spreadsheet, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("load %q: %w", path, err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return fmt.Errorf("load %q: %w", path, err)
	}
	title := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if err := s.loadTab(ss, title, recs, nil); err != nil {
		return fmt.Errorf("load %q: %w", path, err)
	}
	return nil
}

// LoadDir loads a folder of spreadsheets: each subfolder of dir is a
// spreadsheet named after it, with one tab per .csv file in it (named after
// the file, in name order), and each .csv or .xlsx file directly in dir is
// one spreadsheet as with LoadFile. Files load in parallel (a benchmark
// fleet is a thousand spreadsheets). It returns the ids in name order;
// on an error nothing more is loaded, and the error names the file.
func (s *Server) LoadDir(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load folder: %w", err)
	}
	type job struct{ id, path string }
	var jobs []job
	for _, e := range ents {
		name := e.Name()
		switch ext := strings.ToLower(filepath.Ext(name)); {
		case e.IsDir():
			jobs = append(jobs, job{id: name, path: filepath.Join(dir, name)})
		case ext == ".csv" || ext == ".xlsx" || ext == ".xlsm":
			jobs = append(jobs, job{id: strings.TrimSuffix(name, filepath.Ext(name)), path: filepath.Join(dir, name)})
		}
	}
	ids := make([]string, len(jobs))
	errs := make([]error, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(jobs))) {
		wg.Go(func() {
			for i := range next {
				j := jobs[i]
				ids[i] = j.id
				if st, err := os.Stat(j.path); err == nil && st.IsDir() {
					errs[i] = s.loadFolder(j.id, j.path)
				} else {
					errs[i] = s.loadFile(s.admin, j.id, j.path)
				}
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ids, nil
}

// loadFolder loads the .csv files of dir as the tabs of spreadsheet id,
// owned by the admin account.
func (s *Server) loadFolder(id, dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("load %q: %w", dir, err)
	}
	ss := newSpreadsheet(id, id)
	for _, e := range ents {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".csv") {
			continue
		}
		if err := s.loadCSV(ss, filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	if len(ss.sheets) == 0 {
		return fmt.Errorf("load %q: no .csv file in the folder (each .csv is a tab)", dir)
	}
	s.mu.Lock()
	s.books[id] = ss
	s.created(id, s.admin, "admin.load")
	s.mu.Unlock()
	return nil
}

// loadTab adds a tab sized like Sheets' import: at least the default grid,
// larger when the data needs it.
func (s *Server) loadTab(ss *spreadsheet, title string, rows [][]string, typeOf func(r, c int) excelize.CellType) error {
	nr, nc := max(len(rows), defaultRows), defaultCols
	for _, row := range rows {
		nc = max(nc, len(row))
	}
	s.mu.Lock()
	sh, e := s.addSheet(ss, map[string]any{"title": title,
		"gridProperties": map[string]any{"rowCount": nr, "columnCount": nc}}, len(ss.sheets) == 0)
	s.mu.Unlock()
	if e != nil {
		return e
	}
	for r, row := range rows {
		cells := make([]cell, len(row))
		for c, v := range row {
			if v == "" {
				continue
			}
			cells[c] = cell{s: v, k: kString}
			if typeOf == nil {
				continue
			}
			switch typeOf(r, c) {
			case excelize.CellTypeNumber, excelize.CellTypeUnset:
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					canon := formatFloat(f)
					if canon == v {
						cells[c] = cell{s: canon, k: kNumber}
					} else {
						cells[c] = cell{s: v + "\x00" + canon, k: kNumDisp}
					}
				}
			case excelize.CellTypeBool:
				cells[c] = cell{s: strings.ToUpper(v), k: kBool}
			}
		}
		if !rowEmpty(cells) {
			for len(sh.rows) < r {
				sh.rows = append(sh.rows, nil)
			}
			sh.rows = append(sh.rows, cells)
		}
	}
	return nil
}

// SaveFile writes spreadsheet id to an .xlsx atomically (see atomicfile),
// so a crash never leaves a torn workbook.
func (s *Server) SaveFile(id, path string) (err error) {
	f := excelize.NewFile()
	defer f.Close()
	s.mu.Lock()
	ss, ok := s.books[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("save %q: spreadsheet %q: %w", path, id, ErrNotFound)
	}
	for i, sh := range ss.sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.title); err != nil {
				s.mu.Unlock()
				return fmt.Errorf("save %q: %w", path, err)
			}
		} else if _, err := f.NewSheet(sh.title); err != nil {
			s.mu.Unlock()
			return fmt.Errorf("save %q: %w", path, err)
		}
		for r, row := range sh.rows {
			for c, cl := range row {
				if cl.empty() {
					continue
				}
				axis, _ := excelize.CoordinatesToCellName(c+1, r+1)
				switch cl.k {
				case kNumber, kNumDisp, kDate:
					_, n := cl.split()
					v, _ := strconv.ParseFloat(n, 64)
					err = f.SetCellValue(sh.title, axis, v)
				case kBool:
					err = f.SetCellValue(sh.title, axis, cl.s == "TRUE")
				case kFormula:
					err = f.SetCellFormula(sh.title, axis, cl.s[1:])
				default:
					err = f.SetCellStr(sh.title, axis, cl.s)
				}
				if err != nil {
					s.mu.Unlock()
					return fmt.Errorf("save %q: %w", path, err)
				}
			}
		}
	}
	s.mu.Unlock()

	if err := atomicfile.Write(context.Background(), path, atomicfile.Options{}, func(w io.Writer) error {
		_, err := f.WriteTo(w)
		return err
	}); err != nil {
		return fmt.Errorf("save %q: %w", path, err)
	}
	return nil
}
