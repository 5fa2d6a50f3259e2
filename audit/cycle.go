package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"
)

// Spec is what a cycle needs to know about one configured sheet.
type Spec struct {
	// Name is the configured sheet name, used in store paths and logs.
	Name      string
	Tab       string
	HeaderRow int
	Key       []string
	// ChangeLogTab receives one row per change; empty disables it.
	ChangeLogTab string
	// ChangeLogLimit caps the rows one cycle appends (default 5000).
	ChangeLogLimit int
	// Rules validates every row; nil checks only the table's shape.
	Rules *Rules
	// ReviewTab is rewritten each cycle with the current findings; empty
	// disables it.
	ReviewTab string
	// Locale is the language of what the cycle writes: "en" or "zh-CN".
	Locale string
	// Stale flags rows without follow-up; nil disables it.
	Stale *StalePolicy
	// MarkCells puts a note on each offending cell of the data tab, on
	// backends that support notes.
	MarkCells bool
	// CaptureFormulas stores each cell's formula with every snapshot, on
	// backends that can read them (FormulaReader), so a restore puts
	// formulas back and the Change Log tells edited inputs from
	// recalculated results.
	CaptureFormulas bool
	// TypedColumns names the columns whose underlying typed values (dates
	// as serials, numbers, booleans) are read with every cycle, on backends
	// that can (TypedReader): they are stored with the snapshot and
	// validation and staleness read them instead of the displayed text.
	// Names missing from the header are skipped.
	TypedColumns []string
	// ChangeCheck lets a cycle ask the backend for the source's version
	// first (VersionChecker) and stop there when nothing changed.
	ChangeCheck bool
	// Fingerprint identifies the configuration the spec was built from; a
	// change of it makes the next cycle read fully even when the source
	// did not change.
	Fingerprint string
	// Paste raises an alarm in Needs Review when one cycle changes most of
	// a column (see DetectPaste); nil turns it off.
	Paste *PastePolicy
	// Protect is how the Change Log and Needs Review tabs are protected
	// on backends that can (TabProtector): ProtectWarning, ProtectStrict,
	// or "" for not at all. The protection is set when a tab is created or
	// the mode changes, not every cycle.
	Protect string
}

// Result is the outcome of one cycle of one sheet.
type Result struct {
	Sheet string `json:"sheet"`
	// Cycle identifies the cycle; the Change Log rows it wrote carry it.
	Cycle    string        `json:"cycle,omitempty"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration"`
	// Error is set when the cycle failed.
	Error string `json:"error,omitempty"`
	// Snapshot is the id of the version the sheet is at now.
	Snapshot string `json:"snapshot,omitempty"`
	// NewSnapshot reports whether this cycle stored a new version.
	NewSnapshot bool `json:"new_snapshot"`
	Rows        int  `json:"rows"`
	Columns     int  `json:"columns"`
	Blank       int  `json:"blank_rows"`
	Errors      int  `json:"errors"`
	Warnings    int  `json:"warnings"`
	Stale       int  `json:"stale"`
	DueSoon     int  `json:"due_soon"`
	Changes     int  `json:"changes"`
	// SnapshotWritten and SnapshotDeduplicated are the bytes this cycle's
	// new version wrote to the store and found there already.
	SnapshotWritten      int64 `json:"snapshot_written,omitempty"`
	SnapshotDeduplicated int64 `json:"snapshot_deduplicated,omitempty"`
	// Logged is the number of rows appended to the Change Log.
	Logged int `json:"logged"`
	// Unchanged reports a cycle that found the source at the version the
	// last full cycle left it at and read nothing; the counts are that
	// cycle's.
	Unchanged bool      `json:"unchanged,omitempty"`
	Findings  []Finding `json:"findings,omitempty"`
	// PasteAlarms are the columns of which this cycle changed most cells.
	PasteAlarms []PasteAlarm `json:"paste_alarms,omitempty"`
}

