package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
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

	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// The crash harness (issue 17): the real binary runs cycles against the
// emulator and against an .xlsx file while a person keeps adding rows, and
// is SIGKILLed at random moments and at each write boundary: on Google a
// loopback proxy holds each write request, before sending it on or after
// it applied (the reply held back), and the process is killed while it
// waits; on .xlsx the process is killed when the temporary workbook
// appears (before the rename) or when the workbook has just been replaced
// (after it). After every kill `snapshots verify --full` must pass; at the
// end every added row is in the Change Log exactly once, in order. The
// daemon subtests hold a write-back past cycle_deadline and past
// shutdown_timeout after SIGTERM.
//
//	go test ./cmd/sheetaudit -run TestCrash -v                           # short: 20 kills per backend
//	SHEETAUDIT_CRASH_KILLS=200 go test ./cmd/sheetaudit -run TestCrash -v -timeout 60m
//	SHEETAUDIT_CRASH_SEED=12345 ...                                      # replay a run
//
// Every run logs its seed, and every kill its number, mode and delay.

// crashEnv reads the harness's knobs from the environment.
func crashEnv(t *testing.T) (kills int, seed uint64) {
	kills = 20
	if v := os.Getenv("SHEETAUDIT_CRASH_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("SHEETAUDIT_CRASH_KILLS=%q: want a positive number", v)
		}
		kills = n
	}
	seed = uint64(time.Now().UnixNano())
	if v := os.Getenv("SHEETAUDIT_CRASH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("SHEETAUDIT_CRASH_SEED=%q: want a number", v)
		}
		seed = n
	}
	return kills, seed
}

// crashRig is one backend under the harness.
type crashRig struct {
	t     *testing.T
	bin   string
	cfg   string
	rng   *rand.Rand
	added int // rows the person added: E0001, E0002, ...
	// addRow appends row E<n> to the data tab.
	addRow func(n int)
	// boundary arms a kill at a write boundary of the next run and returns
	// a channel closed when the process is at it; nil when the mode is not
	// one of this backend's.
	boundary func(mode string) <-chan struct{}
	// release ends a held write after the kill.
	release func()
	// changeLog returns the Change Log's rows.
	changeLog func() [][]string
	modes     []string
}

const crashCycleLimit = 60 * time.Second

// start runs `run --once` without waiting.
func (r *crashRig) start() (*exec.Cmd, *strings.Builder) {
	// A killed cycle leaves its lease behind until it expires: a short
	// lease and a longer wait let the next attempt take it over, as a
	// restarted job would.
	cmd := exec.Command(r.bin, "run", "--once", "--config", r.cfg, "--lease-ttl", "2s", "--lease-wait", "15s")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	return cmd, &out
}

// cleanCycle runs one cycle to its end; exit 1 (findings) is fine.
func (r *crashRig) cleanCycle() {
	r.t.Helper()
	cmd, out := r.start()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && (!errors.As(err, &ee) || ee.ExitCode() != 1) {
			r.t.Fatalf("clean cycle: %v\n%s", err, out)
		}
	case <-time.After(crashCycleLimit):
		_ = cmd.Process.Kill()
		r.t.Fatalf("clean cycle did not end in %s\n%s", crashCycleLimit, out)
	}
}

// verify runs `snapshots verify --full`, which must pass.
func (r *crashRig) verify(what string) {
	r.t.Helper()
	out, err := exec.Command(r.bin, "snapshots", "verify", "--full", "--config", r.cfg).CombinedOutput()
	if err != nil {
		r.t.Fatalf("%s: snapshots verify --full: %v\n%s", what, err, out)
	}
}

