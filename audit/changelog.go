package audit

import (
	"fmt"
	"strconv"
	"time"
)

// ChangeLogHeader is the first row of the Change Log tab.
var changeLogHeader = []string{"Time", "Change", "Key", "Column", "Old value", "New value", "Snapshot"}

// ChangeLogHeader returns the header row of the Change Log tab.
func ChangeLogHeader() []string { return append([]string(nil), changeLogHeader...) }

// ChangeLogRows turns changes between snapshots from and to into Change Log
// rows. At most limit rows are returned: when there are more changes, the
// last row says how many were left out and how to see them all, so a mass
// paste can never push the spreadsheet towards its 10-million-cell cap.
func ChangeLogRows(changes []Change, at time.Time, from, to string, limit int) [][]string {
	ts := at.Format("2006-01-02 15:04:05")
	n := len(changes)
	if limit > 0 && n > limit {
		n = limit - 1
	}
	rows := make([][]string, 0, n+1)
	for _, c := range changes[:n] {
		rows = append(rows, []string{ts, string(c.Kind), c.Key, c.Column, c.Old, c.New, to})
	}
	if n < len(changes) {
		rows = append(rows, []string{ts, "summary", "", "",
			"", fmt.Sprintf("%d more changes not listed; run: sheetaudit snapshots diff %s %s", len(changes)-n, from, to), to})
	}
	return rows
}

// BaselineRow is the Change Log row of a sheet's first snapshot.
func BaselineRow(at time.Time, t *Table, snapshot string) []string {
	return []string{at.Format("2006-01-02 15:04:05"), "baseline", "", "", "",
		strconv.Itoa(len(t.Rows)) + " rows, " + strconv.Itoa(len(t.Header)) + " columns", snapshot}
}
