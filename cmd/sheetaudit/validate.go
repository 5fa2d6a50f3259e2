package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/sheetaudit/sheetaudit/audit"
)

func (a *app) validateCmd() *cobra.Command {
	var sheet, format string
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check every row against the configured rules and print the findings",
		Long: `Check every row against the configured rules and print each finding.
Nothing is written anywhere. Exit code: 0 no errors (warnings allowed), 1 errors found, 2 could not run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json", "csv"); err != nil {
				return err
			}
			return a.validate(cmd.Context(), sheet, format)
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "only this sheet")
	cmd.Flags().StringVar(&format, "format", "text", "output: text, json or csv")
	return cmd
}

func (a *app) validate(ctx context.Context, sheet, format string) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	sheets, err := sheetsOf(cfg, sheet)
	if err != nil {
		return err
	}
	findings := []audit.Finding{}
	for _, s := range sheets {
		spec, err := specOf(cfg, s)
		if err != nil {
			return &exitError{code: exitCantRun, err: err}
		}
		wb, err := openWorkbook(ctx, s, a.log, backendDeps{})
		if err != nil {
			return &exitError{code: exitCantRun, err: err}
		}
		c := &audit.Cycle{Spec: spec, Workbook: wb}
		_, _, fs, err := c.Inspect(ctx, time.Now(), cfg.Location())
		closeWorkbook(wb, a.log)
		if err != nil {
			return &exitError{code: exitCantRun, err: fmt.Errorf("sheet %q: %w", s.Name, err)}
		}
		audit.SortFindings(fs)
		findings = append(findings, fs...)
	}
	if err := printFindings(a, findings, format); err != nil {
		return err
	}
	errs := 0
	for _, f := range findings {
		if f.Severity == audit.Error {
			errs++
		}
	}
	if errs > 0 {
		return failed(fmt.Errorf("%d errors in %d findings", errs, len(findings)))
	}
	return nil
}

func printFindings(a *app, findings []audit.Finding, format string) error {
	switch format {
	case "json":
		return writeJSON(a.stdout, findings)
	case "csv":
		w := csv.NewWriter(a.stdout)
		w.Write([]string{"sheet", "row", "key", "column", "rule", "value", "message", "severity"})
		for _, f := range findings {
			w.Write([]string{f.Sheet, strconv.Itoa(f.Row), f.Key, f.Column, f.Rule, f.Value, f.Message, f.Severity.String()})
		}
		w.Flush()
		return w.Error()
	}
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "SEVERITY\tSHEET\tROW\tKEY\tCOLUMN\tRULE\tMESSAGE")
	for _, f := range findings {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", f.Severity, f.Sheet, f.Row, f.Key, f.Column, f.Rule, f.Message)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(a.stdout, "%d findings\n", len(findings))
	return err
}
