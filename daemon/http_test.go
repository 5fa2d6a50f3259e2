package daemon_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/daemon"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return resp.StatusCode, string(body)
}

// TestHTTP serves the endpoints on a real loopback listener.
func TestHTTP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	good := daemon.Job{Name: "good", RunAtStart: true, Run: ok("good")}
	later := daemon.Job{Name: "later", Schedule: "@daily", Run: ok("later")}
	h := start(t, daemon.Options{Listener: ln, Jobs: []daemon.Job{
		good, later,
		{Name: "bad", RunAtStart: true, Run: func(context.Context) (*audit.Result, error) {
			return nil, errors.New("read tab \"客户\": not found")
		}},
		{Name: "report:bad", Kind: daemon.KindReport, RunAtStart: true, Run: func(context.Context) (*audit.Result, error) {
			return nil, errors.New("smtp down")
		}},
	}})
	for range 3 {
		h.next(t)
	}
	if got, want := h.d.Addr(), ln.Addr(); got == nil || got.String() != want.String() {
		t.Errorf("Addr() = %v, want %v", got, want)
	}
	base := "http://" + ln.Addr().String()

	if code, body := get(t, base+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz = %d %q, want 200 \"ok\\n\"", code, body)
	}

	code, body := get(t, base+"/readyz")
	if code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with a failed sheet = %d, want 503", code)
	}
	var got daemon.Readiness
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("/readyz body %q: %v", body, err)
	}
	want := daemon.Readiness{Sheets: []daemon.SheetState{
		{Sheet: "bad", State: "failed", Error: `read tab "客户": not found`},
		{Sheet: "good", State: "ok"},
		{Sheet: "later", State: "pending"},
	}}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(daemon.SheetState{}, "Last")); diff != "" {
		t.Errorf("/readyz mismatch (-want +got):\n%s", diff)
	}

	code, body = get(t, base+"/metrics")
	for _, line := range []string{
		`sheetaudit_cycles_total{result="failure",sheet="bad"} 1`,
		`sheetaudit_cycles_total{result="success",sheet="good"} 1`,
		`sheetaudit_rows{sheet="good"} 3`,
		`sheetaudit_reports_total{result="failure",sheet="report:bad"} 1`,
		`sheetaudit_cycles_total{result="failure",sheet="good"} 0`,
		`sheetaudit_cycle_duration_seconds_count{sheet="bad"} 1`,
	} {
		if code != http.StatusOK || !strings.Contains(body, line+"\n") {
			t.Errorf("/metrics = %d without %q", code, line)
		}
	}

	// The failing sheet removed from the config: ready again.
	if err := h.d.Reload([]daemon.Job{good, later}); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after dropping the failed sheet = %d %s, want 200", code, body)
	}
	if _, body := get(t, base+"/metrics"); strings.Contains(body, `sheet="bad"`) {
		t.Error("/metrics still reports the dropped sheet")
	}

	if err := h.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("listener still serving after Run returned")
	}
}

// TestReadyzStarting: a sheet that runs at start is not ready until its
// first cycle has finished.
func TestReadyzStarting(t *testing.T) {
	release := make(chan struct{})
	h := start(t, daemon.Options{Jobs: []daemon.Job{{Name: "s", RunAtStart: true, Run: func(context.Context) (*audit.Result, error) {
		<-release
		return &audit.Result{}, nil
	}}}})
	if r := h.d.Readiness(); r.Ready || r.Sheets[0].State != "starting" {
		t.Errorf("Readiness before the first cycle = %+v, want not ready, starting", r)
	}
	close(release)
	h.next(t)
	if r := h.d.Readiness(); !r.Ready || r.Sheets[0].State != "ok" {
		t.Errorf("Readiness after the first cycle = %+v, want ready, ok", r)
	}
}

func TestListenInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d, err := daemon.New(daemon.Options{Listen: ln.Addr().String(), Clock: newFakeClock(t0)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	err = d.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "listen on") {
		t.Errorf("Run on a busy address = %v, want a listen error", err)
	}
	if ctx.Err() != nil {
		t.Error("Run waited for the context instead of failing at once")
	}
}

// TestListenAddress binds the configured address itself.
func TestListenAddress(t *testing.T) {
	h := start(t, daemon.Options{Listen: "127.0.0.1:0", Jobs: []daemon.Job{{Name: "s", RunAtStart: true, Run: ok("s")}}})
	h.next(t) // Run binds before it starts the first job
	addr := h.d.Addr()
	if addr == nil {
		t.Fatal("Addr() = nil after the first job ran")
	}
	if code, _ := get(t, "http://"+addr.String()+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d, want 200", code)
	}
}
