package audit

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// stored is the version a colleague's accident is undone to: a title row
// above the header, a blank row inside the table, CJK text, empty cells.
var stored = [][]string{
	{"客户表 2026"},
	{"客户编号", "客户名称", "联系方式", "备注"},
	{"C00001", "华为技术有限公司", "138 0013 8000"},
	{},
	{"C00002", "腾讯科技", "010-6552 9988", "老客户"},
	{"C00003", "字节跳动", "", "=SUM(A1)"},
}

// moved is the live tab since: phones overwritten, C00003 deleted, C00004
// added, a column 负责人 inserted before 备注, rows re-sorted.
var moved = [][]string{
	{"客户表 2026"},
	{"客户编号", "客户名称", "联系方式", "负责人", "备注"},
	{"C00002", "腾讯科技", "x", "张三", "老客户"},
	{"C00004", "美团", "y", "李四"},
	{"C00001", "华为技术有限公司", "z", "王五", "新备注"},
}

func restoreOpts(rows, cols []string) RestoreOptions {
	return RestoreOptions{HeaderRow: 2, Key: []string{"客户编号"}, Rows: rows, Columns: cols}
}

func TestPlanRestore(t *testing.T) {
	tests := []struct {
		name       string
		live       [][]string
		rows, cols []string
		want       [][]string
		changes    []Change
		dropped    []string
		appended   []string
		leftOut    int
	}{
		{
			name: "full restore gives the version back as it was",
			live: moved,
			want: stored,
			changes: []Change{
				{Kind: ColumnRemoved, Column: "负责人"},
				{Kind: CellModified, Key: "C00001", Column: "联系方式", Old: "z", New: "138 0013 8000"},
				{Kind: CellModified, Key: "C00001", Column: "备注", Old: "新备注", New: ""},
				{Kind: CellModified, Key: "C00002", Column: "联系方式", Old: "x", New: "010-6552 9988"},
				{Kind: RowAdded, Key: "C00003", New: "C00003 | 字节跳动 |  | =SUM(A1)"},
				{Kind: RowRemoved, Key: "C00004", Old: "C00004 | 美团 | y | 李四"},
			},
			dropped: []string{"负责人"},
		},
		{
			name: "columns restore only those cells of live rows",
			live: moved,
			cols: []string{"联系方式"},
			want: [][]string{
				{"客户表 2026"},
				{"客户编号", "客户名称", "联系方式", "负责人", "备注"},
				{"C00002", "腾讯科技", "010-6552 9988", "张三", "老客户"},
				{"C00004", "美团", "y", "李四"},
				{"C00001", "华为技术有限公司", "138 0013 8000", "王五", "新备注"},
			},
			changes: []Change{
				{Kind: CellModified, Key: "C00002", Column: "联系方式", Old: "x", New: "010-6552 9988"},
				{Kind: CellModified, Key: "C00001", Column: "联系方式", Old: "z", New: "138 0013 8000"},
			},
			leftOut: 1,
		},
		{
			name: "rows restore whole rows and append the ones deleted since",
			live: moved,
			rows: []string{"C00001", "C00003"},
			want: [][]string{
				{"客户表 2026"},
				{"客户编号", "客户名称", "联系方式", "负责人", "备注"},
				{"C00002", "腾讯科技", "x", "张三", "老客户"},
				{"C00004", "美团", "y", "李四"},
				{"C00001", "华为技术有限公司", "138 0013 8000", "王五"},
				{"C00003", "字节跳动", "", "", "=SUM(A1)"},
			},
			changes: []Change{
				{Kind: CellModified, Key: "C00001", Column: "联系方式", Old: "z", New: "138 0013 8000"},
				{Kind: CellModified, Key: "C00001", Column: "备注", Old: "新备注", New: ""},
				{Kind: RowAdded, Key: "C00003", New: "C00003 | 字节跳动 |  |  | =SUM(A1)"},
			},
			appended: []string{"C00003"},
		},
		{
			name: "rows and columns restore their intersection",
			live: moved,
			rows: []string{"C00002"},
			cols: []string{"联系方式", "备注"},
			want: [][]string{
				{"客户表 2026"},
				{"客户编号", "客户名称", "联系方式", "负责人", "备注"},
				{"C00002", "腾讯科技", "010-6552 9988", "张三", "老客户"},
				{"C00004", "美团", "y", "李四"},
				{"C00001", "华为技术有限公司", "z", "王五", "新备注"},
			},
			changes: []Change{
				{Kind: CellModified, Key: "C00002", Column: "联系方式", Old: "x", New: "010-6552 9988"},
			},
		},
		{
			name:    "full restore of a deleted tab",
			live:    nil,
			want:    stored,
			changes: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PlanRestore(tt.live, stored, restoreOpts(tt.rows, tt.cols))
			if err != nil {
				t.Fatalf("PlanRestore: %v", err)
			}
			if diff := cmp.Diff(tt.want, p.Values, cmp.Transformer("nil", func(r []string) []string {
				if len(r) == 0 {
					return nil
				}
				return r
			})); diff != "" {
				t.Errorf("values mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.changes, p.Changes); diff != "" {
				t.Errorf("changes mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.dropped, p.DroppedColumns); diff != "" {
				t.Errorf("dropped columns mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.appended, p.Appended); diff != "" {
				t.Errorf("appended mismatch (-want +got):\n%s", diff)
			}
			if p.LeftOut != tt.leftOut {
				t.Errorf("LeftOut = %d, want %d", p.LeftOut, tt.leftOut)
			}
		})
	}
}

func TestPlanRestoreDoesNotModifyInputs(t *testing.T) {
	live := clone2(moved)
	snap := clone2(stored)
	if _, err := PlanRestore(live, snap, restoreOpts(nil, []string{"联系方式"})); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(moved, live); diff != "" {
		t.Errorf("live modified (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(stored, snap); diff != "" {
		t.Errorf("snapshot modified (-want +got):\n%s", diff)
	}
}

func TestPlanRestoreErrors(t *testing.T) {
	renamed := clone2(moved)
	renamed[1][2] = "电话"
	tests := []struct {
		name       string
		live       [][]string
		rows, cols []string
		msg        string
	}{
		{"column not stored", moved, nil, []string{"负责人"}, `column "负责人" not in the stored version`},
		{"column not live", renamed, nil, []string{"联系方式"}, `column "联系方式" not in the live tab's header`},
		{"all columns, one not live", renamed, []string{"C00001"}, nil, "list the other columns with --columns"},
		{"row not stored", moved, []string{"C00004", "C09999"}, nil, `row "C00004", "C09999" not in the stored version`},
		{"live tab gone", nil, []string{"C00001"}, nil, "tab does not exist"},
		{"live header gone", [][]string{{"x"}}, nil, []string{"联系方式"}, "read the live tab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PlanRestore(tt.live, stored, restoreOpts(tt.rows, tt.cols))
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("PlanRestore error = %v, want one containing %q", err, tt.msg)
			}
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrNotFound) {
				t.Errorf("error %v wraps neither ErrInvalid nor ErrNotFound", err)
			}
		})
	}
}

