package report_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
	"github.com/sheetaudit/sheetaudit/report"
)

// series stores the sheet over nine weeks, one version each Wednesday:
// one more row stops being followed up each week, a duplicate key (a data
// error) appears from week 5, and in the last week one row is won, one
// lost, one moves stage and one is added.
func series(t *testing.T, store *store, monday time.Time) {
	t.Helper()
	for w := 0; w < 9; w++ {
		day := monday.AddDate(0, 0, 7*w+2)
		rows := [][]string{{"客户编号", "客户名称", "负责人", "销售进展", "最后跟进日期"}}
		for i := 0; i < 10; i++ {
			date := day.AddDate(0, 0, -1).Format("2006-01-02") // followed up yesterday
			if i < w {
				date = monday.AddDate(0, 0, 7*i-30).Format("2006-01-02") // not since: stale from week i on
			}
			stage := []string{"商务谈判", "方案报价"}[i%2]
			rows = append(rows, []string{fmt.Sprintf("C%03d", i), "客户", []string{"张三", "李四"}[i%2], stage, date})
		}
		if w >= 5 {
			rows = append(rows, []string{"C009", "重复", "李四", "方案报价", day.Format("2006-01-02")})
		}
		if w == 8 {
			rows[1][3] = "签约完成" // C000 won
			rows[2][3] = "流失"   // C001 lost
			rows[5][3] = "方案报价" // C004 moved
			rows = append(rows, []string{"C010", "新客户", "王五", "初步洽谈", day.Format("2006-01-02")})
		}
		put(t, store, day, rows, false)
	}
}

func TestTrendAndMovementFromStoredWeeks(t *testing.T) {
	sh := shanghai(t)
	monday := time.Date(2026, 10, 5, 0, 0, 0, 0, sh) // 2026-W41
	clock := audittest.NewClock(monday)
	store := memStore(t, clock)
	series(t, store, monday)
	now := monday.AddDate(0, 0, 7*8+3) // Thursday of the ninth week, 2026-W49
	src := report.Source{Spec: spec(), Store: store, Location: sh}

	r, err := report.Build(context.Background(), src, "2026-w49", now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Week != "2026-W49" {
		t.Errorf("week = %q, want it normalised to 2026-W49", r.Week)
	}
	var got []audit.WeekPoint
	got = append(got, r.Trend...)
	// Week w has rows 0..w-1 stale; C001 is lost (exempt) in the last week
	// and C000 won (签约完成, 90 days: not yet stale).
	want := []audit.WeekPoint{
		{Week: "2026-W42", Stale: 1}, {Week: "2026-W43", Stale: 2}, {Week: "2026-W44", Stale: 3},
		{Week: "2026-W45", Stale: 4}, {Week: "2026-W46", Stale: 5, Errors: 1}, {Week: "2026-W47", Stale: 6, Errors: 1},
		{Week: "2026-W48", Stale: 7, Errors: 1}, {Week: "2026-W49", Stale: 6, Errors: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trend mismatch (-want +got):\n%s", diff)
	}
	wantMove := &audit.Movement{
		Moves: []audit.StageMove{{From: "商务谈判", To: "方案报价", Count: 1}, {From: "商务谈判", To: "签约完成", Count: 1}, {From: "方案报价", To: "流失", Count: 1}},
		Won:   1, Lost: 1, New: 1,
		ByOwner: []audit.OwnerMovement{{Owner: "张三", Moved: 2, Won: 1}, {Owner: "李四", Moved: 1, Lost: 1}, {Owner: "王五", New: 1}},
	}
	if diff := cmp.Diff(wantMove, r.Movement); diff != "" {
		t.Errorf("movement mismatch (-want +got):\n%s", diff)
	}
	if r.Active != 11 || r.Rows != 12 {
		t.Errorf("rows %d, active %d; want 12 rows (a duplicate key is kept), 11 active (one lost)", r.Rows, r.Active)
	}

	// A past week rebuilds from what the store holds, whenever asked.
	past, err := report.Build(context.Background(), src, "2026-W45", now)
	if err != nil {
		t.Fatal(err)
	}
	if past.Stale != 4 || len(past.Trend) != 5 || past.Trend[0].Week != "2026-W41" || past.Trend[0].Stale != 0 {
		t.Errorf("W45 rebuilt: stale %d, trend %v; want 4 stale and the trend from W41 (the first snapshot)", past.Stale, past.Trend)
	}
	if past.Movement == nil || past.Movement.Moves != nil || past.NewlyStale != 1 || past.Resolved != 0 {
		t.Errorf("W45 movement %+v, newly %d, resolved %d; want no moves and one newly stale row", past.Movement, past.NewlyStale, past.Resolved)
	}
	if past.Items[0].Link != "" {
		t.Errorf("a row from an .xlsx version has link %q; want none", past.Items[0].Link)
	}

	for _, bad := range []string{"2026W49", "49", "2026-W60", "2026-W4"} {
		if _, err := report.ParseWeek(bad, sh); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("ParseWeek(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := report.Build(context.Background(), src, "2026-W40", now); !errors.Is(err, audit.ErrNotFound) {
		t.Errorf("a week before the first snapshot = %v, want ErrNotFound", err)
	}
}

func TestHistoryBasisReadsEachVersionOnce(t *testing.T) {
	sh := shanghai(t)
	monday := time.Date(2026, 10, 5, 0, 0, 0, 0, sh)
	store := memStore(t, audittest.NewClock(monday))
	series(t, store, monday)
	s := spec()
	s.Stale.Basis, s.Stale.DateColumn = audit.BasisHistory, ""
	now := monday.AddDate(0, 0, 7*8+3)
	r, err := report.Build(context.Background(), report.Source{Spec: s, Store: store, Location: sh}, "2026-W49", now)
	if err != nil {
		t.Fatal(err)
	}
	// Row i last changed in week i+1 (its date was set to the fixed one),
	// so the count trails the date column's by a week; in the last week the
	// won, lost and moved rows changed, so three fewer.
	var got []int
	for _, p := range r.Trend {
		got = append(got, p.Stale)
	}
	if diff := cmp.Diff([]int{0, 1, 2, 3, 4, 5, 6, 4}, got); diff != "" {
		t.Errorf("history-basis trend mismatch (-want +got):\n%s", diff)
	}
}