// Cycle runs one audit pass over one sheet: read, snapshot, diff against the
// last logged version, write the changes back. Its fields are its
// dependencies; Logger and Now may be nil.
type Cycle struct {
	Spec     Spec
	Workbook Workbook
	Store    Store
	State    StateStore
	Logger   *zap.Logger
	Now      func() time.Time
	// Location is the time zone of the times written to the sheet.
	Location *time.Location
	// Who answers "who changed it, who can see it": the store's change
	// log chain, the access audit and attribution; nil turns them off.
	Who *Who
}

// Run runs the cycle once. Problems in the data come back as findings in the
// result; an error means the cycle could not do its job, and whatever it
// could not finish is retried by the next cycle: the snapshot is stored
// before anything is written back, and the Change Log position advances
// only after the rows are appended.
func (c *Cycle) Run(ctx context.Context) (*Result, error) {
	now, log := time.Now, c.Logger
	if c.Now != nil {
		now = c.Now
	}
	if log == nil {
		log = zap.NewNop()
	}
	log = log.With(zap.String("sheet", c.Spec.Name))
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	s := c.Spec
	res := &Result{Sheet: s.Name, Started: now()}
	err := c.run(ctx, res, now, loc, log)
	res.Duration = now().Sub(res.Started)
	for _, f := range res.Findings {
		switch f.Severity {
		case Error:
			res.Errors++
		case Warning:
			res.Warnings++
		}
	}
	if err != nil {
		res.Error = err.Error()
	}
	c.saveLast(ctx, res, log)
	return res, err
}

func (c *Cycle) run(ctx context.Context, res *Result, now func() time.Time, loc *time.Location, log *zap.Logger) error {
	s := c.Spec
	st, err := c.State.LoadState(ctx, s.Name)
	if err != nil {
		return fmt.Errorf("load state: %w", err)
	}
	day := res.Started.In(loc).Format(time.DateOnly)
	res.Cycle = cycleID(res.Started)
	version, unchanged := c.checkVersion(ctx, st, day, log)
	if unchanged {
		res.Unchanged, res.Snapshot = true, st.Logged
		if l := st.Last; l != nil {
			res.Rows, res.Columns, res.Blank = l.Rows, l.Columns, l.Blank
			res.Errors, res.Warnings, res.Stale, res.DueSoon = l.Errors, l.Warnings, l.Stale, l.DueSoon
		}
		log.Debug("source unchanged since the last cycle; nothing read", zap.String("version", version))
		return nil
	}
	if st.Pending != nil {
		if err := c.finishPending(ctx, &st, loc, log); err != nil {
			return err
		}
	}
	tab, table, findings, err := c.Inspect(ctx, res.Started, loc)
	if err != nil {
		return err
	}
	res.Rows, res.Columns, res.Blank = len(table.Rows), len(table.Header), table.Blank
	res.Findings = findings
	formulas, err := c.formulas(ctx, log)
	if err != nil {
		return err
	}

	snap := &Snapshot{
		Sheet: s.Name, Time: res.Started, Meta: tab.Meta,
		HeaderRow: s.HeaderRow, Key: s.Key, Values: tab.Values, Formulas: formulas, Typed: table.Typed,
	}
	id, same, err := c.current(ctx, snap, log)
	if err != nil {
		return err
	}
	// Diff before storing: the store then builds its patch from the same
	// read of the base version instead of loading it a second time.
	var changes []Change
	var old *Table
	if st.Logged != "" && !(same && st.Logged == id) {
		if changes, old, st.Logged, err = c.changesSince(ctx, res, st.Logged, table, snap, log); err != nil {
			return err
		}
	}
	if same {
		res.Snapshot = id
	} else {
		info, err := c.Store.Put(ctx, snap)
		if err != nil {
			return fmt.Errorf("store snapshot: %w", err)
		}
		res.Snapshot, res.NewSnapshot = info.ID, true
		res.SnapshotWritten, res.SnapshotDeduplicated = info.Written, info.Deduplicated
		log.Info("snapshot stored", zap.String("snapshot", info.ID),
			zap.Int("rows", info.Rows), zap.Int64("bytes", info.Bytes))
	}
	// Staleness comes before the write-back so that Needs Review goes in
	// the same batch as the Change Log; when it fails, the Change Log is
	// still written, so a staleness problem never stops the log.
	staleErr := c.staleness(ctx, res, table, loc)
	// Whole seconds: the Change Log shows seconds, and the store's chain
	// must read the time as the tab shows it, not a second off by rounding.
	at := now().In(loc).Truncate(time.Second)
	restores, changes, err := c.restoresSince(ctx, res, st, res.Snapshot, old, table, changes, log)
	if err != nil {
		return err
	}
	c.pasteAlarms(res, st, old, table, changes, tab.Meta, log)
	b := c.changeLogWrite(res, st, old, table, changes, at, restores)
	whoErr := c.who(ctx, res, &st, b, at, loc, log)
	var digest string
	if staleErr == nil {
		var review *TabWrite
		if review, digest = c.reviewWrite(ctx, res, st, tab.Meta, table, at, day, log); review != nil {
			b.Tabs = append(b.Tabs, *review)
		}
	}
	created := c.newTabs(ctx, b)
	wrote, err := c.writeBack(ctx, &st, b, res, at, digest, restores, log)
	if err != nil {
		return err
	}
	if staleErr != nil {
		return staleErr
	}
	wrote = c.protect(ctx, &st, created, log) || wrote
	if s.MarkCells {
		n, err := c.markCells(ctx, res.Findings, table.Header)
		if err != nil {
			return err
		}
		if n > 0 {
			wrote = true
			log.Info("cell notes updated", zap.String("tab", s.Tab), zap.Int("cells", n))
		}
	}
	st.Version = c.versionAfter(ctx, version, wrote, log)
	st.Checked, st.Config = day, s.Fingerprint
	if err := c.State.SaveState(ctx, s.Name, st); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return whoErr
}

