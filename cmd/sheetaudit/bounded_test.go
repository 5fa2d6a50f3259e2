package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// silentServer accepts connections on loopback and never answers, as a
// store or an API behind a black-holing firewall does.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// s3Env gives the AWS SDK fake credentials and no profile or instance
// metadata to wait on. The SDK reads the process environment.
func s3Env(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func s3URL(bucket, endpoint string) string {
	q := url.Values{"endpoint": {endpoint}, "region": {"us-east-1"}, "use_path_style": {"true"}, "disable_https": {"true"}}
	return "s3://" + bucket + "/audit?" + q.Encode()
}

// boundedConfig writes a config for one Google sheet at endpoint and the
// given store, with short deadlines.
func boundedConfig(t *testing.T, store, endpoint string) string {
	t.Helper()
	cfg := `store: "` + store + `"
store_timeout: 1s
quotas: {cycle_deadline: 2s}
sheets:
  - name: clients
    source: {google: {spreadsheet_id: "1AbCdEfGhIjKlMnOp", endpoint: "` + endpoint + `"}}
    tab: 客户
    key: [客户编号]
`
	path := filepath.Join(t.TempDir(), "sheetaudit.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestEveryCommandBounded: with a Google endpoint or a store that never
// answers, each command ends soon after its deadline with exit 2 and a
// message naming what did not answer. The bound checked is loose (the
// deadline plus 10 s): it tells a bounded command from a hung one, it does
// not time anything.
func TestEveryCommandBounded(t *testing.T) {
	s3Env(t)
	silent := silentServer(t)
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hanging.Close)

	backend := s3mem.New() // no bucket created
	fake := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(fake.Close)

	localStore := filepath.Join(t.TempDir(), "store")
	tests := []struct {
		name     string
		store    string
		endpoint string
		args     []string
		want     []string
	}{
		{"run with a silent store and a silent API", s3URL("audit", silent), silent, []string{"run", "--once"}, []string{"store", "did not answer"}},
		{"run with a silent API", localStore, hanging.URL, []string{"run", "--once"}, []string{"cycle_deadline", `read tab "客户"`}},
		{"snapshots list with a silent store", s3URL("audit", silent), hanging.URL, []string{"snapshots", "list"}, []string{"store", "did not answer"}},
		{"status with a silent store", s3URL("audit", silent), hanging.URL, []string{"status"}, []string{"store", "did not answer"}},
		{"history with a silent store", s3URL("audit", silent), hanging.URL, []string{"history", "C1"}, []string{"store", "did not answer"}},
		{"run with a missing bucket", s3URL("missing", fake.URL), hanging.URL, []string{"run", "--once"}, []string{"bucket", "missing"}},
		{"snapshots list with a missing bucket", s3URL("missing", fake.URL), hanging.URL, []string{"snapshots", "list"}, []string{"bucket", "missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := boundedConfig(t, tt.store, tt.endpoint)
			start := time.Now()
			code, out, errOut := sheetaudit(t, nil, append(tt.args, "--config", cfg)...)
			took := time.Since(start)
			if code != exitCantRun {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitCantRun, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr does not say %q:\n%s", w, errOut)
				}
			}
			if limit := 2*time.Second + 10*time.Second; took > limit {
				t.Errorf("took %s, want under %s (the deadline plus a margin)", took, limit)
			}
		})
	}
}
