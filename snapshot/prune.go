package snapshot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"
	"gocloud.dev/gcerrors"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Policy says which versions retention keeps, as restic's forget does: the
// KeepLast newest, and the newest version of each of the last KeepHourly
// hours (days, ISO weeks, months) that have one. A negative count means
// every such period. A version kept for several reasons is kept once.
type Policy struct {
	KeepLast    int `json:"keep_last"`
	KeepHourly  int `json:"keep_hourly"`
	KeepDaily   int `json:"keep_daily"`
	KeepWeekly  int `json:"keep_weekly"`
	KeepMonthly int `json:"keep_monthly"`
}

// Empty reports whether p keeps nothing in particular, which Prune and
// ApplyPolicy take as "keep everything": an empty retention section must
// never delete history.
func (p Policy) Empty() bool { return p == Policy{} }

// ApplyPolicy splits list into the versions p keeps and those it removes,
// both oldest first, and says why each kept version is kept (by id):
// "last 20", "hourly 2026-11-28 15h", "daily 2026-11-28", "weekly 2026-W48",
// "monthly 2026-11". Periods are taken in loc (nil: UTC).
//
// protected maps the ids of versions something still stands on to why
// ("change log position", "pending write-back", "lease …"): they are
// kept whatever p says, with that reason first. It is pure.
func ApplyPolicy(list []audit.SnapshotInfo, p Policy, loc *time.Location, protected map[string]string) (keep, remove []audit.SnapshotInfo, reasons map[string][]string) {
	if loc == nil {
		loc = time.UTC
	}
	newest := slices.Clone(list)
	slices.SortStableFunc(newest, func(a, b audit.SnapshotInfo) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	reasons = make(map[string][]string)
	if p.Empty() {
		for _, sn := range newest {
			reasons[sn.ID] = append(protection(protected, sn.ID), "policy is empty")
		}
		slices.Reverse(newest)
		return newest, nil, reasons
	}
	type bucket struct {
		name   string
		count  int
		period func(time.Time) string
		last   string
	}
	buckets := []*bucket{
		{name: "hourly", count: p.KeepHourly, period: func(t time.Time) string { return t.Format("2006-01-02 15h") }},
		{name: "daily", count: p.KeepDaily, period: func(t time.Time) string { return t.Format("2006-01-02") }},
		{name: "weekly", count: p.KeepWeekly, period: func(t time.Time) string {
			y, w := t.ISOWeek()
			return fmt.Sprintf("%04d-W%02d", y, w)
		}},
		{name: "monthly", count: p.KeepMonthly, period: func(t time.Time) string { return t.Format("2006-01") }},
	}
	for n, sn := range newest {
		why := protection(protected, sn.ID)
		if p.KeepLast < 0 || n < p.KeepLast {
			if p.KeepLast < 0 {
				why = append(why, "last (all)")
			} else {
				why = append(why, fmt.Sprintf("last %d", p.KeepLast))
			}
		}
		t := sn.Time.In(loc)
		for _, b := range buckets {
			if b.count == 0 {
				continue
			}
			if v := b.period(t); v != b.last {
				b.last = v
				if b.count > 0 {
					b.count--
				}
				why = append(why, b.name+" "+v)
			}
		}
		if len(why) > 0 {
			keep = append(keep, sn)
			reasons[sn.ID] = why
		} else {
			remove = append(remove, sn)
		}
	}
	slices.Reverse(keep)
	slices.Reverse(remove)
	return keep, remove, reasons
}

// protection returns the reason a protected version is kept, as the
// first of its reasons, or nil.
func protection(protected map[string]string, id string) []string {
	if why, ok := protected[id]; ok {
		return []string{why}
	}
	return nil
}

// Reasons a version is protected from retention.
const (
	// ProtectLogged is the version the Change Log's position stands on:
	// the next cycle diffs against it.
	ProtectLogged = "change log position"
	// ProtectPending is a version a write-back recorded but not yet known
	// to have landed stands on (State.Pending: the versions it diffs from
	// and to); the next cycle finishes it from them.
	ProtectPending = "pending write-back"
)

// Protected returns the versions of sheet that retention must keep
// whatever its policy, by id, with why: the version the Change Log's
// position stands on (State.Logged) and those a pending write-back stands
// on (State.Pending). Other holders (a lease) add their ids here.
func (s *Store) Protected(ctx context.Context, sheet string) (map[string]string, error) {
	st, err := s.LoadState(ctx, sheet)
	if err != nil {
		return nil, fmt.Errorf("not pruning: %w", err)
	}
	protected := make(map[string]string)
	if p := st.Pending; p != nil {
		for _, id := range []string{p.From, p.To} {
			if id != "" {
				protected[id] = ProtectPending
			}
		}
	}
	if st.Logged != "" {
		protected[st.Logged] = ProtectLogged
	}
	return protected, nil
}

// PruneResult is what Prune did, or with DryRun would do.
type PruneResult struct {
	DryRun bool                 `json:"dry_run"`
	Keep   []audit.SnapshotInfo `json:"keep"`
	Remove []audit.SnapshotInfo `json:"remove"`
	// Reasons says why each kept version is kept, by id.
	Reasons map[string][]string `json:"reasons"`
	// ChunksRemoved and BytesFreed count the unreferenced chunks swept.
	ChunksRemoved int   `json:"chunks_removed"`
	BytesFreed    int64 `json:"bytes_freed"`
	// ChunksPending counts unreferenced chunks younger than the grace
	// period, left for a later prune.
	ChunksPending int `json:"chunks_pending"`
}

// Prune applies p to the versions of sheet, never removing one that
// Protected names, deletes the manifests of the
// versions it removes, then sweeps chunks that no remaining manifest of any
// sheet references and that are older than the grace period (Options).
// With dryRun it changes nothing and reports what it would do.
//
// The grace period is what makes a prune safe next to a writer: a writer
// stores chunks before the manifest that references them, and rewrites an
// existing chunk older than half the grace period instead of relying on it,
// so a chunk a running Put relies on is always younger than the grace
// period unless that Put and this prune each take longer than half of it.
func (s *Store) Prune(ctx context.Context, sheet string, p Policy, dryRun bool) (PruneResult, error) {
	ms, err := s.manifests(ctx, sheet)
	if err != nil {
		return PruneResult{}, err
	}
	list := make([]audit.SnapshotInfo, len(ms))
	for i, m := range ms {
		list[i] = m.Info()
	}
	protected, err := s.Protected(ctx, sheet)
	if err != nil {
		return PruneResult{}, err
	}
	res := PruneResult{DryRun: dryRun}
	res.Keep, res.Remove, res.Reasons = ApplyPolicy(list, p, s.loc, protected)
	gone := make(map[string]bool)
	for _, sn := range res.Remove {
		gone[manifestKey(sheet, sn.ID)] = true
		if dryRun {
			continue
		}
		key := manifestKey(sheet, sn.ID)
		if err := s.delete(ctx, key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			return res, fmt.Errorf("delete manifest %q: %w", key, translate(err))
		}
		s.log.Info("snapshot removed", zap.String("sheet", sheet), zap.String("snapshot", sn.ID))
	}
	if err := s.sweep(ctx, gone, dryRun, &res); err != nil {
		return res, err
	}
	return res, nil
}

// sweep deletes the chunks that no manifest references, except those in
// gone (deleted, or to be deleted by a dry run).
func (s *Store) sweep(ctx context.Context, gone map[string]bool, dryRun bool, res *PruneResult) error {
	// List the chunks before reading the manifests: a chunk written after
	// the listing is not swept at all, whatever its manifest.
	objs, err := s.chunkObjects(ctx)
	if err != nil {
		return err
	}
	sheets, err := s.Sheets(ctx)
	if err != nil {
		return err
	}
	used := make(map[string]bool)
	for _, sheet := range sheets {
		ms, problems, err := s.readAll(ctx, sheet)
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			// An unreadable manifest may reference anything: sweeping now
			// could delete a version's content.
			return fmt.Errorf("not sweeping chunks: %s (fix or remove it; sheetaudit snapshots verify): %w",
				problems[0], audit.ErrInvalid)
		}
		for _, m := range ms {
			if gone[manifestKey(m.Sheet, m.ID)] {
				continue
			}
			for _, c := range m.objects() {
				used[chunkKey(c.SHA256)] = true
			}
		}
	}
	now := s.now()
	for _, key := range sortedKeys(objs) {
		if used[key] {
			continue
		}
		obj := objs[key]
		if now.Sub(obj.ModTime) < s.grace {
			res.ChunksPending++
			continue
		}
		if !dryRun {
			if err := s.delete(ctx, key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
				return fmt.Errorf("delete chunk %q: %w", key, translate(err))
			}
		}
		// Leftover temp files of killed writers count too: they are garbage.
		res.ChunksRemoved++
		res.BytesFreed += obj.Size
	}
	if res.ChunksRemoved > 0 && !dryRun {
		s.log.Info("chunks swept", zap.Int("chunks", res.ChunksRemoved), zap.Int64("bytes", res.BytesFreed))
	}
	return nil
}

// delete removes one object within the request timeout.
func (s *Store) delete(ctx context.Context, key string) error {
	rctx, cancel := s.req(ctx)
	defer cancel()
	return s.bucket.Delete(rctx, key)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
