package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

func (a *app) restoresCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "restores", Short: "The store's record of the restores that changed a sheet"}
	var sheet, format string
	list := &cobra.Command{
		Use:   "list",
		Short: "Every restore that changed a sheet, oldest first: when, who, why, from which version, and its undo",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			return a.withStore(ctx, func(cfg *config.Config, store *snapshot.Store) error {
				sheets, err := sheetsOf(cfg, sheet)
				if err != nil {
					return err
				}
				all := []audit.RestoreRecord{}
				for _, s := range sheets {
					recs, err := store.Restores(ctx, s.Name)
					if err != nil {
						return fmt.Errorf("restore records of %q: %w", s.Name, err)
					}
					all = append(all, recs...)
				}
				if format == "json" {
					return writeJSON(a.stdout, all)
				}
				if len(all) == 0 {
					_, err := fmt.Fprintln(a.stdout, "no restore is recorded")
					return err
				}
				tb := newTable(a.stdout)
				fmt.Fprintln(tb, "TIME\tSHEET\tBY\tFROM\tMODE\tCHANGES\tSAFETY (UNDO)\tREASON")
				for _, r := range all {
					fmt.Fprintf(tb, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.Time.In(cfg.Location()).Format(time.DateTime),
						r.Sheet, terminal(r.By), r.From, terminal(restoreMode(r)), r.Changes, r.Safety, terminal(r.Reason))
				}
				return tb.Flush()
			})
		},
	}
	list.Flags().StringVar(&sheet, "sheet", "", "only this sheet")
	list.Flags().StringVar(&format, "format", "text", "output: text or json")
	cmd.AddCommand(list)
	return cmd
}

// restoreMode is a record's mode with what a selective restore chose.
func restoreMode(r audit.RestoreRecord) string {
	var chose []string
	if len(r.Rows) > 0 {
		chose = append(chose, "rows "+strings.Join(r.Rows, ","))
	}
	if len(r.Columns) > 0 {
		chose = append(chose, "columns "+strings.Join(r.Columns, ","))
	}
	if len(chose) == 0 {
		return r.Mode
	}
	return r.Mode + " (" + strings.Join(chose, "; ") + ")"
}
