package audit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

func TestCycleLogsChangesBetweenSnapshots(t *testing.T) {
	ctx := context.Background()
	clock := audittest.NewClock(time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC))
	sh, _ := time.LoadLocation("Asia/Shanghai")
	wb := audittest.NewWorkbook(map[string][][]string{"客户": {
		{"客户编号", "客户名称", "联系方式"},
		{"C00001", "华为", "138 0013 8000"},
		{"C00002", "腾讯", ""},
	}})
	store := audittest.NewStore()
	c := &audit.Cycle{
		Spec:     audit.Spec{Name: "clients", Tab: "客户", HeaderRow: 1, Key: []string{"客户编号"}, ChangeLogTab: "Change Log"},
		Workbook: wb, Store: store, State: store, Logger: zaptest.NewLogger(t), Now: clock.Now, Location: sh,
	}
	res, err := c.Run(ctx)
	if err != nil {
		t.Fatalf("first cycle: %v", err)
	}
	first := res.Cycle
	if !res.NewSnapshot || res.Rows != 2 || res.Logged != 1 {
		t.Errorf("first cycle = %+v; want a new snapshot of 2 rows and a baseline row", res)
	}

	// Second cycle without edits: no snapshot, no log rows.
	clock.Advance(time.Hour)
	if res, err = c.Run(ctx); err != nil || res.NewSnapshot || res.Logged != 0 {
		t.Fatalf("unchanged cycle = %+v, %v; want nothing new", res, err)
	}

	wb.Set("客户", [][]string{
		{"客户编号", "客户名称", "联系方式"},
		{"C00002", "腾讯控股", "=cmd|' /C calc'!A0"},
		{},
		{"C00003", "字节跳动", "010-6552 9988"},
	})
	clock.Advance(time.Hour)
	res, err = c.Run(ctx)
	if err != nil {
		t.Fatalf("third cycle: %v", err)
	}
	snaps := store.Snapshots("clients")
	if len(snaps) != 2 || res.Snapshot != snaps[1].ID || res.Changes != 4 {
		t.Fatalf("third cycle = %+v with %d snapshots; want the second snapshot and 4 changes", res, len(snaps))
	}
	log, err := wb.ReadTab(ctx, "Change Log")
	if err != nil {
		t.Fatal(err)
	}
	cy := res.Cycle
	want := [][]string{
		{"Time", "Change", "Key", "Column", "Old value", "New value", "Snapshot", "Cycle"},
		{"2026-11-29 09:00:00", "baseline", "", "", "", "2 rows, 3 columns", "s1", first},
		{"2026-11-29 11:00:00", "cell modified", "C00002", "客户名称", "腾讯", "腾讯控股", "s2", cy},
		{"2026-11-29 11:00:00", "cell modified", "C00002", "联系方式", "", "=cmd|' /C calc'!A0", "s2", cy},
		{"2026-11-29 11:00:00", "row added", "C00003", "", "", "客户编号: C00003; 客户名称: 字节跳动; 联系方式: 010-6552 9988", "s2", cy},
		{"2026-11-29 11:00:00", "row removed", "C00001", "", "客户编号: C00001; 客户名称: 华为; 联系方式: 138 0013 8000", "", "s2", cy},
	}
	if diff := cmp.Diff(want, log.Values); diff != "" {
		t.Errorf("Change Log mismatch (-want +got):\n%s", diff)
	}
	st, _ := store.LoadState(ctx, "clients")
	if st.Logged != "s2" || st.Last == nil || st.Last.Rows != 2 || st.Last.Blank != 1 {
		t.Errorf("state = %+v; want logged through s2 with the last result", st)
	}
}

// failingWorkbook fails every append, as a sheet with a quota problem would.
type failingWorkbook struct{ *audittest.Workbook }

func (failingWorkbook) AppendRows(context.Context, string, [][]string) error {
	return audit.ErrUnavailable
}

func TestCycleRetriesFailedWriteBack(t *testing.T) {
	ctx := context.Background()
	wb := audittest.NewWorkbook(map[string][][]string{"T": {{"id", "v"}, {"1", "a"}}})
	store := audittest.NewStore()
	spec := audit.Spec{Name: "s", Tab: "T", HeaderRow: 1, Key: []string{"id"}, ChangeLogTab: "Log"}
	good := &audit.Cycle{Spec: spec, Workbook: wb, Store: store, State: store}
	if _, err := good.Run(ctx); err != nil {
		t.Fatal(err)
	}
	wb.Set("T", [][]string{{"id", "v"}, {"1", "b"}})
	bad := &audit.Cycle{Spec: spec, Workbook: failingWorkbook{wb}, Store: store, State: store}
	if _, err := bad.Run(ctx); err == nil || !strings.Contains(err.Error(), `append to tab "Log"`) {
		t.Fatalf("cycle with failing append: err = %v, want an append error", err)
	}
	res, err := good.Run(ctx)
	if err != nil || res.NewSnapshot {
		// The retry writes the failed cycle's rows again before its own.
		t.Fatalf("retry cycle = %+v, %v; want the pending change logged from the stored snapshot", res, err)
	}
	log, _ := wb.ReadTab(ctx, "Log")
	if got := log.Values[len(log.Values)-1]; got[1] != "cell modified" || got[4] != "a" || got[5] != "b" {
		t.Errorf("last log row = %q; want the a → b edit", got)
	}
}

