package sheets

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zaptest"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// editProxy forwards to the emulator and, once armed, runs an edit when a
// request matching its filter passes: before forwarding it (the edit lands
// just before that request) or after (just after it).
type editProxy struct {
	srv   *httptest.Server
	mu    sync.Mutex
	match func(*http.Request) bool
	after bool
	edit  func()
}

func startEditProxy(t *testing.T, target string) *editProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &editProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		var edit func()
		if p.edit != nil && p.match(r) {
			edit, p.edit = p.edit, nil
		}
		after := p.after
		p.mu.Unlock()
		if edit != nil && !after {
			edit()
		}
		rp.ServeHTTP(w, r)
		if edit != nil && after {
			edit()
		}
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *editProxy) arm(match func(*http.Request) bool, after bool, edit func()) {
	p.mu.Lock()
	p.match, p.after, p.edit = match, after, edit
	p.mu.Unlock()
}

func isBatchUpdate(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, ":batchUpdate") }
func isDrive(r *http.Request) bool       { return strings.Contains(r.URL.Path, "/drive/v3/") }
func isValuesRead(r *http.Request) bool  { return strings.Contains(r.URL.Path, "/values:batchGet") }
func isGridRead(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Query().Has("ranges")
}

func TestChangeCheckCostsOneDriveRequest(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": {{"id", "v"}, {"1", "a"}}})
	store := audittest.NewStore()
	clock := audittest.NewClock(time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC))
	spec := audit.Spec{Name: "s", Tab: "Data", HeaderRow: 1, Key: []string{"id"},
		ChangeLogTab: "Change Log", ReviewTab: "Needs Review", ChangeCheck: true}
	run := func() (*audit.Result, []string) {
		t.Helper()
		clock.Advance(time.Minute)
		before := len(srv.Requests())
		c := &audit.Cycle{Spec: spec, Workbook: openBook(t, srv, Options{ChangeCheck: true}), Store: store, State: store,
			Now: clock.Now, Logger: zaptest.NewLogger(t)}
		res, err := c.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return res, kinds(srv, before)
	}
	run() // baseline
	res, reqs := run()
	if !res.Unchanged || !cmp.Equal(reqs, []string{"drive.files.get"}) {
		t.Errorf("cycle after sheetaudit's own write-back: unchanged %v, requests %q; want one files.get", res.Unchanged, reqs)
	}
	if err := srv.SetValues(testID, "Data", [][]string{{"id", "v"}, {"1", "b"}}); err != nil {
		t.Fatal(err)
	}
	res, reqs = run()
	want := []string{"drive.files.get", "spreadsheets.get", "values.batchGet", "spreadsheets.batchUpdate", "drive.files.get"}
	if res.Unchanged || res.Changes != 1 || !cmp.Equal(reqs, want) {
		t.Errorf("cycle after an edit: %d changes, requests %q; want 1 change and %q", res.Changes, reqs, want)
	}
	if res, reqs = run(); !res.Unchanged || len(reqs) != 1 {
		t.Errorf("next cycle: unchanged %v, requests %q; want one files.get", res.Unchanged, reqs)
	}
	spec.ChangeCheck = false
	if res, reqs = run(); res.Unchanged || strings.Contains(strings.Join(reqs, " "), "drive") {
		t.Errorf("change_check off: unchanged %v, requests %q; want a full read without Drive", res.Unchanged, reqs)
	}
}

// TestChangeCheckMissesNoEdit makes a person's edit land just before the
// values read, while the write-back is in flight, and just after it; the
// edit must reach the Change Log in every case.
func TestChangeCheckMissesNoEdit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		match func(*http.Request) bool
		after bool
		typed []string // typed columns: values and typed values in one read
	}{
		{"just before the read", isValuesRead, false, nil},
		{"just before the one read of values and typed values", isGridRead, false, []string{"v"}},
		{"during the write-back, before it applies", isBatchUpdate, false, nil},
		{"during the write-back, after it applies", isBatchUpdate, true, nil},
		{"just after the write-back", isDrive, false, nil}, // before the version read that follows it
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": {{"id", "v"}, {"1", "a"}}})
			proxy := startEditProxy(t, srv.URL())
			store := audittest.NewStore()
			clock := audittest.NewClock(time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC))
			spec := audit.Spec{Name: "s", Tab: "Data", HeaderRow: 1, Key: []string{"id"},
				ChangeLogTab: "Change Log", ChangeCheck: true, TypedColumns: tc.typed}
			run := func() {
				t.Helper()
				clock.Advance(time.Minute)
				wb, err := New(ctx, Options{SpreadsheetID: testID, Endpoint: proxy.srv.URL + "/", ChangeCheck: true})
				if err != nil {
					t.Fatal(err)
				}
				c := &audit.Cycle{Spec: spec, Workbook: wb, Store: store, State: store, Now: clock.Now, Logger: zaptest.NewLogger(t)}
				if _, err := c.Run(ctx); err != nil {
					t.Fatal(err)
				}
			}
			run()
			// An edit that makes the next cycle write, and the person's
			// edit injected around that write.
			if err := srv.SetValues(testID, "Data", [][]string{{"id", "v"}, {"1", "b"}}); err != nil {
				t.Fatal(err)
			}
			match := tc.match
			if tc.name == "just after the write-back" {
				seen := 0
				match = func(r *http.Request) bool { // the second Drive request: after the batch
					if isDrive(r) {
						seen++
					}
					return seen == 2
				}
			}
			proxy.arm(match, tc.after, func() {
				if err := srv.SetValues(testID, "Data", [][]string{{"id", "v"}, {"1", "b"}, {"2", "person"}}); err != nil {
					t.Error(err)
				}
			})
			run()
			run()
			run()
			log, err := openBook(t, srv, Options{}).ReadTab(ctx, "Change Log")
			if err != nil {
				t.Fatal(err)
			}
			added := 0
			for _, r := range log.Values {
				if len(r) > 2 && r[1] == "row added" && r[2] == "2" {
					added++
				}
			}
			if added != 1 {
				t.Errorf("the person's row is logged %d times, want once; log:\n%q", added, log.Values)
			}
		})
	}
}

