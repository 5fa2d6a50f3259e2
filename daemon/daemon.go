package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Defaults for the zero values of Options.
const (
	DefaultMaxConcurrent   = 4
	DefaultShutdownTimeout = 30 * time.Second
)

// Options configures a Daemon. Zero values mean the documented defaults.
type Options struct {
	Jobs []Job
	// MaxConcurrent bounds the jobs running at once across all sheets;
	// default 4.
	MaxConcurrent int
	// ShutdownTimeout is how long a shutdown lets running jobs finish before
	// cancelling their context; default 30s.
	ShutdownTimeout time.Duration
	// Listen is the address of the HTTP listener for /healthz, /readyz and
	// /metrics, bound exactly as given; empty turns it off.
	Listen string
	// Listener, if set, is served instead of binding Listen; Run closes it.
	// Tests and socket activation use it.
	Listener net.Listener
	// Location is the time zone the schedules are evaluated in; default UTC.
	Location *time.Location
	Logger   *zap.Logger
	// Metrics receives every job outcome; nil creates metrics on a private
	// registry (see NewRegistry).
	Metrics *Metrics
	// Gatherer is what /metrics serves; default: the registry Metrics was
	// created with, if it is a Gatherer.
	Gatherer prometheus.Gatherer
	// Clock drives the scheduler and the shutdown timeout; default the wall
	// clock.
	Clock Clock
	// Build is published as sheetaudit_build_info.
	Build Build
	// OnDone, if set, is called after each job run has been recorded, from
	// the job's goroutine, with the result the metrics saw (never nil) and
	// the job's error. It must not block for long.
	OnDone func(job Job, res *audit.Result, err error)
}

// Daemon schedules and runs jobs. Create it with New and start it with Run.
type Daemon struct {
	opts    Options
	log     *zap.Logger
	clock   Clock
	metrics *Metrics
	gather  prometheus.Gatherer
	sem     chan struct{}
	seq     atomic.Uint64
	ran     atomic.Bool

	reloaded chan struct{} // a new job set is waiting; buffered, 1
	stopping chan struct{} // closed when Run starts shutting down
	runs     sync.WaitGroup

	mu      sync.Mutex
	entries []entry
	states  map[string]*state // by job name; survives reloads
	active  int               // jobs running or waiting for a slot
	runCtx  context.Context   // parent of every job's context while Run runs
	addr    net.Addr
}

// state is what the daemon remembers about one job.
type state struct {
	busy bool // running or waiting for a slot: the overlap guard
	// since is when the current run was dispatched.
	since time.Time
	// startPending: RunAtStart is set and the first run has not finished.
	startPending bool
	ran          bool
	last         time.Time // when the last run finished
	lastErr      string
}

// New validates the options and wires the daemon; it starts nothing.
func New(opts Options) (*Daemon, error) {
	entries, err := compile(opts.Jobs)
	if err != nil {
		return nil, fmt.Errorf("check jobs: %w", err)
	}
	if opts.MaxConcurrent < 0 {
		return nil, fmt.Errorf("max concurrent %d: must not be negative", opts.MaxConcurrent)
	}
	if opts.ShutdownTimeout < 0 {
		return nil, fmt.Errorf("shutdown timeout %s: must not be negative", opts.ShutdownTimeout)
	}
	if opts.MaxConcurrent == 0 {
		opts.MaxConcurrent = DefaultMaxConcurrent
	}
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	d := &Daemon{
		opts:     opts,
		log:      opts.Logger,
		clock:    opts.Clock,
		metrics:  opts.Metrics,
		gather:   opts.Gatherer,
		sem:      make(chan struct{}, opts.MaxConcurrent),
		reloaded: make(chan struct{}, 1),
		stopping: make(chan struct{}),
		entries:  entries,
		states:   make(map[string]*state, len(entries)),
	}
	if d.log == nil {
		d.log = zap.NewNop()
	}
	if d.clock == nil {
		d.clock = realClock{}
	}
	if d.metrics == nil {
		reg := NewRegistry()
		d.metrics = NewMetrics(reg)
	}
	if d.gather == nil {
		d.gather = d.metrics.gatherer
	}
	for _, e := range entries {
		d.states[e.job.Name] = &state{startPending: e.job.RunAtStart}
		d.metrics.Init(e.job.sheet(), e.job.Kind)
	}
	d.metrics.SetBuild(opts.Build)
	return d, nil
}

