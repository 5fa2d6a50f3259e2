package snapshot

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
)

func TestApplyPolicy(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	// Newest first for reading; ApplyPolicy must not depend on the order.
	times := map[string]time.Time{
		"a": at("2026-11-29 15:00"), // Sunday: ISO week 2026-W48
		"b": at("2026-11-29 14:30"),
		"c": at("2026-11-29 14:10"),
		"d": at("2026-11-29 13:00"),
		"e": at("2026-11-28 23:00"), // 2026-11-29 07:00 in Shanghai
		"f": at("2026-11-28 10:00"),
		"g": at("2026-11-27 09:00"),
		"h": at("2026-11-20 08:00"), // 2026-W47
		"i": at("2026-11-02 08:00"), // 2026-W45
		"j": at("2026-10-31 12:00"),
		"k": at("2026-10-01 00:30"),
		"l": at("2026-09-15 00:00"),
	}
	var list []audit.SnapshotInfo
	for _, id := range []string{"k", "a", "l", "c", "e", "b", "j", "d", "h", "g", "f", "i"} {
		list = append(list, audit.SnapshotInfo{ID: id, Sheet: "s", Time: times[id]})
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	all := func(reason string) map[string][]string {
		m := make(map[string][]string)
		for id := range times {
			m[id] = []string{reason}
		}
		return m
	}
	tests := []struct {
		name   string
		policy Policy
		loc    *time.Location
		want   map[string][]string // kept id → reasons
	}{
		{name: "empty keeps all", want: all("policy is empty")},
		{name: "last", policy: Policy{KeepLast: 3}, want: map[string][]string{"a": {"last 3"}, "b": {"last 3"}, "c": {"last 3"}}},
		{name: "last all", policy: Policy{KeepLast: -1}, want: all("last (all)")},
		{name: "hourly", policy: Policy{KeepHourly: 3}, want: map[string][]string{
			"a": {"hourly 2026-11-29 15h"}, "b": {"hourly 2026-11-29 14h"}, "d": {"hourly 2026-11-29 13h"}}},
		{name: "daily", policy: Policy{KeepDaily: 3}, want: map[string][]string{
			"a": {"daily 2026-11-29"}, "e": {"daily 2026-11-28"}, "g": {"daily 2026-11-27"}}},
		{name: "daily in Shanghai", policy: Policy{KeepDaily: 2}, loc: shanghai, want: map[string][]string{
			"a": {"daily 2026-11-29"}, "f": {"daily 2026-11-28"}}},
		{name: "weekly", policy: Policy{KeepWeekly: 3}, want: map[string][]string{
			"a": {"weekly 2026-W48"}, "h": {"weekly 2026-W47"}, "i": {"weekly 2026-W45"}}},
		{name: "monthly", policy: Policy{KeepMonthly: 5}, want: map[string][]string{
			"a": {"monthly 2026-11"}, "j": {"monthly 2026-10"}, "l": {"monthly 2026-09"}}},
		{name: "monthly all", policy: Policy{KeepMonthly: -1}, want: map[string][]string{
			"a": {"monthly 2026-11"}, "j": {"monthly 2026-10"}, "l": {"monthly 2026-09"}}},
		{name: "combined", policy: Policy{KeepLast: 1, KeepDaily: 2, KeepMonthly: 2}, want: map[string][]string{
			"a": {"last 1", "daily 2026-11-29", "monthly 2026-11"}, "e": {"daily 2026-11-28"}, "j": {"monthly 2026-10"}}},
		{name: "issue default", policy: Policy{KeepLast: 2, KeepHourly: 24, KeepDaily: 30, KeepWeekly: 26, KeepMonthly: 24}, want: map[string][]string{
			"a": {"last 2", "hourly 2026-11-29 15h", "daily 2026-11-29", "weekly 2026-W48", "monthly 2026-11"},
			"b": {"last 2", "hourly 2026-11-29 14h"},
			"d": {"hourly 2026-11-29 13h"},
			"e": {"hourly 2026-11-28 23h", "daily 2026-11-28"},
			"f": {"hourly 2026-11-28 10h"},
			"g": {"hourly 2026-11-27 09h", "daily 2026-11-27"},
			"h": {"hourly 2026-11-20 08h", "daily 2026-11-20", "weekly 2026-W47"},
			"i": {"hourly 2026-11-02 08h", "daily 2026-11-02", "weekly 2026-W45"},
			"j": {"hourly 2026-10-31 12h", "daily 2026-10-31", "weekly 2026-W44", "monthly 2026-10"},
			"k": {"hourly 2026-10-01 00h", "daily 2026-10-01", "weekly 2026-W40"},
			"l": {"hourly 2026-09-15 00h", "daily 2026-09-15", "weekly 2026-W38", "monthly 2026-09"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keep, remove, reasons := ApplyPolicy(list, tc.policy, tc.loc, nil)
			if diff := cmp.Diff(tc.want, reasons); diff != "" {
				t.Errorf("reasons mismatch (-want +got):\n%s", diff)
			}
			var wantKeep, wantRemove []string
			for _, id := range []string{"l", "k", "j", "i", "h", "g", "f", "e", "d", "c", "b", "a"} { // oldest first
				if _, ok := tc.want[id]; ok {
					wantKeep = append(wantKeep, id)
				} else {
					wantRemove = append(wantRemove, id)
				}
			}
			if diff := cmp.Diff(wantKeep, ids(keep)); diff != "" {
				t.Errorf("kept mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantRemove, ids(remove)); diff != "" {
				t.Errorf("removed mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func ids(list []audit.SnapshotInfo) []string {
	var out []string
	for _, sn := range list {
		out = append(out, sn.ID)
	}
	return out
}

func TestPrune(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := memOpener(t, clock, Options{MaxPatches: -1})
	r := rand.New(rand.NewPCG(51, 51))
	v := genSheet(51, 3000)
	var a []audit.SnapshotInfo
	for range 5 {
		info, err := s.Put(ctx, &audit.Snapshot{Sheet: "a", Time: clock.Now(), Values: v})
		if err != nil {
			t.Fatal(err)
		}
		a = append(a, info)
		v = churn(r, v, 0.01)
		clock.Advance(time.Hour)
	}
	// Sheet b holds the content of a's first version: its chunks stay.
	first, err := s.Load(ctx, "a", a[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, &audit.Snapshot{Sheet: "b", Time: clock.Now(), Values: first.Values}); err != nil {
		t.Fatal(err)
	}
	before := chunkCount(t, s)
	clock.Advance(2 * time.Hour)

	policy := Policy{KeepLast: 2}
	dry, err := s.Prune(ctx, "a", policy, true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids(a[:3]), ids(dry.Remove)); diff != "" {
		t.Errorf("dry run removes (-want +got):\n%s", diff)
	}
	if list, _ := s.List(ctx, "a"); len(list) != 5 || chunkCount(t, s) != before {
		t.Errorf("dry run changed the store: %d versions, %d chunks; want 5 and %d", len(list), chunkCount(t, s), before)
	}
	res, err := s.Prune(ctx, "a", policy, false)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(ids(res.Keep), ids(a[3:])) || !cmp.Equal(res.Reasons[a[4].ID], []string{"last 2"}) {
		t.Errorf("Prune kept %v with reasons %v; want %v for last 2", ids(res.Keep), res.Reasons, ids(a[3:]))
	}
	if res.ChunksRemoved != dry.ChunksRemoved || res.ChunksRemoved == 0 || res.BytesFreed <= 0 {
		t.Errorf("Prune removed %d chunks (%d bytes), dry run said %d; want the same, more than 0", res.ChunksRemoved, res.BytesFreed, dry.ChunksRemoved)
	}
	if got := chunkCount(t, s); got != before-res.ChunksRemoved {
		t.Errorf("%d chunks after prune, want %d", got, before-res.ChunksRemoved)
	}
	list, err := s.List(ctx, "a")
	if err != nil || !cmp.Equal(ids(list), ids(a[3:])) {
		t.Errorf("List after prune = %v, %v; want %v", ids(list), err, ids(a[3:]))
	}
	verifyClean(t, s, true)
	if _, err := s.Latest(ctx, "b"); err != nil {
		t.Errorf("sheet b lost its version to a's prune: %v", err)
	}

	// An empty policy keeps everything.
	if res, err := s.Prune(ctx, "a", Policy{}, false); err != nil || len(res.Remove) != 0 || len(res.Keep) != 2 {
		t.Errorf("Prune(empty policy) = %+v, %v; want both versions kept", res, err)
	}
}

func TestPruneKeepsPatchBases(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := memOpener(t, clock, Options{})
	r := rand.New(rand.NewPCG(52, 52))
	v := genSheet(52, 3000)
	var want [][][]string
	for range 6 {
		if _, err := s.Put(ctx, &audit.Snapshot{Sheet: "a", Time: clock.Now(), Values: v}); err != nil {
			t.Fatal(err)
		}
		want = append(want, v)
		v = churn(r, v, 0.01)
		clock.Advance(time.Hour)
	}
	clock.Advance(2 * time.Hour)
	// Removing the first versions must not remove the chunks and patches
	// the newest versions are built on.
	if _, err := s.Prune(ctx, "a", Policy{KeepLast: 1}, false); err != nil {
		t.Fatal(err)
	}
	got, err := s.Latest(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(want[5], got.Values, slices.Equal) {
		t.Error("the kept version differs after prune")
	}
	verifyClean(t, s, true)
}

func TestApplyPolicyProtected(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 28, h, 0, 0, 0, time.UTC) }
	list := []audit.SnapshotInfo{{ID: "a", Time: at(1)}, {ID: "b", Time: at(2)}, {ID: "c", Time: at(3)}}
	protected := map[string]string{"a": ProtectLogged, "b": "pending write-back"}
	keep, remove, reasons := ApplyPolicy(list, Policy{KeepLast: 1}, nil, protected)
	want := map[string][]string{"a": {ProtectLogged}, "b": {"pending write-back"}, "c": {"last 1"}}
	if diff := cmp.Diff(want, reasons); diff != "" {
		t.Errorf("reasons mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, ids(keep)); diff != "" || len(remove) != 0 {
		t.Errorf("kept mismatch (-want +got):\n%s; removed %v, want none", diff, ids(remove))
	}
	if _, _, reasons := ApplyPolicy(list, Policy{}, nil, protected); !cmp.Equal(reasons["a"], []string{ProtectLogged, "policy is empty"}) {
		t.Errorf("empty policy reasons of a = %v, want the protection first", reasons["a"])
	}
}

// TestPruneKeepsLoggedVersion: the version the Change Log's position
// stands on survives any policy, or every later cycle would fail to diff.
func TestPruneKeepsLoggedVersion(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := memOpener(t, clock, Options{})
	var infos []audit.SnapshotInfo
	for i := range 4 {
		info, err := s.Put(ctx, &audit.Snapshot{Sheet: "a", Time: clock.Now(), Values: [][]string{{"id"}, {string(rune('0' + i))}}})
		if err != nil {
			t.Fatal(err)
		}
		infos = append(infos, info)
		clock.Advance(time.Hour)
	}
	if err := s.SaveState(ctx, "a", audit.State{Logged: infos[1].ID}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Prune(ctx, "a", Policy{KeepLast: 1}, false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{infos[1].ID, infos[3].ID}, ids(res.Keep)); diff != "" {
		t.Errorf("kept mismatch (-want +got):\n%s", diff)
	}
	if got := res.Reasons[infos[1].ID]; !cmp.Equal(got, []string{ProtectLogged}) {
		t.Errorf("reasons of the logged version = %v, want [%s]", got, ProtectLogged)
	}
	if _, err := s.Load(ctx, "a", infos[1].ID); err != nil {
		t.Errorf("the logged version is gone after prune: %v", err)
	}

	// A pending write-back from the logged version to the next one keeps
	// that one too.
	if err := s.SaveState(ctx, "a", audit.State{Logged: infos[1].ID, Pending: &audit.PendingWrite{Cycle: "c", From: infos[1].ID, To: infos[3].ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, &audit.Snapshot{Sheet: "a", Time: clock.Now(), Values: [][]string{{"id"}, {"x"}}}); err != nil {
		t.Fatal(err)
	}
	res, err = s.Prune(ctx, "a", Policy{KeepLast: 1}, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Reasons[infos[3].ID]; !cmp.Equal(got, []string{ProtectPending}) {
		t.Errorf("reasons of the pending write-back's version = %v, want [%s]", got, ProtectPending)
	}
}
