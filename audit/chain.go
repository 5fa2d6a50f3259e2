package audit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The Change Log tab is a tab: anyone with edit rights can delete, edit or
// reorder its rows, and a colleague saving an older copy of an .xlsx over
// the file erases its newest rows. So the store keeps the canonical change
// log of each sheet as a hash chain (see snapshot/FORMAT.md), each cycle
// compares the tab with it, and the rows someone removed are put back.

// ChainEntry is one entry of a sheet's canonical change log: the Change Log
// rows one cycle wrote, as the tab shows them. A row is known by its
// entry's Cycle and its index in Rows.
type ChainEntry struct {
	// Seq is the entry's 1-based position in the chain; the store sets it.
	Seq int
	// Cycle identifies the cycle (or restore) that wrote the rows; the
	// rows carry it in their last cell (ChangeLogCycleColumn).
	Cycle string
	// Time is when the entry was appended.
	Time time.Time
	// Rows are the Change Log rows as text (Cell.String of each cell),
	// header excluded.
	Rows [][]string
}

// ChangeChain is the consumer side of a store's hash-chained change log.
type ChangeChain interface {
	// AppendChanges appends e (Seq is ignored) to the sheet's chain and
	// returns it with its Seq. Idempotent per cycle: when the newest entry
	// already has e.Cycle, that entry is returned and nothing is written.
	// Two writers cannot fork the chain: an entry's place is taken once.
	AppendChanges(ctx context.Context, sheet string, e ChainEntry) (ChainEntry, error)
	// ChangeHistory returns the sheet's entries, oldest first, after
	// checking every link; a broken chain is an error wrapping ErrInvalid
	// that names the first broken entry. A sheet without a chain has no
	// entries and no error. Idempotent.
	ChangeHistory(ctx context.Context, sheet string) ([]ChainEntry, error)
}

// ChangeLogCycleColumn is the 0-based column of the Change Log that holds
// the cycle id (Time | Change | Key | Column | Old value | New value |
// Snapshot | Cycle).
const ChangeLogCycleColumn = 7

// RestoredMark follows the cycle id in the Cycle cell of a Change Log row
// that sheetaudit appended back from the chain ("c-42 (restored from
// history)"), so the next comparison takes it for the row it replaces
// wherever it stands. The row keeps its width, so columns added after
// Cycle stay free.
const RestoredMark = "restored from history"

// restoredSuffixes are RestoredMark as written in each locale.
var restoredSuffixes = []string{" (" + RestoredMark + ")", "（从历史恢复）"}

// cycleOf splits a Cycle cell into the cycle id and whether the row is a
// restored copy.
func cycleOf(cell string) (string, bool) {
	cell = strings.TrimSpace(cell)
	for _, s := range restoredSuffixes {
		if id, ok := strings.CutSuffix(cell, s); ok {
			return strings.TrimSpace(id), true
		}
	}
	return cell, false
}

// RecordChanges appends the Change Log rows one cycle writes to the sheet's
// chain. The cycle calls it before writing the rows to the tab, so the
// chain is never behind the tab; a retried cycle (same cycleID) appends
// nothing twice. No rows, no entry.
func RecordChanges(ctx context.Context, chain ChangeChain, sheet, cycleID string, rows [][]Cell, now time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	if cycleID == "" {
		return fmt.Errorf("record changes of sheet %q: no cycle id: %w", sheet, ErrInvalid)
	}
	text := make([][]string, len(rows))
	for i, r := range rows {
		t := make([]string, len(r))
		for j, c := range r {
			t[j] = c.String()
		}
		text[i] = t
	}
	if _, err := chain.AppendChanges(ctx, sheet, ChainEntry{Cycle: cycleID, Time: now, Rows: text}); err != nil {
		return fmt.Errorf("record changes of sheet %q in the store's change log: %w", sheet, err)
	}
	return nil
}