// Addr returns the address the HTTP listener is bound to, or nil when it is
// off or Run has not bound it yet.
func (d *Daemon) Addr() net.Addr {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.addr
}

// Reload swaps the job set. It is validated first: if it is invalid the old
// set stays and the error says why. Running jobs continue under their old
// definition; schedules of the new set take effect at once (a job whose name
// and schedule are unchanged keeps its next activation). Jobs new to the set
// with RunAtStart run right away. Safe to call before and during Run.
func (d *Daemon) Reload(jobs []Job) error {
	entries, err := compile(jobs)
	if err != nil {
		return fmt.Errorf("reload jobs: %w (the previous jobs stay in effect)", err)
	}
	d.mu.Lock()
	running := d.runCtx != nil
	keep := make(map[string]bool, len(entries))
	var added []Job
	for _, e := range entries {
		keep[e.job.Name] = true
		d.metrics.Init(e.job.sheet(), e.job.Kind)
		if _, ok := d.states[e.job.Name]; !ok {
			d.states[e.job.Name] = &state{startPending: e.job.RunAtStart}
			if e.job.RunAtStart {
				added = append(added, e.job)
			}
		}
	}
	var dropped []string
	var droppedJobs []Job
	for _, e := range d.entries {
		st := d.states[e.job.Name]
		// A dropped job that is still running keeps its state until it
		// finishes, so it cannot be started twice by a quick re-add.
		if !keep[e.job.Name] && st != nil && !st.busy {
			delete(d.states, e.job.Name)
			dropped = append(dropped, e.job.Name)
			droppedJobs = append(droppedJobs, e.job)
		}
	}
	d.entries = entries
	d.mu.Unlock()
	for _, j := range droppedJobs {
		d.metrics.Forget(j.sheet(), j.Kind)
	}
	select {
	case d.reloaded <- struct{}{}:
	default: // a reload is already pending; the loop reads the latest set
	}
	d.log.Info("jobs reloaded", zap.Int("jobs", len(entries)), zap.Strings("dropped", dropped))
	if running {
		for _, j := range added {
			d.dispatch(j, "reload", time.Time{})
		}
	}
	return nil
}

// Run starts the HTTP listener (if configured), runs the RunAtStart jobs and
// then every job on its schedule, until ctx is done. Then it stops
// scheduling, lets running jobs finish within ShutdownTimeout, cancels the
// context of those still running, waits for every goroutine it started and
// closes the listener. It returns nil after a shutdown, also when jobs had to
// be cancelled (each such job is logged and counted as failed); it returns an
// error if the listener cannot be bound or fails while serving.
func (d *Daemon) Run(ctx context.Context) error {
	if !d.ran.CompareAndSwap(false, true) {
		return errors.New("run daemon: already run (create a new one with New)")
	}
	ln := d.opts.Listener
	if ln == nil && d.opts.Listen != "" {
		var err error
		ln, err = net.Listen("tcp", d.opts.Listen)
		if err != nil {
			return fmt.Errorf("listen on %q: %w (is another sheetaudit running? change http.listen or set it to \"\")", d.opts.Listen, err)
		}
	}

	// Jobs get a context that outlives ctx, so a shutdown can let them
	// finish; it is cancelled only after the shutdown timeout.
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	loopCtx, stopLoop := context.WithCancel(ctx)
	defer stopLoop()

	var serveErr error
	var server sync.WaitGroup
	var srv *http.Server
	if ln != nil {
		srv = &http.Server{Handler: d.Handler(), ReadHeaderTimeout: 10 * time.Second}
		d.mu.Lock()
		d.addr = ln.Addr()
		d.mu.Unlock()
		d.log.Info("http listening", zap.Stringer("addr", ln.Addr()))
		server.Go(func() {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				serveErr = fmt.Errorf("serve http on %s: %w", ln.Addr(), err)
				stopLoop()
			}
		})
	}

	d.mu.Lock()
	d.runCtx = runCtx
	var atStart []Job
	for _, e := range d.entries {
		if e.job.RunAtStart {
			atStart = append(atStart, e.job)
		}
	}
	d.mu.Unlock()
	for _, j := range atStart {
		d.dispatch(j, "start", time.Time{})
	}

	d.schedule(loopCtx)

	d.log.Info("shutting down", zap.Duration("timeout", d.opts.ShutdownTimeout))
	d.mu.Lock()
	close(d.stopping) // under mu: dispatch checks it under mu
	d.mu.Unlock()
	done := make(chan struct{})
	go func() { d.runs.Wait(); close(done) }()
	t := d.clock.NewTimer(d.opts.ShutdownTimeout)
	select {
	case <-done:
		t.Stop()
	case <-t.C():
		d.mu.Lock()
		var names []string
		for name, st := range d.states {
			if st.busy {
				names = append(names, name)
			}
		}
		d.mu.Unlock()
		d.log.Warn("shutdown timeout: cancelling running jobs", zap.Strings("jobs", names))
		cancelRuns()
		<-done
	}

	if srv != nil {
		// Jobs are done, so nothing worth scraping is left; a stuck client
		// must not hold the exit.
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
		}
		cancel()
		server.Wait()
	}
	d.log.Info("stopped")
	return serveErr
}

