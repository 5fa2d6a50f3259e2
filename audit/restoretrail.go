package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"
)

// This file is the cycle's restore trail: the Change Log rows of a restore
// say so (Restored), with the version restored and who ran it, instead of
// reading like anybody's edits. The store keeps a record of each restore
// (RestoreRecord); a cycle takes those made since the last it logged
// (State.Restores) and marks the changes of its window that they made.

// restoresSince returns the restore records not yet in the Change Log and
// the changes with those that a restore made marked (MarkRestored); the
// window runs from the logged version (old) to the version to (table).
// Nothing is listed for a baseline or a store that keeps no records. A
// damaged record is reported in res and leaves the rows unmarked; the
// restores are then logged by a later cycle, once it is mended.
func (c *Cycle) restoresSince(ctx context.Context, res *Result, st State, to string, old, table *Table, changes []Change, log *zap.Logger) ([]RestoreRecord, []Change, error) {
	rl, ok := c.Store.(RestoreLister)
	if !ok || st.Logged == "" {
		return nil, changes, nil
	}
	since := st.Restores
	if since.IsZero() {
		since, _ = SnapshotTime(st.Logged) // zero for ids of another shape: all, then newerThan
	}
	recs, err := rl.RestoresSince(ctx, c.Spec.Name, since)
	if errors.Is(err, ErrInvalid) {
		log.Error("restore record damaged; the Change Log rows of restores are not marked", zap.Error(err),
			zap.String("hint", "run sheetaudit restores list"))
		res.Findings = append(res.Findings, Finding{Sheet: c.Spec.Name, Rule: "snapshot", Severity: Error,
			Message: restoreRecordMessage(c.Spec.Locale, err)})
		return nil, changes, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("list the restore records of %q (the snapshot is stored; the next cycle logs the changes): %w", c.Spec.Name, err)
	}
	if st.Restores.IsZero() && len(recs) > 0 {
		recs = c.newerThan(ctx, recs, st.Logged, log)
	}
	if len(recs) == 0 {
		return nil, changes, nil
	}
	known := map[string]*Table{to: table}
	if old != nil {
		known[st.Logged] = old
	}
	return recs, MarkRestored(changes, c.restoreTrails(ctx, recs, known, log)), nil
}

// newerThan keeps the records whose restore the version logged does not
// already hold: those that restored into a version after it, by the
// store's order of versions (Lister) or, failing that, by the second
// their ids name, and new-tab restores made after it. It is needed once
// per sheet, before a cycle has recorded State.Restores.
func (c *Cycle) newerThan(ctx context.Context, recs []RestoreRecord, logged string, log *zap.Logger) []RestoreRecord {
	pos := map[string]int{}
	var loggedAt SnapshotInfo
	if l, ok := c.Store.(Lister); ok {
		list, err := l.List(ctx, c.Spec.Name)
		if err != nil {
			log.Warn("list snapshots to place restore records", zap.Error(err))
		}
		for i, in := range list {
			pos[in.ID] = i + 1
			if in.ID == logged {
				loggedAt = in
			}
		}
	}
	after := func(id string) bool {
		if pos[id] > 0 && pos[logged] > 0 {
			return pos[id] > pos[logged]
		}
		a, ok1 := SnapshotTime(id)
		b, ok2 := SnapshotTime(logged)
		return !ok1 || !ok2 || a.After(b) || a.Equal(b) && id != logged
	}
	return slices.DeleteFunc(recs, func(r RestoreRecord) bool {
		if r.Restored == "" {
			return !loggedAt.Time.IsZero() && !r.Time.After(loggedAt.Time)
		}
		return r.Restored == logged || !after(r.Restored)
	})
}

// restoreTrails reads the versions each restore went from and to, as
// tables; known holds those already read. A version that cannot be read
// leaves its restore's changes unmarked (logged), never stops the log.
func (c *Cycle) restoreTrails(ctx context.Context, recs []RestoreRecord, known map[string]*Table, log *zap.Logger) []RestoreTrail {
	table := func(id string) *Table {
		if id == "" {
			return nil
		}
		if t, ok := known[id]; ok {
			return t
		}
		snap, err := c.Store.Load(ctx, c.Spec.Name, id)
		var t *Table
		if err == nil {
			t, err = ParseTable(snap.Values, snap.HeaderRow, c.Spec.Key)
		}
		if err != nil {
			log.Warn("version of a restore unreadable; its changes are logged as edits", zap.String("snapshot", id), zap.Error(err))
			t = nil
		}
		known[id] = t
		return t
	}
	trails := make([]RestoreTrail, len(recs))
	for i, r := range recs {
		trails[i] = RestoreTrail{Record: r}
		if r.Restored == "" {
			continue
		}
		trails[i].Restored = table(r.Restored)
		trails[i].Safety = table(r.Safety)
		if r.Safety != "" && trails[i].Safety == nil {
			trails[i].Restored = nil // without the before, nothing tells what the restore changed
		}
	}
	return trails
}

// laterMark is the State.Restores after logging recs: the time of the
// newest of them, or mark when that is later.
func laterMark(mark time.Time, recs []RestoreRecord) time.Time {
	for _, r := range recs {
		if r.Time.After(mark) {
			mark = r.Time
		}
	}
	return mark
}

// restoreRecordMessage tells the Needs Review reader that restores are not
// marked in the Change Log until a damaged record is mended.
func restoreRecordMessage(locale string, err error) string {
	if cat, _ := catalogFor(locale); cat == chinese {
		return fmt.Sprintf("存储中的恢复记录已损坏（%v），变更记录中的恢复暂不标注；请运行 sheetaudit restores list 检查", err)
	}
	return fmt.Sprintf("a restore record in the store is damaged (%v), so restores are not marked in the Change Log until it is mended; run sheetaudit restores list", err)
}
