package audit

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseDate: date and date-time parsing never panics, and a date it
// accepts is a real calendar day that formats and parses back to itself.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-29", "2026/11/29", "2026年11月29日", "11/29/2026", "46355", "46355.5", "2026-11-29 10:00", "2026-11-29T10:00:00+08:00", "2026-02-30", "", "９９"} {
		f.Add(s)
	}
	sh := time.FixedZone("CST", 8*3600)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseDate(s, sh)
		_, _ = ParseDateTime(s, sh)
		if !ok {
			return
		}
		iso := d.Format("2006-01-02")
		if d.Year() < 1000 || d.Year() > 9999 {
			return // serials and odd years: no ISO round trip to check
		}
		if back, ok := ParseDate(iso, sh); !ok || !back.Equal(d) {
			t.Errorf("ParseDate(%q) = %s, but %q parses to %s, %v", s, d, iso, back, ok)
		}
	})
}

// FuzzIsPhone: phone checking never panics and does not depend on
// surrounding white space.
func FuzzIsPhone(f *testing.F) {
	for _, s := range []string{"138 0013 8000", "010-6552 9988", "+86 139 0000 0000", "0755-8888 8888 转 123", "+1 (415) 555-0100", "６５５２９９８８", "12345", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if IsPhone(s) != IsPhone(" "+s+" ") {
			t.Errorf("IsPhone(%q) changes with surrounding spaces", s)
		}
		_, _ = ParseNumber(s)
	})
}

// fuzzTable builds a table with header id | a | b from text: rows split by
// newline, cells by comma; '|' is dropped so that a row added or removed
// (its cells joined by " | ") can be split back.
func fuzzTable(text string) (*Table, error) {
	values := [][]string{{"id", "a", "b"}}
	for _, line := range strings.Split(strings.ReplaceAll(text, "|", ""), "\n") {
		cells := strings.Split(line, ",")
		if len(cells) > 3 {
			cells = cells[:3]
		}
		values = append(values, cells)
	}
	return ParseTable(values, 1, []string{"id"})
}

// rowMap is a table as display key (what a Change names) → cells,
// trailing empty cells dropped; ok is false when two keys display alike (a
// key holding the compound-key separator).
func rowMap(t *Table) (m map[string]string, ok bool) {
	m = make(map[string]string, len(t.Rows))
	for _, r := range t.Rows {
		m[DisplayKey(r.Key)] = joinCells(r.Cells)
	}
	return m, len(m) == len(t.Rows)
}

// FuzzDiff: applying the changes from A to B to A gives B, row by row;
// with duplicate or empty keys, rows are still accounted for exactly.
func FuzzDiff(f *testing.F) {
	f.Add("1,x,y\n2,z", "2,z\n1,x,w\n3,,q")
	f.Add("K1,a\nK1,b\nK1,c", "K1,a\nK9,b\nK1,c")
	f.Add("K1,a\nK1,b", "K1,b\nK1,a")
	f.Add(",a\n,b", ",b")
	f.Fuzz(func(t *testing.T, a, b string) {
		ta, err := fuzzTable(a)
		if err != nil {
			return
		}
		tb, err := fuzzTable(b)
		if err != nil {
			return
		}
		changes := Diff(ta, tb)
		added, removed := 0, 0
		for _, c := range changes {
			switch c.Kind {
			case RowAdded:
				added++
			case RowRemoved:
				removed++
			}
		}
		if len(ta.Rows)-removed+added != len(tb.Rows) {
			t.Fatalf("Diff(%q, %q): %d rows - %d removed + %d added != %d rows", a, b, len(ta.Rows), removed, added, len(tb.Rows))
		}
		if len(ta.Problems) > 0 || len(tb.Problems) > 0 {
			return // duplicate or empty keys: keys are positional, the count above is the property
		}
		got, okA := rowMap(ta)
		want, okB := rowMap(tb)
		if !okA || !okB {
			return
		}
		for _, c := range changes {
			switch c.Kind {
			case RowAdded:
				got[c.Key] = c.New
			case RowRemoved:
				delete(got, c.Key)
			case CellModified:
				cells := strings.Split(got[c.Key], " | ")
				i := ta.Column(c.Column)
				for len(cells) <= i {
					cells = append(cells, "")
				}
				if cells[i] != c.Old {
					t.Fatalf("Diff(%q, %q): change %+v, but the cell holds %q", a, b, c, cells[i])
				}
				cells[i] = c.New
				got[c.Key] = joinCells(cells)
			default:
				t.Fatalf("Diff(%q, %q): unexpected %+v for an unchanged header", a, b, c)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("Diff(%q, %q) applied: %v, want %v", a, b, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("Diff(%q, %q) applied: row %q = %q, want %q", a, b, k, got[k], v)
			}
		}
	})
}
