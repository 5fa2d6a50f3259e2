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

func TestSentence(t *testing.T) {
	tests := []struct{ in, want string }{
		{"week 2026-W53 has not started yet: invalid", "week 2026-W53 has not started yet"},
		{"sheet \"t\": staleness: staleness: date_column \"x\" is not in the sheet: invalid", "sheet \"t\": staleness: date_column \"x\" is not in the sheet"},
		{"3 of 3 sheets failed: sheet \"s\": fix key: or header_row: invalid; sheet \"t\": bad: invalid",
			"3 of 3 sheets failed: sheet \"s\": fix key: or header_row; sheet \"t\": bad"},
		{"open workbook \"a.xlsx\": no such file (check the xlsx path in the config): not found: stat a.xlsx: no such file or directory",
			"open workbook \"a.xlsx\": no such file (check the xlsx path in the config): stat a.xlsx: no such file or directory"},
		{"no snapshot of sheet \"s\" was taken by 2026-12-03; run a cycle first (sheetaudit run --once): not found",
			"no snapshot of sheet \"s\" was taken by 2026-12-03; run a cycle first (sheetaudit run --once)"},
		{"tab \"客户\": not found", "tab \"客户\": not found"},
		{"sheet \"s\": read tab \"客户\": permission denied", "sheet \"s\": read tab \"客户\": permission denied"},
		{"invalid", "invalid"},
		{"line one: invalid\nline two: invalid", "line one\nline two"},
		{"columns: a, b; fix key: or header_row", "columns: a, b; fix key: or header_row"},
	}
	for _, tt := range tests {
		if got := sentence(tt.in); got != tt.want {
			t.Errorf("sentence(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// displayWidth counts what a terminal shows: two columns for CJK and for
// an emoji however many code points make it.
func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"C00001", 6},
		{"客户名称", 8},
		{"ＩＴ", 4},
		{"上海某某有限公司 (Shanghai)", 27},
		{"e\u0301", 1}, // e and a combining acute accent
		{"☎️", 2},      // U+260E and the emoji presentation selector
		{"👍🏻", 2},      // a thumb and a skin tone
		{"👨‍👩‍👧", 2},   // a family joined by zero-width joiners
		{"🇨🇳", 2},      // a flag: two regional indicators
		{"…", 1},
		{"已签约✅", 8},
	}
	for _, tt := range tests {
		if got := displayWidth(tt.in); got != tt.want {
			t.Errorf("displayWidth(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// A table with emoji in a column still lines up the next one.
func TestTableAlignsEmoji(t *testing.T) {
	var out bytes.Buffer
	tb := newTable(&out)
	tb.Write([]byte("NOTE\tOWNER\n☎️ 回电\t张三\n👨‍👩‍👧 家庭客户\t李四\nplain\t王五\n"))
	if err := tb.Flush(); err != nil {
		t.Fatal(err)
	}
	var at []int
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		i := strings.LastIndex(l, "  ")
		at = append(at, displayWidth(l[:i+2]))
	}
	for _, a := range at[1:] {
		if a != at[0] {
			t.Errorf("second column starts at display columns %v, want one column:\n%s", at, out.String())
			break
		}
	}
}
