package xlsx

import (
	"strings"
	"testing"
)

func TestWrappedLines(t *testing.T) {
	for _, c := range []struct {
		text string
		px   int
		want int
	}{
		{"short", 200, 1},
		{strings.Repeat("长", 16), 200, 1},
		{strings.Repeat("长", 17), 200, 2},
		{"a\nb", 200, 2},
		{"sheetaudit restore 20261203T155356Z-d6f5eee0 --columns x", 200, 3},
		{strings.Repeat("x", 1000), 200, 7}, // capped just past maxLines
	} {
		if got := wrappedLines(c.text, c.px); got != c.want {
			t.Errorf("wrappedLines(%.20q, %d) = %d, want %d", c.text, c.px, got, c.want)
		}
	}
}
