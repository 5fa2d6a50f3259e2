package audit_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

// fakeEditors names one editor for every revision between two cycles.
type fakeEditors struct{ revs *[]audit.Revision }

func (f fakeEditors) Revisions(context.Context) ([]audit.Revision, error) { return *f.revs, nil }
func (f fakeEditors) Activities(context.Context, time.Time, time.Time) ([]audit.Activity, error) {
	return nil, audit.ErrPermission // the activity log is off: revisions name them
}

// mutableAccess is a file's sharing that the test changes between cycles.
type mutableAccess struct{ perms *[]audit.Permission }

func (m mutableAccess) Permissions(context.Context) ([]audit.Permission, error) { return *m.perms, nil }

// whoCycle runs cycles of one sheet with Cycle.Who on an in-memory
// workbook, store and chain.
type whoCycle struct {
	t     *testing.T
	clock *audittest.Clock
	wb    *audittest.Workbook
	store *audittest.Store
	chain *memChain
	revs  []audit.Revision
	perms []audit.Permission
	spec  audit.Spec
}

func newWhoCycle(t *testing.T) *whoCycle {
	w := &whoCycle{
		t:     t,
		clock: audittest.NewClock(time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)),
		wb:    audittest.NewWorkbook(map[string][][]string{"T": {{"id", "v"}, {"1", "a"}}}),
		store: audittest.NewStore(),
		chain: &memChain{},
		perms: []audit.Permission{{ID: "1", Type: "user", Role: "owner", Email: "boss@corp.cn"}},
		spec:  audit.Spec{Name: "s", Tab: "T", HeaderRow: 1, Key: []string{"id"}, ChangeLogTab: "Log", ReviewTab: "Review"},
	}
	return w
}

func (w *whoCycle) run(wb audit.Workbook) (*audit.Result, error) {
	w.clock.Advance(time.Minute)
	who := &audit.Who{Chain: w.chain, Editors: fakeEditors{&w.revs}, Access: mutableAccess{&w.perms},
		Policy: audit.AccessPolicy{AllowedDomains: []string{"corp.cn"}}}
	c := &audit.Cycle{Spec: w.spec, Workbook: wb, Store: w.store, State: w.store, Now: w.clock.Now,
		Logger: zaptest.NewLogger(w.t), Who: who}
	return c.Run(context.Background())
}

// edit changes the data tab as person, a second from now.
func (w *whoCycle) edit(person string, values [][]string) {
	w.wb.Set("T", values)
	w.revs = append(w.revs, audit.Revision{Modified: w.clock.Now().Add(time.Second), User: audit.Person{Name: person}})
}

func (w *whoCycle) tab(title string) [][]string {
	w.t.Helper()
	tab, err := w.wb.ReadTab(context.Background(), title)
	if err != nil {
		w.t.Fatal(err)
	}
	return tab.Values
}