// schedule fires jobs at their activations until ctx is done.
func (d *Daemon) schedule(ctx context.Context) {
	nexts := map[string]time.Time{}
	var entries []entry
	load := func() {
		d.mu.Lock()
		old := entries
		entries = d.entries
		d.mu.Unlock()
		now := d.clock.Now()
		prev := make(map[string]string, len(old))
		for _, e := range old {
			prev[e.job.Name] = e.job.Schedule
		}
		fresh := make(map[string]time.Time, len(entries))
		for _, e := range entries {
			if e.sched == nil {
				continue
			}
			if t, ok := nexts[e.job.Name]; ok && prev[e.job.Name] == e.job.Schedule {
				fresh[e.job.Name] = t
				continue
			}
			fresh[e.job.Name] = next(e.sched, now, d.opts.Location)
		}
		nexts = fresh
	}
	load()
	for {
		var first time.Time
		for _, t := range nexts {
			if first.IsZero() || t.Before(first) {
				first = t
			}
		}
		var fire <-chan time.Time
		var timer Timer
		if !first.IsZero() {
			timer = d.clock.NewTimer(first.Sub(d.clock.Now()))
			fire = timer.C()
		}
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return
		case <-d.reloaded:
			if timer != nil {
				timer.Stop()
			}
			load()
		case <-fire:
			now := d.clock.Now()
			// Due jobs go in the set's order, so that with few slots the
			// first-configured sheet is not starved by chance.
			for _, e := range entries {
				t, ok := nexts[e.job.Name]
				if !ok || t.After(now) {
					continue
				}
				d.dispatch(e.job, "schedule", t)
				// From now, not from t: after a stall (a suspended
				// machine) missed activations collapse into this one.
				nexts[e.job.Name] = next(e.sched, now, d.opts.Location)
			}
		}
	}
}

// dispatch starts a run of j for tick (zero outside the schedule) unless
// the previous one is still running or waiting for a slot, or the daemon
// is stopping.
func (d *Daemon) dispatch(j Job, why string, tick time.Time) {
	d.mu.Lock()
	select {
	case <-d.stopping:
		d.mu.Unlock()
		return
	default:
	}
	st := d.states[j.Name]
	if st == nil { // dropped by a reload between the loop's read and now
		d.mu.Unlock()
		return
	}
	if st.busy {
		since := st.since
		d.mu.Unlock()
		d.metrics.Skipped(j.Name)
		d.log.Warn("cycle skipped: previous still running",
			zap.String("sheet", j.Name), zap.Stringer("kind", j.Kind),
			zap.Duration("running_for", d.clock.Now().Sub(since)))
		return
	}
	st.busy, st.since = true, d.clock.Now()
	d.active++
	d.metrics.setRunning(d.active)
	ctx := d.runCtx
	d.mu.Unlock()

	d.runs.Go(func() { d.run(ctx, j, why, tick) })
}

