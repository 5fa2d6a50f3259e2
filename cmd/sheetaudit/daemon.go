package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/daemon"
	"github.com/sheetaudit/sheetaudit/report"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

// runDaemon runs the configured schedules until ctx is done (SIGINT or
// SIGTERM in main). SIGHUP reloads the configuration: the new one is
// validated first and, if invalid, the old one stays and the error is
// logged.
func (a *app) runDaemon(ctx context.Context, cfg *config.Config) error {
	store, err := a.openStore(ctx, cfg)
	if err != nil {
		return &exitError{code: exitCantRun, err: err}
	}
	defer store.Close()
	reg := daemon.NewRegistry()
	metrics := daemon.NewMetrics(reg)
	deps := backendDeps{
		metrics:       metrics,
		retryDeadline: cfg.Quotas.CycleDeadline,
		window:        cfg.Quotas.Window,
		// One token source per account for the daemon's life: a token
		// lasts an hour, so a tick of a thousand sheets costs no exchange.
		tokens: newTokens(),
	}
	limiters := newLimiterSet(cfg.Quotas.QuotaWindow())
	d, err := daemon.New(daemon.Options{
		Jobs:            a.jobs(cfg, store, deps, limiters, metrics),
		MaxConcurrent:   cfg.MaxConcurrent,
		ShutdownTimeout: cfg.ShutdownTimeout,
		Listen:          cfg.HTTP.Listen,
		Location:        cfg.Location(),
		Logger:          a.log,
		Metrics:         metrics,
		Gatherer:        reg,
		Build:           readBuild(),
	})
	if err != nil {
		return &exitError{code: exitCantRun, err: err}
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	reloadCtx, stopReload := context.WithCancel(ctx)
	defer stopReload()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-reloadCtx.Done():
				return
			case <-hup:
				a.reload(d, cfg, store, deps, limiters, metrics)
			}
		}
	}()
	a.log.Info("daemon started", zap.Int("sheets", len(cfg.Sheets)), zap.String("listen", cfg.HTTP.Listen),
		zap.String("instance", store.Holder()), zap.Int("google_accounts", limiters.accounts()),
		zap.Duration("quota_window", cfg.Quotas.QuotaWindow()))
	a.sayUnscheduled(cfg)
	err = d.Run(ctx)
	stopReload()
	<-done
	if err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	a.log.Info("daemon stopped")
	return nil
}

// sayUnscheduled tells, at start, which sheets the daemon will never audit
// because they have no schedule, so that it does not seem to idle for no
// reason.
func (a *app) sayUnscheduled(cfg *config.Config) {
	var idle []string
	for _, s := range cfg.Sheets {
		if s.Schedule == "" {
			idle = append(idle, s.Name)
		}
	}
	switch {
	case len(idle) == 0:
	case len(idle) == len(cfg.Sheets):
		fmt.Fprintf(a.stderr, "sheetaudit: no sheet has a schedule, so the daemon audits nothing after start (sheets: %s); "+
			"add schedule: \"*/15 * * * *\" to a sheet in %s, or run one cycle now with: sheetaudit run --once\n",
			strings.Join(idle, ", "), a.configPath)
	default:
		fmt.Fprintf(a.stderr, "sheetaudit: sheets without a schedule are audited by the daemon at most once, at start: %s (add schedule: to them in %s)\n",
			strings.Join(idle, ", "), a.configPath)
	}
}

// reload re-reads the configuration file and swaps the daemon's jobs. It
// logs which settings took effect and which changed but keep their running
// value until a restart.
func (a *app) reload(d *daemon.Daemon, running *config.Config, store *snapshot.Store, deps backendDeps, limiters *limiterSet, metrics *daemon.Metrics) {
	cfg, err := config.Load(a.configPath, a.getenv)
	if err == nil {
		err = checkRules(cfg)
	}
	if err != nil {
		a.log.Error("reload refused: configuration invalid; keeping the running one", zap.Error(err))
		return
	}
	if err := d.Reload(a.jobs(cfg, store, deps, limiters, metrics)); err != nil {
		a.log.Error("reload refused; keeping the running configuration", zap.Error(err))
		return
	}
	restart := restartNeeded(running, cfg)
	a.log.Info("configuration reloaded", zap.Int("sheets", len(cfg.Sheets)),
		zap.Strings("applied", []string{"sheets", "schedules", "sources", "rules", "write_back", "staleness", "report", "retention", "locale"}),
		zap.Strings("restart_needed", restart))
	if len(restart) > 0 {
		a.log.Warn("reload: these settings changed but keep their running values until a restart", zap.Strings("settings", restart))
	}
}