// TestChangedTypedCycleCostsThreeSheetsRequests holds issue 15's target
// for a changed sheet of 100,000 cells with typed columns, Change Log and
// Needs Review on: three Sheets requests (metadata; displayed and typed
// values in one read; one batchUpdate carrying the write-back), and for an
// unchanged one a single Drive request and none to Sheets.
func TestChangedTypedCycleCostsThreeSheetsRequests(t *testing.T) {
	ctx := context.Background()
	const rows, cols = 8333, 12 // 99,996 cells below the header
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": nil})
	data := make([][]any, 0, rows+1)
	header := []any{"编号", "客户", "日期", "金额"}
	for c := len(header); c < cols; c++ {
		header = append(header, "备注"+strconv.Itoa(c))
	}
	data = append(data, header)
	for r := 1; r <= rows; r++ {
		row := []any{"C" + strconv.Itoa(r), "客户" + strconv.Itoa(r%97), fmt.Sprintf("2026-11-%02d", 1+r%28), fmt.Sprintf("%d.%02d", r, r%100)}
		for c := len(row); c < cols; c++ {
			row = append(row, fmt.Sprintf("n%d-%d", r, c))
		}
		data = append(data, row)
	}
	type_ := func(rng string, vals [][]any) {
		t.Helper()
		_, err := openBook(t, srv, Options{}).svc.Spreadsheets.Values.Update(testID, rng, &sheets.ValueRange{Values: vals}).
			ValueInputOption("USER_ENTERED").Context(ctx).Do()
		if err != nil {
			t.Fatal(err)
		}
	}
	text := make([][]string, len(data)) // grows the grid; then typed in
	for i, row := range data {
		text[i] = make([]string, len(row))
	}
	if err := srv.SetValues(testID, "Data", text); err != nil {
		t.Fatal(err)
	}
	type_("'Data'!A1", data)
	store := audittest.NewStore()
	clock := audittest.NewClock(time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC))
	spec := audit.Spec{Name: "s", Tab: "Data", HeaderRow: 1, Key: []string{"编号"},
		ChangeLogTab: "Change Log", ReviewTab: "Needs Review", ChangeCheck: true,
		TypedColumns: []string{"日期", "金额"}}
	run := func() (*audit.Result, []string) {
		t.Helper()
		clock.Advance(time.Minute)
		before := len(srv.Requests())
		c := &audit.Cycle{Spec: spec, Workbook: openBook(t, srv, Options{ChangeCheck: true}), Store: store, State: store,
			Now: clock.Now, Logger: zaptest.NewLogger(t)}
		res, err := c.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return res, kinds(srv, before)
	}
	sheetsOnly := func(reqs []string) []string {
		var out []string
		for _, k := range reqs {
			if !strings.HasPrefix(k, "drive.") {
				out = append(out, k)
			}
		}
		return out
	}
	run() // baseline: creates the Change Log and Needs Review tabs
	if res, reqs := run(); !res.Unchanged || !cmp.Equal(reqs, []string{"drive.files.get"}) {
		t.Errorf("unchanged cycle: unchanged %v, requests %q; want one drive.files.get", res.Unchanged, reqs)
	}
	type_("'Data'!C5:D5", [][]any{{"2026-12-01", "42.5"}}) // row of C4
	res, reqs := run()
	want := []string{"spreadsheets.get", "spreadsheets.get", "spreadsheets.batchUpdate"}
	if got := sheetsOnly(reqs); res.Changes != 2 || !cmp.Equal(got, want) {
		t.Errorf("changed cycle: %d changes, Sheets requests %q (all: %q); want 2 changes and %q", res.Changes, got, reqs, want)
	}
	snap, err := store.Latest(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Typed[4]; !cmp.Equal(got, []string{"", "", "46357", "42.5"}) {
		t.Errorf("typed row 5 = %q, want the date serial and the number", got)
	}
	if res, reqs := run(); !res.Unchanged || len(reqs) != 1 {
		t.Errorf("cycle after: unchanged %v, requests %q; want one drive.files.get", res.Unchanged, reqs)
	}
}