// run waits for a slot, runs j and records the outcome.
func (d *Daemon) run(ctx context.Context, j Job, why string, tick time.Time) {
	select {
	case d.sem <- struct{}{}:
	case <-d.stopping:
		d.finish(j.Name, nil) // never start new work during a shutdown
		return
	}

	id := d.clock.Now().UTC().Format("20060102T150405Z") + "-" + strconv.FormatUint(d.seq.Add(1), 10)
	log := d.log.With(zap.String("sheet", j.Name), zap.String("cycle", id), zap.Stringer("kind", j.Kind))
	if !tick.IsZero() {
		log = log.With(zap.Time("tick", tick))
		ctx = context.WithValue(ctx, tickKey{}, tick)
	}
	log.Info("cycle started", zap.String("trigger", why))
	started := d.clock.Now()
	res, err := d.call(withCycleID(ctx, id), j)
	dur := d.clock.Now().Sub(started)
	<-d.sem

	if errors.Is(err, audit.ErrHeld) {
		// Another replica has the sheet: not a failure, and not this
		// instance's business until the next tick.
		d.metrics.HeldElsewhere(j.sheet(), j.Kind)
		log.Info(err.Error() + "; skipped")
		d.finish(j.Name, &audit.Result{Sheet: j.sheet(), Started: started})
		if d.opts.OnDone != nil {
			d.opts.OnDone(j, &audit.Result{Sheet: j.sheet(), Started: started}, err)
		}
		return
	}

	var r audit.Result
	if res != nil {
		r = *res
	}
	if r.Sheet == "" {
		r.Sheet = j.Name
	}
	if r.Started.IsZero() {
		r.Started = started
	}
	if r.Duration == 0 {
		r.Duration = dur
	}
	if err != nil && r.Error == "" {
		r.Error = err.Error()
	}
	failed := err != nil || r.Error != ""

	if j.Kind == KindReport {
		rerr := err
		if rerr == nil && failed {
			rerr = errors.New(r.Error)
		}
		d.metrics.ObserveReport(j.sheet(), rerr)
	} else {
		d.metrics.ObserveCycle(&r, err)
	}
	if failed {
		log.Error("cycle failed", zap.Duration("duration", dur), zap.String("error", r.Error))
	} else {
		log.Info("cycle finished", zap.Duration("duration", dur), zap.Bool("unchanged", r.Unchanged),
			zap.Int("rows", r.Rows), zap.Int("changes", r.Changes),
			zap.Int("findings", len(r.Findings)), zap.String("snapshot", r.Snapshot))
	}
	// The job is free again before OnDone, so whoever OnDone wakes sees the
	// next tick run it.
	d.finish(j.Name, &r)
	if d.opts.OnDone != nil {
		d.opts.OnDone(j, &r, err)
	}
}

// finish clears the overlap guard and records r, if the job ran.
func (d *Daemon) finish(name string, r *audit.Result) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if st := d.states[name]; st != nil {
		st.busy = false
		if r != nil {
			st.startPending, st.ran, st.last, st.lastErr = false, true, d.clock.Now(), r.Error
		}
		if !slices.ContainsFunc(d.entries, func(e entry) bool { return e.job.Name == name }) {
			delete(d.states, name) // dropped by a reload while it ran
		}
	}
	d.active--
	d.metrics.setRunning(d.active)
}

// call runs the job, turning a panic into an error: one sheet's bug must not
// take down a daemon that audits dozens.
func (d *Daemon) call(ctx context.Context, j Job) (res *audit.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			d.log.Error("job panicked", zap.String("sheet", j.Name), zap.Any("panic", p), zap.ByteString("stack", debug.Stack()))
			res, err = nil, fmt.Errorf("run %s %q: panic: %v", j.Kind, j.Name, p)
		}
	}()
	return j.Run(ctx)
}

type cycleIDKey struct{}

type tickKey struct{}

// Tick returns the scheduled activation the run whose context ctx is was
// started for, or the zero time for a run at start, after a reload, or
// outside the daemon. Replicas on one schedule compute the same ticks, so
// a job can use it to run each tick once across them.
func Tick(ctx context.Context) time.Time {
	t, _ := ctx.Value(tickKey{}).(time.Time)
	return t
}

func withCycleID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, cycleIDKey{}, id)
}

// CycleID returns the id the daemon gave the run whose context ctx is, or ""
// outside one. Jobs add it to their logger so every line of a cycle can be
// found with one search.
func CycleID(ctx context.Context) string {
	id, _ := ctx.Value(cycleIDKey{}).(string)
	return id
}
