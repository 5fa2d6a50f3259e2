package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/restore"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
	"github.com/sheetaudit/sheetaudit/xlsx"
)

// testSheet is one configured sheet on a backend, seen from outside
// sheetaudit: tests edit and read its tabs the way a user would.
type testSheet struct {
	cfg   string // config path
	store string // store folder
	env   map[string]string
	set   func(t *testing.T, tab string, values [][]string)
	get   func(t *testing.T, tab string) [][]string // nil when the tab does not exist
	tabs  func(t *testing.T) []string
}

// sheetConfig writes a config for one sheet "clients" on source, plus
// extra top-level YAML.
func sheetConfig(t *testing.T, dir, source, extra string, headerRow int) string {
	t.Helper()
	cfg := `store: ./store
timezone: Asia/Shanghai
` + extra + `
sheets:
  - name: clients
    source: ` + source + `
    tab: 客户
    header_row: ` + fmt.Sprint(headerRow) + `
    key: [客户编号]
`
	path := filepath.Join(dir, "sheetaudit.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func xlsxSheet(t *testing.T, values [][]string, extra string) *testSheet {
	return xlsxSheetAt(t, values, extra, 1)
}

func xlsxSheetAt(t *testing.T, values [][]string, extra string, headerRow int) *testSheet {
	t.Helper()
	dir := t.TempDir()
	book := filepath.Join(dir, "clients.xlsx")
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "客户"); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(book); err != nil {
		t.Fatal(err)
	}
	open := func(t *testing.T) *xlsx.Workbook {
		t.Helper()
		wb, err := xlsx.Open(book, xlsx.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { wb.Close() })
		return wb
	}
	ts := &testSheet{
		cfg:   sheetConfig(t, dir, "{xlsx: ./clients.xlsx}", extra, headerRow),
		store: filepath.Join(dir, "store"),
		set: func(t *testing.T, tab string, values [][]string) {
			t.Helper()
			if err := open(t).ReplaceTab(context.Background(), tab, values); err != nil {
				t.Fatal(err)
			}
		},
		get: func(t *testing.T, tab string) [][]string {
			t.Helper()
			got, err := open(t).ReadTab(context.Background(), tab)
			if err != nil {
				t.Fatalf("read tab %q: %v", tab, err)
			}
			return got.Values
		},
		tabs: func(t *testing.T) []string {
			t.Helper()
			f, err := excelize.OpenFile(book)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			return f.GetSheetList()
		},
	}
	ts.set(t, "客户", values)
	return ts
}

func googleSheetAt(t *testing.T, values [][]string, extra string, headerRow int) *testSheet {
	t.Helper()
	srv := sheetstest.Start(t, sheetstest.Options{})
	return googleSheetOn(t, srv, srv.URL(), values, extra, headerRow)
}

// googleSheetOn sets the test sheet up on srv, which sheetaudit reaches at
// url (srv.URL(), or a test's own server in front of srv).
func googleSheetOn(t *testing.T, srv *sheetstest.Server, url string, values [][]string, extra string, headerRow int) *testSheet {
	t.Helper()
	const id = "1RestoreTestSheet"
	if err := srv.CreateSpreadsheet(id, "客户表", "客户"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ts := &testSheet{
		cfg:   sheetConfig(t, dir, `{google: {spreadsheet_id: "`+id+`", endpoint: "${EMULATOR}"}}`, extra, headerRow),
		store: filepath.Join(dir, "store"),
		env:   map[string]string{"EMULATOR": url},
		set: func(t *testing.T, tab string, values [][]string) {
			t.Helper()
			// SetValues keeps cells it is not given: blank out the old
			// extent, as a user's clear-and-paste would.
			old, err := srv.Values(id, tab)
			if err != nil {
				t.Fatal(err)
			}
			padded := clone(values)
			for i, r := range old {
				if i >= len(padded) {
					padded = append(padded, nil)
				}
				if len(padded[i]) < len(r) {
					padded[i] = append(padded[i], make([]string, len(r)-len(padded[i]))...)
				}
			}
			if err := srv.SetValues(id, tab, padded); err != nil {
				t.Fatal(err)
			}
		},
		get: func(t *testing.T, tab string) [][]string {
			t.Helper()
			got, err := srv.Values(id, tab)
			if err != nil {
				t.Fatalf("read tab %q: %v", tab, err)
			}
			return got
		},
		tabs: func(t *testing.T) []string {
			t.Helper()
			tabs, err := srv.Tabs(id)
			if err != nil {
				t.Fatal(err)
			}
			return tabs
		},
	}
	ts.set(t, "客户", values)
	return ts
}

var backendsUnderTest = []struct {
	name string
	new  func(t *testing.T, values [][]string, extra string, headerRow int) *testSheet
}{
	{"xlsx", xlsxSheetAt},
	{"google", googleSheetAt},
}

// cli runs sheetaudit against the sheet's config and returns exit code and
// output.
func (ts *testSheet) cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return sheetaudit(t, ts.env, append(args, "--config", ts.cfg)...)
}

