package audit

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMarkRestored(t *testing.T) {
	tab := func(rows ...[]string) *Table {
		return logTable(t, append([][]string{{"编号", "名称", "电话"}}, rows...))
	}
	logged := tab([]string{"1", "甲", "111"}, []string{"2", "乙", "222"})
	// Someone edits 1's name (not yet logged), the restore is forced:
	// the safety snapshot holds the edit, the restore puts 甲 back.
	safety := tab([]string{"1", "甲甲", "111"}, []string{"2", "乙", "222"}, []string{"3", "丙", "333"})
	restored := tab([]string{"1", "甲", "999"}, []string{"2", "乙", "222"})
	in := []Change{
		{Kind: CellModified, Key: "1", Column: "电话", Old: "111", New: "999"}, // the restore wrote it
		{Kind: CellModified, Key: "2", Column: "电话", Old: "222", New: "000"}, // edited after the restore
		{Kind: RowAdded, Key: "3", New: "3 | 丙 | 333"},                       // added and removed again: not in the window
	}
	for _, tc := range []struct {
		name string
		rec  RestoreRecord
		want []bool
	}{
		{"whole tab", RestoreRecord{Mode: RestoreInPlace}, []bool{true, false, false}},
		{"its column", RestoreRecord{Mode: RestoreSelective, Columns: []string{"电话"}}, []bool{true, false, false}},
		{"another column", RestoreRecord{Mode: RestoreSelective, Columns: []string{"名称"}}, []bool{false, false, false}},
		{"another row", RestoreRecord{Mode: RestoreSelective, Rows: []string{"2"}}, []bool{false, false, false}},
		{"new tab", RestoreRecord{Mode: RestoreNewTab}, []bool{false, false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changes := append([]Change(nil), in...)
			tr := RestoreTrail{Record: tc.rec, Safety: safety, Restored: restored}
			if tc.rec.Mode == RestoreNewTab {
				tr.Safety, tr.Restored = nil, nil
			}
			var got []bool
			for _, c := range MarkRestored(changes, []RestoreTrail{tr}) {
				got = append(got, c.Restore != nil)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("marked mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// A row the restore brought back, and a row it dropped.
	changes := MarkRestored([]Change{{Kind: RowAdded, Key: "3"}, {Kind: RowRemoved, Key: "2"}},
		[]RestoreTrail{{Record: RestoreRecord{Mode: RestoreInPlace}, Safety: logged, Restored: tab([]string{"1", "甲", "111"}, []string{"3", "丙", "333"})}})
	if changes[0].Restore == nil || changes[1].Restore == nil {
		t.Errorf("row brought back marked %v, row dropped marked %v; want both", changes[0].Restore != nil, changes[1].Restore != nil)
	}
}
