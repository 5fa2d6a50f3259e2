package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sheetaudit/sheetaudit/audit"
)

func TestHistory(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	v1 := ts.cycle(t)
	ts.set(t, "客户", clientsV2)
	v2 := ts.cycle(t)
	v3Values := clone(clientsV2)
	v3Values[1][2] = "010-6552 0000"
	ts.set(t, "客户", v3Values)
	v3 := ts.cycle(t)

	out := ts.mustCLI(t, "history", "C00002", "--format", "json")
	var got []audit.HistoryEntry
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("history json: %v\n%s", err, out)
	}
	want := []audit.HistoryEntry{
		{Snapshot: v1, Change: audit.RowFirstSeen, New: "C00002 | 腾讯科技 | 010-6552 9988 | 老客户"},
		{Snapshot: v2, Change: audit.CellModified, Column: "联系方式", Old: "010-6552 9988", New: "010-6552 9999"},
		{Snapshot: v3, Change: audit.CellModified, Column: "联系方式", Old: "010-6552 9999", New: "010-6552 0000"},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(audit.HistoryEntry{}, "Time")); diff != "" {
		t.Errorf("history mismatch (-want +got):\n%s", diff)
	}

	out = ts.mustCLI(t, "history", "C00001", "--column", "备注")
	if !strings.Contains(out, "@张三 跟进") || strings.Contains(out, "联系方式") {
		t.Errorf("history --column 备注 of C00001:\n%s", out)
	}
	out = ts.mustCLI(t, "history", "C09999")
	if !strings.Contains(out, "in none of the 3 stored versions") {
		t.Errorf("history of an unknown key:\n%s", out)
	}
}

func TestHistoryUnknownColumn(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	ts.cycle(t)
	code, _, errOut := ts.cli(t, "history", "C00002", "--column", "电话")
	if code != exitCantRun || !strings.Contains(errOut, `column "电话"`) || !strings.Contains(errOut, "联系方式") {
		t.Errorf("history --column with an unknown column: exit %d, want %d and the columns listed; stderr:\n%s", code, exitCantRun, errOut)
	}
}
