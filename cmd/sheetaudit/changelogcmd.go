package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

func (a *app) changelogCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "changelog",
		Short: "Verify the store's change log chain, check the Change Log tab against it, rebuild the tab",
		Long: "The store keeps each sheet's canonical change log as a hash chain (sheets/<name>/changelog/).\n" +
			"verify proves the chain intact; check compares the Change Log tab with it (--repair appends\n" +
			"the missing rows back); rebuild rewrites the tab from it.",
	}
	cmd.AddCommand(a.changelogVerifyCmd(), a.changelogCheckCmd(), a.changelogRebuildCmd())
	return cmd
}

func (a *app) changelogVerifyCmd() *cobra.Command {
	var sheet string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check every entry of the store's change log chain; exit 1 naming the first broken entry",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return a.withStore(ctx, func(cfg *config.Config, store *snapshot.Store) error {
				sheets, err := sheetsOf(cfg, sheet)
				if err != nil {
					return err
				}
				broken := 0
				for _, s := range sheets {
					entries, p, err := store.VerifyChangelog(ctx, s.Name)
					if err != nil {
						return &exitError{code: exitCantRun, err: fmt.Errorf("sheet %q: %w", s.Name, err)}
					}
					rows := 0
					for _, e := range entries {
						rows += len(e.Rows)
					}
					if p != nil {
						broken++
						fmt.Fprintf(a.stdout, "%s: BROKEN after %d good entries: %s\n", s.Name, len(entries), p)
						continue
					}
					fmt.Fprintf(a.stdout, "%s: %d entries, %d rows, chain intact\n", s.Name, len(entries), rows)
				}
				if broken > 0 {
					return failed(fmt.Errorf("%d change log chain(s) broken; the store was altered outside sheetaudit: restore the folder from a backup, or keep the good entries and investigate", broken))
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "only this sheet")
	return cmd
}

// withChangeLogs runs fn for each sheet (or --sheet) with its workbook,
// skipping sheets whose Change Log is turned off.
func (a *app) withChangeLogs(ctx context.Context, sheet string, fn func(cfg *config.Config, store *snapshot.Store, s config.Sheet, wb audit.Workbook) error) error {
	return a.withStore(ctx, func(cfg *config.Config, store *snapshot.Store) error {
		sheets, err := sheetsOf(cfg, sheet)
		if err != nil {
			return err
		}
		var errs []error
		for _, s := range sheets {
			if s.WriteBack.ChangeLogTab == "" {
				fmt.Fprintf(a.stdout, "%s: no Change Log tab configured; skipped\n", s.Name)
				continue
			}
			wb, err := openWorkbook(ctx, s, a.log, backendDeps{})
			if err != nil {
				return &exitError{code: exitCantRun, err: err}
			}
			err = fn(cfg, store, s, wb)
			closeWorkbook(wb, a.log)
			if err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return errs[0]
		}
		return nil
	})
}

func (a *app) changelogCheckCmd() *cobra.Command {
	var sheet string
	var repair bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Compare the Change Log tab with the store's chain; exit 1 when rows were deleted, edited or moved",
		Long: "check reads the Change Log tab and lists its rows that were deleted, edited or moved since\n" +
			"sheetaudit wrote them, as recorded in the store's chain. With --repair it appends the missing\n" +
			"rows back, their Cycle cell marked \"(" + audit.RestoredMark + ")\" (nothing else in the tab changes).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			bad := 0
			err := a.withChangeLogs(ctx, sheet, func(cfg *config.Config, store *snapshot.Store, s config.Sheet, wb audit.Workbook) error {
				tab := s.WriteBack.ChangeLogTab
				res, err := audit.CheckChangeLog(ctx, wb, store, s.Name, tab, cfg.Locale)
				if err != nil {
					return &exitError{code: exitCantRun, err: fmt.Errorf("sheet %q: %w", s.Name, err)}
				}
				for _, f := range res.Findings {
					where := "-"
					if f.Row > 0 {
						where = fmt.Sprintf("row %d", f.Row)
					}
					fmt.Fprintf(a.stdout, "%s: %s %s: %s\n", s.Name, f.Rule, where, f.Message)
				}
				bad += len(res.Findings)
				switch {
				case len(res.Restore) == 0:
				case repair:
					// The cycle's lease: a running cycle appends to the same tab.
					err := a.leased(ctx, store, s.Name, "cycle", func(ctx context.Context) error {
						return audit.RepairChangeLog(ctx, wb, tab, res)
					})
					if errors.Is(err, audit.ErrHeld) {
						return err
					}
					if err != nil {
						return &exitError{code: exitCantRun, err: fmt.Errorf("sheet %q: %w", s.Name, err)}
					}
					fmt.Fprintf(a.stdout, "%s: %d rows appended back to %q\n", s.Name, len(res.Restore), tab)
				default:
					fmt.Fprintf(a.stdout, "%s: %d rows missing from %q; run with --repair to append them back\n", s.Name, len(res.Restore), tab)
				}
				fmt.Fprintf(a.stdout, "%s: %d chain rows checked, %d problems\n", s.Name, res.Checked, len(res.Findings))
				return nil
			})
			if err != nil {
				return err
			}
			if bad > 0 {
				return failed(fmt.Errorf("%d Change Log rows differ from the store's change log", bad))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "only this sheet")
	cmd.Flags().BoolVar(&repair, "repair", false, "append the missing rows back to the tab")
	return cmd
}

func (a *app) changelogRebuildCmd() *cobra.Command {
	var sheet string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "rebuild --sheet NAME",
		Short: "Rewrite the Change Log tab from the store's chain",
		Long: "rebuild replaces the Change Log tab with its header, the rows written before the chain existed,\n" +
			"and every row of the store's chain in order. Only the Change Log tab is written; the data tab is\n" +
			"never touched. --dry-run shows what would be written.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if sheet == "" {
				return &exitError{code: exitCantRun, err: fmt.Errorf("rebuild needs --sheet: it rewrites that sheet's Change Log tab")}
			}
			ctx := cmd.Context()
			return a.withChangeLogs(ctx, sheet, func(cfg *config.Config, store *snapshot.Store, s config.Sheet, wb audit.Workbook) error {
				tab := s.WriteBack.ChangeLogTab
				entries, err := store.ChangeHistory(ctx, s.Name)
				if err != nil {
					return &exitError{code: exitFailed, err: fmt.Errorf("sheet %q: %w", s.Name, err)}
				}
				var rb audit.ChangeLogRebuild
				// The cycle's lease: a running cycle appends to the same tab.
				err = a.leasedUnless(ctx, dryRun, store, s.Name, "cycle", func(ctx context.Context) (err error) {
					if rb, err = audit.RebuildChangeLogTab(ctx, wb, tab, entries, dryRun); err != nil {
						err = &exitError{code: exitCantRun, err: fmt.Errorf("sheet %q: %w", s.Name, err)}
					}
					return err
				})
				if err != nil {
					return err
				}
				if dryRun {
					fmt.Fprintf(a.stdout, "%s: would replace the %d rows of %q with %d rows (header included) from %d chain entries\n",
						s.Name, rb.Before, tab, rb.Rows, len(entries))
					return nil
				}
				fmt.Fprintf(a.stdout, "%s: %q rebuilt: %d rows from %d chain entries\n", s.Name, tab, rb.Rows-1, len(entries))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "the sheet whose Change Log tab is rebuilt (required)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show what would be written, write nothing")
	return cmd
}
