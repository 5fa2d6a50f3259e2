package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/sheets"
)

// openDriveAudit opens the Drive side of one Google sheet: its sharing and
// its editors.
func openDriveAudit(ctx context.Context, s config.Sheet, log *zap.Logger, deps backendDeps) (*sheets.DriveAudit, error) {
	g := s.Source.Google
	if g == nil {
		return nil, fmt.Errorf("sheet %q is not a Google sheet: sharing and editors are read from Google Drive: %w", s.Name, audit.ErrInvalid)
	}
	d, err := sheets.NewDriveAudit(ctx, sheets.Options{
		SpreadsheetID:   g.SpreadsheetID,
		CredentialsFile: g.KeyFile(),
		Endpoint:        g.Endpoint,
		Logger:          log.With(zap.String("sheet", s.Name)),
		ReadLimiter:     deps.readLimiter,
		Metrics:         deps.metrics,
		Retry:           scaledRetry(deps.retryDeadline, deps.window),
		Tokens:          deps.tokens,
	})
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", s.Name, err)
	}
	return d, nil
}

// accessPolicyOf maps the access configuration onto the audit policy.
func accessPolicyOf(cfg *config.Config, self string) audit.AccessPolicy {
	return audit.AccessPolicy{AllowedDomains: cfg.Access.AllowedDomains, MaxWriters: cfg.Access.MaxWriters, Self: self}
}

func (a *app) accessCmd() *cobra.Command {
	var sheet string
	cmd := &cobra.Command{
		Use:   "access",
		Short: "Show who each Google sheet is shared with and what the access rules flag; exit 1 on an error finding",
		Long: "access reads the sharing of each Google sheet with source.google.access_audit (or --sheet) through\n" +
			"Drive permissions.list and checks it against access: (allowed_domains, max_writers): links open to\n" +
			"anyone, domain-wide sharing, accounts outside the allowed domains, too many writers. It writes nothing.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			list, err := sheetsOf(cfg, sheet)
			if err != nil {
				return err
			}
			errs := 0
			for _, s := range list {
				if g := s.Source.Google; g == nil || (!g.AccessAudit && sheet == "") {
					continue
				}
				d, err := openDriveAudit(ctx, s, a.log, backendDeps{})
				if err != nil {
					return &exitError{code: exitCantRun, err: err}
				}
				perms, findings, _, err := audit.AuditAccess(ctx, d, s.Name, nil, accessPolicyOf(cfg, d.ServiceAccount()), cfg.Locale)
				if err != nil {
					return &exitError{code: exitCantRun, err: fmt.Errorf("sheet %q: %w", s.Name, err)}
				}
				fmt.Fprintf(a.stdout, "%s: shared with %d\n", s.Name, len(perms))
				tw := newTable(a.stdout)
				for _, p := range perms {
					fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.Type, p.Role, p.Grantee())
				}
				_ = tw.Flush()
				for _, f := range findings {
					if f.Severity == audit.Error {
						errs++
					}
					fmt.Fprintf(a.stdout, "  %s %s: %s\n", f.Severity, f.Rule, f.Message)
				}
			}
			if errs > 0 {
				return failed(fmt.Errorf("%d access errors", errs))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "only this sheet (read even without access_audit)")
	return cmd
}

// whoOf wires the optional who-did-what parts of one sheet's cycle: the
// store's change log chain (always, when the sheet has a Change Log), and
// for Google sheets the access audit and attribution when configured. The
// cycle takes it as audit.Cycle.Who.
func whoOf(ctx context.Context, cfg *config.Config, s config.Sheet, chain audit.ChangeChain, log *zap.Logger, deps backendDeps) (*audit.Who, error) {
	w := &audit.Who{}
	if s.WriteBack.ChangeLogTab != "" {
		w.Chain = chain
	}
	g := s.Source.Google
	if g == nil || !g.AccessAudit && !g.Attribution {
		return w, nil
	}
	d, err := openDriveAudit(ctx, s, log, deps)
	if err != nil {
		return nil, err
	}
	w.Self = d.ServiceAccount()
	if g.AccessAudit {
		w.Access, w.Policy = d, accessPolicyOf(cfg, w.Self)
	}
	if g.Attribution {
		w.Editors, w.Activity = d, true
	}
	return w, nil
}
