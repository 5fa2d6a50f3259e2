package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.uber.org/zap"
)

// fallbackTries bounds how many older versions a cycle tries to load when
// the version the Change Log stands on cannot be read.
const fallbackTries = 3

// changesSince diffs the last logged version against table; when both
// carry formulas, recalculated results are told from edits. It returns the
// id of the version it diffed against, which is logged unless that
// version is damaged or gone: then it falls back, with an error finding
// in res and a log line, to the newest intact version before it (one the
// store lists, when the damaged one is not listed at all), or to a full
// baseline (""), so one damaged object never stops the Change Log.
func (c *Cycle) changesSince(ctx context.Context, res *Result, logged string, table *Table, cur *Snapshot, log *zap.Logger) ([]Change, *Table, string, error) {
	formulas := cur.Formulas
	base, err := c.loadBase(ctx, logged, cur)
	if err == nil {
		old, perr := ParseTable(base.Values, base.HeaderRow, c.Spec.Key)
		if perr == nil {
			return DiffWithFormulas(old, table, base.Formulas, formulas), old, logged, nil
		}
		err = fmt.Errorf("snapshot %s: %w", logged, perr)
	}
	if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrNotFound) {
		return nil, nil, "", fmt.Errorf("load last logged snapshot %s: %w", logged, err)
	}
	cause := err
	from := ""
	var changes []Change
	var fromTable *Table
	for _, id := range c.fallbackCandidates(ctx, logged, log) {
		snap, err := c.loadBase(ctx, id, cur)
		if err != nil {
			log.Warn("fallback version unreadable", zap.String("snapshot", id), zap.Error(err))
			continue
		}
		old, err := ParseTable(snap.Values, snap.HeaderRow, c.Spec.Key)
		if err != nil {
			continue
		}
		from, changes, fromTable = id, DiffWithFormulas(old, table, snap.Formulas, formulas), old
		break
	}
	what := "a new baseline"
	if from != "" {
		what = "snapshot " + from
	}
	log.Error("last logged snapshot unreadable; change log continues from an older version or a baseline",
		zap.String("snapshot", logged), zap.String("from", from), zap.Error(cause),
		zap.String("hint", "run sheetaudit snapshots verify --full"))
	res.Findings = append(res.Findings, Finding{
		Sheet: c.Spec.Name, Rule: "snapshot", Severity: Error, Value: logged,
		Message: fallbackMessage(c.Spec.Locale, logged, what),
	})
	return changes, fromTable, from, nil
}

// loadBase loads version id to diff cur against, sharing cur's rows when
// the store can (SharingLoader): only the rows that changed are held twice.
func (c *Cycle) loadBase(ctx context.Context, id string, cur *Snapshot) (*Snapshot, error) {
	if sl, ok := c.Store.(SharingLoader); ok {
		return sl.LoadSharing(ctx, c.Spec.Name, id, cur)
	}
	return c.Store.Load(ctx, c.Spec.Name, id)
}

// fallbackCandidates returns up to fallbackTries ids to diff from when
// logged cannot be read, newest first: the versions listed before logged,
// or every listed version when logged is not listed (its manifest is
// damaged or gone).
func (c *Cycle) fallbackCandidates(ctx context.Context, logged string, log *zap.Logger) []string {
	l, ok := c.Store.(Lister)
	if !ok {
		return nil
	}
	list, err := l.List(ctx, c.Spec.Name)
	if err != nil {
		log.Warn("list snapshots for a fallback", zap.Error(err))
		return nil
	}
	if i := slices.IndexFunc(list, func(in SnapshotInfo) bool { return in.ID == logged }); i >= 0 {
		list = list[:i]
	}
	var ids []string
	for i := len(list) - 1; i >= 0 && len(ids) < fallbackTries; i-- {
		ids = append(ids, list[i].ID)
	}
	return ids
}

// fallbackMessage tells the Needs Review reader why the Change Log may
// repeat or skip rows this cycle.
func fallbackMessage(locale, logged, from string) string {
	if cat, _ := catalogFor(locale); cat == chinese {
		if from == "a new baseline" {
			from = "新的基线"
		}
		return fmt.Sprintf("变更日志所依据的版本 %s 已损坏或缺失，本次从%s继续记录，可能有重复或遗漏的变更；请运行 sheetaudit snapshots verify --full", logged, from)
	}
	return fmt.Sprintf("the version the Change Log stands on, %s, is damaged or missing; the log continues from %s, so some changes may repeat or be missing; run sheetaudit snapshots verify --full", logged, from)
}
