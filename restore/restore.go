package restore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Mode is how a version goes back into the spreadsheet.
type Mode string

const (
	// NewTab writes the version into a tab of its own and changes nothing
	// that exists.
	NewTab Mode = audit.RestoreNewTab
	// InPlace replaces the data tab's values with the version.
	InPlace Mode = audit.RestoreInPlace
	// Selective restores only some rows or columns of the data tab.
	Selective Mode = audit.RestoreSelective
)

// ErrChanged is wrapped by the error of an in-place restore refused because
// the live tab changed since the newest stored version; Result.Overwritten
// lists the edits the restore would have overwritten. Options.Force
// overrides it.
var ErrChanged = errors.New("tab changed since the newest snapshot")

// ErrReadBack is wrapped by the error of a restore whose tab, read back
// after the write, differs from what it wrote. The restore is otherwise
// done (and stored as Result.Restored); the operator must look.
var ErrReadBack = errors.New("the restored tab reads back different from what was written")

// ErrPlan is wrapped by the error of a restore that cannot be planned: a
// row, column or version that does not fit the live tab. Nothing changed.
var ErrPlan = errors.New("restore cannot be planned")

// Options says which version goes back where, and how.
type Options struct {
	// Sheet is the configured sheet name (store paths); Tab its data tab;
	// HeaderRow and Key read both as tables.
	Sheet     string
	Tab       string
	HeaderRow int
	Key       []string
	// Snapshot is the id of the version to restore.
	Snapshot string
	// InPlace restores into the data tab instead of a new tab; Rows and
	// Columns (display keys, column names) restore only those, and imply
	// InPlace.
	InPlace bool
	Rows    []string
	Columns []string
	// Force restores in place even when the live tab changed since the
	// newest stored version (the safety snapshot keeps those edits).
	Force bool
	// DryRun plans and reports, and changes nothing.
	DryRun bool
	// TypedColumns are the columns whose typed values a cycle of this
	// sheet stores; CaptureFormulas whether it stores formulas. Versions
	// the restore stores keep them alike, so the next cycle sees no change
	// that is not one.
	TypedColumns    []string
	CaptureFormulas bool
	// ShortTabTitles asks for new-tab names of at most 31 characters
	// (Excel's limit on .xlsx workbooks).
	ShortTabTitles bool
	// Location is the time zone of the new tab's name; Locale its
	// language ("zh-CN" names it 已恢复 …).
	Location *time.Location
	Locale   string
	// By and Reason go into the restore record: who runs the restore and
	// why.
	By, Reason string
}

// Recorder keeps restore records; the store implements it.
type Recorder interface {
	// RecordRestore stores rec as a new record; never replaces one.
	RecordRestore(ctx context.Context, rec audit.RestoreRecord) error
}

// Undo is what undoes a restore: restoring Snapshot of Sheet in place.
type Undo struct {
	Sheet    string `json:"sheet"`
	Snapshot string `json:"snapshot"`
}

