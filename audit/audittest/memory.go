package audittest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Workbook is an in-memory audit.Workbook. Its zero value is an empty
// workbook; it is safe for concurrent use.
type Workbook struct {
	mu    sync.Mutex
	tabs  []string
	cells map[string][][]string
	// formulas holds each tab's formula grid. Nothing is evaluated: a test
	// sets the values a formula would show with Set, and the formulas with
	// SetFormulas.
	formulas map[string][][]string
	// typed holds each tab's typed-value grid, set by SetTyped; a tab
	// without one reads no typed values, as if every cell were text.
	typed map[string][][]string
}

var (
	_ audit.Workbook      = (*Workbook)(nil)
	_ audit.FormulaReader = (*Workbook)(nil)
	_ audit.FormulaWriter = (*Workbook)(nil)
	_ audit.TypedReader   = (*Workbook)(nil)
)

// NewWorkbook returns a workbook holding the given tabs.
func NewWorkbook(tabs map[string][][]string) *Workbook {
	w := &Workbook{}
	for _, t := range slices.Sorted(maps.Keys(tabs)) {
		w.set(t, tabs[t])
	}
	return w
}

func (w *Workbook) set(title string, values [][]string) {
	if w.cells == nil {
		w.cells = make(map[string][][]string)
	}
	if _, ok := w.cells[title]; !ok {
		w.tabs = append(w.tabs, title)
	}
	w.cells[title] = audit.TrimValues(clone(values))
	delete(w.formulas, title) // values are written as text, as backends do
	delete(w.typed, title)
}

// Set replaces a tab's values, creating the tab; for test setup.
func (w *Workbook) Set(title string, values [][]string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.set(title, values)
}

// ReadTab implements audit.Workbook.
func (w *Workbook) ReadTab(_ context.Context, title string) (*audit.Tab, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	v, ok := w.cells[title]
	if !ok {
		return nil, fmt.Errorf("tab %q: %w", title, audit.ErrNotFound)
	}
	return &audit.Tab{Meta: w.meta(title), Values: clone(v)}, nil
}

// EnsureTab implements audit.Workbook.
func (w *Workbook) EnsureTab(_ context.Context, title string) (audit.TabMeta, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.cells[title]; ok {
		return w.meta(title), false, nil
	}
	w.set(title, nil)
	return w.meta(title), true, nil
}

// AppendRows implements audit.Workbook.
func (w *Workbook) AppendRows(_ context.Context, title string, rows [][]string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	v, ok := w.cells[title]
	if !ok {
		return fmt.Errorf("tab %q: %w", title, audit.ErrNotFound)
	}
	w.cells[title] = audit.TrimValues(append(v, clone(rows)...))
	if f := w.formulas[title]; len(f) > len(v) {
		w.formulas[title] = audit.TrimValues(f[:len(v)]) // the new rows are text
	}
	return nil
}

// ReplaceTab implements audit.Workbook.
func (w *Workbook) ReplaceTab(_ context.Context, title string, rows [][]string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.cells[title]; !ok {
		return fmt.Errorf("tab %q: %w", title, audit.ErrNotFound)
	}
	w.cells[title] = audit.TrimValues(clone(rows))
	delete(w.formulas, title)
	delete(w.typed, title)
	return nil
}

// SetTyped gives a tab typed values (a grid like audit.Snapshot.Typed, of
// all columns); for test setup, after Set, which clears them. Nothing is
// checked against the displayed values: a test sets both sides.
func (w *Workbook) SetTyped(title string, typed [][]string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.typed == nil {
		w.typed = make(map[string][][]string)
	}
	w.typed[title] = audit.TrimValues(clone(typed))
}

// ReadTyped implements audit.TypedReader: the grid set by SetTyped,
// restricted to cols.
func (w *Workbook) ReadTyped(_ context.Context, title string, cols []int) ([][]string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.cells[title]; !ok {
		return nil, fmt.Errorf("tab %q: %w", title, audit.ErrNotFound)
	}
	src := w.typed[title]
	out := make([][]string, len(src))
	for y, row := range src {
		for _, x := range cols {
			if x >= 0 && x < len(row) && row[x] != "" {
				if len(out[y]) <= x {
					out[y] = append(out[y], make([]string, x+1-len(out[y]))...)
				}
				out[y][x] = row[x]
			}
		}
	}
	return audit.TrimValues(out), nil
}

// SetFormulas gives a tab formulas (a grid like audit.Snapshot.Formulas);
// for test setup, after Set, which clears them.
func (w *Workbook) SetFormulas(title string, formulas [][]string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.formulas == nil {
		w.formulas = make(map[string][][]string)
	}
	w.formulas[title] = audit.TrimValues(clone(formulas))
}

