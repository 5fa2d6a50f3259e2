package snapshot

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.uber.org/zap/zaptest"
	"gocloud.dev/blob"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

// opener opens an empty store for one test; the clock is the store's.
type opener func(t *testing.T, clock *audittest.Clock, opts Options) *Store

func memOpener(t *testing.T, clock *audittest.Clock, opts Options) *Store {
	return openURL(t, "mem://", clock, opts)
}

func fileOpener(t *testing.T, clock *audittest.Clock, opts Options) *Store {
	return openURL(t, filepath.Join(t.TempDir(), "store"), clock, opts)
}

func openURL(t *testing.T, url string, clock *audittest.Clock, opts Options) *Store {
	t.Helper()
	opts.Logger = zaptest.NewLogger(t)
	opts.Now = clock.Now
	s, err := Open(context.Background(), url, opts)
	if err != nil {
		t.Fatalf("Open(%q): %v", url, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// The clock starts at the real time: bucket ModTimes are real, and prune's
// grace period compares them with the store's clock.
func newClock() *audittest.Clock { return audittest.NewClock(time.Now().Truncate(time.Second)) }

func TestStoreMem(t *testing.T)  { testStore(t, memOpener) }
func TestStoreFile(t *testing.T) { testStore(t, fileOpener) }

// testStore is the suite every bucket kind passes.
func testStore(t *testing.T, open opener) {
	ctx := context.Background()
	wide := slices.Repeat([]string{"宽"}, 18000)
	wide[17999] = "last"
	cases := []struct {
		name   string
		values [][]string
	}{
		{"cjk emoji rtl", [][]string{{"客户编号", "客户名称", "备注"}, {"C00001", "华为技术有限公司", "😀👍🏽 שלום"}, {"C00002", "小米", "=SUM(A1)"}}},
		{"empty cells ragged blank rows", [][]string{{"title above the header"}, {}, {"id", "name", "", "note"}, {"1", "", "", "x"}, {}, {"2"}, {"3", "c", "", "", "", "far right"}, {}}},
		{"18000 columns", [][]string{{"id", "wide"}, wide}},
		{"50000-char cell", [][]string{{"id", "long"}, {"1", strings.Repeat("长", 50000)}}},
		{"empty tab", nil},
		{"generated", genSheet(11, 3000)},
	}
	for _, tc := range cases {
		t.Run("round trip "+tc.name, func(t *testing.T) {
			clock := newClock()
			s := open(t, clock, Options{})
			snap := &audit.Snapshot{
				Sheet: "group-clients", Time: clock.Now(), HeaderRow: 1, Key: []string{"id"}, Values: tc.values,
				Meta: audit.TabMeta{SpreadsheetID: "1AbC", TabID: 7, Title: "客户", GridRows: 1000, GridCols: 26, Locale: "zh_CN", TimeZone: "Asia/Shanghai", Revision: "r42"},
			}
			info, err := s.Put(ctx, snap)
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			dataRows := 0
			for i, r := range tc.values {
				if i >= 1 && !blankRow(r) {
					dataRows++
				}
			}
			if info.Rows != dataRows || info.Bytes <= 0 && len(tc.values) > 0 {
				t.Errorf("Put info = %+v, want %d data rows and some bytes", info, dataRows)
			}
			want := *snap
			want.ID = info.ID
			want.Time = snap.Time.UTC()
			for name, load := range map[string]func() (*audit.Snapshot, error){
				"Load":   func() (*audit.Snapshot, error) { return s.Load(ctx, "group-clients", info.ID) },
				"Latest": func() (*audit.Snapshot, error) { return s.Latest(ctx, "group-clients") },
			} {
				got, err := load()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if diff := cmp.Diff(&want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s mismatch (-want +got):\n%s", name, summarize(diff))
				}
				if diff := cmp.Diff(tc.values, got.Values, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s values mismatch (-want +got):\n%s", name, summarize(diff))
				}
			}
			// A fresh store on the same bucket has no cache to lean on.
			verifyClean(t, s, true)
		})
	}

	t.Run("versions patches and list", func(t *testing.T) {
		clock := newClock()
		s := open(t, clock, Options{})
		r := rand.New(rand.NewPCG(5, 5))
		v := genSheet(5, 2000)
		var ids []string
		var all [][][]string
		for i := range 6 {
			if i == 3 {
				v = slices.Insert(slices.Clone(v), 1, []string{"C999999", "插入的客户"})
			}
			info, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), HeaderRow: 1, Values: v})
			if err != nil {
				t.Fatalf("Put %d: %v", i, err)
			}
			ids, all = append(ids, info.ID), append(all, v)
			v = churn(r, v, 0.01)
			clock.Advance(time.Hour)
		}
		list, err := s.List(ctx, "s")
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []string
		for _, sn := range list {
			gotIDs = append(gotIDs, sn.ID)
			if sn.Rows == 0 || sn.Columns != len(genHeader) || sn.Bytes <= 0 {
				t.Errorf("List entry %+v: want rows, %d columns and bytes", sn, len(genHeader))
			}
		}
		if diff := cmp.Diff(ids, gotIDs); diff != "" {
			t.Errorf("List ids, oldest first, mismatch (-want +got):\n%s", diff)
		}
		m, err := s.Manifest(ctx, "s", ids[5])
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Patches) == 0 {
			t.Errorf("version 6 after 1%% churn has no patches; want it stored as a patch")
		}
		for i, id := range ids {
			got, err := s.Load(ctx, "s", id)
			if err != nil {
				t.Fatalf("Load %s: %v", id, err)
			}
			if !slices.EqualFunc(all[i], got.Values, slices.Equal) {
				t.Errorf("Load version %d (%s) differs from what was stored", i+1, id)
			}
		}
		sheets, err := s.Sheets(ctx)
		if err != nil || !slices.Equal(sheets, []string{"s"}) {
			t.Errorf("Sheets = %v, %v; want [s]", sheets, err)
		}
		verifyClean(t, s, true)
	})

	t.Run("same second", func(t *testing.T) {
		clock := newClock()
		s := open(t, clock, Options{})
		v := [][]string{{"id"}, {"1"}}
		first, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), Values: v})
		if err != nil {
			t.Fatal(err)
		}
		// The same content in the same second is the same version.
		again, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), Values: v})
		if err != nil || again.ID != first.ID {
			t.Errorf("Put(same content, same second) = %+v, %v; want the stored %s", again, err, first.ID)
		}
		// Another version whose id is taken (a hash prefix collision, forged
		// here) gets a counter; the manifest in the way is left alone.
		other := [][]string{{"id"}, {"2"}}
		data, _ := encodeRows(other)
		taken := first.ID[:len(idTimeLayout)] + "-" + fmt.Sprintf("%x", sha256Sum(data))[:8]
		forged := fmt.Sprintf(`{"format":1,"id":%q,"sheet":"s","time":%q,"content_sha256":"%064d","chunks":[]}`,
			taken, clock.Now().UTC().Format(time.RFC3339Nano), 0)
		if err := s.bucket.WriteAll(ctx, manifestKey("s", taken), []byte(forged), nil); err != nil {
			t.Fatal(err)
		}
		info, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), Values: other})
		if err != nil || info.ID != taken+"-2" {
			t.Errorf("Put(id taken by other content) = %+v, %v; want id %s-2", info, err, taken)
		}
		if got, err := s.bucket.ReadAll(ctx, manifestKey("s", taken)); err != nil || string(got) != forged {
			t.Errorf("manifest %s was replaced: %s, %v", taken, got, err)
		}
	})

	t.Run("state", func(t *testing.T) {
		s := open(t, newClock(), Options{})
		st, err := s.LoadState(ctx, "客户表")
		if err != nil || !cmp.Equal(st, audit.State{}) {
			t.Fatalf("LoadState(never run) = %+v, %v; want zero state", st, err)
		}
		want := audit.State{Logged: "20261129T151600Z-0123abcd", Last: &audit.Result{Sheet: "客户表", Rows: 3, NewSnapshot: true, Duration: time.Second}}
		if err := s.SaveState(ctx, "客户表", want); err != nil {
			t.Fatal(err)
		}
		got, err := s.LoadState(ctx, "客户表")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateApproxTime(0)); diff != "" {
			t.Errorf("state mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("not found and invalid names", func(t *testing.T) {
		s := open(t, newClock(), Options{})
		if _, err := s.Latest(ctx, "nothing"); !errors.Is(err, audit.ErrNotFound) {
			t.Errorf("Latest(empty sheet) = %v, want ErrNotFound", err)
		}
		if _, err := s.Load(ctx, "nothing", "20261129T151600Z-0123abcd"); !errors.Is(err, audit.ErrNotFound) || !strings.Contains(err.Error(), "20261129T151600Z-0123abcd") {
			t.Errorf("Load(missing) = %v, want ErrNotFound naming the id", err)
		}
		for _, id := range []string{"../../state", "20261129T151600Z-0123abcd/../x", "", "latest", "20261129T151600Z-0123ABCD"} {
			if _, err := s.Load(ctx, "ok", id); !errors.Is(err, audit.ErrInvalid) {
				t.Errorf("Load(id %q) = %v, want ErrInvalid", id, err)
			}
		}
		for _, sheet := range []string{"", "..", "a/b", "../etc", ".hidden", "a..b", "tab\x00", strings.Repeat("x", 101), "trailing "} {
			if _, err := s.Put(ctx, &audit.Snapshot{Sheet: sheet}); !errors.Is(err, audit.ErrInvalid) {
				t.Errorf("Put(sheet %q) = %v, want ErrInvalid", sheet, err)
			}
			if _, err := s.LoadState(ctx, sheet); !errors.Is(err, audit.ErrInvalid) {
				t.Errorf("LoadState(sheet %q) = %v, want ErrInvalid", sheet, err)
			}
		}
	})

	t.Run("concurrent writers", func(t *testing.T) {
		clock := newClock()
		s := open(t, clock, Options{})
		var mu sync.Mutex
		stored := make(map[string][][]string)
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(w), 3))
				v := genSheet(uint64(w), 500)
				for i := range 8 {
					info, err := s.Put(ctx, &audit.Snapshot{Sheet: "shared", Time: clock.Now(), HeaderRow: 1, Values: v})
					if err != nil {
						t.Errorf("writer %d Put %d: %v", w, i, err)
						return
					}
					mu.Lock()
					stored[info.ID] = v
					mu.Unlock()
					v = churn(r, v, 0.02)
				}
			})
		}
		wg.Wait()
		list, err := s.List(ctx, "shared")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(stored) || len(list) != 16 {
			t.Errorf("List has %d versions, writers stored %d distinct ids of 16 Puts", len(list), len(stored))
		}
		for id, want := range stored {
			got, err := s.Load(ctx, "shared", id)
			if err != nil {
				t.Fatalf("Load %s: %v", id, err)
			}
			if !slices.EqualFunc(want, got.Values, slices.Equal) {
				t.Errorf("version %s differs from what its writer stored", id)
			}
		}
		verifyClean(t, s, true)
	})
}

