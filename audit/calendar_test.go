package audit_test

import (
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
)

func date(t *testing.T, s string) audit.Date {
	t.Helper()
	d, err := audit.ParseISODate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// nationalDay2026 is the calendar the tests use for the 2026 National Day
// week. Assumption for the fixtures (the config lists the real dates each
// year): 2026-10-01 (Thursday) to 10-07 are holidays, and Sunday 09-27 and
// Saturday 10-10 are make-up working days (调休).
func nationalDay2026(t *testing.T) audit.Calendar {
	t.Helper()
	c := audit.Calendar{BusinessDays: true, Holidays: map[audit.Date]bool{}, Workdays: map[audit.Date]bool{}}
	for d := date(t, "2026-10-01"); d.Compare(date(t, "2026-10-07")) <= 0; d = d.AddDays(1) {
		c.Holidays[d] = true
	}
	c.Workdays[date(t, "2026-09-27")] = true
	c.Workdays[date(t, "2026-10-10")] = true
	return c
}

func TestCalendarDaysAcrossNationalDay(t *testing.T) {
	biz := nationalDay2026(t)
	for _, tc := range []struct {
		from, to      string
		calendar, biz int
	}{
		{"2026-09-25", "2026-09-25", 0, 0},
		// Friday to Monday: Saturday is off, Sunday 09-27 is a make-up working day.
		{"2026-09-25", "2026-09-28", 3, 2},
		// The whole holiday week counts nothing; Thursday and Friday after it do.
		{"2026-09-30", "2026-10-09", 9, 2},
		// Saturday 10-10 is worked, Sunday 10-11 is not.
		{"2026-09-30", "2026-10-12", 12, 4},
		{"2026-09-25", "2026-10-12", 17, 8},
		// Counted from a holiday: only the days after it count.
		{"2026-10-02", "2026-10-12", 10, 4},
		{"2026-10-12", "2026-09-30", -12, -4},
		// Over a year with no exceptions in range: 52 weeks and a day.
		{"2025-01-01", "2026-01-01", 365, 261},
	} {
		from, to := date(t, tc.from), date(t, tc.to)
		if got := (audit.Calendar{}).Days(from, to); got != tc.calendar {
			t.Errorf("calendar Days(%s, %s) = %d, want %d", tc.from, tc.to, got, tc.calendar)
		}
		if got := biz.Days(from, to); got != tc.biz {
			t.Errorf("business Days(%s, %s) = %d, want %d", tc.from, tc.to, got, tc.biz)
		}
	}
}

func TestCalendarAdd(t *testing.T) {
	biz := nationalDay2026(t)
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-09-25", 1, "2026-09-27"}, // the make-up Sunday
		{"2026-09-30", 1, "2026-10-08"}, // over the holiday week
		{"2026-09-30", 3, "2026-10-10"}, // the make-up Saturday
		{"2026-09-30", 4, "2026-10-12"},
		{"2026-09-30", 0, "2026-09-30"},
	} {
		if got := biz.Add(date(t, tc.from), tc.n).String(); got != tc.want {
			t.Errorf("business Add(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
	if got := (audit.Calendar{}).Add(date(t, "2026-02-27"), 2).String(); got != "2026-03-01" {
		t.Errorf("calendar Add(2026-02-27, 2) = %s, want 2026-03-01", got)
	}
}

// TestCalendarDaysMatchesCounting checks the week-skipping arithmetic of
// Days against counting day by day, for every pair of dates in a window
// around the holiday, and that Add is its inverse.
func TestCalendarDaysMatchesCounting(t *testing.T) {
	cals := map[string]audit.Calendar{"national day": nationalDay2026(t), "weekends only": {BusinessDays: true}}
	start := date(t, "2026-09-01")
	for name, c := range cals {
		for i := 0; i < 70; i++ {
			from := start.AddDays(i)
			want := 0
			for j := 0; j < 70; j++ {
				to := from.AddDays(j)
				if j > 0 && c.Counts(to) {
					want++
				}
				if got := c.Days(from, to); got != want {
					t.Fatalf("%s: Days(%s, %s) = %d, want %d", name, from, to, got, want)
				}
				if got := c.Days(to, from); got != -want {
					t.Fatalf("%s: Days(%s, %s) = %d, want %d", name, to, from, got, -want)
				}
			}
			for n := 1; n < 30; n++ {
				e := c.Add(from, n)
				if c.Days(from, e) != n || c.Days(from, e.AddDays(-1)) != n-1 {
					t.Fatalf("%s: Add(%s, %d) = %s is not the first date %d days later", name, from, n, e, n)
				}
			}
		}
	}
}

func TestDateOfUsesLocation(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	// 17:30 UTC on the 29th is already the 30th in Shanghai.
	at := time.Date(2026, 11, 29, 17, 30, 0, 0, time.UTC)
	if got := audit.DateOf(at, sh).String(); got != "2026-11-30" {
		t.Errorf("DateOf(%v, Shanghai) = %s, want 2026-11-30", at, got)
	}
	if got := audit.DateOf(at, time.UTC).String(); got != "2026-11-29" {
		t.Errorf("DateOf(%v, UTC) = %s, want 2026-11-29", at, got)
	}
	if _, err := audit.ParseISODate("2026/11/29"); err == nil {
		t.Error("ParseISODate(2026/11/29) = nil error; want an error asking for YYYY-MM-DD")
	}
}
