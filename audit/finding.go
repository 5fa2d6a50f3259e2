package audit

import (
	"cmp"
	"fmt"
	"slices"
)

// Severity orders findings: errors first.
type Severity int

// Severities, most severe first.
const (
	Error Severity = iota
	Warning
	Info
)

// String returns the lower-case name used in output and config.
func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	default:
		return "info"
	}
}

// MarshalText makes severities read as words in JSON and CSV.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what MarshalText wrote, so findings kept in the
// cycle state read back.
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "error":
		*s = Error
	case "warning":
		*s = Warning
	case "info":
		*s = Info
	default:
		return fmt.Errorf("severity %q: want error, warning or info: %w", b, ErrInvalid)
	}
	return nil
}

// Finding is one problem in the data: a row that breaks a rule, a stale deal,
// a duplicate key. Problems in the data are data, never errors.
type Finding struct {
	Sheet string `json:"sheet"`
	// Row is the 1-based sheet row as the user sees it; 0 for the whole table.
	Row      int      `json:"row"`
	Key      string   `json:"key,omitempty"`
	Column   string   `json:"column,omitempty"`
	Rule     string   `json:"rule"`
	Value    string   `json:"value,omitempty"`
	Message  string   `json:"message"`
	Severity Severity `json:"severity"`
}

// SortFindings orders findings as people read them: errors first, then by
// sheet and row; findings of one row keep their order (column order).
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Severity, b.Severity), cmp.Compare(a.Sheet, b.Sheet), cmp.Compare(a.Row, b.Row))
	})
}