// The cycle with Who: the Change Log gets an Editor column and sharing
// changes; Needs Review the access findings; the chain exactly the rows
// of each cycle, once, even when a write-back is interrupted and sent
// again from the chain (Editor column and sharing rows included).
func TestCycleWho(t *testing.T) {
	for _, tc := range []struct {
		name   string
		broken func(*audittest.Workbook) audit.Workbook
	}{
		{"landed, reply lost", func(w *audittest.Workbook) audit.Workbook { return lostReply{w} }},
		{"refused", func(w *audittest.Workbook) audit.Workbook { return refused{w} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWhoCycle(t)
			if _, err := w.run(w.wb); err != nil {
				t.Fatal(err)
			}
			if h := w.tab("Log")[0]; len(h) != 9 || h[8] != "Editor" {
				t.Fatalf("Change Log header %q, want an Editor column", h)
			}
			w.edit("张三", [][]string{{"id", "v"}, {"1", "b"}})
			w.perms = append(w.perms, audit.Permission{ID: "2", Type: "anyone", Role: "reader"})
			broken, err := w.run(tc.broken(w.wb))
			if err == nil {
				t.Fatal("broken write-back: no error")
			}
			w.edit("李四", [][]string{{"id", "v"}, {"1", "c"}})
			res, err := w.run(w.wb)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range res.Findings {
				if strings.HasPrefix(f.Rule, "changelog_") {
					t.Errorf("after the resend the Change Log differs from the chain: %+v", f)
				}
			}
			if !slices.ContainsFunc(res.Findings, func(f audit.Finding) bool { return f.Rule == audit.RuleAccessAnyone }) {
				t.Errorf("no %s finding in %+v", audit.RuleAccessAnyone, res.Findings)
			}
			var got [][]string
			for _, r := range w.tab("Log")[1:] {
				for len(r) < 9 {
					r = append(r, "")
				}
				got = append(got, []string{r[1], r[2], r[4], r[5], r[8]})
			}
			want := [][]string{
				{"baseline", "", "", "1 rows, 2 columns"},
				{"cell modified", "1", "a", "b", "张三 (drive revisions)"},
				{"access added", "anyone with the link", "", "reader", "unknown"},
				{"cell modified", "1", "b", "c", "李四 (drive revisions)"},
			}
			if diff := cmp.Diff(want, trimRows(got)); diff != "" {
				t.Errorf("Change Log mismatch (-want +got):\n%s", diff)
			}
			var cycles []string
			for _, e := range w.chain.entries {
				cycles = append(cycles, e.Cycle)
			}
			if len(cycles) != 3 || cycles[1] != broken.Cycle || cycles[2] != res.Cycle {
				t.Errorf("chain entries %v; want the baseline, the interrupted cycle once, and the last", cycles)
			}
			var fromChain [][]string
			for _, e := range w.chain.entries {
				fromChain = append(fromChain, e.Rows...)
			}
			if diff := cmp.Diff(fromChain, w.tab("Log")[1:]); diff != "" {
				t.Errorf("the chain and the tab differ (-chain +tab):\n%s", diff)
			}
		})
	}
}

func trimRows(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		for len(r) > 0 && r[len(r)-1] == "" {
			r = r[:len(r)-1]
		}
		out[i] = r
	}
	return out
}

// Rows deleted from the Change Log tab are put back, marked, in the
// cycle's one write-back; the chain does not record them a second time.
func TestCycleWhoPutsBackDeletedRows(t *testing.T) {
	w := newWhoCycle(t)
	for _, v := range []string{"a", "b", "c"} {
		w.edit("张三", [][]string{{"id", "v"}, {"1", v}, {"2", v}})
		if _, err := w.run(w.wb); err != nil {
			t.Fatal(err)
		}
	}
	log := w.tab("Log")
	w.wb.Set("Log", slices.Delete(slices.Clone(log), 2, 4))
	// The check runs once a day: the same day's next cycle does not read
	// the tab; the first cycle of the next day finds the deletion.
	w.edit("张三", [][]string{{"id", "v"}, {"1", "d"}, {"2", "d"}})
	res, err := w.run(w.wb)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if f.Rule == audit.RuleChangeLogDeleted {
			t.Errorf("the Change Log was checked twice on one day: %+v", f)
		}
	}
	entries := len(w.chain.entries)
	w.clock.Advance(24 * time.Hour)
	res, err = w.run(w.wb)
	if err != nil {
		t.Fatal(err)
	}
	deleted := 0
	for _, f := range res.Findings {
		if f.Rule == audit.RuleChangeLogDeleted {
			deleted++
		}
	}
	if deleted != 2 || res.Logged != 2 {
		t.Errorf("%d deleted findings, %d rows appended; want 2 and 2", deleted, res.Logged)
	}
	after := w.tab("Log")
	for _, r := range after[len(after)-2:] {
		if !strings.HasSuffix(r[7], "(restored from history)") {
			t.Errorf("appended row %q is not marked restored", r)
		}
	}
	if len(w.chain.entries) != entries {
		t.Errorf("the chain grew from %d to %d entries on a cycle that only put rows back", entries, len(w.chain.entries))
	}
	res, err = w.run(w.wb)
	if err != nil || res.Logged != 0 || len(res.Findings) != 0 {
		t.Errorf("next cycle: %d rows, findings %+v, %v; want nothing", res.Logged, res.Findings, err)
	}
}
