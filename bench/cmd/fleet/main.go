// Command fleet drives the fleet benchmark (bench/run.sh --size fleet):
// one sheetaudit daemon auditing a thousand spreadsheets of one emulator
// that enforces Google's per-minute quotas on a shortened window.
//
//	fleet -sheetaudit BIN -emulator URL -tap URL -dir WORK -schema schema.json -o fleet.json
//
// The emulator serves the fleet written by `gen -fleet N` (--load-dir) with
// --quota-window W and shares it with the benchmark's service account; the
// tap counts what the daemon sends. fleet writes a service-account key
// whose token_uri is the emulator's, a config with every sheet on that one
// credential and quotas.window W, and starts `sheetaudit run` (the daemon):
//
//  1. the first full pass: every sheet runs at start (run_at_start);
//  2. each tick: -change of the sheets are edited (1% churn each, through
//     the Sheets API as another user, the spreadsheets' owner), then the
//     config gets a schedule and a SIGHUP; at the tick's first cycle the
//     schedule is taken out again (a second SIGHUP), so exactly one
//     activation of the scheduler runs every sheet.
//
// For each phase it records the requests by method and status (from the
// tap), the cycles finished, failed, unchanged and changed (from the
// daemon's JSON log), retries, the wall time and the quota minutes it
// spanned, and the daemon's CPU time and peak RSS so far; at the end the
// daemon's rusage. The results are JSON for bench/cmd/report.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sheetaudit/sheetaudit/bench/gen"
	"github.com/sheetaudit/sheetaudit/examples/clientgen"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

// Account is the benchmark's service account; the emulator must share the
// fleet with it (--share).
const Account = "fleet@sheetaudit-bench.iam.gserviceaccount.com"

// owner is the account that owns the loaded fleet (the emulator's --admin
// default): the person who edits the sheets between ticks.
const owner = "admin@example.com"

