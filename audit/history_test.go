package audit

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRowHistory(t *testing.T) {
	versions := [][][]string{
		{{"客户编号", "客户名称", "联系方式"}, {"C00001", "华为", "138"}, {"C00002", "腾讯", "010"}},
		{{"客户编号", "客户名称", "联系方式"}, {"C00002", "腾讯科技", "010"}, {"C00001", "华为", "139"}},
		nil, // unreadable version: skipped
		{{"客户编号", "客户名称", "电话"}, {"C00001", "华为", "139"}},
		{{"客户编号", "客户名称", "电话"}, {"C00001", "华为", "139"}, {"C00002", "腾讯", "011"}},
	}
	ids := []string{"v1", "v2", "v3", "v4", "v5"}
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	times := make([]time.Time, len(ids))
	series := make([]*Table, len(versions))
	for i, v := range versions {
		times[i] = t0.Add(time.Duration(i) * time.Hour)
		if v == nil {
			continue
		}
		tab, err := ParseTable(v, 1, []string{"客户编号"})
		if err != nil {
			t.Fatal(err)
		}
		series[i] = tab
	}
	tests := []struct {
		key, column string
		want        []HistoryEntry
	}{
		{"C00001", "", []HistoryEntry{
			{Snapshot: "v1", Time: times[0], Change: RowFirstSeen, New: "C00001 | 华为 | 138"},
			{Snapshot: "v2", Time: times[1], Change: CellModified, Column: "联系方式", Old: "138", New: "139"},
		}},
		{"C00002", "", []HistoryEntry{
			{Snapshot: "v1", Time: times[0], Change: RowFirstSeen, New: "C00002 | 腾讯 | 010"},
			{Snapshot: "v2", Time: times[1], Change: CellModified, Column: "客户名称", Old: "腾讯", New: "腾讯科技"},
			{Snapshot: "v4", Time: times[3], Change: RowRemoved, Old: "C00002 | 腾讯科技 | 010"},
			{Snapshot: "v5", Time: times[4], Change: RowAdded, New: "C00002 | 腾讯 | 011"},
		}},
		{"C00002", "客户名称", []HistoryEntry{
			{Snapshot: "v1", Time: times[0], Change: RowFirstSeen, Column: "客户名称", New: "腾讯"},
			{Snapshot: "v2", Time: times[1], Change: CellModified, Column: "客户名称", Old: "腾讯", New: "腾讯科技"},
			{Snapshot: "v4", Time: times[3], Change: RowRemoved, Column: "客户名称", Old: "腾讯科技"},
			{Snapshot: "v5", Time: times[4], Change: RowAdded, Column: "客户名称", New: "腾讯"},
		}},
		{"C00001", "联系方式", []HistoryEntry{
			{Snapshot: "v1", Time: times[0], Change: RowFirstSeen, Column: "联系方式", New: "138"},
			{Snapshot: "v2", Time: times[1], Change: CellModified, Column: "联系方式", Old: "138", New: "139"},
			{Snapshot: "v4", Time: times[3], Change: ColumnRenamed, Column: "电话", Old: "联系方式", New: "电话"},
		}},
		{"C09999", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.key+"/"+tt.column, func(t *testing.T) {
			got := RowHistory(series, ids, times, tt.key, tt.column)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("RowHistory(%q, %q) mismatch (-want +got):\n%s", tt.key, tt.column, diff)
			}
		})
	}
}

func TestRowHistoryCompoundKey(t *testing.T) {
	v1, err := ParseTable([][]string{{"集团", "编号", "名称"}, {"G1", "7", "甲"}}, 1, []string{"集团", "编号"})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := ParseTable([][]string{{"集团", "编号", "名称"}, {"G1", "7", "乙"}}, 1, []string{"集团", "编号"})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	got := RowHistory([]*Table{RowOf(v1, "G1 / 7"), RowOf(v2, "G1 / 7")}, []string{"a", "b"}, []time.Time{t0, t0.Add(time.Hour)}, "G1 / 7", "")
	want := []HistoryEntry{
		{Snapshot: "a", Time: t0, Change: RowFirstSeen, New: "G1 | 7 | 甲"},
		{Snapshot: "b", Time: t0.Add(time.Hour), Change: CellModified, Column: "名称", Old: "甲", New: "乙"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RowHistory mismatch (-want +got):\n%s", diff)
	}
}
