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

// TestDiffDuplicateKeys: three rows keyed K1 (a data-entry slip the
// Needs Review tab reports) must log only what was done to them.
func TestDiffDuplicateKeys(t *testing.T) {
	head := []string{"id", "name", "phone"}
	a, b, c := []string{"K1", "华为", "138"}, []string{"K1", "腾讯", "139"}, []string{"K1", "阿里", "137"}
	other := []string{"K2", "字节", "136"}
	base := [][]string{head, a, other, b, c}
	tests := []struct {
		name string
		new  [][]string
		want []Change
	}{
		{"unchanged", base, nil},
		{"duplicates reordered", [][]string{head, c, other, a, b}, nil},
		{
			"middle duplicate renamed",
			[][]string{head, a, other, {"K9", "腾讯", "139"}, c},
			[]Change{
				{Kind: RowAdded, Key: "K9", New: "K9 | 腾讯 | 139"},
				{Kind: RowRemoved, Key: "K1 (2)", Old: "K1 | 腾讯 | 139"},
			},
		},
		{
			"first duplicate removed",
			[][]string{head, other, b, c},
			[]Change{{Kind: RowRemoved, Key: "K1", Old: "K1 | 华为 | 138"}},
		},
		{
			"one duplicate edited and the others reordered",
			[][]string{head, c, other, {"K1", "华为", "150"}, b},
			[]Change{{Kind: CellModified, Key: "K1 (2)", Column: "phone", Old: "138", New: "150"}},
		},
		{
			"a duplicate added",
			[][]string{head, a, other, b, c, {"K1", "百度", ""}},
			[]Change{{Kind: RowAdded, Key: "K1 (4)", New: "K1 | 百度"}},
		},
		{
			"rows without a key moved",
			[][]string{head, {"", "x"}, a, other, b, c, {"", "y"}},
			[]Change{
				{Kind: RowAdded, Key: "(row 2)", New: " | x"},
				{Kind: RowAdded, Key: "(row 7)", New: " | y"},
			},
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
	// Rows without a key are followed by content across an insert above.
	noKey := [][]string{head, {"", "x"}, a}
	moved := [][]string{head, other, {"", "x"}, a}
	want := []Change{{Kind: RowAdded, Key: "K2", New: "K2 | 字节 | 136"}}
	if diff := cmp.Diff(want, Diff(mustTable(t, noKey), mustTable(t, moved))); diff != "" {
		t.Errorf("Diff of keyless rows after an insert mismatch (-want +got):\n%s", diff)
	}
}
