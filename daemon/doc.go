// Package daemon runs sheetaudit as a long-lived service: it schedules each
// sheet's cycle and report on cron expressions in the configured time zone,
// bounds how many cycles run at once, never runs one job twice at the same
// time, stops gracefully, and serves /healthz, /readyz and /metrics.
//
// The daemon knows jobs only as closures returning an *audit.Result; what a
// cycle does is decided by cmd/sheetaudit, which maps the configuration onto
// Options.
//
// Import rule: daemon imports audit, the standard library, zap, robfig/cron,
// the Prometheus client and golang.org/x/time/rate; never sheets, xlsx,
// snapshot or config.
package daemon
