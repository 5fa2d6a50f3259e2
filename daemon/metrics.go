package daemon

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Metrics holds sheetaudit's Prometheus metrics. METRICS.md lists them. All
// methods are safe for concurrent use and are no-ops on a nil *Metrics, so a
// backend can be given one unconditionally.
type Metrics struct {
	cycles        *prometheus.CounterVec
	cycleDuration *prometheus.HistogramVec
	skipped       *prometheus.CounterVec
	held          *prometheus.CounterVec
	buildInfo     *prometheus.GaugeVec
	running       prometheus.Gauge
	rows          *prometheus.GaugeVec
	findings      *prometheus.GaugeVec
	stale         *prometheus.GaugeVec
	changes       *prometheus.CounterVec
	pastes        *prometheus.CounterVec
	lastSuccess   *prometheus.GaugeVec
	reports       *prometheus.CounterVec
	requests      *prometheus.CounterVec
	retries       *prometheus.CounterVec
	bytesWritten  *prometheus.CounterVec
	bytesDeduped  *prometheus.CounterVec
	gatherer      prometheus.Gatherer
}

// NewRegistry returns a private registry with the Go runtime and process
// collectors (memory, CPU, open files) already registered. A private
// registry keeps tests and embedders free of the global default one.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// NewMetrics creates the metrics and registers them with reg; nil reg leaves
// them unregistered. Like promauto, it panics if reg already holds metrics
// with these names: that is a wiring mistake, not a runtime condition. If reg
// is also a prometheus.Gatherer (a *prometheus.Registry is), the daemon
// serves it on /metrics unless Options.Gatherer says otherwise.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		cycles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sheetaudit_cycles_total",
			Help: "Audit cycles finished, by sheet and result (success or failure).",
		}, []string{"sheet", "result"}),
		cycleDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "sheetaudit_cycle_duration_seconds",
			Help: "Duration of audit cycles, successful or not.",
			// 0.1 s to about 7 minutes: a small sheet to a 10-million-cell
			// one paced by the API quota.
			Buckets: prometheus.ExponentialBuckets(0.1, 2, 13),
		}, []string{"sheet"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sheetaudit_cycles_skipped_total",
			Help: "Scheduled runs skipped because the previous run of the same job was still running.",
		}, []string{"sheet"}),
		held: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sheetaudit_cycles_held_elsewhere_total",
			Help: "Scheduled runs skipped because another instance held the sheet's lease or had already run the tick.",
		}, []string{"sheet", "kind"}),
		buildInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "sheetaudit_build_info",
			Help: "Always 1; the labels say which build runs.",
		}, []string{"version", "commit", "date", "goversion"}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sheetaudit_cycles_running",
			Help: "Jobs running or waiting for a free slot right now.",
		}),
		rows: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "sheetaudit_rows",
			Help: "Rows read by the last successful cycle (blank rows excluded).",
		}, []string{"sheet"}),
		findings: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "sheetaudit_findings",
			Help: "Findings of the last successful cycle, by severity.",
		}, []string{"sheet", "severity"}),
		stale: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "sheetaudit_stale_rows",
			Help: "Stale rows found by the last successful cycle.",
		}, []string{"sheet"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sheetaudit_changes_total",
			Help: "Changes detected between versions (rows added, removed, cells modified).",
		}, []string{"sheet"}),
		pastes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sheetaudit_bad_paste_alarms_total",
			Help: "Columns of which one cycle changed most cells (a paste over a whole column?), by sheet.",
		}, []string{"sheet"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "sheetaudit_last_success_timestamp_seconds",
			Help: "Unix time at which the last successful cycle finished.",
		}, []string{"sheet"}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sheetaudit_reports_total",
			Help: "Report runs finished, by sheet and result (success or failure).",
		}, []string{"sheet", "result"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sheetaudit_google_requests_total",
			Help: "Google Sheets API HTTP attempts, by API method and status code (0: no response).",
		}, []string{"method", "code"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sheetaudit_google_retries_total",
			Help: "Google Sheets API requests retried after a 429, 5xx or timeout, by API method.",
		}, []string{"method"}),
		bytesWritten: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sheetaudit_snapshot_bytes_written_total",
			Help: "Bytes written to the snapshot store (new chunks and manifests, compressed).",
		}, []string{"sheet"}),
		bytesDeduped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sheetaudit_snapshot_bytes_deduplicated_total",
			Help: "Bytes not written to the snapshot store because an identical chunk was already stored.",
		}, []string{"sheet"}),
	}
	if reg != nil {
		reg.MustRegister(m.cycles, m.cycleDuration, m.skipped, m.held, m.buildInfo, m.running, m.rows, m.findings,
			m.stale, m.changes, m.pastes, m.lastSuccess, m.reports, m.requests, m.retries,
			m.bytesWritten, m.bytesDeduped)
		if g, ok := reg.(prometheus.Gatherer); ok {
			m.gatherer = g
		}
	}
	return m
}

