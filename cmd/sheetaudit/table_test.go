package main

import (
	"bytes"
	"strings"
	"testing"
	"text/tabwriter"
)

// On ASCII text the table lays out exactly as text/tabwriter does.
func TestTableMatchesTabwriterOnASCII(t *testing.T) {
	inputs := []string{
		"A\tBB\tC\nlonger\tx\ty\n",
		"ID\tTIME\n1\t2\nsummary line\n3\t4\n",
		"a\tb\tc\td\nshort\ne\tf\n",
		"\t\tx\ny\t\t\n",
		"no tabs at all\n",
		"x\ty",
	}
	for _, in := range inputs {
		var want bytes.Buffer
		tw := tabwriter.NewWriter(&want, 0, 4, 2, ' ', 0)
		tw.Write([]byte(in))
		tw.Flush()
		var got bytes.Buffer
		tb := newTable(&got)
		tb.Write([]byte(in))
		if err := tb.Flush(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("table(%q) =\n%q\nwant (tabwriter)\n%q", in, got.String(), want.String())
		}
	}
}

// Columns after CJK text line up on a terminal, where each of those
// characters takes two columns.
func TestTableAlignsCJK(t *testing.T) {
	var out bytes.Buffer
	tb := newTable(&out)
	tb.Write([]byte("KEY\tNAME\tPHONE\nC00001\t华为技术有限公司\t138\nC00002\tTencent\t010\n"))
	if err := tb.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	var at []int
	for _, l := range lines {
		i := strings.LastIndex(l, "  ")
		at = append(at, displayWidth(l[:i+2]))
	}
	if at[0] != at[1] || at[1] != at[2] {
		t.Errorf("third column starts at display columns %v, want one column:\n%s", at, out.String())
	}
}
