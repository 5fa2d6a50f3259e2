package daemon_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/daemon"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := daemon.NewMetrics(reg)
	started := time.Date(2026, 11, 29, 4, 0, 0, 0, time.UTC)
	res := &audit.Result{Sheet: "clients", Started: started, Duration: 1500 * time.Millisecond, Rows: 300, Changes: 4,
		Findings: []audit.Finding{
			{Rule: "required", Severity: audit.Error},
			{Rule: "pattern", Severity: audit.Error},
			{Rule: audit.RuleStale, Severity: audit.Warning},
			{Rule: audit.RuleDueSoon, Severity: audit.Info},
		}}
	m.ObserveCycle(res, nil)
	// A failure afterwards counts but keeps the last good figures.
	m.ObserveCycle(&audit.Result{Sheet: "clients", Started: started.Add(time.Hour), Duration: time.Second, Rows: 0}, errors.New("quota"))
	m.Request("values.batchGet", 200)
	m.Request("values.batchGet", 429)
	m.Request("values.batchGet", 429)
	m.Request("values.append", 0)
	m.Retry("values.batchGet")
	m.SnapshotBytes("clients", 1000, 9000)
	m.SnapshotBytes("clients", 24, 0)

	const want = `
# HELP sheetaudit_cycles_total Audit cycles finished, by sheet and result (success or failure).
# TYPE sheetaudit_cycles_total counter
sheetaudit_cycles_total{result="failure",sheet="clients"} 1
sheetaudit_cycles_total{result="success",sheet="clients"} 1
# HELP sheetaudit_changes_total Changes detected between versions (rows added, removed, cells modified).
# TYPE sheetaudit_changes_total counter
sheetaudit_changes_total{sheet="clients"} 4
# HELP sheetaudit_rows Rows read by the last successful cycle (blank rows excluded).
# TYPE sheetaudit_rows gauge
sheetaudit_rows{sheet="clients"} 300
# HELP sheetaudit_findings Findings of the last successful cycle, by severity.
# TYPE sheetaudit_findings gauge
sheetaudit_findings{severity="error",sheet="clients"} 2
sheetaudit_findings{severity="info",sheet="clients"} 1
sheetaudit_findings{severity="warning",sheet="clients"} 1
# HELP sheetaudit_stale_rows Stale rows found by the last successful cycle.
# TYPE sheetaudit_stale_rows gauge
sheetaudit_stale_rows{sheet="clients"} 1
# HELP sheetaudit_last_success_timestamp_seconds Unix time at which the last successful cycle finished.
# TYPE sheetaudit_last_success_timestamp_seconds gauge
sheetaudit_last_success_timestamp_seconds{sheet="clients"} LAST
# HELP sheetaudit_google_requests_total Google Sheets API HTTP attempts, by API method and status code (0: no response).
# TYPE sheetaudit_google_requests_total counter
sheetaudit_google_requests_total{code="0",method="values.append"} 1
sheetaudit_google_requests_total{code="200",method="values.batchGet"} 1
sheetaudit_google_requests_total{code="429",method="values.batchGet"} 2
# HELP sheetaudit_google_retries_total Google Sheets API requests retried after a 429, 5xx or timeout, by API method.
# TYPE sheetaudit_google_retries_total counter
sheetaudit_google_retries_total{method="values.batchGet"} 1
# HELP sheetaudit_snapshot_bytes_written_total Bytes written to the snapshot store (new chunks and manifests, compressed).
# TYPE sheetaudit_snapshot_bytes_written_total counter
sheetaudit_snapshot_bytes_written_total{sheet="clients"} 1024
# HELP sheetaudit_snapshot_bytes_deduplicated_total Bytes not written to the snapshot store because an identical chunk was already stored.
# TYPE sheetaudit_snapshot_bytes_deduplicated_total counter
sheetaudit_snapshot_bytes_deduplicated_total{sheet="clients"} 9000
`
	// The successful cycle ended 1.5 s after it started.
	last := strconv.FormatFloat(float64(started.Add(1500*time.Millisecond).UnixMilli())/1e3, 'g', -1, 64)
	names := []string{
		"sheetaudit_cycles_total", "sheetaudit_changes_total", "sheetaudit_rows", "sheetaudit_findings",
		"sheetaudit_stale_rows", "sheetaudit_last_success_timestamp_seconds", "sheetaudit_google_requests_total",
		"sheetaudit_google_retries_total", "sheetaudit_snapshot_bytes_written_total",
		"sheetaudit_snapshot_bytes_deduplicated_total",
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(strings.Replace(want, "LAST", last, 1)), names...); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg, "sheetaudit_cycle_duration_seconds"); err != nil || n != 1 {
		t.Errorf("duration histogram series = %d, %v; want 1", n, err)
	}

	m.Forget("clients", daemon.KindCycle)
	if n, err := testutil.GatherAndCount(reg, "sheetaudit_rows", "sheetaudit_findings", "sheetaudit_cycles_total"); err != nil || n != 0 {
		t.Errorf("series left after Forget = %d, %v; want 0", n, err)
	}
}

// TestMetricsNil: a nil *Metrics is a valid "metrics off", so backends need
// no nil checks.
func TestMetricsNil(t *testing.T) {
	var m *daemon.Metrics
	m.ObserveCycle(&audit.Result{Sheet: "s"}, nil)
	m.ObserveReport("r", nil)
	m.Request("values.get", 200)
	m.Retry("values.get")
	m.SnapshotBytes("s", 1, 1)
	m.Skipped("s")
	m.Forget("s", daemon.KindCycle)
}

// TestNewRegistry: the private registry carries the runtime collectors and
// accepts sheetaudit's metrics beside them.
func TestNewRegistry(t *testing.T) {
	reg := daemon.NewRegistry()
	daemon.NewMetrics(reg).Request("values.get", 200)
	for _, name := range []string{"go_goroutines", "sheetaudit_google_requests_total"} {
		if n, err := testutil.GatherAndCount(reg, name); err != nil || n == 0 {
			t.Errorf("series %s = %d, %v; want some", name, n, err)
		}
	}
}
