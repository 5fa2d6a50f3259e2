package xlsx

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeBigBook writes a data tab of rows×12 realistic-looking cells (text,
// numbers, dates) plus an empty Log tab, with excelize's stream writer.
func writeBigBook(b *testing.B, path string, rows int) {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "客户"); err != nil {
		b.Fatal(err)
	}
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")})
	if err != nil {
		b.Fatal(err)
	}
	sw, err := f.NewStreamWriter("客户")
	if err != nil {
		b.Fatal(err)
	}
	header := []any{"客户编号", "客户名称", "所属集团", "联系人姓名", "联系方式", "邮箱", "地址", "行业", "销售进展", "负责人", "最后跟进日期", "合同金额"}
	if err := sw.SetRow("A1", header); err != nil {
		b.Fatal(err)
	}
	for r := 2; r <= rows+1; r++ {
		row := []any{
			fmt.Sprintf("C%06d", r-1), fmt.Sprintf("华东%d科技有限公司", r%977), "", "张伟",
			fmt.Sprintf("138%08d", r), fmt.Sprintf("user%d@example.cn", r), "上海市浦东新区世纪大道100号",
			"IT", "方案报价", "王芳", excelize.Cell{StyleID: dateStyle, Value: 46000 + r%120}, float64(r%1000) * 1234.5,
		}
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if _, err := f.NewSheet("Log"); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// BenchmarkReadTab reads a 200,000×12 tab as a cycle does after the file
// changed (no cached parse).
func BenchmarkReadTab(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.xlsx")
	writeBigBook(b, path, 200000)
	info, _ := os.Stat(path)
	w, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(info.Size())
	b.ResetTimer()
	for b.Loop() {
		if err := w.Close(); err != nil { // forget the parse, as after an edit
			b.Fatal(err)
		}
		tab, err := w.ReadTab(context.Background(), "客户")
		if err != nil {
			b.Fatal(err)
		}
		if len(tab.Values) != 200001 {
			b.Fatalf("%d rows", len(tab.Values))
		}
	}
}

// BenchmarkAppendRows appends 100 change-log rows to a workbook that also
// holds a 200,000×12 data tab, which is copied through unparsed.
func BenchmarkAppendRows(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.xlsx")
	writeBigBook(b, path, 200000)
	w, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	rows := make([][]string, 100)
	for i := range rows {
		rows[i] = []string{"2026-11-20 08:00", "modified", fmt.Sprintf("C%05d", i), "联系方式", "13800138000", "13900139000", "snap-0001"}
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := w.AppendRows(ctx, "Log", rows); err != nil {
			b.Fatal(err)
		}
	}
}
