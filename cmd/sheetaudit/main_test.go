package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"google.golang.org/api/option"
	gsheets "google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
	"github.com/sheetaudit/sheetaudit/xlsx"
)

// sheetaudit runs the CLI in-process and returns its exit code and output.
func sheetaudit(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

var clientsV1 = [][]string{
	{"客户编号", "客户名称", "联系方式", "备注"},
	{"C00001", "华为技术有限公司", "138 0013 8000", ""},
	{"C00002", "腾讯科技", "010-6552 9988", "老客户"},
	{"C00003", "字节跳动", "", "=SUM(A1)"},
}

var clientsV2 = [][]string{
	{"客户编号", "客户名称", "联系方式", "备注"},
	{"C00002", "腾讯科技", "010-6552 9999", "老客户"},
	{"C00001", "华为技术有限公司", "138 0013 8000", "@张三 跟进"},
	{},
	{"C00004", "美团", "+86 139 0000 0000"},
}

// wantLog is the Change Log after a baseline cycle on clientsV1 and a
// cycle on clientsV2, without the time and snapshot columns.
var wantLog = [][]string{
	{"Change", "Key", "Column", "Old value", "New value"},
	{"baseline", "", "", "", "3 rows, 4 columns"},
	{"cell modified", "C00002", "联系方式", "010-6552 9988", "010-6552 9999"},
	{"cell modified", "C00001", "备注", "", "@张三 跟进"},
	{"row added", "C00004", "", "", "客户编号: C00004; 客户名称: 美团; 联系方式: +86 139 0000 0000"},
	{"row removed", "C00003", "", "客户编号: C00003; 客户名称: 字节跳动; 备注: =SUM(A1)", ""},
}

func logColumns(t *testing.T, rows [][]string) [][]string {
	t.Helper()
	out := make([][]string, len(rows))
	for i, r := range rows {
		r = append(r, make([]string, 7)...)[:7]
		out[i] = r[1:6]
	}
	return out
}

func writeConfig(t *testing.T, dir, source string) string {
	t.Helper()
	cfg := `store: ./store
timezone: Asia/Shanghai
sheets:
  - name: clients
    source: ` + source + `
    tab: 客户
    key: [客户编号]
    columns:
      联系方式: {type: phone}
`
	path := filepath.Join(dir, "sheetaudit.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTwoCyclesOnXLSX(t *testing.T) {
	dir := t.TempDir()
	book := filepath.Join(dir, "clients.xlsx")
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "客户")
	for r, row := range clientsV1 {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			f.SetCellStr("客户", cell, v)
		}
	}
	if err := f.SaveAs(book); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, dir, "{xlsx: ./clients.xlsx}")

	if code, out, errOut := sheetaudit(t, nil, "run", "--once", "--config", cfg); code != 0 {
		t.Fatalf("first cycle: exit %d\n%s\n%s", code, out, errOut)
	}
	wb, err := xlsx.Open(book, xlsx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := wb.ReplaceTab(context.Background(), "客户", clientsV2); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := sheetaudit(t, nil, "run", "--once", "--config", cfg)
	if code != 0 || !strings.Contains(out, "clients: 3 rows, 4 columns (1 blank rows skipped)") || !strings.Contains(out, "4 changes") {
		t.Fatalf("second cycle: exit %d\n%s\n%s", code, out, errOut)
	}
	log, err := wb.ReadTab(context.Background(), "Change Log")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantLog, logColumns(t, log.Values)); diff != "" {
		t.Errorf("Change Log mismatch (-want +got):\n%s", diff)
	}
	review, err := wb.ReadTab(context.Background(), "Needs Review")
	if err != nil {
		t.Fatalf("Needs Review tab: %v", err)
	}
	if len(review.Values) != 2 {
		t.Errorf("Needs Review = %q; want its title and header lines only: every phone is valid", review.Values)
	}

	code, out, _ = sheetaudit(t, nil, "snapshots", "list", "--config", cfg, "--format", "json")
	var list []audit.SnapshotInfo
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 2 {
		t.Fatalf("snapshots list: exit %d, %v, %s", code, err, out)
	}
	if !list[0].Time.Before(list[1].Time) && list[0].ID >= list[1].ID {
		t.Errorf("snapshots not oldest first: %+v", list)
	}
}

func TestTwoCyclesOnGoogle(t *testing.T) {
	srv := sheetstest.Start(t, sheetstest.Options{})
	const id = "1AbCdEfGhIjKlMnOp"
	if err := srv.CreateSpreadsheet(id, "客户表", "客户"); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetValues(id, "客户", clientsV1); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := writeConfig(t, dir, `{google: {spreadsheet_id: "`+id+`", endpoint: "${EMULATOR}"}}`)
	env := map[string]string{"EMULATOR": srv.URL()}

	if code, out, errOut := sheetaudit(t, env, "run", "--once", "--config", cfg); code != 0 {
		t.Fatalf("first cycle: exit %d\n%s\n%s", code, out, errOut)
	}
	// A user edits the sheet through the API: clear and rewrite the tab.
	ctx := context.Background()
	svc, err := gsheets.NewService(ctx, option.WithEndpoint(srv.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Spreadsheets.Values.Clear(id, "客户", &gsheets.ClearValuesRequest{}).Do(); err != nil {
		t.Fatal(err)
	}
	vr := &gsheets.ValueRange{}
	for _, row := range clientsV2 {
		r := make([]any, len(row))
		for i, v := range row {
			r[i] = v
		}
		vr.Values = append(vr.Values, r)
	}
	if _, err := svc.Spreadsheets.Values.Update(id, "客户!A1", vr).ValueInputOption("RAW").Do(); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := sheetaudit(t, env, "run", "--once", "--config", cfg); code != 0 || !strings.Contains(out, "4 changes") {
		t.Fatalf("second cycle: exit %d\n%s\n%s", code, out, errOut)
	}
	log, err := srv.Values(id, "Change Log")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantLog, logColumns(t, log)); diff != "" {
		t.Errorf("Change Log mismatch (-want +got):\n%s", diff)
	}
	data, err := srv.Values(id, "客户")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(clientsV2, data, cmp.Transformer("nil", func(r []string) []string {
		if len(r) == 0 {
			return nil
		}
		return r
	})); diff != "" {
		t.Errorf("data tab changed by the cycle (-want +got):\n%s", diff)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing config", []string{"run", "--once", "--config", filepath.Join(dir, "nope.yaml")}, exitCantRun, "nope.yaml"},
		{"bad format", []string{"snapshots", "list", "--format", "xml", "--config", "x"}, exitCantRun, `--format "xml"`},
		{"bad log level", []string{"version", "--log-level", "loud"}, exitCantRun, "--log-level"},
		{"version", []string{"version"}, exitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := sheetaudit(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.msg) {
				t.Errorf("exit %d, stderr %q; want %d containing %q", code, errOut, tt.code, tt.msg)
			}
		})
	}
}
