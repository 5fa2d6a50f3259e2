package audit_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

// lostReply appends, then reports the outcome unknown, as a write whose
// response never arrives (a kill, a deadline) would look.
type lostReply struct{ *audittest.Workbook }

func (w lostReply) AppendRows(ctx context.Context, title string, rows [][]string) error {
	if err := w.Workbook.AppendRows(ctx, title, rows); err != nil {
		return err
	}
	return audit.ErrUnavailable
}

// refused fails every append before writing anything.
type refused struct{ *audittest.Workbook }

func (refused) AppendRows(context.Context, string, [][]string) error { return audit.ErrUnavailable }

// logged returns the Change Log rows of the given kind.
func logged(t *testing.T, wb *audittest.Workbook, kind string) [][]string {
	t.Helper()
	tab, err := wb.ReadTab(context.Background(), "Log")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, r := range tab.Values {
		if len(r) > 1 && r[1] == kind {
			out = append(out, r)
		}
	}
	return out
}

func TestInterruptedWriteBackLogsEachChangeOnce(t *testing.T) {
	for _, tc := range []struct {
		name   string
		broken func(*audittest.Workbook) audit.Workbook
	}{
		{"landed, reply lost", func(w *audittest.Workbook) audit.Workbook { return lostReply{w} }},
		{"refused", func(w *audittest.Workbook) audit.Workbook { return refused{w} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clock := audittest.NewClock(time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC))
			wb := audittest.NewWorkbook(map[string][][]string{"T": {{"id", "v"}, {"1", "a"}}})
			store := audittest.NewStore()
			spec := audit.Spec{Name: "s", Tab: "T", HeaderRow: 1, Key: []string{"id"}, ChangeLogTab: "Log"}
			cycle := func(w audit.Workbook) (*audit.Result, error) {
				clock.Advance(time.Minute)
				c := &audit.Cycle{Spec: spec, Workbook: w, Store: store, State: store, Now: clock.Now, Logger: zaptest.NewLogger(t)}
				return c.Run(ctx)
			}
			if _, err := cycle(wb); err != nil {
				t.Fatal(err)
			}
			wb.Set("T", [][]string{{"id", "v"}, {"1", "a"}, {"2", "b"}})
			broken, err := cycle(tc.broken(wb))
			if err == nil {
				t.Fatal("broken write-back: no error")
			}
			st, _ := store.LoadState(ctx, "s")
			if st.Pending == nil || st.Pending.Cycle != broken.Cycle || st.Pending.Rows != 1 {
				t.Fatalf("state after the broken write-back = %+v; want its batch pending", st)
			}
			wb.Set("T", [][]string{{"id", "v"}, {"1", "a"}, {"2", "b"}, {"3", "c"}})
			if _, err := cycle(wb); err != nil {
				t.Fatal(err)
			}
			if _, err := cycle(wb); err != nil {
				t.Fatal(err)
			}
			added := logged(t, wb, "row added")
			var keys []string
			for _, r := range added {
				keys = append(keys, r[2])
			}
			if len(keys) != 2 || keys[0] != "2" || keys[1] != "3" {
				t.Fatalf("rows added in the log = %q; want 2 then 3, once each", keys)
			}
			if r := added[0]; r[len(r)-1] != broken.Cycle {
				t.Errorf("row 2 was logged under cycle %q, want the interrupted cycle's %q", r[len(r)-1], broken.Cycle)
			}
			if st, _ := store.LoadState(ctx, "s"); st.Pending != nil {
				t.Errorf("pending = %+v after recovery; want none", st.Pending)
			}
		})
	}
}

// versioned is an in-memory workbook with a version that every write, its
// own or a person's (Edit), moves by one, and an optional BatchWriter.
type versioned struct {
	*audittest.Workbook
	mu       sync.Mutex
	version  int
	writes   int // own write calls
	base     [2]int
	batches  int
	versions int // Version calls
}

func (w *versioned) bump(own bool) {
	w.mu.Lock()
	w.version++
	if own {
		w.writes++
	}
	w.mu.Unlock()
}