// ObserveCycle records a finished cycle. res.Sheet names the sheet; the
// daemon always passes a result, filled in from the job when the cycle
// returned none. A failed cycle (err != nil or res.Error set) counts as a
// failure and leaves the last-cycle gauges alone, so a dashboard keeps
// showing the last good figures next to the failure count.
func (m *Metrics) ObserveCycle(res *audit.Result, err error) {
	if m == nil || res == nil {
		return
	}
	sheet := res.Sheet
	m.cycleDuration.WithLabelValues(sheet).Observe(res.Duration.Seconds())
	if err != nil || res.Error != "" {
		m.cycles.WithLabelValues(sheet, "failure").Inc()
		return
	}
	m.cycles.WithLabelValues(sheet, "success").Inc()
	if res.Unchanged {
		// Nothing was read: the last full cycle's figures stand.
		m.lastSuccess.WithLabelValues(sheet).Set(float64(res.Started.Add(res.Duration).UnixNano()) / 1e9)
		return
	}
	m.rows.WithLabelValues(sheet).Set(float64(res.Rows))
	m.changes.WithLabelValues(sheet).Add(float64(res.Changes))
	m.pastes.WithLabelValues(sheet).Add(float64(len(res.PasteAlarms)))
	var bySeverity [audit.Info + 1]int
	stale := 0
	for _, f := range res.Findings {
		if f.Severity >= audit.Error && f.Severity <= audit.Info {
			bySeverity[f.Severity]++
		}
		if f.Rule == audit.RuleStale {
			stale++
		}
	}
	// Every severity is set, zeros included, so a fixed problem shows as 0
	// rather than as the last non-zero value.
	for s, n := range bySeverity {
		m.findings.WithLabelValues(sheet, audit.Severity(s).String()).Set(float64(n))
	}
	m.stale.WithLabelValues(sheet).Set(float64(stale))
	m.lastSuccess.WithLabelValues(sheet).Set(float64(res.Started.Add(res.Duration).UnixNano()) / 1e9)
}

// ObserveReport records a finished report run of sheet.
func (m *Metrics) ObserveReport(sheet string, err error) {
	if m == nil {
		return
	}
	m.reports.WithLabelValues(sheet, result(err)).Inc()
}

// Init creates a job's counters at zero, so that alerts on a failure or
// success count see a series from the start (a counter that appears only
// at its first increment hides that increment from increase()).
func (m *Metrics) Init(sheet string, kind Kind) {
	if m == nil {
		return
	}
	if kind == KindReport {
		m.reports.WithLabelValues(sheet, "success")
		m.reports.WithLabelValues(sheet, "failure")
	} else {
		m.cycles.WithLabelValues(sheet, "success")
		m.cycles.WithLabelValues(sheet, "failure")
		m.skipped.WithLabelValues(sheet)
		m.changes.WithLabelValues(sheet)
	}
	m.held.WithLabelValues(sheet, kind.String())
}

// HeldElsewhere counts a scheduled run skipped because another instance
// held the lease or had run the tick.
func (m *Metrics) HeldElsewhere(sheet string, kind Kind) {
	if m == nil {
		return
	}
	m.held.WithLabelValues(sheet, kind.String()).Inc()
}

// Build is what sheetaudit_build_info says about the running binary.
type Build struct {
	Version, Commit, Date, GoVersion string
}

// SetBuild publishes the build information.
func (m *Metrics) SetBuild(b Build) {
	if m == nil {
		return
	}
	m.buildInfo.Reset()
	m.buildInfo.WithLabelValues(b.Version, b.Commit, b.Date, b.GoVersion).Set(1)
}

// Skipped counts a scheduled run skipped because the job was still running.
func (m *Metrics) Skipped(job string) {
	if m == nil {
		return
	}
	m.skipped.WithLabelValues(job).Inc()
}

// Request counts one Google API HTTP attempt; code 0 means no response
// arrived. It satisfies the sheets backend's Metrics interface with Retry.
func (m *Metrics) Request(method string, code int) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(method, strconv.Itoa(code)).Inc()
}

// Retry counts one retried Google API request.
func (m *Metrics) Retry(method string) {
	if m == nil {
		return
	}
	m.retries.WithLabelValues(method).Inc()
}

// SnapshotBytes counts the bytes one snapshot write stored and the bytes it
// saved by finding identical chunks already in the store.
func (m *Metrics) SnapshotBytes(sheet string, written, deduplicated int64) {
	if m == nil {
		return
	}
	m.bytesWritten.WithLabelValues(sheet).Add(float64(max(written, 0)))
	m.bytesDeduped.WithLabelValues(sheet).Add(float64(max(deduplicated, 0)))
}

// Forget removes the series of a job that a reload dropped, so /metrics
// stops reporting it: every per-sheet series for a cycle job, the report
// series for a report job.
func (m *Metrics) Forget(sheet string, kind Kind) {
	if m == nil {
		return
	}
	l := prometheus.Labels{"sheet": sheet}
	if kind == KindReport {
		m.reports.DeletePartialMatch(l)
		m.held.DeletePartialMatch(prometheus.Labels{"sheet": sheet, "kind": kind.String()})
		return
	}
	for _, v := range []interface {
		DeletePartialMatch(prometheus.Labels) int
	}{m.cycles, m.skipped, m.rows, m.findings, m.stale, m.changes, m.lastSuccess, m.bytesWritten, m.bytesDeduped} {
		v.DeletePartialMatch(l)
	}
	m.held.DeletePartialMatch(prometheus.Labels{"sheet": sheet, "kind": kind.String()})
	m.cycleDuration.DeletePartialMatch(l)
}

func (m *Metrics) setRunning(n int) {
	if m == nil {
		return
	}
	m.running.Set(float64(n))
}

func result(err error) string {
	if err != nil {
		return "failure"
	}
	return "success"
}
