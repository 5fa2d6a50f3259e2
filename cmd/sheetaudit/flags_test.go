package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
)

// What a new user mistypes is answered with a sentence that says what to
// write, and exit code 2; nothing prints a Go slice, a bare sentinel or a
// doubled prefix.
func TestBadFlagsAndArguments(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	ts.cycle(t)
	ts.set(t, "客户", clientsV2)
	ts.cycle(t)
	thisWeek := audit.ISOWeek(time.Now(), mustZone(t, "Asia/Shanghai"))
	missing := filepath.Join(t.TempDir(), "nowhere.yaml")
	tests := []struct {
		name string
		args []string // --config is added unless the args name one
		want []string
	}{
		{"history without a key", []string{"history"}, []string{"history takes KEY, got none; usage: sheetaudit history KEY"}},
		{"diff with one id", []string{"snapshots", "diff", "latest"}, []string{"snapshots diff takes ID1 and ID2, got 1 (latest)"}},
		{"restore with two ids", []string{"restore", "a", "b"}, []string{"restore takes ID, got 2 (a b)"}},
		{"unknown format", []string{"validate", "--format", "xml"}, []string{`--format "xml": use text, json or csv`}},
		{"unknown sheet", []string{"status", "--sheet", "nope"}, []string{`--sheet "nope" is not in the configuration; its sheets are clients`}},
		{"missing config", []string{"status", "--config", missing}, []string{"nowhere.yaml not found", "--config FILE", "$SHEETAUDIT_CONFIG"}},
		{"week without dash", []string{"report", "--no-mail", "--week", "2026W49"}, []string{`--week "2026W49": write it as YYYY-Www, such as 2026-W48`}},
		{"week out of the year", []string{"report", "--no-mail", "--week", "2026-W54"}, []string{`--week "2026-W54": 2026 has no week 54`}},
		{"week not started", []string{"report", "--no-mail", "--week", "2099-W01"}, []string{"--week 2099-W01 has not started yet (this week is " + thisWeek + ")"}},
		{"no such version", []string{"snapshots", "show", "latest~5"}, []string{`sheet "clients" has 2 stored versions, so "latest~5" names none`}},
		{"not an id", []string{"snapshots", "show", "yesterday"}, []string{`"yesterday" is not a snapshot id: give an id such as`, "latest or latest~1"}},
		{"ambiguous prefix", []string{"restore", "2", "--dry-run"}, []string{`"2" is the start of 2 snapshot ids`, "give more of the id"}},
		{"export of no id", []string{"snapshots", "export", "latest~-1", "--out", "x.csv"}, []string{`"latest~-1" is not a snapshot id`}},
		{"unknown column", []string{"history", "C00001", "--column", "电话"}, []string{`no stored version of sheet "clients" has a column "电话"; its columns are: 客户编号, 客户名称, 联系方式, 备注`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if !strings.Contains(strings.Join(args, " "), "--config") {
				args = append(args, "--config", ts.cfg)
			}
			code, _, errOut := sheetaudit(t, ts.env, args...)
			if code != exitCantRun {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, exitCantRun, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			for _, bad := range []string{": invalid", "[text", "[clients", "sheetaudit: sheetaudit", "arg(s)"} {
				if strings.Contains(errOut, bad) {
					t.Errorf("stderr has %q:\n%s", bad, errOut)
				}
			}
		})
	}
}

// Every command that takes a snapshot id also takes latest~
// (as git reads HEAD~) in any case, and a unique start of an id.
func TestSnapshotIDSpellings(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	v1 := ts.cycle(t)
	ts.set(t, "客户", clientsV2)
	v2 := ts.cycle(t)
	tests := []struct{ id, want string }{
		{"latest", v2},
		{"LATEST", v2},
		{"latest~0", v2},
		{"latest~", v1},
		{"Latest~1", v1},
		{v1, v1},
		{v2[:len(v2)-4], v2},
	}
	for _, tt := range tests {
		for _, args := range [][]string{
			{"snapshots", "show", tt.id},
			{"snapshots", "export", tt.id, "--out", filepath.Join(t.TempDir(), "v.csv")},
			{"restore", tt.id, "--dry-run"},
			{"snapshots", "diff", tt.id, v2},
		} {
			out := ts.mustCLI(t, args...)
			if !strings.Contains(out, tt.want) {
				t.Errorf("%s: output does not name %s:\n%s", strings.Join(args, " "), tt.want, out)
			}
		}
	}
}

// Report files are 0644 whatever the umask, unless report.file_mode says
// otherwise.
func TestReportFileMode(t *testing.T) {
	tests := []struct {
		name   string
		report string
		want   os.FileMode
	}{
		{"default", "", 0o644},
		{"configured", "report: {file_mode: \"0640\"}\n", 0o640},
	}
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeBook(t, dir, map[string][][]string{"客户": {{"客户编号", "最后跟进日期"}, {"C1", "2026-01-05"}}})
			cfg := "store: ./store\ntimezone: Asia/Shanghai\n" + tt.report + `sheets:
  - name: clients
    source: {xlsx: ./book.xlsx}
    tab: 客户
    key: [客户编号]
    write_back: {change_log_tab: "", review_tab: "", report_tab: ""}
    staleness: {date_column: 最后跟进日期, default: 30d}
`
			path := filepath.Join(dir, "sheetaudit.yaml")
			if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"run", "--once"}, {"report", "--no-mail", "--out", filepath.Join(dir, "out")}} {
				if code, out, errOut := sheetaudit(t, nil, append(args, "--config", path)...); code != 0 {
					t.Fatalf("%s: exit %d\n%s%s", args, code, out, errOut)
				}
			}
			files, _ := filepath.Glob(filepath.Join(dir, "out", "clients-*"))
			if len(files) != 2 {
				t.Fatalf("report files %v, want the HTML and the CSV", files)
			}
			for _, f := range files {
				fi, err := os.Stat(f)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != tt.want {
					t.Errorf("%s has mode %v, want %v", filepath.Base(f), fi.Mode().Perm(), tt.want)
				}
			}
		})
	}
}
