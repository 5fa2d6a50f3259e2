package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

func (a *app) historyCmd() *cobra.Command {
	var sheet, column, format string
	cmd := &cobra.Command{
		Use:   "history KEY",
		Short: "Show every change of one row over the stored versions",
		Long: `history lists every change of the row with key KEY (for a compound key, its parts joined by
" / ", as the Change Log shows it) across the stored versions, oldest first: version, time,
change, column, old → new. With --column, only that column's changes.

Today this loads every stored version of the sheet once, oldest first, so it takes about as long
as restoring each of them; a later store index will answer it from the manifests alone.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			return a.withStore(ctx, func(cfg *config.Config, store *snapshot.Store) error {
				sheets, err := sheetsOf(cfg, sheet)
				if err != nil {
					return err
				}
				if len(sheets) != 1 {
					return &exitError{code: exitCantRun, err: fmt.Errorf("the configuration has %d sheets; name one with --sheet", len(sheets))}
				}
				return a.history(ctx, cfg, store, sheets[0], args[0], column, format)
			})
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "the sheet (needed when the config has several)")
	cmd.Flags().StringVar(&column, "column", "", "only this column's changes")
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json")
	return cmd
}

func (a *app) history(ctx context.Context, cfg *config.Config, store *snapshot.Store, s config.Sheet, key, column, format string) error {
	list, err := store.List(ctx, s.Name)
	if err != nil {
		return fmt.Errorf("list snapshots of %q: %w", s.Name, err)
	}
	series := make([]*audit.Table, len(list))
	ids := make([]string, len(list))
	times := make([]time.Time, len(list))
	for i, info := range list {
		ids[i], times[i] = info.ID, info.Time
		snap, err := store.Load(ctx, s.Name, info.ID)
		if errors.Is(err, audit.ErrInvalid) || errors.Is(err, audit.ErrNotFound) {
			// A damaged (or just removed) version is reported and skipped:
			// the rest of the history is still true.
			a.log.Warn("snapshot skipped: damaged", zap.String("sheet", s.Name), zap.String("snapshot", info.ID),
				zap.Error(err), zap.String("hint", "run sheetaudit snapshots verify --full"))
			continue
		}
		if err != nil {
			return fmt.Errorf("load snapshot %s: %w", info.ID, err)
		}
		t, err := audit.ParseTable(snap.Values, snap.HeaderRow, snap.Key)
		if err != nil {
			// One unreadable version must not hide the rest of the history.
			a.log.Warn("snapshot skipped: not readable as a table", zap.String("sheet", s.Name),
				zap.String("snapshot", info.ID), zap.Error(err))
			continue
		}
		// Keep only the row: memory stays flat however many versions.
		series[i] = audit.RowOf(t, key)
	}
	entries := audit.RowHistory(series, ids, times, key, column)
	if format == "json" {
		return writeJSON(a.stdout, nonNil(entries))
	}
	if len(entries) == 0 {
		_, err := fmt.Fprintf(a.stdout, "row %q is in none of the %d stored versions of sheet %q\n", key, len(list), s.Name)
		return err
	}
	loc := cfg.Location()
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SNAPSHOT\tTIME\tCHANGE\tCOLUMN\tOLD VALUE\tNEW VALUE")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Snapshot, e.Time.In(loc).Format(time.DateTime), e.Change,
			terminal(e.Column), terminal(e.Old), terminal(e.New))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.stdout, "%d entries for row %q over %d versions\n", len(entries), key, len(list))
	return err
}
