// Command report turns the files bench/run.sh leaves in its results folder
// into the section of bench/RESULTS.md for one size:
//
//	report -dir $tmp/res -size large -o bench/RESULTS.md
//
// The section sits between <!-- size:NAME begin --> and <!-- size:NAME end
// --> and is replaced on every run of that size; everything outside the
// markers (the analysis written by people) is kept. Missing inputs (peers
// skipped when npm is unreachable) show as "—" with the reason.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/sheetaudit/sheetaudit/atomicfile"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "results folder of run.sh (required)")
	size := fs.String("size", "", "size name: small, large or max (required)")
	out := fs.String("o", "", "RESULTS.md to update (required)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dir == "" || *size == "" || *out == "" {
		fmt.Fprintln(stderr, "report: need -dir, -size and -o")
		return 2
	}
	section := ""
	if *size == "fleet" {
		section = renderFleet(&results{dir: *dir})
	} else {
		section = render(&results{dir: *dir}, *size)
	}
	if err := update(*out, *size, section); err != nil {
		fmt.Fprintf(stderr, "report: %v\n", err)
		return 1
	}
	return 0
}

// measured is bench/cmd/measure's output.
type measured struct {
	WallNS   int64 `json:"wall_ns"`
	UserNS   int64 `json:"user_ns"`
	SysNS    int64 `json:"sys_ns"`
	MaxRSS   int64 `json:"max_rss_bytes"`
	ExitCode int   `json:"exit_code"`
	TimedOut bool  `json:"timed_out"`
}

func (m *measured) cpu() int64 { return m.UserNS + m.SysNS }

type cycleResult struct {
	Duration    int64 `json:"duration"`
	NewSnapshot bool  `json:"new_snapshot"`
	Rows        int   `json:"rows"`
	Columns     int   `json:"columns"`
	Changes     int   `json:"changes"`
	Logged      int   `json:"logged"`
	Findings    []any `json:"findings"`
	Error       string
}

type tapLog struct {
	Requests []struct {
		Method string `json:"method"`
		URL    string `json:"url"`
	} `json:"requests"`
	ReadBytes int64 `json:"read_bytes"`
	SentBytes int64 `json:"sent_bytes"`
}

type stage struct {
	MinNS    int64  `json:"min_ns"`
	MedianNS int64  `json:"median_ns"`
	Bytes    uint64 `json:"alloc_bytes"`
	Runs     int    `json:"runs"`
}

type stages struct {
	Rows        int   `json:"rows"`
	Changes     int   `json:"changes"`
	LogRows     int   `json:"change_log_rows"`
	Findings    int   `json:"findings"`
	ReadCSV     stage `json:"read_csv"`
	ParseTables stage `json:"parse_tables"`
	Validate    stage `json:"validate"`
	Diff        stage `json:"diff"`
	ChangeLog   stage `json:"change_log"`
}

type genInfo struct {
	Rows  int `json:"rows"`
	Cols  int `json:"cols"`
	Seed  int `json:"seed"`
	Stats struct {
		Edited  int `json:"edited_rows"`
		Cells   int `json:"edited_cells"`
		Added   int `json:"added_rows"`
		Removed int `json:"removed_rows"`
	} `json:"stats"`
	Cells int `json:"cells"`
}

type floorOut struct {
	Requests int   `json:"requests"`
	Bytes    int64 `json:"bytes"`
	Cells    int64 `json:"cells"`
}

type results struct{ dir string }

// load decodes a JSON file of the results folder; a missing or broken
// file gives false, and the table shows "—".
func (r *results) load(name string, v any) bool {
	b, err := os.ReadFile(filepath.Join(r.dir, name))
	if err != nil {
		return false
	}
	// Some outputs hold one JSON value after log lines; take the first.
	s := strings.TrimSpace(string(b))
	if i := strings.IndexAny(s, "[{"); i > 0 {
		s = s[i:]
	}
	return json.NewDecoder(strings.NewReader(s)).Decode(v) == nil
}

