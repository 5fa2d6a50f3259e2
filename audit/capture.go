package audit

import (
	"context"
	"fmt"
	"slices"
)

// This file reads what a snapshot keeps beside the values: formulas and
// typed values. The cycle and the restore engine both store versions, and
// must store them alike, or the next cycle would see a change that is not
// one; they share these two functions.

// CaptureFormulas reads the formulas of tab as Snapshot.Formulas holds
// them. ok is false, with a nil grid, when the backend cannot read formulas
// (it lacks FormulaReader); a tab without formulas gives an empty grid, not
// nil, so "captured, none" and "not captured" stay apart.
func CaptureFormulas(ctx context.Context, wb Workbook, tab string) (grid [][]string, ok bool, err error) {
	fr, ok := wb.(FormulaReader)
	if !ok {
		return nil, false, nil
	}
	f, err := fr.ReadFormulas(ctx, tab)
	if err != nil {
		return nil, true, fmt.Errorf("read formulas of tab %q: %w", tab, err)
	}
	if f == nil {
		f = [][]string{}
	}
	return f, true, nil
}

// CaptureTyped reads the typed values of the named columns of tab, whose
// header table gives their positions, as Snapshot.Typed holds them. ok is
// false, with a nil grid, when the backend cannot read typed values (it
// lacks TypedReader). No names gives nil with ok true: nothing is typed, so
// nothing is captured.
func CaptureTyped(ctx context.Context, wb Workbook, tab string, table *Table, names []string) (grid [][]string, ok bool, err error) {
	if len(names) == 0 {
		return nil, true, nil
	}
	tr, ok := wb.(TypedReader)
	if !ok {
		return nil, false, nil
	}
	g, err := ReadTypedColumns(ctx, tr, tab, table, names)
	return g, true, err
}

// ReadTab reads tab for a cycle that wants the typed values of the named
// columns too: with names and a backend that has TypedTabReader, both in
// one read, typed then holding every column's typed values (KeepColumns
// picks the named ones once the header is parsed); otherwise, or when the
// backend read the values alone, typed is nil and CaptureTyped reads them.
func ReadTab(ctx context.Context, wb Workbook, tab string, names []string) (t *Tab, typed [][]string, err error) {
	if tr, ok := wb.(TypedTabReader); ok && len(names) > 0 {
		return tr.ReadTabTyped(ctx, tab)
	}
	t, err = wb.ReadTab(ctx, tab)
	return t, nil, err
}

// TypedFrom is CaptureTyped for a grid of every column's typed values
// already read with the values (ReadTab): it keeps the named columns, as
// ReadTyped would have returned them. No names gives nil, as CaptureTyped.
func TypedFrom(all [][]string, table *Table, names []string) [][]string {
	if len(names) == 0 {
		return nil
	}
	return KeepColumns(all, typedColumns(table, names))
}

// KeepColumns returns grid with only the listed 0-based columns, trimmed as
// TypedReader.ReadTyped trims: "" elsewhere, trailing empty cells and rows
// dropped, never nil.
func KeepColumns(grid [][]string, cols []int) [][]string {
	out := [][]string{}
	for y, row := range grid {
		end := 0
		for _, c := range cols {
			if c < len(row) && row[c] != "" {
				end = max(end, c+1)
			}
		}
		if end == 0 {
			continue
		}
		for len(out) < y {
			out = append(out, []string{})
		}
		kept := make([]string, end)
		for _, c := range cols {
			if c < end {
				kept[c] = row[c]
			}
		}
		out = append(out, kept)
	}
	return out
}

// typedColumns returns the positions of the named columns in table's
// header, sorted, without duplicates; names missing from it are skipped.
func typedColumns(table *Table, names []string) []int {
	var cols []int
	for _, name := range names {
		if i := table.Column(name); i >= 0 && !slices.Contains(cols, i) {
			cols = append(cols, i)
		}
	}
	slices.Sort(cols)
	return cols
}