// Result is what a restore did, or with a dry run would do. Its JSON form
// is what `sheetaudit restore --format json` prints.
type Result struct {
	Sheet    string `json:"sheet"`
	Snapshot string `json:"snapshot"`
	Mode     Mode   `json:"mode"`
	Tab      string `json:"tab"`
	DryRun   bool   `json:"dry_run"`
	// Changes is the keyed diff live → restored (for a new tab with a dry
	// run, what an in-place restore would change).
	Changes        []audit.Change `json:"changes"`
	DroppedColumns []string       `json:"dropped_columns,omitempty"`
	Appended       []string       `json:"appended,omitempty"`
	// Notes explain the restore, one sentence each: PlanNotes, then what
	// the backend could not write.
	Notes []string `json:"notes,omitempty"`
	// Overwritten are the edits since the newest stored version that a
	// forced restore overwrote (they are in the safety snapshot), or that
	// a refused one would have.
	Overwritten []audit.Change `json:"overwritten,omitempty"`
	// Safety is the version that holds the tab as it was before; Restored
	// is the version stored from the tab as it is after.
	Safety    string `json:"safety_snapshot,omitempty"`
	Restored  string `json:"restored_snapshot,omitempty"`
	Unchanged bool   `json:"unchanged,omitempty"`
	// FormulasWritten counts the cells given their formulas back.
	FormulasWritten int `json:"formulas_written,omitempty"`
	// TypedWritten counts the cells written back as numbers, dates or
	// booleans rather than as their display text.
	TypedWritten int `json:"typed_written,omitempty"`
	// CellsWritten counts the cells a selective restore wrote one by one
	// (values only) instead of rewriting the tab.
	CellsWritten int `json:"cells_written,omitempty"`
	// Undo restores the tab as it was before; nil when nothing was written
	// over (a new tab, a dry run, a tab the restore created).
	Undo *Undo `json:"undo,omitempty"`
	// Recorded reports that the store keeps a record of this restore.
	Recorded bool `json:"recorded,omitempty"`

	// SnapshotTime and SnapshotRows describe the restored version.
	SnapshotTime time.Time `json:"-"`
	SnapshotRows int       `json:"-"`
	// DataTab is the sheet's data tab (Tab is where the restore writes).
	DataTab string `json:"-"`
	// Base is the newest stored version the live tab was compared with;
	// Forced whether the restore overwrote edits made since.
	Base   string `json:"-"`
	Forced bool   `json:"-"`
	// Created reports that the data tab did not exist and was created.
	Created bool `json:"-"`
	// ByCell reports that only the changed cells were written.
	ByCell bool `json:"-"`
	// TypedSkipped and FormulasSkipped count the cells whose typed values
	// or formulas the backend could not write (they keep their text).
	TypedSkipped    int `json:"-"`
	FormulasSkipped int `json:"-"`
	// PlanNotes are the plan's notes (Notes holds them too).
	PlanNotes []string `json:"-"`
	// NoKeyedDiff reports that the tabs could not be compared by key.
	NoKeyedDiff bool `json:"-"`
}

// Restorer puts stored versions back into a spreadsheet. Its fields are its
// dependencies; Logger and Now may be nil.
type Restorer struct {
	Workbook audit.Workbook
	Store    audit.Store
	// Records receives a record of each restore that changed the
	// spreadsheet; nil keeps none.
	Records Recorder
	Logger  *zap.Logger
	Now     func() time.Time
}

// Restore puts the version opts.Snapshot back. It always returns a result
// describing what was done so far, also with an error, so the caller can
// show it. Errors wrap ErrPlan (nothing changed), ErrChanged (refused;
// nothing changed) or ErrReadBack (done, but not as written); others are
// failures of the store or the backend, and their text says how to finish.
func (r *Restorer) Restore(ctx context.Context, opts Options) (*Result, error) {
	res := &Result{Sheet: opts.Sheet, Snapshot: opts.Snapshot, DryRun: opts.DryRun, DataTab: opts.Tab}
	snap, err := r.Store.Load(ctx, opts.Sheet, opts.Snapshot)
	if err != nil {
		return res, fmt.Errorf("load snapshot %s: %w", opts.Snapshot, err)
	}
	res.SnapshotTime, res.SnapshotRows = snap.Time, len(snap.Values)
	plan := audit.RestoreOptions{HeaderRow: opts.HeaderRow, Key: opts.Key, Rows: opts.Rows, Columns: opts.Columns}
	if !opts.InPlace && !plan.Selective() {
		err = r.newTab(ctx, opts, snap, plan, res)
	} else {
		err = r.inPlace(ctx, opts, snap, plan, res)
	}
	return res, r.record(ctx, opts, res, err)
}

// record stores the restore record of a restore that changed the
// spreadsheet (also one whose read-back differs), and returns err, or the
// record's failure when err is nil.
func (r *Restorer) record(ctx context.Context, opts Options, res *Result, err error) error {
	changed := res.Restored != "" || res.Mode == NewTab && !res.DryRun && err == nil
	if r.Records == nil || !changed {
		return err
	}
	rec := audit.RestoreRecord{
		Time: r.now(), Sheet: opts.Sheet, By: opts.By, Reason: opts.Reason, From: res.Snapshot,
		Mode: string(res.Mode), Tab: res.Tab, Rows: opts.Rows, Columns: opts.Columns, Safety: res.Safety, Restored: res.Restored,
		Changes: len(res.Changes), Cells: res.CellsWritten,
	}
	if rerr := r.Records.RecordRestore(ctx, rec); rerr != nil {
		rerr = fmt.Errorf("the restore is done, but its record could not be stored: %w", rerr)
		if err != nil {
			return errors.Join(err, rerr)
		}
		return rerr
	}
	res.Recorded = true
	return err
}

