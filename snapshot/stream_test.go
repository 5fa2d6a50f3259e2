package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sheetaudit/sheetaudit/audit"
)

// streamCases are grids whose serialisation the streaming code must cut,
// hash and size exactly as the whole-serialisation reference does: a
// generated sheet, one with rows longer than a chunk, blank and empty rows,
// and nothing at all.
func streamCases() map[string][][]string {
	long := genSheet(31, 3000)
	for i := 100; i < len(long); i += 700 {
		row := slices.Clone(long[i])
		row[11] = strings.Repeat("很长的备注", 20000+i) // past maxChunk on its own
		long[i] = row
	}
	blank := genSheet(32, 5000)
	for i := 7; i < len(blank); i += 13 {
		blank[i] = nil
	}
	blank[20] = []string{"", "", ""}
	return map[string][][]string{
		"generated":  genSheet(30, 20000),
		"long rows":  long,
		"blank rows": blank,
		"one row":    {{"a"}},
		"empty":      nil,
	}
}

func TestStreamMatchesWholeSerialisation(t *testing.T) {
	for name, rows := range streamCases() {
		t.Run(name, func(t *testing.T) {
			data, rowEnds := encodeRows(rows)
			sum := sumRows(rows)
			if want := sha256.Sum256(data); sum.sum != want || sum.size != int64(len(data)) {
				t.Errorf("sumRows = %x, %d bytes; want %x, %d", sum.sum, sum.size, want, len(data))
			}
			if want := rowHashes(data, rowEnds); !slices.Equal(sum.hashes, want) {
				t.Errorf("sumRows row hashes differ from rowHashes")
			}
			var got []int
			var gotRows []int
			end := 0
			c := chunker{emit: func(raw []byte, n int) error {
				end += len(raw)
				if !slices.Equal(raw, data[end-len(raw):end]) {
					t.Errorf("chunk ending at %d holds other bytes than the serialisation", end)
				}
				got, gotRows = append(got, end), append(gotRows, n)
				return nil
			}}
			var buf []byte
			for _, r := range rows {
				buf = appendRow(buf[:0], r)
				if err := c.row(buf); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.finish(); err != nil {
				t.Fatal(err)
			}
			want := cutChunks(data, rowEnds)
			if !slices.Equal(got, want) {
				t.Fatalf("chunk ends %v, want %v", got, want)
			}
			row := 0
			for i, e := range want {
				first := row
				for row < len(rowEnds) && rowEnds[row] <= e {
					row++
				}
				if gotRows[i] != row-first {
					t.Errorf("chunk %d: %d rows, want %d", i, gotRows[i], row-first)
				}
			}
		})
	}
}

// TestPutWritesTheWholeSerialisationsChunks checks a stored version's
// chunks against the reference cut of its whole serialisation: the same
// objects, named and sized alike, as before writing streamed.
func TestPutWritesTheWholeSerialisationsChunks(t *testing.T) {
	ctx := context.Background()
	for name, rows := range streamCases() {
		t.Run(name, func(t *testing.T) {
			clock := newClock()
			s := memOpener(t, clock, Options{})
			typed := make([][]string, len(rows))
			for i := range typed {
				if i%3 == 0 {
					typed[i] = []string{"", fmt.Sprint(46000 + i)}
				}
			}
			info, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), HeaderRow: 1, Values: rows, Typed: typed})
			if err != nil {
				t.Fatal(err)
			}
			m, err := s.Manifest(ctx, "s", info.ID)
			if err != nil {
				t.Fatal(err)
			}
			data, rowEnds := encodeRows(rows)
			sum := sha256.Sum256(data)
			if m.RawBytes != int64(len(data)) || m.ContentSHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("manifest says %d bytes with %s, want %d with %x", m.RawBytes, m.ContentSHA256, len(data), sum)
			}
			if diff := cmp.Diff(referenceChunks(data, rowEnds), m.Chunks, cmp.FilterPath(func(p cmp.Path) bool {
				return p.Last().String() == ".Stored"
			}, cmp.Ignore())); diff != "" {
				t.Errorf("values chunks differ from the reference (-want +got):\n%s", diff)
			}
			tdata, tends := encodeRows(typed)
			tsum := sha256.Sum256(tdata)
			if m.Typed == nil || m.Typed.RawBytes != int64(len(tdata)) || m.Typed.ContentSHA256 != hex.EncodeToString(tsum[:]) {
				t.Fatalf("typed grid %+v, want %d bytes with %x", m.Typed, len(tdata), tsum)
			}
			if diff := cmp.Diff(referenceChunks(tdata, tends), m.Typed.Chunks, cmp.FilterPath(func(p cmp.Path) bool {
				return p.Last().String() == ".Stored"
			}, cmp.Ignore())); diff != "" {
				t.Errorf("typed chunks differ from the reference (-want +got):\n%s", diff)
			}
			for _, c := range slices.Concat(m.Chunks, m.Typed.Chunks) {
				if c.Stored <= 0 {
					t.Errorf("chunk %s: stored size %d", c.SHA256, c.Stored)
				}
			}
		})
	}
}

