package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/snapshot"
	"github.com/sheetaudit/sheetaudit/xlsx"
)

func openTestStore(t *testing.T, ts *testSheet) *snapshot.Store {
	t.Helper()
	st, err := snapshot.Open(context.Background(), ts.store, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestSnapshotsDiff(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	v1 := ts.cycle(t)
	ts.set(t, "客户", clientsV2)
	v2 := ts.cycle(t)

	// The same rows as the Change Log, without its time and snapshot,
	// except that the diff keeps an added or removed row as the diff's
	// text, where the Change Log writes column: value pairs.
	out := ts.mustCLI(t, "snapshots", "diff", v1, v2, "--format", "csv")
	got, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, out)
	}
	want := append([][]string{wantLog[0]}, wantLog[2:4]...)
	want = append(want,
		[]string{"row added", "C00004", "", "", "C00004 | 美团 | +86 139 0000 0000"},
		[]string{"row removed", "C00003", "", "C00003 | 字节跳动 |  | =SUM(A1)", ""})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff csv mismatch (-want +got):\n%s", diff)
	}

	out = ts.mustCLI(t, "snapshots", "diff", v1, v2, "--format", "json")
	var doc struct {
		From, To string
		Changes  []audit.Change
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.From != v1 || doc.To != v2 || len(doc.Changes) != 4 {
		t.Errorf("diff json = %+v, %v; want 4 changes from %s to %s", doc, err, v1, v2)
	}
	out = ts.mustCLI(t, "snapshots", "diff", v1, v2)
	if !strings.Contains(out, "010-6552 9999") || !strings.Contains(out, "4 changes from "+v1+" to "+v2) {
		t.Errorf("diff text lacks a change or the summary:\n%s", out)
	}
}

func TestSnapshotsShow(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	v1 := ts.cycle(t)
	ts.set(t, "客户", clientsV2)
	v2 := ts.cycle(t)

	out := ts.mustCLI(t, "snapshots", "show", v2)
	for _, want := range []string{v2, "客户编号 | 客户名称 | 联系方式 | 备注", "Asia/Shanghai", `"客户"`, "rows", "dedupe"} {
		if !strings.Contains(out, want) {
			t.Errorf("show output lacks %q:\n%s", want, out)
		}
	}
	out = ts.mustCLI(t, "snapshots", "show", v1, "--format", "json")
	var doc struct {
		Manifest snapshot.Manifest
		Dedupe   dedupe
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("show json: %v\n%s", err, out)
	}
	if doc.Manifest.ID != v1 || doc.Manifest.Rows != len(clientsV1) || doc.Dedupe.Objects == 0 {
		t.Errorf("show json = %+v; want version %s with %d rows and its objects counted", doc, v1, len(clientsV1))
	}
}

func TestSnapshotsExport(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	v1 := ts.cycle(t)
	dir := t.TempDir()

	csvPath := filepath.Join(dir, "v1.csv")
	ts.mustCLI(t, "snapshots", "export", v1, "--format", "csv", "--out", csvPath)
	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	body, ok := strings.CutPrefix(string(data), "\uFEFF")
	if !ok {
		t.Errorf("CSV does not start with a UTF-8 byte-order mark: %q", data[:min(len(data), 8)])
	}
	got, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(clientsV1, got); diff != "" {
		t.Errorf("CSV mismatch (-want +got):\n%s", diff)
	}

	// An existing file is kept unless --force.
	code, _, errOut := ts.cli(t, "snapshots", "export", v1, "--format", "csv", "--out", csvPath, "--bom=false")
	if code != exitCantRun || !strings.Contains(errOut, "--force") {
		t.Errorf("export over an existing file: exit %d, %q; want %d naming --force", code, errOut, exitCantRun)
	}
	ts.mustCLI(t, "snapshots", "export", v1, "--format", "csv", "--out", csvPath, "--bom=false", "--force")
	if data, _ := os.ReadFile(csvPath); strings.HasPrefix(string(data), "\uFEFF") {
		t.Errorf("--bom=false --force: file still starts with a byte-order mark")
	}

	xlsxPath := filepath.Join(dir, "v1.xlsx")
	ts.mustCLI(t, "snapshots", "export", v1, "--format", "xlsx", "--out", xlsxPath)
	wb, err := xlsx.Open(xlsxPath, xlsx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	tab, err := wb.ReadTab(context.Background(), "客户")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(clientsV1, tab.Values, equateValues); diff != "" {
		t.Errorf("xlsx export mismatch (-want +got):\n%s", diff)
	}
	// No temporary file is left beside the exports.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("export folder holds %d files, want 2 (no temp files)", len(entries))
	}
}

