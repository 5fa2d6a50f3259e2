package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fsouza/fake-gcs-server/fakestorage"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

// These tests run the real binary as separate processes on one store, as
// replicas or overlapping cron jobs would, against real S3 and GCS
// protocol servers on loopback.

// storeServer starts a bucket server and returns the store URL and the
// environment a child process needs to reach it.
type storeServer func(t *testing.T) (string, []string)

func s3Store(t *testing.T) (string, []string) {
	backend := s3mem.New()
	if err := backend.CreateBucket("audit"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	none := filepath.Join(t.TempDir(), "none")
	env := []string{"AWS_ACCESS_KEY_ID=test-key", "AWS_SECRET_ACCESS_KEY=test-secret", "AWS_SESSION_TOKEN=",
		"AWS_PROFILE=", "AWS_CONFIG_FILE=" + none, "AWS_SHARED_CREDENTIALS_FILE=" + none, "AWS_EC2_METADATA_DISABLED=true"}
	q := url.Values{"endpoint": {srv.URL}, "region": {"us-east-1"}, "use_path_style": {"true"}, "disable_https": {"true"}}
	return "s3://audit/team?" + q.Encode(), env
}

func gcsStore(t *testing.T) (string, []string) {
	// The Go client reads through the XML API at the emulator's own host,
	// which fake-gcs-server serves as its PublicHost: pick the port first.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	host := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1",
		Port: uint16(port), PublicHost: host, Writer: io.Discard})
	if err != nil {
		t.Fatalf("start fake-gcs-server: %v", err)
	}
	t.Cleanup(srv.Stop)
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "audit"})
	return "gs://audit/team", []string{"STORAGE_EMULATOR_HOST=" + host}
}

func fileStore(t *testing.T) (string, []string) { return t.TempDir(), nil }

// leaseSheet is a 20-row sheet, one row per round to edit.
func leaseSheet(t *testing.T, srv *sheetstest.Server, id string) {
	t.Helper()
	rows := [][]string{{"客户编号", "客户名称", "备注"}}
	for i := 1; i <= 20; i++ {
		rows = append(rows, []string{fmt.Sprintf("C%05d", i), fmt.Sprintf("客户%d", i), ""})
	}
	if err := srv.CreateSpreadsheet(id, "lease", "客户"); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetValues(id, "客户", rows); err != nil {
		t.Fatal(err)
	}
}

// edit writes text into the 备注 cell of row n (1-based data row).
func edit(t *testing.T, srv *sheetstest.Server, id string, n int, text string) {
	t.Helper()
	rows, err := srv.Values(id, "客户")
	if err != nil {
		t.Fatal(err)
	}
	for len(rows[n]) < 3 {
		rows[n] = append(rows[n], "")
	}
	rows[n][2] = text
	if err := srv.SetValues(id, "客户", rows); err != nil {
		t.Fatal(err)
	}
}

