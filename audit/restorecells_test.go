package audit_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sheetaudit/sheetaudit/audit"
)

// TestPlanRestoreCells checks the cells a selective restore writes on a
// backend with audit.CellWriter: only those that change.
func TestPlanRestoreCells(t *testing.T) {
	// 单价 and 数量 are typed, 合计 holds formulas.
	stored := orders([]string{"A1", "2.5", "3", "7.5"}, []string{"A2", "5", "4", "20"}, []string{"A3", "1", "1", "=x"})
	storedF := totals(2) // A3's "=x" is text
	storedT := [][]string{{}, {"", "2.5", "3"}, {"", "5", "4"}, {"", "1", "1"}}
	tests := []struct {
		name                string
		live, liveF, liveT  [][]string
		rows, cols          []string
		cells, formulas, ty map[string]string
	}{
		{
			name:  "an unchanged tab needs nothing written",
			live:  stored,
			liveF: storedF,
			liveT: storedT,
			rows:  []string{"A1", "A2", "A3"},
		},
		{
			name:  "overwritten values are written back, the others not",
			live:  orders([]string{"A1", "2.5", "x", "7.5"}, []string{"A2", "5", "4", "20"}, []string{"A3", "1", "y", "=x"}),
			liveF: storedF,
			liveT: [][]string{{}, {"", "2.5"}, {"", "5", "4"}, {"", "1"}},
			cols:  []string{"数量"},
			cells: map[string]string{"C2": "3", "C4": "1"},
			ty:    map[string]string{"C2": "3", "C4": "1"},
		},
		{
			name:  "a formula's changed result is not written, a pasted-over formula is",
			live:  orders([]string{"A1", "2.5", "3", "9"}, []string{"A2", "5", "4", "20"}, []string{"A3", "1", "1", "=x"}),
			liveF: [][]string{{}, {"", "", "", "=B2*C2"}},
			liveT: storedT,
			cols:  []string{"合计"},
			// D2's formula is the same (its result differs only live); D3
			// lost its formula to a pasted 20.
			formulas: map[string]string{"D3": "=B3*C3"},
		},
		{
			name:  "a live formula the stored version did not have is overwritten with the text",
			live:  orders([]string{"A1", "2.5", "3", "7.5"}, []string{"A2", "5", "4", "20"}, []string{"A3", "1", "1", "=x"}),
			liveF: [][]string{{}, {"", "", "", "=B2*C2"}, {"", "", "", "=B3*C3"}, {"", "", "", "=B4*C4"}},
			liveT: storedT,
			rows:  []string{"A3"},
			cells: map[string]string{"D4": "=x"},
		},
		{
			name:  "text pasted over a number with the same display gets its typed value only",
			live:  stored,
			liveF: storedF,
			liveT: [][]string{{}, {"", "", "3"}, {"", "5", "4"}, {"", "1", "1"}},
			cols:  []string{"单价"},
			ty:    map[string]string{"B2": "2.5"},
		},
		{
			name:  "a deleted row is appended at the live tab's end",
			live:  orders([]string{"A1", "2.5", "3", "7.5"}, []string{"A3", "1", "1", "=x"}),
			liveF: [][]string{{}, {"", "", "", "=B2*C2"}},
			liveT: [][]string{{}, {"", "2.5", "3"}, {"", "1", "1"}},
			rows:  []string{"A2"},
			cells: map[string]string{"A4": "A2", "B4": "5", "C4": "4", "D4": "20"},
			// The formula is moved with its row, from row 3 to row 4.
			formulas: map[string]string{"D4": "=B4*C4"},
			ty:       map[string]string{"B4": "5", "C4": "4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := audit.PlanRestore(tt.live, stored, audit.RestoreOptions{
				HeaderRow: 1, Key: []string{"编号"}, Rows: tt.rows, Columns: tt.cols,
				Formulas: storedF, LiveFormulas: tt.liveF, Typed: storedT, LiveTyped: tt.liveT,
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				what      string
				want, got map[string]string
			}{{"cells", tt.cells, p.Cells}, {"formulas", tt.formulas, p.CellFormulas}, {"typed", tt.ty, p.CellTyped}} {
				if c.got == nil {
					t.Errorf("plan's %s are nil for a selective restore", c.what)
				}
				if diff := cmp.Diff(c.want, c.got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s mismatch (-want +got):\n%s", c.what, diff)
				}
			}
		})
	}
	t.Run("a value the stored version did not have is cleared", func(t *testing.T) {
		live := orders([]string{"A1", "2.5", "3"})
		p, err := audit.PlanRestore(live, orders([]string{"A1", "2.5"}), audit.RestoreOptions{
			HeaderRow: 1, Key: []string{"编号"}, Columns: []string{"数量"}, LiveTyped: [][]string{{}, {"", "2.5", "3"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]string{"C2": ""}, p.Cells); diff != "" {
			t.Errorf("cells mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("a full restore has no cells", func(t *testing.T) {
		p, err := audit.PlanRestore(stored, stored, audit.RestoreOptions{HeaderRow: 1, Key: []string{"编号"}})
		if err != nil || p.Cells != nil || p.CellFormulas != nil || p.CellTyped != nil {
			t.Errorf("full plan cells = %v, %v, %v, %v; want nil", p.Cells, p.CellFormulas, p.CellTyped, err)
		}
	})
}