func (r *results) text(name string) string {
	b, _ := os.ReadFile(filepath.Join(r.dir, name))
	return strings.TrimSpace(string(b))
}

// store returns the store's bytes, objects and chunk objects after cycle
// n (0: before the first).
func (r *results) store(n int) (bytes, objects, chunks int64, ok bool) {
	f := strings.Fields(r.text(fmt.Sprintf("store%d.txt", n)))
	if len(f) != 3 {
		return 0, 0, 0, false
	}
	var v [3]int64
	for i := range v {
		var err error
		if v[i], err = strconv.ParseInt(f[i], 10, 64); err != nil {
			return 0, 0, 0, false
		}
	}
	return v[0], v[1], v[2], true
}

func render(r *results, size string) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	var g genInfo
	r.load("gen.json", &g)
	p("## %s: %s rows × %d columns (%s cells)\n\n", size, num(int64(g.Rows)), g.Cols, num(int64(g.Cells)))
	p("Run %s. %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), machine(r))
	p("Data: bench/cmd/gen seed %d. Version 2 (1%% churn): %d rows edited (%d cells), %d added, %d removed. ",
		g.Seed, g.Stats.Edited, g.Stats.Cells, g.Stats.Added, g.Stats.Removed)
	p("Load average at start %s, at end %s (1, 5, 15 min).\n\n", loadavg(r, "start"), loadavg(r, "end"))

	// Cycles.
	p("### Full cycles: `sheetaudit run --once` against the emulator over loopback\n\n")
	p("| cycle | sheet | wall | CPU user+sys | peak RSS | read from API | requests | store added | new chunk objects | new snapshot | changes | findings | in-process duration |\n")
	p("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|\n")
	what := []string{"", "first (v1)", "after 1% churn (v2)", "unchanged (v2 again)", "row inserted at the top of v2"}
	const cycles = 4
	var cyc [cycles + 1]measured
	var cycOK [cycles + 1]bool
	var taps [cycles + 1]tapLog
	for n := 1; n <= cycles; n++ {
		cycOK[n] = r.load(fmt.Sprintf("cycle%d.json", n), &cyc[n])
		r.load(fmt.Sprintf("cycle%d.tap.json", n), &taps[n])
		var cr []cycleResult
		r.load(fmt.Sprintf("cycle%d.out", n), &cr)
		var res cycleResult
		if len(cr) > 0 {
			res = cr[0]
		}
		b0, o0, c0, _ := r.store(n - 1)
		b1, o1, c1, _ := r.store(n)
		if !cycOK[n] {
			p("| %d | %s | — | — | — | — | — | — | — | — | — | — | — |\n", n, what[n])
			continue
		}
		p("| %d | %s | %s | %s | %s | %s | %d | %s in %d objects | %d | %v | %d | %d | %s |\n", n, what[n],
			dur(cyc[n].WallNS), dur(cyc[n].cpu()), mib(cyc[n].MaxRSS), mib(taps[n].ReadBytes), len(taps[n].Requests),
			mib(b1-b0), o1-o0, c1-c0, res.NewSnapshot, res.Changes, len(res.Findings), dur(res.Duration))
	}
	if b, _, c, ok := r.store(cycles); ok {
		p("\nStore after the four cycles: %s in %d chunk objects; `snapshots list`: %s.\n", mib(b), c, versions(r))
	}
	p("\nRead from API = response bodies through the counting proxy (bench/cmd/tap), every call of the cycle (metadata, data blocks, Change Log and Needs Review reads). Store added = growth of the store folder (`du -sb`; manifests and state file included); new chunk objects = new files under chunks/ (chunks and patches).\n\n")

	// Floor.
	p("### Floor: replay the data reads of cycles 1 and 2 and decode them with encoding/json\n\n")
	p("| decode into | wall | CPU user+sys | peak RSS | bytes decoded | requests | cells |\n|---|---:|---:|---:|---:|---:|---:|\n")
	var floors = map[string]measured{}
	for _, into := range []string{"string", "any"} {
		var m measured
		var f floorOut
		if !r.load("floor_"+into+".json", &m) || !r.load("floor_"+into+".out", &f) {
			p("| `[][]%s` | — | — | — | — | — | — |\n", into)
			continue
		}
		floors[into] = m
		p("| `[][]%s` | %s | %s | %s | %s | %d | %s |\n", into, dur(m.WallNS), dur(m.cpu()), mib(m.MaxRSS), mib(f.Bytes), f.Requests, num(f.Cells))
	}
	p("\nEach floor ran twice; the faster run is shown. The floor holds both versions' decoded values until it exits, as a diff must. `[][]string` is the strictest floor (a client that knows FORMATTED_VALUE answers only strings); `[][]any` is what the generated Google client decodes into.\n\n")

	// Stages and peers.
	var st stages
	stOK := r.load("stages.out", &st)
	var daffLib struct {
		ParseMS float64 `json:"parse_ms"`
		DiffMS  float64 `json:"diff_ms"`
	}
	var daffCLI, daffLibM, tsM measured
	daffCLIOK := r.load("daff_cli.json", &daffCLI)
	daffLibOK := r.load("daff_lib.out", &daffLib) && r.load("daff_lib.json", &daffLibM)
	var ts struct {
		ValidateMS float64 `json:"validate_ms"`
		Rows       int     `json:"rows"`
		BadRows    int     `json:"bad_rows"`
		Errors     int     `json:"errors"`
	}
	tsOK := r.load("tableschema.out", &ts) && r.load("tableschema.json", &tsM)
	note := r.text("peers.note")
	p("### Stages alone, sheetaudit beside its peers on the same files\n\n")
	if note != "" {
		p("Peers: %s\n\n", note)
	} else {
		p("Peers: Node %s; %s.\n\n", r.text("node.version"), strings.Join(strings.Fields(r.text("npm.versions")), ", "))
	}
	p("| stage | sheetaudit (min / median of %d) | allocated per run | peer | sheetaudit faster by |\n|---|---:|---:|---:|---:|\n", st.Diff.Runs)
	if stOK {
		peerDiff, ratioDiff := "—", "—"
		if daffLibOK {
			peerDiff = fmt.Sprintf("daff compare+align+hilite %s", dur(int64(daffLib.DiffMS*1e6)))
			ratioDiff = ratio(daffLib.DiffMS*1e6, float64(st.Diff.MinNS))
		}
		p("| keyed diff v1 → v2 (`audit.Diff`, %d changes) | %s / %s | %s | %s | %s |\n", st.Changes,
			dur(st.Diff.MinNS), dur(st.Diff.MedianNS), mib(int64(st.Diff.Bytes)), peerDiff, ratioDiff)
		peerVal, ratioVal := "—", "—"
		if tsOK {
			peerVal = fmt.Sprintf("tableschema read+cast+check %s (%d rows, %d bad, %d errors)", dur(int64(ts.ValidateMS*1e6)), ts.Rows, ts.BadRows, ts.Errors)
			ratioVal = ratio(ts.ValidateMS*1e6, float64(st.Validate.MinNS))
		}
		p("| validate v2 (`Rules.Check`, %d findings) | %s / %s | %s | %s | %s |\n", st.Findings,
			dur(st.Validate.MinNS), dur(st.Validate.MedianNS), mib(int64(st.Validate.Bytes)), peerVal, ratioVal)
		csvVal := st.ReadCSV.MinNS/2 + st.ParseTables.MinNS/2 + st.Validate.MinNS
		if tsOK {
			p("| validate v2 from the CSV file (read + parse table + check) | %s | — | same | %s |\n", dur(csvVal), ratio(ts.ValidateMS*1e6, float64(csvVal)))
		}
		e2e := st.ReadCSV.MinNS + st.ParseTables.MinNS + st.Diff.MinNS
		if daffLibOK {
			p("| diff from the two CSV files (read + parse tables + diff) | %s | — | daff parse+diff %s | %s |\n", dur(e2e),
				dur(int64((daffLib.ParseMS+daffLib.DiffMS)*1e6)), ratio((daffLib.ParseMS+daffLib.DiffMS)*1e6, float64(e2e)))
		}
		p("| Change Log rows of the diff (`audit.ChangeLogRows`, %d rows) | %s / %s | %s | — | — |\n", st.LogRows,
			dur(st.ChangeLog.MinNS), dur(st.ChangeLog.MedianNS), mib(int64(st.ChangeLog.Bytes)))
		p("| read both CSVs (encoding/csv) | %s / %s | %s | — | — |\n", dur(st.ReadCSV.MinNS), dur(st.ReadCSV.MedianNS), mib(int64(st.ReadCSV.Bytes)))
		p("| parse both as keyed tables (`audit.ParseTable`) | %s / %s | %s | — | — |\n", dur(st.ParseTables.MinNS), dur(st.ParseTables.MedianNS), mib(int64(st.ParseTables.Bytes)))
	} else {
		p("| (bench/cmd/stages did not run) | — | — | — | — |\n")
	}
	if daffCLIOK || tsOK {
		p("\nThe peer scripts ran twice; the faster run is shown. Peer processes as a whole (Node start-up included):\n\n| peer | wall | CPU user+sys | peak RSS | exit |\n|---|---:|---:|---:|---|\n")
		for _, pm := range []struct {
			name string
			m    measured
			ok   bool
		}{{"`daff diff --id 客户编号 v1.csv v2.csv` (CLI)", daffCLI, daffCLIOK}, {"daff_diff.js (library, staged)", daffLibM, daffLibOK}, {"tableschema_validate.js", tsM, tsOK}} {
			if !pm.ok {
				continue
			}
			exit := strconv.Itoa(pm.m.ExitCode)
			if pm.m.TimedOut {
				exit = "timed out"
			}
			p("| %s | %s | %s | %s | %s |\n", pm.name, dur(pm.m.WallNS), dur(pm.m.cpu()), mib(pm.m.MaxRSS), exit)
		}
	}

	if top := r.text("cpu.top.txt"); top != "" {
		p("\n### Profile of the churn cycle (bench/run.sh --profile)\n\n%s\n\n<details><summary>CPU (go tool pprof -top)</summary>\n\n```\n%s\n```\n</details>\n\n", r.text("profile.txt"), top)
		if alloc := r.text("alloc.top.txt"); alloc != "" {
			p("<details><summary>Allocations (-sample_index=alloc_space)</summary>\n\n```\n%s\n```\n</details>\n", alloc)
		}
	}

	// Targets.
	p("\n### Targets of issue 7\n\n")
	if size == "small" {
		p("The targets are set for the large (200,000 × 12) and max (10 M cells) sizes; at this size fixed start-up costs (a 50 MB binary, Node start-up) dominate, so the ratios below are shown for completeness only.\n\n")
	}
	if f, ok := floors["string"]; ok && cycOK[2] {
		fa := floors["any"]
		p("- Cycle 2 (1%% churn) wall / floor wall: **%s** against `[][]string`, %s against `[][]any` (target ≤ 2×) — %s.\n",
			ratio(float64(cyc[2].WallNS), float64(f.WallNS)), ratio(float64(cyc[2].WallNS), float64(fa.WallNS)), verdict(float64(cyc[2].WallNS) <= 2*float64(f.WallNS)))
		p("- Cycle 2 CPU / floor CPU: %s against `[][]string`, %s against `[][]any`.\n",
			ratio(float64(cyc[2].cpu()), float64(f.cpu())), ratio(float64(cyc[2].cpu()), float64(fa.cpu())))
		p("- Cycle 2 peak RSS / floor peak RSS: **%s** against `[][]string`, %s against `[][]any` (target ≤ 1.5×) — %s.\n",
			ratio(float64(cyc[2].MaxRSS), float64(f.MaxRSS)), ratio(float64(cyc[2].MaxRSS), float64(fa.MaxRSS)), verdict(float64(cyc[2].MaxRSS) <= 1.5*float64(f.MaxRSS)))
	}
	if stOK && daffLibOK {
		x := daffLib.DiffMS * 1e6 / float64(st.Diff.MinNS)
		p("- Diff alone vs daff's keyed diff: **%.1f×** faster (target ≥ 10×) — %s.\n", x, verdict(x >= 10))
	}
	if stOK && tsOK {
		x := ts.ValidateMS * 1e6 / float64(st.Validate.MinNS)
		p("- Validation alone vs tableschema: **%.1f×** faster (target ≥ 20×) — %s.\n", x, verdict(x >= 20))
	}
	if size == "max" && cycOK[1] {
		var worst, rss int64
		for n := 1; n <= cycles; n++ {
			worst, rss = max(worst, cyc[n].WallNS), max(rss, cyc[n].MaxRSS)
		}
		p("- 10 M cells, slowest of the four cycles: **%s** (target < 20 s) — %s; highest peak RSS **%s** (target < 2 GiB) — %s.\n",
			dur(worst), verdict(worst < 20e9), mib(rss), verdict(rss < 2<<30))
	}
	if cycOK[3] {
		_, _, c2, _ := r.store(2)
		b2, _, _, _ := r.store(2)
		b3, _, c3, _ := r.store(3)
		p("- Unchanged third cycle: %d new chunk objects, store grew by %s (the state file) — %s (target: no new chunk).\n",
			c3-c2, mib(b3-b2), verdict(c3 == c2))
	}
	if cycOK[4] {
		_, _, c3, _ := r.store(3)
		_, _, c4, _ := r.store(4)
		p("- Row inserted at the top: %d new chunk objects — %s (target ≤ 3; the store keeps a small version as a patch on the previous one; chunking alone is measured by the snapshot package, see below).\n", c4-c3, verdict(c4-c3 <= 3))
	}
	return b.String()
}

