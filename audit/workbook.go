package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors that backends translate their own failures into, so callers
// can branch with errors.Is without knowing which backend they talk to. The
// original error stays wrapped for the operator.
var (
	// ErrNotFound: the spreadsheet, tab, snapshot or file does not exist.
	ErrNotFound = errors.New("not found")
	// ErrPermission: the credentials are valid but may not access the resource.
	ErrPermission = errors.New("permission denied")
	// ErrUnavailable: a transient failure (quota, 5xx, timeout); retrying later may work.
	ErrUnavailable = errors.New("unavailable")
	// ErrInvalid: the input (a sheet, a header, a snapshot id) cannot be used as it is.
	ErrInvalid = errors.New("invalid")
)

// WrapOnce wraps err as fmt.Errorf("%s: %w", op, err), unless err's text
// already begins with op: backends name the operation and the tab
// themselves ("read tab \"客户\" of spreadsheet …"), and the same prefix
// twice reads as two failures.
func WrapOnce(op string, err error) error {
	if err == nil {
		return nil
	}
	if strings.HasPrefix(err.Error(), op) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

// TabMeta describes one tab of a spreadsheet or workbook.
type TabMeta struct {
	SpreadsheetID string `json:"spreadsheet_id,omitempty"` // Google id or workbook path
	TabID         int64  `json:"tab_id"`                   // Google sheetId (the #gid= of links); index on xlsx
	Title         string `json:"title"`
	GridRows      int    `json:"grid_rows,omitempty"`
	GridCols      int    `json:"grid_cols,omitempty"`
	Locale        string `json:"locale,omitempty"`
	TimeZone      string `json:"time_zone,omitempty"`
	// Revision identifies the source version when the backend knows one.
	Revision string `json:"revision,omitempty"`
	// ModifiedBy is who last saved the spreadsheet, when the backend knows
	// it (an .xlsx file's lastModifiedBy); the bad-paste alarm names them.
	ModifiedBy string `json:"modified_by,omitempty"`
	// URL opens the tab in a browser, when the backend has one; links to
	// cells add "&range=B7" to it.
	URL string `json:"url,omitempty"`
}

// Tab is one tab as read: its metadata and its values as users see them,
// row-major from A1. Trailing empty cells of a row and trailing empty rows are
// omitted, exactly as the Sheets API returns them; rows may be ragged.
type Tab struct {
	Meta   TabMeta
	Values [][]string
}

// Workbook is what a cycle needs from a spreadsheet backend (Google Sheets or
// a local .xlsx file). Values are written as RAW text: a value that starts with
// "=" stays text and never becomes a formula.
type Workbook interface {
	// ReadTab returns the named tab. It returns an error wrapping ErrNotFound
	// when the spreadsheet or tab does not exist. Idempotent.
	ReadTab(ctx context.Context, title string) (*Tab, error)
	// EnsureTab creates the tab when it is missing and returns its metadata
	// and whether it was created now. Idempotent.
	EnsureTab(ctx context.Context, title string) (meta TabMeta, created bool, err error)
	// AppendRows writes rows below the last non-empty row of the tab, growing
	// the grid as needed. Not idempotent: a retry after an unknown outcome may
	// append twice.
	AppendRows(ctx context.Context, title string, rows [][]string) error
	// ReplaceTab makes rows the tab's whole content, clearing what was there.
	// Idempotent.
	ReplaceTab(ctx context.Context, title string, rows [][]string) error
}