func (r *Restorer) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Restorer) log() *zap.Logger {
	if r.Logger == nil {
		return zap.NewNop()
	}
	return r.Logger
}

// newTab writes the version into a tab of its own. It writes the version's
// display text only, never its typed values: a new tab has no number
// formats, so a date serial would show as a bare number there, and the tab
// is for reading and copying from.
func (r *Restorer) newTab(ctx context.Context, opts Options, snap *audit.Snapshot, plan audit.RestoreOptions, res *Result) error {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	res.Mode, res.Tab = NewTab, TabTitle(snap.ID, snap.Time.In(loc), opts.ShortTabTitles, opts.Locale)
	wb := r.Workbook
	if opts.DryRun {
		// What the data tab would become in place, for comparison.
		live, err := readLive(ctx, wb, opts.Tab)
		if err != nil {
			return err
		}
		plan.Formulas, plan.Typed = snap.Formulas, snap.Typed
		p, err := audit.PlanRestore(live, snap.Values, plan)
		if err != nil {
			return fmt.Errorf("restore snapshot %s: %w: %w", snap.ID, ErrPlan, err)
		}
		res.Changes, res.DroppedColumns, res.Notes, res.PlanNotes = p.Changes, p.DroppedColumns, p.Notes, p.Notes
		return nil
	}
	if err := writeRestoredTab(ctx, wb, res.Tab, snap.Values, opts.HeaderRow); err != nil {
		return fmt.Errorf("write snapshot %s into tab %q: %w (the data tab is untouched; run the same command again to finish)", snap.ID, res.Tab, err)
	}
	if snap.Formulas != nil {
		if err := writeFormulas(ctx, wb, res.Tab, audit.FormulaCells(snap.Formulas), res); err != nil {
			return fmt.Errorf("write the formulas of snapshot %s into tab %q: %w (the values are written; run the same command again to finish)", snap.ID, res.Tab, err)
		}
	}
	return nil
}

