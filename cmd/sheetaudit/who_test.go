package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/api/option"
	gsheets "google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

const (
	whoZhang = "张三 <zhangsan@corp.cn>"
	whoLi    = "李四 <lisi@corp.cn>"
	whoAdmin = "王五 <wangwu@corp.cn>"
	whoSelf  = "auditor@audit-test.iam.gserviceaccount.com" // leakKey's client_email
)

// whoSheet is a Google sheet on the emulator, audited by `run --once`
// with a service-account key (so sheetaudit's own writes are its
// account's), attribution and the access audit as configured.
type whoSheet struct {
	t   *testing.T
	srv *sheetstest.Server
	id  string
	cfg string
}

func newWhoSheet(t *testing.T, attribution, access bool) *whoSheet {
	t.Helper()
	srv := sheetstest.Start(t, sheetstest.Options{Admin: whoAdmin})
	s := &whoSheet{t: t, srv: srv, id: "who-sheet"}
	if err := srv.CreateSpreadsheet(s.id, "客户表", "客户"); err != nil {
		t.Fatal(err)
	}
	rows := [][]string{{"客户编号", "客户名称", "备注"}}
	for i := 1; i <= 5; i++ {
		rows = append(rows, []string{fmt.Sprintf("C%05d", i), fmt.Sprintf("客户%d", i), ""})
	}
	if err := srv.SetValues(s.id, "客户", rows); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{whoZhang, whoLi, "sheetaudit <" + whoSelf + ">"} {
		if err := srv.Share(s.id, u, "writer"); err != nil {
			t.Fatal(err)
		}
	}
	key, _ := leakKey(t, srv.TokenURL())
	dir := t.TempDir()
	s.cfg = filepath.Join(dir, "sheetaudit.yaml")
	yaml := fmt.Sprintf(`store: %s
http: {listen: ""}
access: {allowed_domains: [corp.cn], max_writers: 4}
sheets:
  - name: clients
    source: {google: {spreadsheet_id: %s, endpoint: "%s", credentials_file: %s, attribution: %v, access_audit: %v}}
    tab: 客户
    key: [客户编号]
    write_back: {change_log_tab: Change Log, review_tab: Needs Review}
`, filepath.Join(dir, "store"), s.id, srv.URL(), key, attribution, access)
	if err := os.WriteFile(s.cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// run runs one cycle and returns the kinds of the requests it sent.
func (s *whoSheet) run() []string {
	s.t.Helper()
	n := len(s.srv.Requests())
	code, out, errOut := sheetaudit(s.t, nil, "run", "--once", "--config", s.cfg)
	if code != 0 {
		s.t.Fatalf("run --once: exit %d\n%s\n%s", code, out, errOut)
	}
	var kinds []string
	for _, r := range s.srv.Requests()[n:] {
		if r.Kind != "token" { // each process signs in once per API client
			kinds = append(kinds, r.Kind)
		}
	}
	return kinds
}

// edit sets the 备注 of data row n as account, then waits for the next
// second, so the edit and the cycle after it fall in different seconds
// (snapshot ids, which bound the attribution windows, name the second).
func (s *whoSheet) edit(account string, n int, text string) {
	s.t.Helper()
	rows, err := s.srv.Values(s.id, "客户")
	if err != nil {
		s.t.Fatal(err)
	}
	for len(rows[n]) < 3 {
		rows[n] = append(rows[n], "")
	}
	rows[n][2] = text
	if err := s.srv.As(account).SetValues(s.id, "客户", rows); err != nil {
		s.t.Fatal(err)
	}
}

// newDay makes the next cycle the first of a day for the Change Log
// check against the chain, as if the day had changed.
func (s *whoSheet) newDay() {
	s.t.Helper()
	ctx := context.Background()
	st, err := snapshot.Open(ctx, filepath.Join(filepath.Dir(s.cfg), "store"), snapshot.Options{})
	if err != nil {
		s.t.Fatal(err)
	}
	defer st.Close()
	state, err := st.LoadState(ctx, "clients")
	if err != nil {
		s.t.Fatal(err)
	}
	state.ChainChecked = ""
	if err := st.SaveState(ctx, "clients", state); err != nil {
		s.t.Fatal(err)
	}
}

func nextSecond() {
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(1050 * time.Millisecond)))
}