func (w *versioned) Edit(title string, values [][]string) {
	w.Set(title, values)
	w.bump(false)
}

func (w *versioned) Version(context.Context) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.versions++
	w.base = [2]int{w.version, w.writes}
	return strconv.Itoa(w.version), nil
}

func (w *versioned) VersionAfterWrites(_ context.Context, since string) (string, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	sure := since == strconv.Itoa(w.base[0]) && w.version-w.base[0] == w.writes-w.base[1]
	return strconv.Itoa(w.version), sure, nil
}

func (w *versioned) WriteBack(ctx context.Context, b *audit.WriteBack) error {
	for _, t := range b.Tabs {
		_, created, err := w.Workbook.EnsureTab(ctx, t.Title)
		if err != nil {
			return err
		}
		rows := t.Rows
		if created && t.Append {
			rows = append(append([][]audit.Cell{}, t.Header...), rows...)
		}
		s := make([][]string, len(rows))
		for i, r := range rows {
			for _, c := range r {
				s[i] = append(s[i], c.String())
			}
		}
		if t.Append {
			err = w.Workbook.AppendRows(ctx, t.Title, s)
		} else {
			err = w.Workbook.ReplaceTab(ctx, t.Title, s)
		}
		if err != nil {
			return err
		}
	}
	w.mu.Lock()
	w.batches++
	w.mu.Unlock()
	w.bump(true)
	return nil
}

func TestChangeCheckReadsNothingWhenUnchanged(t *testing.T) {
	ctx := context.Background()
	clock := audittest.NewClock(time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC))
	wb := &versioned{Workbook: audittest.NewWorkbook(map[string][][]string{"T": {{"id", "v"}, {"1", "a"}}})}
	store := audittest.NewStore()
	spec := audit.Spec{Name: "s", Tab: "T", HeaderRow: 1, Key: []string{"id"}, ChangeLogTab: "Log",
		ReviewTab: "Review", ChangeCheck: true, Fingerprint: "f1"}
	run := func(want bool) *audit.Result {
		t.Helper()
		clock.Advance(time.Minute)
		c := &audit.Cycle{Spec: spec, Workbook: wb, Store: store, State: store, Now: clock.Now, Logger: zaptest.NewLogger(t)}
		res, err := c.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Unchanged != want {
			t.Fatalf("cycle unchanged = %v, want %v (%+v)", res.Unchanged, want, res)
		}
		return res
	}
	run(false) // baseline, written in one batch
	if wb.batches != 1 {
		t.Errorf("batches = %d after the first cycle, want 1", wb.batches)
	}
	res := run(true) // sheetaudit's own write moved the version, and it knows
	if res.Rows != 1 {
		t.Errorf("unchanged cycle rows = %d, want the last full cycle's 1", res.Rows)
	}
	wb.Edit("T", [][]string{{"id", "v"}, {"1", "b"}})
	if res := run(false); res.Changes != 1 {
		t.Errorf("cycle after an edit: %d changes, want 1", res.Changes)
	}
	run(true)
	spec.Fingerprint = "f2" // the configuration changed: read again
	run(false)
	run(true)
	clock.Advance(24 * time.Hour) // a new day: rules and staleness move
	batches := wb.batches
	run(false)
	if wb.batches != batches+1 {
		t.Errorf("a new day did not rewrite the review (batches %d → %d)", batches, wb.batches)
	}
	run(true)
	spec.ChangeCheck = false
	run(false)
}

// racingEdit is a versioned workbook on which a person edits the data tab
// while sheetaudit's write-back is in flight.
type racingEdit struct {
	*versioned
	edit func()
}

func (w *racingEdit) WriteBack(ctx context.Context, b *audit.WriteBack) error {
	if w.edit != nil {
		w.edit()
		w.edit = nil
	}
	return w.versioned.WriteBack(ctx, b)
}

