package daemon_test

import (
	"sync"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/daemon"
)

// fakeClock is a Clock that moves only when the test says so.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*fakeTimer
	changed chan struct{} // closed and replaced whenever the timer set changes
}

type fakeTimer struct {
	clock *fakeClock
	at    time.Time
	c     chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, changed: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) daemon.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, at: c.now.Add(d), c: make(chan time.Time, 1)}
	if d <= 0 {
		t.c <- c.now
		return t
	}
	c.timers = append(c.timers, t)
	c.signal()
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			c.signal()
			return true
		}
	}
	return false
}

// signal wakes waiters; c.mu is held.
func (c *fakeClock) signal() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Advance moves the clock by d and fires the timers that are due; it returns
// how many fired.
func (c *fakeClock) Advance(d time.Duration) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	fired := 0
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.c <- c.now
		fired++
	}
	c.timers = kept
	if fired > 0 {
		c.signal()
	}
	return fired
}

// waitFor blocks until cond holds for the pending timers' deadlines (sorted
// by creation), failing the test after 10 real seconds: a guard against a
// hang, not a sleep.
func (c *fakeClock) waitFor(t *testing.T, what string, cond func(deadlines []time.Time) bool) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		var ds []time.Time
		for _, x := range c.timers {
			ds = append(ds, x.at)
		}
		ok := cond(ds)
		ch := c.changed
		c.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-timeout:
			t.Fatalf("timed out waiting for %s; pending timers at %v", what, ds)
		}
	}
}

// waitTimer blocks until exactly one timer is pending and returns its
// deadline.
func (c *fakeClock) waitTimer(t *testing.T) time.Time {
	t.Helper()
	var at time.Time
	c.waitFor(t, "one pending timer", func(ds []time.Time) bool {
		if len(ds) == 1 {
			at = ds[0]
			return true
		}
		return false
	})
	return at
}

// waitDeadline blocks until exactly one timer is pending, due at want.
func (c *fakeClock) waitDeadline(t *testing.T, want time.Time) {
	t.Helper()
	c.waitFor(t, "a timer at "+want.String(), func(ds []time.Time) bool {
		return len(ds) == 1 && ds[0].Equal(want)
	})
}
