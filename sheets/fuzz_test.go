package sheets

import (
	"testing"
)

// FuzzParseCell: any text either parses as a cell whose name parses back
// to it, or is refused; nothing panics.
func FuzzParseCell(f *testing.F) {
	for _, s := range []string{"A1", "$B$7", "b7", "ZZZ1000000", "AAAA1", "A0", "A01", "", "1A", "Ä1", " C3 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		row, col, ok := parseCell(s)
		if !ok {
			return
		}
		if row < 0 || col < 0 || col >= maxColumns {
			t.Fatalf("parseCell(%q) = %d, %d: out of the grid", s, row, col)
		}
		r2, c2, ok := parseCell(cellName(row, col))
		if !ok || r2 != row || c2 != col {
			t.Errorf("parseCell(cellName(%d, %d) = %q) = %d, %d, %v", row, col, cellName(row, col), r2, c2, ok)
		}
	})
}