func TestPlanRestoreFullOfUnreadableLiveTab(t *testing.T) {
	// Someone deleted the header row: a full restore still works, without
	// a keyed diff, and says why.
	p, err := PlanRestore([][]string{{"客户表 2026"}, {}, {"C00001"}}, stored, restoreOpts(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if p.Changes != nil || len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "cannot be read as a table") {
		t.Errorf("plan = changes %v, notes %q; want no changes and a note", p.Changes, p.Notes)
	}
	if diff := cmp.Diff(stored, p.Values); diff != "" {
		t.Errorf("values mismatch (-want +got):\n%s", diff)
	}
}

func TestRestorePlanLost(t *testing.T) {
	// Since the newest stored version, someone edited C00001's phone and
	// C00002's name, and added C00004.
	since := []Change{
		{Kind: CellModified, Key: "C00001", Column: "联系方式", Old: "a", New: "z"},
		{Kind: CellModified, Key: "C00002", Column: "客户名称", Old: "b", New: "腾讯科技"},
		{Kind: RowAdded, Key: "C00004", New: "C00004 | 美团"},
	}
	sel, err := PlanRestore(moved, stored, restoreOpts(nil, []string{"联系方式"}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(since[:1], sel.Lost(since)); diff != "" {
		t.Errorf("selective Lost mismatch (-want +got):\n%s", diff)
	}
	full, err := PlanRestore(moved, stored, restoreOpts(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(since, full.Lost(since)); diff != "" {
		t.Errorf("full Lost mismatch (-want +got):\n%s", diff)
	}
}

func clone2(v [][]string) [][]string {
	out := make([][]string, len(v))
	for i, r := range v {
		out[i] = append([]string{}, r...)
	}
	return out
}