// restartNeeded names the settings that differ between the running and the
// reloaded configuration and that a reload cannot apply: the store, the
// listener, the concurrency and shutdown bounds, the shared quota limiters
// and the time zone of the schedules.
func restartNeeded(old, cfg *config.Config) []string {
	var out []string
	for _, c := range []struct {
		name    string
		changed bool
	}{
		{"store", old.Store != cfg.Store},
		{"timezone", old.Timezone != cfg.Timezone},
		{"http.listen", old.HTTP != cfg.HTTP},
		{"max_concurrent", old.MaxConcurrent != cfg.MaxConcurrent},
		{"shutdown_timeout", old.ShutdownTimeout != cfg.ShutdownTimeout},
		{"quotas", old.Quotas != cfg.Quotas},
		{"credentials limits", !sameLimits(old, cfg)},
	} {
		if c.changed {
			out = append(out, c.name)
		}
	}
	return out
}

// sameLimits reports whether every account keeps its limits: a reload
// may add credentials (their limiters start then) but the limiters of
// running accounts keep their rates until a restart.
func sameLimits(old, cfg *config.Config) bool {
	for _, cr := range cfg.Credentials {
		prev := old.CredentialOf(&config.Google{CredentialsFile: cr.File})
		r0, w0 := old.Limits(prev)
		r1, w1 := cfg.Limits(cr)
		if r0 != r1 || w0 != w1 {
			return false
		}
	}
	return true
}

// jobs maps the configuration onto daemon jobs: one cycle job per sheet and,
// with report.schedule, one report job per sheet that has staleness. Each
// sheet's cycles are paced by its account's limiters.
func (a *app) jobs(cfg *config.Config, store *snapshot.Store, shared backendDeps, limiters *limiterSet, metrics *daemon.Metrics) []daemon.Job {
	var jobs []daemon.Job
	for _, s := range cfg.Sheets {
		deps := shared
		al := limiters.forSheet(cfg, s)
		deps.readLimiter, deps.writeLimiter = al.read, al.write
		jobs = append(jobs, daemon.Job{
			Name:       s.Name,
			Sheet:      s.Name,
			Kind:       daemon.KindCycle,
			Schedule:   s.Schedule,
			RunAtStart: s.RunAtStart,
			Run: func(ctx context.Context) (*audit.Result, error) {
				if cfg.Quotas.CycleDeadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, cfg.Quotas.CycleDeadline)
					defer cancel()
				}
				log := a.log.With(zap.String("cycle", daemon.CycleID(ctx)))
				// No waiting for the lease: a replica that holds it runs
				// this tick, and this one skips it.
				res, err := a.cycle(ctx, cfg, s, store, deps, log, 0)
				if res != nil && res.NewSnapshot {
					metrics.SnapshotBytes(s.Name, res.SnapshotWritten, res.SnapshotDeduplicated)
				}
				return res, err
			},
		})
		if cfg.Report.Schedule == "" || s.Staleness == nil {
			continue
		}
		rj, wireErr := a.reportJob(cfg, s, store, reportRun{mail: true, chat: len(cfg.Report.Chat) > 0, observe: metrics.ObserveDelivery})
		jobs = append(jobs, daemon.Job{
			Name:     "report:" + s.Name,
			Sheet:    s.Name,
			Kind:     daemon.KindReport,
			Schedule: cfg.Report.Schedule,
			// The job is the report package's: build the week that just
			// ended from the store and deliver it.
			Run: func(ctx context.Context) (*audit.Result, error) {
				if wireErr != nil {
					return nil, wireErr // e.g. an unreadable password_file: fails (and counts) each run
				}
				var res report.Result
				req := audit.LeaseRequest{Sheet: s.Name, Name: "report", Tick: daemon.Tick(ctx)}
				err := audit.Hold(ctx, store, req, func(ctx context.Context, _ audit.Lease) error {
					var err error
					res, err = rj.Run(ctx)
					return err
				})
				if res.Report.Week != "" {
					a.log.Info("report delivered", zap.String("sheet", s.Name), zap.String("summary", reportSummary(s.Name, rj, res)))
				}
				return nil, err
			},
		})
	}
	return jobs
}
