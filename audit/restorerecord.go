package audit

import "time"

// RestoreRecord is the store's record of one restore that changed the
// spreadsheet: who ran it, why, what it restored from and into, and the
// safety snapshot that undoes it. Records are never rewritten.
type RestoreRecord struct {
	Time  time.Time `json:"time"`
	Sheet string    `json:"sheet"`
	// By is who ran the restore (the --by flag, else the OS user).
	By     string `json:"by"`
	Reason string `json:"reason,omitempty"`
	// From is the version restored; Mode "new tab", "in place" or
	// "selective"; Tab where it went.
	From string `json:"from"`
	Mode string `json:"mode"`
	Tab  string `json:"tab"`
	// Safety holds the tab as it was before (empty for a new tab or a tab
	// the restore created); Restored the tab as it is after.
	Safety   string `json:"safety_snapshot,omitempty"`
	Restored string `json:"restored_snapshot,omitempty"`
	// Changes counts the keyed changes; Cells the cells written one by one
	// (selective restores on backends that write single cells).
	Changes int `json:"changes"`
	Cells   int `json:"cells_written,omitempty"`
}
