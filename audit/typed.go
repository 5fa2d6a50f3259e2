package audit

import (
	"math"
	"strconv"
	"time"
)

// scanTyped reads a cell's typed value (Snapshot.Typed) for a column of
// type typ. decided is false when the typed value says nothing about the
// type, and the displayed text is read instead: there is none, or it is of
// another kind (a date column holding the number 2026, which only a typed
// serial in the plausible range is taken for; a bool column holding a
// number). A decided value is authoritative: "5.10" shown is 5.1, and
// 46327 is 2026-11-01 however the sheet displays it.
//
// Serials are wall-clock time in zone, the spreadsheet's time zone. A date
// is a calendar day wherever it is seen; a date-time carries zone's UTC
// offset, so comparing it with a day in loc (the configuration's zone)
// moves it to loc first.
func scanTyped(typ, s string, zone, loc *time.Location) (num float64, when dateTime, ok, decided bool) {
	if s == "" {
		return 0, dateTime{}, false, false
	}
	switch typ {
	case TypeBool:
		return 0, dateTime{}, true, s == "TRUE" || s == "FALSE"
	case TypeNumber, TypeInteger, TypeDate, TypeDateTime:
	default:
		return 0, dateTime{}, false, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, dateTime{}, false, false
	}
	switch typ {
	case TypeNumber:
		return f, dateTime{}, true, true
	case TypeInteger:
		return f, dateTime{}, f == math.Trunc(f) && math.Abs(f) < 1<<53, true
	}
	v, ok := serialOf(f)
	if !ok {
		return 0, dateTime{}, false, false
	}
	if typ == TypeDateTime && zone != nil && loc != nil && zone != loc {
		_, off := v.in(zone).Zone()
		v.hasOffset, v.offset = true, off
	}
	return 0, v, true, true
}

// serialOf converts a sheet serial (days since 1899-12-30, the fraction
// being the time of day) in the plausible range of scanSerial.
func serialOf(f float64) (dateTime, bool) {
	days := math.Floor(f)
	if days < minSerial || days > maxSerial {
		return dateTime{}, false
	}
	return withDayFraction(dateTime{date: serialEpoch.addDays(int(days))}, f-days), true
}

// withDayFraction sets v's time of day from a fraction of a day, to the
// millisecond (sheets keep no finer time).
func withDayFraction(v dateTime, frac float64) dateTime {
	if frac <= 0 {
		return v
	}
	ms := int(math.Round(frac * 86400e3))
	if ms >= 86400e3 {
		ms = 86400e3 - 1
	}
	v.hour, v.min, v.sec, v.nsec = ms/3600e3, ms/60e3%60, ms/1e3%60, ms%1000*1e6
	return v
}

// typedDate returns the calendar day of a typed date cell, when it holds a
// serial in the plausible range.
func typedDate(s string) (civil, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if s == "" || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return civil{}, false
	}
	v, ok := serialOf(f)
	return v.date, ok
}
