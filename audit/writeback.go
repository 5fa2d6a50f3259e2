package audit

import (
	"context"
	"strconv"
	"time"
)

// This file is the shared vocabulary of what sheetaudit writes into its own
// tabs (Change Log, Needs Review, Staleness Report, Restored …): typed cells,
// links and a tab's layout, and the one batch a cycle writes them in. The
// backends turn it into their own terms: one spreadsheets.batchUpdate on
// Google, one atomic save on .xlsx. It never touches the team's data tab
// except for notes (MarkCells), which are carried separately.

// CellKind is what a Cell holds.
type CellKind uint8

const (
	// TextCell is written as text (RAW): "=1+1" stays the four characters.
	TextCell CellKind = iota
	// NumberCell is written as a number, so sums, sorts and charts work.
	NumberCell
	// TimeCell is written as a date-time value in the batch's Location,
	// shown with a date-time format ("yyyy-mm-dd hh:mm:ss").
	TimeCell
)

// Cell is one cell sheetaudit writes into its own tabs. Nothing a Cell holds
// is ever written as a formula: a link is a link format (Google's
// textFormat.link, an .xlsx hyperlink relationship), not =HYPERLINK().
type Cell struct {
	Kind CellKind
	Text string    // TextCell; also the shown text of a linked cell
	Num  float64   // NumberCell
	Time time.Time // TimeCell
	// Link, when set, makes the cell a link: an absolute URL, or a place in
	// the same workbook written "#'Tab'!B7".
	Link string
}

// Text returns a text cell.
func Text(s string) Cell { return Cell{Kind: TextCell, Text: s} }

// Number returns a number cell.
func Number(f float64) Cell { return Cell{Kind: NumberCell, Num: f} }

// TimeOf returns a date-time cell.
func TimeOf(t time.Time) Cell { return Cell{Kind: TimeCell, Time: t} }

// Linked returns a text cell that links to target.
func Linked(s, target string) Cell { return Cell{Kind: TextCell, Text: s, Link: target} }

// String is what the cell shows, for tests and for backends that only
// take text.
func (c Cell) String() string {
	switch c.Kind {
	case NumberCell:
		return strconv.FormatFloat(c.Num, 'f', -1, 64)
	case TimeCell:
		return c.Time.Format("2006-01-02 15:04:05")
	}
	return c.Text
}

// Tone is the colour a row or cell is shown in, by meaning rather than by
// RGB, so each backend picks colours that read well in it.
type Tone uint8

const (
	ToneNone Tone = iota
	ToneError
	ToneWarning
	ToneInfo
	ToneGood
)

// Highlight colours the rows whose cell in Column equals Value (after
// trimming). Backends express it as a conditional format rule, so a
// colleague sorting or filtering the tab keeps the colours right.
type Highlight struct {
	Column int // 0-based
	Value  string
	Tone   Tone
}

// Layout says how a tab reads: the first HeaderRows rows are bold and
// frozen, columns have widths that fit their content, long text wraps, and
// the table has a filter. Backends apply it once when they set a tab up
// and again only when it changes, so formatting costs no request per cycle
// once a tab looks right.
type Layout struct {
	HeaderRows int   // bold and frozen rows at the top (usually 1)
	Widths     []int // pixels per column; 0 keeps the backend's default
	Wrap       []int // 0-based columns whose long text wraps
	Filter     bool  // a basic filter (autoFilter) over the header and the rows below it
	Highlights []Highlight
	// BoldRows are 0-based rows below the header shown bold like it (a
	// report's section titles). A tab whose rows move each time it is
	// written gets the rest of its rows set back to plain.
	BoldRows []int
}

// TabWrite is one tab's part of a write-back: either rows appended below
// the tab's last row, or the tab's whole content replaced.
type TabWrite struct {
	Title  string
	Rows   [][]Cell
	Append bool
	// Header is written above Rows when this write creates the tab (an
	// appended log's column titles); it is ignored when the tab exists.
	Header [][]Cell
	// Layout is applied when the tab is created or when it differs from
	// the layout the backend last applied; nil leaves formats alone.
	Layout *Layout
	// Style, set when Layout is nil because the tab has it already, is
	// that layout, for styling the cells this write adds (wrapped columns,
	// header rows) like the rows it styled; none of it is applied to the
	// tab. Backends that keep formats on new cells by themselves ignore it.
	Style *Layout
	// Protect, when this write creates the tab, protects it in the same
	// batch on backends that can (TabProtector): ProtectWarning or
	// ProtectStrict; "" leaves it unprotected. Ignored when the tab exists.
	Protect string
}

// WriteBack is everything one cycle writes, in one unit: a backend that
// implements BatchWriter writes all of it or none of it.
type WriteBack struct {
	// Cycle identifies the cycle (or restore) that produced the batch;
	// Change Log rows carry it, so a restarted cycle can tell whether its
	// batch already landed.
	Cycle string
	// Location is the time zone TimeCells are written in.
	Location *time.Location
	Tabs     []TabWrite
}

// BatchWriter is implemented by backends that can write a whole write-back
// atomically: on Google as one spreadsheets.batchUpdate (all requests or
// none), on .xlsx as one atomic save. Tabs missing are created.
type BatchWriter interface {
	// WriteBack writes b. On error nothing of b was written, except when
	// the error wraps ErrUnavailable after the request was sent, when the
	// outcome is unknown: callers find out by looking for b.Cycle in the
	// Change Log before writing again. Not idempotent for appends.
	WriteBack(ctx context.Context, b *WriteBack) error
}
