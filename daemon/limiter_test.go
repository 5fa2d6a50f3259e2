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
		limit     rate.Limit
		burst     int
	}{
		{60, 1, 6},
		{300, 5, 30},
		{5, rate.Limit(5.0 / 60), 1},
		{0, rate.Inf, 1},
	}
	for _, tt := range tests {
		l := daemon.NewLimiter(tt.perMinute)
		if diff := float64(l.Limit() - tt.limit); diff > 1e-9 || diff < -1e-9 || l.Burst() != tt.burst {
			t.Errorf("NewLimiter(%d) = limit %v burst %d, want %v and %d", tt.perMinute, l.Limit(), l.Burst(), tt.limit, tt.burst)
		}
	}
}

// TestLimiterPaces: requests over the budget are spread over the minute, not
// refused: 60 a minute with a burst of 6 lets 6 go at once, and the 66th
// waits a further minute.
func TestLimiterPaces(t *testing.T) {
	l := daemon.NewLimiter(60)
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	var delays []time.Duration
	for range 66 {
		r := l.ReserveN(now, 1)
		if !r.OK() {
			t.Fatal("reservation refused; requests over the limit must wait, not fail")
		}
		delays = append(delays, r.DelayFrom(now))
	}
	if delays[5] != 0 || delays[6] != time.Second || delays[65] != time.Minute {
		t.Errorf("delays of requests 6, 7 and 66 = %v, %v, %v; want 0, 1s, 1m", delays[5], delays[6], delays[65])
	}
}
