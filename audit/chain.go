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

// Rules of the findings about the Change Log tab against the chain.
const (
	RuleChangeLogDeleted   = "changelog_deleted"
	RuleChangeLogEdited    = "changelog_edited"
	RuleChangeLogReordered = "changelog_reordered"
)

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
// notes people add, are left alone. Within one cycle's rows each tab row
// is matched by content to a chain row, and the longest run of matches in
// the chain's order stays in place (O(n log n), so a big cycle costs no
// n×m table): a deleted row does not make every row after it look edited;
// a matched row outside that run was moved; a chain row without a match
// was edited when an unmatched tab row stands in its place, else deleted. A row marked
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
		// Each tab row takes the first chain row of the same content not
		// yet taken: restored copies first, wherever they stand.
		byContent := make(map[string][]int, len(want))
		for i, w := range want {
			k := strings.Join(w, "\x00")
			byContent[k] = append(byContent[k], i)
		}
		take := func(cells []string) int {
			k := strings.Join(cells, "\x00")
			q := byContent[k]
			if len(q) == 0 {
				return -1
			}
			byContent[k] = q[1:]
			done[q[0]] = true
			return q[0]
		}
		var plain []tabRow
		for _, h := range have {
			if !h.mark {
				plain = append(plain, h)
			} else {
				take(h.cells)
			}
		}
		got := make([]int, len(plain)) // the chain row each tab row matched, or -1
		for j, h := range plain {
			got[j] = take(h.cells)
		}
		// The longest run of matched rows in the chain's order stays in
		// place; the other matched rows were moved.
		inPlace := longestIncreasing(got)
		for j, i := range got {
			if i < 0 {
				continue
			}
			if inPlace[j] {
				order = append(order, placed{plain[j].n, ei, i})
				continue
			}
			res.Findings = append(res.Findings, chainFinding(sheet, plain[j].n, want[i], RuleChangeLogReordered,
				fmt.Sprintf(msg.reordered, tabTitle, e.Cycle)))
		}
		// What is left pairs up by place: a tab row unmatched between two
		// rows in place stands for an unmatched chain row between the same
		// two (edited); a chain row left alone was deleted, a tab row left
		// alone does not belong to the chain.
		pairOf := make(map[int]tabRow) // chain row → the tab row that replaced it
		var extra []tabRow
		next := make([]int, len(plain)) // the chain row of the next row in place, or len(want)
		n := len(want)
		for j := len(plain) - 1; j >= 0; j-- {
			next[j] = n
			if got[j] >= 0 && inPlace[j] {
				n = got[j]
			}
		}
		prevW := -1
		for j, h := range plain {
			if got[j] >= 0 {
				if inPlace[j] {
					prevW = got[j]
				}
				continue
			}
			paired := false
			for i := prevW + 1; i < next[j]; i++ {
				if _, taken := pairOf[i]; !taken && !done[i] {
					pairOf[i], paired, prevW = h, true, i
					break
				}
			}
			if !paired {
				extra = append(extra, h)
			}
		}
		for i := range want {
			if done[i] {
				continue
			}
			if h, ok := pairOf[i]; ok {
				res.Findings = append(res.Findings, chainFinding(sheet, h.n, want[i], RuleChangeLogEdited,
					fmt.Sprintf(msg.edited, tabTitle, e.Cycle, strings.Join(want[i], " | "), strings.Join(h.cells, " | "))))
			} else {
				res.Findings = append(res.Findings, chainFinding(sheet, 0, want[i], RuleChangeLogDeleted,
					fmt.Sprintf(msg.deleted, tabTitle, e.Cycle, strings.Join(want[i], " | "))))
			}
			restored := slices.Clone(e.Rows[i])
			if len(restored) > ChangeLogCycleColumn {
				restored[ChangeLogCycleColumn] += msg.mark
			}
			res.Restore = append(res.Restore, restored)
		}
		for _, h := range extra {
			res.Findings = append(res.Findings, chainFinding(sheet, h.n, h.cells, RuleChangeLogEdited,
				fmt.Sprintf(msg.extra, tabTitle, e.Cycle)))
		}
	}
	// Across cycles: rows matched in place must follow the chain's order.
	slices.SortFunc(order, func(a, b placed) int { return a.row - b.row })
	maxEntry, maxIdx := -1, -1
	for _, p := range order {
		if p.entry < maxEntry || p.entry == maxEntry && p.idx < maxIdx {
			row := chain[p.entry].Rows[p.idx]
			res.Findings = append(res.Findings, chainFinding(sheet, p.row, trimRow(row), RuleChangeLogReordered,
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

// longestIncreasing marks the positions of a longest strictly increasing
// subsequence of the non-negative values of seq (negative values are
// skipped), in O(n log n): the rows that are in the chain's order.
func longestIncreasing(seq []int) []bool {
	var tails []int // tails[k]: position in seq ending the best run of length k+1
	prev := make([]int, len(seq))
	for j, v := range seq {
		if v < 0 {
			continue
		}
		k, _ := slices.BinarySearchFunc(tails, v, func(t, v int) int { return seq[t] - v })
		if k > 0 {
			prev[j] = tails[k-1]
		} else {
			prev[j] = -1
		}
		if k == len(tails) {
			tails = append(tails, j)
		} else {
			tails[k] = j
		}
	}
	out := make([]bool, len(seq))
	if len(tails) == 0 {
		return out
	}
	for j := tails[len(tails)-1]; j >= 0; j = prev[j] {
		out[j] = true
	}
	return out
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

// RepairChangeLog appends the rows check found missing back to tab, under
// the caller's lease (a cycle appends to the same tab). Not idempotent.
func RepairChangeLog(ctx context.Context, wb Workbook, tab string, check ChangeLogCheck) error {
	if len(check.Restore) == 0 {
		return nil
	}
	if err := wb.AppendRows(ctx, tab, check.Restore); err != nil {
		return fmt.Errorf("append to tab %q: %w", tab, err)
	}
	return nil
}

// ChangeLogRebuild is what rebuilding a Change Log tab wrote (or, on a dry
// run, would write).
type ChangeLogRebuild struct {
	Before int // rows the tab held
	Rows   int // rows written, header included
}

// RebuildChangeLogTab replaces tab with RebuildChangeLog of its current
// content and the chain's entries, creating it when missing; with dryRun
// it only reads. Only that tab is written. Idempotent.
func RebuildChangeLogTab(ctx context.Context, wb Workbook, tab string, entries []ChainEntry, dryRun bool) (ChangeLogRebuild, error) {
	var values [][]string
	if t, err := wb.ReadTab(ctx, tab); err == nil {
		values = t.Values
	}
	rows := RebuildChangeLog(values, entries)
	res := ChangeLogRebuild{Before: len(values), Rows: len(rows)}
	if dryRun {
		return res, nil
	}
	if _, _, err := wb.EnsureTab(ctx, tab); err != nil {
		return res, fmt.Errorf("create tab %q: %w", tab, err)
	}
	if err := wb.ReplaceTab(ctx, tab, rows); err != nil {
		return res, fmt.Errorf("write tab %q: %w", tab, err)
	}
	return res, nil
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