// ReadFormulas implements audit.FormulaReader.
func (w *Workbook) ReadFormulas(_ context.Context, title string) ([][]string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.cells[title]; !ok {
		return nil, fmt.Errorf("tab %q: %w", title, audit.ErrNotFound)
	}
	return clone(w.formulas[title]), nil
}

// WriteFormulas implements audit.FormulaWriter. The cells' values stay as
// they are: the fake evaluates nothing.
func (w *Workbook) WriteFormulas(_ context.Context, title string, formulas map[string]string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.cells[title]; !ok {
		return fmt.Errorf("tab %q: %w", title, audit.ErrNotFound)
	}
	grid := clone(w.formulas[title])
	for name, f := range formulas {
		one := audit.FormulaGrid(map[string]string{name: f})
		if len(one) == 0 {
			return fmt.Errorf("set formula of cell %q: not an A1 cell name, or an empty formula: %w", name, audit.ErrInvalid)
		}
		i, j := len(one)-1, len(one[len(one)-1])-1
		for len(grid) <= i {
			grid = append(grid, []string{})
		}
		for len(grid[i]) <= j {
			grid[i] = append(grid[i], "")
		}
		grid[i][j] = f
	}
	if w.formulas == nil {
		w.formulas = make(map[string][][]string)
	}
	w.formulas[title] = audit.TrimValues(grid)
	return nil
}

func (w *Workbook) meta(title string) audit.TabMeta {
	return audit.TabMeta{SpreadsheetID: "memory", TabID: int64(slices.Index(w.tabs, title)), Title: title}
}

func clone(v [][]string) [][]string {
	out := make([][]string, len(v))
	for i, r := range v {
		out[i] = slices.Clone(r)
	}
	return out
}

// Store is an in-memory audit.Store and audit.StateStore.
type Store struct {
	mu       sync.Mutex
	snaps    map[string][]*audit.Snapshot
	states   map[string]audit.State
	restores map[string][]audit.RestoreRecord
}

var (
	_ audit.Store         = (*Store)(nil)
	_ audit.StateStore    = (*Store)(nil)
	_ audit.RestoreLister = (*Store)(nil)
)

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{snaps: make(map[string][]*audit.Snapshot), states: make(map[string]audit.State),
		restores: make(map[string][]audit.RestoreRecord)}
}

// RecordRestore keeps rec as a restore record of rec.Sheet, as the
// snapshot store does (the restore package's Recorder).
func (s *Store) RecordRestore(_ context.Context, rec audit.RestoreRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.restores[rec.Sheet] = append(s.restores[rec.Sheet], rec)
	return nil
}

// RestoresSince implements audit.RestoreLister.
func (s *Store) RestoresSince(_ context.Context, sheet string, since time.Time) ([]audit.RestoreRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []audit.RestoreRecord
	for _, r := range s.restores[sheet] {
		if r.Time.After(since) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Latest implements audit.Store.
func (s *Store) Latest(_ context.Context, sheet string) (*audit.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.snaps[sheet]
	if len(l) == 0 {
		return nil, fmt.Errorf("sheet %q has no snapshot: %w", sheet, audit.ErrNotFound)
	}
	return l[len(l)-1], nil
}

// Load implements audit.Store.
func (s *Store) Load(_ context.Context, sheet, id string) (*audit.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sn := range s.snaps[sheet] {
		if sn.ID == id {
			return sn, nil
		}
	}
	return nil, fmt.Errorf("snapshot %s of %q: %w", id, sheet, audit.ErrNotFound)
}

// Put implements audit.Store.
func (s *Store) Put(_ context.Context, snap *audit.Snapshot) (audit.SnapshotInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *snap
	c.Values = clone(snap.Values)
	if snap.Formulas != nil {
		c.Formulas = clone(snap.Formulas)
	}
	if snap.Typed != nil {
		c.Typed = clone(snap.Typed)
	}
	c.ID = "s" + strconv.Itoa(len(s.snaps[snap.Sheet])+1)
	s.snaps[snap.Sheet] = append(s.snaps[snap.Sheet], &c)
	return audit.SnapshotInfo{ID: c.ID, Sheet: c.Sheet, Time: c.Time, Rows: len(c.Values)}, nil
}

// Snapshots returns the stored versions of sheet, oldest first.
func (s *Store) Snapshots(sheet string) []*audit.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.snaps[sheet])
}

// LoadState implements audit.StateStore.
func (s *Store) LoadState(_ context.Context, sheet string) (audit.State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.states[sheet], nil
}

// SaveState implements audit.StateStore.
func (s *Store) SaveState(_ context.Context, sheet string, st audit.State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.states[sheet] = st
	return nil
}

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
