package daemon_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/daemon"
)

// guard bounds every wait on the daemon in real time, so a bug fails the test
// instead of hanging it. Nothing waits for it in a passing run.
const guard = 10 * time.Second

var t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, shanghai()) // a Sunday

func shanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600) // no tzdata: same offset, no DST there
	}
	return loc
}

// done is what OnDone reports.
type done struct {
	job string
	res *audit.Result
	err error
}

// harness runs a daemon on a fake clock and collects finished runs.
type harness struct {
	d     *daemon.Daemon
	clock *fakeClock
	reg   *prometheus.Registry
	done  chan done
	stop  func() error
}

func start(t *testing.T, opts daemon.Options) *harness {
	t.Helper()
	h := &harness{clock: newFakeClock(t0), reg: prometheus.NewRegistry(), done: make(chan done, 100)}
	opts.Clock = h.clock
	opts.Logger = zaptest.NewLogger(t)
	opts.Metrics = daemon.NewMetrics(h.reg)
	if opts.Location == nil {
		opts.Location = shanghai()
	}
	opts.OnDone = func(j daemon.Job, res *audit.Result, err error) { h.done <- done{j.Name, res, err} }
	d, err := daemon.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.d = d
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()
	var once sync.Once
	var runErr error
	h.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-errc:
			case <-time.After(guard):
				runErr = errors.New("Run did not return after cancel")
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := h.stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return h
}

// next waits for the next finished run.
func (h *harness) next(t *testing.T) done {
	t.Helper()
	select {
	case d := <-h.done:
		return d
	case <-time.After(guard):
		t.Fatal("timed out waiting for a run to finish")
		return done{}
	}
}

func ok(name string) func(context.Context) (*audit.Result, error) {
	return func(context.Context) (*audit.Result, error) { return &audit.Result{Sheet: name, Rows: 3}, nil }
}

func TestNextRun(t *testing.T) {
	sh := shanghai()
	tests := []struct {
		spec  string
		after time.Time
		loc   *time.Location
		want  time.Time
	}{
		{"0 8 * * MON", t0, sh, time.Date(2026, 11, 30, 8, 0, 0, 0, sh)},
		// 08:00 Monday exactly: strictly after, so the week after.
		{"0 8 * * MON", time.Date(2026, 11, 30, 8, 0, 0, 0, sh), sh, time.Date(2026, 12, 7, 8, 0, 0, 0, sh)},
		// 00:30 UTC Monday is 08:30 in Shanghai: this Monday's run is past.
		{"0 8 * * MON", time.Date(2026, 11, 30, 0, 30, 0, 0, time.UTC), sh, time.Date(2026, 12, 7, 8, 0, 0, 0, sh)},
		// The same instant evaluated in UTC: Monday 08:00 UTC is still ahead.
		{"0 8 * * MON", time.Date(2026, 11, 30, 0, 30, 0, 0, time.UTC), nil, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)},
		{"@every 15m", t0, sh, t0.Add(15 * time.Minute)},
		{"@hourly", t0.Add(20 * time.Minute), sh, t0.Add(time.Hour)},
		{"@daily", t0, sh, time.Date(2026, 11, 30, 0, 0, 0, 0, sh)},
		{"*/10 9-18 * * 1-5", t0, sh, time.Date(2026, 11, 30, 9, 0, 0, 0, sh)},
	}
	for _, tt := range tests {
		got, err := daemon.NextRun(tt.spec, tt.after, tt.loc)
		if err != nil {
			t.Errorf("NextRun(%q, %v): %v", tt.spec, tt.after, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("NextRun(%q, %v) = %v, want %v", tt.spec, tt.after, got, tt.want)
		}
	}
}

func TestNextRunRejects(t *testing.T) {
	for _, spec := range []string{"", "61 * * * *", "0 0 8 * * MON", "@every", "@every 15x", "@fortnightly", "* * * *"} {
		if got, err := daemon.NextRun(spec, t0, nil); err == nil {
			t.Errorf("NextRun(%q) = %v, want an error", spec, got)
		}
	}
}