func TestSnapshotsVerifyCorruptChunk(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	ts.cycle(t)
	if out := ts.mustCLI(t, "snapshots", "verify", "--full"); !strings.Contains(out, "no problems") {
		t.Errorf("verify of a clean store:\n%s", out)
	}

	var chunk string
	err := filepath.WalkDir(filepath.Join(ts.store, "chunks"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && chunk == "" {
			chunk = path
		}
		return err
	})
	if err != nil || chunk == "" {
		t.Fatalf("no chunk in the store: %v", err)
	}
	data, err := os.ReadFile(chunk)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(chunk, data, 0o600); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := ts.cli(t, "snapshots", "verify", "--full")
	name := filepath.ToSlash(strings.TrimPrefix(chunk, ts.store+string(filepath.Separator)))
	if code != exitFailed || !strings.Contains(out, name) {
		t.Errorf("verify --full of a corrupted chunk: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d naming %s", code, out, errOut, exitFailed, name)
	}
	code, out, _ = ts.cli(t, "snapshots", "verify", "--full", "--format", "json")
	var doc struct{ Problems []snapshot.Problem }
	if err := json.Unmarshal([]byte(out), &doc); code != exitFailed || err != nil || len(doc.Problems) == 0 {
		t.Errorf("verify json: exit %d, %v, %s", code, err, out)
	}
}

func TestSnapshotsPruneDryRun(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "retention: {keep_last: 1}")
	v1 := ts.cycle(t)
	ts.set(t, "客户", clientsV2)
	// The cycle prunes after each run with keep_last 1, so store the
	// versions by hand to have something to prune.
	st := openTestStore(t, ts)
	for _, v := range [][][]string{clientsV2, clientsV1[:2]} {
		if _, err := st.Put(context.Background(), &audit.Snapshot{Sheet: "clients", HeaderRow: 1, Key: []string{"客户编号"}, Values: v}); err != nil {
			t.Fatal(err)
		}
	}
	before := ts.ids(t)
	if len(before) != 3 || before[0] != v1 {
		t.Fatalf("versions %v, want 3 starting with %s", before, v1)
	}

	out := ts.mustCLI(t, "snapshots", "prune", "--dry-run")
	lines := strings.Split(out, "\n")
	var keep, remove []string
	for _, l := range lines {
		f := strings.Fields(l)
		switch {
		case len(f) >= 2 && f[0] == "keep":
			keep = append(keep, f[1])
			// v1 is where the Change Log stands: kept whatever the policy.
			want := "last 1"
			if f[1] == v1 {
				want = snapshot.ProtectLogged
			}
			if !strings.Contains(l, want) {
				t.Errorf("kept version without its reason %q: %q", want, l)
			}
		case len(f) >= 2 && f[0] == "remove":
			remove = append(remove, f[1])
		}
	}
	wantKeep := []string{v1, before[2]}
	if diff := cmp.Diff(wantKeep, keep); diff != "" {
		t.Errorf("kept mismatch (-want +got):\n%s\n%s", diff, out)
	}
	if diff := cmp.Diff(before[1:2], remove); diff != "" {
		t.Errorf("removed mismatch (-want +got):\n%s\n%s", diff, out)
	}
	if !strings.Contains(out, "dry run: nothing was deleted") {
		t.Errorf("dry run not announced:\n%s", out)
	}
	if diff := cmp.Diff(before, ts.ids(t)); diff != "" {
		t.Errorf("dry run deleted versions (-before +after):\n%s", diff)
	}

	ts.mustCLI(t, "snapshots", "prune")
	if diff := cmp.Diff(wantKeep, ts.ids(t)); diff != "" {
		t.Errorf("after prune (-want +got):\n%s", diff)
	}
	ts.mustCLI(t, "snapshots", "verify", "--full")
}

func TestSnapshotsPruneEmptyRetention(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	ts.cycle(t)
	out := ts.mustCLI(t, "snapshots", "prune", "--dry-run")
	if !strings.Contains(out, "retention is empty") || !strings.Contains(out, "policy is empty") {
		t.Errorf("prune with an empty retention does not say every version is kept:\n%s", out)
	}
}

// Every command that takes a snapshot id takes latest, latest~N and a
// unique prefix as well.
func TestSnapshotIDForms(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	v1 := ts.cycle(t)
	ts.set(t, "客户", clientsV2)
	v2 := ts.cycle(t)
	for _, tt := range []struct{ arg, want string }{
		{"latest", v2},
		{"latest~1", v1},
		{v1[:len(v1)-2], v1},
	} {
		out := ts.mustCLI(t, "snapshots", "show", tt.arg, "--format", "json")
		if !strings.Contains(out, `"`+tt.want+`"`) {
			t.Errorf("snapshots show %s: want version %s in:\n%s", tt.arg, tt.want, out)
		}
	}
	out := ts.mustCLI(t, "snapshots", "diff", "latest~1", "latest")
	if !strings.Contains(out, "changes from "+v1+" to "+v2) {
		t.Errorf("snapshots diff latest~1 latest:\n%s", out)
	}
	for _, arg := range []string{"latest~2", "2026", "nonsense"} {
		if code, _, errOut := ts.cli(t, "snapshots", "show", arg); code != exitCantRun {
			t.Errorf("snapshots show %s: exit %d, want %d\n%s", arg, code, exitCantRun, errOut)
		}
	}
	out = ts.mustCLI(t, "restore", "latest~1", "--in-place")
	if !strings.Contains(out, "restored snapshot "+v1) {
		t.Errorf("restore latest~1 --in-place:\n%s", out)
	}
}
