package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Who bundles what a cycle needs to answer "who changed it, who can see
// it": the store's change log chain, the file's sharing and its editors.
// Every part is optional; a nil Who, or nil parts, do nothing. The cycle
// calls Record before it writes Change Log rows and Review once per cycle;
// neither writes to the workbook.
type Who struct {
	// Chain keeps the canonical change log; nil turns the chain off.
	Chain ChangeChain
	// Access reads the file's sharing; nil turns the access audit off.
	Access AccessReader
	Policy AccessPolicy
	// Editors reads revisions and activity; nil turns attribution off.
	Editors EditorReader
	// Activity asks the Drive Activity log, not only the revisions.
	Activity bool
	// Self is sheetaudit's own account address.
	Self string
}

// WhoReview is what Review found.
type WhoReview struct {
	// Findings go into Needs Review: the sharing's problems and the
	// Change Log rows someone deleted, edited or moved.
	Findings []Finding
	// AccessChanges go into the Change Log, with their own change types.
	AccessChanges []Change
	// Access is the sharing as read now: keep it in State.Access.
	Access []Permission
	// Restore are the Change Log rows to append back, as cells.
	Restore [][]Cell
	// Editor names the editors of the window, when attribution is on.
	Editor *Attribution
	// AccessEditor names who changed the sharing in the window, when
	// there are AccessChanges and the activity log can say.
	AccessEditor *Attribution
}

// Record appends the Change Log rows of one cycle to the chain; see
// RecordChanges. Call it before the rows are written, so the chain is
// never behind the tab.
func (w *Who) Record(ctx context.Context, sheet, cycleID string, rows [][]Cell, now time.Time) error {
	if w == nil || w.Chain == nil {
		return nil
	}
	return RecordChanges(ctx, w.Chain, sheet, cycleID, rows, now)
}

// Review runs the parts that are on: the access audit against prevAccess
// (State.Access), the Change Log check against the chain (changeLogTab
// empty skips it), and, with edits, attribution of the window (since,
// until] (the cycle asks only when it has changes to attribute, so a
// cycle without them costs no Drive request for it). Each part runs even
// when another fails; the parts that failed are joined in the error and
// leave their fields empty, so nothing is half-reported.
func (w *Who) Review(ctx context.Context, wb Workbook, sheet, changeLogTab string, prevAccess []Permission,
	since, until time.Time, edits bool, loc *time.Location, locale string) (WhoReview, error) {
	var r WhoReview
	if w == nil {
		return r, nil
	}
	var errs []error
	if w.Access != nil {
		cur, fs, changes, err := AuditAccess(ctx, w.Access, sheet, prevAccess, w.Policy, locale)
		if err != nil {
			errs = append(errs, err)
		} else {
			r.Access, r.AccessChanges = cur, changes
			r.Findings = append(r.Findings, fs...)
		}
	}
	if w.Chain != nil && changeLogTab != "" {
		check, err := CheckChangeLog(ctx, wb, w.Chain, sheet, changeLogTab, locale)
		if err != nil {
			errs = append(errs, fmt.Errorf("check the Change Log against the store's change log: %w", err))
		} else {
			r.Findings = append(r.Findings, check.Findings...)
			for _, row := range check.Restore {
				r.Restore = append(r.Restore, ChainRowCells(row, loc))
			}
		}
	}
	if ar, ok := w.Editors.(AccessActivityReader); ok && w.Activity && len(r.AccessChanges) > 0 && !since.IsZero() {
		acts, err := ar.AccessActivities(ctx, since, until)
		switch {
		case err != nil && !errors.Is(err, ErrPermission):
			errs = append(errs, fmt.Errorf("who changed the sharing: %w", err))
		case err == nil:
			if acts == nil {
				acts = []Activity{}
			}
			a := Attribute(AttributionInput{Since: since, Until: until, Activities: acts, Self: w.Self,
				Known: KnownPeople(r.Access, nil), Locale: locale, Action: "permission_change"})
			r.AccessEditor = &a
		}
	}
	if w.Editors != nil && edits && !since.IsZero() {
		a, err := Editors(ctx, w.Editors, r.Access, since, until, w.Self, w.Activity, locale)
		switch {
		case err == nil:
			r.Editor = &a
		case errors.Is(err, ErrPermission):
			r.Editor = &Attribution{Editor: unknownEditor(locale), Degraded: err.Error()}
		default:
			errs = append(errs, err)
		}
	}
	return r, errors.Join(errs...)
}