type options struct {
	bin, emulator, tap, dir, schema, out string
	n, rows, cols                        int
	seed                                 int64
	base                                 time.Time
	window                               time.Duration
	change                               float64
	ticks, maxConcurrent                 int
	timeout                              time.Duration
	emulatorPID                          int
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("fleet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var base string
	fs.StringVar(&o.bin, "sheetaudit", "", "the sheetaudit binary (required)")
	fs.StringVar(&o.emulator, "emulator", "", "the emulator's base URL, for its token endpoint and the edits (required)")
	fs.StringVar(&o.tap, "tap", "", "the counting proxy in front of the emulator: the daemon's endpoint (required)")
	fs.StringVar(&o.dir, "dir", "", "work folder: config, key, store, daemon log (required)")
	fs.StringVar(&o.schema, "schema", "", "schema.json of the fleet (required)")
	fs.StringVar(&o.out, "o", "", "write the results JSON here (required)")
	fs.IntVar(&o.n, "n", 1000, "spreadsheets in the fleet (gen -fleet)")
	fs.IntVar(&o.rows, "rows", 2000, "rows per spreadsheet, as generated")
	fs.IntVar(&o.cols, "cols", 12, "columns, as generated")
	fs.Int64Var(&o.seed, "seed", 7, "gen's -seed")
	fs.StringVar(&base, "base", "2026-11-20", "gen's -base")
	fs.DurationVar(&o.window, "window", 6*time.Second, "the quota window, as the emulator's --quota-window")
	fs.Float64Var(&o.change, "change", 0.05, "share of the sheets edited before each tick")
	fs.IntVar(&o.ticks, "ticks", 2, "ticks after the first pass")
	fs.IntVar(&o.maxConcurrent, "max-concurrent", 4, "the daemon's max_concurrent")
	fs.DurationVar(&o.timeout, "timeout", 15*time.Minute, "give up after this long")
	fs.IntVar(&o.emulatorPID, "emulator-pid", 0, "the emulator's process id, to record its peak RSS (optional)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var err error
	o.base, err = time.Parse(clientgen.DateLayout, base)
	if o.bin == "" || o.emulator == "" || o.tap == "" || o.dir == "" || o.schema == "" || o.out == "" || err != nil || o.n < 1 {
		fmt.Fprintln(stderr, "fleet: need -sheetaudit, -emulator, -tap, -dir, -schema, -o, -n ≥ 1 and -base YYYY-MM-DD")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	res, err := bench(ctx, o, stderr)
	if res != nil {
		if werr := writeJSON(o.out, res); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "fleet: %v\n", err)
		return 1
	}
	return 0
}

// Results is what fleet writes.
type Results struct {
	Sheets        int     `json:"sheets"`
	Rows          int     `json:"rows"`
	Cols          int     `json:"cols"`
	WindowNS      int64   `json:"window_ns"`
	Change        float64 `json:"change"`
	MaxConcurrent int     `json:"max_concurrent"`
	Phases        []Phase `json:"phases"`
	// Daemon is the daemon's rusage at exit.
	DaemonWallNS int64 `json:"daemon_wall_ns"`
	DaemonCPUNS  int64 `json:"daemon_cpu_ns"`
	DaemonMaxRSS int64 `json:"daemon_max_rss_bytes"`
	DaemonExit   int   `json:"daemon_exit"`
	// EmulatorMaxRSS is the emulator's VmHWM at the end (0: unknown).
	EmulatorMaxRSS int64 `json:"emulator_max_rss_bytes"`
	StoreBytes     int64 `json:"store_bytes"`
	StoreObjects   int64 `json:"store_objects"`
	// Skipped counts "cycle skipped: previous still running" lines.
	Skipped int    `json:"skipped"`
	Error   string `json:"error,omitempty"`
}

// Phase is the first pass or one tick.
type Phase struct {
	Name string `json:"name"`
	// Edited is the number of sheets edited before the phase.
	Edited   int   `json:"edited"`
	EditNS   int64 `json:"edit_ns"`
	WallNS   int64 `json:"wall_ns"`
	CPUNS    int64 `json:"daemon_cpu_ns"`
	PeakRSS  int64 `json:"daemon_peak_rss_bytes"`
	Finished int   `json:"finished"`
	Failed   int   `json:"failed"`
	// Unchanged and Changed split the finished cycles: unchanged ones
	// ended at the version check.
	Unchanged int `json:"unchanged"`
	Changed   int `json:"changed"`
	// Windows is the number of quota windows the phase's requests
	// touched, first to last.
	Windows int `json:"quota_windows"`
	// Requests by method ("values.batchGet", "drive.files.get", …), and
	// by status for the 429s and other failures.
	Requests map[string]int `json:"requests"`
	Status   map[string]int `json:"status"`
	Retries  int            `json:"retries"`
	Errors   []string       `json:"errors,omitempty"`
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// event is one line of the daemon's JSON log.
type event struct {
	Msg       string  `json:"msg"`
	Sheet     string  `json:"sheet"`
	Kind      string  `json:"kind"`
	Trigger   string  `json:"trigger"`
	Tick      any     `json:"tick"`
	Unchanged bool    `json:"unchanged"`
	Changes   int     `json:"changes"`
	Error     string  `json:"error"`
	Code      float64 `json:"code"`
	Method    string  `json:"method"`
}

// watcher follows the daemon's log and counts per phase.
type watcher struct {
	mu      sync.Mutex
	cur     *Phase
	started chan struct{} // closed at the current phase's first scheduled start
	once    *sync.Once
	done    chan struct{} // gets a value at every finished or failed cycle
	skipped int
}

func (w *watcher) follow(r io.Reader, logFile io.Writer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		_, _ = logFile.Write(append(line, '\n'))
		var e event
		if json.Unmarshal(line, &e) != nil {
			continue
		}
		w.mu.Lock()
		p := w.cur
		switch e.Msg {
		case "cycle started":
			if e.Trigger == "schedule" && w.once != nil {
				w.once.Do(func() { close(w.started) })
			}
		case "cycle finished":
			if p != nil {
				p.Finished++
				if e.Unchanged {
					p.Unchanged++
				} else {
					p.Changed++
				}
			}
		case "cycle failed":
			if p != nil {
				p.Failed++
				if len(p.Errors) < 5 {
					p.Errors = append(p.Errors, e.Sheet+": "+e.Error)
				}
			}
		case "retry sheets request":
			if p != nil {
				p.Retries++
			}
		case "cycle skipped: previous still running":
			w.skipped++
		}
		w.mu.Unlock()
		if e.Msg == "cycle finished" || e.Msg == "cycle failed" {
			select {
			case w.done <- struct{}{}:
			default:
			}
		}
	}
}

func (w *watcher) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cur == nil {
		return 0
	}
	return w.cur.Finished + w.cur.Failed
}

func bench(ctx context.Context, o options, stderr io.Writer) (*Results, error) {
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "== fleet: "+format+"\n", a...) }
	res := &Results{Sheets: o.n, Rows: o.rows, Cols: o.cols, WindowNS: int64(o.window), Change: o.change, MaxConcurrent: o.maxConcurrent}
	keyPath := filepath.Join(o.dir, "key.json")
	if err := writeKey(keyPath, strings.TrimSuffix(o.emulator, "/")+"/token"); err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(o.dir, "config.yaml")
	store := filepath.Join(o.dir, "store")
	writeConfig := func(schedule string) error {
		return os.WriteFile(cfgPath, []byte(config(o, keyPath, store, schedule)), 0o644)
	}
	if err := writeConfig(""); err != nil {
		return nil, err
	}
	if err := resetTap(ctx, o.tap); err != nil {
		return nil, err
	}

	logFile, err := os.Create(filepath.Join(o.dir, "daemon.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(o.bin, "run", "--config", cfgPath, "--log-format", "json")
	cmd.Stdout = logFile
	pipe, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	w := &watcher{done: make(chan struct{}, 1)}
	first := &Phase{Name: "first pass"}
	w.cur = first
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the daemon: %w", err)
	}
	followed := make(chan struct{})
	go func() { w.follow(pipe, logFile); close(followed) }()
	exited := make(chan error, 1)
	go func() { <-followed; exited <- cmd.Wait() }()
	pid := cmd.Process.Pid
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			exited <- err
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
		}
	}
	defer stop()

	// waitAll waits for every sheet's cycle of the phase.
	waitAll := func(p *Phase) error {
		for w.count() < o.n {
			select {
			case <-w.done:
			case err := <-exited:
				exited <- err
				return fmt.Errorf("%s: the daemon exited (%v) after %d of %d cycles; see %s", p.Name, err, w.count(), o.n, logFile.Name())
			case <-ctx.Done():
				return fmt.Errorf("%s: %d of %d cycles after %s: %w", p.Name, w.count(), o.n, o.timeout, ctx.Err())
			}
		}
		return nil
	}
	cpu0 := int64(0)
	finish := func(p *Phase, from time.Time) error {
		p.WallNS = int64(time.Since(from))
		cpu := procCPU(pid)
		p.CPUNS, cpu0 = cpu-cpu0, cpu
		p.PeakRSS = procHWM(pid)
		reqs, err := dumpTap(ctx, o.tap)
		if err != nil {
			return err
		}
		p.Requests, p.Status, p.Windows = countRequests(reqs, o.window)
		res.Phases = append(res.Phases, *p)
		logf("%s: %d finished (%d unchanged), %d failed in %s; requests %v; status %v; %d quota windows",
			p.Name, p.Finished, p.Unchanged, p.Failed, time.Duration(p.WallNS).Round(time.Millisecond), p.Requests, p.Status, p.Windows)
		return nil
	}

	logf("first pass: %d sheets at start", o.n)
	if err := waitAll(first); err != nil {
		res.Error = err.Error()
		return res, err
	}
	if err := finish(first, started); err != nil {
		return res, err
	}

	editor, err := newEditor(ctx, o)
	if err != nil {
		return res, err
	}
	for k := 1; k <= o.ticks; k++ {
		p := &Phase{Name: fmt.Sprintf("tick %d", k)}
		t0 := time.Now()
		n, err := editor.editTick(ctx, k)
		if err != nil {
			return res, err
		}
		p.Edited, p.EditNS = n, int64(time.Since(t0))
		// The editor went straight to the emulator; nothing of it is in
		// the tap, but reset it anyway so the tick holds only the daemon's.
		if err := resetTap(ctx, o.tap); err != nil {
			return res, err
		}
		w.mu.Lock()
		w.cur, w.started, w.once = p, make(chan struct{}), &sync.Once{}
		startedCh := w.started
		w.mu.Unlock()
		// A schedule whose next activation is at most a few seconds away,
		// then no schedule as soon as it fired: one activation, every sheet.
		if err := writeConfig("@every 5s"); err != nil {
			return res, err
		}
		tickFrom := time.Now()
		_ = cmd.Process.Signal(syscall.SIGHUP)
		select {
		case <-startedCh:
		case <-time.After(2 * time.Minute):
			return res, fmt.Errorf("%s: no scheduled cycle started within 2 minutes of the reload", p.Name)
		case <-ctx.Done():
			return res, ctx.Err()
		}
		if err := writeConfig(""); err != nil {
			return res, err
		}
		_ = cmd.Process.Signal(syscall.SIGHUP)
		if err := waitAll(p); err != nil {
			res.Error = err.Error()
			return res, err
		}
		// The tick's time runs from its first cycle's start; the wait
		// for the activation is not the daemon's work.
		if err := finish(p, tickStart(logFile.Name(), tickFrom)); err != nil {
			return res, err
		}
	}

	w.mu.Lock()
	res.Skipped = w.skipped
	w.mu.Unlock()
	if o.emulatorPID > 0 {
		res.EmulatorMaxRSS = procHWM(o.emulatorPID)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err = <-exited
	exited <- err
	res.DaemonWallNS = int64(time.Since(started))
	if st := cmd.ProcessState; st != nil {
		res.DaemonExit = st.ExitCode()
		if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
			res.DaemonCPUNS = syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime)
			res.DaemonMaxRSS = ru.Maxrss * 1024
		}
	}
	res.StoreBytes, res.StoreObjects = dirSize(store)
	return res, nil
}

