package sheets

import (
	"context"
	"fmt"
	"strings"

	"go.uber.org/zap"
)

// call runs one API request with pacing, a per-attempt timeout and retries.
// The error returned is the last attempt's, untranslated.
//
// Retrying writes is safe here because every write sheets sends is
// idempotent or harmless to repeat: values.update and values.clear on fixed
// ranges, addSheet (a repeat answers "already exists"), and appendDimension
// (a repeat only adds empty rows to the grid).
func (w *Workbook) call(ctx context.Context, method string, write bool, fn func(ctx context.Context) error) error {
	return w.callWith(ctx, method, write, retryable, fn)
}

// callWith is call with the choice of which failures are retried: a write
// that is not idempotent retries only those that certainly did not apply.
// Successful writes are counted, so VersionAfterWrites can tell the
// spreadsheet's version steps that are sheetaudit's own.
func (w *Workbook) callWith(ctx context.Context, method string, write bool, retryable func(error) bool, fn func(ctx context.Context) error) error {
	r := w.opts.Retry
	lim := w.opts.ReadLimiter
	switch {
	case write:
		lim = w.opts.WriteLimiter
	case strings.HasPrefix(method, "drive."):
		lim = nil // Drive has its own quota, far above the Sheets one
	}
	deadline := w.opts.Now().Add(r.Deadline)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	for attempt := 0; ; attempt++ {
		if lim != nil {
			if err := lim.Wait(ctx); err != nil {
				return err
			}
		}
		err := w.attempt(ctx, fn)
		if m := w.opts.Metrics; m != nil {
			code := 200
			if err != nil {
				code = statusCode(err)
			}
			m.Request(method, code)
		}
		if err == nil {
			if write {
				w.writes.Add(1)
			}
			return nil
		}
		if c := statusCode(err); c == 400 || c == 404 {
			// Perhaps a tab was renamed, deleted or resized under us: read
			// the metadata again before the next operation.
			w.forget()
		}
		if ctx.Err() != nil || !retryable(err) || attempt+1 >= r.MaxAttempts {
			return err
		}
		backoff := r.Base << attempt
		if backoff > r.Cap || backoff <= 0 { // <= 0: shifted past int64
			backoff = r.Cap
		}
		delay := r.Jitter(backoff)
		if ra := retryAfter(err, w.opts.Now()); ra > delay {
			delay = ra
		}
		if w.opts.Now().Add(delay).After(deadline) {
			return err
		}
		if m := w.opts.Metrics; m != nil {
			m.Retry(method)
		}
		w.log.Warn("retry sheets request",
			zap.String("method", method), zap.Int("code", statusCode(err)),
			zap.Int("attempt", attempt+1), zap.Duration("delay", delay), zap.Error(err))
		if serr := r.Sleep(ctx, delay); serr != nil {
			return fmt.Errorf("%w; retry abandoned: %w", err, serr)
		}
	}
}

// attempt bounds one try, so a connection that hangs becomes a retryable
// timeout instead of blocking a cycle forever.
func (w *Workbook) attempt(ctx context.Context, fn func(ctx context.Context) error) error {
	actx, cancel := context.WithTimeout(ctx, w.opts.Retry.AttemptTimeout)
	defer cancel()
	err := fn(actx)
	if err != nil && ctx.Err() == nil && actx.Err() != nil {
		return &attemptTimeout{err: err}
	}
	return err
}

// attemptTimeout marks an attempt cut by AttemptTimeout (not by the caller's
// context) as a network timeout, which is retried.
type attemptTimeout struct{ err error }

func (e *attemptTimeout) Error() string   { return "attempt timed out: " + e.err.Error() }
func (e *attemptTimeout) Unwrap() error   { return e.err }
func (e *attemptTimeout) Timeout() bool   { return true }
func (e *attemptTimeout) Temporary() bool { return true }
