package audit

import "context"

// VersionChecker is implemented by backends that can tell cheaply whether
// the spreadsheet changed since they last read it (Google: one Drive
// files.get of the file's version). It is optional: with Spec.ChangeCheck
// a cycle that finds the version it remembers reads nothing more.
type VersionChecker interface {
	// Version returns the spreadsheet's version now, an opaque token that
	// changes with every edit, sheetaudit's own included. Idempotent.
	Version(ctx context.Context) (string, error)
	// VersionAfterWrites returns the version after this Workbook's own
	// writes since Version returned since, and sure=true only when nobody
	// else can have changed the spreadsheet in between. In doubt it
	// returns sure=false, and the caller reads fully next time. Idempotent.
	VersionAfterWrites(ctx context.Context, since string) (version string, sure bool, err error)
}

// TailReader is implemented by backends that can read the last rows of a
// tab without reading it whole. The cycle uses it only to find out whether
// an interrupted write-back landed; without it the tab is read whole.
type TailReader interface {
	// ReadTail returns at most the last n rows holding a value, in sheet
	// order, trimmed like Tab.Values. It returns an error wrapping
	// ErrNotFound when the tab does not exist. Idempotent.
	ReadTail(ctx context.Context, title string, n int) ([][]string, error)
}

// TabChecker is implemented by backends that can tell whether a tab exists
// without a request of its own (Google: from the metadata the cycle's read
// fetched). The cycle uses it to write an unchanged Needs Review again when
// someone deleted the tab; without it such a tab comes back when the
// findings change.
type TabChecker interface {
	// HasTab reports whether the tab exists. Idempotent.
	HasTab(ctx context.Context, title string) (bool, error)
}
