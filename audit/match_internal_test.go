package audit

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// referenceKeys is how ParseTable named rows before it built its
// duplicate count lazily: every row's key, renamed as ParseTable renames
// empty and duplicate keys, and the problems' rows.
func referenceKeys(t *Table, body [][]string) (keys []string, problems []int, index map[string]int) {
	dups := make(map[string]int)
	index = make(map[string]int)
	for i, cells := range body {
		line := t.HeaderRow + 1 + i
		if isBlank(cells) {
			continue
		}
		key := t.rowKey(cells)
		switch {
		case strings.Trim(key, keySep) == "":
			problems = append(problems, line)
			key = "(row " + strconv.Itoa(line) + ")"
		default:
			if n := dups[key]; n > 0 {
				problems = append(problems, line)
				dups[key] = n + 1
				key = key + " (" + strconv.Itoa(n+1) + ")"
			} else {
				dups[key] = 1
			}
		}
		index[key] = len(keys)
		keys = append(keys, key)
	}
	return keys, problems, index
}

// randomBody returns rows whose keys collide in every way ParseTable
// names: repeats, empty keys, and literal keys that look like the names
// it gives duplicates ("K1 (2)") or empty keys ("(row 5)").
func randomBody(r *rand.Rand, n int, dupShare float64) [][]string {
	body := make([][]string, n)
	for i := range body {
		var key string
		switch x := r.Float64(); {
		case x < dupShare/4:
			key = ""
		case x < dupShare/2:
			key = fmt.Sprintf("K%d (%d)", r.IntN(5), 2+r.IntN(2))
		case x < dupShare*3/4:
			key = fmt.Sprintf("(row %d)", 2+r.IntN(n+1))
		case x < dupShare:
			key = "K" + strconv.Itoa(r.IntN(5))
		default:
			key = "U" + strconv.Itoa(i)
		}
		body[i] = []string{key, strconv.Itoa(r.IntN(3))}
		if r.IntN(20) == 0 {
			body[i] = []string{"", ""} // blank
		}
	}
	return body
}

func TestParseTableKeysMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		share := []float64{0, 0.01, 0.3, 1}[round%4]
		body := randomBody(r, 1+r.IntN(60), share)
		values := append([][]string{{"ID", "V"}}, body...)
		tab, err := ParseTable(values, 1, []string{"ID"})
		if err != nil {
			t.Fatal(err)
		}
		wantKeys, wantProblems, wantIndex := referenceKeys(tab, body)
		var keys []string
		for _, row := range tab.Rows {
			keys = append(keys, row.Key)
		}
		var problems []int
		for _, p := range tab.Problems {
			if p.Rule == "key" {
				problems = append(problems, p.Row)
			}
		}
		if !slices.Equal(keys, wantKeys) || !slices.Equal(problems, wantProblems) {
			t.Fatalf("round %d, body %q:\nkeys %q\nwant %q\nproblem rows %v, want %v", round, body, keys, wantKeys, problems, wantProblems)
		}
		if len(tab.renamed) != len(wantProblems) {
			t.Fatalf("round %d: %d renamed rows with %d key problems", round, len(tab.renamed), len(wantProblems))
		}
		for i, base := range tab.renamed {
			if want := tab.rowKey(tab.Rows[i].Cells); base != want || tab.Rows[i].Key == base {
				t.Fatalf("round %d: row %d renamed from %q, want %q", round, i, base, want)
			}
		}
		if diff := cmp.Diff(wantIndex, tab.index); diff != "" {
			t.Fatalf("round %d: index differs (-want +got):\n%s", round, diff)
		}
	}
}

