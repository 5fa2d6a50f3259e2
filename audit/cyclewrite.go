package audit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.uber.org/zap"
)

// This file is the cycle's write-back: one WriteBack per cycle (Change Log
// rows and Needs Review), recorded as pending in the state before it is
// sent, so a cycle that dies in between never logs a change twice; and the
// version check that lets an unchanged source cost one cheap request.

// CycleColumn is the title of the Change Log's last column, which holds the
// id of the cycle that wrote the row.
const CycleColumn = "Cycle"

// cycleID names a cycle by its start, sortable, with a random suffix so
// that two cycles never share an id even when a clock stands still.
func cycleID(started time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return started.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// cellStrings is what a backend without BatchWriter writes: the text the
// cells show.
func cellStrings(rows [][]Cell) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		s := make([]string, len(r))
		for j, c := range r {
			s[j] = c.String()
		}
		out[i] = s
	}
	return out
}

// checkVersion asks the backend for the source's version when the spec
// allows it, and reports whether the last full cycle already saw that
// version today with this configuration. An error is logged and answered
// with a full read: the check saves requests, it never decides alone.
func (c *Cycle) checkVersion(ctx context.Context, st State, day string, log *zap.Logger) (string, bool) {
	if !c.Spec.ChangeCheck {
		return "", false
	}
	vc, ok := c.Workbook.(VersionChecker)
	if !ok {
		return "", false
	}
	v, err := vc.Version(ctx)
	if err != nil {
		log.Warn("change check failed; reading the whole sheet", zap.Error(err))
		return "", false
	}
	same := v != "" && v == st.Version && st.Pending == nil && st.Logged != "" &&
		st.Checked == day && st.Config == c.Spec.Fingerprint &&
		st.Last != nil && st.Last.Error == ""
	return v, same
}

// versionAfter is the version to remember after a full cycle that started
// at version v0: v0 itself when the cycle wrote nothing (every edit up to
// v0 was in what it read), the version after its own writes when the
// backend is sure nobody else wrote in between, and "" (read fully next
// time) otherwise.
func (c *Cycle) versionAfter(ctx context.Context, v0 string, wrote bool, log *zap.Logger) string {
	if v0 == "" || !wrote {
		return v0
	}
	v, sure, err := c.Workbook.(VersionChecker).VersionAfterWrites(ctx, v0)
	switch {
	case err != nil:
		log.Warn("version after the write-back unknown; the next cycle reads the whole sheet", zap.Error(err))
		return ""
	case !sure:
		log.Info("the sheet changed during the cycle; the next cycle reads it again",
			zap.String("version_before", v0), zap.String("version_after", v))
		return ""
	}
	return v
}

// changeLogWrite starts the cycle's write-back with the Change Log rows of
// the changes since the last logged version and of the restores made
// since (restores, whose changes are marked), if any.
func (c *Cycle) changeLogWrite(res *Result, st State, old, table *Table, changes []Change, at time.Time, restores []RestoreRecord) *WriteBack {
	s := c.Spec
	b := &WriteBack{Cycle: res.Cycle, Location: at.Location()}
	if st.Logged == res.Snapshot && len(restores) == 0 {
		return b
	}
	e := ChangeLogEntry{At: at, From: st.Logged, To: res.Snapshot, Cycle: res.Cycle, Locale: s.Locale, Limit: s.ChangeLogLimit,
		Restores: restores}
	if e.Limit <= 0 {
		e.Limit = 5000
	}
	var rows [][]Cell
	if st.Logged == "" {
		rows = BaselineCells(table, e)
	} else {
		res.Changes = len(changes)
		rows = ChangeLogCells(changes, old, table, e)
	}
	if s.ChangeLogTab == "" || len(rows) == 0 {
		return b
	}
	layout := ChangeLogLayout(s.Locale)
	b.Tabs = append(b.Tabs, TabWrite{
		Title:  s.ChangeLogTab,
		Append: true,
		Header: [][]Cell{ChangeLogHeaderCells(s.Locale)},
		Rows:   rows,
		Layout: &layout,
	})
	return b
}

