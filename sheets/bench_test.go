package sheets

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"go.uber.org/zap"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// BenchmarkReadTab reads a 200,000×12 tab (2.4 M cells) from the emulator
// over loopback with the default paging: the figures include the
// emulator's own encoding, the client's JSON decoding and the conversion to
// [][]string.
func BenchmarkReadTab(b *testing.B) {
	const rows, cols = 200_000, 12
	data := make([][]string, rows)
	for r := range data {
		data[r] = make([]string, cols)
		for c := range data[r] {
			data[r][c] = fmt.Sprintf("r%dc%d", r+1, c+1)
		}
	}
	srv := startBook(b, sheetstest.Options{}, map[string][][]string{"Big": data})
	wb := openBook(b, srv, Options{Logger: zap.NewNop()})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tab, err := wb.ReadTab(ctx, "Big")
		if err != nil {
			b.Fatal(err)
		}
		if len(tab.Values) != rows || tab.Values[rows-1][cols-1] != data[rows-1][cols-1] {
			b.Fatalf("read %d rows, want %d", len(tab.Values), rows)
		}
	}
	b.ReportMetric(float64(rows*cols), "cells/op")
}

// BenchmarkDecodeValueRanges measures only the decoding of one
// values.batchGet body (five default blocks of a 12-column tab, 500,000
// cells) into rows of strings, without the emulator or the network.
func BenchmarkDecodeValueRanges(b *testing.B) {
	const blocks, rows, cols = 5, 8_333, 12
	resp := sheets.BatchGetValuesResponse{SpreadsheetId: testID}
	for k := range blocks {
		vr := &sheets.ValueRange{Range: fmt.Sprintf("Big!A%d:L%d", k*rows+1, (k+1)*rows), MajorDimension: "ROWS"}
		for r := range rows {
			row := make([]any, cols)
			for c := range row {
				row[c] = fmt.Sprintf("r%dc%d", k*rows+r+1, c+1)
			}
			vr.Values = append(vr.Values, row)
		}
		resp.ValueRanges = append(resp.ValueRanges, vr)
	}
	body, err := json.Marshal(resp)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var out [][]string
		var slab rowSlab
		n, err := decodeValueRanges(bytes.NewReader(body), cellRender{other: cellString}, func(_, _ int, cells []string) bool {
			out = append(out, slab.copy(cells))
			return true
		})
		if err != nil || n != blocks || len(out) != blocks*rows {
			b.Fatalf("decoded %d ranges, %d rows, err %v", n, len(out), err)
		}
	}
}

// BenchmarkReadTabTyped reads a 8,333×12 tab (100,000 cells) from the
// emulator both ways a cycle with typed columns can: one spreadsheets.get
// of displayed and typed values, or ReadTab and then ReadTyped of three
// columns with two values.batchGet.
func BenchmarkReadTabTyped(b *testing.B) {
	const rows, cols = 8_333, 12
	data := make([][]string, rows)
	for r := range data {
		data[r] = make([]string, cols)
		for c := range data[r] {
			data[r][c] = fmt.Sprintf("r%dc%d", r+1, c+1)
		}
	}
	srv := startBook(b, sheetstest.Options{}, map[string][][]string{"Big": data})
	wb := openBook(b, srv, Options{Logger: zap.NewNop()})
	ctx := context.Background()
	b.Run("one get", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tab, typed, err := wb.ReadTabTyped(ctx, "Big")
			if err != nil || typed == nil || len(tab.Values) != rows {
				b.Fatalf("read %d rows, typed %v, err %v", len(tab.Values), typed != nil, err)
			}
		}
	})
	b.Run("two batchGet", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tab, err := wb.ReadTab(ctx, "Big")
			if err != nil || len(tab.Values) != rows {
				b.Fatalf("read %d rows, err %v", len(tab.Values), err)
			}
			if _, err := wb.ReadTyped(ctx, "Big", []int{2, 3, 7}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