// referenceMatchRows is matchRows as it was before it used the tables'
// indexes: every row grouped by its key value.
func referenceMatchRows(old, new *Table, colMap []int) []int {
	match := make([]int, len(new.Rows))
	oldGroups := make(map[string][]int, len(old.Rows))
	for i := range old.Rows {
		k := old.baseKey(&old.Rows[i])
		oldGroups[k] = append(oldGroups[k], i)
	}
	newGroups := make(map[string][]int, len(new.Rows))
	var order []string
	for i := range new.Rows {
		k := new.baseKey(&new.Rows[i])
		if _, ok := newGroups[k]; !ok {
			order = append(order, k)
		}
		newGroups[k] = append(newGroups[k], i)
	}
	for _, k := range order {
		ns, os := newGroups[k], oldGroups[k]
		used := make([]bool, len(os))
		done := make([]bool, len(ns))
		for a, ni := range ns {
			for b, oi := range os {
				if !used[b] && sameCells(old.Rows[oi], new.Rows[ni], colMap) {
					used[b], done[a] = true, true
					match[ni] = oi
					break
				}
			}
		}
		b := 0
		for a, ni := range ns {
			if done[a] {
				continue
			}
			for b < len(os) && used[b] {
				b++
			}
			if b == len(os) {
				match[ni] = -1
				continue
			}
			used[b] = true
			match[ni] = os[b]
		}
	}
	return match
}

// TestMatchRowsMatchesReference checks the index pairing against the
// grouping of every row, on tables with unique keys, a few duplicates,
// many, empty keys and keys that look like the names of duplicates.
func TestMatchRowsMatchesReference(t *testing.T) {
	fixed := [][2][][]string{
		// A key that is the name ParseTable gives a duplicate.
		{{{"X", "1"}, {"X", "2"}}, {{"X (2)", "2"}}},
		{{{"X (2)", "2"}}, {{"X", "1"}, {"X", "2"}}},
		{{{"X", "1"}, {"X", "2"}, {"X (2)", "3"}}, {{"X (2)", "3"}, {"Y", "1"}}},
		// Empty keys, and a key that is the name of an empty key's row.
		{{{"", "1"}, {"(row 3)", "2"}}, {{"(row 3)", "2"}, {"", "1"}}},
		{{{"", "1"}}, {{"", "1"}, {"", "2"}}},
	}
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 400 + len(fixed) {
		share := []float64{0, 0.01, 0.2, 1}[round%4]
		if round < len(fixed) {
			body, next := fixed[round][0], fixed[round][1]
			checkMatch(t, round, body, next)
			continue
		}
		body := randomBody(r, 1+r.IntN(80), share)
		next := slices.Clone(body)
		for range r.IntN(15) {
			i := r.IntN(len(next))
			switch r.IntN(4) {
			case 0:
				next[i] = []string{next[i][0], "edited"}
			case 1:
				next = slices.Delete(next, i, i+1)
			case 2:
				next = slices.Insert(next, i, randomBody(r, 1, share)[0])
			default:
				j := r.IntN(len(next))
				next[i], next[j] = next[j], next[i]
			}
			if len(next) == 0 {
				next = append(next, []string{"U0", "back"})
			}
		}
		checkMatch(t, round, body, next)
	}
}

func checkMatch(t *testing.T, round int, body, next [][]string) {
	t.Helper()
	a, err := ParseTable(append([][]string{{"ID", "V"}}, body...), 1, []string{"ID"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseTable(append([][]string{{"ID", "V"}}, next...), 1, []string{"ID"})
	if err != nil {
		t.Fatal(err)
	}
	colMap := []int{0, 1}
	want := referenceMatchRows(a, b, colMap)
	if got := matchRows(a, b, colMap); !slices.Equal(got, want) {
		t.Fatalf("round %d: old %q, new %q:\nmatch %v\nwant  %v", round, body, next, got, want)
	}
	// Tables that did not come from ParseTable group every row.
	a.parsed, b.parsed = false, false
	if got := matchRows(a, b, colMap); !slices.Equal(got, want) {
		t.Fatalf("round %d, grouping every row: match %v, want %v", round, got, want)
	}
}