// mustCLI runs sheetaudit and fails the test unless it exits 0.
func (ts *testSheet) mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := ts.cli(t, args...)
	if code != 0 {
		t.Fatalf("sheetaudit %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// cycle runs one cycle and returns the id of the sheet's newest version.
func (ts *testSheet) cycle(t *testing.T) string {
	t.Helper()
	ts.mustCLI(t, "run", "--once")
	ids := ts.ids(t)
	return ids[len(ids)-1]
}

// ids lists the stored versions, oldest first.
func (ts *testSheet) ids(t *testing.T) []string {
	t.Helper()
	out := ts.mustCLI(t, "snapshots", "list", "--format", "json")
	var list []audit.SnapshotInfo
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("snapshots list: %v\n%s", err, out)
	}
	ids := make([]string, len(list))
	for i, s := range list {
		ids[i] = s.ID
	}
	return ids
}

// equateValues compares tab values as backends return them: trailing
// empty cells and rows do not count.
var equateValues = cmp.Options{cmpopts.EquateEmpty(), cmp.Transformer("trim", func(v [][]string) [][]string {
	out := make([][]string, len(v))
	for i, r := range v {
		end := len(r)
		for end > 0 && r[end-1] == "" {
			end--
		}
		out[i] = r[:end]
	}
	end := len(out)
	for end > 0 && len(out[end-1]) == 0 {
		end--
	}
	return out[:end]
})}

func checkTab(t *testing.T, ts *testSheet, tab string, want [][]string) {
	t.Helper()
	if diff := cmp.Diff(want, ts.get(t, tab), equateValues); diff != "" {
		t.Errorf("tab %q mismatch (-want +got):\n%s", tab, diff)
	}
}

// idIn finds the snapshot id that follows label in out.
func idIn(t *testing.T, out, label string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(label) + `\s*([0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}(-[0-9]+)?)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no snapshot id after %q in:\n%s", label, out)
	}
	return m[1]
}

// wideV1 has CJK text, empty cells inside and at the end of rows, a blank
// row, a row above the header and values that must stay text.
var wideV1 = [][]string{
	{"客户表（内部）", "", "更新于 2026-11-29"},
	{"客户编号", "客户名称", "联系方式", "备注", "所属集团"},
	{"C00001", "华为技术有限公司", "138 0013 8000", "", "华为集团"},
	{"C00002", "腾讯科技", "", "老客户 👍"},
	{},
	{"C00003", "字节跳动", "+86 10 5555 0000", "=SUM(A1)", ""},
	{"C00004", "北京小米科技有限责任公司", "0012", "@张三"},
}

func TestRestoreRoundTrip(t *testing.T) {
	for _, b := range backendsUnderTest {
		t.Run(b.name, func(t *testing.T) {
			ts := b.new(t, wideV1, "", 2)
			v1 := ts.cycle(t)
			wideV2 := append([][]string{{"客户表（内部）"}}, clientsV2...)
			ts.set(t, "客户", wideV2)
			v2 := ts.cycle(t)

			// Default: a new tab with the version, the data tab untouched.
			out := ts.mustCLI(t, "restore", v1)
			var restoredTab string
			for _, tab := range ts.tabs(t) {
				if strings.HasPrefix(tab, "Restored ") {
					restoredTab = tab
				}
			}
			if restoredTab == "" || !strings.Contains(out, restoredTab) {
				t.Fatalf("no Restored tab among %q; output:\n%s", ts.tabs(t), out)
			}
			checkTab(t, ts, restoredTab, wideV1)
			checkTab(t, ts, "客户", wideV2)
			// Re-running rewrites the same tab.
			nTabs := len(ts.tabs(t))
			ts.mustCLI(t, "restore", v1)
			if n := len(ts.tabs(t)); n != nTabs {
				t.Errorf("second restore: %d tabs, want %d (the same Restored tab rewritten)", n, nTabs)
			}
			checkTab(t, ts, restoredTab, wideV1)

			// In place: the live tab equals the newest version, so it is the
			// safety snapshot, and restoring it undoes the restore.
			out = ts.mustCLI(t, "restore", v1, "--in-place")
			if safety := idIn(t, out, "safety snapshot:"); safety != v2 {
				t.Errorf("safety snapshot %s, want the newest version %s (the live tab was unchanged)", safety, v2)
			}
			checkTab(t, ts, "客户", wideV1)
			ts.mustCLI(t, "restore", v2, "--in-place")
			checkTab(t, ts, "客户", wideV2)
		})
	}
}

func TestRestoreInPlaceGuard(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	v1 := ts.cycle(t)
	// Someone edits the sheet; no cycle has stored the edit yet.
	ts.set(t, "客户", clientsV2)
	before := ts.ids(t)

	code, out, errOut := ts.cli(t, "restore", v1, "--in-place")
	if code != exitFailed || !strings.Contains(errOut, "changed since the newest snapshot") || !strings.Contains(errOut, "--force") {
		t.Fatalf("restore without --force: exit %d, stderr %q; want %d and a refusal naming --force", code, errOut, exitFailed)
	}
	// The refusal lists what would be lost: C00002's phone edit among others.
	if !strings.Contains(out, "010-6552 9999") {
		t.Errorf("refusal does not list the edit that would be lost:\n%s", out)
	}
	checkTab(t, ts, "客户", clientsV2)
	if diff := cmp.Diff(before, ts.ids(t)); diff != "" {
		t.Errorf("a refused restore changed the store (-before +after):\n%s", diff)
	}

	out = ts.mustCLI(t, "restore", v1, "--in-place", "--force")
	safety := idIn(t, out, "safety snapshot:")
	if !strings.Contains(out, "--force: overwriting") || !strings.Contains(out, "010-6552 9999") {
		t.Errorf("forced restore does not say what it overwrites:\n%s", out)
	}
	checkTab(t, ts, "客户", clientsV1)

	// The safety snapshot holds the edit, and restoring it gives it back
	// without --force: the restored tab was stored as the newest version.
	st := openTestStore(t, ts)
	snap, err := st.Load(context.Background(), "clients", safety)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(clientsV2, snap.Values, equateValues); diff != "" {
		t.Errorf("safety snapshot mismatch (-want +got):\n%s", diff)
	}
	ts.mustCLI(t, "restore", safety, "--in-place")
	checkTab(t, ts, "客户", clientsV2)
}

func TestRestoreDryRunChangesNothing(t *testing.T) {
	for _, b := range backendsUnderTest {
		t.Run(b.name, func(t *testing.T) {
			ts := b.new(t, clientsV1, "", 1)
			v1 := ts.cycle(t)
			ts.set(t, "客户", clientsV2)
			ts.cycle(t)
			ids, tabs, data := ts.ids(t), ts.tabs(t), ts.get(t, "客户")

			for _, args := range [][]string{
				{"restore", v1, "--dry-run"},
				{"restore", v1, "--in-place", "--dry-run"},
				{"restore", v1, "--columns", "联系方式", "--dry-run"},
			} {
				out := ts.mustCLI(t, args...)
				if !strings.Contains(out, "010-6552 9999") || !strings.Contains(out, "010-6552 9988") {
					t.Errorf("%s: the diff live → restored lacks C00002's phone change:\n%s", args, out)
				}
			}
			out := ts.mustCLI(t, "restore", v1, "--in-place", "--dry-run", "--format", "json")
			var got restore.Result
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("json output: %v\n%s", err, out)
			}
			want := []audit.Change{
				{Kind: audit.CellModified, Key: "C00001", Column: "备注", Old: "@张三 跟进", New: ""},
				{Kind: audit.CellModified, Key: "C00002", Column: "联系方式", Old: "010-6552 9999", New: "010-6552 9988"},
				{Kind: audit.RowAdded, Key: "C00003", New: "C00003 | 字节跳动 |  | =SUM(A1)"},
				{Kind: audit.RowRemoved, Key: "C00004", Old: "C00004 | 美团 | +86 139 0000 0000"},
			}
			if diff := cmp.Diff(want, got.Changes); diff != "" || !got.DryRun {
				t.Errorf("dry run json (dry_run %v) changes mismatch (-want +got):\n%s", got.DryRun, diff)
			}

			if diff := cmp.Diff(ids, ts.ids(t)); diff != "" {
				t.Errorf("dry run changed the store (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(tabs, ts.tabs(t)); diff != "" {
				t.Errorf("dry run changed the tabs (-before +after):\n%s", diff)
			}
			checkTab(t, ts, "客户", data)
		})
	}
}

// phoneSheet is n clients with phone numbers.
func phoneSheet(n int) [][]string {
	v := [][]string{{"客户编号", "客户名称", "联系方式", "销售进展"}}
	for i := 1; i <= n; i++ {
		v = append(v, []string{fmt.Sprintf("C%05d", i), fmt.Sprintf("客户%d号", i), fmt.Sprintf("138 0000 %04d", i), "初步洽谈"})
	}
	return v
}

func TestRestoreColumnsAfterOverwrittenPhones(t *testing.T) {
	for _, b := range backendsUnderTest {
		t.Run(b.name, func(t *testing.T) {
			orig := phoneSheet(50)
			ts := b.new(t, orig, "", 1)
			v1 := ts.cycle(t)

			// Someone pastes over 40 phone numbers; meanwhile the sheet moves
			// on: a stage is updated and a client added. A cycle stores it.
			moved := clone(orig)
			for i := 1; i <= 40; i++ {
				moved[i][2] = "请补充"
			}
			moved[45][3] = "方案报价"
			moved = append(moved, []string{"C00051", "新客户", "139 1111 2222", "初步洽谈"})
			ts.set(t, "客户", moved)
			ts.cycle(t)

			out := ts.mustCLI(t, "restore", v1, "--columns", "联系方式")
			if !strings.Contains(out, "40 changes") {
				t.Errorf("output does not report 40 changes:\n%s", out)
			}
			want := clone(moved)
			for i := 1; i <= 40; i++ {
				want[i][2] = orig[i][2]
			}
			checkTab(t, ts, "客户", want)

			// A deleted row comes back with --rows, appended at the end.
			gone := append(clone(want[:10]), want[11:]...)
			ts.set(t, "客户", gone)
			ts.cycle(t)
			ts.mustCLI(t, "restore", v1, "--rows", orig[10][0])
			checkTab(t, ts, "客户", append(clone(gone), orig[10]))
		})
	}
}

func TestRestoreBadSelection(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	v1 := ts.cycle(t)
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"unknown column", []string{"restore", v1, "--columns", "传真"}, `column "传真" not in the stored version`},
		{"unknown row", []string{"restore", v1, "--rows", "C09999"}, `row "C09999" not in the stored version`},
		{"bad id", []string{"restore", "../../etc/passwd"}, "is not a snapshot id"},
		{"unknown id", []string{"restore", "20990101T000000Z-00000000"}, `snapshot 20990101T000000Z-00000000 of sheet "clients" not found; see sheetaudit snapshots list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := ts.cli(t, tt.args...)
			if code != exitCantRun || !strings.Contains(errOut, tt.msg) {
				t.Errorf("exit %d, stderr %q; want %d containing %q", code, errOut, exitCantRun, tt.msg)
			}
		})
	}
	checkTab(t, ts, "客户", clientsV1)
}