// tickStart is when the tick's first scheduled cycle started, from the
// daemon's log ("ts" of the first "cycle started" with trigger schedule
// after from); from itself when the log does not say.
func tickStart(logPath string, from time.Time) time.Time {
	f, err := os.Open(logPath)
	if err != nil {
		return from
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e struct {
			Msg     string `json:"msg"`
			Trigger string `json:"trigger"`
			TS      any    `json:"ts"`
		}
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Msg != "cycle started" || e.Trigger != "schedule" {
			continue
		}
		t, ok := logTime(e.TS)
		if ok && !t.Before(from) {
			return t
		}
	}
	return from
}

// logTime reads zap's "ts": seconds since the epoch as a number, or an
// RFC 3339 string.
func logTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case float64:
		sec := int64(x)
		return time.Unix(sec, int64((x-float64(sec))*1e9)), true
	case string:
		for _, layout := range []string{"2006-01-02T15:04:05.000Z0700", time.RFC3339Nano} {
			if t, err := time.Parse(layout, x); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// config is the daemon's configuration: every sheet on one credential,
// run at start, with schedule (empty: none).
func config(o options, key, store, schedule string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `store: %s
timezone: Asia/Shanghai
max_concurrent: %d
shutdown_timeout: 1m
http: {listen: ""}
quotas: {read_per_minute: 60, write_per_minute: 60, cycle_deadline: 10m, window: %s}
credentials:
  - name: bench
    file: %s
sheets:
`, store, o.maxConcurrent, o.window, key)
	sched := ""
	if schedule != "" {
		sched = fmt.Sprintf("\n    schedule: %q", schedule)
	}
	for i := 1; i <= o.n; i++ {
		id := fleetID(i)
		fmt.Fprintf(&b, `  - name: %s%s
    run_at_start: true
    source: {google: {spreadsheet_id: %s, endpoint: %q, credentials: bench}}
    tab: %s
    key: [客户编号]
    schema: %s
    write_back: {change_log_tab: Change Log}
`, id, sched, id, o.tap, clientgen.Tab, o.schema)
	}
	return b.String()
}