// Attributes reports whether attribution is on: the Change Log then has
// an Editor column.
func (w *Who) Attributes() bool { return w != nil && w.Editors != nil }

// unknownEditor is the Editor of a window Google named nobody for.
func unknownEditor(locale string) string {
	if locale == "zh-CN" {
		return "未知"
	}
	return "unknown"
}

// ChainRowCells turns a Change Log row as the chain keeps it (text) back
// into cells: the Time cell a date-time in loc, the others text.
func ChainRowCells(row []string, loc *time.Location) []Cell {
	if loc == nil {
		loc = time.UTC
	}
	out := make([]Cell, len(row))
	for i, s := range row {
		out[i] = Text(s)
		if i == 0 {
			if t, err := time.ParseInLocation("2006-01-02 15:04:05", canonTime(s), loc); err == nil {
				out[i] = TimeOf(t)
			}
		}
	}
	return out
}

// TabProtector is implemented by backends that can protect sheetaudit's
// own tabs (Change Log, Needs Review) against casual edits.
type TabProtector interface {
	// ProtectTabs protects each whole tab: with a warning to whoever
	// edits it, or with strict, editable by sheetaudit's account and the
	// file's owner only. It returns how many protections it added or
	// changed. Idempotent: tabs already protected as asked cost no write.
	// A tab missing is an error wrapping ErrNotFound.
	ProtectTabs(ctx context.Context, tabs []string, strict bool) (int, error)
}

// EditorHeader is the header of the Change Log's Editor column, which
// follows the Cycle column when attribution is on.
func EditorHeader(locale string) string {
	if locale == "zh-CN" {
		return "修改人"
	}
	return "Editor"
}

// EditorCell is the Editor cell of the Change Log rows of one window: the
// editor and, when one named them, the record that did ("张三 (drive
// activity)"), so a reader knows how much to trust it.
func EditorCell(a *Attribution, locale string) Cell {
	if a == nil {
		return Text("")
	}
	src := a.Source
	if locale == "zh-CN" {
		switch src {
		case SourceActivity:
			src = "云端硬盘活动记录"
		case SourceRevisions:
			src = "云端硬盘版本记录"
		}
	}
	if src == "" {
		return Text(a.Editor)
	}
	if locale == "zh-CN" {
		return Text(a.Editor + "（" + src + "）")
	}
	return Text(a.Editor + " (" + src + ")")
}

// WithEditor appends the Editor cell to each Change Log row (after the
// Cycle cell); rows shorter than the Cycle column are padded first, so the
// Editor column stays one column.
func WithEditor(rows [][]Cell, a *Attribution, locale string) [][]Cell {
	if a == nil {
		return rows
	}
	cell := EditorCell(a, locale)
	out := make([][]Cell, len(rows))
	for i, r := range rows {
		r = slices.Clip(r)
		for len(r) <= ChangeLogCycleColumn {
			r = append(r, Text(""))
		}
		out[i] = append(r[:ChangeLogCycleColumn+1:ChangeLogCycleColumn+1], cell)
	}
	return out
}

// SnapshotTime is the second a snapshot id names (its first 16
// characters, "20261129T151600Z"): the start of the next attribution
// window. ok is false for an id of another shape.
func SnapshotTime(id string) (t time.Time, ok bool) {
	const layout = "20060102T150405Z"
	if len(id) < len(layout) {
		return time.Time{}, false
	}
	t, err := time.Parse(layout, id[:len(layout)])
	return t, err == nil
}