func TestRestoreDeletedTab(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	v1 := ts.cycle(t)
	// The colleague deleted the data tab (a workbook keeps at least one).
	f, err := excelize.OpenFile(filepath.Join(filepath.Dir(ts.cfg), "clients.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("其他"); err != nil {
		t.Fatal(err)
	}
	if err := f.DeleteSheet("客户"); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out := ts.mustCLI(t, "restore", v1, "--in-place")
	if !strings.Contains(out, "does not exist; it is created") {
		t.Errorf("output does not say the tab is recreated:\n%s", out)
	}
	checkTab(t, ts, "客户", clientsV1)
}

func clone(v [][]string) [][]string {
	out := make([][]string, len(v))
	for i, r := range v {
		out[i] = append([]string{}, r...)
	}
	return out
}

func TestRestoreWideRows(t *testing.T) {
	// Excel allows 16,384 columns. Google allows 18,278, but a new tab has
	// 1,000 rows and a spreadsheet 10,000,000 cells, and the sheets backend
	// grows grids without shrinking them, so about 9,000 is as wide as a
	// fresh tab can take; the emulator's cost grows with the grid, so the
	// default run stays at 2,000 (still far past the 26-column default).
	for _, tt := range []struct {
		name string
		new  func(t *testing.T, values [][]string, extra string, headerRow int) *testSheet
		cols int
	}{
		{"google", googleSheetAt, 2000},
		{"xlsx", xlsxSheetAt, 16384},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wide := make([][]string, 3)
			for r := range wide {
				wide[r] = make([]string, tt.cols)
				for c := range wide[r] {
					switch {
					case r == 0:
						wide[r][c] = fmt.Sprintf("列%d", c)
					case c == 0:
						wide[r][c] = fmt.Sprintf("C%05d", r)
					case c%7 != 0: // leave empty cells inside the row
						wide[r][c] = fmt.Sprintf("值%d-%d", r, c)
					}
				}
			}
			wide[0][0] = "客户编号"
			ts := tt.new(t, wide, "", 1)
			v1 := ts.cycle(t)
			changed := clone(wide)
			changed[1][tt.cols-1] = "改了"
			ts.set(t, "客户", changed)
			ts.cycle(t)

			ts.mustCLI(t, "restore", v1, "--in-place")
			checkTab(t, ts, "客户", wide)
		})
	}
}

// Every restore that changes the sheet leaves a record in the store, with
// who ran it and why; restores list shows them.
func TestRestoreRecords(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	v1 := ts.cycle(t)
	ts.set(t, "客户", clientsV2)
	ts.cycle(t)
	ts.mustCLI(t, "restore", v1, "--dry-run", "--in-place")
	out := ts.mustCLI(t, "restore", v1, "--in-place", "--by", "张三", "--reason", "误删了行")
	safety := idIn(t, out, "safety snapshot:")
	out = ts.mustCLI(t, "restores", "list", "--format", "json")
	var recs []audit.RestoreRecord
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("restores list: %v\n%s", err, out)
	}
	if len(recs) != 1 {
		t.Fatalf("restores list has %d records, want 1 (a dry run changes nothing):\n%s", len(recs), out)
	}
	r := recs[0]
	if r.By != "张三" || r.Reason != "误删了行" || r.From != v1 || r.Mode != "in place" || r.Safety != safety || r.Restored == "" {
		t.Errorf("restore record = %+v", r)
	}
	if out := ts.mustCLI(t, "restores", "list"); !strings.Contains(out, "张三") || !strings.Contains(out, safety) {
		t.Errorf("restores list:\n%s", out)
	}
}