// pasteAlarms raises the bad-paste alarm for each column of which the
// changes since the last logged version (old) modified most cells: an
// error at the top of Needs Review with the undo command, a warn log and
// Result.PasteAlarms (a metric). Every change stays in the Change Log.
func (c *Cycle) pasteAlarms(res *Result, st State, old, table *Table, changes []Change, meta TabMeta, log *zap.Logger) {
	s := c.Spec
	if s.Paste == nil || st.Logged == "" || old == nil {
		return
	}
	for _, a := range DetectPaste(changes, old, st.Logged, res.Snapshot, *s.Paste) {
		a.By = meta.ModifiedBy
		res.PasteAlarms = append(res.PasteAlarms, a)
		res.Findings = append(res.Findings, a.Finding(s.Name, table.HeaderRow, s.Locale))
		log.Warn("most of a column changed in one cycle; undo command in the review tab",
			zap.String("column", a.Column), zap.Int("changed", a.Changed), zap.Int("filled", a.Filled),
			zap.String("snapshot", res.Snapshot), zap.String("undo", a.Undo))
	}
}

// reviewWrite returns the Needs Review tab's part of the write-back and the
// digest of its content, or nil when the tab is off or would read as it
// does already (same findings, same day, tab still there).
func (c *Cycle) reviewWrite(ctx context.Context, res *Result, st State, meta TabMeta, table *Table, at time.Time, day string, log *zap.Logger) (*TabWrite, string) {
	s := c.Spec
	if s.ReviewTab == "" {
		return nil, ""
	}
	in := ReviewInput{Findings: res.Findings, Meta: meta, Table: table, Produced: at, Locale: s.Locale}
	if s.Stale != nil {
		in.OwnerColumn, in.CustomerColumn = s.Stale.OwnerColumn, s.Stale.CustomerColumn
	}
	rows := ReviewCells(in)
	digest := reviewDigest(day, len(table.Rows), cellStrings(rows))
	if digest == st.Review && c.hasTab(ctx, s.ReviewTab) {
		log.Debug("review tab unchanged; not written", zap.String("tab", s.ReviewTab))
		return nil, ""
	}
	layout := ReviewLayoutFor(in)
	return &TabWrite{Title: s.ReviewTab, Rows: rows, Layout: &layout}, digest
}

// reviewDigest sums up what Needs Review shows, leaving out its first
// line's time (which would make every cycle's review new) but not the day.
func reviewDigest(day string, checked int, rows [][]string) string {
	h := sha256.New()
	h.Write([]byte(day + "\x1e" + strconv.Itoa(checked) + "\x1e"))
	for i, r := range rows {
		if i == 0 {
			continue
		}
		for _, v := range r {
			h.Write([]byte(v))
			h.Write([]byte{0x1f})
		}
		h.Write([]byte{0x1e})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// hasTab reports whether the tab exists, true when the backend cannot tell
// cheaply.
func (c *Cycle) hasTab(ctx context.Context, title string) bool {
	tc, ok := c.Workbook.(TabChecker)
	if !ok {
		return true
	}
	has, err := tc.HasTab(ctx, title)
	return err != nil || has
}

// writeBack writes b and advances the Change Log position, and past
// restores, the restore records its rows mark. When b carries Change Log
// rows it records them as pending first: if the cycle dies before the
// position is saved, the next cycle finds out whether they landed instead
// of appending them again. It reports whether it wrote.
func (c *Cycle) writeBack(ctx context.Context, st *State, b *WriteBack, res *Result, at time.Time, reviewDigest string, restores []RestoreRecord, log *zap.Logger) (bool, error) {
	s := c.Spec
	appended := 0
	for _, t := range b.Tabs {
		if t.Append {
			appended += len(t.Rows)
		}
	}
	// Rows put back from the chain carry their own cycle's id; only this
	// cycle's rows are pending and go into the chain.
	own := ownRows(b)
	logged := len(own)
	if logged > 0 {
		st.Pending = &PendingWrite{Cycle: b.Cycle, From: st.Logged, To: res.Snapshot, Rows: logged, At: at, Restores: restores}
		if err := c.State.SaveState(ctx, s.Name, *st); err != nil {
			return false, fmt.Errorf("save state before the write-back: %w", err)
		}
		// After the pending record, so that a cycle that dies between the
		// two finds its entry and sends exactly those rows again.
		if err := c.record(ctx, b.Cycle, own, at); err != nil {
			return false, err
		}
	}
	layouts := c.unchangedLayouts(ctx, *st, b)
	if len(b.Tabs) > 0 {
		var err error
		if bw, ok := c.Workbook.(BatchWriter); ok {
			err = bw.WriteBack(ctx, b)
		} else {
			err = c.writeEach(ctx, b)
		}
		if err != nil {
			return true, fmt.Errorf("write back: %w", err)
		}
		res.Logged = appended
		for _, t := range b.Tabs {
			log.Info("tab written", zap.String("tab", t.Title), zap.Bool("append", t.Append),
				zap.Int("rows", len(t.Rows)), zap.String("cycle", b.Cycle))
		}
	}
	if st.Logged == res.Snapshot && st.Pending == nil && reviewDigest == "" && len(layouts) == 0 && len(restores) == 0 {
		return len(b.Tabs) > 0, nil
	}
	st.Logged, st.Pending, st.Restores = res.Snapshot, nil, laterMark(st.Restores, restores)
	if len(layouts) > 0 && st.Layouts == nil {
		st.Layouts = make(map[string]string, len(layouts))
	}
	for title, d := range layouts {
		st.Layouts[title] = d
	}
	if reviewDigest != "" {
		st.Review = reviewDigest
	}
	// The rows are in: record it even when the cycle's context has just
	// run out, or the next cycle would spend a read finding out.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := c.State.SaveState(sctx, s.Name, *st); err != nil {
		return true, fmt.Errorf("save state: %w", err)
	}
	return len(b.Tabs) > 0, nil
}

// unchangedLayouts drops from b the layouts already applied to tabs that
// still exist (State.Layouts), so formats are sent only when a tab is new
// or its layout changed and a person's own widths or filter are not reset
// every cycle. It returns the digests of the layouts b still carries.
func (c *Cycle) unchangedLayouts(ctx context.Context, st State, b *WriteBack) map[string]string {
	var sent map[string]string
	for i := range b.Tabs {
		t := &b.Tabs[i]
		if t.Layout == nil {
			continue
		}
		d := layoutDigest(*t.Layout)
		if st.Layouts[t.Title] == d && c.hasTab(ctx, t.Title) {
			t.Style, t.Layout = t.Layout, nil
			continue
		}
		if sent == nil {
			sent = map[string]string{}
		}
		sent[t.Title] = d
	}
	return sent
}

func layoutDigest(l Layout) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%+v", l)))
	return hex.EncodeToString(sum[:8])
}