// inPlace rewrites the data tab with the plan, guarded by the newest stored
// version and preceded by a safety snapshot.
func (r *Restorer) inPlace(ctx context.Context, opts Options, snap *audit.Snapshot, plan audit.RestoreOptions, res *Result) error {
	wb, store := r.Workbook, r.Store
	res.Mode, res.Tab = InPlace, opts.Tab
	if plan.Selective() {
		res.Mode = Selective
	}
	tab, err := wb.ReadTab(ctx, opts.Tab)
	if err != nil && !errors.Is(err, audit.ErrNotFound) {
		return fmt.Errorf("read tab %q: %w", opts.Tab, err)
	}
	var live, liveF, liveT [][]string
	if tab != nil {
		live = tab.Values
		if liveF, err = readFormulas(ctx, wb, opts, snap); err != nil {
			return err
		}
		if liveT, err = readTyped(ctx, wb, opts, live); err != nil {
			return err
		}
	}
	plan.Formulas, plan.LiveFormulas = snap.Formulas, liveF
	plan.Typed, plan.LiveTyped = snap.Typed, liveT
	// Versions this restore stores keep formulas as a cycle of this sheet
	// would: only with capture on, or the next cycle stores a new version.
	stored := func(f [][]string) [][]string {
		if opts.CaptureFormulas {
			return f
		}
		return nil
	}
	p, err := audit.PlanRestore(live, snap.Values, plan)
	if err != nil {
		return fmt.Errorf("restore snapshot %s into tab %q: %w: %w", snap.ID, opts.Tab, ErrPlan, err)
	}
	res.Changes, res.DroppedColumns, res.Appended = p.Changes, p.DroppedColumns, p.Appended
	res.Notes, res.PlanNotes, res.NoKeyedDiff = slices.Clone(p.Notes), p.Notes, p.Changes == nil
	// A selective restore on a backend that writes single cells writes only
	// the cells it changes: rewriting the whole tab would lose edits made
	// elsewhere between the read above and the write, which are not in the
	// safety snapshot either.
	cw, byCell := wb.(audit.CellWriter)
	byCell = byCell && p.Selective
	res.ByCell = byCell
	unchanged := tab != nil && equalValues(live, p.Values) && (p.Formulas == nil || liveF != nil && equalValues(liveF, audit.FormulaGrid(p.Formulas))) &&
		sameTyped(liveT, p)
	if byCell {
		unchanged = len(p.Cells) == 0 && len(p.CellFormulas) == 0 && len(p.CellTyped) == 0
	}
	if unchanged {
		res.Unchanged = true
		return nil
	}
	if opts.DryRun {
		return nil
	}

	// The guard: edits since the newest stored version exist nowhere else.
	var safetyTime time.Time
	if tab != nil {
		latest, err := store.Latest(ctx, opts.Sheet)
		if err != nil {
			return fmt.Errorf("read the newest snapshot of %q: %w", opts.Sheet, err)
		}
		res.Base = latest.ID
		res.Safety, safetyTime = latest.ID, latest.Time
		if !equalValues(latest.Values, live) {
			lost := p.Lost(changesBetween(latest, live, opts))
			res.Overwritten = lost
			if !opts.Force {
				res.Safety = ""
				return fmt.Errorf("tab %q changed since the newest snapshot %s (someone edited it since); "+
					"run sheetaudit run --once --sheet %s to keep those edits in a snapshot first, or add --force to restore anyway "+
					"(a safety snapshot keeps them either way): %w", opts.Tab, latest.ID, opts.Sheet, ErrChanged)
			}
			res.Forced = true
			info, err := store.Put(ctx, &audit.Snapshot{
				Sheet: opts.Sheet, Time: r.now(), Meta: tab.Meta, HeaderRow: opts.HeaderRow, Key: opts.Key, Values: live, Formulas: stored(liveF), Typed: liveT,
			})
			if err != nil {
				res.Safety = ""
				return fmt.Errorf("store the safety snapshot of tab %q (nothing was restored): %w", opts.Tab, err)
			}
			res.Safety, safetyTime = info.ID, info.Time
		}
		res.Undo = &Undo{Sheet: opts.Sheet, Snapshot: res.Safety}
	} else {
		res.Created = true
		if _, _, err := wb.EnsureTab(ctx, opts.Tab); err != nil {
			return fmt.Errorf("create tab %q: %w", opts.Tab, err)
		}
	}

	typed, formulas := p.Typed, p.Formulas
	if byCell {
		typed, formulas = p.CellTyped, p.CellFormulas
		err = cw.WriteCells(ctx, opts.Tab, p.Cells)
	} else {
		err = wb.ReplaceTab(ctx, opts.Tab, p.Values)
	}
	if err != nil {
		hint := "the tab may be partly written; run the same command again with --force to finish"
		if res.Safety != "" {
			hint += fmt.Sprintf(", or put the tab back as it was with: sheetaudit restore %s --sheet %s --in-place --force", res.Safety, opts.Sheet)
		}
		return fmt.Errorf("restore snapshot %s into tab %q stopped part way: %w (%s)", snap.ID, opts.Tab, err, hint)
	}
	if byCell {
		res.CellsWritten = len(p.Cells)
	}
	// Typed values before formulas: a cell with both gets its formula (the
	// plan leaves such cells out of Typed anyway).
	if err := writeTyped(ctx, wb, opts.Tab, typed, displayed(p), res); err != nil {
		return fmt.Errorf("restore snapshot %s into tab %q: the values are written as text, the numbers, dates and booleans not: %w (run the same command again with --force to finish)", snap.ID, opts.Tab, err)
	}
	if formulas != nil {
		if err := writeFormulas(ctx, wb, opts.Tab, formulas, res); err != nil {
			return fmt.Errorf("restore snapshot %s into tab %q: the values are written, the formulas not: %w (run the same command again with --force to finish)", snap.ID, opts.Tab, err)
		}
	}

	// Store the tab as written, so the newest version is what the tab holds:
	// undoing needs no --force, and the next cycle logs the restore's changes.
	after, err := wb.ReadTab(ctx, opts.Tab)
	if err != nil {
		return fmt.Errorf("read tab %q back after the restore (the restore itself is done): %w", opts.Tab, err)
	}
	mismatch := byCell && !holdsCells(after.Values, p.Cells) || !byCell && !equalValues(after.Values, p.Values)
	if mismatch {
		r.log().Warn("restored tab reads back different from what was written",
			zap.String("sheet", opts.Sheet), zap.String("tab", opts.Tab), zap.String("snapshot", snap.ID))
	}
	const storeAfter = "store the restored tab as a snapshot (the restore itself is done; the next cycle stores it): %w"
	afterF, err := readFormulas(ctx, wb, opts, snap)
	if err != nil {
		return fmt.Errorf(storeAfter, err)
	}
	afterT, err := readTyped(ctx, wb, opts, after.Values)
	if err != nil {
		return fmt.Errorf(storeAfter, err)
	}
	restored := &audit.Snapshot{
		Sheet: opts.Sheet, Time: r.now(), Meta: after.Meta, HeaderRow: opts.HeaderRow, Key: opts.Key, Values: after.Values, Formulas: stored(afterF),
		Typed: afterT,
	}
	info, err := store.Put(ctx, restored)
	if err == nil && !safetyTime.IsZero() && !info.Time.After(safetyTime) {
		// The store named an older version of the same content and second
		// (ids are per second); store it a second later, so the newest
		// version is what the tab now holds.
		restored.Time = safetyTime.Truncate(time.Second).Add(time.Second)
		info, err = store.Put(ctx, restored)
	}
	if err != nil {
		return fmt.Errorf(storeAfter, err)
	}
	res.Restored = info.ID
	if mismatch {
		return fmt.Errorf("%w: tab %q after restoring snapshot %s; "+
			"see what differs with: sheetaudit snapshots diff %s %s --sheet %s (the tab as it is now is stored as %s)",
			ErrReadBack, opts.Tab, snap.ID, snap.ID, info.ID, opts.Sheet, info.ID)
	}
	return nil
}

