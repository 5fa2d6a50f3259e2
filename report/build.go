package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Store is what Build reads: the sheet's stored versions, listed oldest
// first and loaded by id. *snapshot.Store implements it.
type Store interface {
	audit.Store
	audit.Lister
}

// Source says which sheet to report on and how.
type Source struct {
	// Spec is the sheet's audit spec; Spec.Stale must be set.
	Spec  audit.Spec
	Store Store
	// Location is the report's time zone: weeks start on Monday 00:00 there.
	Location *time.Location
	// Weeks is the length of the trend, this week included (default 8).
	Weeks int
	// State and AccessPolicy, when both set, give the report its access
	// section: the sharing as the latest cycle's access audit read it
	// (State.Access), checked against the policy. It is the sharing of
	// now, also when an earlier week is rebuilt.
	State        audit.StateStore
	AccessPolicy *audit.AccessPolicy
}

// DefaultWeeks is the length of the trend when Source.Weeks is zero.
const DefaultWeeks = 8

// ParseWeek checks and normalises an ISO week as written on the command
// line: "2026-W48" and "2026-w48" give "2026-W48"; anything else (2026W48,
// 48, 2026-W60) is an error wrapping audit.ErrInvalid that says how to
// write it.
func ParseWeek(s string, loc *time.Location) (string, error) {
	start, _, err := audit.ParseISOWeek(s, loc)
	if err != nil {
		return "", err
	}
	return audit.ISOWeek(start, loc), nil
}

// Build computes the report of week (YYYY-Www) as of now: the newest
// version stored by the end of the week (or by now, for the current
// week) against the newest one stored by the end of the week before, so a
// past week can be rebuilt at any time from what the store holds. The
// trend repeats the check as of the end of each earlier week.
func Build(ctx context.Context, src Source, week string, now time.Time) (audit.Report, error) {
	spec, loc := src.Spec, src.Location
	if loc == nil {
		loc = time.UTC
	}
	if spec.Stale == nil {
		return audit.Report{}, fmt.Errorf("sheet %q has no staleness: block; configure one to get a report: %w", spec.Name, audit.ErrInvalid)
	}
	start, end, err := audit.ParseISOWeek(week, loc)
	if err != nil {
		return audit.Report{}, err
	}
	week = audit.ISOWeek(start, loc)
	asOf := earlier(end, now)
	if asOf.Before(start) {
		return audit.Report{}, fmt.Errorf("week %s has not started yet: %w", week, audit.ErrInvalid)
	}
	infos, err := src.Store.List(ctx, spec.Name)
	if err != nil {
		return audit.Report{}, fmt.Errorf("list snapshots: %w", err)
	}
	h := &history{ctx: ctx, spec: spec, store: src.Store, infos: infos, loc: loc, tables: map[string]*version{}}
	this, err := h.asOf(asOf)
	if err != nil {
		return audit.Report{}, err
	}
	if this == nil {
		return audit.Report{}, fmt.Errorf("no snapshot of sheet %q was taken by %s; run a cycle first (sheetaudit run --once): %w",
			spec.Name, asOf.In(loc).Format(time.DateTime), audit.ErrNotFound)
	}
	thisItems, err := h.stale(this, asOf)
	if err != nil {
		return audit.Report{}, err
	}
	lastEnd := start.Add(-time.Nanosecond)
	last, err := h.asOf(lastEnd)
	if err != nil {
		return audit.Report{}, err
	}
	var lastItems []audit.StaleItem
	if last != nil {
		if lastItems, err = h.stale(last, lastEnd); err != nil {
			return audit.Report{}, err
		}
	}
	r := audit.BuildReport(spec.Name, week, thisItems, lastItems, this.table, *spec.Stale, h.findings(this, asOf), asOf.In(loc))
	r.Scheduled = audit.ScheduledRows(this.table, *spec.Stale, asOf, loc)
	if last != nil {
		m := audit.PipelineMovement(last.table, this.table, *spec.Stale)
		r.Movement = &m
	}
	link(&r, this.snap.Meta)
	if src.State != nil && src.AccessPolicy != nil {
		st, err := src.State.LoadState(ctx, spec.Name)
		if err != nil {
			return audit.Report{}, fmt.Errorf("load the sharing the last cycle read: %w", err)
		}
		r.Access = audit.NewReportAccess(spec.Name, st.Access, *src.AccessPolicy, spec.Locale)
	}

	weeks := src.Weeks
	if weeks <= 0 {
		weeks = DefaultWeeks
	}
	for i := weeks - 1; i >= 0; i-- {
		ws := start.AddDate(0, 0, -7*i)
		p := audit.WeekPoint{Week: audit.ISOWeek(ws, loc)}
		we := earlier(ws.AddDate(0, 0, 7).Add(-time.Nanosecond), now)
		v, err := h.asOf(we)
		if err != nil {
			return audit.Report{}, err
		}
		if v == nil {
			p.Missing = true
			r.Trend = append(r.Trend, p)
			continue
		}
		items, err := h.stale(v, we)
		if err != nil {
			return audit.Report{}, err
		}
		for _, it := range items {
			if !it.DueSoon {
				p.Stale++
			}
		}
		for _, f := range h.findings(v, we) {
			if f.Severity == audit.Error {
				p.Errors++
			}
		}
		r.Trend = append(r.Trend, p)
	}
	// Weeks before the first snapshot say nothing; drop them from the front.
	for len(r.Trend) > 1 && r.Trend[0].Missing {
		r.Trend = r.Trend[1:]
	}
	return r, nil
}