func verifyClean(t *testing.T, s *Store, full bool) {
	t.Helper()
	problems, err := s.Verify(context.Background(), full)
	if err != nil {
		t.Fatalf("Verify(full=%v): %v", full, err)
	}
	for _, p := range problems {
		t.Errorf("Verify(full=%v) problem: %s", full, p)
	}
}

// chunkCount returns the number of chunk objects in the store.
func chunkCount(t *testing.T, s *Store) int {
	t.Helper()
	objs, err := s.chunkObjects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(objs)
}

func TestIdenticalContentStoresNoChunk(t *testing.T) {
	for _, maxPatches := range []int{0, -1} {
		t.Run(fmt.Sprintf("MaxPatches %d", maxPatches), func(t *testing.T) {
			ctx := context.Background()
			clock := newClock()
			s := memOpener(t, clock, Options{MaxPatches: maxPatches})
			v := genSheet(21, 5000)
			first, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), Values: v})
			if err != nil {
				t.Fatal(err)
			}
			n := chunkCount(t, s)
			clock.Advance(time.Minute)
			second, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), Values: slices.Clone(v)})
			if err != nil {
				t.Fatal(err)
			}
			if got := chunkCount(t, s); got != n {
				t.Errorf("identical second version: %d chunk objects, want %d as before", got, n)
			}
			if first.ID == second.ID || second.Bytes != first.Bytes {
				t.Errorf("versions %+v and %+v: want two ids with the same bytes", first, second)
			}
		})
	}
}

