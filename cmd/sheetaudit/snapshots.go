package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

func (a *app) snapshotsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "snapshots", Short: "List, inspect, verify and prune stored versions",
		Long: `snapshots lists, inspects, verifies, prunes and exports the stored versions of each sheet.

Wherever a command takes a snapshot ID (here and in sheetaudit restore), it may be the full id
as snapshots list prints it, "latest" (the newest version), "latest~1" (the one before it, and so
on), or the start of an id that no other id starts with.`}
	cmd.AddCommand(append([]*cobra.Command{a.snapshotsListCmd()}, a.snapshotsSubcommands()...)...)
	return cmd
}

func (a *app) snapshotsListCmd() *cobra.Command {
	var sheet, format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Show the stored versions, oldest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			return a.listSnapshots(cmd.Context(), sheet, format)
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "only this sheet")
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json")
	return cmd
}

func (a *app) listSnapshots(ctx context.Context, sheet, format string) error {
	return a.withStore(ctx, func(cfg *config.Config, store *snapshot.Store) error {
		return a.printSnapshots(ctx, cfg, store, sheet, format)
	})
}

func (a *app) printSnapshots(ctx context.Context, cfg *config.Config, store *snapshot.Store, sheet, format string) error {
	sheets, err := sheetsOf(cfg, sheet)
	if err != nil {
		return err
	}
	all := []audit.SnapshotInfo{}
	var damaged []snapshot.Problem
	for _, s := range sheets {
		list, problems, err := store.ListProblems(ctx, s.Name)
		if err != nil {
			return fmt.Errorf("list snapshots of %q: %w", s.Name, err)
		}
		all = append(all, list...)
		damaged = append(damaged, problems...)
	}
	// A damaged manifest is reported and the listing goes on: the other
	// versions are intact and restorable.
	for _, p := range damaged {
		fmt.Fprintf(a.stderr, "sheetaudit: snapshot %s of sheet %q left out: %s\n", p.Snapshot, p.Sheet, p.Message)
	}
	if err := a.printSnapshotList(cfg, all, format); err != nil {
		return err
	}
	if len(damaged) > 0 {
		return failed(fmt.Errorf("%d damaged manifests (run sheetaudit snapshots verify --full; deleting a damaged manifest drops only that version)", len(damaged)))
	}
	return nil
}

func (a *app) printSnapshotList(cfg *config.Config, all []audit.SnapshotInfo, format string) error {
	if format == "json" {
		return writeJSON(a.stdout, all)
	}
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "SHEET\tID\tTIME\tROWS\tCOLUMNS\tBYTES")
	loc := cfg.Location()
	for _, s := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\n", s.Sheet, s.ID, s.Time.In(loc).Format(time.DateTime), s.Rows, s.Columns, s.Bytes)
	}
	return tw.Flush()
}
