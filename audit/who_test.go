package audit_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

func TestWhoNil(t *testing.T) {
	var w *audit.Who
	if err := w.Record(context.Background(), "s", "c1", [][]audit.Cell{{audit.Text("x")}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	r, err := w.Review(context.Background(), nil, "s", "Change Log", nil, time.Time{}, time.Now(), true, nil, "en")
	if err != nil || len(r.Findings) != 0 || r.Editor != nil {
		t.Fatalf("nil Who Review = %+v, %v; want nothing", r, err)
	}
}

func TestWhoReview(t *testing.T) {
	ctx := context.Background()
	chain := &memChain{}
	w := &audit.Who{Chain: chain, Access: fakeAccess{{Type: "anyone", Role: "reader"}}}
	loc := time.FixedZone("CST", 8*3600)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, loc)
	rows := [][]audit.Cell{
		{audit.TimeOf(at), audit.Text("cell modified"), audit.Text("C1"), audit.Text("电话"), audit.Text("1"), audit.Text("2"), audit.Text("snap"), audit.Text("c1")},
		{audit.TimeOf(at), audit.Text("cell modified"), audit.Text("C2"), audit.Text("电话"), audit.Text("3"), audit.Text("4"), audit.Text("snap"), audit.Text("c1")},
	}
	if err := w.Record(ctx, "s", "c1", rows, at); err != nil {
		t.Fatal(err)
	}
	tab := [][]string{{"Time", "Change", "Key", "Column", "Old value", "New value", "Snapshot", "Cycle"}}
	tab = append(tab, slices.Clone(chain.entries[0].Rows[0])) // the second row was deleted
	wb := audittest.NewWorkbook(map[string][][]string{"Change Log": tab})
	r, err := w.Review(ctx, wb, "s", "Change Log", nil, time.Time{}, at, true, loc, "en")
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, f := range r.Findings {
		rules = append(rules, f.Rule)
	}
	if !slices.Equal(rules, []string{"access_anyone", "changelog_deleted"}) {
		t.Errorf("findings %v, want access_anyone and changelog_deleted", rules)
	}
	if len(r.Restore) != 1 || !r.Restore[0][0].Time.Equal(at) || r.Restore[0][2].Text != "C2" ||
		r.Restore[0][7].Text != "c1 (restored from history)" {
		t.Errorf("Restore = %+v, want the C2 row, its time a date-time, marked", r.Restore)
	}
}

func TestWithEditor(t *testing.T) {
	a := &audit.Attribution{Editor: "one of: 张三, 李四", Source: audit.SourceActivity}
	rows := [][]audit.Cell{
		{audit.Text("t"), audit.Text("cell modified"), audit.Text("C1"), audit.Text("电话"), audit.Text("1"), audit.Text("2"), audit.Text("s"), audit.Text("c1")},
		{audit.Text("t"), audit.Text("summary")},
	}
	got := audit.WithEditor(rows, a, "en")
	for i, r := range got {
		if len(r) != 9 || r[8].Text != "one of: 张三, 李四 (drive activity)" {
			t.Errorf("row %d = %v, want 9 cells ending in the editor", i, r)
		}
	}
	if len(rows[0]) != 8 {
		t.Errorf("WithEditor changed its input: %v", rows[0])
	}
	if c := audit.EditorCell(&audit.Attribution{Editor: "未知"}, "zh-CN"); c.Text != "未知" {
		t.Errorf("EditorCell(unknown) = %q", c.Text)
	}
	if c := audit.EditorCell(&audit.Attribution{Editor: "张三", Source: audit.SourceRevisions}, "zh-CN"); c.Text != "张三（云端硬盘版本记录）" {
		t.Errorf("EditorCell(zh-CN) = %q", c.Text)
	}
	if got := audit.WithEditor(rows, nil, "en"); len(got[0]) != 8 {
		t.Errorf("WithEditor(nil) added a cell")
	}
}

func TestSnapshotTime(t *testing.T) {
	got, ok := audit.SnapshotTime("20261129T151600Z-1a2b3c4d-2")
	if !ok || !got.Equal(time.Date(2026, 11, 29, 15, 16, 0, 0, time.UTC)) {
		t.Errorf("SnapshotTime = %v, %v", got, ok)
	}
	if _, ok := audit.SnapshotTime("latest"); ok {
		t.Error("SnapshotTime(latest) ok")
	}
}
