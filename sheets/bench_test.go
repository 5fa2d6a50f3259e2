package sheets

import (
	"context"
	"fmt"
	"testing"

	"go.uber.org/zap"

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

// BenchmarkAppendBlock measures only the conversion of decoded blocks
// (as the client hands them over) into [][]string.
func BenchmarkAppendBlock(b *testing.B) {
	const rows, cols = 200_000, 12
	block := make([][]any, 8_333) // one default block of a 12-column tab
	for r := range block {
		block[r] = make([]any, cols)
		for c := range block[r] {
			block[r][c] = fmt.Sprintf("r%dc%d", r+1, c+1)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		var out [][]string
		for start := 0; start < rows; start += len(block) {
			out = appendBlock(out, start, block)
		}
		if len(out) < rows {
			b.Fatalf("got %d rows", len(out))
		}
	}
}
