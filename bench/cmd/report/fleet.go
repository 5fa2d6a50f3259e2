package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// fleetResults is bench/cmd/fleet's output.
type fleetResults struct {
	Sheets         int          `json:"sheets"`
	Rows           int          `json:"rows"`
	Cols           int          `json:"cols"`
	WindowNS       int64        `json:"window_ns"`
	Change         float64      `json:"change"`
	MaxConcurrent  int          `json:"max_concurrent"`
	Phases         []fleetPhase `json:"phases"`
	DaemonWallNS   int64        `json:"daemon_wall_ns"`
	DaemonCPUNS    int64        `json:"daemon_cpu_ns"`
	DaemonMaxRSS   int64        `json:"daemon_max_rss_bytes"`
	DaemonExit     int          `json:"daemon_exit"`
	EmulatorMaxRSS int64        `json:"emulator_max_rss_bytes"`
	StoreBytes     int64        `json:"store_bytes"`
	StoreObjects   int64        `json:"store_objects"`
	Skipped        int          `json:"skipped"`
	Error          string       `json:"error"`
}

type fleetPhase struct {
	Name      string         `json:"name"`
	Edited    int            `json:"edited"`
	EditNS    int64          `json:"edit_ns"`
	WallNS    int64          `json:"wall_ns"`
	CPUNS     int64          `json:"daemon_cpu_ns"`
	PeakRSS   int64          `json:"daemon_peak_rss_bytes"`
	Finished  int            `json:"finished"`
	Failed    int            `json:"failed"`
	Unchanged int            `json:"unchanged"`
	Changed   int            `json:"changed"`
	Windows   int            `json:"quota_windows"`
	Requests  map[string]int `json:"requests"`
	Status    map[string]int `json:"status"`
	Retries   int            `json:"retries"`
	Errors    []string       `json:"errors"`
}

// isWrite tells the Sheets methods that count against the write quota.
func isWrite(method string) bool {
	switch method {
	case "spreadsheets.batchUpdate", "values.update", "values.append", "values.clear",
		"values.batchClear", "values.batchUpdate", "spreadsheets.create":
		return true
	}
	return false
}

// split sums a phase's requests: Sheets reads, Sheets writes, Drive.
func (p fleetPhase) split() (reads, writes, drive int) {
	for m, n := range p.Requests {
		switch {
		case strings.HasPrefix(m, "drive."):
			drive += n
		case isWrite(m):
			writes += n
		default:
			reads += n
		}
	}
	return reads, writes, drive
}

func (r *results) secondsAt(name string) (int, bool) {
	n, err := strconv.Atoi(r.text(name))
	return n, err == nil
}

