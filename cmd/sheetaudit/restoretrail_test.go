package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
)

// waitPast waits until the clock is past the second that names version
// id. An in-place restore may date the version it stores a second ahead
// (so that it is the newest), and a cycle within that second would store
// an older-named one; a person never edits that fast.
func waitPast(id string) {
	if at, ok := audit.SnapshotTime(id); ok {
		time.Sleep(time.Until(at.Add(time.Second)))
	}
}

// restoreTrailTexts are what the Change Log says of a restore, by locale.
var restoreTrailTexts = map[string]struct {
	extra, tab, restored, modified, from, newTab string
}{
	"en": {tab: "Change Log", restored: "restored", modified: "cell modified",
		from: "restored by 张三 from %[2]s: %[3]s · %[1]s", newTab: "copied into the new tab"},
	"zh-CN": {extra: "locale: zh-CN", tab: "变更记录", restored: "已恢复", modified: "修改单元格",
		from: "操作人：张三，从 %[2]s 恢复，原因：%[3]s · %[1]s", newTab: "复制到新表"},
}

// Every restore mode, on both backends and in both languages, shows in the
// next cycle's Change Log as the change type "restored", with the version
// restored and who ran it and why, in place of ordinary edits: a restore
// into a new tab as one row (the data tab did not change), an in-place,
// --rows or --columns restore as its own row and one row per change it
// made. An edit made after a restore stays an ordinary edit.
func TestRestoreTrailInChangeLog(t *testing.T) {
	for _, b := range backendsUnderTest {
		for _, locale := range []string{"en", "zh-CN"} {
			t.Run(b.name+"/"+locale, func(t *testing.T) {
				l := restoreTrailTexts[locale]
				ts := b.new(t, clientsV1, l.extra, 1)
				v1 := ts.cycle(t)
				ts.set(t, "客户", clientsV2)
				v2 := ts.cycle(t)
				seen := len(ts.get(t, l.tab))
				// newRows runs a cycle and returns the Change Log rows it
				// appended.
				newRows := func(t *testing.T) [][]string {
					t.Helper()
					ts.cycle(t)
					all := ts.get(t, l.tab)
					rows := all[seen:]
					seen = len(all)
					return rows
				}
				wantFrom := func(to, why string) string { return fmt.Sprintf(l.from, to, v1, why) }
				check := func(t *testing.T, rows [][]string, to, why string, want [][]string) {
					t.Helper()
					var got [][]string
					for _, r := range rows {
						r = append(r, make([]string, 8)...)
						got = append(got, []string{r[1], r[2], r[3], r[6]})
					}
					for _, w := range want {
						if w[3] == "" {
							w[3] = wantFrom(to, why)
						}
					}
					if !slices.EqualFunc(got, want, slices.Equal) {
						t.Errorf("Change Log rows of the restore:\n got %q\nwant %q", got, want)
					}
				}

				// Into a new tab: one row; the data tab did not change.
				ts.mustCLI(t, "restore", v1, "--by", "张三", "--reason", "核对")
				rows := newRows(t)
				check(t, rows, v2, "核对", [][]string{{l.restored, "", "", ""}})
				if len(rows) == 1 && !strings.Contains(rows[0][5], l.newTab) {
					t.Errorf("new-tab restore row says %q, want it to name the new tab", rows[0][5])
				}

				// In place: the restore's row, then each change it made.
				ts.mustCLI(t, "restore", v1, "--in-place", "--by", "张三", "--reason", "误改")
				rows = newRows(t)
				v3 := ts.ids(t)[len(ts.ids(t))-1]
				check(t, rows, v3, "误改", [][]string{
					{l.restored, "", "", ""},
					{l.restored, "C00001", "备注", ""},
					{l.restored, "C00002", "联系方式", ""},
					{l.restored, "C00003", "", ""},
					{l.restored, "C00004", "", ""},
				})
				if len(rows) == 5 && (rows[2][4] != "010-6552 9999" || rows[2][5] != "010-6552 9988") {
					t.Errorf("restored cell row = %q, want old 010-6552 9999, new 010-6552 9988", rows[2])
				}

				// --rows brings a removed row back.
				waitPast(v3) // versions are named by the second; see waitPast
				ts.set(t, "客户", clientsV2)
				ts.cycle(t)
				seen = len(ts.get(t, l.tab))
				ts.mustCLI(t, "restore", v1, "--rows", "C00003", "--by", "张三", "--reason", "找回")
				rows = newRows(t)
				v5 := ts.ids(t)[len(ts.ids(t))-1]
				check(t, rows, v5, "找回", [][]string{{l.restored, "", "", ""}, {l.restored, "C00003", "", ""}})

				// --columns puts one column back; a colleague's edit made
				// after the restore stays an ordinary edit.
				ts.mustCLI(t, "restore", v1, "--columns", "联系方式", "--by", "张三", "--reason", "误粘贴")
				live := clone(ts.get(t, "客户"))
				for _, r := range live {
					if len(r) > 1 && r[0] == "C00004" {
						r[1] = "美团点评"
					}
				}
				ts.set(t, "客户", live)
				rows = newRows(t)
				v6 := ts.ids(t)[len(ts.ids(t))-1]
				check(t, rows, v6, "误粘贴", [][]string{
					{l.restored, "", "", ""},
					{l.restored, "C00002", "联系方式", ""},
					{l.modified, "C00004", "客户名称", v6},
				})
			})
		}
	}
}
