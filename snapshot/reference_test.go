package snapshot

import (
	"crypto/sha256"
	"encoding/binary"
	"sort"
)

// The whole-serialisation forms of the row encoding, rolling hash and row
// hashes, as the store computed them before it streamed: the reference the
// streaming code (stream.go) must match byte for byte, and a handy way to
// build test content.

// encodeRows serialises values and returns the bytes and the offset just past
// each row.
func encodeRows(values [][]string) (data []byte, rowEnds []int) {
	size := 0
	for _, r := range values {
		size += binary.MaxVarintLen32
		for _, c := range r {
			size += len(c) + 2
		}
	}
	data = make([]byte, 0, size)
	rowEnds = make([]int, len(values))
	for i, r := range values {
		data = appendRow(data, r)
		rowEnds[i] = len(data)
	}
	return data, rowEnds
}

// rowHashes returns the hash of each row of data.
func rowHashes(data []byte, rowEnds []int) []rowHash {
	out := make([]rowHash, len(rowEnds))
	start := 0
	for i, end := range rowEnds {
		sum := sha256.Sum256(data[start:end])
		copy(out[i][:], sum[:16])
		start = end
	}
	return out
}

// cutChunks returns the end offsets of the chunks of data, cutting only at
// row ends.
func cutChunks(data []byte, rowEnds []int) []int {
	var ends []int
	var h uint64
	start, i, pending := 0, 0, false
	for _, end := range rowEnds {
		for ; i < end; i++ {
			h = h<<1 + gear[data[i]]
			if h <= cutThreshold && i-start >= minChunk {
				pending = true
			}
		}
		if pending || end-start >= maxChunk {
			ends = append(ends, end)
			start, pending = end, false
		}
	}
	if start < len(data) {
		ends = append(ends, len(data))
	}
	return ends
}

// referenceUniqueAnchors is uniqueAnchors as it was with a map of every
// row: the patches it leads to must stay the same.
func referenceUniqueAnchors(old, new []rowHash) [][2]int {
	if len(old) == 0 || len(new) == 0 {
		return nil
	}
	type seen struct{ nOld, nNew, iOld, iNew int }
	m := make(map[rowHash]*seen, len(old))
	for i, h := range old {
		s := m[h]
		if s == nil {
			s = &seen{}
			m[h] = s
		}
		s.nOld++
		s.iOld = i
	}
	for j, h := range new {
		if s := m[h]; s != nil {
			s.nNew++
			s.iNew = j
		}
	}
	var pairs [][2]int
	for j, h := range new {
		if s := m[h]; s != nil && s.nOld == 1 && s.nNew == 1 && s.iNew == j {
			pairs = append(pairs, [2]int{s.iOld, j})
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	tails := []int{}
	prev := make([]int, len(pairs))
	for i, p := range pairs {
		k := sort.Search(len(tails), func(k int) bool { return pairs[tails[k]][0] >= p[0] })
		prev[i] = -1
		if k > 0 {
			prev[i] = tails[k-1]
		}
		if k == len(tails) {
			tails = append(tails, i)
		} else {
			tails[k] = i
		}
	}
	out := make([][2]int, len(tails))
	for i, k := len(tails)-1, tails[len(tails)-1]; i >= 0; i, k = i-1, prev[k] {
		out[i] = pairs[k]
	}
	return out
}
