package restore_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
	"github.com/sheetaudit/sheetaudit/restore"
)

var (
	trailV1 = [][]string{{"客户编号", "客户名称", "联系方式"}, {"C1", "华为", "138 0013 8000"}, {"C2", "腾讯", "010-6552 9988"}, {"C3", "字节", ""}}
	trailV2 = [][]string{{"客户编号", "客户名称", "联系方式"}, {"C1", "华为技术", "12345"}, {"C2", "腾讯", "12345"}}
)

// lostAppend loses the Change Log rows once: the write fails as if the
// process had died before the rows landed.
type lostAppend struct {
	*audittest.Workbook
	lose bool
}

func (w *lostAppend) AppendRows(ctx context.Context, title string, rows [][]string) error {
	if w.lose {
		w.lose = false
		return errors.New("connection reset")
	}
	return w.Workbook.AppendRows(ctx, title, rows)
}

// trailRun is one sheet with a logged V1 and V2 and a restore of V1 by
// opts, then the cycle after it, its write-back lost once when lose is
// set and the cycle after that. It returns the Change Log without its
// Cycle column (cycle ids are random).
func trailRun(t *testing.T, locale string, opts restore.Options, lose bool) [][]string {
	t.Helper()
	ctx := context.Background()
	clock := audittest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	wb := &lostAppend{Workbook: audittest.NewWorkbook(map[string][][]string{"客户": trailV1})}
	store := audittest.NewStore()
	c := &audit.Cycle{Spec: audit.Spec{Name: "clients", Tab: "客户", HeaderRow: 1, Key: []string{"客户编号"},
		ChangeLogTab: "Change Log", Locale: locale, Paste: &audit.PastePolicy{MinShare: 0.5, MinCells: 1}},
		Workbook: wb, Store: store, State: store, Now: clock.Now}
	var alarms []audit.PasteAlarm
	cycle := func() error {
		clock.Advance(time.Minute)
		res, err := c.Run(ctx)
		alarms = res.PasteAlarms
		return err
	}
	if err := cycle(); err != nil {
		t.Fatal(err)
	}
	wb.Set("客户", trailV2)
	if err := cycle(); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	r := &restore.Restorer{Workbook: wb, Store: store, Records: store, Now: clock.Now}
	opts.Sheet, opts.Tab, opts.HeaderRow, opts.Key, opts.Snapshot = "clients", "客户", 1, []string{"客户编号"}, "s1"
	opts.By, opts.Reason = "张三", "误粘贴"
	if _, err := r.Restore(ctx, opts); err != nil {
		t.Fatalf("restore: %v", err)
	}
	wb.lose = lose
	if err := cycle(); err != nil != lose {
		t.Fatalf("cycle after the restore: %v", err)
	}
	if len(alarms) > 0 {
		t.Errorf("the cycle after the restore raised the bad-paste alarm %+v; a restore is no paste", alarms)
	}
	if err := cycle(); err != nil {
		t.Fatalf("cycle after that: %v", err)
	}
	tab, err := wb.ReadTab(ctx, "Change Log")
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]string, len(tab.Values))
	for i, row := range tab.Values {
		out[i] = row[:min(len(row), audit.ChangeLogCycleColumn)]
	}
	return out
}

// A cycle whose write-back of a restore's rows was lost writes them in the
// next cycle exactly as they would have been: same rows, same marks, same
// time.
func TestRestoreTrailResendAfterCrash(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts restore.Options
		want [][]string // Change, Key, Column, Snapshot of the rows after the two versions' own
	}{
		{"new tab", restore.Options{}, [][]string{
			{"restored", "", "", "restored by 张三 from s1: 误粘贴 · s2"}}},
		{"in place", restore.Options{InPlace: true}, [][]string{
			{"restored", "", "", "restored by 张三 from s1: 误粘贴 · s3"},
			{"restored", "C1", "客户名称", "restored by 张三 from s1: 误粘贴 · s3"},
			{"restored", "C1", "联系方式", "restored by 张三 from s1: 误粘贴 · s3"},
			{"restored", "C2", "联系方式", "restored by 张三 from s1: 误粘贴 · s3"},
			{"restored", "C3", "", "restored by 张三 from s1: 误粘贴 · s3"}}},
		{"rows", restore.Options{Rows: []string{"C3"}}, [][]string{
			{"restored", "", "", "restored by 张三 from s1: 误粘贴 · s3"},
			{"restored", "C3", "", "restored by 张三 from s1: 误粘贴 · s3"}}},
		{"columns", restore.Options{Columns: []string{"联系方式"}}, [][]string{
			{"restored", "", "", "restored by 张三 from s1: 误粘贴 · s3"},
			{"restored", "C1", "联系方式", "restored by 张三 from s1: 误粘贴 · s3"},
			{"restored", "C2", "联系方式", "restored by 张三 from s1: 误粘贴 · s3"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := trailRun(t, "en", tc.opts, false)
			got := trailRun(t, "en", tc.opts, true)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Change Log after a lost write-back differs from one without (-want +got):\n%s", diff)
			}
			var marks [][]string
			for _, r := range got[6:] { // header, baseline, V2's 4 rows
				r = append(r, make([]string, 7)...)
				marks = append(marks, []string{r[1], r[2], r[3], r[6]})
			}
			if diff := cmp.Diff(tc.want, marks, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("rows of the restore mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Under zh-CN the rows of a restore are Chinese, identifiers and the
// restorer's name aside.
func TestRestoreTrailChinese(t *testing.T) {
	rows := trailRun(t, "zh-CN", restore.Options{Columns: []string{"联系方式"}}, false)
	latin := regexp.MustCompile(`[A-Za-z]{2,}`)
	for _, r := range rows[6:] {
		for j, v := range r {
			if j == 0 {
				continue
			}
			if w := latin.FindString(strings.NewReplacer("Restored", "").Replace(v)); w != "" {
				t.Errorf("row %q holds the Latin word %q", r, w)
			}
		}
		if r[1] != "已恢复" || !strings.Contains(r[6], "操作人：张三，从 s1 恢复，原因：误粘贴") {
			t.Errorf("row %q: want change type 已恢复 and the source version, restorer and reason", r)
		}
	}
}