func TestInsertRowAtTopSharesChunks(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := memOpener(t, clock, Options{MaxPatches: -1}) // whole versions: measure the chunking itself
	v := genSheet(22, 20000)
	if _, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), Values: v}); err != nil {
		t.Fatal(err)
	}
	before := chunkCount(t, s)
	clock.Advance(time.Minute)
	v = slices.Insert(slices.Clone(v), 1, []string{"C000000", "新插入的客户有限公司", "", "赵六", "+86 139 0000 0000"})
	info, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), Values: v})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Manifest(ctx, "s", info.ID)
	if err != nil {
		t.Fatal(err)
	}
	fresh := chunkCount(t, s) - before
	t.Logf("insert at top of 20,000 rows: %d new chunks of %d", fresh, len(m.Chunks))
	if fresh > 3 {
		t.Errorf("insert at top made %d new chunks of %d, want at most 3", fresh, len(m.Chunks))
	}
}

func TestChurnSeriesGrowth(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		maxPatches int
		limit      float64
	}{
		{"patches", 0, 3},
		{"chunks only", -1, 0}, // measured, not bounded: random churn touches most chunks
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newClock()
			s := memOpener(t, clock, Options{MaxPatches: tc.maxPatches})
			r := rand.New(rand.NewPCG(23, 23))
			v := genSheet(23, 20000)
			var one int64
			const versions = 30
			for i := range versions {
				info, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), Values: v})
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					one = info.Bytes
				}
				v = churn(r, v, 0.01)
				clock.Advance(time.Hour)
			}
			total := storedBytes(t, s)
			ratio := float64(total) / float64(one)
			t.Logf("%d versions of 20,000 rows at 1%% churn: %d bytes stored, one version %d: %.2fx", versions, total, one, ratio)
			if tc.limit > 0 && ratio > tc.limit {
				t.Errorf("store grew to %.2fx one version, want at most %.0fx", ratio, tc.limit)
			}
			verifyClean(t, s, true)
		})
	}
}

