// Package holidays supplies official calendars of days off and make-up
// workdays, so that business-day staleness follows them without anyone
// retyping the State Council's notice every December. The table comes
// from a maintained module (github.com/6tail/lunar-go's HolidayUtil, which
// records each 放假 day and each 调休 workday since 2001); updating that
// module updates the calendar.
//
// Import rule: holidays imports audit and its data module only; cmd maps
// staleness.calendar onto it and passes the days to audit.Calendar.
package holidays

import (
	"fmt"
	"slices"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Table is one country's official days.
type Table struct {
	// Holidays are the days off (放假), weekends inside a holiday included.
	Holidays map[audit.Date]bool
	// Workdays are the make-up working days (调休上班), usually weekends.
	Workdays map[audit.Date]bool
	// Years lists the years whose whole arrangement the table holds, in
	// order: a year counts once its National Day (国庆) arrangement, the
	// last of the year, is in.
	Years []int
}

// Covers reports whether the table holds year's arrangement.
func (t Table) Covers(year int) bool { return slices.Contains(t.Years, year) }

// Last is the last year covered, 0 for none.
func (t Table) Last() int {
	if len(t.Years) == 0 {
		return 0
	}
	return t.Years[len(t.Years)-1]
}

// firstYear is the first year of the data source.
const firstYear = 2002

// CN returns mainland China's official holidays and make-up workdays for
// every year the data source holds, up to the year after now.
func CN(now time.Time) (Table, error) {
	t := Table{Holidays: map[audit.Date]bool{}, Workdays: map[audit.Date]bool{}}
	for y := firstYear - 1; y <= now.Year()+1; y++ {
		national := false
		for e := HolidayUtil.GetHolidaysByYear(y).Front(); e != nil; e = e.Next() {
			h, ok := e.Value.(*HolidayUtil.Holiday)
			if !ok {
				return Table{}, fmt.Errorf("holiday table of %d: unexpected entry %T", y, e.Value)
			}
			d, err := audit.ParseISODate(h.GetDay())
			if err != nil {
				return Table{}, fmt.Errorf("holiday table of %d: day %q: %w", y, h.GetDay(), err)
			}
			if h.IsWork() {
				t.Workdays[d] = true
			} else {
				t.Holidays[d] = true
			}
			if tgt, err := audit.ParseISODate(h.GetTarget()); err == nil && tgt.Y == y && tgt.M == time.October && tgt.D == 1 {
				national = true
			}
		}
		if national {
			t.Years = append(t.Years, y)
		}
	}
	return t, nil
}

// Merge puts the table's days and the configured ones together: the
// configured holidays and workdays add to the table's and win where they
// disagree (a company that works on an official day off lists it as a
// workday).
func (t Table) Merge(holidays, workdays map[audit.Date]bool) (h, w map[audit.Date]bool) {
	h, w = make(map[audit.Date]bool, len(t.Holidays)+len(holidays)), make(map[audit.Date]bool, len(t.Workdays)+len(workdays))
	for d := range t.Holidays {
		h[d] = true
	}
	for d := range t.Workdays {
		w[d] = true
	}
	for d := range holidays {
		h[d] = true
		delete(w, d)
	}
	for d := range workdays {
		w[d] = true
		delete(h, d)
	}
	return h, w
}
