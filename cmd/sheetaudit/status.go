package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

// sheetStatus is one line of `sheetaudit status`.
type sheetStatus struct {
	Sheet string        `json:"sheet"`
	Last  *audit.Result `json:"last_cycle,omitempty"`
	// Newest is the newest stored version, whoever stored it.
	Newest string `json:"newest_snapshot,omitempty"`
	// Unrecorded is set when a version newer than the last recorded cycle
	// exists: a later cycle (or a restore) stored it but its outcome was
	// never recorded, as when the state file cannot be written. The last
	// cycle's "ok" is then not the sheet's status.
	Unrecorded bool `json:"outcome_unrecorded,omitempty"`
}

func (a *app) statusCmd() *cobra.Command {
	var sheet, format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show each sheet's last cycle and newest snapshot, read from the store",
		Long: `Show each sheet's last cycle (time, result, duration, rows, findings, stale rows) and its
newest snapshot. It reads the store only, so it works while the daemon runs and after it stopped.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			return a.status(cmd.Context(), sheet, format)
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "only this sheet")
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json")
	return cmd
}

func (a *app) status(ctx context.Context, sheet, format string) error {
	return a.withStore(ctx, func(cfg *config.Config, store *snapshot.Store) error {
		return a.printStatus(ctx, cfg, store, sheet, format)
	})
}

func (a *app) printStatus(ctx context.Context, cfg *config.Config, store *snapshot.Store, sheet, format string) error {
	sheets, err := sheetsOf(cfg, sheet)
	if err != nil {
		return err
	}
	var out []sheetStatus
	for _, s := range sheets {
		st, err := store.LoadState(ctx, s.Name)
		if err != nil && !errors.Is(err, audit.ErrInvalid) {
			return fmt.Errorf("sheet %q: %w", s.Name, err)
		}
		ss := sheetStatus{Sheet: s.Name, Last: st.Last}
		if err != nil {
			// A damaged state file is this sheet's status, not the end of
			// everyone's.
			ss.Last = &audit.Result{Sheet: s.Name, Error: err.Error()}
		}
		list, err := store.List(ctx, s.Name)
		if err != nil && !errors.Is(err, audit.ErrNotFound) {
			return fmt.Errorf("sheet %q: %w", s.Name, err)
		}
		if len(list) > 0 {
			newest := list[len(list)-1]
			ss.Newest = newest.ID
			if l := ss.Last; l != nil && l.Error == "" && l.Snapshot != "" && newest.ID != l.Snapshot && newest.Time.After(l.Started) {
				ss.Unrecorded = true
			}
		}
		out = append(out, ss)
	}
	if format == "json" {
		return writeJSON(a.stdout, out)
	}
	loc := cfg.Location()
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "SHEET\tLAST CYCLE\tRESULT\tDURATION\tROWS\tERRORS\tWARNINGS\tSTALE\tNEWEST SNAPSHOT")
	for _, s := range out {
		if s.Last == nil {
			fmt.Fprintf(tw, "%s\tnever\t\t\t\t\t\t\t%s\n", s.Sheet, s.Newest)
			continue
		}
		l := s.Last
		result := "ok"
		switch {
		case l.Error != "":
			result = "failed: " + sentence(l.Error)
		case s.Unrecorded:
			result = "unknown: a later cycle or restore stored " + s.Newest + " but its outcome was not recorded (is the store's state writable? see the daemon's log)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", s.Sheet, l.Started.In(loc).Format(time.DateTime), result,
			l.Duration.Round(time.Millisecond), l.Rows, l.Errors, l.Warnings, l.Stale, s.Newest)
	}
	return tw.Flush()
}