// staleness adds the staleness findings to the result.
func (c *Cycle) staleness(ctx context.Context, res *Result, table *Table, loc *time.Location) error {
	s := c.Spec
	if s.Stale == nil {
		return nil
	}
	warnings, err := s.Stale.Validate(table)
	if err != nil {
		return fmt.Errorf("staleness: %w", err)
	}
	for _, w := range warnings {
		w.Sheet = s.Name
		res.Findings = append(res.Findings, w)
	}
	items, err := c.CheckStale(ctx, table, res.Started, loc)
	if err != nil {
		return err
	}
	for _, it := range items {
		res.Findings = append(res.Findings, it.Finding(s.Name))
		if it.DueSoon {
			res.DueSoon++
		} else {
			res.Stale++
		}
	}
	return nil
}

// formulas reads the data tab's formulas when the spec captures them: nil
// when it does not, or when the backend cannot read formulas (logged, since
// the configuration asked for them).
func (c *Cycle) formulas(ctx context.Context, log *zap.Logger) ([][]string, error) {
	if !c.Spec.CaptureFormulas {
		return nil, nil
	}
	f, ok, err := CaptureFormulas(ctx, c.Workbook, c.Spec.Tab)
	if !ok {
		log.Warn("capture formulas: this backend cannot read formulas; storing values only")
	}
	return f, err
}

// sameFormulas reports whether two formula (or typed-value) grids are
// equal, a grid not captured (nil) being equal only to another one not
// captured, so turning capture on or off stores a new version.
func sameFormulas(a, b [][]string) bool {
	return (a == nil) == (b == nil) && slices.EqualFunc(a, b, slices.Equal)
}

