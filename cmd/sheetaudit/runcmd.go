package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/daemon"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

func (a *app) runCmd() *cobra.Command {
	var (
		once   bool
		sheet  string
		format string
	)
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Audit the configured sheets (--once: one cycle each, then exit)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			if !once {
				return a.runDaemon(cmd.Context(), cfg)
			}
			sheets, err := sheetsOf(cfg, sheet)
			if err != nil {
				return err
			}
			return a.runOnce(cmd.Context(), cfg, sheets, format)
		},
	}
	cmd.Flags().BoolVar(&once, "once", false, "run one cycle of each sheet and exit")
	cmd.Flags().StringVar(&sheet, "sheet", "", "only this sheet")
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json")
	return cmd
}

// runOnce runs one cycle of each sheet, independently: one failing sheet
// does not stop the others, and the exit code says whether any failed.
func (a *app) runOnce(ctx context.Context, cfg *config.Config, sheets []config.Sheet, format string) error {
	store, err := a.openStore(ctx, cfg)
	if err != nil {
		return &exitError{code: exitCantRun, err: err}
	}
	defer store.Close()
	var results []*audit.Result
	var failures, held []string
	skipped := map[*audit.Result]bool{}
	cantRun := false
	// Bounded like the daemon's cycles: each Google request retries within
	// the cycle deadline, and the cycle as a whole stops at it.
	deps := backendDeps{retryDeadline: cfg.Quotas.CycleDeadline, window: cfg.Quotas.Window, tokens: newTokens()}
	for _, s := range sheets {
		res, err := a.boundedCycle(ctx, cfg, s, store, deps, a.log, a.leaseWait)
		if errors.Is(err, audit.ErrHeld) {
			held = append(held, s.Name)
			skipped[res] = true
		} else if err != nil {
			a.log.Error("cycle failed", zap.String("sheet", s.Name), zap.Error(err))
			failures = append(failures, err.Error()) // it names the sheet
			cantRun = cantRun || couldNotRun(err)
		}
		results = append(results, res)
	}
	if format == "json" {
		if err := writeJSON(a.stdout, results); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			if skipped[r] {
				fmt.Fprintf(a.stdout, "%s; skipped\n", r.Error)
				continue
			}
			printResult(a.stdout, r)
		}
	}
	if len(failures) > 0 {
		err := fmt.Errorf("%d of %d sheets failed: %s", len(failures), len(sheets), strings.Join(failures, "; "))
		if cantRun {
			return &exitError{code: exitCantRun, err: err}
		}
		return failed(err)
	}
	if len(held) > 0 {
		return &exitError{code: exitHeld, err: fmt.Errorf("%d of %d sheets skipped because another instance holds them: %s",
			len(held), len(sheets), strings.Join(held, ", "))}
	}
	return nil
}

// boundedCycle is cycle within the configured cycle deadline. When the
// deadline passes, the error says so and names the step that was waiting
// (the rest of the chain).
func (a *app) boundedCycle(ctx context.Context, cfg *config.Config, s config.Sheet, store *snapshot.Store, deps backendDeps, log *zap.Logger, wait time.Duration) (*audit.Result, error) {
	if d := cfg.Quotas.CycleDeadline; d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	res, err := a.cycle(ctx, cfg, s, store, deps, log, wait)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = &deadlineError{deadline: cfg.Quotas.CycleDeadline, err: err}
		if res != nil {
			res.Error = err.Error()
		}
	}
	return res, err
}

// deadlineError is a cycle stopped by quotas.cycle_deadline.
type deadlineError struct {
	deadline time.Duration
	err      error
}

func (e *deadlineError) Error() string {
	return fmt.Sprintf("stopped at cycle_deadline (%s): %v", e.deadline, e.err)
}
func (e *deadlineError) Unwrap() error { return e.err }

// couldNotRun reports whether a cycle failed because something it depends
// on did not answer (the store, or anything past the cycle deadline)
// rather than because of the sheet: exit 2, not 1. A cycle that lost its
// lease to another instance ran and failed (exit 1), whatever request
// noticed the loss first.
func couldNotRun(err error) bool {
	if errors.Is(err, audit.ErrLeaseLost) {
		return false
	}
	var de *deadlineError
	return errors.As(err, &de) || errors.Is(err, snapshot.ErrStore)
}

