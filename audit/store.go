package audit

import (
	"context"
	"time"
)

// Snapshot is one stored version of a tab: everything needed to diff it,
// validate it again, or give the sheet back as it was.
type Snapshot struct {
	ID        string    `json:"id"`
	Sheet     string    `json:"sheet"`
	Time      time.Time `json:"time"`
	Meta      TabMeta   `json:"meta"`
	HeaderRow int       `json:"header_row"`
	Key       []string  `json:"key"`
	// Values is the whole tab as read, rows above the header and blank rows
	// included, so a restore reproduces it.
	Values [][]string `json:"-"`
	// Formulas holds each cell's formula ("=SUM(B2:B9)"), row-major from A1
	// like Values, "" where a cell has none; trailing empty cells and rows
	// are dropped. It is nil when the version was stored without capturing
	// formulas, and empty (not nil) when they were captured and there were
	// none, so "no formulas" and "not known" stay apart.
	Formulas [][]string `json:"-"`
	// Typed holds the underlying typed value of the cells of the columns the
	// configuration types as dates, numbers or booleans (Spec.TypedColumns),
	// row-major from A1 like Values: numbers as plain decimal text ("5.1"),
	// dates and times as sheet serials ("46327", "46327.5"), booleans as
	// TRUE or FALSE, and "" for other columns, empty cells and text. It makes
	// validation, staleness and restore independent of how the sheet
	// displays a value ("5.10", "11/1/2026"). Like Formulas, nil means not
	// captured and empty means captured with nothing typed.
	Typed [][]string `json:"-"`
}

// SnapshotInfo summarises a stored version for listings.
type SnapshotInfo struct {
	ID      string    `json:"id"`
	Sheet   string    `json:"sheet"`
	Time    time.Time `json:"time"`
	Rows    int       `json:"rows"`
	Columns int       `json:"columns"`
	// Bytes is the stored size of the version's content.
	Bytes int64 `json:"bytes"`
	// Written and Deduplicated split Bytes, for the Put that stored the
	// version, into bytes written now and bytes already in the store.
	Written      int64 `json:"written,omitempty"`
	Deduplicated int64 `json:"deduplicated,omitempty"`
}

// Store keeps the versions of each sheet.
type Store interface {
	// Latest returns the newest snapshot of sheet, or an error wrapping
	// ErrNotFound when there is none. Idempotent.
	Latest(ctx context.Context, sheet string) (*Snapshot, error)
	// Load returns one snapshot by id, or an error wrapping ErrNotFound.
	// Idempotent.
	Load(ctx context.Context, sheet, id string) (*Snapshot, error)
	// Put stores snap as a new version and returns what was stored (snap.ID
	// is ignored; the store names versions). Atomic: after a crash the version
	// is either complete or absent.
	Put(ctx context.Context, snap *Snapshot) (SnapshotInfo, error)
}

// State is what a cycle remembers between runs besides the snapshots.
type State struct {
	// Logged is the id of the newest snapshot whose changes are in the Change
	// Log. The next cycle diffs against it, so a failed write-back is retried
	// instead of lost.
	Logged string `json:"logged,omitempty"`
	// Pending is the write-back a cycle recorded before sending it: until
	// it is known to have landed, the next cycle looks for its Cycle id in
	// the Change Log before writing again, so no row is logged twice.
	Pending *PendingWrite `json:"pending,omitempty"`
	// Version is the source's version (Google: the Drive file version)
	// after the last full cycle, taken before its read or after its own
	// write-back when nobody else wrote in between; "" when in doubt. A
	// cycle that finds the source at this version, on the same day and
	// with the same configuration, reads nothing (Result.Unchanged).
	Version string `json:"version,omitempty"`
	// Checked is the day (YYYY-MM-DD in the configured time zone) of the
	// last full cycle: rules and staleness move with "today".
	Checked string `json:"checked,omitempty"`
	// Config is Spec.Fingerprint as of the last full cycle.
	Config string `json:"config,omitempty"`
	// Review is a digest of the Needs Review content last written (its
	// first line's time left out, the day put in), so an unchanged review
	// is not written again.
	Review string `json:"review,omitempty"`
	// Layouts holds, per tab, a digest of the Layout last written with it,
	// so a layout goes out again only when it changes or the tab is new.
	Layouts map[string]string `json:"layouts,omitempty"`
	// Last is the outcome of the most recent cycle.
	Last *Result `json:"last,omitempty"`
	// Access is the file's sharing as the last access audit read it, for
	// the next one to report what changed; nil when never read.
	Access []Permission `json:"access,omitempty"`
	// ChainChecked is the day (as Checked) the Change Log tab was last
	// checked against the store's change log chain; the check runs once a
	// day.
	ChainChecked string `json:"chain_checked,omitempty"`
	// ChainFindings are the findings of that check that outlive its
	// write-back (rows edited or moved by hand); cycles until the next
	// check report them again, so Needs Review does not lose them.
	ChainFindings []Finding `json:"chain_findings,omitempty"`
	// Protected is the protection last set on sheetaudit's own tabs (mode
	// and tabs), so it is set again only when a tab is new or it changes.
	Protected string `json:"protected,omitempty"`
	// Restores is the time of the newest restore record whose rows are in
	// the Change Log; the next cycle logs the restores made after it.
	// Zero: those made after the version Logged names.
	Restores time.Time `json:"restores,omitzero"`
}

// PendingWrite is a write-back carrying Change Log rows that a cycle was
// about to send: the rows of the changes from snapshot From to snapshot To,
// each marked with Cycle in the tab's last column.
type PendingWrite struct {
	Cycle string `json:"cycle"`
	From  string `json:"from,omitempty"` // "" for the baseline row
	To    string `json:"to"`
	Rows  int    `json:"rows"`
	// At is the time the rows show, so they can be rebuilt as they were.
	At time.Time `json:"at,omitzero"`
	// Restores are the restore records the rows mark (RestoreLogCells,
	// MarkRestored), kept whole so a rebuild writes the same rows.
	Restores []RestoreRecord `json:"restores,omitempty"`
}

// StateStore keeps one State per sheet.
type StateStore interface {
	// LoadState returns the sheet's state; a sheet never run has the zero
	// State and no error. Idempotent.
	LoadState(ctx context.Context, sheet string) (State, error)
	// SaveState replaces the sheet's state atomically. Idempotent.
	SaveState(ctx context.Context, sheet string, s State) error
}

// CurrentChecker is implemented by stores that can tell, without loading
// it, whether a snapshot's content equals the newest stored version. The
// cycle uses it so an unchanged sheet costs no full load.
type CurrentChecker interface {
	// Current reports the newest version's id and whether snap's content
	// (values, formulas and typed values) is the same. A sheet without versions is not
	// current and has no id. Idempotent.
	Current(ctx context.Context, snap *Snapshot) (id string, same bool, err error)
}

// SharingLoader is implemented by stores that can load a version sharing
// its rows with a snapshot already in memory. A cycle diffs the version its
// Change Log stands on against the sheet it has just read; most rows are
// the same in both, and sharing them makes the older version cost about
// the rows that changed instead of a second copy of the sheet.
type SharingLoader interface {
	// LoadSharing is Store.Load, except that each row of the loaded
	// version's values, formulas and typed values that equals a row of the
	// same grid of cur is that row of cur (the same slice, not a copy).
	// Both snapshots' rows must then be treated as read-only. Idempotent.
	LoadSharing(ctx context.Context, sheet, id string, cur *Snapshot) (*Snapshot, error)
}