// writeEach writes b on a backend without BatchWriter, one tab at a time:
// appends must each be atomic there (one save on .xlsx), which is what
// finishPending relies on.
func (c *Cycle) writeEach(ctx context.Context, b *WriteBack) error {
	for _, t := range b.Tabs {
		_, created, err := c.Workbook.EnsureTab(ctx, t.Title)
		if err != nil {
			return WrapOnce(fmt.Sprintf("create tab %q", t.Title), err)
		}
		if !t.Append {
			if err := c.Workbook.ReplaceTab(ctx, t.Title, cellStrings(t.Rows)); err != nil {
				return WrapOnce(fmt.Sprintf("write tab %q", t.Title), err)
			}
			continue
		}
		rows := t.Rows
		if created {
			rows = append(slices.Clone(t.Header), rows...)
		}
		if err := c.Workbook.AppendRows(ctx, t.Title, cellStrings(rows)); err != nil {
			return WrapOnce(fmt.Sprintf("append to tab %q", t.Title), err)
		}
	}
	return nil
}

// tailSlack is how many rows beyond a pending batch's own the recovery
// reads, in case someone typed below the log.
const tailSlack = 10

// finishPending settles a write-back that an earlier cycle recorded but did
// not see through. When its rows are in the Change Log (their Cycle column
// holds its id) the position moves to its version. When they are not, it
// sends the same rows again, rebuilt from the two stored versions with the
// same time and cycle id, so the log reads as if the batch had landed the
// first time (and a store-side copy of the log that recorded them agrees);
// if the versions cannot be read, this cycle logs the same changes under
// its own id instead. Either way each change is logged once.
func (c *Cycle) finishPending(ctx context.Context, st *State, loc *time.Location, log *zap.Logger) error {
	s, p := c.Spec, st.Pending
	found := 0
	if s.ChangeLogTab != "" {
		rows, err := c.tail(ctx, s.ChangeLogTab, p.Rows+tailSlack)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("find out whether the write-back of cycle %s reached tab %q (retried next cycle): %w",
				p.Cycle, s.ChangeLogTab, err)
		}
		for _, r := range rows {
			// The Cycle column; with attribution on, Editor follows it.
			if len(r) > ChangeLogCycleColumn && r[ChangeLogCycleColumn] == p.Cycle ||
				len(r) > 0 && r[len(r)-1] == p.Cycle {
				found++
			}
		}
	}
	switch {
	case found > 0:
		if found != p.Rows {
			log.Warn("interrupted write-back landed in part", zap.String("cycle", p.Cycle),
				zap.Int("rows", p.Rows), zap.Int("found", found))
		}
		st.Logged, st.Restores = p.To, laterMark(st.Restores, p.Restores)
		log.Info("interrupted write-back had landed; not writing it again",
			zap.String("cycle", p.Cycle), zap.String("snapshot", p.To))
	case s.ChangeLogTab == "":
	default:
		b, err := c.resend(ctx, p, loc)
		if err != nil {
			log.Warn("interrupted write-back had not landed and cannot be rebuilt; logging its changes in this cycle",
				zap.String("cycle", p.Cycle), zap.String("since", st.Logged), zap.Error(err))
			break
		}
		if bw, ok := c.Workbook.(BatchWriter); ok {
			err = bw.WriteBack(ctx, b)
		} else {
			err = c.writeEach(ctx, b)
		}
		if err != nil {
			return fmt.Errorf("write back the interrupted cycle %s again (retried next cycle): %w", p.Cycle, err)
		}
		st.Logged, st.Restores = p.To, laterMark(st.Restores, p.Restores)
		log.Info("interrupted write-back had not landed; written now",
			zap.String("cycle", p.Cycle), zap.String("snapshot", p.To), zap.Int("rows", p.Rows))
	}
	st.Pending = nil
	if err := c.State.SaveState(ctx, s.Name, *st); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// resend makes the Change Log part of a pending write-back again: the rows
