package snapshot

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestRowsRoundTrip(t *testing.T) {
	tests := map[string][][]string{
		"empty tab":        nil,
		"one blank row":    {{}},
		"empty cells":      {{"", "", ""}, {"a", "", "b"}},
		"ragged":           {{"a"}, {"a", "b", "c"}, {}, {"x", "y"}},
		"cjk emoji rtl":    {{"客户编号", "😀👍🏽", "שלום", "\x00\x1f\n\t"}},
		"long cell":        {{strings.Repeat("长", 50000)}},
		"18000 columns":    {slices.Repeat([]string{"c"}, 18000)},
		"generated sheet":  genSheet(1, 300),
		"cells like bytes": {{"\x80", "\xff\xfe", string([]byte{0xc3})}},
	}
	for name, values := range tests {
		t.Run(name, func(t *testing.T) {
			data, ends := encodeRows(values)
			if len(ends) != len(values) || (len(ends) > 0 && ends[len(ends)-1] != len(data)) {
				t.Fatalf("row ends %v do not cover %d rows of %d bytes", ends, len(values), len(data))
			}
			got, err := decodeRows(data)
			if err != nil {
				t.Fatalf("decodeRows: %v", err)
			}
			if diff := cmp.Diff(values, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", summarize(diff))
			}
		})
	}
}

func TestDecodeRowsRejectsTruncated(t *testing.T) {
	data, _ := encodeRows([][]string{{"abc", "def"}})
	for n := 1; n < len(data); n++ {
		if _, err := decodeRows(data[:n]); err == nil {
			t.Errorf("decodeRows(first %d of %d bytes) = nil error, want truncated", n, len(data))
		}
	}
}

func TestCutChunksAtRowEnds(t *testing.T) {
	values := genSheet(2, 20000)
	data, ends := encodeRows(values)
	cuts := cutChunks(data, ends)
	isEnd := make(map[int]bool, len(ends))
	for _, e := range ends {
		isEnd[e] = true
	}
	start := 0
	for i, c := range cuts {
		if !isEnd[c] {
			t.Fatalf("cut %d at byte %d is not a row end", i, c)
		}
		if size := c - start; i < len(cuts)-1 && (size < minChunk || size > maxChunk+1024) {
			t.Errorf("chunk %d has %d bytes, want %d to %d", i, size, minChunk, maxChunk)
		}
		start = c
	}
	if start != len(data) {
		t.Errorf("chunks end at %d, data at %d", start, len(data))
	}
	avg := len(data) / len(cuts)
	t.Logf("%d bytes in %d chunks, %d bytes on average", len(data), len(cuts), avg)
	if avg < avgChunk/2 || avg > avgChunk*2 {
		t.Errorf("average chunk %d bytes, want about %d", avg, avgChunk)
	}
}

func TestCutChunksResyncAfterInsert(t *testing.T) {
	values := genSheet(3, 20000)
	inserted := slices.Insert(slices.Clone(values), 1, []string{"C999999", "新客户有限公司", "", "王五"})
	before := chunkSet(values)
	after := chunkSet(inserted)
	fresh := 0
	for sha := range after {
		if !before[sha] {
			fresh++
		}
	}
	t.Logf("insert at top: %d of %d chunks new", fresh, len(after))
	if fresh > 3 {
		t.Errorf("insert at top made %d new chunks, want at most 3", fresh)
	}
}

func chunkSet(values [][]string) map[string]bool {
	data, ends := encodeRows(values)
	set := make(map[string]bool)
	start := 0
	for _, c := range cutChunks(data, ends) {
		set[string(data[start:c])] = true
		start = c
	}
	return set
}

func TestPatchRoundTrip(t *testing.T) {
	base := [][]string{{"h1", "h2"}, {"a", "1"}, {"b", "2"}, {}, {"c", "3"}, {"d", "4"}, {}, {"e", "5"}}
	tests := map[string][][]string{
		"same":            base,
		"edit one":        replace(base, 2, []string{"b", "22"}),
		"insert at top":   slices.Insert(slices.Clone(base), 0, []string{"new"}),
		"insert in gap":   slices.Insert(slices.Clone(base), 4, []string{"x"}, []string{"y"}),
		"delete":          slices.Delete(slices.Clone(base), 2, 4),
		"delete all":      nil,
		"from empty base": nil,
		"move row":        append(slices.Delete(slices.Clone(base), 1, 2), base[1]),
		"reverse":         reversed(base),
		"duplicate rows":  append(slices.Clone(base), base[1], base[1], []string{}),
		"all new":         {{"p"}, {"q"}},
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			old := base
			if name == "from empty base" {
				old, want = nil, base
			}
			checkPatch(t, old, want)
		})
	}
}

