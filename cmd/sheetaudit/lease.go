package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

// waitLeaser asks again, for up to wait, while another instance holds the
// lease: one-shot commands wait briefly for a running cycle to finish.
type waitLeaser struct {
	l    audit.Leaser
	wait time.Duration
}

func (w waitLeaser) Acquire(ctx context.Context, req audit.LeaseRequest) (audit.Lease, error) {
	deadline := time.Now().Add(w.wait)
	for {
		l, err := w.l.Acquire(ctx, req)
		var held *audit.HeldError
		if !errors.As(err, &held) || held.Done || !time.Now().Before(deadline) {
			return l, err
		}
		pause := min(time.Until(deadline), 200*time.Millisecond)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(pause):
		}
	}
}

// leased runs fn under the lease name of sheet (see audit.LeaseRequest),
// waiting up to --lease-wait. A lease still held then is exit code 3.
func (a *app) leased(ctx context.Context, store *snapshot.Store, sheet, name string, fn func(ctx context.Context) error) error {
	err := audit.Hold(ctx, waitLeaser{l: store, wait: a.leaseWait}, audit.LeaseRequest{Sheet: sheet, Name: name},
		func(ctx context.Context, _ audit.Lease) error { return fn(ctx) })
	if errors.Is(err, audit.ErrHeld) {
		return heldExit(err)
	}
	return err
}

// leasedUnless is leased, or fn alone when skip is set (a dry run, which
// writes nothing, need not wait for a running cycle).
func (a *app) leasedUnless(ctx context.Context, skip bool, store *snapshot.Store, sheet, name string, fn func(ctx context.Context) error) error {
	if skip {
		return fn(ctx)
	}
	return a.leased(ctx, store, sheet, name, fn)
}

// heldExit marks a refusal for a held lease with its own exit code.
func heldExit(err error) error {
	return &exitError{code: exitHeld, err: fmt.Errorf("%w; try again later, or stop the other instance", err)}
}

// fencedState returns the state store bound to lease, so the cycle's
// state writes are fenced (snapshot/FORMAT.md, "Leases").
func fencedState(lease audit.Lease, store *snapshot.Store) audit.StateStore {
	if l, ok := lease.(*snapshot.Lease); ok {
		return l.State()
	}
	return store
}
