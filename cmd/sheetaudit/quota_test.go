package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// quotaSheet is a Google sheet on the emulator set up like the quick
// start: typed columns, Change Log and Needs Review, a service-account key
// whose token_uri is the emulator's, so token exchanges are counted too.
type quotaSheet struct {
	srv  *sheetstest.Server
	id   string
	rows [][]string
	cfg  string
}

func newQuotaSheet(t *testing.T, schedule string) *quotaSheet {
	t.Helper()
	q := &quotaSheet{srv: sheetstest.Start(t, sheetstest.Options{}), id: "quota-sheet"}
	if err := q.srv.CreateSpreadsheet(q.id, "客户表", "客户"); err != nil {
		t.Fatal(err)
	}
	q.rows = [][]string{{"客户编号", "客户名称", "合同金额", "最后跟进日期", "备注"}}
	for i := 1; i <= 50; i++ {
		q.rows = append(q.rows, []string{fmt.Sprintf("C%05d", i), fmt.Sprintf("客户%d", i),
			fmt.Sprint(i * 1000), fmt.Sprintf("2026-11-%02d", 1+i%28), ""})
	}
	if err := q.srv.SetValues(q.id, "客户", q.rows); err != nil {
		t.Fatal(err)
	}
	key, _ := leakKey(t, q.srv.TokenURL())
	dir := t.TempDir()
	q.cfg = filepath.Join(dir, "sheetaudit.yaml")
	sched := ""
	if schedule != "" {
		sched = fmt.Sprintf("    schedule: %q\n    run_at_start: true\n", schedule)
	}
	yaml := fmt.Sprintf(`store: %s
timezone: Asia/Shanghai
http: {listen: ""}
sheets:
  - name: clients
    source: {google: {spreadsheet_id: %s, endpoint: "%s", credentials_file: %s}}
%s    tab: 客户
    key: [客户编号]
    write_back: {change_log_tab: Change Log, review_tab: Needs Review}
    columns:
      客户编号: {required: true, pattern: '^C\d{5}$', unique: true}
      客户名称: {required: true}
      合同金额: {type: number, min: 0}
      最后跟进日期: {type: date, not_after: today}
`, filepath.Join(dir, "store"), q.id, q.srv.URL(), key, sched)
	if err := os.WriteFile(q.cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return q
}

// edit changes one cell of the data tab, as a person would.
func (q *quotaSheet) edit(t *testing.T, row int, text string) {
	t.Helper()
	q.rows[row][4] = text
	if err := q.srv.SetValues(q.id, "客户", q.rows); err != nil {
		t.Fatal(err)
	}
}

// cycle runs `run --once` and counts the requests it sent by method, the
// Sheets ones, the Drive ones and the token exchanges apart.
func (q *quotaSheet) cycle(t *testing.T) (sheetsReqs, driveReqs map[string]int, tokens int) {
	t.Helper()
	n := len(q.srv.Requests())
	if code, out, errOut := sheetaudit(t, nil, "run", "--once", "--config", q.cfg); code != 0 {
		t.Fatalf("run --once: exit %d\n%s\n%s", code, out, errOut)
	}
	sheetsReqs, driveReqs = map[string]int{}, map[string]int{}
	for _, r := range q.srv.Requests()[n:] {
		switch {
		case r.Kind == "token":
			tokens++
		case strings.HasPrefix(r.Kind, "drive"):
			driveReqs[r.Kind]++
		default:
			sheetsReqs[r.Kind]++
		}
	}
	return sheetsReqs, driveReqs, tokens
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestRequestsPerCycle holds issue 15's quota targets for the binary as
// wired, with the quick start's kind of sheet: a changed cycle costs at
// most three Sheets requests (metadata, one grid read of displayed and
// typed values, one batchUpdate), an unchanged one a single Drive
// files.get and no Sheets request. A merge that adds a read to the cycle
// (a second metadata read, a read of our own tabs) fails it.
func TestRequestsPerCycle(t *testing.T) {
	q := newQuotaSheet(t, "")
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	day := func() string { return time.Now().In(loc).Format(time.DateOnly) }
	startDay := day()

	first, firstDrive, _ := q.cycle(t)
	unchanged, unchangedDrive, _ := q.cycle(t)
	q.edit(t, 3, "已回访")
	nextSecond()
	changed, changedDrive, _ := q.cycle(t)
	after, afterDrive, _ := q.cycle(t)
	t.Logf("Sheets / Drive requests per cycle:\n  first %v %v\n  unchanged %v %v\n  changed %v %v\n  unchanged after %v %v",
		first, firstDrive, unchanged, unchangedDrive, changed, changedDrive, after, afterDrive)

	if total(first) > 3 || first["spreadsheets.batchUpdate"] != 1 {
		t.Errorf("first cycle: Sheets requests %v; want at most 3, one of them the batchUpdate", first)
	}
	for name, c := range map[string][2]map[string]int{"unchanged": {unchanged, unchangedDrive}, "unchanged after the change": {after, afterDrive}} {
		if total(c[0]) != 0 || total(c[1]) != 1 || c[1]["drive.files.get"] != 1 {
			t.Errorf("%s cycle: Sheets %v, Drive %v; want no Sheets request and one drive.files.get", name, c[0], c[1])
		}
	}
	// The Change Log check against the store's chain reads the tab once a
	// day; a test that runs across midnight may meet it.
	want := 3
	if day() != startDay {
		want++
	}
	if total(changed) > want || changed["spreadsheets.get"] > 2 || changed["spreadsheets.batchUpdate"] != 1 {
		t.Errorf("changed cycle: Sheets requests %v; want at most %d: one metadata read, one grid read, one batchUpdate", changed, want)
	}
}

// TestDaemonSignsInOnce: the daemon keeps one token source per account
// for its life, so two cycles (and their Drive and Sheets clients) cost
// one token exchange, not one per cycle.
func TestDaemonSignsInOnce(t *testing.T) {
	q := newQuotaSheet(t, "@every 1s")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"run", "--config", q.cfg}, func(string) string { return "" }, io.Discard, io.Discard)
	}()
	// A full cycle ends with the files.get after its write-back; an
	// unchanged one is a files.get. Wait for the baseline, an edit's cycle
	// and one more.
	count := func(kind string) int {
		n := 0
		for _, r := range q.srv.Requests() {
			if r.Kind == kind {
				n++
			}
		}
		return n
	}
	wait := func(kind string, n int) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for count(kind) < n {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %d %s requests; requests: %v", n, kind, q.srv.Requests())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	wait("spreadsheets.batchUpdate", 1)
	nextSecond()
	q.edit(t, 5, "再跟进")
	wait("spreadsheets.batchUpdate", 2)
	wait("drive.files.get", count("drive.files.get")+1)
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("daemon exited %d", code)
	}
	if n := count("token"); n != 1 {
		t.Errorf("two cycles and more exchanged %d tokens; want 1 for the daemon's life", n)
	}
}
