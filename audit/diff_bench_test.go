package audit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/bench/gen"
)

// benchBase pins the generated follow-up dates, so runs agree.
var benchBase = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// benchTables returns the benchmark's version 1 of a rows × cols customer
// sheet (bench/gen, the data bench/run.sh uses) and the version next
// makes of it, both parsed as keyed tables.
func benchTables(b *testing.B, rows, cols int, next func(v1 [][]string) [][]string) (*audit.Table, *audit.Table) {
	b.Helper()
	v1 := gen.Sheet(gen.Spec{Rows: rows, Cols: cols, Seed: 7, Base: benchBase})
	v2 := next(v1)
	t1, err := audit.ParseTable(v1, 1, []string{"客户编号"})
	if err != nil {
		b.Fatal(err)
	}
	t2, err := audit.ParseTable(v2, 1, []string{"客户编号"})
	if err != nil {
		b.Fatal(err)
	}
	return t1, t2
}

func churn(share float64) func([][]string) [][]string {
	return func(v1 [][]string) [][]string {
		v2, _ := gen.Churn(v1, share, 8, benchBase)
		return v2
	}
}

func insertTop(v1 [][]string) [][]string { return gen.InsertTop(v1, 9, benchBase) }

// BenchmarkDiff diffs two versions of a customer sheet by key: the 1%
// churn of issue 7 (60% of the churned rows edited, 20% added, 20%
// removed), a row inserted at the top (every row moves, one is new), and
// the 10-million-cell sheet. It reports ns/row besides the usual figures.
func BenchmarkDiff(b *testing.B) {
	for _, bc := range []struct {
		name       string
		rows, cols int
		next       func([][]string) [][]string
	}{
		{"churn=1%", 200_000, 12, churn(0.01)},
		{"insert-top", 200_000, 12, insertTop},
		{"churn=1%", 500_000, 20, churn(0.01)},
	} {
		b.Run(fmt.Sprintf("rows=%d/cols=%d/%s", bc.rows, bc.cols, bc.name), func(b *testing.B) {
			t1, t2 := benchTables(b, bc.rows, bc.cols, bc.next)
			var changes int
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				changes = len(audit.Diff(t1, t2))
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(bc.rows), "ns/row")
			b.ReportMetric(float64(changes), "changes")
		})
	}
}
