package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"
)

// This file wires Cycle.Who into the cycle: the access audit and the
// Change Log check go into Needs Review, sharing changes and rows put back
// from the chain into the Change Log, the editors of the window into the
// Editor column; and sheetaudit's own tabs are protected.

// How sheetaudit's own tabs are protected (Spec.Protect).
const (
	ProtectWarning = "warning"
	ProtectStrict  = "strict"
)

// who runs Who.Review once and puts what it found into the cycle's
// write-back b: findings into res (so Needs Review shows them), the
// sharing as read into st.Access, sharing changes and the Change Log rows
// to put back into the Change Log part of b, and, with attribution on, the
// Editor column on this cycle's rows. The rows put back go first, so this
// cycle's own rows stay the tab's last (finishPending looks for them
// there). A part that failed is logged and returned; the others still go
// into the write-back.
func (c *Cycle) who(ctx context.Context, res *Result, st *State, b *WriteBack, at time.Time, loc *time.Location, log *zap.Logger) error {
	w, s := c.Who, c.Spec
	if w == nil {
		return nil
	}
	log = log.With(zap.String("cycle", b.Cycle))
	cl := c.changeLogTab(b)
	var own [][]Cell
	if cl != nil {
		own = cl.Rows
	}
	// The window runs from the version last logged to now; a baseline
	// has no window, and a cycle that logs no change asks nobody.
	edits := len(own) > 0 && st.Logged != "" && st.Logged != res.Snapshot
	since := c.windowStart(ctx, st.Logged, edits || w.Access != nil)
	// The Change Log check reads the whole tab, a request and bytes that
	// grow with the log: it runs on the first full cycle of each day (as
	// the staleness findings move with the day), so a changed cycle stays
	// at three Sheets requests and rows deleted from the tab are found and
	// put back within a day.
	day := at.In(loc).Format(time.DateOnly)
	checkTab := ""
	if st.ChainChecked != day {
		checkTab = s.ChangeLogTab
	}
	r, err := w.Review(ctx, c.Workbook, s.Name, checkTab, st.Access, since, at, edits, loc, s.Locale)
	switch {
	case err == nil && checkTab != "" && w.Chain != nil:
		// Rows found deleted are put back by this write-back; edited and
		// moved rows stay as they are, so their findings stay in Needs
		// Review until the next check.
		st.ChainChecked, st.ChainFindings = day, nil
		for _, f := range r.Findings {
			if f.Rule == RuleChangeLogEdited || f.Rule == RuleChangeLogReordered {
				st.ChainFindings = append(st.ChainFindings, f)
			}
		}
	case checkTab == "":
		r.Findings = append(r.Findings, st.ChainFindings...)
	}
	if err != nil {
		log.Warn("who changed it, who can see it: a part failed; the rest is written", zap.Error(err))
		err = fmt.Errorf("who changed it, who can see it: %w", err)
	}
	for i := range r.Findings {
		r.Findings[i].Sheet = s.Name
	}
	res.Findings = append(res.Findings, r.Findings...)
	if r.Access != nil {
		st.Access = r.Access
	}
	if r.Editor != nil && r.Editor.Degraded != "" {
		log.Warn("attribution: the activity log was not read; editors come from the revisions",
			zap.String("reason", r.Editor.Degraded))
	}
	if s.ChangeLogTab == "" {
		return err
	}
	var access [][]Cell
	if len(r.AccessChanges) > 0 {
		e := ChangeLogEntry{At: at, To: res.Snapshot, Cycle: b.Cycle, Locale: s.Locale}
		access = AccessChangeCells(r.AccessChanges, e)
		log.Info("sharing changed", zap.Int("changes", len(r.AccessChanges)))
	}
	if w.Attributes() {
		unknown := &Attribution{Editor: unknownEditor(s.Locale)}
		ed, aed := r.Editor, r.AccessEditor
		if ed == nil && edits {
			ed = unknown
		}
		if aed == nil {
			aed = unknown
		}
		own, access = WithEditor(own, ed, s.Locale), WithEditor(access, aed, s.Locale)
	}
	rows := slices.Concat(r.Restore, own, access)
	if len(rows) == 0 {
		return err
	}
	if len(r.Restore) > 0 {
		log.Warn("Change Log rows deleted or edited; appending them back from the store's change log",
			zap.String("tab", s.ChangeLogTab), zap.Int("rows", len(r.Restore)))
	}
	if cl == nil {
		layout := ChangeLogLayout(s.Locale)
		b.Tabs = append(b.Tabs, TabWrite{Title: s.ChangeLogTab, Append: true, Layout: &layout})
		cl = &b.Tabs[len(b.Tabs)-1]
	}
	cl.Rows = rows
	cl.Header = [][]Cell{c.changeLogHeader()}
	return err
}

// windowStart is when the version last logged was taken: the start of
// the attribution window. Ids that do not name their second (a store of
// another kind) cost a load, only when the window is needed. Zero when
// unknown: nobody is then named.
func (c *Cycle) windowStart(ctx context.Context, logged string, needed bool) time.Time {
	if logged == "" {
		return time.Time{}
	}
	if t, ok := SnapshotTime(logged); ok {
		return t
	}
	if !needed {
		return time.Time{}
	}
	snap, err := c.Store.Load(ctx, c.Spec.Name, logged)
	if err != nil {
		c.logger().Warn("attribution: the version last logged is unreadable; editors unknown", zap.String("snapshot", logged), zap.Error(err))
		return time.Time{}
	}
	return snap.Time
}

