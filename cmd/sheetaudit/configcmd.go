package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/holidays"
)

func (a *app) configCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Inspect the configuration"}
	check := &cobra.Command{
		Use:   "check",
		Short: "Print the effective configuration (secrets masked) or every error with file:line",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			out, err := cfg.Redacted()
			if err != nil {
				return err
			}
			if _, err = a.stdout.Write(out); err != nil {
				return err
			}
			return a.checkCalendars(cfg, time.Now())
		},
	}
	cmd.AddCommand(check)
	return cmd
}

// checkCalendars says which years an official calendar covers and warns
// (on stderr, without failing) when today is past them: business days
// would then count that year's holidays as workdays until the data is
// updated.
func (a *app) checkCalendars(cfg *config.Config, now time.Time) error {
	for _, s := range cfg.Sheets {
		if s.Staleness == nil || s.Staleness.Calendar != config.CalendarCN {
			continue
		}
		tb, err := holidays.CN(now)
		if err != nil {
			return fmt.Errorf("sheet %q: staleness.calendar: %w", s.Name, err)
		}
		year := now.In(cfg.Location()).Year()
		fmt.Fprintf(a.stderr, "sheet %s: staleness.calendar CN covers %d-%d\n", s.Name, tb.Years[0], tb.Last())
		if !tb.Covers(year) {
			fmt.Fprintf(a.stderr, "warning: sheet %s: the CN calendar has no holidays for %d yet; until sheetaudit is built with a newer github.com/6tail/lunar-go, list this year's days under staleness.holidays and staleness.workdays\n", s.Name, year)
		}
	}
	return nil
}
