package sheets

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// simClock is simulated time shared by a limiter and the emulator's quota.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *simClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// simLimiter is a rate.Limiter that waits in simulated time: it reserves a
// token at the clock's now and moves the clock past the delay, so a test
// sees exactly the pacing a real limiter would impose, without sleeping.
type simLimiter struct {
	mu    sync.Mutex
	clock *simClock
	lim   *rate.Limiter
	waits int
}

func (l *simLimiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.lim.ReserveN(l.clock.Now(), 1)
	if d := r.DelayFrom(l.clock.Now()); d > 0 {
		l.waits++
		l.clock.advance(d)
	}
	return ctx.Err()
}

// TestQuotaPacing sends many more reads than the per-minute quota allows
// through a limiter sized to that quota: the requests are spread over
// several minutes and none is refused.
func TestQuotaPacing(t *testing.T) {
	clock := &simClock{t: time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)}
	srv := sheetstest.Start(t, sheetstest.Options{Quota: &sheetstest.Quota{Read: 60, Write: 60, Now: clock.Now}})
	if err := srv.CreateSpreadsheet("paced", "p", "Data"); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetValues("paced", "Data", [][]string{{"id"}, {"1"}}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// Without a limiter, a burst over the quota is refused by the API.
	bare, err := New(ctx, Options{SpreadsheetID: "paced", Endpoint: srv.URL(), Retry: Retry{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	var refused error
	for i := 0; i < 80 && refused == nil; i++ {
		_, refused = bare.ReadTab(ctx, "Data")
	}
	if !errors.Is(refused, audit.ErrUnavailable) {
		t.Fatalf("a burst over the quota without a limiter: err = %v, want a 429 as ErrUnavailable", refused)
	}

	// With a limiter sized like the daemon's (daemon.NewLimiter(60): burst 6,
	// refill 54 a minute, so no minute exceeds 60) on simulated time.
	clock.advance(time.Hour)
	lim := &simLimiter{clock: clock, lim: rate.NewLimiter(rate.Limit(54.0/60), 6)}
	paced, err := New(ctx, Options{SpreadsheetID: "paced", Endpoint: srv.URL(), ReadLimiter: lim, Retry: Retry{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	// The first ReadTab reads metadata and values, each later one values
	// only (a Workbook reads its metadata once): 200 read requests.
	const reads = 199
	for i := 0; i < reads; i++ {
		if _, err := paced.ReadTab(ctx, "Data"); err != nil {
			t.Fatalf("read %d with the limiter: %v", i, err)
		}
	}
	// 200 requests at 0.9 a second after a burst of 6 take at least 215 s.
	if took := clock.Now().Sub(start); took < 215*time.Second {
		t.Errorf("200 paced requests took %v of simulated time, want at least 215s", took)
	}
	if lim.waits == 0 {
		t.Error("the limiter never made a request wait")
	}
}