// changeLogHeader is the Change Log's header row, with the Editor column
// when attribution is on.
func (c *Cycle) changeLogHeader() []Cell {
	h := ChangeLogHeaderCells(c.Spec.Locale)
	if c.Who.Attributes() {
		h = append(h, Text(EditorHeader(c.Spec.Locale)))
	}
	return h
}

// changeLogTab returns the Change Log part of b, nil when b has none.
func (c *Cycle) changeLogTab(b *WriteBack) *TabWrite {
	for i := range b.Tabs {
		if t := &b.Tabs[i]; t.Append && t.Title == c.Spec.ChangeLogTab {
			return t
		}
	}
	return nil
}

// ownRows are the rows of b's Change Log part that this cycle wrote (its
// id in the Cycle column), leaving out rows put back from the chain.
func ownRows(b *WriteBack) [][]Cell {
	var out [][]Cell
	for _, t := range b.Tabs {
		if !t.Append {
			continue
		}
		for _, r := range t.Rows {
			if len(r) > ChangeLogCycleColumn && r[ChangeLogCycleColumn].String() == b.Cycle {
				out = append(out, r)
			}
		}
	}
	return out
}

// record appends this cycle's own Change Log rows to the store's chain;
// the caller sends them right after, so the chain is never behind the
// tab. A retried cycle (same id) appends nothing twice.
func (c *Cycle) record(ctx context.Context, cycle string, rows [][]Cell, at time.Time) error {
	if c.Who == nil || len(rows) == 0 {
		return nil
	}
	if err := c.Who.Record(ctx, c.Spec.Name, cycle, rows, at); err != nil {
		return fmt.Errorf("%w (nothing was written; the next cycle tries again)", err)
	}
	return nil
}

// chainRows returns the rows the chain holds for cycle, nil when it holds
// none (the cycle died before recording them, or the chain is off).
func (c *Cycle) chainRows(ctx context.Context, cycle string, loc *time.Location) ([][]Cell, error) {
	if c.Who == nil || c.Who.Chain == nil {
		return nil, nil
	}
	entries, err := c.Who.Chain.ChangeHistory(ctx, c.Spec.Name)
	if err != nil {
		return nil, err
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Cycle != cycle {
			continue
		}
		rows := make([][]Cell, len(entries[i].Rows))
		for j, r := range entries[i].Rows {
			rows[j] = ChainRowCells(r, loc)
		}
		return rows, nil
	}
	return nil, nil
}

// newTabs marks the Change Log and Needs Review parts of b to be
// protected when the write-back creates them (in the same batch, at no
// request of its own) and names those it will create, on backends that
// protect tabs and write one batch.
func (c *Cycle) newTabs(ctx context.Context, b *WriteBack) []string {
	s := c.Spec
	if s.Protect == "" {
		return nil
	}
	_, protects := c.Workbook.(TabProtector)
	_, batches := c.Workbook.(BatchWriter)
	if !protects || !batches {
		return nil
	}
	var out []string
	for i := range b.Tabs {
		t := &b.Tabs[i]
		if t.Title != s.ChangeLogTab && t.Title != s.ReviewTab || c.hasTab(ctx, t.Title) {
			continue
		}
		t.Protect = s.Protect
		out = append(out, t.Title)
	}
	return out
}

// protect keeps the Change Log and Needs Review tabs protected as
// Spec.Protect says. A tab the write-back just created came with its
// protection (created); a tab that existed is protected here when it is
// not yet, as far as State.Protected knows (an upgrade, a mode change, a
// tab added to the configuration): one read and one batchUpdate, then
// nothing on later cycles. A failure is logged and tried again next
// cycle; it never fails the cycle. It reports whether it wrote.
func (c *Cycle) protect(ctx context.Context, st *State, created []string, log *zap.Logger) bool {
	s := c.Spec
	tp, ok := c.Workbook.(TabProtector)
	if s.Protect == "" || !ok {
		return false
	}
	var tabs []string
	for _, t := range []string{s.ChangeLogTab, s.ReviewTab} {
		if t != "" && c.hasTab(ctx, t) {
			tabs = append(tabs, t)
		}
	}
	if len(tabs) == 0 {
		return false
	}
	var done []string
	if mode, list, ok := strings.Cut(st.Protected, ":"); ok && mode == s.Protect {
		done = strings.Split(list, "\x1f")
	}
	var need []string
	for _, t := range tabs {
		if !slices.Contains(done, t) && !slices.Contains(created, t) {
			need = append(need, t)
		}
	}
	want := s.Protect + ":" + strings.Join(tabs, "\x1f")
	if len(need) == 0 {
		st.Protected = want
		return false
	}
	n, err := tp.ProtectTabs(ctx, need, s.Protect == ProtectStrict)
	if err != nil {
		hint := "check that sheetaudit's account may edit the spreadsheet; it tries again next cycle"
		if errors.Is(err, ErrPermission) {
			hint = "only an editor can protect ranges, and with protect: strict only the owner or sheetaudit's account; it tries again next cycle"
		}
		log.Warn("protect sheetaudit's tabs", zap.Strings("tabs", need), zap.Error(err), zap.String("hint", hint))
		return false
	}
	st.Protected = want
	if n > 0 {
		log.Info("sheetaudit's tabs protected", zap.Strings("tabs", need), zap.String("mode", s.Protect), zap.Int("changed", n))
	}
	return n > 0
}