func TestNewRejects(t *testing.T) {
	run := ok("x")
	tests := []struct {
		name string
		opts daemon.Options
		want string
	}{
		{"bad schedule", daemon.Options{Jobs: []daemon.Job{{Name: "a", Schedule: "0 25 * * *", Run: run}}}, `job "a": parse schedule "0 25 * * *"`},
		{"duplicate", daemon.Options{Jobs: []daemon.Job{{Name: "a", Run: run}, {Name: "a", Run: run}}}, `job "a": duplicate name`},
		{"no name", daemon.Options{Jobs: []daemon.Job{{Run: run}}}, "job 0: empty name"},
		{"no run", daemon.Options{Jobs: []daemon.Job{{Name: "a"}}}, `job "a": no run function`},
		{"negative concurrency", daemon.Options{MaxConcurrent: -1}, "max concurrent -1"},
		{"negative timeout", daemon.Options{ShutdownTimeout: -time.Second}, "shutdown timeout -1s"},
	}
	for _, tt := range tests {
		_, err := daemon.New(tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New() error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// TestScheduleInTimeZone runs a weekly job at 08:00 Monday Shanghai time, not
// at 08:00 UTC nor at the machine's local time.
func TestScheduleInTimeZone(t *testing.T) {
	h := start(t, daemon.Options{Jobs: []daemon.Job{{Name: "weekly", Kind: daemon.KindReport, Schedule: "0 8 * * MON", Run: ok("weekly")}}})
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, shanghai())
	h.clock.waitDeadline(t, monday)
	if n := h.clock.Advance(monday.Sub(t0) - time.Second); n != 0 {
		t.Fatalf("a second before 08:00 Monday, %d timers fired, want 0", n)
	}
	if n := h.clock.Advance(time.Second); n != 1 {
		t.Fatalf("at 08:00 Monday, %d timers fired, want 1", n)
	}
	got := h.next(t)
	if got.job != "weekly" || !got.res.Started.Equal(monday) {
		t.Errorf("run = %s started %v, want weekly at %v", got.job, got.res.Started, monday)
	}
	h.clock.waitDeadline(t, monday.AddDate(0, 0, 7))
}

func TestScheduleEvery(t *testing.T) {
	var runs atomic.Int32
	h := start(t, daemon.Options{Jobs: []daemon.Job{{Name: "s", Schedule: "@every 15m", Run: func(context.Context) (*audit.Result, error) {
		runs.Add(1)
		return &audit.Result{}, nil
	}}}})
	for i := 1; i <= 3; i++ {
		h.clock.waitDeadline(t, t0.Add(time.Duration(i)*15*time.Minute))
		h.clock.Advance(15 * time.Minute)
		if got := h.next(t); got.job != "s" || got.err != nil {
			t.Fatalf("run %d = %+v", i, got)
		}
	}
	if got := runs.Load(); got != 3 {
		t.Errorf("runs after 45 minutes = %d, want 3", got)
	}
}

// TestOverlapSkipped: a tick that comes while the previous run still runs is
// skipped and counted, and the job runs again on the tick after it finished.
func TestOverlapSkipped(t *testing.T) {
	started, release := make(chan struct{}, 10), make(chan struct{})
	var runs, running, overlap atomic.Int32
	h := start(t, daemon.Options{Jobs: []daemon.Job{{Name: "slow", Schedule: "@every 1m", Run: func(context.Context) (*audit.Result, error) {
		if running.Add(1) > 1 {
			overlap.Add(1)
		}
		defer running.Add(-1)
		runs.Add(1)
		started <- struct{}{}
		<-release
		return &audit.Result{}, nil
	}}}})
	h.clock.waitTimer(t)
	h.clock.Advance(time.Minute)
	<-started
	h.clock.waitTimer(t)
	h.clock.Advance(time.Minute) // still running: skipped
	h.clock.waitTimer(t)         // re-armed, so the skip has been decided
	const want = `
# HELP sheetaudit_cycles_skipped_total Scheduled runs skipped because the previous run of the same job was still running.
# TYPE sheetaudit_cycles_skipped_total counter
sheetaudit_cycles_skipped_total{sheet="slow"} 1
`
	if err := testutil.GatherAndCompare(h.reg, strings.NewReader(want), "sheetaudit_cycles_skipped_total"); err != nil {
		t.Error(err)
	}
	release <- struct{}{}
	h.next(t)
	h.clock.Advance(time.Minute)
	<-started
	release <- struct{}{}
	h.next(t)
	if runs.Load() != 2 || overlap.Load() != 0 {
		t.Errorf("runs = %d, overlapping runs = %d; want 2 and 0", runs.Load(), overlap.Load())
	}
}

func TestMaxConcurrent(t *testing.T) {
	const jobs, limit = 6, 2
	started, release := make(chan string, jobs), make(chan struct{})
	var cur, peak atomic.Int32
	var list []daemon.Job
	for i := range jobs {
		name := string(rune('a' + i))
		list = append(list, daemon.Job{Name: name, RunAtStart: true, Run: func(context.Context) (*audit.Result, error) {
			n := cur.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			started <- name
			<-release
			cur.Add(-1)
			return &audit.Result{}, nil
		}})
	}
	h := start(t, daemon.Options{Jobs: list, MaxConcurrent: limit})
	ran := map[string]bool{}
	for range limit {
		ran[<-started] = true
	}
	// Each finished job frees one slot for exactly one waiting job.
	for range jobs - limit {
		release <- struct{}{}
		h.next(t)
		ran[<-started] = true
	}
	for range limit {
		release <- struct{}{}
		h.next(t)
	}
	if peak.Load() != limit || len(ran) != jobs {
		t.Errorf("peak concurrency = %d with %d jobs run; want %d and %d", peak.Load(), len(ran), limit, jobs)
	}
}

// TestShutdownWaitsForRunning: after ctx is cancelled a running job finishes
// undisturbed, its context still live, and Run returns nil.
func TestShutdownWaitsForRunning(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	ctxErr := make(chan error, 1)
	h := start(t, daemon.Options{ShutdownTimeout: time.Minute, Jobs: []daemon.Job{{Name: "s", RunAtStart: true, Run: func(ctx context.Context) (*audit.Result, error) {
		close(started)
		<-release
		ctxErr <- ctx.Err()
		return &audit.Result{}, nil
	}}}})
	<-started
	errc := make(chan error, 1)
	go func() { errc <- h.stop() }()
	// The only timer is the shutdown timeout: Run is draining.
	if at := h.clock.waitTimer(t); !at.Equal(t0.Add(time.Minute)) {
		t.Fatalf("shutdown timer at %v, want %v", at, t0.Add(time.Minute))
	}
	if r := h.d.Readiness(); r.Ready || !r.Stopping {
		t.Errorf("Readiness while draining = %+v, want not ready, stopping", r)
	}
	close(release)
	if err := <-errc; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	if err := <-ctxErr; err != nil {
		t.Errorf("job context during the grace period: %v, want live", err)
	}
	if got := h.next(t); got.err != nil {
		t.Errorf("drained job error = %v, want nil", got.err)
	}
}

// TestShutdownCancelsAfterTimeout: a job that does not finish within the
// timeout gets its context cancelled, and Run still returns; a job still
// waiting for a slot is never started.
func TestShutdownCancelsAfterTimeout(t *testing.T) {
	started := make(chan struct{})
	var secondRan atomic.Bool
	h := start(t, daemon.Options{ShutdownTimeout: 30 * time.Second, MaxConcurrent: 1, Jobs: []daemon.Job{
		{Name: "stubborn", RunAtStart: true, Run: func(ctx context.Context) (*audit.Result, error) {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		}},
		{Name: "queued", Schedule: "@every 1m", Run: func(context.Context) (*audit.Result, error) {
			secondRan.Store(true)
			return &audit.Result{}, nil
		}},
	}})
	<-started
	h.clock.waitTimer(t)
	h.clock.Advance(time.Minute) // queued is due, and waits for the one slot
	h.clock.waitTimer(t)
	errc := make(chan error, 1)
	go func() { errc <- h.stop() }()
	h.clock.waitDeadline(t, t0.Add(time.Minute+30*time.Second)) // the shutdown timeout
	h.clock.Advance(30 * time.Second)
	if err := <-errc; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	got := h.next(t)
	if got.job != "stubborn" || !errors.Is(got.err, context.Canceled) || got.res.Error != context.Canceled.Error() {
		t.Errorf("cancelled run = %s, %v, result error %q; want stubborn, context.Canceled", got.job, got.err, got.res.Error)
	}
	if secondRan.Load() {
		t.Error("a job waiting for a slot was started during shutdown")
	}
}

func TestReload(t *testing.T) {
	var ranA, ranB atomic.Int32
	count := func(n *atomic.Int32) func(context.Context) (*audit.Result, error) {
		return func(context.Context) (*audit.Result, error) { n.Add(1); return &audit.Result{}, nil }
	}
	h := start(t, daemon.Options{Jobs: []daemon.Job{{Name: "a", Schedule: "@every 1m", Run: count(&ranA)}}})
	h.clock.waitDeadline(t, t0.Add(time.Minute))

	err := h.d.Reload([]daemon.Job{{Name: "b", Schedule: "@every 2x", Run: count(&ranB)}})
	if err == nil || !strings.Contains(err.Error(), "previous jobs stay") {
		t.Fatalf("Reload(invalid) = %v, want an error saying the old jobs stay", err)
	}
	h.clock.Advance(time.Minute)
	if got := h.next(t); got.job != "a" {
		t.Fatalf("after a failed reload ran %q, want a", got.job)
	}

	// A valid set replaces the old one: a stops, b starts on its schedule,
	// and c (new, run at start) runs at once.
	if err := h.d.Reload([]daemon.Job{
		{Name: "b", Schedule: "@every 3m", Run: count(&ranB)},
		{Name: "c", RunAtStart: true, Run: ok("c")},
	}); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if got := h.next(t); got.job != "c" {
		t.Fatalf("after reload ran %q, want c", got.job)
	}
	// "@every 3m" ticks at multiples of three minutes, not three minutes
	// after the reload: replicas started apart share the ticks.
	h.clock.waitDeadline(t, t0.Add(3*time.Minute))
	h.clock.Advance(2 * time.Minute)
	if got := h.next(t); got.job != "b" {
		t.Fatalf("ran %q, want b", got.job)
	}
	if ranA.Load() != 1 || ranB.Load() != 1 {
		t.Errorf("runs a=%d b=%d, want 1 and 1", ranA.Load(), ranB.Load())
	}
	var sheets []string
	for _, s := range h.d.Readiness().Sheets {
		sheets = append(sheets, s.Sheet)
	}
	if diff := cmp.Diff([]string{"b", "c"}, sheets); diff != "" {
		t.Errorf("sheets after reload mismatch (-want +got):\n%s", diff)
	}
}

// TestFailureAndPanic: a failed and a panicking job are recorded as failed
// cycles and the daemon carries on.
func TestFailureAndPanic(t *testing.T) {
	var ids sync.Map
	h := start(t, daemon.Options{Jobs: []daemon.Job{
		{Name: "fails", RunAtStart: true, Run: func(ctx context.Context) (*audit.Result, error) {
			ids.Store("fails", daemon.CycleID(ctx))
			return &audit.Result{Sheet: "fails"}, audit.ErrNotFound
		}},
		{Name: "panics", RunAtStart: true, Run: func(context.Context) (*audit.Result, error) { panic("boom") }},
	}})
	got := map[string]done{}
	for range 2 {
		d := h.next(t)
		got[d.job] = d
	}
	if d := got["fails"]; !errors.Is(d.err, audit.ErrNotFound) || d.res.Error == "" {
		t.Errorf("fails: err %v, result error %q; want ErrNotFound recorded", d.err, d.res.Error)
	}
	if d := got["panics"]; d.err == nil || !strings.Contains(d.err.Error(), "panic: boom") {
		t.Errorf("panics: err %v, want a panic error", d.err)
	}
	if id, _ := ids.Load("fails"); id == "" || id == nil {
		t.Error("CycleID in the job's context is empty")
	}
	const want = `
# HELP sheetaudit_cycles_total Audit cycles finished, by sheet and result (success or failure).
# TYPE sheetaudit_cycles_total counter
sheetaudit_cycles_total{result="failure",sheet="fails"} 1
sheetaudit_cycles_total{result="failure",sheet="panics"} 1
sheetaudit_cycles_total{result="success",sheet="fails"} 0
sheetaudit_cycles_total{result="success",sheet="panics"} 0
`
	if err := testutil.GatherAndCompare(h.reg, strings.NewReader(want), "sheetaudit_cycles_total"); err != nil {
		t.Error(err)
	}
}

// TestHeldElsewhere: a run refused because another instance holds the
// sheet is counted as held elsewhere, not as a failure, and does not make
// the daemon unready; a scheduled run carries its tick.
func TestHeldElsewhere(t *testing.T) {
	var tick atomic.Value
	h := start(t, daemon.Options{Jobs: []daemon.Job{
		{Name: "s", Schedule: "@every 1m", Run: func(ctx context.Context) (*audit.Result, error) {
			tick.Store(daemon.Tick(ctx))
			return nil, &audit.HeldError{Sheet: "s", Holder: "replica-2", Until: t0.Add(time.Minute)}
		}},
	}})
	h.clock.waitDeadline(t, t0.Add(time.Minute))
	h.clock.Advance(time.Minute)
	if d := h.next(t); !errors.Is(d.err, audit.ErrHeld) {
		t.Fatalf("err %v, want ErrHeld", d.err)
	}
	if got, _ := tick.Load().(time.Time); !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("Tick = %v, want the activation %v", got, t0.Add(time.Minute))
	}
	const want = `
# HELP sheetaudit_cycles_held_elsewhere_total Scheduled runs skipped because another instance held the sheet's lease or had already run the tick.
# TYPE sheetaudit_cycles_held_elsewhere_total counter
sheetaudit_cycles_held_elsewhere_total{kind="cycle",sheet="s"} 1
# HELP sheetaudit_cycles_total Audit cycles finished, by sheet and result (success or failure).
# TYPE sheetaudit_cycles_total counter
sheetaudit_cycles_total{result="failure",sheet="s"} 0
sheetaudit_cycles_total{result="success",sheet="s"} 0
`
	if err := testutil.GatherAndCompare(h.reg, strings.NewReader(want), "sheetaudit_cycles_total", "sheetaudit_cycles_held_elsewhere_total"); err != nil {
		t.Error(err)
	}
	if r := h.d.Readiness(); !r.Ready {
		t.Errorf("readiness %+v, want ready: the other replica audits the sheet", r)
	}
}

func TestRunTwice(t *testing.T) {
	d, err := daemon.New(daemon.Options{Clock: newFakeClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Run(ctx); err != nil {
		t.Fatalf("Run with a cancelled context = %v, want nil", err)
	}
	if err := d.Run(ctx); err == nil {
		t.Error("second Run = nil, want an error")
	}
}
