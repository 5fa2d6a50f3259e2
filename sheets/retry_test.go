package sheets

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/googleapi"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// clock is a fake time source whose Sleep records the waits and advances
// the time instead of sleeping.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// counters is a Metrics that remembers everything.
type counters struct {
	mu      sync.Mutex
	codes   []int
	retries map[string]int
}

func (m *counters) Request(_ string, code int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.codes = append(m.codes, code)
}

func (m *counters) Retry(method string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.retries == nil {
		m.retries = map[string]int{}
	}
	m.retries[method]++
}

// maxJitter makes the backoff deterministic: always the upper bound.
func maxJitter(d time.Duration) time.Duration { return d }

func faultyBook(t *testing.T, faults *sheetstest.Faults, retry Retry) (*Workbook, *sheetstest.Server, *clock, *counters) {
	t.Helper()
	srv := startBook(t, sheetstest.Options{Faults: faults}, map[string][][]string{"Data": {{"id"}, {"1"}}})
	c, m := newClock(), &counters{}
	retry.Sleep, retry.Jitter = c.Sleep, maxJitter
	wb := openBook(t, srv, Options{Retry: retry, Now: c.Now, Metrics: m})
	return wb, srv, c, m
}

func seq(k ...sheetstest.FaultKind) []sheetstest.FaultKind { return k }