func renderFleet(r *results) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	var f fleetResults
	ok := r.load("fleet.json", &f)
	window := time.Duration(f.WindowNS)
	p("## fleet: %s spreadsheets of %s rows × %d columns, one daemon, one service account\n\n",
		num(int64(f.Sheets)), num(int64(f.Rows)), f.Cols)
	when := time.Now()
	if st, err := os.Stat(filepath.Join(r.dir, "fleet.json")); err == nil {
		when = st.ModTime() // the run's end, also when the section is rendered again
	}
	p("Run %s. %s\n\n", when.UTC().Format("2006-01-02 15:04 MST"), machine(r))
	if !ok || window <= 0 {
		p("No results: bench/cmd/fleet wrote no fleet.json (see the run's output).\n\n")
		return b.String()
	}
	p("Emulator quotas as Google's (60 reads and 60 writes a minute per user, 300 per project, the 429 body "+
		"Google sends) on a **%s quota minute**: %.0f quota minutes pass in one real minute, and sheetaudit's "+
		"limiter (`quotas.window: %s`) paces on the same window. `max_concurrent: %d`. Before each tick %s of "+
		"the sheets (one in %d, other ones each tick) got 1%% churn (rows edited, added, removed) from their owner, another user. "+
		"Load average at start %s, at end %s (1, 5, 15 min).\n\n",
		window, time.Minute.Seconds()/window.Seconds(), window, f.MaxConcurrent, pct(f.Change),
		int(math.Round(1/f.Change)), loadavg(r, "start"), loadavg(r, "end"))
	if f.Error != "" {
		p("**The run stopped early**: %s\n\n", f.Error)
	}

	p("| phase | sheets edited | cycles | unchanged (1 Drive request) | read | failed | wall | quota minutes (wall ÷ window) | Sheets reads | Sheets writes | Drive requests | 429s met | retries | daemon CPU | daemon peak RSS so far |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, ph := range f.Phases {
		reads, writes, drive := ph.split()
		p("| %s | %s | %s | %s | %s | %d | %s | %.1f | %s | %s | %s | %d | %d | %s | %s |\n",
			ph.Name, num(int64(ph.Edited)), num(int64(ph.Finished+ph.Failed)), num(int64(ph.Unchanged)), num(int64(ph.Changed)),
			ph.Failed, dur(ph.WallNS), float64(ph.WallNS)/float64(window), num(int64(reads)), num(int64(writes)),
			num(int64(drive)), ph.Status["429"], ph.Retries, dur(ph.CPUNS), mib(ph.PeakRSS))
	}
	p("\n")

	// Requests by method.
	methods := map[string]bool{}
	for _, ph := range f.Phases {
		for m := range ph.Requests {
			methods[m] = true
		}
	}
	var ms []string
	for m := range methods {
		ms = append(ms, m)
	}
	sort.Strings(ms)
	p("Requests by method (counted by the tap between the daemon and the emulator; 429s included, as sent):\n\n| method |")
	for _, ph := range f.Phases {
		p(" %s |", ph.Name)
	}
	p("\n|---|")
	for range f.Phases {
		p("---:|")
	}
	p("\n")
	for _, m := range ms {
		p("| `%s` |", m)
		for _, ph := range f.Phases {
			p(" %s |", num(int64(ph.Requests[m])))
		}
		p("\n")
	}
	p("\n")

	// Per sheet and the quota they need.
	p("Per sheet and per quota minute:\n\n")
	for _, ph := range f.Phases {
		reads, writes, drive := ph.split()
		if ph.Finished == 0 {
			continue
		}
		perRead := "—"
		if ph.Changed > 0 {
			perRead = fmt.Sprintf("%.2f Sheets reads and %.2f writes per sheet read", float64(reads)/float64(ph.Changed), float64(writes)/float64(ph.Changed))
		}
		p("- %s: %s; %.2f Drive requests per cycle; the reads alone need %.1f quota minutes at 60 a minute "+
			"(the writes %.1f), and the phase took %.1f (%d quota windows saw a request).\n",
			ph.Name, perRead, float64(drive)/float64(ph.Finished+ph.Failed), float64(reads)/60, float64(writes)/60,
			float64(ph.WallNS)/float64(window), ph.Windows)
	}
	p("\n")
	total := 0
	if s, ok := r.secondsAt("total.seconds"); ok {
		total = s
	}
	build, _ := r.secondsAt("build.seconds")
	genS, _ := r.secondsAt("gen.seconds")
	load, _ := r.secondsAt("load.seconds")
	p("Daemon: %s CPU (user + system) over %s, peak RSS **%s** (rusage at exit, exit code %d); "+
		"%d cycles skipped because the previous one still ran. Emulator peak RSS %s. Store after the run: %s in %s objects.\n\n",
		dur(f.DaemonCPUNS), dur(f.DaemonWallNS), mib(f.DaemonMaxRSS), f.DaemonExit, f.Skipped, mib(f.EmulatorMaxRSS),
		mib(f.StoreBytes), num(f.StoreObjects))
	if total > 0 {
		p("Whole run (`bench/run.sh --size fleet`): **%d s** — build %d s, generating the CSV files %d s, "+
			"the emulator loading them %d s, the daemon's first pass and ticks %s.\n\n",
			total, build, genS-build, load-genS, dur(f.DaemonWallNS))
	}
	return b.String()
}

func pct(share float64) string { return strconv.FormatFloat(share*100, 'f', -1, 64) + "%" }
