package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrHeld marks a refusal because another instance holds a sheet's lease,
// or has already done the scheduled run asked for. Errors wrapping it are
// *HeldError.
var ErrHeld = errors.New("held by another instance")

// ErrLeaseLost marks work stopped because its lease expired before it could
// be renewed, or another instance took it over: whatever was not written
// yet is left to the new holder.
var ErrLeaseLost = errors.New("lease lost")

// HeldError says who holds a sheet's lease and until when.
type HeldError struct {
	Sheet  string
	Holder string
	Until  time.Time
	// Done is set when the lease is free but the scheduled run asked for
	// (LeaseRequest.Tick) was already done by Holder.
	Done bool
}

func (e *HeldError) Error() string {
	if e.Done {
		return fmt.Sprintf("sheet %s: instance %s already ran this tick", e.Sheet, e.Holder)
	}
	return fmt.Sprintf("sheet %s: instance %s holds it until %s", e.Sheet, e.Holder, e.Until.UTC().Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrHeld) true.
func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// LeaseRequest names the lease wanted.
type LeaseRequest struct {
	Sheet string
	// Name tells leases of one sheet apart: "cycle" for everything that
	// writes the sheet's state or tabs (cycles, restores, prunes),
	// "report" for the weekly report.
	Name string
	// Tick is the scheduled activation this run is for; zero for runs
	// outside a schedule. A lease whose previous holder finished the same
	// or a later tick is refused with HeldError.Done, so replicas that
	// share a schedule run each tick once.
	Tick time.Time
}

// Leaser grants one instance at a time, across processes and machines,
// the right to work on a sheet.
type Leaser interface {
	// Acquire takes the lease, taking over an expired one. It returns an
	// error wrapping *HeldError when another instance's lease is live or
	// the tick is done. Not idempotent: each success is a new lease.
	Acquire(ctx context.Context, req LeaseRequest) (Lease, error)
}

// Lease is a lease held by this instance. Its methods are safe for
// concurrent use.
type Lease interface {
	// Expires is when the lease ends unless renewed, on this process's
	// clock (time.Now's monotonic reading, so a stalled or suspended
	// process sees its lease expire even if the wall clock is changed).
	Expires() time.Time
	// Renew extends the lease. It fails with ErrLeaseLost when another
	// instance took the lease over since; the lease is then gone.
	Renew(ctx context.Context) error
	// Release ends the lease so the next instance need not wait for its
	// expiry, recording the request's tick as done. Idempotent; a lease
	// already lost is not an error.
	Release(ctx context.Context) error
}

// Hold runs fn while holding the lease req, renewing it every third of
// its remaining time. fn's context is cancelled, with cause ErrLeaseLost,
// when a renewal finds the lease taken over or the lease expires without
// one (a process stopped past its expiry sees that as soon as it runs
// again: the context checks the expiry whenever it is consulted). The
// lease is released when fn returns. A refused lease returns Acquire's
// error and does not call fn.
func Hold(ctx context.Context, l Leaser, req LeaseRequest, fn func(ctx context.Context, lease Lease) error) error {
	lease, err := l.Acquire(ctx, req)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithCancelCause(ctx)
	lc := &leaseCtx{Context: cctx, cancel: cancel, lease: lease}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() { lc.keep(stop) })
	err = fn(lc, lease)
	close(stop)
	wg.Wait()
	lost := context.Cause(lc)
	cancel(nil)
	// Release even when ctx ended, so the next instance can start now.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer rcancel()
	if rerr := lease.Release(rctx); rerr != nil && err == nil {
		err = fmt.Errorf("release lease of sheet %q: %w", req.Sheet, rerr)
	}
	if err != nil && errors.Is(lost, ErrLeaseLost) && !errors.Is(err, ErrLeaseLost) {
		err = fmt.Errorf("%w (%w)", err, lost)
	}
	return err
}

// leaseCtx is a context that ends when its lease does.
type leaseCtx struct {
	context.Context
	cancel context.CancelCauseFunc
	lease  Lease
}

// Done checks the expiry first, so work resumed after a stall stops at
// its next blocking step instead of racing the renewal goroutine.
func (c *leaseCtx) Done() <-chan struct{} { c.check(); return c.Context.Done() }

// Err checks the expiry first, like Done.
func (c *leaseCtx) Err() error { c.check(); return c.Context.Err() }

func (c *leaseCtx) check() {
	exp := c.lease.Expires()
	if !time.Now().Before(exp) {
		c.cancel(fmt.Errorf("lease expired at %s before it was renewed: %w", exp.Format(time.RFC3339), ErrLeaseLost))
	}
}

// keep renews the lease until stop is closed or the lease is lost.
func (c *leaseCtx) keep(stop <-chan struct{}) {
	for {
		left := time.Until(c.lease.Expires())
		t := time.NewTimer(max(left/3, 10*time.Millisecond))
		select {
		case <-stop:
			t.Stop()
			return
		case <-c.Context.Done():
			t.Stop()
			return
		case <-t.C:
		}
		c.check()
		if c.Context.Err() != nil {
			return
		}
		err := c.lease.Renew(c.Context)
		if errors.Is(err, ErrLeaseLost) {
			c.cancel(err)
			return
		}
		// Other errors (the store briefly unreachable) are retried at the
		// next third; the expiry check ends the work if they persist.
	}
}