// referenceChunks describes the chunks of a whole serialisation as the
// store named them before it streamed (without stored sizes).
func referenceChunks(data []byte, rowEnds []int) []ChunkRef {
	refs := []ChunkRef{}
	start, row := 0, 0
	for _, end := range cutChunks(data, rowEnds) {
		first := row
		for row < len(rowEnds) && rowEnds[row] <= end {
			row++
		}
		sum := sha256.Sum256(data[start:end])
		refs = append(refs, ChunkRef{SHA256: hex.EncodeToString(sum[:]), Raw: int64(end - start), Rows: row - first})
		start = end
	}
	return refs
}

func TestPatchIsTheWholeSerialisationsRows(t *testing.T) {
	old := genSheet(33, 3000)
	next := churn(rand.New(rand.NewPCG(33, 3)), old, 0.02)
	next = slices.Insert(next, 1, []string{"C000000", "新客户"})
	od, oe := encodeRows(old)
	nd, ne := encodeRows(next)
	ops := diffRows(rowHashes(od, oe), rowHashes(nd, ne))
	got := encodePatch(len(old), len(next), ops, next)
	// The reference copies each inserted run of rows out of the whole
	// serialisation, as the store did before it streamed.
	want := encodePatch(len(old), len(next), nil, nil)
	for _, o := range ops {
		want = appendUvarint(want, uint64(o.n)<<2|uint64(o.op))
		if o.op == opInsert {
			start := 0
			if o.lo > 0 {
				start = ne[o.lo-1]
			}
			want = append(want, nd[start:ne[o.hi-1]]...)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("patch of %d bytes differs from the reference's %d", len(got), len(want))
	}
}

func appendUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// sameSnapshot is cmp.Equal for snapshots, quicker on big grids: nil and
// empty rows and grids stay apart.
func sameSnapshot(a, b *audit.Snapshot) bool {
	grid := func(x, y [][]string) bool {
		return (x == nil) == (y == nil) && slices.EqualFunc(x, y, func(r, s []string) bool {
			return (r == nil) == (s == nil) && slices.Equal(r, s)
		})
	}
	return grid(a.Values, b.Values) && grid(a.Formulas, b.Formulas) && grid(a.Typed, b.Typed) &&
		cmp.Equal(*a, *b, cmpopts.IgnoreFields(audit.Snapshot{}, "Values", "Formulas", "Typed"))
}

// rowSet holds the identity of each non-empty row of a grid.
func rowSet(grid [][]string) map[*string]bool {
	set := make(map[*string]bool, len(grid))
	for _, r := range grid {
		if len(r) > 0 {
			set[&r[0]] = true
		}
	}
	return set
}

// contentSet holds the content of each row of a grid.
func contentSet(grid [][]string) map[string]bool {
	set := make(map[string]bool, len(grid))
	for _, r := range grid {
		set[strings.Join(r, "\x00")+"\x01"] = true
	}
	return set
}

func TestLoadSharing(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := memOpener(t, clock, Options{})
	v1 := genSheet(34, 20000)
	f1 := make([][]string, len(v1))
	for i := 1; i < len(f1); i += 9 {
		f1[i] = []string{"", "", "", "", "", "", "", "", "", "", fmt.Sprintf("=L%d*2", i+1)}
	}
	t1 := make([][]string, len(v1))
	for i := 1; i < len(t1); i++ {
		t1[i] = []string{"", "", "", "", "", "", "", "", "", fmt.Sprint(46000 + i%300)}
	}
	put := func(values, formulas, typed [][]string) string {
		t.Helper()
		clock.Advance(time.Minute)
		info, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), HeaderRow: 1, Key: []string{"客户编号"},
			Values: values, Formulas: formulas, Typed: typed})
		if err != nil {
			t.Fatal(err)
		}
		return info.ID
	}
	id1 := put(v1, f1, t1)
	r := rand.New(rand.NewPCG(34, 4))
	v2 := churn(r, v1, 0.01)
	v2 = slices.Insert(v2, 1, []string{"C000000", "新客户"})
	v2 = slices.Delete(v2, 500, 510)
	t2 := slices.Clone(t1)
	t2[40] = []string{"", "", "", "", "", "", "", "", "", "46999"}
	id2 := put(v2, f1, t2) // a patch on v1
	v3 := churn(r, v2, 0.01)
	cur := &audit.Snapshot{Sheet: "s", Values: v3, Formulas: f1, Typed: t2}
	// A fresh store on the same bucket: nothing remembered.
	fresh := New(s.bucket, Options{})

	for _, id := range []string{id1, id2} {
		want, err := fresh.Load(ctx, "s", id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := fresh.LoadSharing(ctx, "s", id, cur)
		if err != nil {
			t.Fatal(err)
		}
		if !sameSnapshot(want, got) {
			t.Fatalf("LoadSharing(%s) differs from Load (-want +got):\n%s", id, summarize(cmp.Diff(want, got)))
		}
		ids, contents := rowSet(cur.Values), contentSet(cur.Values)
		shared, own := 0, 0
		for _, row := range got.Values {
			switch {
			case ids[&row[0]]:
				shared++
			case contents[strings.Join(row, "\x00")+"\x01"]:
				t.Errorf("row %q equals a row of cur but is a copy", row[0])
			default:
				own++
			}
		}
		t.Logf("%s: %d rows shared with the current read, %d decoded", id, shared, own)
		if own > len(got.Values)/20 {
			t.Errorf("%s: %d of %d rows decoded, want only the changed ones", id, own, len(got.Values))
		}
		ids, contents = rowSet(cur.Typed), contentSet(cur.Typed)
		for i, row := range got.Typed {
			if len(row) > 0 && !ids[&row[0]] && contents[strings.Join(row, "\x00")+"\x01"] {
				t.Errorf("typed row %d equals a row of cur but is a copy", i)
			}
		}
	}
}

