package snapshot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
)

// The benchmarks use the size the issue names: 200,000 rows × 12 columns.
const benchRows = 200_000

func benchStore(b *testing.B, opts Options) *Store {
	b.Helper()
	s, err := Open(context.Background(), "mem://", opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// BenchmarkPut stores a whole new version into an empty store: serialise,
// chunk, hash and compress every chunk.
func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	v := genSheet(1, benchRows)
	data, _ := encodeRows(v)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s := benchStore(b, Options{})
		b.StartTimer()
		if _, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Values: v}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutPatch stores a version with 1% of its rows edited on top of
// the previous one: the usual cycle.
func BenchmarkPutPatch(b *testing.B) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(2, 2))
	v := genSheet(2, benchRows)
	data, _ := encodeRows(v)
	b.SetBytes(int64(len(data)))
	s := benchStore(b, Options{MaxPatches: 1 << 30, PatchBudget: 1 << 30})
	t := time.Now()
	if _, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: t, Values: v}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		v = churn(r, v, 0.01)
		t = t.Add(time.Second)
		b.StartTimer()
		if _, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: t, Values: v}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad reads a whole version back: read, check and decompress
// every chunk, decode the rows, check the content hash.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	v := genSheet(3, benchRows)
	data, _ := encodeRows(v)
	s := benchStore(b, Options{})
	info, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Values: v})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(ctx, "s", info.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoreGrowth measures the target: the space that versions
// of a 200,000-row sheet with 1% of rows edited between versions take, as
// a multiple of one compressed version (x_one_version; target ≤ 3 for 100
// versions). The chunks-only variant shows why patches exist. Run with
// -benchtime=1x: one iteration is the whole series.
func BenchmarkStoreGrowth(b *testing.B) {
	for _, tc := range []struct {
		name       string
		versions   int
		maxPatches int
	}{
		{"patches/100_versions", 100, 0},
		{"chunks_only/10_versions", 10, -1},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				s := benchStore(b, Options{MaxPatches: tc.maxPatches})
				r := rand.New(rand.NewPCG(4, 4))
				v := genSheet(4, benchRows)
				t := time.Now()
				var one int64
				var lastID string
				for i := range tc.versions {
					info, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: t, Values: v})
					if err != nil {
						b.Fatal(err)
					}
					if i == 0 {
						one = info.Bytes
					}
					lastID = info.ID
					v = churn(r, v, 0.01)
					t = t.Add(time.Hour)
				}
				objs, err := s.chunkObjects(ctx)
				if err != nil {
					b.Fatal(err)
				}
				var total int64
				for _, o := range objs {
					total += o.Size
				}
				m, err := s.Manifest(ctx, "s", lastID)
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				if _, err := s.Load(ctx, "s", lastID); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(total)/float64(one), "x_one_version")
				b.ReportMetric(float64(one)/(1<<20), "MiB_one_version")
				b.ReportMetric(float64(total)/(1<<20), "MiB_total")
				b.ReportMetric(float64(len(m.Patches)), "patches_newest")
				b.ReportMetric(time.Since(start).Seconds()*1000, "ms_load_newest")
				b.Logf("%s", fmt.Sprintf("%d versions: %d bytes stored in %d objects, one version %d", tc.versions, total, len(objs), one))
			}
		})
	}
}
