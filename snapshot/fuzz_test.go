package snapshot

import (
	"bytes"
	"testing"
)

// FuzzChunks: the chunks of any serialisation concatenate back to it and
// end on row ends only.
func FuzzChunks(f *testing.F) {
	f.Add([]byte("a,b\nc\n"), 3)
	big, _ := encodeRows(genSheet(7, 2000))
	f.Add(big, 40)
	f.Fuzz(func(t *testing.T, data []byte, rowLen int) {
		if rowLen < 1 {
			rowLen = 1
		}
		// Rows of rowLen bytes (the last one shorter): the chunker cuts
		// only where a row ends.
		var rowEnds []int
		for e := rowLen; e < len(data); e += rowLen {
			rowEnds = append(rowEnds, e)
		}
		if len(data) > 0 {
			rowEnds = append(rowEnds, len(data))
		}
		isEnd := make(map[int]bool, len(rowEnds))
		for _, e := range rowEnds {
			isEnd[e] = true
		}
		ends := cutChunks(data, rowEnds)
		var joined []byte
		start := 0
		for _, e := range ends {
			if e <= start || e > len(data) || !isEnd[e] {
				t.Fatalf("chunk end %d after %d: not a row end within the data", e, start)
			}
			joined = append(joined, data[start:e]...)
			start = e
		}
		if !bytes.Equal(joined, data) {
			t.Fatalf("chunks concatenate to %d bytes, want the %d bytes cut", len(joined), len(data))
		}
	})
}

// FuzzManifest: parsing any object as a manifest never panics, and a
// manifest it accepts names itself by the key it was read from.
func FuzzManifest(f *testing.F) {
	key := manifestKey("s", "20261129T151600Z-0123abcd")
	f.Add([]byte(`{"format": 1, "sheet": "s", "id": "20261129T151600Z-0123abcd", "time": "2026-11-29T15:16:00Z", "chunks": [{"sha256": "` + string(bytes.Repeat([]byte("a"), 64)) + `", "raw": 3, "stored": 3, "rows": 1}]}`))
	f.Add([]byte(`{"format": 99}`))
	f.Add([]byte(`{"format": 1, "sheet": "s", "id": "20261129T151600Z-0123abcd", "typed": {"sha256": "x"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseManifest(data, key)
		if err != nil {
			return
		}
		if manifestKey(m.Sheet, m.ID) != key {
			t.Errorf("accepted a manifest naming itself %s under %s", manifestKey(m.Sheet, m.ID), key)
		}
		_ = m.Info()
		_ = m.objects()
	})
}
