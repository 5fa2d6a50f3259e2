package snapshot

import (
	"crypto/sha256"
	"encoding/binary"
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