// TabTitle names the tab a version is restored into. Excel allows 31
// characters in a tab name, so with short set the name is shorter and
// carries the version's content hash.
func TabTitle(id string, t time.Time, short bool, locale string) string {
	word := "Restored"
	if locale == "zh-CN" {
		word = "已恢复"
	}
	if !short {
		return word + " " + id + " " + t.Format("2006-01-02 1504")
	}
	hash := id
	if _, rest, ok := strings.Cut(id, "-"); ok {
		hash = rest
	}
	title := word + " " + t.Format("060102 1504") + " " + hash
	if r := []rune(title); len(r) > 31 {
		title = string(r[:31])
	}
	return title
}

// holdsCells reports whether values hold each of cells (A1 → text).
// Only the written cells count: the rest of the tab may have been edited
// since it was read.
func holdsCells(values [][]string, cells map[string]string) bool {
	got := audit.FormulaCells(values)
	for ref, v := range cells {
		if got[ref] != v {
			return false
		}
	}
	return true
}

// readFormulas reads the data tab's formulas when the sheet captures them
// or the version being restored has them, and the backend can read them;
// nil otherwise, as a cycle would store.
func readFormulas(ctx context.Context, wb audit.Workbook, opts Options, snap *audit.Snapshot) ([][]string, error) {
	if !opts.CaptureFormulas && snap.Formulas == nil {
		return nil, nil
	}
	f, _, err := audit.CaptureFormulas(ctx, wb, opts.Tab)
	return f, err
}

// readTyped reads the typed values of the typed columns from the data tab,
// whose values are values, as a cycle of the sheet would store them: nil
// when no column is typed or the backend cannot read them.
func readTyped(ctx context.Context, wb audit.Workbook, opts Options, values [][]string) ([][]string, error) {
	if len(opts.TypedColumns) == 0 {
		return nil, nil
	}
	t, err := audit.ParseTable(values, opts.HeaderRow, opts.Key)
	if err != nil {
		return nil, nil // no header to find the columns by; the restore writes text
	}
	g, _, err := audit.CaptureTyped(ctx, wb, opts.Tab, t, opts.TypedColumns)
	return g, err
}

// sameTyped reports whether the live typed values are those the plan
// writes, formula cells aside, so that a tab whose numbers were pasted
// over as text of the same display is not taken for already restored.
func sameTyped(live [][]string, plan audit.RestorePlan) bool {
	if plan.Typed == nil {
		return true
	}
	if live == nil {
		return false
	}
	cells := audit.FormulaCells(live)
	for c := range plan.Formulas {
		delete(cells, c)
	}
	return maps.Equal(cells, plan.Typed)
}