// fleetID is bench/cmd/gen's FleetID.
func fleetID(i int) string { return fmt.Sprintf("fleet-%04d", i) }

// writeKey writes a service-account key for Account whose tokens come
// from tokenURI (the emulator's token endpoint).
func writeKey(path, tokenURI string) error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return err
	}
	js, err := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "sheetaudit-bench", "private_key_id": "bench",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": Account, "client_id": "1", "token_uri": tokenURI,
	})
	if err != nil {
		return err
	}
	return os.WriteFile(path, js, 0o600)
}

// editor changes sheets between ticks as their owner would: a different
// user from the daemon's account, so its requests are not the daemon's
// quota (they are the project's).
type editor struct {
	o     options
	token string
	// version is each edited sheet's current content.
	version map[int][][]string
}

func newEditor(ctx context.Context, o options) (*editor, error) {
	// The emulator does not check the signature, only that the assertion
	// is a JWT with iss, aud and scope, as the token endpoint would.
	seg := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	assertion := seg(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." +
		seg(map[string]any{"iss": owner, "aud": o.emulator + "token", "scope": "https://www.googleapis.com/auth/spreadsheets"}) + ".c2ln"
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {assertion}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(o.emulator, "/")+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("editor token: %w", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		return nil, fmt.Errorf("editor token: %s %v", resp.Status, err)
	}
	return &editor{o: o, token: tok.AccessToken, version: map[int][][]string{}}, nil
}

// chosen is the sheets edited before tick k: every (1/change)-th sheet,
// shifted per tick so each tick edits other sheets.
func (e *editor) chosen(k int) []int {
	step := max(1, int(1/e.o.change+0.5))
	var out []int
	for i := 1 + (k*7)%step; i <= e.o.n; i += step {
		out = append(out, i)
	}
	return out
}

// editTick applies 1% churn (gen.Churn: rows edited, added, removed) to
// each chosen sheet and writes its new content over the tab.
func (e *editor) editTick(ctx context.Context, k int) (int, error) {
	ids := e.chosen(k)
	for _, i := range ids {
		cur, ok := e.version[i]
		if !ok {
			cur = gen.Sheet(gen.Spec{Rows: e.o.rows, Cols: e.o.cols, Seed: e.o.seed + int64(i), Base: e.o.base})
		}
		next, _ := gen.Churn(cur, 0.01, e.o.seed+int64(1000*k+i), e.o.base)
		if err := e.write(ctx, fleetID(i), next, len(cur)); err != nil {
			return 0, err
		}
		e.version[i] = next
	}
	return len(ids), nil
}

// write puts values over the tab from A1 and clears rows past them, one
// values.batchUpdate and (when the sheet got shorter) one values.clear,
// retrying 429s after a quarter window.
func (e *editor) write(ctx context.Context, id string, values [][]string, oldRows int) error {
	body, err := json.Marshal(map[string]any{
		"valueInputOption": "RAW",
		"data":             []any{map[string]any{"range": clientgen.Tab + "!A1", "values": values}},
	})
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(e.o.emulator, "/") + "/v4/spreadsheets/" + url.PathEscape(id)
	if err := e.do(ctx, base+"/values:batchUpdate", body); err != nil {
		return fmt.Errorf("edit %s: %w", id, err)
	}
	if oldRows > len(values) {
		rng := fmt.Sprintf("%s!A%d:ZZ%d", clientgen.Tab, len(values)+1, oldRows)
		if err := e.do(ctx, base+"/values/"+url.PathEscape(rng)+":clear", []byte("{}")); err != nil {
			return fmt.Errorf("edit %s: %w", id, err)
		}
	}
	return nil
}

func (e *editor) do(ctx context.Context, u string, body []byte) error {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
			return nil
		case resp.StatusCode == http.StatusTooManyRequests && attempt < 20:
			select {
			case <-time.After(e.o.window / 4):
			case <-ctx.Done():
				return ctx.Err()
			}
		default:
			return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(msg))
		}
	}
}

