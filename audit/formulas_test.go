package audit_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

// orders is a tab whose 合计 column is computed: =单价*数量 on each row.
func orders(rows ...[]string) [][]string {
	return append([][]string{{"编号", "单价", "数量", "合计"}}, rows...)
}

func totals(n int) [][]string {
	f := [][]string{{}}
	for i := 2; i < n+2; i++ {
		r := strconv.Itoa(i)
		f = append(f, []string{"", "", "", "=B" + r + "*C" + r})
	}
	return f
}

func TestCycleTellsRecalculatedFromEdited(t *testing.T) {
	ctx := context.Background()
	clock := audittest.NewClock(time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC))
	wb := audittest.NewWorkbook(map[string][][]string{"订单": orders(
		[]string{"A1", "2", "3", "6"},
		[]string{"A2", "5", "4", "20"},
	)})
	wb.SetFormulas("订单", totals(2))
	store := audittest.NewStore()
	c := &audit.Cycle{
		Spec: audit.Spec{Name: "orders", Tab: "订单", HeaderRow: 1, Key: []string{"编号"},
			ChangeLogTab: "Change Log", CaptureFormulas: true},
		Workbook: wb, Store: store, State: store, Logger: zaptest.NewLogger(t), Now: clock.Now,
	}
	if _, err := c.Run(ctx); err != nil {
		t.Fatalf("first cycle: %v", err)
	}
	if got := store.Snapshots("orders")[0].Formulas; !cmp.Equal(got, totals(2)) {
		t.Errorf("stored formulas = %q, want %q", got, totals(2))
	}

	// Only a formula changes (a total overwritten by a typed number that
	// shows the same): a new version, with the formulas as they are now.
	wb.SetFormulas("订单", totals(1))
	clock.Advance(time.Hour)
	res, err := c.Run(ctx)
	if err != nil || !res.NewSnapshot || res.Changes != 0 {
		t.Fatalf("formula-only cycle = %+v, %v; want a new version and no logged change", res, err)
	}

	// An input edited: its row's total follows. A row inserted above moves
	// the other row's formula (=B3*C3 becomes =B4*C4) and its input edit
	// recalculates it too. The typed 20 stays a typed value, edited.
	wb.Set("订单", orders(
		[]string{"A0", "1", "1", "1"},
		[]string{"A1", "7", "3", "21"},
		[]string{"A2", "5", "4", "21"},
	))
	wb.SetFormulas("订单", [][]string{{}, {"", "", "", "=B2*C2"}, {"", "", "", "=B3*C3"}})
	clock.Advance(time.Hour)
	if res, err = c.Run(ctx); err != nil || !res.NewSnapshot || res.Changes != 4 {
		t.Fatalf("third cycle = %+v, %v; want a new version with 4 changes", res, err)
	}
	log, err := wb.ReadTab(ctx, "Change Log")
	if err != nil {
		t.Fatal(err)
	}
	cy := res.Cycle
	want := [][]string{
		{"2026-11-29 03:00:00", "row added", "A0", "", "", "编号: A0; 单价: 1; 数量: 1; 合计: 1", "s3", cy},
		{"2026-11-29 03:00:00", "cell modified", "A1", "单价", "2", "7", "s3", cy},
		{"2026-11-29 03:00:00", "formula result changed", "A1", "合计", "6", "21", "s3", cy},
		{"2026-11-29 03:00:00", "cell modified", "A2", "合计", "20", "21", "s3", cy},
	}
	if diff := cmp.Diff(want, log.Values[len(log.Values)-len(want):]); diff != "" {
		t.Errorf("Change Log mismatch (-want +got):\n%s", diff)
	}

	// Unchanged values and formulas: no new version.
	clock.Advance(time.Hour)
	if res, err = c.Run(ctx); err != nil || res.NewSnapshot {
		t.Fatalf("unchanged cycle = %+v, %v; want no new version", res, err)
	}
}

func TestCycleWithoutCaptureStoresNoFormulas(t *testing.T) {
	ctx := context.Background()
	wb := audittest.NewWorkbook(map[string][][]string{"订单": orders([]string{"A1", "2", "3", "6"})})
	wb.SetFormulas("订单", totals(1))
	store := audittest.NewStore()
	c := &audit.Cycle{Spec: audit.Spec{Name: "orders", Tab: "订单", HeaderRow: 1, Key: []string{"编号"}},
		Workbook: wb, Store: store, State: store}
	if _, err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if f := store.Snapshots("orders")[0].Formulas; f != nil {
		t.Errorf("stored formulas = %q without capture, want nil", f)
	}
	// Turning capture on stores a version that has them, values unchanged.
	c.Spec.CaptureFormulas = true
	res, err := c.Run(ctx)
	if err != nil || !res.NewSnapshot {
		t.Fatalf("cycle with capture turned on = %+v, %v; want a new version", res, err)
	}
}