// writeTyped writes cells back as numbers, dates and booleans after their
// values were written as text. A backend that cannot keeps the text, which
// shows the same; the result says so. Cells whose stored display text is
// not their bare typed value had a number format (a date, an amount with
// separators); where the backend can, those take their column's format
// when the cell has none (a re-added row), so they show as before.
func writeTyped(ctx context.Context, wb audit.Workbook, tab string, cells, shown map[string]string, res *Result) error {
	if len(cells) == 0 {
		return nil
	}
	tw, ok := wb.(audit.TypedWriter)
	if !ok {
		res.TypedSkipped = len(cells)
		res.Notes = append(res.Notes, fmt.Sprintf("this backend cannot write typed values: %d cells hold their numbers, dates or booleans as text", len(cells)))
		return nil
	}
	plain := cells
	if fw, ok := wb.(audit.FormattedTypedWriter); ok {
		plain = make(map[string]string, len(cells))
		formatted := make(map[string]string)
		for ref, v := range cells {
			if s, ok := shown[ref]; ok && s != v {
				formatted[ref] = v
			} else {
				plain[ref] = v
			}
		}
		if err := fw.WriteTypedFormatted(ctx, tab, formatted); err != nil {
			return err
		}
	}
	if err := tw.WriteTyped(ctx, tab, plain); err != nil {
		return err
	}
	res.TypedWritten = len(cells)
	return nil
}

// displayed is, by A1 cell, the text the plan writes: the stored version's
// display text of each cell it writes.
func displayed(p audit.RestorePlan) map[string]string {
	if p.Cells != nil {
		return p.Cells
	}
	return audit.FormulaCells(p.Values)
}

// writeFormulas gives cells their formulas back after their values were
// written. A backend that cannot write formulas keeps the values, which
// are the formulas' results when stored; the result says so.
func writeFormulas(ctx context.Context, wb audit.Workbook, tab string, formulas map[string]string, res *Result) error {
	if len(formulas) == 0 {
		return nil
	}
	fw, ok := wb.(audit.FormulaWriter)
	if !ok {
		res.FormulasSkipped = len(formulas)
		res.Notes = append(res.Notes, fmt.Sprintf("this backend cannot write formulas: %d cells hold their stored results as values", len(formulas)))
		return nil
	}
	if err := fw.WriteFormulas(ctx, tab, formulas); err != nil {
		return err
	}
	res.FormulasWritten = len(formulas)
	return nil
}

// readLive returns the data tab's values, nil when the tab does not exist.
func readLive(ctx context.Context, wb audit.Workbook, title string) ([][]string, error) {
	tab, err := wb.ReadTab(ctx, title)
	if errors.Is(err, audit.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read tab %q: %w", title, err)
	}
	return tab.Values, nil
}

// changesBetween is the keyed diff from a stored version to the live tab;
// when either cannot be read as a table, one summary change says so.
func changesBetween(from *audit.Snapshot, live [][]string, opts Options) []audit.Change {
	ft, err1 := audit.ParseTable(from.Values, opts.HeaderRow, opts.Key)
	lt, err2 := audit.ParseTable(live, opts.HeaderRow, opts.Key)
	if err := errors.Join(err1, err2); err != nil {
		return []audit.Change{{Kind: "tab changed", New: "not readable as a table: " + err.Error()}}
	}
	return audit.Diff(ft, lt)
}

func equalValues(a, b [][]string) bool {
	trim := func(v [][]string) [][]string {
		for len(v) > 0 && len(v[len(v)-1]) == 0 {
			v = v[:len(v)-1]
		}
		return v
	}
	return slices.EqualFunc(trim(a), trim(b), func(x, y []string) bool {
		for len(x) > 0 && x[len(x)-1] == "" {
			x = x[:len(x)-1]
		}
		for len(y) > 0 && y[len(y)-1] == "" {
			y = y[:len(y)-1]
		}
		return slices.Equal(x, y)
	})
}

// writeRestoredTab writes a version's values into a tab of their own,
// laid out to read (frozen header, widths, filter) on backends that take
// a whole write-back, as plain values elsewhere.
func writeRestoredTab(ctx context.Context, wb audit.Workbook, title string, values [][]string, headerRow int) error {
	if bw, ok := wb.(audit.BatchWriter); ok {
		layout := audit.RestoredLayout(values, headerRow)
		return bw.WriteBack(ctx, &audit.WriteBack{Tabs: []audit.TabWrite{{
			Title: title, Rows: audit.RestoredCells(values), Layout: &layout,
		}}})
	}
	if _, _, err := wb.EnsureTab(ctx, title); err != nil {
		return fmt.Errorf("create tab %q: %w", title, err)
	}
	return wb.ReplaceTab(ctx, title, values)
}