func TestLoadSharingChecksContent(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := memOpener(t, clock, Options{})
	v := genSheet(35, 3000)
	info, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", Time: clock.Now(), Values: v})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Manifest(ctx, "s", info.ID)
	if err != nil {
		t.Fatal(err)
	}
	// A chunk whose name matches its content but which the manifest does
	// not expect: the version's content hash must catch it even when every
	// row is shared.
	key := chunkKey(m.Chunks[0].SHA256)
	z, err := s.bucket.ReadAll(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.dec.DecodeAll(z, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-1] ^= 1
	if err := s.bucket.WriteAll(ctx, key, s.enc.EncodeAll(raw, nil), nil); err != nil {
		t.Fatal(err)
	}
	cur := &audit.Snapshot{Sheet: "s", Values: v}
	_, err = New(s.bucket, Options{}).LoadSharing(ctx, "s", info.ID, cur)
	if !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("LoadSharing of a damaged chunk = %v, want ErrInvalid", err)
	}
	_, lerr := New(s.bucket, Options{}).Load(ctx, "s", info.ID)
	if !errors.Is(lerr, audit.ErrInvalid) {
		t.Errorf("Load of a damaged chunk = %v, want ErrInvalid", lerr)
	}
}

func TestUniqueAnchorsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(36, 6))
	for round := range 300 {
		// Few distinct rows make repeats on both sides; many make most
		// rows unique.
		distinct := []int{3, 20, 1000}[round%3]
		gen := func(n int) []rowHash {
			out := make([]rowHash, n)
			for i := range out {
				out[i] = hashRow([]byte(fmt.Sprint(r.IntN(distinct))))
			}
			return out
		}
		old := gen(r.IntN(200))
		new := slices.Clone(old)
		for range r.IntN(30) {
			if len(new) == 0 {
				break
			}
			i := r.IntN(len(new))
			switch r.IntN(3) {
			case 0:
				new[i] = hashRow([]byte(fmt.Sprint("x", r.IntN(distinct))))
			case 1:
				new = slices.Delete(new, i, i+1)
			default:
				j := r.IntN(len(new))
				new[i], new[j] = new[j], new[i]
			}
		}
		new = append(new, gen(r.IntN(10))...)
		want := referenceUniqueAnchors(old, new)
		var got [][2]int
		for _, a := range uniqueAnchors(old, new) {
			got = append(got, [2]int{int(a.old), int(a.new)})
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: anchors %v, want %v", round, got, want)
		}
	}
}
