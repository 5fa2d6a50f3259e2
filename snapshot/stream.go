package snapshot

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"hash"
)

// The serialisation of a version is never held whole: rows are encoded one
// at a time into a small buffer, hashed and fed to the chunker, so writing
// a 10 M-cell version costs its row hashes (16 bytes a row) and the chunks
// in flight, not a second copy of the sheet. The bytes, the chunk cuts and
// the hashes are exactly those of encodeRows, cutChunks and rowHashes over
// the whole serialisation (stream_test.go keeps them equal).

// gridSum describes a grid's serialisation without holding it: its
// SHA-256, its length and the hash of each row.
type gridSum struct {
	sum    [32]byte
	size   int64
	hashes []rowHash
}

// sumRows serialises rows one at a time and returns their gridSum.
func sumRows(rows [][]string) gridSum {
	h := sha256.New()
	g := gridSum{hashes: make([]rowHash, len(rows))}
	var buf []byte
	for i, r := range rows {
		buf = appendRow(buf[:0], r)
		h.Write(buf)
		g.hashes[i] = hashRow(buf)
		g.size += int64(len(buf))
	}
	h.Sum(g.sum[:0])
	return g
}

// hashRow returns the rowHash of one serialised row.
func hashRow(b []byte) rowHash {
	sum := sha256.Sum256(b)
	return rowHash(sum[:16])
}

// chunker cuts a serialisation fed to it one row at a time into
// content-defined chunks, at exactly the offsets cutChunks finds in the
// whole (FORMAT.md, "Chunking"), and hands each chunk to emit with its row
// count. emit owns the chunk's bytes; alloc, when set, gives the empty
// buffer of the next chunk (nil: a new one).
type chunker struct {
	h       uint64
	buf     []byte
	rows    int
	pending bool
	emit    func(raw []byte, rows int) error
	alloc   func() []byte
}

// row adds one serialised row (b is not retained).
func (c *chunker) row(b []byte) error {
	start := len(c.buf)
	for k, x := range b {
		c.h = c.h<<1 + gear[x]
		if c.h <= cutThreshold && start+k >= minChunk {
			c.pending = true
		}
	}
	if c.buf == nil && c.alloc != nil {
		c.buf = c.alloc()
	}
	if c.buf == nil {
		c.buf = make([]byte, 0, avgChunk+avgChunk/2)
	}
	c.buf = append(c.buf, b...)
	c.rows++
	if c.pending || len(c.buf) >= maxChunk {
		return c.cut()
	}
	return nil
}

// finish emits the last chunk, if any.
func (c *chunker) finish() error {
	if len(c.buf) == 0 {
		return nil
	}
	return c.cut()
}

func (c *chunker) cut() error {
	raw, rows := c.buf, c.rows
	c.buf, c.rows, c.pending = nil, 0, false
	return c.emit(raw, rows)
}

// rowLen returns the length of the serialised row at the start of s,
// checking it as decodeRow does.
func rowLen(s []byte) (int, error) {
	n, off, err := uvarint(s, 0)
	if err != nil {
		return 0, err
	}
	if n > uint64(len(s)-off) {
		return 0, errTruncated
	}
	for range n {
		var l uint64
		if l, off, err = uvarint(s, off); err != nil {
			return 0, err
		}
		if l > uint64(len(s)-off) {
			return 0, errTruncated
		}
		off += int(l)
	}
	return off, nil
}

// sharer finds, for a serialised row, an equal row of another grid (the
// one a cycle just read), so a loaded version can use that row instead of
// a decoded copy of its own. Equality is decided on the bytes, the row
// hash only narrows the search.
type sharer struct {
	rows   [][]string
	hashes []rowHash
	// order holds the indices of rows sorted by hash.
	order   []int32
	scratch []byte
}

// newSharer indexes rows, whose row hashes are hashes.
func newSharer(rows [][]string, hashes []rowHash) *sharer {
	if len(rows) != len(hashes) || len(rows) > 1<<31-1 {
		return nil
	}
	return &sharer{rows: rows, hashes: hashes, order: hashOrder(hashes)}
}

// find returns the row equal to the serialised row b, whose hash is h.
func (sh *sharer) find(h rowHash, b []byte) ([]string, bool) {
	if sh == nil {
		return nil, false
	}
	lo, hi := 0, len(sh.order)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(sh.hashes[sh.order[m]][:], h[:]) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for ; lo < len(sh.order) && sh.hashes[sh.order[lo]] == h; lo++ {
		r := sh.rows[sh.order[lo]]
		sh.scratch = appendRow(sh.scratch[:0], r)
		if bytes.Equal(sh.scratch, b) {
			return r, true
		}
	}
	return nil, false
}

// rowMaker turns a serialised row into the row a loaded grid holds: an
// equal row of the grid being shared with, or a decoded copy that keeps
// nothing else alive.
type rowMaker struct {
	share *sharer
}

// make returns the row b (a whole serialised row, as rowLen measures it).
// A row of no cells is decoded (as an empty, non-nil row, which costs
// nothing), so the result is exactly what decoding gives.
func (mk *rowMaker) make(b []byte) ([]string, error) {
	if len(b) > 1 {
		if r, ok := mk.share.find(hashRow(b), b); ok {
			return r, nil
		}
	}
	row, _, err := decodeRow(string(b))
	return row, err
}

// rows makes every row of a chunk's content.
func (mk *rowMaker) rows(raw []byte, out [][]string) ([][]string, error) {
	for off := 0; off < len(raw); {
		n, err := rowLen(raw[off:])
		if err != nil {
			return nil, fmt.Errorf("row %d at byte %d: %w", len(out)+1, off, err)
		}
		row, err := mk.make(raw[off : off+n])
		if err != nil {
			return nil, fmt.Errorf("row %d at byte %d: %w", len(out)+1, off, err)
		}
		out = append(out, row)
		off += n
	}
	return out, nil
}

// contentCheck hashes a grid's rows as the serialisation they make, for
// the check of a whole load against the manifest.
type contentCheck struct {
	h      hash.Hash
	size   int64
	hashes []rowHash
	buf    []byte
}

func newContentCheck(rows int) *contentCheck {
	return &contentCheck{h: sha256.New(), hashes: make([]rowHash, 0, rows)}
}

func (c *contentCheck) add(row []string) {
	c.buf = appendRow(c.buf[:0], row)
	c.h.Write(c.buf)
	c.size += int64(len(c.buf))
	c.hashes = append(c.hashes, hashRow(c.buf))
}

func (c *contentCheck) sum() (s [32]byte) {
	c.h.Sum(s[:0])
	return s
}
