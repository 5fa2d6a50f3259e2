package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
)

// amounts is the test sheet: 金额 typed as a number, 日期 as a date.
var amounts = [][]string{
	{"客户编号", "金额", "日期", "备注"},
	{"C00001", "1234.5", "2026/11/01", "一"},
	{"C00002", "5.1", "2026/11/02", "二"},
}

// amountsTyped are the typed values the sheet's cells hold.
var amountsTyped = map[string]string{"B2": "1234.5", "C2": "46327", "B3": "5.1", "C3": "46328"}

// withTypedColumns types 金额 and 日期 in the test sheet's config and makes
// their cells numbers: on xlsx with number formats (#,##0.00 and
// yyyy/mm/dd), on the emulator without (it keeps no format apart from a
// value, so a serial shows as the number there).
func withTypedColumns(t *testing.T, ts *testSheet, backend string) func(t *testing.T) testBackend {
	t.Helper()
	appendConfig(t, ts, "    columns:\n      金额: {type: number}\n      日期: {type: date}\n")
	if backend == "xlsx" {
		book := filepath.Join(filepath.Dir(ts.cfg), "clients.xlsx")
		f, err := excelize.OpenFile(book)
		if err != nil {
			t.Fatal(err)
		}
		money, day := "#,##0.00", "yyyy/mm/dd"
		sMoney, err1 := f.NewStyle(&excelize.Style{CustomNumFmt: &money})
		sDay, err2 := f.NewStyle(&excelize.Style{CustomNumFmt: &day})
		for _, err := range []error{err1, err2,
			f.SetCellStyle("客户", "B2", "B3", sMoney), f.SetCellStyle("客户", "C2", "C3", sDay), f.Save(), f.Close()} {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	open := backendOpener(ts, backend)
	if err := open(t).WriteTyped(context.Background(), "客户", amountsTyped); err != nil {
		t.Fatal(err)
	}
	return open
}

// TestRestoreTypedValues: a cycle stores the typed values of the typed
// columns; someone types junk over them (the cells become text); restoring
// in place, or only the 金额 column, gives the cells back as numbers,
// showing as before, and the next cycle finds nothing new.
func TestRestoreTypedValues(t *testing.T) {
	ctx := context.Background()
	for _, b := range backendsUnderTest {
		t.Run(b.name, func(t *testing.T) {
			ts := b.new(t, amounts, "", 1)
			backend := withTypedColumns(t, ts, b.name)
			shown := ts.get(t, "客户")
			if b.name == "xlsx" && (shown[1][1] != "1,234.50" || shown[1][2] != "2026/11/01") {
				t.Fatalf("seeded tab shows %q; want the number formats applied", shown[1])
			}
			v1 := ts.cycle(t)
			if got := storedTyped(t, ts, v1); !cmp.Equal(amountsTyped, got) {
				t.Fatalf("stored typed values of %s = %v, want %v", v1, got, amountsTyped)
			}
			checkTyped := func(t *testing.T, want map[string]string) {
				t.Helper()
				got, err := backend(t).ReadTyped(ctx, "客户", []int{1, 2})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, audit.FormulaCells(got)); diff != "" {
					t.Errorf("typed values mismatch (-want +got):\n%s", diff)
				}
			}

			junk := clone(shown)
			junk[1][1], junk[2][2] = "lots", "someday"
			ts.set(t, "客户", junk) // every cell text now
			checkTyped(t, map[string]string{})
			out := ts.mustCLI(t, "restore", v1, "--in-place", "--force")
			if !strings.Contains(out, "typed values written back: 4 cells") {
				t.Errorf("restore output does not report the typed values:\n%s", out)
			}
			checkTyped(t, amountsTyped)
			checkTab(t, ts, "客户", shown)
			ids := ts.ids(t)
			if got := storedTyped(t, ts, ids[len(ids)-1]); !cmp.Equal(amountsTyped, got) {
				t.Errorf("typed values of the version stored after the restore = %v, want %v", got, amountsTyped)
			}
			if id := ts.cycle(t); id != ids[len(ids)-1] {
				t.Errorf("cycle after the restore stored %s, want no new version", id)
			}

			// Junk over the amounts only; the dates stay typed live, and a
			// restore of 金额 writes only the two amounts, so the dates stay
			// typed untouched.
			junk = clone(shown)
			junk[1][1], junk[2][1] = "lots", "many"
			ts.set(t, "客户", junk)
			if err := backend(t).WriteTyped(ctx, "客户", map[string]string{"C2": "46327", "C3": "46328"}); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := ts.cli(t, "restore", v1, "--columns", "金额", "--force", "--format", "json")
			if code != 0 || !strings.Contains(out, `"typed_written": 2`) || !strings.Contains(out, `"cells_written": 2`) {
				t.Errorf("restore --columns: exit %d, output:\n%s\n%s", code, out, errOut)
			}
			checkTyped(t, amountsTyped)
			checkTab(t, ts, "客户", shown)
		})
	}
}

func storedTyped(t *testing.T, ts *testSheet, id string) map[string]string {
	t.Helper()
	snap := storedSnapshot(t, ts, id)
	if snap.Typed == nil {
		t.Fatalf("snapshot %s has no typed values captured", id)
	}
	return audit.FormulaCells(snap.Typed)
}

// A row re-added below the tab's old last row on .xlsx gets its dates and
// amounts back as numbers in their column's number format, so they show
// as before (not as serials), and the restore's read-back finds the tab as
// written.
func TestRestoreReAddedRowKeepsFormats(t *testing.T) {
	ts := xlsxSheetAt(t, amounts, "", 1)
	withTypedColumns(t, ts, "xlsx")
	shown := ts.get(t, "客户")
	v1 := ts.cycle(t)
	// C00001 is deleted, and C00003 typed in below as text: the row the
	// restore appends to (4) has never had a style.
	ts.set(t, "客户", [][]string{shown[0], shown[2], {"C00003", "7", "2026/11/03", "三"}})
	ts.cycle(t)
	code, out, errOut := ts.cli(t, "restore", v1, "--rows", "C00001")
	if code != 0 {
		t.Fatalf("restore --rows C00001: exit %d\n%s\n%s", code, out, errOut)
	}
	got := ts.get(t, "客户")
	if len(got) < 4 || got[3][1] != "1,234.50" || got[3][2] != "2026/11/01" {
		t.Errorf("re-added row shows %q, want the amount and date as before: %q", got[len(got)-1], shown[1])
	}
}
