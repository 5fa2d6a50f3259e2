package audit

import (
	"context"
	"fmt"
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