// the store's chain recorded for it, exactly as they were (Editor column
// and sharing changes included), or, when the chain has none, rebuilt from
// the two versions and recorded before they are sent.
func (c *Cycle) resend(ctx context.Context, p *PendingWrite, loc *time.Location) (*WriteBack, error) {
	rows, err := c.chainRows(ctx, p.Cycle, loc)
	if err != nil {
		return nil, fmt.Errorf("read the store's change log: %w", err)
	}
	if rows != nil {
		layout := ChangeLogLayout(c.Spec.Locale)
		return &WriteBack{Cycle: p.Cycle, Location: loc, Tabs: []TabWrite{{
			Title: c.Spec.ChangeLogTab, Append: true, Header: [][]Cell{c.changeLogHeader()}, Rows: rows, Layout: &layout,
		}}}, nil
	}
	b, err := c.rebuild(ctx, p, loc)
	if err != nil {
		return nil, err
	}
	b.Tabs[0].Header = [][]Cell{c.changeLogHeader()}
	if err := c.record(ctx, p.Cycle, b.Tabs[0].Rows, p.At); err != nil {
		return nil, err
	}
	return b, nil
}

// rebuild makes the Change Log part of a pending write-back again from the
// two versions it logged, with its time and cycle id.
func (c *Cycle) rebuild(ctx context.Context, p *PendingWrite, loc *time.Location) (*WriteBack, error) {
	if p.At.IsZero() {
		return nil, fmt.Errorf("the pending write-back has no time: %w", ErrInvalid)
	}
	load := func(id string) (*Snapshot, *Table, error) {
		snap, err := c.Store.Load(ctx, c.Spec.Name, id)
		if err != nil {
			return nil, nil, err
		}
		t, err := ParseTable(snap.Values, snap.HeaderRow, c.Spec.Key)
		return snap, t, err
	}
	toSnap, to, err := load(p.To)
	if err != nil {
		return nil, err
	}
	var st State
	var changes []Change
	var from *Table
	if p.From != "" {
		fromSnap, t, err := load(p.From)
		if err != nil {
			return nil, err
		}
		from = t
		st.Logged = p.From
		changes = DiffWithFormulas(from, to, fromSnap.Formulas, toSnap.Formulas)
	}
	if len(p.Restores) > 0 {
		known := map[string]*Table{p.To: to}
		if from != nil {
			known[p.From] = from
		}
		changes = MarkRestored(changes, c.restoreTrails(ctx, p.Restores, known, c.logger()))
	}
	res := &Result{Cycle: p.Cycle, Snapshot: p.To}
	b := c.changeLogWrite(res, st, from, to, changes, p.At.In(loc), p.Restores)
	if len(b.Tabs) != 1 || len(b.Tabs[0].Rows) != p.Rows {
		return nil, fmt.Errorf("rebuilt %d tabs, not the %d rows pending: %w", len(b.Tabs), p.Rows, ErrInvalid)
	}
	return b, nil
}

// tail returns at most the last n rows holding a value of tab.
func (c *Cycle) tail(ctx context.Context, title string, n int) ([][]string, error) {
	if tr, ok := c.Workbook.(TailReader); ok {
		return tr.ReadTail(ctx, title, n)
	}
	tab, err := c.Workbook.ReadTab(ctx, title)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for i := len(tab.Values) - 1; i >= 0 && len(rows) < n; i-- {
		if len(tab.Values[i]) > 0 {
			rows = append(rows, tab.Values[i])
		}
	}
	slices.Reverse(rows)
	return rows, nil
}
