package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/config"
)

// bigWorkbook writes a workbook whose data tab's worksheet part is over
// 16 MiB, the size above which excelize extracts a worksheet to a temporary
// file, with a typed date column so that each cycle reads it through
// excelize.
func bigWorkbook(t *testing.T, path string, rows int) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "客户"); err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("客户")
	if err != nil {
		t.Fatal(err)
	}
	note := strings.Repeat("跟进记录", 80)
	if err := sw.SetRow("A1", []any{"客户编号", "客户名称", "最后跟进日期", "备注"}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= rows; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, []any{fmt.Sprintf("C%06d", i), fmt.Sprintf("客户%d有限公司", i), "2026-11-01", note}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// TestCyclesLeaveNoTempFiles runs the daemon's cycle and validate on a
// sheet whose worksheet excelize keeps in a temporary file, several times:
// each opens the workbook and must close it, or every run leaves a file of
// the sheet's size behind (a cycle's own saves drop excelize's copy, a
// command that only reads does not).
func TestCyclesLeaveNoTempFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads a 16 MiB worksheet several times")
	}
	dir := t.TempDir()
	book := filepath.Join(dir, "clients.xlsx")
	bigWorkbook(t, book, 16000)
	size := int64(0)
	if st, err := os.Stat(book); err == nil {
		size = st.Size()
	}
	cfgPath := filepath.Join(dir, "sheetaudit.yaml")
	cfgText := `store: ./store
timezone: Asia/Shanghai
sheets:
  - name: clients
    source: {xlsx: ./clients.xlsx}
    tab: 客户
    key: [客户编号]
    columns:
      最后跟进日期: {type: date}
`
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where excelize puts its temporary files

	cfg, err := config.Load(cfgPath, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	a := &app{log: zap.NewNop()}
	store, err := openStore(context.Background(), cfg, a.log)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	const cycles = 3
	for i := range cycles {
		if _, err := a.cycle(context.Background(), cfg, cfg.Sheets[0], store, backendDeps{}, a.log, 0); err != nil {
			t.Fatalf("cycle %d: %v", i+1, err)
		}
		// validate reads and writes nothing back: only Close removes
		// what excelize extracted.
		if code, _, errOut := sheetaudit(t, nil, "validate", "--config", cfgPath); code == exitCantRun {
			t.Fatalf("validate: exit %d\n%s", code, errOut)
		}
		left, err := filepath.Glob(filepath.Join(tmp, "excelize-*"))
		if err != nil {
			t.Fatal(err)
		}
		if len(left) > 0 {
			t.Fatalf("after run %d on a %d-byte workbook, %d temporary files are left: %q", i+1, size, len(left), left)
		}
	}
}
