package emulator

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned by the direct-access methods for an unknown
// spreadsheet or tab.
var ErrNotFound = errors.New("not found")

// CreateSpreadsheet adds spreadsheet id with the given tabs (default "Sheet1"),
// each with a 1000×26 grid; the first tab has sheetId 0.
// The admin account (Options.Admin) owns it.
func (s *Server) CreateSpreadsheet(id, title string, tabs ...string) error {
	return s.createSpreadsheet(s.admin, id, title, tabs...)
}

func (s *Server) createSpreadsheet(user, id, title string, tabs ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.books[id]; ok {
		return fmt.Errorf("create spreadsheet %q: already exists", id)
	}
	if len(tabs) == 0 {
		tabs = []string{"Sheet1"}
	}
	ss := newSpreadsheet(id, title)
	for i, t := range tabs {
		if _, e := s.addSheet(ss, map[string]any{"title": t}, i == 0); e != nil {
			return fmt.Errorf("create spreadsheet %q: %w", id, e)
		}
	}
	s.books[id] = ss
	s.created(id, user, "admin.create")
	return nil
}

func (s *Server) tab(spreadsheetID, tab string) (*spreadsheet, *sheet, error) {
	ss, ok := s.books[spreadsheetID]
	if !ok {
		return nil, nil, fmt.Errorf("spreadsheet %q: %w", spreadsheetID, ErrNotFound)
	}
	sh := ss.sheetByTitle(tab)
	if sh == nil {
		return nil, nil, fmt.Errorf("tab %q of %q: %w", tab, spreadsheetID, ErrNotFound)
	}
	return ss, sh, nil
}

// SetValues writes values from A1 as RAW strings would be written ("" clears
// a cell), growing the grid if the data does not fit (and dropping empty
// trailing columns when a tall grid would otherwise pass the 10,000,000-cell
// limit); other cells keep their values. The change is recorded as made by
// the admin account (Options.Admin).
func (s *Server) SetValues(spreadsheetID, tab string, values [][]string) error {
	return s.setValues(s.admin, spreadsheetID, tab, values)
}

func (s *Server) setValues(user, spreadsheetID, tab string, values [][]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, sh, err := s.tab(spreadsheetID, tab)
	if err != nil {
		return err
	}
	rows, cols, width := sh.rowCount, sh.colCount, 0
	for _, row := range values {
		width = max(width, len(row))
	}
	rows, cols = max(rows, len(values)), max(cols, width)
	if ss.cells()-sh.rowCount*sh.colCount+rows*cols > maxCells && rows > sh.rowCount {
		// A tall data set on a default 26-column grid would pass the limit
		// only because of empty columns: size the grid to the data, as a
		// CSV import into Sheets does.
		cols = max(width, 1)
	}
	if cols > maxColumns || ss.cells()-sh.rowCount*sh.colCount+rows*cols > maxCells {
		return fmt.Errorf("set values of %q: %s", tab, msgTooManyCells)
	}
	sh.rowCount, sh.colCount = rows, cols
	for r, row := range values {
		for c, v := range row {
			if v == "" {
				sh.setCell(r, c, cell{}, nil)
				continue
			}
			sh.setCell(r, c, cell{s: v, k: kString}, nil)
		}
	}
	s.changed(spreadsheetID, user, "admin.setValues")
	return nil
}

// Values returns the tab's formatted values, trimmed as values.get would
// trim them (ragged rows, no trailing empty rows).
func (s *Server) Values(spreadsheetID, tab string) ([][]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, sh, err := s.tab(spreadsheetID, tab)
	if err != nil {
		return nil, err
	}
	n := sh.extent()
	out := make([][]string, n)
	for r := 0; r < n; r++ {
		w := sh.rowWidth(r, 0, sh.colCount-1)
		out[r] = make([]string, w)
		for c := 0; c < w; c++ {
			out[r][c] = sh.view(r, c, sh.rows[r][c]).formatted()
		}
	}
	if n == 0 {
		return nil, nil
	}
	return out, nil
}

// TabIDs maps tab titles to sheet ids.
func (s *Server) TabIDs(spreadsheetID string) (map[string]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.books[spreadsheetID]
	if !ok {
		return nil, fmt.Errorf("spreadsheet %q: %w", spreadsheetID, ErrNotFound)
	}
	m := make(map[string]int64, len(ss.sheets))
	for _, sh := range ss.sheets {
		m[sh.title] = sh.id
	}
	return m, nil
}

// Tabs lists tab titles in order.
func (s *Server) Tabs(spreadsheetID string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.books[spreadsheetID]
	if !ok {
		return nil, fmt.Errorf("spreadsheet %q: %w", spreadsheetID, ErrNotFound)
	}
	var out []string
	for _, sh := range ss.sheets {
		out = append(out, sh.title)
	}
	return out, nil
}

// Notes maps A1 cell names to the tab's cell notes.
func (s *Server) Notes(spreadsheetID, tab string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, sh, err := s.tab(spreadsheetID, tab)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(sh.notes))
	for k, v := range sh.notes {
		m[cellName(k[0], k[1])] = v
	}
	return m, nil
}

// Editor makes direct edits as a named account, for tests of who changed
// what (two people editing between two snapshots, say).
type Editor struct {
	s    *Server
	user string
}

// As returns an Editor acting as account ("张三 <zhangsan@corp.cn>" or an
// email).
func (s *Server) As(account string) Editor { return Editor{s: s, user: account} }

// CreateSpreadsheet is Server.CreateSpreadsheet, owned by the editor.
func (e Editor) CreateSpreadsheet(id, title string, tabs ...string) error {
	return e.s.createSpreadsheet(e.user, id, title, tabs...)
}

// SetValues is Server.SetValues, recorded as made by the editor.
func (e Editor) SetValues(spreadsheetID, tab string, values [][]string) error {
	return e.s.setValues(e.user, spreadsheetID, tab, values)
}

// LoadFile is Server.LoadFile, recorded as made by the editor.
func (e Editor) LoadFile(id, path string) error { return e.s.loadFile(e.user, id, path) }

// CopySpreadsheet copies spreadsheet src, with its tabs, values, notes and
// formats, to a new spreadsheet dst titled title, as Drive files.copy does;
// the admin account (Options.Admin) owns the copy.
func (s *Server) CopySpreadsheet(src, dst, title string) error {
	return s.copySpreadsheet(s.admin, src, dst, title)
}

// CopySpreadsheet is Server.CopySpreadsheet, owned by the editor.
func (e Editor) CopySpreadsheet(src, dst, title string) error {
	return e.s.copySpreadsheet(e.user, src, dst, title)
}

func (s *Server) copySpreadsheet(user, src, dst, title string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.books[src]
	if !ok {
		return fmt.Errorf("copy spreadsheet %q: %w", src, ErrNotFound)
	}
	if _, ok := s.books[dst]; ok {
		return fmt.Errorf("copy spreadsheet %q to %q: already exists", src, dst)
	}
	c := ss.clone()
	c.id = dst
	c.props["title"] = title
	s.books[dst] = c
	s.created(dst, user, "admin.copy")
	return nil
}
