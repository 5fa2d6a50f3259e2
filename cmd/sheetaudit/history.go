package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
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
		Args: exactArgs("KEY"),
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
	var series []*audit.Table
	var ids []string
	var times []time.Time
	var columns []string // every column any version has, first seen first
	n, err := audit.WalkVersions(ctx, store, s.Name, time.Time{}, func(snap *audit.Snapshot) error {
		t, err := audit.ParseTable(snap.Values, snap.HeaderRow, snap.Key)
		if err != nil {
			// One unreadable version must not hide the rest of the history.
			a.log.Warn("snapshot skipped: not readable as a table", zap.String("sheet", s.Name),
				zap.String("snapshot", snap.ID), zap.Error(err))
			return nil
		}
		for _, h := range t.Header {
			if !slices.Contains(columns, h) {
				columns = append(columns, h)
			}
		}
		// Keep only the row: memory stays flat however many versions.
		series, ids, times = append(series, audit.RowOf(t, key)), append(ids, snap.ID), append(times, snap.Time)
		return nil
	}, func(id string, err error) {
		a.log.Warn("snapshot skipped: damaged", zap.String("sheet", s.Name), zap.String("snapshot", id),
			zap.Error(err), zap.String("hint", "run sheetaudit snapshots verify --full"))
	})
	if err != nil {
		return err
	}
	if column != "" && n > 0 && !slices.Contains(columns, column) {
		return &exitError{code: exitCantRun, err: fmt.Errorf("no stored version of sheet %q has a column %q; its columns are: %s",
			s.Name, column, strings.Join(columns, ", "))}
	}
	entries := audit.RowHistory(series, ids, times, key, column)
	if format == "json" {
		return writeJSON(a.stdout, nonNil(entries))
	}
	if len(entries) == 0 {
		_, err := fmt.Fprintf(a.stdout, "row %q is in none of the %d stored versions of sheet %q\n", key, n, s.Name)
		return err
	}
	loc := cfg.Location()
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "SNAPSHOT\tTIME\tCHANGE\tCOLUMN\tOLD VALUE\tNEW VALUE")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Snapshot, e.Time.In(loc).Format(time.DateTime), e.Change,
			terminal(e.Column), terminal(e.Old), terminal(e.New))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.stdout, "%d entries for row %q over %d versions\n", len(entries), key, n)
	return err
}
