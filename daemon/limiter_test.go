package daemon_test

import (
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/sheetaudit/sheetaudit/daemon"
)

func TestNewLimiter(t *testing.T) {
	tests := []struct {
		perMinute int
		window    time.Duration
		limit     rate.Limit
		burst     int
	}{
		{60, 0, rate.Limit(54.0 / 60), 6},
		{60, time.Minute, rate.Limit(54.0 / 60), 6},
		{300, 0, rate.Limit(270.0 / 60), 30},
		{5, 0, rate.Limit(4.0 / 60), 1},
		{1, 0, rate.Limit(1.0 / 60), 1},
		{0, 0, rate.Inf, 1},
		// A 6-second quota "minute" (benchmarks): ten times the rate.
		{60, 6 * time.Second, rate.Limit(54.0 / 6), 6},
	}
	for _, tt := range tests {
		l := daemon.NewLimiter(tt.perMinute, tt.window)
		if diff := float64(l.Limit() - tt.limit); diff > 1e-9 || diff < -1e-9 || l.Burst() != tt.burst {
			t.Errorf("NewLimiter(%d, %s) = limit %v burst %d, want %v and %d", tt.perMinute, tt.window, l.Limit(), l.Burst(), tt.limit, tt.burst)
		}
	}
}

// TestLimiterPaces: requests over the budget are spread over the minute, not
// refused, and no minute-long window ever holds more than the quota: 60 a
// minute lets 6 go at once, then one every 1.11 s.
func TestLimiterPaces(t *testing.T) {
	l := daemon.NewLimiter(60, 0)
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	var at []time.Duration
	for range 200 {
		r := l.ReserveN(now, 1)
		if !r.OK() {
			t.Fatal("reservation refused; requests over the limit must wait, not fail")
		}
		at = append(at, r.DelayFrom(now))
	}
	if at[5] != 0 || at[6] == 0 {
		t.Errorf("requests 6 and 7 wait %v and %v; want the burst of 6 at once, then pacing", at[5], at[6])
	}
	for i := range at {
		n := 0
		for j := i; j < len(at) && at[j]-at[i] < time.Minute; j++ {
			n++
		}
		if n > 60 {
			t.Fatalf("%d requests in the minute from %v; the quota is 60", n, at[i])
		}
	}
}