func TestDiffWithFormulas(t *testing.T) {
	old := mustTable(t, orders([]string{"A1", "2", "3", "6"}, []string{"A2", "5", "4", "20"}))
	cur := mustTable(t, orders([]string{"A1", "2", "4", "8"}, []string{"A2", "5", "4", "21"}))
	oldF := totals(2)
	tests := []struct {
		name string
		newF [][]string
		want []audit.ChangeKind
	}{
		{"same formulas", totals(2), []audit.ChangeKind{audit.CellModified, audit.ValueRecalculated, audit.ValueRecalculated}},
		{"formula edited", [][]string{{}, {"", "", "", "=B2*C2"}, {"", "", "", "=B3*C3+1"}},
			[]audit.ChangeKind{audit.CellModified, audit.ValueRecalculated, audit.CellModified}},
		{"formula replaced by a value", totals(1), []audit.ChangeKind{audit.CellModified, audit.ValueRecalculated, audit.CellModified}},
		{"not captured", nil, []audit.ChangeKind{audit.CellModified, audit.CellModified, audit.CellModified}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []audit.ChangeKind
			for _, c := range audit.DiffWithFormulas(old, cur, oldF, tt.newF) {
				got = append(got, c.Kind)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("kinds mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func mustTable(t *testing.T, v [][]string) *audit.Table {
	t.Helper()
	tb, err := audit.ParseTable(v, 1, []string{"编号"})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func TestPlanRestoreFormulas(t *testing.T) {
	stored := orders([]string{"A1", "2", "3", "6"}, []string{"A2", "5", "4", "20"})
	storedF := totals(2)
	t.Run("full", func(t *testing.T) {
		p, err := audit.PlanRestore(orders([]string{"A1", "2", "3", "6"}), stored,
			audit.RestoreOptions{HeaderRow: 1, Key: []string{"编号"}, Formulas: storedF})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"D2": "=B2*C2", "D3": "=B3*C3"}
		if diff := cmp.Diff(want, p.Formulas); diff != "" {
			t.Errorf("formulas mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("not captured", func(t *testing.T) {
		p, err := audit.PlanRestore(stored, stored, audit.RestoreOptions{HeaderRow: 1, Key: []string{"编号"}})
		if err != nil || p.Formulas != nil {
			t.Errorf("plan formulas = %v, %v; want nil", p.Formulas, err)
		}
	})
	t.Run("selective keeps live formulas and moves restored ones", func(t *testing.T) {
		// Live: a row inserted on top, A2's price typed over, and a new
		// formula column E that the restore must not flatten.
		live := [][]string{
			{"编号", "单价", "数量", "合计", "税"},
			{"A0", "1", "1", "1", "0.1"},
			{"A1", "2", "3", "6", "0.6"},
			{"A2", "9", "4", "36", "3.6"},
		}
		liveF := [][]string{{}, {"", "", "", "=B2*C2", "=D2/10"}, {"", "", "", "=B3*C3", "=D3/10"}, {"", "", "", "36", "=D4/10"}}
		liveF[3][3] = "" // someone typed 36 over A2's total
		p, err := audit.PlanRestore(live, stored, audit.RestoreOptions{HeaderRow: 1, Key: []string{"编号"},
			Rows: []string{"A2"}, Columns: []string{"单价", "合计"}, Formulas: storedF, LiveFormulas: liveF})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"D2": "=B2*C2", "E2": "=D2/10", "D3": "=B3*C3", "E3": "=D3/10", "E4": "=D4/10",
			"D4": "=B4*C4", // A2's stored =B3*C3, moved down with its row
		}
		if diff := cmp.Diff(want, p.Formulas); diff != "" {
			t.Errorf("formulas mismatch (-want +got):\n%s", diff)
		}
		if got := p.Values[3]; !cmp.Equal(got, []string{"A2", "5", "4", "20", "3.6"}) {
			t.Errorf("restored row = %q", got)
		}
	})
	t.Run("selective from a version without formulas keeps live ones", func(t *testing.T) {
		live := orders([]string{"A1", "2", "3", "6"}, []string{"A2", "9", "4", "36"})
		p, err := audit.PlanRestore(live, stored, audit.RestoreOptions{HeaderRow: 1, Key: []string{"编号"},
			Rows: []string{"A2"}, Columns: []string{"单价", "合计"}, LiveFormulas: totals(2)})
		if err != nil {
			t.Fatal(err)
		}
		// A2's total is restored as a value (the version knows no formula);
		// A1's formula survives the rewrite.
		if diff := cmp.Diff(map[string]string{"D2": "=B2*C2"}, p.Formulas); diff != "" {
			t.Errorf("formulas mismatch (-want +got):\n%s", diff)
		}
	})
}