// ChangeLogCheck is what CompareChangeLog found.
type ChangeLogCheck struct {
	// Findings name each row deleted, edited or reordered in the tab, with
	// severity Error.
	Findings []Finding
	// Restore holds the chain's rows missing from the tab (deleted, or
	// edited so they no longer match), oldest first, each with RestoredMark
	// after the cycle id in its Cycle cell: append them to the tab.
	Restore [][]string
	// Checked is the number of chain rows compared.
	Checked int
}

// tabRow is one Change Log row of the tab that belongs to a chain entry.
type tabRow struct {
	n     int // 1-based row of the tab
	cells []string
	mark  bool
}

// CompareChangeLog compares the Change Log tab as read (values, header
// included) with the sheet's chain. Only rows whose Cycle cell names a
// chain entry are compared, so rows written before the chain existed, and
// notes people add, are left alone. Within one cycle's rows the tab is
// aligned with the chain by content (a longest common subsequence), so a
// deleted row does not make every row after it look edited; a row the tab
// holds elsewhere is reordered, a chain row paired with a different tab row
// in the same place is edited, one with none is deleted. A row marked
// RestoredMark stands for the chain row it equals, wherever it is. It is a
// pure function: the result depends on its arguments only.
func CompareChangeLog(sheet, tabTitle string, values [][]string, chain []ChainEntry, locale string) ChangeLogCheck {
	msg := chainMessagesFor(locale)
	byCycle := make(map[string]int, len(chain))
	for i, e := range chain {
		byCycle[e.Cycle] = i
	}
	groups := make(map[string][]tabRow)
	for i, r := range values {
		if len(r) <= ChangeLogCycleColumn {
			continue
		}
		id, mark := cycleOf(r[ChangeLogCycleColumn])
		if _, ok := byCycle[id]; !ok {
			continue
		}
		r = slices.Clone(r)
		r[ChangeLogCycleColumn] = id
		cells := trimRow(r)
		groups[id] = append(groups[id], tabRow{n: i + 1, cells: cells, mark: mark})
	}

	var res ChangeLogCheck
	type placed struct{ row, entry, idx int }
	var order []placed // tab rows matched in place, for the order across cycles
	for ei, e := range chain {
		want := make([][]string, len(e.Rows))
		for i, r := range e.Rows {
			want[i] = trimRow(r)
		}
		res.Checked += len(want)
		have := groups[e.Cycle]
		done := make([]bool, len(want))
		// Restored copies stand for their row wherever they are.
		var plain []tabRow
		for _, h := range have {
			if !h.mark {
				plain = append(plain, h)
				continue
			}
			for i := range want {
				if !done[i] && slices.Equal(want[i], h.cells) {
					done[i] = true
					break
				}
			}
		}
		var wi []int // chain rows still to place
		for i := range want {
			if !done[i] {
				wi = append(wi, i)
			}
		}
		pairs := lcsRows(want, wi, plain)
		matchedTab := make([]bool, len(plain))
		for _, p := range pairs {
			done[p[0]], matchedTab[p[1]] = true, true
			order = append(order, placed{plain[p[1]].n, ei, p[0]})
		}
		// Rows out of place: the same content elsewhere in the cycle's rows.
		for j, h := range plain {
			if matchedTab[j] {
				continue
			}
			for i := range want {
				if !done[i] && slices.Equal(want[i], h.cells) {
					done[i], matchedTab[j] = true, true
					res.Findings = append(res.Findings, chainFinding(sheet, h.n, want[i], "changelog_reordered",
						fmt.Sprintf(msg.reordered, tabTitle, e.Cycle)))
					break
				}
			}
		}
		// What is left pairs up in tab order: a chain row and a tab row
		// both unmatched were edited; a chain row alone was deleted.
		var lostTab []tabRow
		for j, h := range plain {
			if !matchedTab[j] {
				lostTab = append(lostTab, h)
			}
		}
		var lost []int
		for i := range want {
			if !done[i] {
				lost = append(lost, i)
			}
		}
		for k, i := range lost {
			if k < len(lostTab) {
				h := lostTab[k]
				res.Findings = append(res.Findings, chainFinding(sheet, h.n, want[i], "changelog_edited",
					fmt.Sprintf(msg.edited, tabTitle, e.Cycle, strings.Join(want[i], " | "), strings.Join(h.cells, " | "))))
			} else {
				res.Findings = append(res.Findings, chainFinding(sheet, 0, want[i], "changelog_deleted",
					fmt.Sprintf(msg.deleted, tabTitle, e.Cycle, strings.Join(want[i], " | "))))
			}
			restored := slices.Clone(e.Rows[i])
			if len(restored) > ChangeLogCycleColumn {
				restored[ChangeLogCycleColumn] += msg.mark
			}
			res.Restore = append(res.Restore, restored)
		}
		for _, h := range lostTab[min(len(lost), len(lostTab)):] {
			res.Findings = append(res.Findings, chainFinding(sheet, h.n, h.cells, "changelog_edited",
				fmt.Sprintf(msg.extra, tabTitle, e.Cycle)))
		}
	}
	// Across cycles: rows matched in place must follow the chain's order.
	slices.SortFunc(order, func(a, b placed) int { return a.row - b.row })
	maxEntry, maxIdx := -1, -1
	for _, p := range order {
		if p.entry < maxEntry || p.entry == maxEntry && p.idx < maxIdx {
			row := chain[p.entry].Rows[p.idx]
			res.Findings = append(res.Findings, chainFinding(sheet, p.row, trimRow(row), "changelog_reordered",
				fmt.Sprintf(msg.reordered, tabTitle, chain[p.entry].Cycle)))
			continue
		}
		maxEntry, maxIdx = p.entry, p.idx
	}
	SortFindings(res.Findings)
	return res
}