// tapRequest is one line of the tap's log.
type tapRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	Status int    `json:"status"`
	At     int64  `json:"at_ns"`
}

func resetTap(ctx context.Context, tap string) error {
	_, err := dumpTap(ctx, tap)
	return err
}

func dumpTap(ctx context.Context, tap string) ([]tapRequest, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(tap, "/")+"/_tap/log?reset=1", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read the tap's log: %w", err)
	}
	defer resp.Body.Close()
	var l struct {
		Requests []tapRequest `json:"requests"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		return nil, fmt.Errorf("read the tap's log: %w", err)
	}
	return l.Requests, nil
}

// countRequests counts requests by API method and by status, and the
// quota windows from the first request's to the last's.
func countRequests(reqs []tapRequest, window time.Duration) (byMethod, byStatus map[string]int, windows int) {
	byMethod, byStatus = map[string]int{}, map[string]int{}
	var lo, hi int64
	for i, r := range reqs {
		byMethod[apiMethod(r.Method, r.URL)]++
		byStatus[strconv.Itoa(r.Status)]++
		if r.At > 0 {
			w := r.At / int64(window)
			if i == 0 || w < lo {
				lo = w
			}
			if w > hi {
				hi = w
			}
		}
	}
	if len(reqs) > 0 && hi >= lo && hi > 0 {
		windows = int(hi-lo) + 1
	}
	return byMethod, byStatus, windows
}

// apiMethod names the API method of a request to the emulator, as Google's
// documentation does ("spreadsheets.get", "values.batchGet",
// "drive.files.get").
func apiMethod(method, uri string) string {
	p := uri
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	switch {
	case strings.HasPrefix(p, "/drive/v3/files/"):
		rest := strings.TrimPrefix(p, "/drive/v3/files/")
		switch {
		case strings.Contains(rest, "/permissions"):
			return "drive.permissions." + map[string]string{"GET": "list", "POST": "create"}[method]
		case strings.Contains(rest, "/revisions"):
			return "drive.revisions.list"
		}
		return "drive.files.get"
	case strings.HasPrefix(p, "/v4/spreadsheets/"):
		rest := strings.TrimPrefix(p, "/v4/spreadsheets/")
		if i := strings.Index(rest, "/values"); i >= 0 {
			v := rest[i+len("/values"):]
			if j := strings.LastIndexByte(v, ':'); j >= 0 {
				return "values." + v[j+1:]
			}
			if method == http.MethodPut {
				return "values.update"
			}
			return "values.get"
		}
		if j := strings.LastIndexByte(rest, ':'); j >= 0 {
			return "spreadsheets." + rest[j+1:]
		}
		return "spreadsheets.get"
	}
	return method + " " + p
}

// procCPU is a process's user and system CPU time so far, from
// /proc/PID/stat (0 when unreadable).
func procCPU(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	// Fields after the command: state is 0, utime 11, stime 12 (clock
	// ticks; 100 a second on Linux).
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return (u + st) * int64(time.Second/100)
}

// procHWM is a process's peak RSS so far (VmHWM), 0 when unreadable.
func procHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func dirSize(dir string) (bytes, objects int64) {
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			bytes += info.Size()
			objects++
		}
		return nil
	})
	return bytes, objects
}