// typed reads the typed values of Spec.TypedColumns into table.Typed, with
// the spreadsheet's time zone (the configuration's, loc, when the sheet
// names none or one this system does not know). It leaves table.Typed nil
// when the spec names no typed column or the backend cannot read typed
// values (logged, since the configuration asked for them). read is every
// column's typed values when they came with the values (ReadTab), else nil.
func (c *Cycle) typed(ctx context.Context, meta TabMeta, table *Table, read [][]string, loc *time.Location) error {
	if len(c.Spec.TypedColumns) == 0 {
		return nil
	}
	var typed [][]string
	ok, err := true, error(nil)
	if read != nil {
		typed = TypedFrom(read, table, c.Spec.TypedColumns)
	} else {
		typed, ok, err = CaptureTyped(ctx, c.Workbook, c.Spec.Tab, table, c.Spec.TypedColumns)
	}
	if !ok {
		c.logger().Warn("typed values: this backend cannot read them; validating displayed values")
		return nil
	}
	if err != nil {
		return err
	}
	table.Typed, table.TypedZone = typed, loc
	if meta.TimeZone != "" {
		if z, err := time.LoadLocation(meta.TimeZone); err == nil {
			table.TypedZone = z
		} else {
			c.logger().Warn("typed values: unknown spreadsheet time zone; using the configured one",
				zap.String("time_zone", meta.TimeZone), zap.Error(err))
		}
	}
	return nil
}

// ReadTypedColumns reads the typed values of the named columns of tab, whose
// header table gives their positions. Columns missing from the header are
// skipped; none found gives an empty grid, which is "captured, nothing
// typed", not nil ("not captured").
func ReadTypedColumns(ctx context.Context, tr TypedReader, tab string, table *Table, names []string) ([][]string, error) {
	cols := typedColumns(table, names)
	if len(cols) == 0 {
		return [][]string{}, nil
	}
	g, err := tr.ReadTyped(ctx, tab, cols)
	if err != nil {
		return nil, fmt.Errorf("read typed values of tab %q: %w", tab, err)
	}
	if g == nil {
		g = [][]string{}
	}
	return g, nil
}

func (c *Cycle) logger() *zap.Logger {
	if c.Logger == nil {
		return zap.NewNop()
	}
	return c.Logger.With(zap.String("sheet", c.Spec.Name))
}

// Inspect reads the data tab and checks it: the table's shape and, with
// Spec.Rules, every rule. It writes nothing, so `sheetaudit validate` uses
// it as it is.
func (c *Cycle) Inspect(ctx context.Context, now time.Time, loc *time.Location) (*Tab, *Table, []Finding, error) {
	s := c.Spec
	tab, typed, err := ReadTab(ctx, c.Workbook, s.Tab, s.TypedColumns)
	if err != nil {
		return nil, nil, nil, WrapOnce(fmt.Sprintf("read tab %q", s.Tab), err)
	}
	table, err := ParseTable(tab.Values, s.HeaderRow, s.Key)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("tab %q: %w", s.Tab, err)
	}
	if err := c.typed(ctx, tab.Meta, table, typed, loc); err != nil {
		return nil, nil, nil, err
	}
	findings := table.ProblemsIn(s.Locale)
	if s.Rules != nil {
		refs, err := c.refTables(ctx, s.Rules.ReferencedTabs())
		if err != nil {
			return nil, nil, nil, err
		}
		findings = append(findings, s.Rules.Check(table, now, loc, refs)...)
	}
	for i := range findings {
		findings[i].Sheet = s.Name
	}
	return tab, table, findings, nil
}

// current reports whether snap equals the newest stored version, and that
// version's id. Stores that can compare digests answer without a load.
func (c *Cycle) current(ctx context.Context, snap *Snapshot, log *zap.Logger) (string, bool, error) {
	if cc, ok := c.Store.(CurrentChecker); ok {
		id, same, err := cc.Current(ctx, snap)
		if err == nil || !errors.Is(err, ErrInvalid) {
			return id, same, err
		}
		log.Warn("newest snapshot unreadable; storing a full version", zap.Error(err))
		return "", false, nil
	}
	latest, err := c.Store.Latest(ctx, snap.Sheet)
	switch {
	case errors.Is(err, ErrInvalid):
		// A damaged newest version must not stop the audit: the new
		// version is stored whole, and verify reports the damage.
		log.Warn("newest snapshot unreadable; storing a full version", zap.Error(err))
		return "", false, nil
	case errors.Is(err, ErrNotFound):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("read latest snapshot: %w", err)
	}
	same := slices.EqualFunc(latest.Values, snap.Values, slices.Equal) &&
		sameFormulas(latest.Formulas, snap.Formulas) && sameFormulas(latest.Typed, snap.Typed)
	return latest.ID, same, nil
}