// run kills the binary `kills` times and checks the Change Log.
func (r *crashRig) run(kills int) {
	t := r.t
	r.cleanCycle() // the baseline
	// A clean cycle's duration bounds the random kill delays.
	start := time.Now()
	r.added++
	r.addRow(r.added)
	r.cleanCycle()
	span := max(time.Since(start), 50*time.Millisecond)
	t.Logf("a clean cycle takes %s", span.Round(time.Millisecond))

	killed, attempts := 0, 0
	for killed < kills {
		attempts++
		if attempts > 5*kills+20 {
			t.Fatalf("only %d kills in %d attempts", killed, attempts)
		}
		for n := 1 + r.rng.IntN(2); n > 0; n-- {
			r.added++
			r.addRow(r.added)
		}
		mode := r.modes[r.rng.IntN(len(r.modes))]
		var at <-chan struct{}
		var delay time.Duration
		if mode == "random" {
			delay = time.Duration(r.rng.Int64N(int64(span) * 3 / 2))
		} else {
			at = r.boundary(mode)
		}
		cmd, out := r.start()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var timer <-chan time.Time
		if at == nil {
			timer = time.After(delay)
		}
		var err error
		select {
		case <-at:
		case <-timer:
		case err = <-done:
			done = nil
		case <-time.After(crashCycleLimit):
			_ = cmd.Process.Kill()
			t.Fatalf("kill %d (%s): the cycle did not reach its write in %s\n%s", killed+1, mode, crashCycleLimit, out)
		}
		if done != nil {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			err = <-done
		}
		if r.release != nil {
			r.release()
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ProcessState.Sys().(syscall.WaitStatus).Signaled() {
			killed++
			t.Logf("kill %d: mode %s, delay %s, rows added so far %d", killed, mode, delay.Round(time.Microsecond), r.added)
			r.verify(fmt.Sprintf("after kill %d (%s)", killed, mode))
		} else if err != nil && (ee == nil || ee.ExitCode() != 1) {
			t.Fatalf("attempt %d (%s): the cycle failed: %v\n%s", attempts, mode, err, out)
		}
	}
	r.cleanCycle()
	r.cleanCycle()
	r.verify("at the end")
	r.checkLog()
	// scripts/reliability.sh counts each kill as a case.
	t.Logf("reliability cases: %d", killed)
}

// checkLog asserts that rows E0001 … E<added> were each logged as added
// exactly once, in order.
func (r *crashRig) checkLog() {
	t := r.t
	var keys []string
	for _, row := range r.changeLog() {
		if len(row) > 2 && row[1] == "row added" {
			keys = append(keys, row[2])
		}
	}
	want := make([]string, r.added)
	for i := range want {
		want[i] = crashKey(i + 1)
	}
	if strings.Join(keys, " ") != strings.Join(want, " ") {
		seen := map[string]int{}
		var dup []string
		for _, k := range keys {
			if seen[k]++; seen[k] == 2 {
				dup = append(dup, k)
			}
		}
		t.Fatalf("Change Log rows added: %d for %d edits; logged twice: %q\ngot  %q\nwant %q", len(keys), r.added, dup, keys, want)
	}
	t.Logf("%d edits, each logged exactly once, in order", r.added)
}

func crashKey(n int) string { return fmt.Sprintf("E%04d", n) }

// crashRows is the data tab after n added rows.
func crashRows(n int) [][]string {
	rows := [][]string{{"编号", "名称", "备注"}, {"A0001", "基线", "x"}}
	for i := 1; i <= n; i++ {
		rows = append(rows, []string{crashKey(i), "客户 " + strconv.Itoa(i), "第 " + strconv.Itoa(i) + " 行"})
	}
	return rows
}

func TestCrashExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it many times")
	}
	kills, seed := crashEnv(t)
	t.Logf("seed %d (SHEETAUDIT_CRASH_SEED=%d replays it), %d kills per backend", seed, seed, kills)
	bin := buildBinary(t)
	t.Run("google", func(t *testing.T) {
		crashGoogle(t, bin, kills, seed).run(kills)
	})
	t.Run("xlsx", func(t *testing.T) {
		crashXLSX(t, bin, kills, seed).run(kills)
	})
	t.Run("daemon", func(t *testing.T) { crashDeadlineAndShutdown(t, bin) })
}