// versions summarises `snapshots list --format json`.
func versions(r *results) string {
	var list []struct {
		ID    string `json:"id"`
		Bytes int64  `json:"bytes"`
	}
	if !r.load("snapshots.out", &list) || len(list) == 0 {
		return "—"
	}
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = fmt.Sprintf("%s %s", v.ID, mib(v.Bytes))
	}
	return fmt.Sprintf("%d versions (%s)", len(list), strings.Join(parts, ", "))
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func machine(r *results) string {
	model := ""
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				mem = fmt.Sprintf("%.1f GiB RAM", float64(kb)/(1<<20))
			}
		}
	}
	return fmt.Sprintf("Machine: %d cores (%s), %s, %s/%s, Go %s.", runtime.NumCPU(), orDash(model), orDash(mem),
		runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func loadavg(r *results, which string) string {
	f := strings.Fields(r.text("loadavg." + which))
	if len(f) < 3 {
		return "—"
	}
	return strings.Join(f[:3], " ")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func ratio(a, b float64) string {
	if b <= 0 || a <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func dur(ns int64) string {
	d := time.Duration(ns)
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.0f µs", float64(d)/1e3)
	}
}

func mib(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d B", n)
	}
}

// num writes n with thousands separators.
func num(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[0] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// update replaces the size's section of the results file, or appends it,
// writing through a temp file and a rename.
func update(path, size, section string) error {
	begin, end := "<!-- size:"+size+" begin -->", "<!-- size:"+size+" end -->"
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("read %q: %w", path, err)
	}
	text := string(old)
	if text == "" {
		text = "# sheetaudit benchmark results\n\nWritten by bench/run.sh; see bench/README.md.\n"
	}
	block := begin + "\n" + section + end
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i >= 0 && j > i {
		text = text[:i] + block + text[j+len(end):]
	} else {
		text = strings.TrimRight(text, "\n") + "\n\n" + block + "\n"
	}
	if err := atomicfile.WriteFile(context.Background(), path, []byte(text), atomicfile.Options{}); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	return nil
}
