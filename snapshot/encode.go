package snapshot

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Row serialisation (FORMAT.md, "Content"): per row a uvarint cell count,
// then per cell a uvarint byte length and the UTF-8 bytes. It is
// unambiguous for any cell text (no escaping) and a blank row costs one byte.

func appendRow(b []byte, row []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(row)))
	for _, c := range row {
		b = binary.AppendUvarint(b, uint64(len(c)))
		b = append(b, c...)
	}
	return b
}

var errTruncated = errors.New("truncated row data")

// decodeRows parses serialised rows. The cells are substrings of one string
// copy of data, so decoding allocates per row, not per cell.
func decodeRows(data []byte) ([][]string, error) {
	s := string(data)
	var rows [][]string
	for off := 0; off < len(s); {
		row, n, err := decodeRow(s[off:])
		if err != nil {
			return nil, fmt.Errorf("row %d at byte %d: %w", len(rows)+1, off, err)
		}
		rows = append(rows, row)
		off += n
	}
	return rows, nil
}

// decodeRow parses one row from the start of s and returns it with the
// number of bytes it took.
func decodeRow(s string) ([]string, int, error) {
	n, off, err := uvarint(s, 0)
	if err != nil {
		return nil, 0, err
	}
	// A cell takes at least one byte, so a count beyond the remaining bytes
	// is corrupt; checking first keeps a bad count from allocating wildly.
	if n > uint64(len(s)-off) {
		return nil, 0, errTruncated
	}
	row := make([]string, n)
	for i := range row {
		var l uint64
		if l, off, err = uvarint(s, off); err != nil {
			return nil, 0, err
		}
		if l > uint64(len(s)-off) {
			return nil, 0, errTruncated
		}
		row[i] = s[off : off+int(l)]
		off += int(l)
	}
	return row, off, nil
}

func uvarint[T string | []byte](s T, off int) (uint64, int, error) {
	var x uint64
	var shift uint
	for i := off; i < len(s); i++ {
		b := s[i]
		if i-off == binary.MaxVarintLen64 || (i-off == binary.MaxVarintLen64-1 && b > 1) {
			return 0, 0, errors.New("varint overflows")
		}
		if b < 0x80 {
			return x | uint64(b)<<shift, i + 1, nil
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	return 0, 0, errTruncated
}

// rowHash identifies a row's content for diffing versions. 128 bits of
// SHA-256 make an accidental collision between two rows of a sheet
// practically impossible, and the content hash of the whole version is
// checked on every load anyway.
type rowHash [16]byte

// Content-defined chunking (FORMAT.md, "Chunking"). A gear hash rolls over
// the serialised bytes; once a chunk holds minChunk bytes, the first byte
// position whose hash falls under cutThreshold marks the chunk for a cut,
// which happens at the end of that row, so chunks always hold whole rows.
// The hash depends only on the last 64 bytes, so an edit moves at most the
// cuts next to it and the chunks after them are shared with the previous
// version.
const (
	minChunk = 16 << 10
	avgChunk = 64 << 10
	maxChunk = 256 << 10
	// cutThreshold makes a hit once per (avgChunk-minChunk) bytes on average,
	// so chunks average about avgChunk.
	cutThreshold = ^uint64(0) / (avgChunk - minChunk)
)

// gear is the table of the gear hash: 256 values of SplitMix64 seeded with
// gearSeed. Changing it changes where chunks are cut (dedupe against older
// versions), never whether they can be read.
var gear = func() (t [256]uint64) {
	x := uint64(gearSeed)
	for i := range t {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		t[i] = z ^ (z >> 31)
	}
	return t
}()

const gearSeed = 0x5348454554415544 // "SHEETAUD"
