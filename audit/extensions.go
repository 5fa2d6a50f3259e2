package audit

import "context"

// Annotator is implemented by backends that can put notes on cells. It is
// optional: the cycle marks offending cells (write_back.mark_cells) only on
// a backend that has it. It must touch notes only, never values or formats,
// since it writes on the team's data tab.
type Annotator interface {
	// Notes returns the notes of the tab by A1 cell ("B7"). Idempotent.
	Notes(ctx context.Context, tab string) (map[string]string, error)
	// SetNotes sets the note of each listed cell; "" removes it. Cells not
	// listed keep their notes. Idempotent.
	SetNotes(ctx context.Context, tab string, notes map[string]string) error
}

// BarChart describes a bar chart drawn from a block of a tab: one bar per
// row in [FirstRow, LastRow), labelled by the cell in LabelCol and as long
// as the number in ValueCol. Rows and columns are 0-based.
type BarChart struct {
	Title                     string
	FirstRow, LastRow         int
	LabelCol, ValueCol        int
	AnchorRow, AnchorCol      int // where the chart's top-left corner sits
	WidthPixels, HeightPixels int // 0 = the backend's default
}

// Charter is implemented by backends that can draw charts. It is optional:
// the Staleness Report tab gets its chart only on a backend that has it.
type Charter interface {
	// PutBarChart draws the chart on tab, replacing any chart sheetaudit
	// drew there before (other charts stay). Idempotent.
	PutBarChart(ctx context.Context, tab string, c BarChart) error
}

// FormulaReader is implemented by backends that can read formulas. It is
// optional: with Spec.CaptureFormulas, the cycle stores formulas only from a
// backend that has it.
type FormulaReader interface {
	// ReadFormulas returns the tab's formulas by cell, row-major from A1
	// like Tab.Values, "" where a cell has none, trimmed like Tab.Values. A
	// text value that merely starts with "=" is not a formula. It returns
	// an error wrapping ErrNotFound when the tab does not exist. Idempotent.
	ReadFormulas(ctx context.Context, tab string) ([][]string, error)
}

// FormulaWriter is implemented by backends that can write formulas back.
// Restore uses it after writing a version's values, so cells that held a
// formula hold it again instead of its frozen result.
type FormulaWriter interface {
	// WriteFormulas sets the formula of each listed A1 cell ("C7" →
	// "=SUM(A7:B7)"); only cells that held a formula in the restored version
	// are listed, and other cells are not touched. It returns an error
	// wrapping ErrNotFound for a missing tab and ErrInvalid for a bad cell
	// name. Idempotent.
	WriteFormulas(ctx context.Context, tab string, formulas map[string]string) error
}

// TypedReader is implemented by backends that can read the underlying typed
// values of cells, unformatted. It is optional: with Spec.TypedColumns, the
// cycle keeps typed values (Snapshot.Typed) only from a backend that has it,
// and validation and staleness fall back to the displayed text elsewhere.
type TypedReader interface {
	// ReadTyped returns the typed values of the listed columns (0-based
	// indexes) of the tab, as a grid row-major from A1 like Tab.Values:
	// numbers as plain decimal text ("5.1", never "5.10" or "5.1E3"), dates
	// and times as sheet serials (days since 1899-12-30, "46327"),
	// booleans as TRUE or FALSE, and "" for every other cell: columns not
	// listed, empty cells, and text (a text cell in a number column has no
	// typed value). Trailing empty cells and rows are dropped. It returns
	// an error wrapping ErrNotFound when the tab does not exist. Idempotent.
	ReadTyped(ctx context.Context, tab string, cols []int) ([][]string, error)
}

// TypedTabReader is implemented by backends that can read a tab's displayed
// values and its typed values together, in fewer requests than ReadTab and
// ReadTyped apart. It is optional: with Spec.TypedColumns the cycle uses it
// instead of ReadTab followed by ReadTyped.
type TypedTabReader interface {
	// ReadTabTyped is ReadTab, and also returns the typed values of every
	// column as ReadTyped would if every column were listed; the caller
	// keeps the columns it wants (KeepColumns). typed is nil when the
	// backend read the values alone (a tab too large for one read): the
	// caller then reads the columns it wants with ReadTyped. It returns an
	// error wrapping ErrNotFound when the tab does not exist. Idempotent.
	ReadTabTyped(ctx context.Context, tab string) (t *Tab, typed [][]string, err error)
}

// TypedWriter is implemented by backends that can write typed values back.
// Restore uses it after writing a version's values as text, so cells that
// held a number, a date or a boolean hold one again: sums and date filters
// in the team's sheet keep working after a restore.
type TypedWriter interface {
	// WriteTyped sets each listed A1 cell ("C7") to the typed value given
	// as Snapshot.Typed holds it: plain decimal numbers ("5.1"), date
	// serials ("46327") and TRUE or FALSE. The backend stores a number or a
	// boolean, never a formula or text. The cell's existing number format
	// is kept, so a serial written into a cell formatted as a date shows as
	// that date again; in a cell without one it shows as a bare number.
	// Other cells are not touched. It returns an error wrapping ErrNotFound
	// for a missing tab and ErrInvalid for a bad cell name or a value that
	// is not a number or a boolean. Idempotent.
	WriteTyped(ctx context.Context, tab string, cells map[string]string) error
}

// FormattedTypedWriter is implemented by backends that can give a typed
// value written into a cell without a number format the format of its
// column (the nearest formatted cell above it). Restore uses it for the
// cells whose stored display text is not their bare typed value (a date
// shown as 2026/11/01, an amount as 1,234.50), so that a row re-added
// below the tab's old last row shows its dates as dates, not serials.
type FormattedTypedWriter interface {
	// WriteTypedFormatted is WriteTyped, except that a listed cell without
	// a number format of its own takes its column's. Idempotent.
	WriteTypedFormatted(ctx context.Context, tab string, cells map[string]string) error
}

// CellWriter is implemented by backends that can write single cells. It is
// optional: a selective restore writes only the cells it changes through
// it, so the rest of the data tab (and colleagues' edits made while the
// restore runs) stays untouched; without it the restore rewrites the tab.
type CellWriter interface {
	// WriteCells sets the value of each listed A1 cell ("C7") to the text
	// given, as text: a value that starts with "=" is stored as text, never
	// a formula, and numbers are not parsed. "" clears the cell's value (its
	// formula too). The cell's format or style stays; cells not listed are
	// not touched, and the tab grows to fit the cells. It returns an error
	// wrapping ErrNotFound for a missing tab and ErrInvalid for a bad cell
	// name or an oversized value. Idempotent.
	WriteCells(ctx context.Context, tab string, cells map[string]string) error
}
