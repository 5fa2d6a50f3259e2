package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/daemon"
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
		readLimiter:   daemon.NewLimiter(cfg.Quotas.ReadPerMinute),
		writeLimiter:  daemon.NewLimiter(cfg.Quotas.WritePerMinute),
		metrics:       metrics,
		retryDeadline: cfg.Quotas.CycleDeadline,
	}
	d, err := daemon.New(daemon.Options{
		Jobs:            a.jobs(cfg, store, deps, metrics),
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
				a.reload(d, cfg, store, deps, metrics)
			}
		}
	}()
	a.log.Info("daemon started", zap.Int("sheets", len(cfg.Sheets)), zap.String("listen", cfg.HTTP.Listen),
		zap.String("instance", store.Holder()))
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
func (a *app) reload(d *daemon.Daemon, running *config.Config, store *snapshot.Store, deps backendDeps, metrics *daemon.Metrics) {
	cfg, err := config.Load(a.configPath, a.getenv)
	if err == nil {
		err = checkRules(cfg)
	}
	if err != nil {
		a.log.Error("reload refused: configuration invalid; keeping the running one", zap.Error(err))
		return
	}
	if err := d.Reload(a.jobs(cfg, store, deps, metrics)); err != nil {
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
	} {
		if c.changed {
			out = append(out, c.name)
		}
	}
	return out
}

// jobs maps the configuration onto daemon jobs: one cycle job per sheet and,
// with report.schedule, one report job per sheet that has staleness.
func (a *app) jobs(cfg *config.Config, store *snapshot.Store, deps backendDeps, metrics *daemon.Metrics) []daemon.Job {
	var jobs []daemon.Job
	for _, s := range cfg.Sheets {
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
		jobs = append(jobs, daemon.Job{
			Name:     "report:" + s.Name,
			Sheet:    s.Name,
			Kind:     daemon.KindReport,
			Schedule: cfg.Report.Schedule,
			Run: func(ctx context.Context) (*audit.Result, error) {
				// A report at Monday 08:00 is about the week that just ended.
				now := time.Now()
				week := audit.ISOWeek(now.Add(-24*time.Hour), cfg.Location())
				var sum string
				req := audit.LeaseRequest{Sheet: s.Name, Name: "report", Tick: daemon.Tick(ctx)}
				err := audit.Hold(ctx, store, req, func(ctx context.Context, _ audit.Lease) error {
					var err error
					sum, err = a.deliverReport(ctx, cfg, s, store, reportRun{week: week, mail: true, now: now})
					return err
				})
				if err == nil {
					a.log.Info("report delivered", zap.String("sheet", s.Name), zap.String("summary", sum))
				}
				return nil, err
			},
		})
	}
	return jobs
}
