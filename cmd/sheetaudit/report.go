package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/atomicfile"
	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/mail"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

func (a *app) reportCmd() *cobra.Command {
	var sheet, week, out string
	var noMail bool
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Build the weekly Staleness Report from the stored snapshots and deliver it",
		Long: `Build the weekly Staleness Report of each sheet for an ISO week (default: this week, as of now)
from the stored snapshots, so a past week can be rebuilt later. It is delivered as the
report tab in the spreadsheet (write_back.report_tab), an HTML and a CSV file under the
store's reports/ folder (and --out DIR), and by e-mail when report.email is configured.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			sheets, err := sheetsOf(cfg, sheet)
			if err != nil {
				return err
			}
			store, err := openStore(cmd.Context(), cfg, a.log)
			if err != nil {
				return &exitError{code: exitCantRun, err: err}
			}
			defer store.Close()
			var failures int
			for _, s := range sheets {
				if s.Staleness == nil {
					if sheet != "" {
						return &exitError{code: exitCantRun, err: fmt.Errorf("sheet %q has no staleness: block; configure one to get a report", s.Name)}
					}
					continue
				}
				var sum string
				err := a.leased(cmd.Context(), store, s.Name, "report", func(ctx context.Context) (err error) {
					sum, err = a.deliverReport(ctx, cfg, s, store, reportRun{week: week, out: out, mail: !noMail, now: time.Now()})
					return err
				})
				if errors.Is(err, audit.ErrHeld) {
					return err
				}
				if err != nil {
					a.log.Error("report failed", zap.String("sheet", s.Name), zap.Error(err))
					fmt.Fprintf(a.stdout, "%s: report FAILED: %v\n", s.Name, err)
					failures++
					continue
				}
				fmt.Fprintln(a.stdout, sum)
			}
			if failures > 0 {
				return failed(fmt.Errorf("%d reports failed", failures))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "only this sheet")
	cmd.Flags().StringVar(&week, "week", "", "ISO week such as 2026-W48 (default: the current week)")
	cmd.Flags().StringVar(&out, "out", "", "also write the HTML and CSV files into this folder")
	cmd.Flags().BoolVar(&noMail, "no-mail", false, "do not send e-mail even when report.email is configured")
	return cmd
}

// reportRun is one request for a report.
type reportRun struct {
	week string // "" = the week of now
	out  string // optional local folder
	mail bool
	now  time.Time
}

// deliverReport builds one sheet's report and delivers it everywhere it is
// configured to go. It returns a one-line summary.
func (a *app) deliverReport(ctx context.Context, cfg *config.Config, s config.Sheet, store *snapshot.Store, rr reportRun) (string, error) {
	loc := cfg.Location()
	spec, err := specOf(cfg, s)
	if err != nil {
		return "", err
	}
	week := rr.week
	if week == "" {
		week = audit.ISOWeek(rr.now, loc)
	}
	r, err := buildReport(ctx, spec, store, week, rr.now, loc)
	if err != nil {
		return "", err
	}
	html, err := r.HTML(cfg.Locale)
	if err != nil {
		return "", fmt.Errorf("render html: %w", err)
	}
	csv, err := r.CSV()
	if err != nil {
		return "", fmt.Errorf("render csv: %w", err)
	}
	for name, data := range map[string][]byte{week + ".html": html, week + ".csv": csv} {
		if _, err := store.PutReport(ctx, s.Name, name, data); err != nil {
			return "", fmt.Errorf("store report: %w", err)
		}
		if rr.out != "" {
			if err := writeFileAtomic(filepath.Join(rr.out, s.Name+"-"+name), data); err != nil {
				return "", err
			}
		}
	}
	if tab := s.WriteBack.ReportTab; tab != "" {
		if err := a.writeReportTab(ctx, s, tab, r, cfg.Locale); err != nil {
			return "", err
		}
	}
	sent := 0
	if rr.mail && cfg.Report.Email != nil {
		if sent, err = a.mailReport(ctx, cfg, r); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%s: report %s: %d rows, %d stale (%.1f%%), %d due soon; %d e-mails sent",
		s.Name, week, r.Rows, r.Stale, r.StalePct, r.DueSoon, sent), nil
}

// buildReport computes the report of week from the newest snapshot taken by
// the end of that week (or now, for the current week) and the newest one
// taken by the end of the week before, so week-over-week figures come from
// stored history, not from memory.
func buildReport(ctx context.Context, spec audit.Spec, store *snapshot.Store, week string, now time.Time, loc *time.Location) (audit.Report, error) {
	if spec.Stale == nil {
		return audit.Report{}, fmt.Errorf("sheet %q has no staleness: block: %w", spec.Name, audit.ErrInvalid)
	}
	start, end, err := audit.ParseISOWeek(week, loc)
	if err != nil {
		return audit.Report{}, fmt.Errorf("--week %q: %w", week, err)
	}
	asOf := end
	if now.Before(end) {
		asOf = now
	}
	if asOf.Before(start) {
		return audit.Report{}, fmt.Errorf("week %s has not started yet: %w", week, audit.ErrInvalid)
	}
	infos, err := store.List(ctx, spec.Name)
	if err != nil {
		return audit.Report{}, fmt.Errorf("list snapshots: %w", err)
	}
	c := &audit.Cycle{Spec: spec, Store: store}
	this, table, err := staleAsOf(ctx, c, infos, asOf, loc)
	if err != nil {
		return audit.Report{}, err
	}
	if table == nil {
		return audit.Report{}, fmt.Errorf("no snapshot of sheet %q was taken by %s; run a cycle first (sheetaudit run --once): %w",
			spec.Name, asOf.In(loc).Format(time.DateTime), audit.ErrNotFound)
	}
	last, _, err := staleAsOf(ctx, c, infos, start.Add(-time.Nanosecond), loc)
	if err != nil {
		return audit.Report{}, err
	}
	findings := slices.Clone(table.Problems)
	if spec.Rules != nil {
		findings = append(findings, spec.Rules.Check(table, asOf, loc, nil)...)
	}
	return audit.BuildReport(spec.Name, week, this, last, table, *spec.Stale, findings, asOf.In(loc)), nil
}

// staleAsOf checks the newest snapshot taken by t as of t. It returns a nil
// table (and nil items) when there was none.
func staleAsOf(ctx context.Context, c *audit.Cycle, infos []audit.SnapshotInfo, t time.Time, loc *time.Location) ([]audit.StaleItem, *audit.Table, error) {
	i := len(infos) - 1
	for i >= 0 && infos[i].Time.After(t) {
		i--
	}
	if i < 0 {
		return nil, nil, nil
	}
	snap, err := c.Store.Load(ctx, c.Spec.Name, infos[i].ID)
	if err != nil {
		return nil, nil, fmt.Errorf("load snapshot %s: %w", infos[i].ID, err)
	}
	table, err := audit.ParseTable(snap.Values, snap.HeaderRow, c.Spec.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot %s: %w", snap.ID, err)
	}
	items, err := c.CheckStale(ctx, table, t, loc)
	if err != nil {
		return nil, nil, err
	}
	if items == nil {
		items = []audit.StaleItem{} // checked, nothing stale: not "no data"
	}
	return items, table, nil
}

// writeReportTab replaces the report tab and, where the backend can draw,
// puts a bar chart of stale records per owner beside it.
func (a *app) writeReportTab(ctx context.Context, s config.Sheet, tab string, r audit.Report, locale string) error {
	wb, err := openWorkbook(ctx, s, a.log, backendDeps{})
	if err != nil {
		return err
	}
	defer closeWorkbook(wb, a.log)
	rows := r.TabRows(locale)
	// The chart reads a small block of owner totals written below the report.
	rows = append(rows, []string{}, []string{chartTitle(locale)}, []string{ownerLabel(locale), staleLabel(locale)})
	first := len(rows)
	for _, oc := range staleByOwner(r) {
		rows = append(rows, []string{oc.owner, strconv.Itoa(oc.stale)})
	}
	if _, _, err := wb.EnsureTab(ctx, tab); err != nil {
		return fmt.Errorf("create tab %q: %w", tab, err)
	}
	if err := wb.ReplaceTab(ctx, tab, rows); err != nil {
		return fmt.Errorf("write tab %q: %w", tab, err)
	}
	ch, ok := wb.(audit.Charter)
	if !ok || first == len(rows) {
		return nil
	}
	err = ch.PutBarChart(ctx, tab, audit.BarChart{
		Title: chartTitle(locale), FirstRow: first, LastRow: len(rows), LabelCol: 0, ValueCol: 1,
		AnchorRow: 1, AnchorCol: 10, WidthPixels: 600, HeightPixels: 360,
	})
	if err != nil {
		return fmt.Errorf("chart on tab %q: %w", tab, err)
	}
	return nil
}

type ownerCount struct {
	owner string
	stale int
}

// staleByOwner counts stale rows per owner, most first.
func staleByOwner(r audit.Report) []ownerCount {
	counts := map[string]int{}
	for _, it := range r.Items {
		counts[it.Owner]++
	}
	out := make([]ownerCount, 0, len(counts))
	for o, n := range counts {
		if o == "" {
			o = "(no owner)"
		}
		out = append(out, ownerCount{o, n})
	}
	slices.SortFunc(out, func(a, b ownerCount) int {
		if a.stale != b.stale {
			return b.stale - a.stale
		}
		if a.owner < b.owner {
			return -1
		}
		return 1
	})
	return out
}

func chartTitle(locale string) string {
	if locale == config.LocaleChinese {
		return "各负责人超期记录数"
	}
	return "Stale records per owner"
}

func ownerLabel(locale string) string {
	if locale == config.LocaleChinese {
		return "负责人"
	}
	return "Owner"
}

func staleLabel(locale string) string {
	if locale == config.LocaleChinese {
		return "超期"
	}
	return "Stale"
}

// mailReport sends the report to the managers and each owner's own list to
// that owner. Phone numbers and addresses are masked unless mask_pii is off.
func (a *app) mailReport(ctx context.Context, cfg *config.Config, r audit.Report) (int, error) {
	e := cfg.Report.Email
	password, err := e.ResolvePassword()
	if err != nil {
		return 0, fmt.Errorf("report.email: %w", err)
	}
	opts := mail.Options{Addr: e.SMTP, From: e.From, To: e.To, Username: e.Username, Password: password, StartTLS: e.StartTLS, Logger: a.log}
	prepare := func(r audit.Report) audit.Report {
		if cfg.Report.MaskPII {
			return r.Masked()
		}
		return r
	}
	send := func(o mail.Options, r audit.Report) error {
		html, err := r.HTML(cfg.Locale)
		if err != nil {
			return err
		}
		csv, err := r.CSV()
		if err != nil {
			return err
		}
		subject := fmt.Sprintf("Staleness Report %s · %s: %d stale", r.Week, r.Sheet, r.Stale)
		if r.Owner != "" {
			subject += " · " + r.Owner
		}
		return mail.Send(ctx, o, subject, html, mail.Attachment{Name: r.Sheet + "-" + r.Week + ".csv", ContentType: "text/csv; charset=utf-8", Data: csv})
	}
	sent := 0
	if err := send(opts, prepare(r)); err != nil {
		return sent, err
	}
	sent++
	var errs []error
	for _, owner := range sortedKeys(cfg.Report.Owners) {
		own := r.ForOwner(owner)
		if len(own.Items) == 0 && len(own.DueSoonItems) == 0 {
			continue
		}
		o := opts
		o.To = []string{cfg.Report.Owners[owner]}
		if err := send(o, prepare(own)); err != nil {
			errs = append(errs, fmt.Errorf("owner %s: %w", owner, err))
			continue
		}
		sent++
	}
	return sent, errors.Join(errs...)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// writeFileAtomic writes data to path atomically (a reader never sees half
// a file), creating its folder.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create folder %s: %w", dir, err)
	}
	// 0600 as before the shared helper; the report's own settings decide.
	if err := atomicfile.WriteFile(context.Background(), path, data, atomicfile.Options{Perm: 0o600}); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
