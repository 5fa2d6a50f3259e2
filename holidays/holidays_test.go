package holidays_test

import (
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/holidays"
)

func d(y int, m time.Month, day int) audit.Date { return audit.Date{Y: y, M: m, D: day} }

func TestCN(t *testing.T) {
	tb, err := holidays.CN(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// The State Council's 2026 notice: Spring Festival off 2-15..2-23,
	// with make-up workdays on Saturday 2-14 and Saturday 2-28; National
	// Day off 10-1..10-7, with make-up workdays 9-20 and 10-10.
	for _, day := range []audit.Date{d(2026, 2, 16), d(2026, 2, 23), d(2026, 10, 1), d(2026, 10, 7), d(2026, 1, 1)} {
		if !tb.Holidays[day] {
			t.Errorf("%s is not a holiday", day)
		}
	}
	for _, day := range []audit.Date{d(2026, 2, 14), d(2026, 2, 28), d(2026, 9, 20), d(2026, 10, 10)} {
		if !tb.Workdays[day] {
			t.Errorf("%s is not a make-up workday", day)
		}
	}
	if !tb.Covers(2026) || !tb.Covers(2010) || tb.Last() < 2026 {
		t.Errorf("years covered %v; want 2010..2026 at least", tb.Years)
	}

	cal := audit.Calendar{BusinessDays: true, Holidays: tb.Holidays, Workdays: tb.Workdays}
	// From Friday 2026-02-13 to Wednesday 2026-02-25: Saturday 2-14 is a
	// make-up workday, 2-15..2-23 are off, 2-24 and 2-25 are workdays.
	if got := cal.Days(d(2026, 2, 13), d(2026, 2, 25)); got != 3 {
		t.Errorf("business days 2026-02-13 .. 02-25 = %d, want 3 (2-14, 2-24, 2-25)", got)
	}

	h, w := tb.Merge(map[audit.Date]bool{d(2026, 2, 14): true}, map[audit.Date]bool{d(2026, 10, 1): true})
	if !h[d(2026, 2, 14)] || w[d(2026, 2, 14)] || !w[d(2026, 10, 1)] || h[d(2026, 10, 1)] {
		t.Error("configured holidays and workdays do not win over the table")
	}
}
