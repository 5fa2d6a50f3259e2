package gen

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
)

var base = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func TestSheetShape(t *testing.T) {
	for _, cols := range []int{1, 12, 14, 20, 30} {
		v := Sheet(Spec{Rows: 300, Cols: cols, Seed: 7, Base: base})
		if len(v) != 301 {
			t.Fatalf("cols=%d: %d rows, want 301 (header + 300)", cols, len(v))
		}
		for i, row := range v {
			if len(row) != cols {
				t.Fatalf("cols=%d: row %d has %d cells", cols, i, len(row))
			}
		}
		if v[0][0] != "客户编号" {
			t.Errorf("cols=%d: first column %q, want the key 客户编号", cols, v[0][0])
		}
		seen := map[string]bool{}
		for _, h := range v[0] {
			if seen[h] {
				t.Errorf("cols=%d: header %q twice", cols, h)
			}
			seen[h] = true
		}
	}
}

func TestDeterministic(t *testing.T) {
	s := Spec{Rows: 500, Cols: 20, Seed: 42, Base: base}
	a, b := Sheet(s), Sheet(s)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("same seed, different sheets (-first +second):\n%s", diff)
	}
	ca, sa := Churn(a, 0.05, 1, base)
	cb, sb := Churn(b, 0.05, 1, base)
	if diff := cmp.Diff(ca, cb); diff != "" || sa != sb {
		t.Fatalf("same seed, different churn (-first +second):\n%s", diff)
	}
	if c := Sheet(Spec{Rows: 500, Cols: 20, Seed: 43, Base: base}); cmp.Equal(a, c) {
		t.Error("seeds 42 and 43 gave the same sheet")
	}
}

// TestChurn checks the share by diffing the versions with audit.Diff, the
// code the benchmark measures.
func TestChurn(t *testing.T) {
	v1 := Sheet(Spec{Rows: 2000, Cols: 12, Seed: 7, Base: base})
	v2, st := Churn(v1, 0.01, 8, base)
	want := Stats{Edited: 12, Added: 4, Removed: 4, Cells: st.Cells}
	if st != want || st.Cells < st.Edited || st.Cells > 2*st.Edited {
		t.Errorf("Churn stats = %+v, want %+v with 1–2 cells per edited row", st, want)
	}
	if len(v2)-1 != 2000+st.Added-st.Removed {
		t.Errorf("v2 has %d rows, want %d", len(v2)-1, 2000+st.Added-st.Removed)
	}
	t1 := table(t, v1)
	t2 := table(t, v2)
	var added, removed, modified int
	rows := map[string]bool{}
	for _, c := range audit.Diff(t1, t2) {
		switch c.Kind {
		case audit.RowAdded:
			added++
		case audit.RowRemoved:
			removed++
		case audit.CellModified:
			modified++
			rows[c.Key] = true
		default:
			t.Errorf("unexpected change %+v", c)
		}
	}
	if added != st.Added || removed != st.Removed || len(rows) != st.Edited || modified > st.Cells {
		t.Errorf("diff: %d added, %d removed, %d cells in %d rows modified; want %+v", added, removed, modified, len(rows), st)
	}
	if v1[5][0] != Sheet(Spec{Rows: 2000, Cols: 12, Seed: 7, Base: base})[5][0] {
		t.Error("Churn modified its input")
	}
}

func TestInsertTop(t *testing.T) {
	v1 := Sheet(Spec{Rows: 300, Cols: 12, Seed: 7, Base: base})
	top := InsertTop(v1, 9, base)
	if len(top) != len(v1)+1 || !slices.Equal(top[0], v1[0]) || !slices.EqualFunc(top[2:], v1[1:], slices.Equal) {
		t.Fatal("InsertTop did not insert exactly one row under the header")
	}
	changes := audit.Diff(table(t, v1), table(t, top))
	if len(changes) != 1 || changes[0].Kind != audit.RowAdded || changes[0].Key != "C00301" {
		t.Errorf("Diff(v1, top) = %+v, want one added row C00301", changes)
	}
}

// TestSchema checks that the schema is one sheetaudit accepts; the npm
// validator reads the same file in bench/run.sh.
func TestSchema(t *testing.T) {
	for _, cols := range []int{12, 20} {
		b, err := Schema(Header(cols), base)
		if err != nil {
			t.Fatal(err)
		}
		rs, key, err := audit.LoadTableSchema(b)
		if err != nil {
			t.Fatalf("cols=%d: LoadTableSchema: %v", cols, err)
		}
		if len(rs.Columns) != cols || !slices.Equal(key, []string{"客户编号"}) {
			t.Errorf("cols=%d: %d rules, key %q; want %d rules and key 客户编号", cols, len(rs.Columns), key, cols)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	v := Sheet(Spec{Rows: 50, Cols: 14, Seed: 7, Base: base})
	path := filepath.Join(t.TempDir(), "v1", "客户.csv")
	if err := WriteCSV(path, v); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v, got); diff != "" {
		t.Errorf("CSV round trip mismatch (-want +got):\n%s", diff)
	}
}

func table(t *testing.T, v [][]string) *audit.Table {
	t.Helper()
	tb, err := audit.ParseTable(v, 1, []string{"客户编号"})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}
