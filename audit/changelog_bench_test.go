package audit_test

import (
	"slices"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
)

// BenchmarkChangeLogRows turns a diff into Change Log rows: the 1% churn of
// a 200,000 × 12 sheet (about 2,500 changes, under the cap) and a mass
// edit of every row (200,000 changes, capped at the cycle's default 5,000
// rows plus a summary), with the cap and without.
func BenchmarkChangeLogRows(b *testing.B) {
	massEdit := func(v1 [][]string) [][]string {
		v2 := make([][]string, len(v1))
		v2[0] = v1[0]
		note := slices.Index(v1[0], "备注")
		for i, row := range v1[1:] {
			row = slices.Clone(row)
			row[note] += "（已核对）"
			v2[i+1] = row
		}
		return v2
	}
	at := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	for _, bc := range []struct {
		name  string
		next  func([][]string) [][]string
		limit int
	}{
		{"churn=1%/limit=5000", churn(0.01), 5000},
		{"mass-edit/limit=5000", massEdit, 5000},
		{"mass-edit/limit=none", massEdit, 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			t1, t2 := benchTables(b, 200_000, 12, bc.next)
			changes := audit.Diff(t1, t2)
			var rows int
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rows = len(audit.ChangeLogRows(changes, at, "20261128T080000Z-aaaaaaaa", "20261129T080000Z-bbbbbbbb", bc.limit))
			}
			b.ReportMetric(float64(len(changes)), "changes")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}
