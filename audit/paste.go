package audit

import (
	"fmt"
	"strings"
)

// RuleBadPaste is the rule of the Needs Review alarm raised when one cycle
// changed most of a column: usually one value pasted over all of it.
const RuleBadPaste = "bad_paste"

// PastePolicy says when one cycle's edits to one column are an alarm
// rather than ordinary edits.
type PastePolicy struct {
	// MinShare is the share of the column's filled cells that must have
	// changed (0.5: half of them).
	MinShare float64
	// MinCells is the fewest changed cells that raise the alarm, so a
	// short table does not raise it for a few edits.
	MinCells int
}

// DefaultPastePolicy raises the alarm when at least half of a column's
// filled cells, and at least 20 cells, changed in one cycle.
var DefaultPastePolicy = PastePolicy{MinShare: 0.5, MinCells: 20}

// PasteAlarm is one column most of whose cells changed in one cycle.
type PasteAlarm struct {
	Column string `json:"column"`
	// Changed counts the column's modified cells, Filled the cells that
	// held a value before.
	Changed int `json:"changed"`
	Filled  int `json:"filled"`
	// From is the version before the change (what an undo restores), To
	// the version with it.
	From string `json:"from"`
	To   string `json:"to"`
	// By is who last edited the sheet, when the backend knows it.
	By string `json:"by,omitempty"`
	// Undo is the command that puts the column back as it was in From.
	Undo string `json:"undo"`
}

// DetectPaste returns an alarm for each column in which changes (from the
// version from, read as old, to the version to) modified at least
// p.MinCells cells and at least p.MinShare of the cells that held a value.
// Every change stays in the Change Log; the alarm only makes it loud.
// Recalculated formula results do not count: nobody typed them.
func DetectPaste(changes []Change, old *Table, from, to string, p PastePolicy) []PasteAlarm {
	if old == nil || p.MinCells <= 0 && p.MinShare <= 0 {
		return nil
	}
	counts := map[string]int{}
	var order []string
	for _, c := range changes {
		if c.Kind != CellModified || c.Restore != nil { // a restore puts values back; it is no paste
			continue
		}
		if counts[c.Column] == 0 {
			order = append(order, c.Column)
		}
		counts[c.Column]++
	}
	var out []PasteAlarm
	for _, col := range order {
		n := counts[col]
		i := old.Column(col)
		if i < 0 || n < p.MinCells {
			continue
		}
		filled := 0
		for _, r := range old.Rows {
			if strings.TrimSpace(r.Cell(i)) != "" {
				filled++
			}
		}
		if filled == 0 || float64(n) < p.MinShare*float64(filled) {
			continue
		}
		out = append(out, PasteAlarm{
			Column: col, Changed: n, Filled: filled, From: from, To: to,
			Undo: "sheetaudit restore " + from + " --columns " + shellQuote(col),
		})
	}
	return out
}

// Finding is the alarm as the error at the top of Needs Review, pointing at
// the column's header cell (headerRow).
func (a PasteAlarm) Finding(sheet string, headerRow int, locale string) Finding {
	cat, _ := catalogFor(locale)
	format := cat.badPaste
	if a.By != "" {
		format = cat.badPasteBy
	}
	return Finding{
		Sheet: sheet, Row: headerRow, Column: a.Column, Rule: RuleBadPaste, Severity: Error,
		Message: fmt.Sprintf(format, a.Column, a.Changed, a.Filled, a.From, a.To, a.Undo, a.By),
	}
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r >= '0' && r <= '9' ||
			r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x80)
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
