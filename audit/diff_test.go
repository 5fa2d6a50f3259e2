package audit

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustTable(t *testing.T, values [][]string) *Table {
	t.Helper()
	tb, err := ParseTable(values, 1, []string{"id"})
	if err != nil {
		t.Fatalf("ParseTable: %v", err)
	}
	return tb
}

func TestDiff(t *testing.T) {
	base := [][]string{{"id", "name", "phone"}, {"1", "华为", "138"}, {"2", "腾讯", "139"}, {"3", "阿里", ""}}
	tests := []struct {
		name string
		new  [][]string
		want []Change
	}{
		{"unchanged", base, nil},
		{"sorted only", [][]string{base[0], base[3], base[1], base[2]}, nil},
		{"blank row inserted", [][]string{base[0], base[1], {}, base[2], base[3]}, nil},
		{
			"cell edits, add, remove",
			[][]string{base[0], {"1", "华为技术", "138"}, {"3", "阿里", "=1+1"}, {"4", "字节", "", ""}},
			[]Change{
				{Kind: CellModified, Key: "1", Column: "name", Old: "华为", New: "华为技术"},
				{Kind: CellModified, Key: "3", Column: "phone", Old: "", New: "=1+1"},
				{Kind: RowAdded, Key: "4", New: "4 | 字节"},
				{Kind: RowRemoved, Key: "2", Old: "2 | 腾讯 | 139"},
			},
		},
		{
			"column added and removed",
			[][]string{{"id", "name", "email"}, {"1", "华为", "a@b.cn"}, {"2", "腾讯"}, {"3", "阿里"}},
			[]Change{
				{Kind: ColumnRenamed, Column: "email", Old: "phone", New: "email"},
				{Kind: CellModified, Key: "1", Column: "email", Old: "138", New: "a@b.cn"},
				{Kind: CellModified, Key: "2", Column: "email", Old: "139", New: ""},
			},
		},
		{
			"column inserted in the middle",
			[][]string{{"id", "group", "name", "phone"}, {"1", "G", "华为", "138"}, {"2", "", "腾讯", "139"}, {"3", "", "阿里"}},
			[]Change{{Kind: ColumnAdded, Column: "group"}},
		},
		{
			"column deleted",
			[][]string{{"id", "phone"}, {"1", "138"}, {"2", "139"}, {"3"}},
			[]Change{{Kind: ColumnRemoved, Column: "name"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(mustTable(t, base), mustTable(t, tt.new))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Diff mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
