package audit_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

// serial is the sheet serial of a day: days since 1899-12-30.
func serial(y int, m time.Month, d int) string {
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour)
	return strconv.Itoa(int(days))
}

// TestCycleReadsTypedValues runs cycles on a sheet whose dates display
// day first ("01/02/2026" is 1 February), which the displayed text alone
// would read month first as 2 January: validation and staleness follow the
// typed serial, and the snapshot keeps it.
func TestCycleReadsTypedValues(t *testing.T) {
	ctx := context.Background()
	clock := audittest.NewClock(time.Date(2026, 2, 20, 1, 0, 0, 0, time.UTC))
	shown := [][]string{
		{"编号", "跟进日期", "金额"},
		{"C1", "01/02/2026", "5.10"},
		{"C2", "01/02/2026", "7"},
	}
	typed := [][]string{{}, {"", serial(2026, 2, 1), "5.1"}, {"", "", "7"}}
	wb := audittest.NewWorkbook(map[string][][]string{"客户": shown})
	wb.SetTyped("客户", typed)
	rules, err := audit.Compile(audit.RuleSet{Columns: []audit.ColumnRule{
		{Column: "跟进日期", Type: audit.TypeDate, NotBefore: "2026-01-15", Severity: audit.Error},
		{Column: "金额", Type: audit.TypeNumber, Max: ptr(5.1), Severity: audit.Error},
	}})
	if err != nil {
		t.Fatal(err)
	}
	store := audittest.NewStore()
	c := &audit.Cycle{
		Spec: audit.Spec{Name: "clients", Tab: "客户", HeaderRow: 1, Key: []string{"编号"}, Rules: rules,
			Stale:        &audit.StalePolicy{DateColumn: "跟进日期", Default: 30 * 24 * time.Hour},
			TypedColumns: []string{"跟进日期", "金额"}},
		Workbook: wb, Store: store, State: store, Logger: zaptest.NewLogger(t), Now: clock.Now,
	}
	res, err := c.Run(ctx)
	if err != nil {
		t.Fatalf("first cycle: %v", err)
	}
	// C1 is typed: 1 February is after the bound and 19 days old. C2 has
	// no typed date (a text cell), so its display is read as 2 January:
	// before the bound, and 49 days old. 7 is over the maximum either way.
	type got struct {
		Row          int
		Column, Rule string
	}
	var findings []got
	for _, f := range res.Findings {
		findings = append(findings, got{f.Row, f.Column, f.Rule})
	}
	want := []got{{3, "跟进日期", "not_before"}, {3, "金额", "max"}, {3, "跟进日期", "stale"}}
	if diff := cmp.Diff(want, findings); diff != "" {
		t.Errorf("findings mismatch (-want +got):\n%s\n%+v", diff, res.Findings)
	}
	if diff := cmp.Diff(typed, store.Snapshots("clients")[0].Typed, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("stored typed values mismatch (-want +got):\n%s", diff)
	}

	// Nothing changed: no new version.
	clock.Advance(time.Hour)
	if res, err = c.Run(ctx); err != nil || res.NewSnapshot {
		t.Fatalf("unchanged cycle = %+v, %v; want no new version", res, err)
	}
	// Only a typed value changed (the display is the same): a new version.
	wb.SetTyped("客户", [][]string{{}, {"", serial(2026, 1, 2), "5.1"}, {"", "", "7"}})
	clock.Advance(time.Hour)
	if res, err = c.Run(ctx); err != nil || !res.NewSnapshot {
		t.Fatalf("typed-only change = %+v, %v; want a new version", res, err)
	}
	if n := len(store.Snapshots("clients")); n != 2 {
		t.Errorf("stored %d versions, want 2", n)
	}
}

func ptr[T any](v T) *T { return &v }

// oneRead is a backend whose ReadTabTyped returns every column's typed
// values with the values, or, when paged, none (as the Google backend does
// for a tab too large for one read); it counts ReadTyped calls.
type oneRead struct {
	*audittest.Workbook
	paged      bool
	typedReads int
}

func (w *oneRead) ReadTabTyped(ctx context.Context, tab string) (*audit.Tab, [][]string, error) {
	t, err := w.ReadTab(ctx, tab)
	if err != nil || w.paged {
		return t, nil, err
	}
	all := make([]int, 16)
	for i := range all {
		all[i] = i
	}
	typed, err := w.Workbook.ReadTyped(ctx, tab, all)
	return t, typed, err
}

func (w *oneRead) ReadTyped(ctx context.Context, tab string, cols []int) ([][]string, error) {
	w.typedReads++
	return w.Workbook.ReadTyped(ctx, tab, cols)
}

// TestCycleReadsTypedValuesWithTheValues: a backend that reads typed values
// with the displayed ones (TypedTabReader) gives the cycle the same typed
// grid as ReadTyped would, the columns not named left out, without a
// second read; one that could not (a large tab) is asked with ReadTyped.
func TestCycleReadsTypedValuesWithTheValues(t *testing.T) {
	shown := [][]string{
		{"编号", "跟进日期", "金额", "件数"},
		{"C1", "01/02/2026", "5.10", "3"},
		{"C2", "", "", "4"},
		{"C3", "01/02/2026", "7"},
	}
	typed := [][]string{{}, {"", serial(2026, 2, 1), "5.1", "3"}, {"", "", "", "4"}, {"", "", "7"}}
	want := [][]string{{}, {"", serial(2026, 2, 1), "5.1"}, {}, {"", "", "7"}}
	for _, paged := range []bool{false, true} {
		wb := &oneRead{Workbook: audittest.NewWorkbook(map[string][][]string{"客户": shown}), paged: paged}
		wb.SetTyped("客户", typed)
		store := audittest.NewStore()
		c := &audit.Cycle{
			Spec: audit.Spec{Name: "clients", Tab: "客户", HeaderRow: 1, Key: []string{"编号"},
				TypedColumns: []string{"跟进日期", "金额"}},
			Workbook: wb, Store: store, State: store, Logger: zaptest.NewLogger(t),
		}
		if _, err := c.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, store.Snapshots("clients")[0].Typed, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("paged %v: stored typed values mismatch (-want +got):\n%s", paged, diff)
		}
		if n, wantN := wb.typedReads, map[bool]int{false: 0, true: 1}[paged]; n != wantN {
			t.Errorf("paged %v: %d ReadTyped calls, want %d", paged, n, wantN)
		}
	}
}

func TestKeepColumns(t *testing.T) {
	grid := [][]string{{"a", "b"}, {}, {"", "", "c", "d"}, {"e"}, {"", "f"}}
	for _, tc := range []struct {
		cols []int
		want [][]string
	}{
		{[]int{1}, [][]string{{"", "b"}, {}, {}, {}, {"", "f"}}},
		{[]int{2, 3}, [][]string{{}, {}, {"", "", "c", "d"}}},
		{[]int{0}, [][]string{{"a"}, {}, {}, {"e"}}},
		{[]int{7}, [][]string{}},
		{nil, [][]string{}},
	} {
		got := audit.KeepColumns(grid, tc.cols)
		if !cmp.Equal(tc.want, got) {
			t.Errorf("KeepColumns(%v) = %q, want %q", tc.cols, got, tc.want)
		}
	}
}
