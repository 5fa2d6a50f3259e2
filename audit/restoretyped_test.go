package audit_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
)

func TestPlanRestoreTyped(t *testing.T) {
	// 单价 and 数量 are typed columns; 合计 holds formulas.
	stored := orders([]string{"A1", "2.5", "3", "7.5"}, []string{"A2", "5", "4", "20"})
	storedT := [][]string{{}, {"", "2.5", "3", "7.5"}, {"", "5", "4", "20"}}
	opts := func() audit.RestoreOptions {
		return audit.RestoreOptions{HeaderRow: 1, Key: []string{"编号"}, Typed: storedT}
	}
	t.Run("full", func(t *testing.T) {
		live := orders([]string{"A1", "junk", "3", "7.5"})
		o := opts()
		o.Formulas = totals(2)
		p, err := audit.PlanRestore(live, stored, o)
		if err != nil {
			t.Fatal(err)
		}
		// The formula cells D2 and D3 are left out: the formula wins.
		want := map[string]string{"B2": "2.5", "C2": "3", "B3": "5", "C3": "4"}
		if diff := cmp.Diff(want, p.Typed); diff != "" {
			t.Errorf("typed mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("not captured", func(t *testing.T) {
		p, err := audit.PlanRestore(stored, stored, audit.RestoreOptions{HeaderRow: 1, Key: []string{"编号"}})
		if err != nil || p.Typed != nil {
			t.Errorf("plan typed = %v, %v; want nil", p.Typed, err)
		}
	})
	t.Run("tab created", func(t *testing.T) {
		p, err := audit.PlanRestore(nil, stored, opts())
		if err != nil {
			t.Fatal(err)
		}
		if p.Typed != nil {
			t.Errorf("plan typed = %v, want nil for a tab without number formats", p.Typed)
		}
	})
	t.Run("selective keeps live typed values and moves restored ones", func(t *testing.T) {
		// Live: a row inserted on top, A2's price typed over as text, and
		// a live number in a column the restore leaves alone.
		live := [][]string{
			{"编号", "单价", "数量", "合计"},
			{"A0", "1", "1", "1"},
			{"A1", "2.5", "3", "7.5"},
			{"A2", "n/a", "6", "20"},
		}
		liveT := [][]string{{}, {"", "1", "1"}, {"", "2.5", "3"}, {"", "", "6"}}
		o := opts()
		o.Rows, o.Columns, o.LiveTyped = []string{"A2"}, []string{"单价"}, liveT
		p, err := audit.PlanRestore(live, stored, o)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"B2": "1", "C2": "1", "B3": "2.5", "C3": "3",
			"C4": "6", // live, not restored
			"B4": "5", // A2's stored price, in its live row
		}
		if diff := cmp.Diff(want, p.Typed); diff != "" {
			t.Errorf("typed mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("selective restore of a cell that was text drops its live typed value", func(t *testing.T) {
		live := orders([]string{"A1", "9", "3", "7.5"}, []string{"A2", "5", "4", "20"})
		liveT := [][]string{{}, {"", "9", "3"}, {"", "5", "4"}}
		text := [][]string{{}, {}, {"", "5", "4"}} // A1's price was text then
		p, err := audit.PlanRestore(live, stored, audit.RestoreOptions{HeaderRow: 1, Key: []string{"编号"},
			Rows: []string{"A1"}, Columns: []string{"单价"}, Typed: text, LiveTyped: liveT})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"C2": "3", "B3": "5", "C3": "4"}
		if diff := cmp.Diff(want, p.Typed); diff != "" {
			t.Errorf("typed mismatch (-want +got):\n%s", diff)
		}
	})
}