func storedBytes(t *testing.T, s *Store) int64 {
	t.Helper()
	objs, err := s.chunkObjects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, o := range objs {
		n += o.Size
	}
	return n
}

func TestCrashBetweenChunksAndManifest(t *testing.T) { testCrash(t, fileOpener) }

func testCrash(t *testing.T, open opener) {
	ctx := context.Background()
	clock := newClock()
	s := open(t, clock, Options{MaxPatches: -1})
	v1 := genSheet(31, 4000)
	first, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), Values: v1})
	if err != nil {
		t.Fatal(err)
	}
	before := chunkCount(t, s)

	// The writer dies after its chunks: its context ends before the manifest.
	clock.Advance(time.Minute)
	wctx, cancel := context.WithCancel(ctx)
	s.afterContent = cancel
	v2 := slices.Insert(slices.Clone(v1), 2000, genSheet(32, 300)[1:]...)
	if _, err := s.Put(wctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), Values: v2}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put killed before its manifest = %v, want context.Canceled", err)
	}
	s.afterContent = nil
	orphans := chunkCount(t, s) - before
	if orphans == 0 {
		t.Fatal("the killed writer left no chunks; the test does not test a crash")
	}
	verifyClean(t, s, true)
	latest, err := s.Latest(ctx, "s")
	if err != nil || latest.ID != first.ID {
		t.Fatalf("Latest after the crash = %v, %v; want the version before it, %s", latest, err, first.ID)
	}

	// Within the grace period prune keeps the orphans: a live writer may
	// be about to reference them.
	res, err := s.Prune(ctx, "s", Policy{KeepLast: 10}, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.ChunksRemoved != 0 || res.ChunksPending != orphans {
		t.Errorf("Prune within grace = removed %d, pending %d; want 0 and %d", res.ChunksRemoved, res.ChunksPending, orphans)
	}
	clock.Advance(2 * time.Hour)
	if res, err = s.Prune(ctx, "s", Policy{KeepLast: 10}, true); err != nil || res.ChunksRemoved != orphans || chunkCount(t, s)-before != orphans {
		t.Errorf("Prune dry run = %+v, %v; want %d chunks reported and none removed", res, err, orphans)
	}
	if res, err = s.Prune(ctx, "s", Policy{KeepLast: 10}, false); err != nil || res.ChunksRemoved != orphans {
		t.Errorf("Prune after grace = %+v, %v; want the %d orphans removed", res, err, orphans)
	}
	if got := chunkCount(t, s); got != before {
		t.Errorf("after prune %d chunks, want the %d of the stored version", got, before)
	}
	verifyClean(t, s, true)

	// The next cycle succeeds.
	if _, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), Values: v2}); err != nil {
		t.Fatalf("Put after the crash: %v", err)
	}
	verifyClean(t, s, true)
}

