package main

import (
	"bytes"
	"io"
	"strings"

	"github.com/rivo/uniseg"
)

// table aligns tab-separated text in columns for a terminal, as
// text/tabwriter does with padding 2 and spaces, but measures each cell by
// its display width: Chinese, Japanese and Korean characters take two
// columns, combining marks none. text/tabwriter counts runes, so a column
// of 客户名称 pushes the next one out of line. Write text to it; Flush
// writes the aligned table.
type table struct {
	w   io.Writer
	buf bytes.Buffer
}

// tablePadding is the space between columns.
const tablePadding = 2

func newTable(w io.Writer) *table { return &table{w: w} }

// Write buffers p; nothing is written before Flush.
func (t *table) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Flush writes the buffered lines aligned. Like text/tabwriter, a cell is
// text ended by a tab; the text after a line's last tab is not aligned;
// and a column's width is set by the run of consecutive lines that have
// a cell in it.
func (t *table) Flush() error {
	text := t.buf.String()
	t.buf.Reset()
	if text == "" {
		return nil
	}
	trailingNewline := strings.HasSuffix(text, "\n")
	raw := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	lines := make([][]string, len(raw))
	for i, l := range raw {
		lines[i] = strings.Split(l, "\t")
	}
	var out strings.Builder
	var widths []int
	var format func(line0, line1 int)
	writeLines := func(line0, line1 int) {
		for _, line := range lines[line0:line1] {
			for j, c := range line {
				out.WriteString(c)
				if j < len(widths) && j < len(line)-1 {
					out.WriteString(strings.Repeat(" ", max(widths[j]-displayWidth(c), 0)))
				}
			}
			out.WriteByte('\n')
		}
	}
	format = func(line0, line1 int) {
		column := len(widths)
		for this := line0; this < line1; this++ {
			if column >= len(lines[this])-1 {
				continue
			}
			writeLines(line0, this)
			line0 = this
			w := 0
			for ; this < line1 && column < len(lines[this])-1; this++ {
				w = max(w, displayWidth(lines[this][column])+tablePadding)
			}
			widths = append(widths, w)
			format(line0, this)
			widths = widths[:len(widths)-1]
			line0 = this
		}
		writeLines(line0, line1)
	}
	format(0, len(lines))
	s := out.String()
	if !trailingNewline {
		s = strings.TrimSuffix(s, "\n")
	}
	_, err := io.WriteString(t.w, s)
	return err
}

// displayWidth is how many terminal columns s takes, grapheme cluster by
// grapheme cluster (uniseg follows Unicode's East Asian Width and emoji
// presentation rules): 客户 is 4, a combining mark 0, and ☎️, 👍🏻 or
// 👨‍👩‍👧 2 each, where counting code points would say 1, 4 and 6.
// Control characters (a tab or newline that terminal() has not escaped)
// count 0.
func displayWidth(s string) int { return uniseg.StringWidth(s) }