func leaseConfig(t *testing.T, dir, store, endpoint, id, schedule string) string {
	t.Helper()
	cfg := filepath.Join(dir, "sheetaudit.yaml")
	err := os.WriteFile(cfg, []byte(`store: "`+store+`"
http: {listen: ""}
sheets:
  - name: clients
    schedule: "`+schedule+`"
    source: {google: {spreadsheet_id: "`+id+`", endpoint: "`+endpoint+`"}}
    tab: 客户
    key: [客户编号]
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// countIn counts the Change Log rows that hold text in a cell.
func countIn(t *testing.T, srv *sheetstest.Server, id, text string) int {
	t.Helper()
	log, err := srv.Values(id, "Change Log")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range log {
		for _, c := range r {
			if c == text {
				n++
				break
			}
		}
	}
	return n
}

// TestConcurrentRunOnce: three `run --once` at the same time on one sheet
// and one store, for 20 rounds with an edit before each: every edit is in
// the Change Log exactly once.
func TestConcurrentRunOnce(t *testing.T) {
	bin := buildBinary(t)
	for name, start := range map[string]storeServer{"s3": s3Store, "gcs": gcsStore} {
		t.Run(name, func(t *testing.T) {
			store, env := start(t)
			srv := sheetstest.Start(t, sheetstest.Options{})
			const id = "lease-sheet"
			leaseSheet(t, srv, id)
			dir := t.TempDir()
			cfg := leaseConfig(t, dir, store, srv.URL(), id, "@every 1h")
			baseline := exec.Command(bin, "run", "--once", "--config", cfg)
			baseline.Env = append(os.Environ(), env...)
			if out, err := baseline.CombinedOutput(); err != nil {
				t.Fatalf("baseline: %v\n%s", err, out)
			}
			const rounds, procs = 20, 3
			for round := 1; round <= rounds; round++ {
				edit(t, srv, id, round, fmt.Sprintf("edit-%02d", round))
				var wg sync.WaitGroup
				outs := make([]string, procs)
				codes := make([]int, procs)
				for p := range procs {
					wg.Go(func() {
						ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
						defer cancel()
						cmd := exec.CommandContext(ctx, bin, "run", "--once", "--config", cfg, "--lease-wait", "60s", "--lease-ttl", "10s")
						cmd.Env = append(os.Environ(), env...)
						out, err := cmd.CombinedOutput()
						outs[p] = string(out)
						if ee, ok := err.(*exec.ExitError); ok {
							codes[p] = ee.ExitCode()
						} else if err != nil {
							codes[p] = -1
						}
					})
				}
				wg.Wait()
				for p := range procs {
					if codes[p] != 0 {
						t.Fatalf("round %d, process %d: exit %d\n%s", round, p, codes[p], outs[p])
					}
				}
			}
			for round := 1; round <= rounds; round++ {
				text := fmt.Sprintf("edit-%02d", round)
				if n := countIn(t, srv, id, text); n != 1 {
					t.Errorf("%s is in the Change Log %d times, want once", text, n)
				}
			}
		})
	}
}

// TestStalledHolderCannotWrite stops a cycle (SIGSTOP) past its lease,
// lets another process take the sheet over and log an edit, then resumes
// the first: it must fail without writing anything.
func TestStalledHolderCannotWrite(t *testing.T) {
	bin := buildBinary(t)
	for name, start := range map[string]storeServer{"s3": s3Store, "gcs": gcsStore} {
		t.Run(name, func(t *testing.T) {
			store, env := start(t)
			srv := sheetstest.Start(t, sheetstest.Options{Faults: &sheetstest.Faults{
				Latency: 200 * time.Millisecond,
				Match:   func(kind string) bool { return strings.HasPrefix(kind, "values.") },
			}})
			const id = "stall-sheet"
			leaseSheet(t, srv, id)
			dir := t.TempDir()
			cfg := leaseConfig(t, dir, store, srv.URL(), id, "@every 1h")
			runOnce := func(args ...string) *exec.Cmd {
				cmd := exec.CommandContext(t.Context(), bin, append([]string{"run", "--once", "--config", cfg, "--lease-ttl", "2s"}, args...)...)
				cmd.Env = append(os.Environ(), env...)
				return cmd
			}
			// A baseline, so the stalled cycle has something to diff.
			if out, err := runOnce().CombinedOutput(); err != nil {
				t.Fatalf("baseline: %v\n%s", err, out)
			}
			edit(t, srv, id, 1, "edit-stall")
			before := len(srv.Requests())

			a := runOnce("--lease-wait", "0s")
			var aOut strings.Builder
			a.Stdout, a.Stderr = &aOut, &aOut
			if err := a.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for !hasRequestAfter(srv, before, "values.") {
				if time.Now().After(deadline) {
					a.Process.Kill()
					t.Fatalf("the first cycle never read; output:\n%s", aOut.String())
				}
				time.Sleep(5 * time.Millisecond)
			}
			if err := a.Process.Signal(syscall.SIGSTOP); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2500 * time.Millisecond) // past the 2s lease

			if out, err := runOnce("--lease-wait", "10s").CombinedOutput(); err != nil {
				a.Process.Kill()
				t.Fatalf("takeover: %v\n%s", err, out)
			}
			if n := countIn(t, srv, id, "edit-stall"); n != 1 {
				t.Fatalf("after the takeover the edit is logged %d times, want once", n)
			}
			logBefore, _ := srv.Values(id, "Change Log")

			if err := a.Process.Signal(syscall.SIGCONT); err != nil {
				t.Fatal(err)
			}
			err := a.Wait()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailed {
				t.Errorf("stalled cycle exit = %v, want %d; output:\n%s", err, exitFailed, aOut.String())
			}
			if !strings.Contains(aOut.String(), "lease") {
				t.Errorf("stalled cycle's output does not mention its lease:\n%s", aOut.String())
			}
			logAfter, _ := srv.Values(id, "Change Log")
			if len(logAfter) != len(logBefore) {
				t.Errorf("the stalled cycle wrote %d Change Log rows after the takeover", len(logAfter)-len(logBefore))
			}
			if n := countIn(t, srv, id, "edit-stall"); n != 1 {
				t.Errorf("the edit is logged %d times, want once", n)
			}
			// The state still points at what the new holder logged: the next
			// cycle finds nothing new.
			out, err := runOnce().CombinedOutput()
			if err != nil || !strings.Contains(string(out), "0 changes, 0 change-log rows") {
				t.Errorf("next cycle: %v\n%s", err, out)
			}
		})
	}
}

func hasRequestAfter(srv *sheetstest.Server, n int, prefix string) bool {
	reqs := srv.Requests()
	for _, r := range reqs[min(n, len(reqs)):] {
		if strings.HasPrefix(r.Kind, prefix) {
			return true
		}
	}
	return false
}

// TestTwoDaemonsShareTicks runs two daemons on one store for about ten
// ticks of "@every 2s": each tick of the sheet runs once, on either; one
// is killed midway and the other carries on.
func TestTwoDaemonsShareTicks(t *testing.T) {
	bin := buildBinary(t)
	store, env := fileStore(t)
	srv := sheetstest.Start(t, sheetstest.Options{})
	const id = "daemon-sheet"
	leaseSheet(t, srv, id)
	dir := t.TempDir()
	cfg := leaseConfig(t, dir, store, srv.URL(), id, "@every 2s")

	type event struct {
		Msg  string `json:"msg"`
		Tick string `json:"tick"`
	}
	var mu sync.Mutex
	runs := map[string][]int{} // tick → daemons that finished a cycle of it
	skips := 0
	start := func(n int) (*exec.Cmd, *sync.WaitGroup) {
		cmd := exec.Command(bin, "run", "--config", cfg, "--lease-ttl", "3s", "--log-format", "json")
		cmd.Env = append(os.Environ(), append(env, "SHEETAUDIT_INSTANCE=replica"+strconv.Itoa(n))...)
		pipe, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			sc := bufio.NewScanner(pipe)
			for sc.Scan() {
				var e event
				if json.Unmarshal(sc.Bytes(), &e) != nil {
					continue
				}
				mu.Lock()
				switch {
				case e.Msg == "cycle finished" && e.Tick != "":
					runs[e.Tick] = append(runs[e.Tick], n)
				case strings.HasSuffix(e.Msg, "; skipped"):
					skips++
				case e.Msg == "cycle failed":
					t.Errorf("daemon %d: %s", n, sc.Text())
				}
				mu.Unlock()
			}
		})
		return cmd, &wg
	}
	a, aLogs := start(1)
	time.Sleep(700 * time.Millisecond) // started apart, as replicas are
	b, bLogs := start(2)
	defer b.Process.Kill()
	time.Sleep(10 * time.Second)
	a.Process.Kill() // mid-way, without a chance to release anything
	_ = a.Wait()
	aLogs.Wait()
	killed := time.Now()
	time.Sleep(11 * time.Second)
	b.Process.Signal(syscall.SIGTERM)
	_ = b.Wait()
	bLogs.Wait()

	mu.Lock()
	defer mu.Unlock()
	var after int
	for tick, by := range runs {
		if len(by) != 1 {
			t.Errorf("tick %s ran %d times (daemons %v), want once", tick, len(by), by)
		}
		if tt, err := time.Parse("2006-01-02T15:04:05.000Z0700", tick); err == nil && tt.After(killed.Add(3*time.Second)) {
			after++
			if by[0] != 2 {
				t.Errorf("tick %s after the kill ran on daemon %d", tick, by[0])
			}
		}
	}
	if len(runs) < 9 {
		t.Errorf("%d ticks ran in about 21s of @every 2s, want at least 9: %v", len(runs), runs)
	}
	if after < 3 {
		t.Errorf("%d ticks ran after the kill, want the survivor to carry on: %v", after, runs)
	}
	if skips == 0 {
		t.Errorf("no tick was skipped by the replica that lost it: %v", runs)
	}
}

// TestRunOnceHeld: a sheet whose lease another instance holds is skipped
// with its holder named and exit code 3, after --lease-wait.
func TestRunOnceHeld(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, `{xlsx: ./clients.xlsx}`)
	ctx := context.Background()
	st, err := snapshot.Open(ctx, filepath.Join(dir, "store"), snapshot.Options{Holder: "other-1"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Acquire(ctx, audit.LeaseRequest{Sheet: "clients", Name: "cycle"}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := sheetaudit(t, nil, "run", "--once", "--config", cfg, "--lease-wait", "300ms")
	if code != exitHeld || !strings.Contains(out, "sheet clients: instance other-1 holds it until ") || !strings.Contains(out, "; skipped") {
		t.Errorf("exit %d, stdout %q, stderr %q; want %d and the holder named", code, out, errOut, exitHeld)
	}
}

func TestConventions(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, `{xlsx: ./clients.xlsx}`)
	// SHEETAUDIT_CONFIG names the file when --config is absent.
	if code, out, errOut := sheetaudit(t, map[string]string{"SHEETAUDIT_CONFIG": cfg}, "config", "check"); code != exitOK {
		t.Errorf("config check with SHEETAUDIT_CONFIG: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := sheetaudit(t, nil, "version", "--log-format", "xml"); code != exitCantRun || !strings.Contains(errOut, "--log-format") {
		t.Errorf("bad --log-format: exit %d, %q", code, errOut)
	}
	code, out, _ := sheetaudit(t, nil, "version", "--log-format", "console")
	if code != exitOK || !strings.Contains(out, "commit ") || !strings.Contains(out, "built ") {
		t.Errorf("version: exit %d, %q; want the commit and build date", code, out)
	}
}