func TestRetryThenSuccess(t *testing.T) {
	faults := &sheetstest.Faults{Sequence: seq(sheetstest.FaultQuota, sheetstest.Fault503, sheetstest.Fault500, sheetstest.FaultQuota, sheetstest.FaultCut)}
	wb, _, c, m := faultyBook(t, faults, Retry{})
	tab, err := wb.ReadTab(context.Background(), "Data")
	if err != nil {
		t.Fatalf("ReadTab: %v", err)
	}
	if len(tab.Values) != 2 {
		t.Errorf("read %d rows, want 2", len(tab.Values))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second}
	if diff := cmp.Diff(want, c.Sleeps()); diff != "" {
		t.Errorf("sleeps mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{429, 503, 500, 429, 0, 200, 200}, m.codes); diff != "" {
		t.Errorf("metric codes mismatch (-want +got):\n%s", diff)
	}
	if got := m.retries["spreadsheets.get"]; got != 5 {
		t.Errorf("retries of spreadsheets.get = %d, want 5", got)
	}
}

func TestRetryBackoffCapped(t *testing.T) {
	faults := &sheetstest.Faults{Sequence: seq(sheetstest.FaultQuota, sheetstest.FaultQuota, sheetstest.FaultQuota, sheetstest.FaultQuota, sheetstest.FaultQuota)}
	wb, _, c, _ := faultyBook(t, faults, Retry{Base: time.Second, Cap: 4 * time.Second, MaxAttempts: 10})
	if err := wb.AppendRows(context.Background(), "Data", [][]string{{"2"}}); err != nil {
		t.Fatalf("AppendRows: %v", err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second}
	if diff := cmp.Diff(want, c.Sleeps()); diff != "" {
		t.Errorf("sleeps mismatch (-want +got):\n%s", diff)
	}
}

func TestRetryGivesUp(t *testing.T) {
	quota := seq(sheetstest.FaultQuota, sheetstest.FaultQuota, sheetstest.FaultQuota, sheetstest.FaultQuota, sheetstest.FaultQuota, sheetstest.FaultQuota)
	tests := []struct {
		name      string
		retry     Retry
		wantTries int
	}{
		{"attempts", Retry{MaxAttempts: 3}, 3},
		// 1s + 2s fit in 5s, the next 4s does not.
		{"deadline", Retry{Deadline: 5 * time.Second}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wb, srv, c, _ := faultyBook(t, &sheetstest.Faults{Sequence: quota}, tt.retry)
			_, err := wb.ReadTab(context.Background(), "Data")
			if !errors.Is(err, audit.ErrUnavailable) {
				t.Fatalf("ReadTab error = %v, want ErrUnavailable", err)
			}
			var gerr *googleapi.Error
			if !errors.As(err, &gerr) || gerr.Code != http.StatusTooManyRequests {
				t.Errorf("error %v does not wrap the 429", err)
			}
			if !strings.Contains(err.Error(), testID) {
				t.Errorf("error %q does not name the spreadsheet", err)
			}
			if got := countKind(srv, "spreadsheets.get"); got != tt.wantTries {
				t.Errorf("tries = %d, want %d", got, tt.wantTries)
			}
			if got := len(c.Sleeps()); got != tt.wantTries-1 {
				t.Errorf("sleeps = %d, want %d", got, tt.wantTries-1)
			}
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	faults := &sheetstest.Faults{Sequence: seq(sheetstest.FaultQuota), RetryAfter: 30 * time.Second}
	wb, _, c, _ := faultyBook(t, faults, Retry{})
	if _, err := wb.ReadTab(context.Background(), "Data"); err != nil {
		t.Fatalf("ReadTab: %v", err)
	}
	if diff := cmp.Diff([]time.Duration{30 * time.Second}, c.Sleeps()); diff != "" {
		t.Errorf("sleeps mismatch (-want +got):\n%s", diff)
	}
}

func TestFullJitterBounds(t *testing.T) {
	faults := &sheetstest.Faults{Sequence: seq(sheetstest.FaultQuota, sheetstest.FaultQuota, sheetstest.FaultQuota, sheetstest.FaultQuota)}
	srv := startBook(t, sheetstest.Options{Faults: faults}, map[string][][]string{"Data": {{"id"}}})
	c := newClock()
	wb := openBook(t, srv, Options{Retry: Retry{Sleep: c.Sleep}, Now: c.Now}) // default jitter
	if _, err := wb.ReadTab(context.Background(), "Data"); err != nil {
		t.Fatal(err)
	}
	sleeps := c.Sleeps()
	if len(sleeps) != 4 {
		t.Fatalf("sleeps = %v, want 4", sleeps)
	}
	for i, d := range sleeps {
		if bound := time.Second << i; d < 0 || d > bound {
			t.Errorf("sleep %d = %v, want within [0, %v]", i, d, bound)
		}
	}
}

func TestNotRetried(t *testing.T) {
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": {{"id"}}})
	c := newClock()
	wb := openBook(t, srv, Options{SpreadsheetID: "1NoSuchSheet", Retry: Retry{Sleep: c.Sleep}, Now: c.Now})
	if _, err := wb.ReadTab(context.Background(), "Data"); !errors.Is(err, audit.ErrNotFound) {
		t.Fatalf("ReadTab = %v, want ErrNotFound", err)
	}
	if got := countKind(srv, "spreadsheets.get"); got != 1 || len(c.Sleeps()) != 0 {
		t.Errorf("a 404 was tried %d times with sleeps %v, want once", got, c.Sleeps())
	}
}

func TestAttemptTimeoutRetried(t *testing.T) {
	// The first request hangs until the client gives up on it; the second
	// goes through.
	var once sync.Once
	faults := &sheetstest.Faults{
		Latency: time.Hour,
		Sleep: func(ctx context.Context, d time.Duration) error {
			hang := false
			once.Do(func() { hang = true })
			if hang {
				<-ctx.Done()
				return ctx.Err()
			}
			return nil
		},
	}
	wb, _, c, m := faultyBook(t, faults, Retry{AttemptTimeout: 100 * time.Millisecond})
	if _, err := wb.ReadTab(context.Background(), "Data"); err != nil {
		t.Fatalf("ReadTab: %v", err)
	}
	if len(c.Sleeps()) != 1 || m.codes[0] != 0 {
		t.Errorf("sleeps %v, codes %v; want one retry after a timeout (code 0)", c.Sleeps(), m.codes)
	}
}

// countingLimiter counts Wait calls.
type countingLimiter struct {
	mu sync.Mutex
	n  int
}

func (l *countingLimiter) Wait(context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	return nil
}

func TestLimiters(t *testing.T) {
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": {{"id"}}})
	r, w := &countingLimiter{}, &countingLimiter{}
	wb := openBook(t, srv, Options{ReadLimiter: r, WriteLimiter: w})
	if err := wb.ReplaceTab(context.Background(), "Data", [][]string{{"a"}}); err != nil {
		t.Fatal(err)
	}
	// spreadsheets.get; values.clear + values.update.
	if r.n != 1 || w.n != 2 {
		t.Errorf("limiter waits: reads %d, writes %d; want 1 and 2", r.n, w.n)
	}
}

// raceTransport sends the first addSheet twice, as if another process had
// created the tab between EnsureTab's lookup and its addSheet.
type raceTransport struct{ once sync.Once }

func (rt *raceTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, ":batchUpdate") && !strings.Contains(r.URL.Path, "/values") {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body.Close()
		rt.once.Do(func() {
			other := r.Clone(r.Context())
			other.Body = io.NopCloser(bytes.NewReader(body))
			if res, err := http.DefaultTransport.RoundTrip(other); err == nil {
				res.Body.Close()
			}
		})
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestEnsureTabRace(t *testing.T) {
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": {{"id"}}})
	wb := openBook(t, srv, Options{HTTPClient: &http.Client{Transport: &raceTransport{}}})
	meta, created, err := wb.EnsureTab(context.Background(), "Change Log")
	if err != nil {
		t.Fatalf("EnsureTab: %v", err)
	}
	ids, err := srv.TabIDs(testID)
	if err != nil {
		t.Fatal(err)
	}
	if created || meta.Title != "Change Log" || meta.TabID != ids["Change Log"] {
		t.Errorf("EnsureTab = %+v, created %v; want the other writer's tab (id %d), not created", meta, created, ids["Change Log"])
	}
}

func TestTranslate(t *testing.T) {
	wb := &Workbook{id: "1Sheet", email: "auditor@p.iam.gserviceaccount.com"}
	disabled := &googleapi.Error{Code: 403, Message: "Google Sheets API has not been used in project 42 before or it is disabled.",
		Details: []any{map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED"}}}
	timeout := &url.Error{Op: "Get", URL: "https://sheets.googleapis.com/", Err: &attemptTimeout{err: context.DeadlineExceeded}}
	tests := []struct {
		name     string
		err      error
		want     error
		wantText string
	}{
		{"not found", &googleapi.Error{Code: 404, Message: "Requested entity was not found."}, audit.ErrNotFound, "spreadsheet_id"},
		{"not shared", &googleapi.Error{Code: 403, Message: "The caller does not have permission"}, audit.ErrPermission, "share the spreadsheet with auditor@p.iam.gserviceaccount.com"},
		{"api disabled", disabled, audit.ErrPermission, "enable the Google Sheets API"},
		{"bad token", &googleapi.Error{Code: 401}, audit.ErrPermission, "credentials"},
		{"quota", &googleapi.Error{Code: 429}, audit.ErrUnavailable, "quota"},
		{"backend", &googleapi.Error{Code: 502}, audit.ErrUnavailable, "1Sheet"},
		{"bad request", &googleapi.Error{Code: 400, Message: "Unable to parse range: x"}, audit.ErrInvalid, "Unable to parse range"},
		{"timeout", timeout, audit.ErrUnavailable, "timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wb.translate(tt.err, `read tab "Data"`)
			if !errors.Is(got, tt.want) || !errors.Is(got, tt.err) {
				t.Errorf("translate = %v, want it to wrap %v and the original", got, tt.want)
			}
			for _, part := range []string{tt.wantText, `read tab "Data"`, `"1Sheet"`} {
				if !strings.Contains(got.Error(), part) {
					t.Errorf("translate = %q, want it to contain %q", got, part)
				}
			}
		})
	}
}