// link gives every listed row a link to its row in the sheet, when the
// version was read from a backend with URLs (Google), and names the data
// tab, which the report tab links into otherwise.
func link(r *audit.Report, meta audit.TabMeta) {
	r.DataTab = meta.Title
	if meta.URL == "" {
		return
	}
	row := func(it *audit.StaleItem) {
		it.Link = RowLink(meta, it.Row)
	}
	for i := range r.Items {
		row(&r.Items[i])
	}
	for i := range r.DueSoonItems {
		row(&r.DueSoonItems[i])
	}
	for i := range r.ByOwnerStage {
		if r.ByOwnerStage[i].Stale > 0 {
			row(&r.ByOwnerStage[i].Oldest)
		}
	}
}

// RowLink is the address of a whole sheet row in the browser:
// https://docs.google.com/spreadsheets/d/ID/edit#gid=GID&range=7:7.
func RowLink(meta audit.TabMeta, row int) string {
	if meta.URL == "" || row <= 0 {
		return meta.URL
	}
	sep := "&"
	if !strings.Contains(meta.URL, "#") {
		sep = "#"
	}
	return fmt.Sprintf("%s%srange=%d:%d", meta.URL, sep, row, row)
}

// version is one stored version parsed as a table.
type version struct {
	snap  *audit.Snapshot
	table *audit.Table
}

// history walks the stored versions of one sheet. It loads each version
// at most once per Build.
//
// This is the report's own small walk over versions; it is meant to be
// replaced by the shared version-history reader once there is one.
type history struct {
	ctx    context.Context
	spec   audit.Spec
	store  Store
	infos  []audit.SnapshotInfo
	loc    *time.Location
	tables map[string]*version
}

// asOf returns the newest version stored at or before t, nil when none.
func (h *history) asOf(t time.Time) (*version, error) {
	i, found := slices.BinarySearchFunc(h.infos, t, func(in audit.SnapshotInfo, t time.Time) int { return in.Time.Compare(t) })
	if found {
		for i+1 < len(h.infos) && !h.infos[i+1].Time.After(t) {
			i++
		}
	} else {
		i--
	}
	if i < 0 {
		return nil, nil
	}
	v, err := h.load(h.infos[i].ID)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("snapshot %s is not a table with header row %d and key %v: %w", h.infos[i].ID, h.spec.HeaderRow, h.spec.Key, audit.ErrInvalid)
	}
	return v, nil
}

// load returns the version id parsed as a table, loading it once; nil
// when it does not parse as one.
func (h *history) load(id string) (*version, error) {
	if v, ok := h.tables[id]; ok {
		return v, nil
	}
	snap, err := h.store.Load(h.ctx, h.spec.Name, id)
	if err != nil {
		return nil, fmt.Errorf("load snapshot %s: %w", id, err)
	}
	table, err := audit.ParseTable(snap.Values, snap.HeaderRow, h.spec.Key)
	if err != nil {
		h.tables[id] = nil
		return nil, nil
	}
	// Typed values make staleness read dates as the sheet holds them, as
	// the cycle did when it stored the version.
	table.Typed = snap.Typed
	if z, err := time.LoadLocation(snap.Meta.TimeZone); err == nil && snap.Meta.TimeZone != "" {
		table.TypedZone = z
	}
	v := &version{snap: snap, table: table}
	h.tables[id] = v
	return v, nil
}

// stale checks v as of t. With the history basis it reads each stored
// version up to t once per Build (the cycle's own check would reload all
// of them for every week of the trend).
func (h *history) stale(v *version, t time.Time) ([]audit.StaleItem, error) {
	p := *h.spec.Stale
	if _, err := p.Validate(v.table); err != nil {
		return nil, fmt.Errorf("staleness: %w", err)
	}
	var items []audit.StaleItem
	if p.Basis != audit.BasisHistory {
		items = audit.CheckStale(v.table, p, t, h.loc, nil, time.Time{})
	} else {
		var series []*audit.Table
		var times []time.Time
		for _, in := range h.infos {
			if in.Time.After(t) {
				break
			}
			w, err := h.load(in.ID)
			if err != nil {
				return nil, err
			}
			if w == nil {
				continue // not a table (an emptied tab): it tells nothing about rows
			}
			series, times = append(series, w.table), append(times, in.Time)
		}
		last, since := audit.LastChanges(series, times, p.ResetOn)
		items = audit.CheckStale(v.table, p, t, h.loc, last, since)
	}
	if items == nil {
		items = []audit.StaleItem{} // checked, nothing stale: not "no data"
	}
	return items, nil
}

// findings validates v as of t: the table's shape and the sheet's rules.
func (h *history) findings(v *version, t time.Time) []audit.Finding {
	f := slices.Clone(v.table.Problems)
	if h.spec.Rules != nil {
		f = append(f, h.spec.Rules.Check(v.table, t, h.loc, nil)...)
	}
	return f
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
