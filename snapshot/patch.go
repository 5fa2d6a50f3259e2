package snapshot

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// A patch turns the rows of one version into the rows of the next
// (FORMAT.md, "Patches"). Content-defined chunks dedupe edits that are close
// together, but a team edits rows all over a sheet: 1% of 200,000 rows
// changed at random touches nearly every 64 KiB chunk. A patch stores only
// the rows that changed, so such a version costs about 1% of a full one.
//
// Encoding: uvarint old row count, uvarint new row count, then operations,
// each a uvarint n<<2|op: opCopy takes the next n old rows, opSkip drops
// them, opInsert is followed by n rows in the row serialisation.
const (
	opCopy   = 0
	opSkip   = 1
	opInsert = 2
)

type patchOp struct {
	op     int
	n      int
	lo, hi int // new rows [lo, hi) for opInsert
}

// diffRows returns operations that turn old into new. It matches rows by
// content: common head and tail first, then rows unique on both sides as
// anchors in their longest increasing run (patience diff), so moved,
// inserted and deleted rows cost only themselves.
func diffRows(old, new []rowHash) []patchOp {
	var ops []patchOp
	add := func(op, n, lo int) {
		if n == 0 {
			return
		}
		if k := len(ops) - 1; k >= 0 && ops[k].op == op && (op != opInsert || ops[k].hi == lo) {
			ops[k].n += n
			ops[k].hi += n
			return
		}
		ops = append(ops, patchOp{op: op, n: n, lo: lo, hi: lo + n})
	}
	var gap func(oa, ob, na, nb int)
	gap = func(oa, ob, na, nb int) {
		// Equal head and tail of the gap.
		h := 0
		for oa+h < ob && na+h < nb && old[oa+h] == new[na+h] {
			h++
		}
		add(opCopy, h, 0)
		oa, na = oa+h, na+h
		t := 0
		for ob-t > oa && nb-t > na && old[ob-t-1] == new[nb-t-1] {
			t++
		}
		ob, nb = ob-t, nb-t
		if anchors := uniqueAnchors(old[oa:ob], new[na:nb]); len(anchors) > 0 {
			po, pn := oa, na
			for _, a := range anchors {
				ao, an := int(a.old), int(a.new)
				gap(po, oa+ao, pn, na+an)
				add(opCopy, 1, 0)
				po, pn = oa+ao+1, na+an+1
			}
			gap(po, ob, pn, nb)
		} else {
			add(opSkip, ob-oa, 0)
			add(opInsert, nb-na, na)
		}
		add(opCopy, t, 0)
	}
	gap(0, len(old), 0, len(new))
	return ops
}

// uniqueAnchors returns pairs (i, j) with old[i] == new[j], each row unique
// on both sides, forming the longest run increasing on both sides. Rows
// are grouped by sorting their indices by hash, which costs a few bytes a
// row where a map of every row would cost a hundred.
func uniqueAnchors(old, new []rowHash) []anchor {
	if len(old) == 0 || len(new) == 0 {
		return nil
	}
	oi, ni := hashOrder(old), hashOrder(new)
	// pairOld[j] is the old row paired with new row j, or -1.
	pairOld := make([]int32, len(new))
	for j := range pairOld {
		pairOld[j] = -1
	}
	for a, b := 0, 0; a < len(oi) && b < len(ni); {
		h := old[oi[a]]
		switch c := bytes.Compare(h[:], new[ni[b]][:]); {
		case c < 0:
			a++
			continue
		case c > 0:
			b++
			continue
		}
		a1, b1 := a+1, b+1
		for a1 < len(oi) && old[oi[a1]] == h {
			a1++
		}
		for b1 < len(ni) && new[ni[b1]] == h {
			b1++
		}
		if a1-a == 1 && b1-b == 1 {
			pairOld[ni[b]] = oi[a]
		}
		a, b = a1, b1
	}
	n := 0
	for _, i := range pairOld {
		if i >= 0 {
			n++
		}
	}
	pairs := make([]anchor, 0, n)
	for j, i := range pairOld {
		if i >= 0 {
			pairs = append(pairs, anchor{i, int32(j)})
		}
	}
	return longestIncreasing(pairs)
}