// cycle runs one cycle of one sheet under the sheet's lease, waiting up to
// wait for another instance to release it, with the daemon's tick when it
// runs on a schedule. It always returns a result, so a failed or skipped
// sheet still shows in the summary; a sheet held elsewhere returns an
// error wrapping audit.ErrHeld.
func (a *app) cycle(ctx context.Context, cfg *config.Config, s config.Sheet, store *snapshot.Store, deps backendDeps, log *zap.Logger, wait time.Duration) (*audit.Result, error) {
	var res *audit.Result
	req := audit.LeaseRequest{Sheet: s.Name, Name: "cycle", Tick: daemon.Tick(ctx)}
	err := audit.Hold(ctx, waitLeaser{l: store, wait: wait}, req, func(ctx context.Context, lease audit.Lease) error {
		var err error
		res, err = a.leasedCycle(ctx, cfg, s, store, fencedState(lease, store), deps, log)
		return err
	})
	if res == nil {
		res = &audit.Result{Sheet: s.Name, Started: time.Now()}
	}
	if err != nil && res.Error == "" {
		res.Error = a.redact.String(err.Error())
	}
	return res, err
}

// leasedCycle is one cycle of one sheet, its state bound to the lease.
func (a *app) leasedCycle(ctx context.Context, cfg *config.Config, s config.Sheet, store *snapshot.Store, state audit.StateStore, deps backendDeps, log *zap.Logger) (*audit.Result, error) {
	wb, err := openWorkbook(ctx, s, log, deps)
	if err != nil {
		err = a.redact.Error(err)
		return &audit.Result{Sheet: s.Name, Started: time.Now(), Error: err.Error()}, err
	}
	defer closeWorkbook(wb, log)
	spec, err := specOf(cfg, s)
	if err != nil {
		return &audit.Result{Sheet: s.Name, Started: time.Now(), Error: err.Error()}, err
	}
	// The store's change log chain, and for Google sheets the access
	// audit and attribution when configured; the cycle asks them once
	// and names the editors of the window since the version last logged.
	who, err := whoOf(ctx, cfg, s, store, log, deps)
	if err != nil {
		err = a.redact.Error(err)
		return &audit.Result{Sheet: s.Name, Started: time.Now(), Error: err.Error()}, err
	}
	c := &audit.Cycle{
		Spec:     spec,
		Workbook: wb,
		Store:    store,
		State:    redactedState{StateStore: state, r: a.redact},
		Logger:   log,
		Location: cfg.Location(),
		Who:      who,
	}
	res, err := c.Run(ctx)
	if err != nil {
		// Errors from Google and the store pass the redactor before they
		// reach the result, the daemon's status and the logs.
		res.Error = a.redact.String(res.Error)
		return res, a.redact.Error(fmt.Errorf("sheet %q: %w", s.Name, err))
	}
	if r := cfg.Retention; !r.KeepAll() {
		pr, err := store.Prune(ctx, s.Name, policyOf(r), false)
		if err != nil {
			// The cycle did its job; a failed prune is retried next time.
			log.Warn("prune failed", zap.String("sheet", s.Name), zap.Error(err))
		} else if len(pr.Remove) > 0 {
			log.Info("pruned", zap.String("sheet", s.Name), zap.Int("removed", len(pr.Remove)), zap.Int("kept", len(pr.Keep)))
		}
	}
	return res, nil
}

func printResult(w io.Writer, r *audit.Result) {
	if r.Error != "" {
		fmt.Fprintf(w, "%s: FAILED: %s\n", r.Sheet, sentence(r.Error))
		return
	}
	state := "unchanged"
	switch {
	case r.NewSnapshot:
		state = "new"
	case r.Unchanged:
		state = "unchanged, not read: same version as the last cycle"
	}
	fmt.Fprintf(w, "%s: %d rows, %d columns", r.Sheet, r.Rows, r.Columns)
	if r.Blank > 0 {
		fmt.Fprintf(w, " (%d blank rows skipped)", r.Blank)
	}
	fmt.Fprintf(w, "; snapshot %s (%s); %d changes, %d change-log rows; %d errors, %d warnings",
		r.Snapshot, state, r.Changes, r.Logged, r.Errors, r.Warnings)
	if r.Stale > 0 || r.DueSoon > 0 {
		fmt.Fprintf(w, " (%d stale, %d due soon)", r.Stale, r.DueSoon)
	}
	fmt.Fprintf(w, "; %s\n", r.Duration.Round(time.Millisecond))
}