func (s *whoSheet) values(tab string) [][]string {
	s.t.Helper()
	v, err := s.srv.Values(s.id, tab)
	if err != nil {
		s.t.Fatal(err)
	}
	return v
}

// editorOf returns the Editor cell of the Change Log row whose New value
// is text.
func (s *whoSheet) editorOf(text string) string {
	s.t.Helper()
	for _, r := range s.values("Change Log") {
		if len(r) > 5 && r[5] == text {
			if len(r) > audit.ChangeLogCycleColumn+1 {
				return r[audit.ChangeLogCycleColumn+1]
			}
			return ""
		}
	}
	s.t.Fatalf("no Change Log row with new value %q:\n%v", text, s.values("Change Log"))
	return ""
}

// reviewRules counts the Rule column of Needs Review.
func (s *whoSheet) reviewRules() map[string]int {
	s.t.Helper()
	v := s.values("Needs Review")
	rule := -1
	got := map[string]int{}
	for _, r := range v {
		if rule < 0 {
			rule = slices.Index(r, "Rule")
			continue
		}
		if rule < len(r) {
			got[r[rule]]++
		}
	}
	return got
}

// TestWhoOnEmulator runs the cycle against the emulator with attribution
// and the access audit on: people editing in separate windows are named
// on their rows, two in one window are the candidates, sheetaudit's own
// writes name nobody; a link shared to anyone, an outside domain and a new
// writer each give their Needs Review finding and Change Log row; rows
// deleted from the Change Log tab and one edited are reported and put
// back from the store's chain; the tabs are protected once.
func TestWhoOnEmulator(t *testing.T) {
	s := newWhoSheet(t, true, true)
	nextSecond()
	s.run() // baseline
	log := s.values("Change Log")
	if want := "Editor"; len(log) == 0 || len(log[0]) < 9 || log[0][8] != want {
		t.Fatalf("Change Log header %v, want an %q column after Cycle", log[0], want)
	}
	s.checkProtected(true)

	s.edit(whoZhang, 1, "zhang-1")
	nextSecond()
	s.run()
	s.edit(whoLi, 2, "li-1")
	nextSecond()
	s.run()
	s.edit(whoZhang, 3, "zhang-2")
	time.Sleep(20 * time.Millisecond) // 李四 edits last
	s.edit(whoLi, 4, "li-2")
	nextSecond()
	s.run()
	for text, want := range map[string]string{
		"zhang-1": "张三 (drive activity)",
		"li-1":    "李四 (drive activity)",
		"zhang-2": "one of: 张三, 李四 (drive activity)",
		"li-2":    "one of: 张三, 李四 (drive activity)",
	} {
		if got := s.editorOf(text); got != want {
			t.Errorf("Editor of %s = %q, want %q", text, got, want)
		}
	}
	// Each window after the first holds sheetaudit's own write-back of the
	// cycle before: it never shows as a person.
	for _, r := range s.values("Change Log")[1:] {
		if len(r) > 8 && (strings.Contains(r[8], "auditor") || strings.Contains(r[8], audit.SelfEditor)) {
			t.Errorf("a Change Log row names sheetaudit's own account: %v", r)
		}
	}

	// Sharing: to anyone by link, to an outside domain, to a new writer
	// (the fifth, over max_writers 4 with the owner, 张三 and 李四). The
	// owner who shared is named as Drive's permissions name them (the
	// emulator: the address's local part; Google: the display name).
	for _, sh := range []struct{ who, role string }{
		{"anyone", "reader"}, {"赵六 <zhao@partner.com>", "writer"}, {"钱七 <qian@corp.cn>", "writer"},
	} {
		if err := s.srv.Share(s.id, sh.who, sh.role); err != nil {
			t.Fatal(err)
		}
	}
	nextSecond()
	s.run()
	rules := s.reviewRules()
	for _, r := range []string{audit.RuleAccessAnyone, audit.RuleAccessOutside, audit.RuleAccessWriters} {
		if rules[r] == 0 {
			t.Errorf("Needs Review has no %s finding: %v", r, rules)
		}
	}
	var access []string
	for _, r := range s.values("Change Log") {
		if len(r) > 8 && strings.HasPrefix(r[1], "access ") {
			access = append(access, r[1]+" "+r[2]+" "+r[5]+" by "+r[8])
		}
	}
	wantAccess := []string{
		"access added anyone with the link reader by wangwu (drive activity)",
		"access added qian@corp.cn writer by wangwu (drive activity)",
		"access added zhao@partner.com writer by wangwu (drive activity)",
	}
	if !slices.Equal(access, wantAccess) {
		t.Errorf("access rows in the Change Log:\n%s\nwant:\n%s", strings.Join(access, "\n"), strings.Join(wantAccess, "\n"))
	}

	// Someone deletes three rows of the Change Log and edits a fourth.
	log = s.values("Change Log")
	before := len(log)
	var deleted []string
	edited := ""
	var kept [][]string
	for i, r := range log {
		switch {
		case i >= 2 && i <= 4:
			deleted = append(deleted, r[5])
			continue
		case i == 5:
			edited = r[5]
			r = slices.Clone(r)
			r[5] = "changed by hand"
		}
		kept = append(kept, r)
	}
	// SetValues keeps the cells it does not write: blank what moved up.
	for len(kept) < len(log) {
		kept = append(kept, nil)
	}
	for i := range kept {
		for len(kept[i]) < 9 {
			kept[i] = append(kept[i], "")
		}
	}
	if err := s.srv.SetValues(s.id, "Change Log", kept); err != nil {
		t.Fatal(err)
	}
	s.newDay() // the Change Log is checked against the chain once a day
	nextSecond()
	s.run()
	rules = s.reviewRules()
	if rules[audit.RuleChangeLogDeleted] != 3 || rules[audit.RuleChangeLogEdited] != 1 {
		t.Errorf("Needs Review: %d rows deleted, %d edited; want 3 and 1 (%v)",
			rules[audit.RuleChangeLogDeleted], rules[audit.RuleChangeLogEdited], rules)
	}
	log = s.values("Change Log")
	var back []string
	for _, r := range log {
		if len(r) > 7 && strings.HasSuffix(r[7], "(restored from history)") {
			back = append(back, r[5])
		}
	}
	if want := append(slices.Clone(deleted), edited); !sameSet(back, want) {
		t.Errorf("rows put back %q, want %q", back, want)
	}
	if len(log) != before-3+4 {
		t.Errorf("Change Log has %d rows, want %d (3 deleted, 4 put back)", len(log), before+1)
	}
	// The next cycle puts nothing back twice; the hand-edited row is still
	// reported, as it still says something the history does not.
	nextSecond()
	s.edit(whoLi, 5, "li-3")
	nextSecond()
	s.run()
	rules = s.reviewRules()
	if rules[audit.RuleChangeLogDeleted] != 0 || rules[audit.RuleChangeLogEdited] != 1 {
		t.Errorf("Needs Review after the repair: %v; want only the hand-edited row", rules)
	}
	if n := len(s.values("Change Log")); n != len(log)+1 {
		t.Errorf("after the repair the next cycle added %d rows, want 1 (li-3)", n-len(log))
	}
	s.checkProtected(true)

	// protect: strict changes the mode: one cycle updates both ranges.
	cfg, err := os.ReadFile(s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg = []byte(strings.Replace(string(cfg), "review_tab: Needs Review}", "review_tab: Needs Review, protect: strict}", 1))
	if err := os.WriteFile(s.cfg, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	kinds := s.run()
	s.checkProtected(false)
	if again := s.run(); !slices.Equal(again, []string{"drive.files.get"}) {
		t.Errorf("after the mode change a steady cycle sent %v", again)
	}
	t.Logf("the cycle that changed the protection sent %v", kinds)
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// checkProtected asks the emulator, through the real client, whether the
// Change Log and Needs Review tabs carry one protection each.
func (s *whoSheet) checkProtected(warningOnly bool) {
	s.t.Helper()
	svc, err := gsheets.NewService(context.Background(), option.WithEndpoint(s.srv.URL()), option.WithoutAuthentication())
	if err != nil {
		s.t.Fatal(err)
	}
	ss, err := svc.Spreadsheets.Get(s.id).Fields("sheets(properties(title),protectedRanges(warningOnly,description))").Do()
	if err != nil {
		s.t.Fatal(err)
	}
	got := map[string]int{}
	for _, sh := range ss.Sheets {
		for _, p := range sh.ProtectedRanges {
			if p.WarningOnly == warningOnly {
				got[sh.Properties.Title]++
			}
		}
	}
	if got["Change Log"] != 1 || got["Needs Review"] != 1 || got["客户"] != 0 {
		s.t.Errorf("protected ranges (warningOnly %v) by tab: %v; want one on Change Log and Needs Review, none on the data", warningOnly, got)
	}
}

// TestWhoRequests measures what attribution and the access audit cost per
// cycle against the emulator (the chain is on in both: it comes with the
// Change Log): nothing on a steady cycle (the source unchanged: one
// files.get), permissions.list, revisions.list and one activity query on
// a cycle that logs an edit, and permissions.list alone on the baseline.
func TestWhoRequests(t *testing.T) {
	counts := map[bool][4][]string{}
	for _, on := range []bool{false, true} {
		s := newWhoSheet(t, on, on)
		first := s.run()
		steady := s.run()
		s.edit(whoZhang, 1, "x")
		nextSecond()
		changed := s.run()
		again := s.run()
		t.Logf("attribution and access audit %v:\n  baseline (%d) %v\n  steady (%d) %v\n  one edit (%d) %v\n  steady after it (%d) %v",
			on, len(first), first, len(steady), steady, len(changed), changed, len(again), again)
		// The new tabs come protected in the write-back's own batch.
		if n := strings.Count(strings.Join(first, " "), "spreadsheets.batchUpdate"); n != 1 {
			t.Errorf("on=%v: the baseline sent %d batchUpdates, want the one write-back", on, n)
		}
		s.checkProtected(true)
		if !slices.Equal(steady, []string{"drive.files.get"}) || !slices.Equal(again, steady) {
			t.Errorf("on=%v: a steady cycle sent %v then %v; want one files.get each", on, steady, again)
		}
		counts[on] = [4][]string{first, steady, changed, again}
	}
	extra := func(i int) []string {
		var out []string
		for _, k := range counts[true][i] {
			if !slices.Contains(counts[false][i], k) {
				out = append(out, k)
			}
		}
		return out
	}
	if got, want := extra(0), []string{"drive.permissions.list"}; !slices.Equal(got, want) || len(counts[true][0]) != len(counts[false][0])+1 {
		t.Errorf("baseline: on sends %v more; want %v", got, want)
	}
	if got, want := extra(2), []string{"drive.permissions.list", "drive.revisions.list", "driveactivity.activity.query"}; !slices.Equal(got, want) ||
		len(counts[true][2]) != len(counts[false][2])+3 {
		t.Errorf("a cycle with an edit: on sends %v more; want %v", got, want)
	}
}

// The weekly report of a sheet with the access audit has an access
// section, from the sharing the last cycle read.
func TestWhoReportAccessSection(t *testing.T) {
	s := newWhoSheet(t, false, true)
	if err := s.srv.Share(s.id, "anyone", "reader"); err != nil {
		t.Fatal(err)
	}
	s.run()
	f, err := os.OpenFile(s.cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("    staleness: {date_column: 备注, default: 30d}\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if code, stdout, errOut := sheetaudit(t, nil, "report", "--config", s.cfg, "--out", out, "--no-mail"); code != 0 {
		t.Fatalf("report: exit %d\n%s\n%s", code, stdout, errOut)
	}
	pages, _ := filepath.Glob(filepath.Join(out, "*.html"))
	if len(pages) != 1 {
		t.Fatalf("report pages %v, want one", pages)
	}
	page, err := os.ReadFile(pages[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Who can open this sheet", "anyone with the link", "lisi@corp.cn", "wangwu@corp.cn"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report page lacks %q", want)
		}
	}
}