func TestCorruptChunk(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "store")
	s := openURL(t, dir, newClock(), Options{})
	info, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Values: genSheet(41, 3000)})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Manifest(ctx, "s", info.ID)
	if err != nil {
		t.Fatal(err)
	}
	key := chunkKey(m.Chunks[len(m.Chunks)/2].SHA256)
	path := filepath.Join(dir, filepath.FromSlash(key))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(data) / 2; i < len(data)/2+16; i++ {
		data[i] ^= 0x55
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}

	// A fresh store: nothing cached.
	s2 := openURL(t, dir, newClock(), Options{})
	_, err = s2.Load(ctx, "s", info.ID)
	if !errors.Is(err, audit.ErrInvalid) || !strings.Contains(err.Error(), key) {
		t.Errorf("Load of a corrupt version = %v, want ErrInvalid naming %s", err, key)
	}
	problems, err := s2.Verify(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || problems[0].Object != key || problems[0].Snapshot != info.ID {
		t.Errorf("Verify(full) = %v, want one problem with %s of %s", problems, key, info.ID)
	}
	if problems, err := s2.Verify(ctx, false); err != nil || len(problems) != 0 {
		t.Errorf("Verify(quick) = %v, %v; want clean: the chunk exists", problems, err)
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	for _, full := range []bool{false, true} {
		problems, err := s2.Verify(ctx, full)
		if err != nil || len(problems) != 1 || problems[0].Object != key || !strings.Contains(problems[0].Message, "missing") {
			t.Errorf("Verify(full=%v) with a deleted chunk = %v, %v; want %s missing", full, problems, err, key)
		}
	}
}

func TestCorruptManifest(t *testing.T) {
	ctx := context.Background()
	s := memOpener(t, newClock(), Options{})
	if _, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Values: genSheet(42, 10)}); err != nil {
		t.Fatal(err)
	}
	bad := manifestKey("s", "20261129T151600Z-0123abcd")
	if err := s.bucket.WriteAll(ctx, bad, []byte(`{"format": 99}`), nil); err != nil {
		t.Fatal(err)
	}
	problems, err := s.Verify(ctx, false)
	if err != nil || len(problems) != 1 || problems[0].Object != bad {
		t.Errorf("Verify = %v, %v; want one problem naming %s", problems, err, bad)
	}
	if _, err := s.Prune(ctx, "other", Policy{KeepLast: 1}, false); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("Prune with an unreadable manifest = %v, want ErrInvalid and no sweep", err)
	}
}

// TestDamagedNewestManifest: one damaged manifest, the newest, neither
// hides the other versions nor stops the next Put.
func TestDamagedNewestManifest(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := memOpener(t, clock, Options{})
	var infos []audit.SnapshotInfo
	for i := range 3 {
		info, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), Values: genSheet(uint64(i), 20)})
		if err != nil {
			t.Fatal(err)
		}
		infos = append(infos, info)
		clock.Advance(time.Minute)
	}
	bad := manifestKey("s", infos[2].ID)
	if err := s.bucket.WriteAll(ctx, bad, []byte(`{"format": 1, "sheet": "s", "id": "trunc`), nil); err != nil {
		t.Fatal(err)
	}
	s = New(s.bucket, Options{Now: clock.Now}) // no cache of what was written
	list, problems, err := s.ListProblems(ctx, "s")
	if err != nil || !cmp.Equal(ids(list), ids(infos[:2])) || len(problems) != 1 || problems[0].Object != bad {
		t.Errorf("ListProblems = %v, %v, %v; want the two intact versions and one problem naming %s", ids(list), problems, err, bad)
	}
	if list, err := s.List(ctx, "s"); err != nil || len(list) != 2 {
		t.Errorf("List = %v, %v; want the two intact versions", ids(list), err)
	}
	latest, err := s.Latest(ctx, "s")
	if err != nil || latest.ID != infos[1].ID {
		t.Fatalf("Latest = %v, %v; want the newest intact version %s", latest, err, infos[1].ID)
	}
	clock.Advance(time.Minute)
	if _, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), Values: genSheet(9, 20)}); err != nil {
		t.Errorf("Put after a damaged newest manifest: %v", err)
	}
}

