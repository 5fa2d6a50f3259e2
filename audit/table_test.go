package audit

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTable(t *testing.T) {
	values := [][]string{
		{"Customer list", "", "exported 2026-11-29"},
		{"客户编号", "客户名称", "", "备注"},
		{"C1", "华为", "", "ok"},
		{},
		{"  ", ""},
		{"C2", "腾讯"},
		{"", "no key"},
		{"C1", "dup"},
		{"C3", "wide", "", "", "beyond"},
	}
	tb, err := ParseTable(values, 2, []string{"客户编号"})
	if err != nil {
		t.Fatalf("ParseTable: %v", err)
	}
	if diff := cmp.Diff([]string{"客户编号", "客户名称", "C", "备注"}, tb.Header); diff != "" {
		t.Errorf("header mismatch (-want +got):\n%s", diff)
	}
	var got []string
	for _, r := range tb.Rows {
		got = append(got, r.Key+"@"+itoa(r.Line))
	}
	want := []string{"C1@3", "C2@6", "(row 7)@7", "C1 (2)@8", "C3@9"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
	if tb.Blank != 2 {
		t.Errorf("Blank = %d, want 2", tb.Blank)
	}
	var rules []string
	for _, p := range tb.Problems {
		rules = append(rules, p.Rule+"@"+itoa(p.Row)+":"+p.Key)
	}
	wantRules := []string{"header@2:", "key@7:", "key@8:C1", "header@9:C3"}
	if diff := cmp.Diff(wantRules, rules); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
	if r, ok := tb.Lookup("C2"); !ok || r.Cell(1) != "腾讯" || r.Cell(7) != "" {
		t.Errorf("Lookup(C2) = %+v, %v", r, ok)
	}
}

func TestParseTableErrors(t *testing.T) {
	tests := []struct {
		name      string
		values    [][]string
		headerRow int
		key       []string
		wantMsg   string
	}{
		{"empty tab", nil, 1, []string{"id"}, "header row 1 is empty"},
		{"blank header row", [][]string{{"", " "}, {"a"}}, 1, []string{"id"}, "header row 1 is empty"},
		{"duplicate header", [][]string{{"id", "name", "name"}}, 1, []string{"id"}, `columns B and C are both named "name"`},
		{"missing key", [][]string{{"id", "name"}}, 1, []string{"客户编号"}, `key column "客户编号" is not in header row 1 (columns: id, name)`},
		{"no key", [][]string{{"id"}}, 1, nil, "no key column"},
		{"bad header row", [][]string{{"id"}}, 0, []string{"id"}, "must be 1 or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTable(tt.values, tt.headerRow, tt.key)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ParseTable error = %v, want ErrInvalid containing %q", err, tt.wantMsg)
			}
		})
	}
}

func TestParseTableCompoundKeyAndHeaderOnly(t *testing.T) {
	tb, err := ParseTable([][]string{{"region", "id", "v"}, {"华东", "1", "x"}, {"华北", "1", "y"}}, 1, []string{"region", "id"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Problems) != 0 || DisplayKey(tb.Rows[1].Key) != "华北 / 1" {
		t.Errorf("compound key rows = %+v, problems %v", tb.Rows, tb.Problems)
	}
	tb, err = ParseTable([][]string{{"id"}}, 1, []string{"id"})
	if err != nil || len(tb.Rows) != 0 {
		t.Errorf("header only = %+v, %v; want no rows", tb, err)
	}
}

func TestColumnName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA", 18277: "ZZZ"} {
		if got := ColumnName(i); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", i, got, want)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