func TestPatchRandomEdits(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	old := genSheet(7, 400)
	for round := range 200 {
		next := slices.Clone(old)
		for range r.IntN(20) {
			i := r.IntN(len(next) + 1)
			switch r.IntN(5) {
			case 0:
				next = slices.Insert(next, i, genRow(r, 1000+i))
			case 1:
				if i < len(next) {
					next = slices.Delete(next, i, i+1)
				}
			case 2:
				if i < len(next) {
					next = replace(next, i, append(slices.Clone(next[i]), "edit"))
				}
			case 3:
				if i < len(next) && len(next) > 0 {
					j := r.IntN(len(next))
					next[i%len(next)], next[j] = next[j], next[i%len(next)]
				}
			case 4:
				next = slices.Insert(next, i, []string{})
			}
		}
		if !checkPatch(t, old, next) {
			t.Fatalf("round %d failed", round)
		}
		old = next
	}
}

func checkPatch(t *testing.T, old, new [][]string) bool {
	t.Helper()
	od, oe := encodeRows(old)
	nd, ne := encodeRows(new)
	p := encodePatch(len(old), len(new), diffRows(rowHashes(od, oe), rowHashes(nd, ne)), new)
	got, err := applyPatch(old, p)
	if err != nil {
		t.Errorf("applyPatch: %v", err)
		return false
	}
	if slices.EqualFunc(new, got, slices.Equal) {
		return true
	}
	t.Errorf("patched rows mismatch (-want +got):\n%s", summarize(cmp.Diff(new, got, cmpopts.EquateEmpty())))
	return false
}

func TestPatchIsSmallForFewEdits(t *testing.T) {
	old := genSheet(9, 20000)
	next := churn(rand.New(rand.NewPCG(9, 9)), old, 0.01)
	od, oe := encodeRows(old)
	nd, ne := encodeRows(next)
	p := encodePatch(len(old), len(next), diffRows(rowHashes(od, oe), rowHashes(nd, ne)), next)
	t.Logf("1%% churn of %d rows: patch %d bytes, version %d bytes", len(old), len(p), len(nd))
	if len(p) > len(nd)/40 {
		t.Errorf("patch for 1%% churn is %d bytes, more than 2.5%% of the version's %d", len(p), len(nd))
	}
}

func TestApplyPatchRejectsWrongBase(t *testing.T) {
	old := [][]string{{"a"}, {"b"}}
	od, oe := encodeRows(old)
	next := [][]string{{"a"}}
	nd, ne := encodeRows(next)
	p := encodePatch(2, 1, diffRows(rowHashes(od, oe), rowHashes(nd, ne)), next)
	if _, err := applyPatch([][]string{{"a"}, {"b"}, {"c"}}, p); err == nil {
		t.Error("applyPatch on a base of another size = nil error, want malformed patch")
	}
	for n := range len(p) - 1 {
		if got, err := applyPatch(old, p[:n]); err == nil {
			t.Errorf("applyPatch(first %d bytes) = %v, nil; want an error", n, got)
		}
	}
}

func FuzzDecode(f *testing.F) {
	data, _ := encodeRows([][]string{{"a", "客户"}, {}, {"x"}})
	f.Add(data)
	f.Add([]byte{0x05, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := decodeRows(b)
		if err != nil {
			return
		}
		if again, _ := encodeRows(rows); string(again) != string(b) {
			// Non-minimal varints decode too; re-encoding must still decode alike.
			if back, err := decodeRows(again); err != nil || !cmp.Equal(rows, back, cmpopts.EquateEmpty()) {
				t.Errorf("re-encoded rows differ: %v", err)
			}
		}
		_, _ = applyPatch([][]string{{"a"}}, b)
	})
}

func replace(v [][]string, i int, row []string) [][]string {
	out := slices.Clone(v)
	out[i] = row
	return out
}

func reversed(v [][]string) [][]string {
	out := slices.Clone(v)
	slices.Reverse(out)
	return out
}

func summarize(diff string) string {
	if len(diff) > 2000 {
		return diff[:2000] + "…"
	}
	return diff
}
