package emulator

import (
	"testing"
)

// FuzzParseA1: parsing any range spec never panics, and a title with a
// rectangle rendered the way the emulator echoes ranges parses back to the
// same title and rectangle.
func FuzzParseA1(f *testing.F) {
	for _, s := range []string{"Sheet1!A1:B2", "'Jon''s Data'!A1:D5", "客户!A:A", "A1", "R1C1:R2C2", "'a!b'!3:3", "!", "''!A1", "Sheet1", "A1:"} {
		f.Add(s, "客户", 0, 0, 3, 2)
	}
	f.Fuzz(func(t *testing.T, spec, title string, r0, c0, r1, c1 int) {
		_, _ = parseA1(spec, true)
		_, _ = parseA1(spec, false)
		if title == "" || r0 < 0 || c0 < 0 || r1 < r0 || c1 < c0 || r1 > 1e7 || c1 > 18277 {
			return
		}
		g := gridRect{r0: r0, c0: c0, r1: r1, c1: c1}
		echo := quoteTitle(title) + "!" + g.a1()
		r, ok := parseA1(echo, false)
		if !ok || r.sheet != title || r.r0 != r0 || r.c0 != c0 || r.r1 != r1 || r.c1 != c1 {
			t.Errorf("parseA1(%q) = %+v, %v; want title %q and %+v", echo, r, ok, title, g)
		}
	})
}