func TestChangeLogRowsCap(t *testing.T) {
	changes := make([]audit.Change, 12)
	for i := range changes {
		changes[i] = audit.Change{Kind: audit.CellModified, Key: "k", Column: "c", Old: "a", New: "b"}
	}
	rows := audit.ChangeLogRows(changes, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "s1", "s2", 5)
	if len(rows) != 5 {
		t.Fatalf("got %d rows, want 5", len(rows))
	}
	if last := rows[4]; last[1] != "summary" || !strings.Contains(last[5], "8 more changes") || !strings.Contains(last[5], "snapshots diff s1 s2") {
		t.Errorf("summary row = %q", last)
	}
}

// damagedStore is a store one of whose versions cannot be read, as after a
// flipped bit in a chunk; listingStore can also list its versions.
type damagedStore struct {
	*audittest.Store
	bad string
}

func (s damagedStore) Load(ctx context.Context, sheet, id string) (*audit.Snapshot, error) {
	if id == s.bad {
		return nil, fmt.Errorf("snapshot %s is corrupt: %w", id, audit.ErrInvalid)
	}
	return s.Store.Load(ctx, sheet, id)
}

type listingStore struct{ damagedStore }

func (s listingStore) List(_ context.Context, sheet string) ([]audit.SnapshotInfo, error) {
	var out []audit.SnapshotInfo
	for _, sn := range s.Snapshots(sheet) {
		out = append(out, audit.SnapshotInfo{ID: sn.ID, Sheet: sheet, Time: sn.Time})
	}
	return out, nil
}

// TestCycleDamagedLoggedVersion: a damaged version under the Change Log's
// position makes the cycle go on from the newest intact version before it
// (or a new baseline), with an error finding, instead of failing every
// cycle from then on.
func TestCycleDamagedLoggedVersion(t *testing.T) {
	for _, listing := range []bool{true, false} {
		t.Run(fmt.Sprintf("listing=%v", listing), func(t *testing.T) {
			ctx := context.Background()
			wb := audittest.NewWorkbook(map[string][][]string{"T": {{"id", "v"}, {"1", "a"}}})
			mem := audittest.NewStore()
			ds := damagedStore{Store: mem}
			var store audit.Store = ds
			if listing {
				store = listingStore{ds}
			}
			spec := audit.Spec{Name: "s", Tab: "T", HeaderRow: 1, Key: []string{"id"}, ChangeLogTab: "Log", ReviewTab: "Review"}
			c := &audit.Cycle{Spec: spec, Workbook: wb, Store: mem, State: mem, Logger: zaptest.NewLogger(t)}
			for _, v := range []string{"b", "c"} {
				if _, err := c.Run(ctx); err != nil {
					t.Fatal(err)
				}
				wb.Set("T", [][]string{{"id", "v"}, {"1", v}})
			}
			// s2 (v = b) is logged; now it is damaged.
			ds.bad = "s2"
			if listing {
				store = listingStore{ds}
			} else {
				store = ds
			}
			c.Store = store
			res, err := c.Run(ctx)
			if err != nil {
				t.Fatalf("cycle over a damaged logged version: %v", err)
			}
			var found bool
			for _, f := range res.Findings {
				found = found || f.Rule == "snapshot" && f.Severity == audit.Error && strings.Contains(f.Message, "s2")
			}
			if !found || res.Errors == 0 {
				t.Errorf("findings %+v; want an error naming the damaged version s2", res.Findings)
			}
			log, _ := wb.ReadTab(ctx, "Log")
			last := log.Values[len(log.Values)-1]
			want := []string{"cell modified", "a", "c", "s3"} // from s1, the newest intact one before s2
			if !listing {
				want = []string{"baseline", "", "1 rows, 2 columns", "s3"}
			}
			if got := []string{last[1], last[4], last[5], last[6]}; !cmp.Equal(got, want) {
				t.Errorf("last log row %q; want %q", last, want)
			}
			if st, _ := mem.LoadState(ctx, "s"); st.Logged != "s3" {
				t.Errorf("logged = %q, want s3", st.Logged)
			}
			review, _ := wb.ReadTab(ctx, "Review")
			if !strings.Contains(fmt.Sprint(review.Values), "s2") {
				t.Errorf("Needs Review does not name the damaged version:\n%q", review.Values)
			}
		})
	}
}

// cancelledWorkbook fails reads with the context's error, as a backend
// does when the cycle is cancelled mid-request.
type cancelledWorkbook struct{ *audittest.Workbook }

func (w cancelledWorkbook) ReadTab(ctx context.Context, title string) (*audit.Tab, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return w.Workbook.ReadTab(ctx, title)
}

// TestCycleRecordsCancelledOutcome: a cycle cancelled by its deadline or
// by a shutdown past its timeout still records that it failed, so status
// does not show the previous cycle's result.
func TestCycleRecordsCancelledOutcome(t *testing.T) {
	wb := audittest.NewWorkbook(map[string][][]string{"T": {{"id", "v"}, {"1", "a"}}})
	store := audittest.NewStore()
	c := &audit.Cycle{Spec: audit.Spec{Name: "s", Tab: "T", HeaderRow: 1, Key: []string{"id"}},
		Workbook: cancelledWorkbook{wb}, Store: store, State: store}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Run(ctx); err == nil {
		t.Fatal("cancelled cycle succeeded")
	}
	st, err := store.LoadState(context.Background(), "s")
	if err != nil || st.Last == nil || !strings.Contains(st.Last.Error, "canceled") {
		t.Errorf("state after a cancelled cycle = %+v, %v; want its error recorded", st.Last, err)
	}
}
