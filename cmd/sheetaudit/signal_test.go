package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

// TestSIGTERMMidCycle runs the real binary as a daemon against a slow
// emulator, sends SIGTERM while a cycle is in flight, and checks that the
// process exits 0 and leaves a store that verifies.
func TestSIGTERMMidCycle(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()

	// Every values request takes 150 ms, so a cycle spans several hundred ms.
	srv := sheetstest.Start(t, sheetstest.Options{Faults: &sheetstest.Faults{
		Latency: 150 * time.Millisecond,
		Match:   func(kind string) bool { return strings.HasPrefix(kind, "values.") },
	}})
	const id = "sig-test"
	if err := srv.CreateSpreadsheet(id, "sig", "客户"); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetValues(id, "客户", clientsV1); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "sheetaudit.yaml")
	err := os.WriteFile(cfg, []byte(`store: ./store
http: {listen: ""}
shutdown_timeout: 10s
sheets:
  - name: clients
    schedule: "@every 1h"
    run_at_start: true
    source: {google: {spreadsheet_id: "`+id+`", endpoint: "`+srv.URL()+`"}}
    tab: 客户
    key: [客户编号]
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, "run", "--config", cfg)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the cycle has reached the values requests, then stop it.
	deadline := time.Now().Add(30 * time.Second)
	for !hasRequest(srv, "values.") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the cycle never started; stderr:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Fatalf("daemon exit: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("daemon did not stop within 30s of SIGTERM; stderr:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "daemon stopped") {
		t.Errorf("no clean-stop log line; stderr:\n%s", stderr.String())
	}

	ctx := context.Background()
	st, err := snapshot.Open(ctx, filepath.Join(dir, "store"), snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	problems, err := st.Verify(ctx, true)
	if err != nil || len(problems) != 0 {
		t.Errorf("store after SIGTERM: verify = %v, %v; want clean", problems, err)
	}
	// The cycle was allowed to finish within shutdown_timeout.
	if list, err := st.List(ctx, "clients"); err != nil || len(list) != 1 {
		t.Errorf("snapshots after SIGTERM = %v, %v; want the finished cycle's one version", list, err)
	}
}

func hasRequest(srv *sheetstest.Server, prefix string) bool {
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Kind, prefix) {
			return true
		}
	}
	return false
}