// holdProxy forwards to target and, when armed, holds the next write
// request (any method but GET): before sending it on, or after it applied
// with its reply held back.
type holdProxy struct {
	srv *httptest.Server
	mu  sync.Mutex
	// mode is "", "before" or "after"; at is closed when a write is held.
	mode    string
	at      chan struct{}
	release chan struct{}
}

func startHoldProxy(t *testing.T, target string) *holdProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &holdProxy{release: make(chan struct{})}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		mode, at, release := p.mode, p.at, p.release
		if r.Method != http.MethodGet && mode != "" {
			p.mode = ""
		} else {
			mode = ""
		}
		p.mu.Unlock()
		hold := func() {
			close(at)
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		switch mode {
		case "before":
			hold()
			return // never sent on
		case "after":
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r)
			hold()
			return // applied; the reply never arrives
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *holdProxy) arm(mode string) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode, p.at = mode, make(chan struct{})
	return p.at
}

func (p *holdProxy) free() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = ""
	close(p.release)
	p.release = make(chan struct{})
}

func crashGoogle(t *testing.T, bin string, kills int, seed uint64) *crashRig {
	srv := sheetstest.Start(t, sheetstest.Options{})
	const id = "crash-test"
	if err := srv.CreateSpreadsheet(id, "crash", "客户"); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetValues(id, "客户", crashRows(0)); err != nil {
		t.Fatal(err)
	}
	proxy := startHoldProxy(t, srv.URL())
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sheetaudit.yaml")
	writeCrashConfig(t, cfg, `{google: {spreadsheet_id: "`+id+`", endpoint: "`+proxy.srv.URL+`/"}}`)
	r := &crashRig{t: t, bin: bin, cfg: cfg, rng: rand.New(rand.NewPCG(seed, 1)),
		modes: []string{"random", "before", "after"}}
	r.addRow = func(n int) {
		if err := srv.SetValues(id, "客户", crashRows(n)); err != nil {
			t.Fatal(err)
		}
	}
	r.boundary = proxy.arm
	r.release = proxy.free
	r.changeLog = func() [][]string {
		v, err := srv.Values(id, "Change Log")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	return r
}

func writeCrashConfig(t *testing.T, path, source string) {
	t.Helper()
	err := os.WriteFile(path, []byte(`store: ./store
sheets:
  - name: crash
    source: `+source+`
    tab: 客户
    key: [编号]
    write_back:
      change_log_tab: Change Log
      review_tab: Needs Review
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
}

func crashXLSX(t *testing.T, bin string, kills int, seed uint64) *crashRig {
	dir := t.TempDir()
	book := filepath.Join(dir, "clients.xlsx")
	writeBook := func(rows [][]string) {
		f := excelize.NewFile()
		defer f.Close()
		if err := f.SetSheetName("Sheet1", "客户"); err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			if err := f.SetSheetRow("客户", "A"+strconv.Itoa(i+1), &row); err != nil {
				t.Fatal(err)
			}
		}
		// Keep the tabs sheetaudit wrote: they are the log under test.
		if old, err := excelize.OpenFile(book); err == nil {
			for _, tab := range old.GetSheetList() {
				if tab == "客户" {
					continue
				}
				vals, err := old.GetRows(tab)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.NewSheet(tab); err != nil {
					t.Fatal(err)
				}
				for i, row := range vals {
					if err := f.SetSheetRow(tab, "A"+strconv.Itoa(i+1), &row); err != nil {
						t.Fatal(err)
					}
				}
			}
			old.Close()
		}
		if err := f.SaveAs(book); err != nil {
			t.Fatal(err)
		}
	}
	writeBook(crashRows(0))
	cfg := filepath.Join(dir, "sheetaudit.yaml")
	writeCrashConfig(t, cfg, `{xlsx: ./clients.xlsx}`)
	r := &crashRig{t: t, bin: bin, cfg: cfg, rng: rand.New(rand.NewPCG(seed, 2)),
		modes: []string{"random", "before", "after"}}
	r.addRow = func(n int) { writeBook(crashRows(n)) }
	var stop chan struct{}
	r.boundary = func(mode string) <-chan struct{} {
		// Temporary copies a killed process left behind would look like
		// a write in progress.
		old, _ := filepath.Glob(filepath.Join(dir, ".clients.xlsx.tmp-*"))
		for _, f := range old {
			_ = os.Remove(f)
		}
		at := make(chan struct{})
		stop = make(chan struct{})
		go watchBook(book, mode, at, stop)
		return at
	}
	r.release = func() {
		if stop != nil {
			close(stop)
			stop = nil
		}
	}
	r.changeLog = func() [][]string {
		f, err := excelize.OpenFile(book)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("Change Log")
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	return r
}

// watchBook closes at when the workbook reaches a write boundary: a
// temporary copy appears next to it ("before": written, not yet renamed)
// or the file is replaced ("after": renamed into place).
func watchBook(book, mode string, at, stop chan struct{}) {
	dir, base := filepath.Split(book)
	first, _ := os.Stat(book)
	for {
		select {
		case <-stop:
			return
		default:
		}
		switch mode {
		case "before":
			if m, _ := filepath.Glob(filepath.Join(dir, "."+base+".tmp-*")); len(m) > 0 {
				close(at)
				return
			}
		case "after":
			if now, err := os.Stat(book); err == nil && first != nil && !os.SameFile(first, now) {
				close(at)
				return
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// crashDeadlineAndShutdown: a daemon cycle whose write-back is held past
// its cycle_deadline, and one still held when SIGTERM's shutdown_timeout
// runs out, with the write applied (reply held) or not sent. The next
// cycle must log each row once.
func crashDeadlineAndShutdown(t *testing.T, bin string) {
	for _, tc := range []struct{ name, limits, mode string }{
		{"cycle_deadline, write applied", "quotas: {cycle_deadline: 1s}\nshutdown_timeout: 30s", "after"},
		{"cycle_deadline, write not sent", "quotas: {cycle_deadline: 1s}\nshutdown_timeout: 30s", "before"},
		{"SIGTERM past shutdown_timeout, write applied", "shutdown_timeout: 1s", "after"},
		{"SIGTERM past shutdown_timeout, write not sent", "shutdown_timeout: 1s", "before"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := crashGoogle(t, bin, 0, 1)
			r.cleanCycle()
			r.added++
			r.addRow(r.added)
			src, err := os.ReadFile(r.cfg)
			if err != nil {
				t.Fatal(err)
			}
			daemonCfg := filepath.Join(filepath.Dir(r.cfg), "daemon.yaml")
			body := strings.Replace(string(src), "sheets:\n", tc.limits+"\nhttp: {listen: \"\"}\nsheets:\n", 1)
			body = strings.Replace(body, "    tab: 客户\n", "    tab: 客户\n    schedule: \"@every 1h\"\n    run_at_start: true\n", 1)
			if err := os.WriteFile(daemonCfg, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			at := r.boundary(tc.mode)
			cmd := exec.Command(r.bin, "run", "--config", daemonCfg)
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-at:
			case <-time.After(crashCycleLimit):
				_ = cmd.Process.Kill()
				t.Fatalf("the daemon's cycle never wrote\n%s", out.String())
			}
			if strings.HasPrefix(tc.name, "cycle_deadline") {
				time.Sleep(2 * time.Second) // past the deadline: the cycle gives up
				r.release()
			}
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("the daemon did not stop after SIGTERM\n%s", out.String())
			}
			r.release()
			r.verify("after the daemon stopped")
			r.added++
			r.addRow(r.added)
			r.cleanCycle()
			r.cleanCycle()
			r.checkLog()
		})
	}
}