// Lister is implemented by stores that can list a sheet's versions; the
// history basis of staleness needs it.
type Lister interface {
	// List returns the sheet's versions, oldest first. Idempotent.
	List(ctx context.Context, sheet string) ([]SnapshotInfo, error)
}

// CheckStale flags the table's stale and due-soon rows as of now. With the
// history basis it reads the sheet's stored versions to learn when each row
// last changed.
func (c *Cycle) CheckStale(ctx context.Context, table *Table, now time.Time, loc *time.Location) ([]StaleItem, error) {
	p := *c.Spec.Stale
	if _, err := p.Validate(table); err != nil {
		return nil, fmt.Errorf("staleness: %w", err)
	}
	if p.Basis != BasisHistory {
		return CheckStale(table, p, now, loc, nil, time.Time{}), nil
	}
	last, since, err := c.history(ctx, now)
	if err != nil {
		return nil, err
	}
	return CheckStale(table, p, now, loc, last, since), nil
}

// history loads every stored version up to now, oldest first, and returns
// when each row last changed. It reads each version once; a store-side
// index would avoid the scan for long histories.
func (c *Cycle) history(ctx context.Context, now time.Time) (map[string]time.Time, time.Time, error) {
	var series []*Table
	var times []time.Time
	_, err := WalkVersions(ctx, c.Store, c.Spec.Name, now, func(snap *Snapshot) error {
		t, err := ParseTable(snap.Values, snap.HeaderRow, c.Spec.Key)
		if err != nil {
			return nil // a version that was not a table (e.g. an emptied tab) tells nothing about rows
		}
		series, times = append(series, t), append(times, snap.Time)
		return nil
	}, func(id string, err error) {
		c.logger().Warn("staleness basis history: damaged snapshot skipped", zap.String("snapshot", id),
			zap.Error(err), zap.String("hint", "run sheetaudit snapshots verify --full"))
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("staleness basis history: %w", err)
	}
	last, since := LastChanges(series, times, c.Spec.Stale.ResetOn)
	return last, since, nil
}

// refTables reads the other tabs that reference rules point at. Their
// first row is taken as the header.
func (c *Cycle) refTables(ctx context.Context, tabs []string) (map[string]*Table, error) {
	if len(tabs) == 0 {
		return nil, nil
	}
	refs := make(map[string]*Table, len(tabs))
	for _, title := range tabs {
		tab, err := c.Workbook.ReadTab(ctx, title)
		if err != nil {
			return nil, fmt.Errorf("read referenced tab %q: %w", title, err)
		}
		if len(tab.Values) == 0 || len(tab.Values[0]) == 0 {
			return nil, fmt.Errorf("referenced tab %q has no header row: %w", title, ErrInvalid)
		}
		t, err := ParseTable(tab.Values, 1, tab.Values[0][:1])
		if err != nil {
			return nil, fmt.Errorf("referenced tab %q: %w", title, err)
		}
		refs[title] = t
	}
	return refs, nil
}

// saveLastTimeout bounds the recording of a cycle's outcome after the
// cycle itself was cancelled.
const saveLastTimeout = 10 * time.Second

// saveLast records the cycle's outcome for `sheetaudit status`. A failure
// here is logged, not returned: the cycle's own result matters more.
func (c *Cycle) saveLast(ctx context.Context, res *Result, log *zap.Logger) {
	// A cycle stopped by its deadline or by a shutdown still records why:
	// the outcome is saved past the cycle's cancellation, briefly.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveLastTimeout)
	defer cancel()
	st, err := c.State.LoadState(ctx, c.Spec.Name)
	if err == nil {
		last := *res
		last.Findings = nil
		st.Last = &last
		err = c.State.SaveState(ctx, c.Spec.Name, st)
	}
	if err != nil {
		log.Warn("save cycle state", zap.Error(err))
	}
}