// anchor pairs an old row with a new one.
type anchor struct{ old, new int32 }

// hashOrder returns the indices of hashes sorted by hash.
func hashOrder(hashes []rowHash) []int32 {
	idx := make([]int32, len(hashes))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return bytes.Compare(hashes[a][:], hashes[b][:]) })
	return idx
}

// longestIncreasing returns the longest subsequence of pairs (ordered by
// their new row) whose old rows increase.
func longestIncreasing(pairs []anchor) []anchor {
	if len(pairs) == 0 {
		return nil
	}
	tails := []int32{}                // tails[k]: index in pairs ending a run of length k+1
	prev := make([]int32, len(pairs)) // predecessor in the run
	for i, p := range pairs {
		k := sort.Search(len(tails), func(k int) bool { return pairs[tails[k]].old >= p.old })
		prev[i] = -1
		if k > 0 {
			prev[i] = tails[k-1]
		}
		if k == len(tails) {
			tails = append(tails, int32(i))
		} else {
			tails[k] = int32(i)
		}
	}
	out := make([]anchor, len(tails))
	for i, k := len(tails)-1, tails[len(tails)-1]; i >= 0; i, k = i-1, prev[k] {
		out[i] = pairs[k]
	}
	return out
}

// encodePatch serialises ops; rows are the new version's rows, inserted
// ones are serialised into the patch.
func encodePatch(oldRows, newRows int, ops []patchOp, rows [][]string) []byte {
	b := binary.AppendUvarint(nil, uint64(oldRows))
	b = binary.AppendUvarint(b, uint64(newRows))
	for _, o := range ops {
		b = binary.AppendUvarint(b, uint64(o.n)<<2|uint64(o.op))
		if o.op == opInsert {
			for _, r := range rows[o.lo:o.hi] {
				b = appendRow(b, r)
			}
		}
	}
	return b
}

var errBadPatch = errors.New("malformed patch")

// applyPatch returns the rows that patch p makes of old. Inserted rows are
// substrings of one copy of p.
func applyPatch(old [][]string, p []byte) ([][]string, error) {
	return applyPatchWith(old, p, nil)
}

// applyPatchWith is applyPatch with mk making each inserted row from its
// serialisation; nil decodes it in place.
func applyPatchWith(old [][]string, p []byte, mk *rowMaker) ([][]string, error) {
	var s string
	if mk == nil {
		s = string(p)
	}
	nOld, off, err := uvarint(p, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBadPatch, err)
	}
	nNew, off, err := uvarint(p, off)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBadPatch, err)
	}
	if nOld != uint64(len(old)) {
		return nil, fmt.Errorf("%w: made for %d rows, base has %d", errBadPatch, nOld, len(old))
	}
	if nNew > uint64(len(old))+uint64(len(p)) {
		return nil, fmt.Errorf("%w: claims %d rows", errBadPatch, nNew)
	}
	out := make([][]string, 0, nNew)
	cur := 0
	for off < len(p) {
		var v uint64
		if v, off, err = uvarint(p, off); err != nil {
			return nil, fmt.Errorf("%w: %w", errBadPatch, err)
		}
		n, op := v>>2, int(v&3)
		switch op {
		case opCopy, opSkip:
			if n > uint64(len(old)-cur) {
				return nil, fmt.Errorf("%w: runs past the base's %d rows", errBadPatch, len(old))
			}
			if op == opCopy {
				out = append(out, old[cur:cur+int(n)]...)
			}
			cur += int(n)
		case opInsert:
			for range n {
				var row []string
				var k int
				if mk == nil {
					row, k, err = decodeRow(s[off:])
				} else if k, err = rowLen(p[off:]); err == nil {
					row, err = mk.make(p[off : off+k])
				}
				if err != nil {
					return nil, fmt.Errorf("%w: inserted row: %w", errBadPatch, err)
				}
				out = append(out, row)
				off += k
			}
		default:
			return nil, fmt.Errorf("%w: unknown operation %d", errBadPatch, op)
		}
	}
	if cur != len(old) || uint64(len(out)) != nNew {
		return nil, fmt.Errorf("%w: used %d of %d base rows and made %d of %d rows", errBadPatch, cur, len(old), len(out), nNew)
	}
	return slices.Clip(out), nil
}