func chainFinding(sheet string, row int, cells []string, rule, message string) Finding {
	f := Finding{Sheet: sheet, Row: row, Rule: rule, Message: message, Severity: Error}
	if len(cells) > 2 {
		f.Key = cells[2]
	}
	if len(cells) > 3 {
		f.Column = cells[3]
	}
	return f
}

// trimRow trims each cell and drops trailing empty cells, as the Sheets
// API drops them when it reads a row back. The Time cell is written as a
// date-time value, which a backend may show in another format or read
// back as a serial number: it is compared as the instant it stands for.
func trimRow(r []string) []string {
	out := make([]string, len(r))
	for i, c := range r {
		out[i] = strings.TrimSpace(c)
	}
	if len(out) > 0 {
		out[0] = canonTime(out[0])
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// lcsRows aligns the chain rows want[wi…] with the tab rows have and
// returns the matched pairs (index into want, index into have). Common
// leading and trailing rows are matched first, so the usual case (nothing
// or little changed) costs no table.
func lcsRows(want [][]string, wi []int, have []tabRow) [][2]int {
	eq := func(i, j int) bool { return slices.Equal(want[wi[i]], have[j].cells) }
	var pairs, tail [][2]int
	i0, j0, i1, j1 := 0, 0, len(wi), len(have)
	for i0 < i1 && j0 < j1 && eq(i0, j0) {
		pairs = append(pairs, [2]int{wi[i0], j0})
		i0, j0 = i0+1, j0+1
	}
	for i0 < i1 && j0 < j1 && eq(i1-1, j1-1) {
		tail = append(tail, [2]int{wi[i1-1], j1 - 1})
		i1, j1 = i1-1, j1-1
	}
	if n, m := i1-i0, j1-j0; n > 0 && m > 0 {
		l := make([][]int32, n+1)
		for i := range l {
			l[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if eq(i0+i, j0+j) {
					l[i][j] = l[i+1][j+1] + 1
				} else {
					l[i][j] = max(l[i+1][j], l[i][j+1])
				}
			}
		}
		for i, j := 0, 0; i < n && j < m; {
			switch {
			case eq(i0+i, j0+j):
				pairs = append(pairs, [2]int{wi[i0+i], j0 + j})
				i, j = i+1, j+1
			case l[i+1][j] >= l[i][j+1]:
				i++
			default:
				j++
			}
		}
	}
	slices.Reverse(tail)
	return append(pairs, tail...)
}

type chainMessages struct {
	deleted, edited, extra, reordered, mark string
}

func chainMessagesFor(locale string) chainMessages {
	if locale == "zh-CN" {
		return chainMessages{
			deleted:   "「%s」中周期 %s 的一行被删除：%s；已从历史记录追加回表末",
			edited:    "「%s」中周期 %s 的一行被修改：原为 %s，现为 %s；原行已从历史记录追加回表末",
			extra:     "「%s」中这一行标着周期 %s，但历史记录中没有这一行（被修改或手工添加）",
			reordered: "「%s」中周期 %s 的这一行被移动了位置（与历史记录顺序不符）",
			mark:      restoredSuffixes[1],
		}
	}
	return chainMessages{
		deleted:   "a row of cycle %[2]s was deleted from %[1]q: %[3]s; appended back from history",
		edited:    "a row of cycle %[2]s in %[1]q was edited: it was %[3]s, it is %[4]s; the original was appended back from history",
		extra:     "this row of %q says cycle %s, but the change log history has no such row (edited or added by hand)",
		reordered: "this row of cycle %[2]s in %[1]q was moved: it is out of the history's order",
		mark:      restoredSuffixes[0],
	}
}

// CheckChangeLog reads the sheet's Change Log tab and chain and compares
// them (CompareChangeLog). A missing tab holds nothing, so every chain row
// is missing from it. It writes nothing.
func CheckChangeLog(ctx context.Context, wb Workbook, chain ChangeChain, sheet, tab, locale string) (ChangeLogCheck, error) {
	entries, err := chain.ChangeHistory(ctx, sheet)
	if err != nil {
		return ChangeLogCheck{}, err
	}
	var values [][]string
	t, err := wb.ReadTab(ctx, tab)
	switch {
	case err == nil:
		values = t.Values
	case !errors.Is(err, ErrNotFound):
		return ChangeLogCheck{}, fmt.Errorf("read tab %q: %w", tab, err)
	}
	return CompareChangeLog(sheet, tab, values, entries, locale), nil
}

// RebuildChangeLog returns the whole content of a Change Log tab rebuilt
// from the chain: the tab's header row (ChangeLogHeader when the tab has
// none), then the rows of values that belong to no chain entry (written
// before the chain existed), in their order, then every chain row, oldest
// first. Edited, deleted, reordered and restored rows of chain entries are
// all replaced by the chain's own.
func RebuildChangeLog(values [][]string, chain []ChainEntry) [][]string {
	known := make(map[string]bool, len(chain))
	for _, e := range chain {
		known[e.Cycle] = true
	}
	header := ChangeLogHeader()
	if len(values) > 0 && len(values[0]) > 0 && values[0][0] != "" {
		header = slices.Clone(values[0])
	}
	out := [][]string{header}
	for _, r := range values[min(1, len(values)):] {
		if id, _ := cycleOf(safeCell(r, ChangeLogCycleColumn)); known[id] {
			continue
		}
		if len(trimRow(r)) == 0 {
			continue
		}
		out = append(out, slices.Clone(r))
	}
	for _, e := range chain {
		for _, r := range e.Rows {
			out = append(out, slices.Clone(r))
		}
	}
	return out
}

// timeLayouts are the ways a Change Log time reads back.
var timeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04",
	"2006-01-02T15:04:05", "1/2/2006 15:04:05", "1/2/2006 15:04", "2006-1-2 15:04:05", "2006-1-2 15:04"}

// canonTime writes a date-time cell as "2006-01-02 15:04:05" whichever way
// it was read: formatted text, or a spreadsheet serial (days since
// 1899-12-30). Other text is returned as it is.
func canonTime(s string) string {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format("2006-01-02 15:04:05")
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 1 && f < 2958466 {
		base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
		return base.Add(time.Duration(math.Round(f*86400)) * time.Second).Format("2006-01-02 15:04:05")
	}
	return s
}

func safeCell(r []string, i int) string {
	if i < len(r) {
		return r[i]
	}
	return ""
}
