package audit

import (
	"fmt"
	"slices"
	"time"
)

// Date is a civil date: a day on the wall calendar, with no time and no zone.
// Staleness counts days, not hours, so a follow-up at 23:50 and one at 08:00
// on the same day are the same day; a time.Time at midnight would drift across
// daylight-saving changes and compare unequal across locations, and cannot be
// a reliable map key. Convert with DateOf and Date.In.
type Date struct {
	Y int
	M time.Month
	D int
}

// DateOf returns the civil date of t in loc (nil means UTC).
func DateOf(t time.Time, loc *time.Location) Date {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseISODate reads a date written as 2026-10-01, the form config files use
// for holidays and make-up working days.
func ParseISODate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: write it as YYYY-MM-DD: %w", s, ErrInvalid)
	}
	return DateOf(t, time.UTC), nil
}

// String formats the date as 2026-10-01.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Y, int(d.M), d.D) }

// MarshalText writes the date as 2026-10-01, and the zero Date as "".
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads what MarshalText writes.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseISODate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// In returns midnight at the start of d in loc (nil means UTC).
func (d Date) In(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, loc)
}

// AddDays returns the date n calendar days after d (before it when n < 0).
func (d Date) AddDays(n int) Date { return dateFromDays(d.days() + int64(n)) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday(((d.days()+4)%7 + 7) % 7)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	a, b := d.days(), e.days()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// days is the number of days from 1970-01-01 to d in the proleptic
// Gregorian calendar. Counting staleness for every row of a large sheet
// goes through it, so it is plain arithmetic instead of time.Date (H.
// Hinnant's days_from_civil). Out-of-range days and months carry over as
// time.Date does.
func (d Date) days() int64 {
	y, m := int64(d.Y), int64(d.M)
	if m < 1 || m > 12 {
		// Normalise the month first; rare, so time does it.
		t := time.Date(d.Y, d.M, 1, 0, 0, 0, 0, time.UTC)
		y, m = int64(t.Year()), int64(t.Month())
	}
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12 // March is 0
	doy := (153*mp+2)/5 + int64(d.D) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func dateFromDays(n int64) Date { return DateOf(time.Unix(n*86400, 0), time.UTC) }

// Calendar says which days count when measuring how long a record has waited.
// The zero Calendar counts every day.
type Calendar struct {
	// BusinessDays makes only working days count: Monday to Friday, minus
	// Holidays, plus Workdays.
	BusinessDays bool
	// Holidays are days off that would otherwise be working days (public
	// holidays such as 2026-10-01).
	Holidays map[Date]bool
	// Workdays are make-up working days (调休): weekend days that are worked
	// in exchange for a longer holiday. They count although they fall on a
	// Saturday or Sunday. A date in both maps is a working day.
	Workdays map[Date]bool
}

// Counts reports whether d counts as a day under the calendar.
func (c Calendar) Counts(d Date) bool {
	if !c.BusinessDays {
		return true
	}
	if c.Workdays[d] {
		return true
	}
	if c.Holidays[d] {
		return false
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Unit names what Days counts, for explanations: "calendar" or "business".
func (c Calendar) Unit() string {
	if c.BusinessDays {
		return "business"
	}
	return "calendar"
}

// Days returns how many counted days lie after from, up to and including to:
// a follow-up on Friday is 1 business day old on Monday and 3 calendar days
// old. The result is negative when to is before from.
func (c Calendar) Days(from, to Date) int { return c.compile().between(from.days(), to.days()) }

// Add returns the first date that is n counted days after d: Days(d,
// c.Add(d, n)) == n for n >= 0. With business days, Add(Friday, 1) is the
// next Monday unless Monday is a holiday. n <= 0 returns d.
func (c Calendar) Add(d Date, n int) Date { return dateFromDays(c.compile().add(d.days(), n)) }

// dayCounter is a Calendar prepared for counting many rows: the exceptions
// to Monday-to-Friday as sorted day numbers, so a count is two binary
// searches instead of a walk over the days.
type dayCounter struct {
	business bool
	// plus are worked weekend days; minus are holidays on weekdays.
	plus, minus []int64
}

func (c Calendar) compile() dayCounter {
	w := dayCounter{business: c.BusinessDays}
	if !c.BusinessDays {
		return w
	}
	for d := range c.Workdays {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			w.plus = append(w.plus, d.days())
		}
	}
	for d := range c.Holidays {
		if wd := d.Weekday(); !c.Workdays[d] && wd != time.Saturday && wd != time.Sunday {
			w.minus = append(w.minus, d.days())
		}
	}
	slices.Sort(w.plus)
	slices.Sort(w.minus)
	return w
}

// mondayBase is the day number of Monday 0001-01-01, before any date a
// sheet holds, so weekday arithmetic relative to it is non-negative.
var mondayBase = Date{1, time.January, 1}.days()

// weekdaysThrough counts Mondays to Fridays from mondayBase through day n.
func weekdaysThrough(n int64) int64 {
	k := n - mondayBase
	return k/7*5 + min(k%7+1, 5)
}

// within counts the sorted days in (from, to].
func within(days []int64, from, to int64) int64 {
	i, _ := slices.BinarySearch(days, from+1)
	j, _ := slices.BinarySearch(days, to+1)
	return int64(j - i)
}

func (w dayCounter) between(from, to int64) int {
	if !w.business {
		return int(to - from)
	}
	sign := int64(1)
	if to < from {
		from, to, sign = to, from, -1
	}
	n := weekdaysThrough(to) - weekdaysThrough(from) + within(w.plus, from, to) - within(w.minus, from, to)
	return int(sign * n)
}

func (w dayCounter) add(d int64, n int) int64 {
	if n <= 0 {
		return d
	}
	if !w.business {
		return d + int64(n)
	}
	// between(d, e) grows with e; find the first e where it reaches n. Any
	// seven days hold five weekdays and each holiday takes at most one away,
	// which bounds the search.
	lo, hi := d+1, d+7*(int64(n+len(w.minus))/5+1)
	for lo < hi {
		mid := lo + (hi-lo)/2
		if w.between(d, mid) >= n {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
