package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/snapshot"
	"github.com/sheetaudit/sheetaudit/xlsx"
)

// The Change Log tab loses three rows and has one edited; check finds all
// four, --repair puts the lost rows back, rebuild makes the tab the chain
// again, and a flipped byte in the store fails verify.
func TestChangelogCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	book := filepath.Join(dir, "clients.xlsx")
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "客户")
	for r, row := range clientsV1 {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			f.SetCellStr("客户", cell, v)
		}
	}
	if err := f.SaveAs(book); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, dir, "{xlsx: ./clients.xlsx}")

	// Two cycles' rows, recorded in the chain and written to the tab.
	store, err := snapshot.Open(ctx, filepath.Join(dir, "store"), snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tab := [][]string{append(audit.ChangeLogHeader(), "Cycle")[:8]}
	for c, n := range []int{3, 5} {
		cycle := fmt.Sprintf("cycle-%d", c+1)
		var rows [][]audit.Cell
		for i := range n {
			rows = append(rows, []audit.Cell{audit.TimeOf(at), audit.Text("cell modified"), audit.Text(fmt.Sprintf("C%05d", i)),
				audit.Text("联系方式"), audit.Text("1"), audit.Text("2"), audit.Text("20261201T090000Z-aaaaaaaa"), audit.Text(cycle)})
		}
		if err := audit.RecordChanges(ctx, store, "clients", cycle, rows, at); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			var s []string
			for _, c := range r {
				s = append(s, c.String())
			}
			tab = append(tab, s)
		}
	}
	_ = store.Close()
	want := slices.Clone(tab)
	// tab[1:4] is cycle 1, tab[4:9] cycle 2.
	tab[5] = slices.Clone(tab[5])
	tab[5][5] = "3"                // edited
	tab = slices.Delete(tab, 6, 8) // two rows of cycle 2 deleted
	tab = slices.Delete(tab, 1, 2) // one row of cycle 1 deleted
	wb, err := xlsx.Open(book, xlsx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := wb.EnsureTab(ctx, "Change Log"); err != nil {
		t.Fatal(err)
	}
	if err := wb.ReplaceTab(ctx, "Change Log", tab); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := sheetaudit(t, nil, "changelog", "check", "--config", cfg)
	if code != exitFailed || strings.Count(out, "changelog_deleted") != 3 || strings.Count(out, "changelog_edited") != 1 ||
		!strings.Contains(out, "4 rows missing") {
		t.Fatalf("changelog check: exit %d, want 1 with 3 deleted and 1 edited\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = sheetaudit(t, nil, "changelog", "check", "--repair", "--config", cfg)
	if code != exitFailed || !strings.Contains(out, "4 rows appended back") {
		t.Fatalf("changelog check --repair: exit %d\n%s\n%s", code, out, errOut)
	}
	got, err := wb.ReadTab(ctx, "Change Log")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.Values); n != len(tab)+4 {
		t.Fatalf("after --repair the tab has %d rows, want %d", n, len(tab)+4)
	}
	for _, r := range got.Values[len(tab):] {
		if len(r) != 8 || !strings.HasSuffix(r[7], "(restored from history)") {
			t.Errorf("restored row %q, want it marked %q", r, audit.RestoredMark)
		}
	}
	// Only the edited row is left to report; nothing is missing any more.
	code, out, _ = sheetaudit(t, nil, "changelog", "check", "--config", cfg)
	if code != exitFailed || strings.Count(out, "changelog_") != 1 || strings.Contains(out, "missing") {
		t.Errorf("check after repair: exit %d\n%s", code, out)
	}

	code, out, errOut = sheetaudit(t, nil, "changelog", "rebuild", "--sheet", "clients", "--config", cfg)
	if code != 0 {
		t.Fatalf("changelog rebuild: exit %d\n%s\n%s", code, out, errOut)
	}
	got, err = wb.ReadTab(ctx, "Change Log")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got.Values); diff != "" {
		t.Errorf("rebuilt Change Log mismatch (-want +got):\n%s", diff)
	}
	if code, out, _ = sheetaudit(t, nil, "changelog", "check", "--config", cfg); code != 0 {
		t.Errorf("check after rebuild: exit %d\n%s", code, out)
	}

	code, out, _ = sheetaudit(t, nil, "changelog", "verify", "--config", cfg)
	if code != 0 || !strings.Contains(out, "clients: 2 entries, 8 rows, chain intact") {
		t.Fatalf("changelog verify: exit %d\n%s", code, out)
	}
	entry := filepath.Join(dir, "store", "sheets", "clients", "changelog", "000000000001.json")
	data, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("联系方式"))
	data[i+1] ^= 0x01
	if err := os.WriteFile(entry, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = sheetaudit(t, nil, "changelog", "verify", "--config", cfg)
	if code != exitFailed || !strings.Contains(out, "000000000001.json") {
		t.Errorf("changelog verify after a flipped byte: exit %d, want 1 naming entry 1\n%s\n%s", code, out, errOut)
	}
}