func TestChangeCheckMissesNoEditAroundTheWriteBack(t *testing.T) {
	edited := [][]string{{"id", "v"}, {"1", "a"}, {"2", "person"}}
	for _, when := range []string{"before the read", "during the write-back", "after the write-back"} {
		t.Run(when, func(t *testing.T) {
			ctx := context.Background()
			clock := audittest.NewClock(time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC))
			v := &versioned{Workbook: audittest.NewWorkbook(map[string][][]string{"T": {{"id", "v"}, {"1", "a"}}})}
			wb := &racingEdit{versioned: v}
			store := audittest.NewStore()
			spec := audit.Spec{Name: "s", Tab: "T", HeaderRow: 1, Key: []string{"id"}, ChangeLogTab: "Log", ChangeCheck: true}
			run := func() {
				t.Helper()
				clock.Advance(time.Minute)
				c := &audit.Cycle{Spec: spec, Workbook: wb, Store: store, State: store, Now: clock.Now}
				if _, err := c.Run(ctx); err != nil {
					t.Fatal(err)
				}
			}
			run()
			switch when {
			case "before the read":
				v.Edit("T", edited)
			case "during the write-back":
				v.Edit("T", [][]string{{"id", "v"}, {"1", "x"}}) // makes the cycle write
				wb.edit = func() { v.Edit("T", edited) }
			}
			run()
			if when == "after the write-back" {
				v.Edit("T", edited)
			}
			run()
			run()
			if got := logged(t, v.Workbook, "row added"); len(got) != 1 || got[0][2] != "2" {
				t.Errorf("rows added in the log = %q; want row 2 once", got)
			}
		})
	}
}

func TestReviewWrittenOnlyWhenItChanges(t *testing.T) {
	ctx := context.Background()
	clock := audittest.NewClock(time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC))
	wb := &versioned{Workbook: audittest.NewWorkbook(map[string][][]string{"T": {{"id", "v"}, {"1", "a"}, {"1", "b"}}})}
	store := audittest.NewStore()
	spec := audit.Spec{Name: "s", Tab: "T", HeaderRow: 1, Key: []string{"id"}, ReviewTab: "Review"}
	run := func() {
		t.Helper()
		clock.Advance(time.Minute)
		c := &audit.Cycle{Spec: spec, Workbook: wb, Store: store, State: store, Now: clock.Now}
		if _, err := c.Run(ctx); err != nil && !errors.Is(err, audit.ErrInvalid) {
			t.Fatal(err)
		}
	}
	run()
	run()
	if wb.batches != 1 {
		t.Errorf("%d batches for two cycles with the same findings, want 1", wb.batches)
	}
	wb.Set("T", [][]string{{"id", "v"}, {"1", "a"}})
	run()
	if wb.batches != 2 {
		t.Errorf("%d batches after the findings changed, want 2", wb.batches)
	}
}

// layouts records the layouts each write-back carried.
type layouts struct {
	*versioned
	sent []string
}

func (w *layouts) WriteBack(ctx context.Context, b *audit.WriteBack) error {
	for _, t := range b.Tabs {
		if t.Layout != nil {
			w.sent = append(w.sent, t.Title)
		}
	}
	return w.versioned.WriteBack(ctx, b)
}

func TestLayoutSentWhenNewOrChanged(t *testing.T) {
	ctx := context.Background()
	wb := &layouts{versioned: &versioned{Workbook: audittest.NewWorkbook(map[string][][]string{"T": {{"id"}}})}}
	store := audittest.NewStore()
	c := &audit.Cycle{Spec: audit.Spec{Name: "s", Tab: "T"}, Workbook: wb, Store: store, State: store}
	l := audit.Layout{HeaderRows: 1, Filter: true}
	send := func(l audit.Layout) {
		t.Helper()
		b := &audit.WriteBack{Cycle: "c", Tabs: []audit.TabWrite{{Title: "Log", Append: true, Layout: &l,
			Rows: [][]audit.Cell{{audit.Text("x")}}}}}
		if err := audit.WriteBackForTest(ctx, c, b); err != nil {
			t.Fatal(err)
		}
	}
	send(l)
	send(l)
	l.Widths = []int{100}
	send(l)
	if want := []string{"Log", "Log"}; len(wb.sent) != 2 {
		t.Errorf("layouts sent for %q, want %q (first write, then the change)", wb.sent, want)
	}
}
