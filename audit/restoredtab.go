package audit

// RestoredCells is a version's values as the cells of a Restored tab:
// text, as the version showed them (a new tab has no number formats, so
// typed values would show as bare serials there).
func RestoredCells(values [][]string) [][]Cell {
	out := make([][]Cell, len(values))
	for i, r := range values {
		out[i] = texts(r)
	}
	return out
}

// RestoredLayout is how a Restored tab reads: the rows down to the header
// frozen and bold, a filter on the header, columns as wide as their
// content (from 60 to 320 pixels, measured on the first 500 rows).
func RestoredLayout(values [][]string, headerRow int) Layout {
	l := Layout{HeaderRows: max(headerRow, 0), Filter: headerRow > 0 && headerRow <= len(values)}
	for i, r := range values {
		if i == 500 {
			break
		}
		for c, v := range r {
			for len(l.Widths) <= c {
				l.Widths = append(l.Widths, 60)
			}
			l.Widths[c] = max(l.Widths[c], min(displayWidth(v)*7+16, 320))
		}
	}
	return l
}

// displayWidth counts a text's width in Latin characters: East Asian wide
// characters count two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x1100 && (r <= 0x115F || r >= 0x2E80 && r <= 0xA4CF || r >= 0xAC00 && r <= 0xD7A3 ||
			r >= 0xF900 && r <= 0xFAFF || r >= 0xFE30 && r <= 0xFE4F || r >= 0xFF00 && r <= 0xFF60 ||
			r >= 0xFFE0 && r <= 0xFFE6 || r >= 0x20000 && r <= 0x3FFFD) {
			n++
		}
	}
	return n
}