func TestBucketURL(t *testing.T) {
	abs, err := filepath.Abs("rel/data")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "rel/data", want: "file://" + filepath.ToSlash(abs) + "?create_dir=true&metadata=skip&no_tmp_dir=true"},
		{in: "/var/lib/sheetaudit", want: "file:///var/lib/sheetaudit?create_dir=true&metadata=skip&no_tmp_dir=true"},
		{in: "file:///srv/s?metadata=skip", want: "file:///srv/s?create_dir=true&metadata=skip&no_tmp_dir=true"},
		{in: "s3://bucket/team/audit?region=eu-west-1&endpoint=http://minio:9000&use_path_style=true", want: "s3://bucket?endpoint=http%3A%2F%2Fminio%3A9000&prefix=team%2Faudit%2F&region=eu-west-1&use_path_style=true"},
		{in: "gs://bucket/p", want: "gs://bucket?prefix=p%2F"},
		{in: "gs://bucket", want: "gs://bucket"},
		{in: "mem://", want: "mem://"},
		{in: "s3://bucket/p?prefix=q/", wantErr: true},
		{in: "ftp://host/x", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tc := range tests {
		got, err := bucketURL(tc.in)
		if tc.wantErr {
			if !errors.Is(err, audit.ErrInvalid) {
				t.Errorf("bucketURL(%q) = %q, %v; want ErrInvalid", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("bucketURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// TestFileLayout pins the object names FORMAT.md documents.
func TestFileLayout(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "store")
	clock := audittest.NewClock(time.Date(2026, 11, 29, 15, 16, 0, 0, time.UTC))
	s := openURL(t, dir, clock, Options{})
	info, err := s.Put(ctx, &audit.Snapshot{Sheet: "group-clients", Values: [][]string{{"id"}, {"1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveState(ctx, "group-clients", audit.State{Logged: info.ID}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(info.ID, "20261129T151600Z-") {
		t.Errorf("id %q, want it to start with the UTC second 20261129T151600Z-", info.ID)
	}
	var files []string
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Manifest(ctx, "group-clients", info.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		chunkPrefix + m.Chunks[0].SHA256[:2] + "/" + m.Chunks[0].SHA256 + ".zst",
		"sheets/group-clients/manifests/" + info.ID + ".json",
		"sheets/group-clients/state/00000000000000000000-000001.json",
	}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("files mismatch (-want +got):\n%s", diff)
	}
}

func TestNewOnPrefixedBucket(t *testing.T) {
	ctx := context.Background()
	b, err := blob.OpenBucket(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	s := New(blob.PrefixedBucket(b, "team/"), Options{})
	defer s.Close()
	info, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Values: [][]string{{"a"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "s", info.ID); err != nil {
		t.Errorf("Load on a prefixed bucket: %v", err)
	}
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }

func TestTwoStoresOneFolder(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "store")
	clock := newClock()
	var wg sync.WaitGroup
	stores := []*Store{openURL(t, dir, clock, Options{}), openURL(t, dir, clock, Options{})}
	for w, s := range stores {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 9))
			v := genSheet(60, 1500) // the same start: shared chunks
			for i := range 6 {
				if _, err := s.Put(ctx, &audit.Snapshot{Sheet: "shared", Time: clock.Now(), Values: v}); err != nil {
					t.Errorf("store %d Put %d: %v", w, i, err)
					return
				}
				v = churn(r, v, 0.01)
			}
		})
	}
	wg.Wait()
	if list, err := stores[0].List(ctx, "shared"); err != nil || len(list) != 11 {
		// Both wrote the same first version in the same second: one version.
		t.Errorf("List = %d versions, %v; want 11", len(list), err)
	}
	verifyClean(t, stores[1], true)
}

// TestCycle runs the audit cycle on the store: the path every run takes.
func TestCycle(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := fileOpener(t, clock, Options{})
	data := genSheet(70, 500)
	wb := audittest.NewWorkbook(map[string][][]string{"客户": data})
	c := &audit.Cycle{
		Spec:     audit.Spec{Name: "group-clients", Tab: "客户", HeaderRow: 1, Key: []string{"客户编号"}, ChangeLogTab: "Change Log"},
		Workbook: wb, Store: s, State: s, Now: clock.Now, Logger: zaptest.NewLogger(t),
	}
	first, err := c.Run(ctx)
	if err != nil || !first.NewSnapshot {
		t.Fatalf("first cycle = %+v, %v; want a new snapshot", first, err)
	}
	clock.Advance(time.Hour)
	same, err := c.Run(ctx)
	if err != nil || same.NewSnapshot || same.Snapshot != first.Snapshot {
		t.Errorf("unchanged cycle = %+v, %v; want no new snapshot", same, err)
	}
	edited := slices.Clone(data)
	edited[3] = slices.Clone(edited[3])
	edited[3][7] = "签约完成"
	if edited[3][7] == data[3][7] {
		edited[3][7] = "流失"
	}
	wb.Set("客户", edited)
	clock.Advance(time.Hour)
	next, err := c.Run(ctx)
	if err != nil || !next.NewSnapshot || next.Changes != 1 {
		t.Errorf("cycle after one edit = %+v, %v; want a new snapshot with 1 change", next, err)
	}
	m, err := s.Manifest(ctx, "group-clients", next.Snapshot)
	if err != nil || len(m.Patches) != 1 {
		t.Errorf("manifest after one edit = %+v, %v; want one patch", m, err)
	}
	st, err := s.LoadState(ctx, "group-clients")
	if err != nil || st.Logged != next.Snapshot || st.Last == nil {
		t.Errorf("state = %+v, %v; want logged %s and the last result", st, err, next.Snapshot)
	}
	verifyClean(t, s, true)
}

func TestPutReport(t *testing.T) {
	ctx := context.Background()
	b, err := blob.OpenBucket(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	st := New(b, Options{})
	defer st.Close()
	key, err := st.PutReport(ctx, "clients", "2026-W48.html", []byte("<p>hi</p>"))
	if err != nil || key != "reports/clients/2026-W48.html" {
		t.Fatalf("PutReport = %q, %v", key, err)
	}
	if _, err := st.PutReport(ctx, "clients", "2026-W48.html", []byte("<p>again</p>")); err != nil {
		t.Errorf("rebuilding a week's report: %v", err)
	}
	for _, bad := range []string{"../x.html", "a/b.html", ".hidden", ""} {
		if _, err := st.PutReport(ctx, "clients", bad, nil); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("PutReport(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestPutReportsWrittenAndDeduplicated(t *testing.T) {
	ctx := context.Background()
	st := openURL(t, "mem://", audittest.NewClock(time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)), Options{MaxPatches: -1})
	rows := genSheet(7, 5000)
	first, err := st.Put(ctx, &audit.Snapshot{Sheet: "s", Values: rows})
	if err != nil {
		t.Fatal(err)
	}
	if first.Written != first.Bytes || first.Deduplicated != 0 {
		t.Errorf("first Put: written %d, dedup %d of %d bytes; want all written", first.Written, first.Deduplicated, first.Bytes)
	}
	rows[len(rows)-1] = append(slices.Clone(rows[len(rows)-1]), "edited")
	second, err := st.Put(ctx, &audit.Snapshot{Sheet: "s", Values: rows, Time: first.Time.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if second.Written == 0 || second.Written >= second.Bytes/2 || second.Written+second.Deduplicated != second.Bytes {
		t.Errorf("second Put: written %d + dedup %d of %d bytes; want a small new part", second.Written, second.Deduplicated, second.Bytes)
	}
}
