package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/snapshot"
	"github.com/sheetaudit/sheetaudit/xlsx"
)

type restoreFlags struct {
	sheet, format          string
	inPlace, force, dryRun bool
	rows, columns          []string
}

func (a *app) restoreCmd() *cobra.Command {
	var f restoreFlags
	cmd := &cobra.Command{
		Use:   "restore ID",
		Short: "Give a sheet back a stored version: into a new tab, in place, or only some rows or columns",
		Long: `restore puts a stored version (see sheetaudit snapshots list) back into the spreadsheet.

By default it writes the version into a new tab "Restored <id> <time>" and touches nothing
that exists; running it again rewrites that tab.

--in-place replaces the data tab's values with the version, as it was: columns and rows
added since are dropped (the plan lists them). Before writing, the live tab is stored as a
safety snapshot, whose id is printed, so the restore itself can be undone by restoring that
id. It refuses when the live tab differs from the newest stored version (someone edited
since); --force overrides and lists the edits it overwrites.

--rows KEY,KEY and --columns NAME,NAME restore only those rows and/or columns into the live
tab (in place, same safety snapshot and guard), matching rows by key and columns by name;
everything else stays as it is live. A named row that the live tab lost is appended. Only
the cells that change are written (on Google Sheets and .xlsx), so edits colleagues make
elsewhere in the tab while the restore runs are kept.

In place, cells of the columns the configuration types (date, datetime, number, integer,
bool) are written back as numbers and booleans, not as their text, where the backend can;
they keep the cell's number format. A new tab gets the text only.

--dry-run prints the keyed diff live → restored and changes nothing (no safety snapshot).

On Google Sheets a large tab is written in several requests; if one fails, the message says
how to re-run, and re-running finishes the job.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(f.format, "text", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			return a.withStore(ctx, func(cfg *config.Config, store *snapshot.Store) error {
				return a.restore(ctx, cfg, store, args[0], f)
			})
		},
	}
	cmd.Flags().StringVar(&f.sheet, "sheet", "", "the sheet to restore (default: the one that has the version)")
	cmd.Flags().BoolVar(&f.inPlace, "in-place", false, "replace the data tab's values (after a safety snapshot)")
	cmd.Flags().BoolVar(&f.force, "force", false, "restore in place even if the live tab changed since the newest snapshot")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "print the changes live → restored; change nothing")
	cmd.Flags().StringSliceVar(&f.rows, "rows", nil, "restore only these rows (keys, comma-separated; implies --in-place)")
	cmd.Flags().StringSliceVar(&f.columns, "columns", nil, "restore only these columns (names, comma-separated; implies --in-place)")
	cmd.Flags().StringVar(&f.format, "format", "text", "output: text or json")
	return cmd
}

// restoreOutput is what restore did, or with a dry run would do.
type restoreOutput struct {
	Sheet    string `json:"sheet"`
	Snapshot string `json:"snapshot"`
	// Mode is "new tab", "in place" or "selective".
	Mode   string `json:"mode"`
	Tab    string `json:"tab"`
	DryRun bool   `json:"dry_run"`
	// Changes is the keyed diff live → restored.
	Changes        []audit.Change `json:"changes"`
	DroppedColumns []string       `json:"dropped_columns,omitempty"`
	Appended       []string       `json:"appended,omitempty"`
	Notes          []string       `json:"notes,omitempty"`
	// Overwritten are the edits since the newest stored version that a
	// forced restore overwrote (they are in the safety snapshot).
	Overwritten []audit.Change `json:"overwritten,omitempty"`
	// Safety is the version that holds the tab as it was before; Restored
	// is the version stored from the tab as it is after.
	Safety    string `json:"safety_snapshot,omitempty"`
	Restored  string `json:"restored_snapshot,omitempty"`
	Unchanged bool   `json:"unchanged,omitempty"`
	// FormulasWritten counts the cells given their formulas back.
	FormulasWritten int `json:"formulas_written,omitempty"`
	// TypedWritten counts the cells written back as numbers, dates or
	// booleans rather than as their display text.
	TypedWritten int `json:"typed_written,omitempty"`
	// CellsWritten counts the cells a selective restore wrote one by one
	// (values only) instead of rewriting the tab.
	CellsWritten int `json:"cells_written,omitempty"`

	text bool // print as it goes (--format text)
}

func (a *app) restore(ctx context.Context, cfg *config.Config, store *snapshot.Store, id string, f restoreFlags) error {
	s, _, err := findVersion(ctx, cfg, store, f.sheet, id)
	if err != nil {
		return err
	}
	snap, err := store.Load(ctx, s.Name, id)
	if err != nil {
		return fmt.Errorf("load snapshot %s: %w", id, err)
	}
	wb, err := openWorkbook(ctx, s, a.log, backendDeps{})
	if err != nil {
		return err
	}
	if c, ok := wb.(io.Closer); ok {
		defer c.Close()
	}
	// The typed columns come from the rules; a restore is how a broken
	// sheet is mended, so rules that do not compile only cost the typed
	// values (written as text then), not the restore.
	spec, err := specOf(cfg, s)
	if err != nil {
		a.log.Warn("restore: the sheet's rules do not compile; typed values are written as text",
			zap.String("sheet", s.Name), zap.Error(err))
	}
	opts := audit.RestoreOptions{HeaderRow: s.HeaderRow, Key: s.Key, Rows: f.rows, Columns: f.columns}
	out := &restoreOutput{Sheet: s.Name, Snapshot: id, DryRun: f.dryRun, text: f.format == "text"}
	if !f.inPlace && !opts.Selective() {
		err = a.restoreNewTab(ctx, cfg, s, wb, snap, opts, out)
	} else {
		err = a.restoreInPlace(ctx, s, spec.TypedColumns, store, wb, snap, opts, f, out)
	}
	var ee *exitError
	if err != nil && !errors.As(err, &ee) {
		return err
	}
	if f.format == "json" {
		out.Changes = nonNil(out.Changes)
		if werr := writeJSON(a.stdout, out); werr != nil {
			return werr
		}
	}
	return err
}

// restoreNewTab writes the version into a tab of its own. It writes the
// version's display text only, never its typed values: a new tab has no
// number formats, so a date serial would show as a bare number there, and
// the tab is for reading and copying from.
func (a *app) restoreNewTab(ctx context.Context, cfg *config.Config, s config.Sheet, wb audit.Workbook, snap *audit.Snapshot, opts audit.RestoreOptions, out *restoreOutput) error {
	out.Mode, out.Tab = "new tab", restoredTitle(wb, snap.ID, snap.Time.In(cfg.Location()))
	if out.DryRun {
		// What the data tab would become with --in-place, for comparison.
		live, err := readLive(ctx, wb, s.Tab)
		if err != nil {
			return err
		}
		opts.Formulas, opts.Typed = snap.Formulas, snap.Typed
		plan, err := audit.PlanRestore(live, snap.Values, opts)
		if err != nil {
			return &exitError{code: exitCantRun, err: fmt.Errorf("restore snapshot %s: %w", snap.ID, err)}
		}
		out.Changes, out.DroppedColumns, out.Notes = plan.Changes, plan.DroppedColumns, plan.Notes
		a.printf(out, "dry run: would write snapshot %s (%d rows) into a new tab %q; nothing existing would change.\n",
			snap.ID, len(snap.Values), out.Tab)
		a.printf(out, "Restoring it in place (--in-place) would change tab %q like this:\n", s.Tab)
		a.printPlan(out)
		a.printf(out, "Nothing was changed.\n")
		return nil
	}
	if err := writeRestoredTab(ctx, wb, out.Tab, snap.Values, s.HeaderRow); err != nil {
		return fmt.Errorf("write snapshot %s into tab %q: %w (the data tab is untouched; run the same command again to finish)", snap.ID, out.Tab, err)
	}
	if snap.Formulas != nil {
		if err := a.writeFormulas(ctx, wb, out.Tab, audit.FormulaCells(snap.Formulas), out); err != nil {
			return fmt.Errorf("write the formulas of snapshot %s into tab %q: %w (the values are written; run the same command again to finish)", snap.ID, out.Tab, err)
		}
	}
	a.printf(out, "restored snapshot %s of sheet %q (%s) into the new tab %q: %d rows.\n",
		snap.ID, s.Name, snap.Time.In(cfg.Location()).Format(time.DateTime), out.Tab, len(snap.Values))
	a.printf(out, "The data tab %q is unchanged; copy what you need, or run: sheetaudit restore %s --sheet %s --in-place\n",
		s.Tab, snap.ID, s.Name)
	return nil
}

// restoreInPlace rewrites the data tab with the plan, guarded by the newest
// stored version and preceded by a safety snapshot. typedCols are the
// columns whose typed values a cycle of this sheet stores.
func (a *app) restoreInPlace(ctx context.Context, s config.Sheet, typedCols []string, store *snapshot.Store, wb audit.Workbook, snap *audit.Snapshot, opts audit.RestoreOptions, f restoreFlags, out *restoreOutput) error {
	out.Mode, out.Tab = "in place", s.Tab
	if opts.Selective() {
		out.Mode = "selective"
	}
	tab, err := wb.ReadTab(ctx, s.Tab)
	if err != nil && !errors.Is(err, audit.ErrNotFound) {
		return fmt.Errorf("read tab %q: %w", s.Tab, err)
	}
	var live, liveF, liveT [][]string
	if tab != nil {
		live = tab.Values
		if liveF, err = readFormulas(ctx, wb, s, snap); err != nil {
			return err
		}
		if liveT, err = readTyped(ctx, wb, s, typedCols, live); err != nil {
			return err
		}
	}
	opts.Formulas, opts.LiveFormulas = snap.Formulas, liveF
	opts.Typed, opts.LiveTyped = snap.Typed, liveT
	// Versions this command stores keep formulas as a cycle of this sheet
	// would: only with capture on, or the next cycle stores a new version.
	stored := func(f [][]string) [][]string {
		if s.CapturesFormulas() {
			return f
		}
		return nil
	}
	plan, err := audit.PlanRestore(live, snap.Values, opts)
	if err != nil {
		return &exitError{code: exitCantRun, err: fmt.Errorf("restore snapshot %s into tab %q: %w", snap.ID, s.Tab, err)}
	}
	out.Changes, out.DroppedColumns, out.Appended, out.Notes = plan.Changes, plan.DroppedColumns, plan.Appended, plan.Notes
	// A selective restore on a backend that writes single cells writes only
	// the cells it changes: rewriting the whole tab would lose edits made
	// elsewhere between the read above and the write, which are not in the
	// safety snapshot either.
	cw, byCell := wb.(audit.CellWriter)
	byCell = byCell && plan.Selective
	unchanged := tab != nil && equalValues(live, plan.Values) && (plan.Formulas == nil || liveF != nil && equalValues(liveF, audit.FormulaGrid(plan.Formulas))) &&
		sameTyped(liveT, plan)
	if byCell {
		unchanged = len(plan.Cells) == 0 && len(plan.CellFormulas) == 0 && len(plan.CellTyped) == 0
	}
	if unchanged {
		out.Unchanged = true
		a.printf(out, "tab %q already holds what snapshot %s would restore; nothing to do.\n", s.Tab, snap.ID)
		return nil
	}
	if f.dryRun {
		a.printf(out, "dry run: restoring snapshot %s into tab %q (%s) would make these changes:\n", snap.ID, s.Tab, out.Mode)
		a.printPlan(out)
		a.printf(out, "Nothing was changed.\n")
		return nil
	}

	// The guard: edits since the newest stored version exist nowhere else.
	var safety string
	var safetyTime time.Time
	if tab != nil {
		latest, err := store.Latest(ctx, s.Name)
		if err != nil {
			return fmt.Errorf("read the newest snapshot of %q: %w", s.Name, err)
		}
		safety, safetyTime = latest.ID, latest.Time
		if !equalValues(latest.Values, live) {
			lost := plan.Lost(changesBetween(latest, live, s))
			if !f.force {
				a.printf(out, "Tab %q changed since the newest snapshot %s; of those edits, the restore would overwrite %d:\n", s.Tab, latest.ID, len(lost))
				a.printChangesText(out, lost)
				return failed(fmt.Errorf("tab %q changed since the newest snapshot %s (someone edited it since); "+
					"run sheetaudit run --once --sheet %s to keep those edits in a snapshot first, or add --force to restore anyway "+
					"(a safety snapshot keeps them either way)", s.Tab, latest.ID, s.Name))
			}
			out.Overwritten = lost
			info, err := store.Put(ctx, &audit.Snapshot{
				Sheet: s.Name, Time: time.Now(), Meta: tab.Meta, HeaderRow: s.HeaderRow, Key: s.Key, Values: live, Formulas: stored(liveF), Typed: liveT,
			})
			if err != nil {
				return fmt.Errorf("store the safety snapshot of tab %q (nothing was restored): %w", s.Tab, err)
			}
			safety, safetyTime = info.ID, info.Time
			a.printf(out, "--force: overwriting %d edits made since snapshot %s (they are in the safety snapshot):\n", len(lost), latest.ID)
			a.printChangesText(out, lost)
		}
		out.Safety = safety
		a.printf(out, "safety snapshot: %s (tab %q as it was before this restore)\n", safety, s.Tab)
	} else {
		a.printf(out, "tab %q does not exist; it is created\n", s.Tab)
		if _, _, err := wb.EnsureTab(ctx, s.Tab); err != nil {
			return fmt.Errorf("create tab %q: %w", s.Tab, err)
		}
	}

	typed, formulas := plan.Typed, plan.Formulas
	if byCell {
		typed, formulas = plan.CellTyped, plan.CellFormulas
		err = cw.WriteCells(ctx, s.Tab, plan.Cells)
	} else {
		err = wb.ReplaceTab(ctx, s.Tab, plan.Values)
	}
	if err != nil {
		hint := "the tab may be partly written; run the same command again with --force to finish"
		if safety != "" {
			hint += fmt.Sprintf(", or put the tab back as it was with: sheetaudit restore %s --sheet %s --in-place --force", safety, s.Name)
		}
		return fmt.Errorf("restore snapshot %s into tab %q stopped part way: %w (%s)", snap.ID, s.Tab, err, hint)
	}
	if byCell {
		out.CellsWritten = len(plan.Cells)
		a.printf(out, "cells written: %d\n", len(plan.Cells))
	}
	// Typed values before formulas: a cell with both gets its formula (the
	// plan leaves such cells out of Typed anyway).
	if err := a.writeTyped(ctx, wb, s.Tab, typed, out); err != nil {
		return fmt.Errorf("restore snapshot %s into tab %q: the values are written as text, the numbers, dates and booleans not: %w (run the same command again with --force to finish)", snap.ID, s.Tab, err)
	}
	if formulas != nil {
		if err := a.writeFormulas(ctx, wb, s.Tab, formulas, out); err != nil {
			return fmt.Errorf("restore snapshot %s into tab %q: the values are written, the formulas not: %w (run the same command again with --force to finish)", snap.ID, s.Tab, err)
		}
	}

	// Store the tab as written, so the newest version is what the tab holds:
	// undoing needs no --force, and the next cycle logs the restore's changes.
	after, err := wb.ReadTab(ctx, s.Tab)
	if err != nil {
		return fmt.Errorf("read tab %q back after the restore (the restore itself is done): %w", s.Tab, err)
	}
	if byCell && !holdsCells(after.Values, plan.Cells) || !byCell && !equalValues(after.Values, plan.Values) {
		a.log.Warn("restored tab reads back different from what was written",
			zap.String("sheet", s.Name), zap.String("tab", s.Tab), zap.String("snapshot", snap.ID))
	}
	afterF, err := readFormulas(ctx, wb, s, snap)
	if err != nil {
		return fmt.Errorf("store the restored tab as a snapshot (the restore itself is done; the next cycle stores it): %w", err)
	}
	afterT, err := readTyped(ctx, wb, s, typedCols, after.Values)
	if err != nil {
		return fmt.Errorf("store the restored tab as a snapshot (the restore itself is done; the next cycle stores it): %w", err)
	}
	restored := &audit.Snapshot{
		Sheet: s.Name, Time: time.Now(), Meta: after.Meta, HeaderRow: s.HeaderRow, Key: s.Key, Values: after.Values, Formulas: stored(afterF),
		Typed: afterT,
	}
	info, err := store.Put(ctx, restored)
	if err == nil && !safetyTime.IsZero() && !info.Time.After(safetyTime) {
		// The store named an older version of the same content and second
		// (ids are per second); store it a second later, so the newest
		// version is what the tab now holds.
		restored.Time = safetyTime.Truncate(time.Second).Add(time.Second)
		info, err = store.Put(ctx, restored)
	}
	if err != nil {
		return fmt.Errorf("store the restored tab as a snapshot (the restore itself is done; the next cycle stores it): %w", err)
	}
	out.Restored = info.ID
	a.printf(out, "restored snapshot %s into tab %q (%s): %s", snap.ID, s.Tab, out.Mode, changeCount(len(plan.Changes)))
	if plan.Changes == nil {
		a.printf(out, " (no keyed diff: see the notes)")
	}
	a.printf(out, "; stored as snapshot %s\n", info.ID)
	for _, n := range plan.Notes {
		a.printf(out, "note: %s\n", n)
	}
	if safety != "" {
		a.printf(out, "undo with: sheetaudit restore %s --sheet %s --in-place\n", safety, s.Name)
	}
	return nil
}

// holdsCells reports whether values hold each of cells (A1 → text).
// Only the written cells count: the rest of the tab may have been edited
// since it was read.
func holdsCells(values [][]string, cells map[string]string) bool {
	got := audit.FormulaCells(values)
	for ref, v := range cells {
		if got[ref] != v {
			return false
		}
	}
	return true
}

// readFormulas reads the data tab's formulas when the sheet captures them
// or the version being restored has them, and the backend can read them;
// nil otherwise, as a cycle would store.
func readFormulas(ctx context.Context, wb audit.Workbook, s config.Sheet, snap *audit.Snapshot) ([][]string, error) {
	fr, ok := wb.(audit.FormulaReader)
	if !ok || (!s.CapturesFormulas() && snap.Formulas == nil) {
		return nil, nil
	}
	f, err := fr.ReadFormulas(ctx, s.Tab)
	if err != nil {
		return nil, fmt.Errorf("read formulas of tab %q: %w", s.Tab, err)
	}
	if f == nil {
		f = [][]string{}
	}
	return f, nil
}

// readTyped reads the typed values of the columns typedCols names from the
// data tab, whose values are values, as a cycle of the sheet would store
// them: nil when no column is typed or the backend cannot read them.
func readTyped(ctx context.Context, wb audit.Workbook, s config.Sheet, typedCols []string, values [][]string) ([][]string, error) {
	tr, ok := wb.(audit.TypedReader)
	if !ok || len(typedCols) == 0 {
		return nil, nil
	}
	t, err := audit.ParseTable(values, s.HeaderRow, s.Key)
	if err != nil {
		return nil, nil // no header to find the columns by; the restore writes text
	}
	return audit.ReadTypedColumns(ctx, tr, s.Tab, t, typedCols)
}

// sameTyped reports whether the live typed values are those the plan
// writes, formula cells aside, so that a tab whose numbers were pasted
// over as text of the same display is not taken for already restored.
func sameTyped(live [][]string, plan audit.RestorePlan) bool {
	if plan.Typed == nil {
		return true
	}
	if live == nil {
		return false
	}
	cells := audit.FormulaCells(live)
	for c := range plan.Formulas {
		delete(cells, c)
	}
	return maps.Equal(cells, plan.Typed)
}

// writeTyped writes cells back as numbers, dates and booleans after their
// values were written as text. A backend that cannot keeps the text, which
// shows the same; the output says so.
func (a *app) writeTyped(ctx context.Context, wb audit.Workbook, tab string, cells map[string]string, out *restoreOutput) error {
	if len(cells) == 0 {
		return nil
	}
	tw, ok := wb.(audit.TypedWriter)
	if !ok {
		out.Notes = append(out.Notes, fmt.Sprintf("this backend cannot write typed values: %d cells hold their numbers, dates or booleans as text", len(cells)))
		a.printf(out, "note: this backend cannot write typed values; %d cells hold their numbers, dates or booleans as text\n", len(cells))
		return nil
	}
	if err := tw.WriteTyped(ctx, tab, cells); err != nil {
		return err
	}
	out.TypedWritten = len(cells)
	a.printf(out, "typed values written back: %d cells of tab %q\n", len(cells), tab)
	return nil
}

// writeFormulas gives cells their formulas back after their values were
// written. A backend that cannot write formulas keeps the values, which
// are the formulas' results when stored; the output says so.
func (a *app) writeFormulas(ctx context.Context, wb audit.Workbook, tab string, formulas map[string]string, out *restoreOutput) error {
	if len(formulas) == 0 {
		return nil
	}
	fw, ok := wb.(audit.FormulaWriter)
	if !ok {
		out.Notes = append(out.Notes, fmt.Sprintf("this backend cannot write formulas: %d cells hold their stored results as values", len(formulas)))
		a.printf(out, "note: this backend cannot write formulas; %d cells hold their stored results as values\n", len(formulas))
		return nil
	}
	if err := fw.WriteFormulas(ctx, tab, formulas); err != nil {
		return err
	}
	out.FormulasWritten = len(formulas)
	a.printf(out, "formulas written back: %d cells of tab %q\n", len(formulas), tab)
	return nil
}

// readLive returns the data tab's values, nil when the tab does not exist.
func readLive(ctx context.Context, wb audit.Workbook, title string) ([][]string, error) {
	tab, err := wb.ReadTab(ctx, title)
	if errors.Is(err, audit.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read tab %q: %w", title, err)
	}
	return tab.Values, nil
}

// changesBetween is the keyed diff from a stored version to the live tab;
// when either cannot be read as a table, one summary change says so.
func changesBetween(from *audit.Snapshot, live [][]string, s config.Sheet) []audit.Change {
	ft, err1 := audit.ParseTable(from.Values, s.HeaderRow, s.Key)
	lt, err2 := audit.ParseTable(live, s.HeaderRow, s.Key)
	if err := errors.Join(err1, err2); err != nil {
		return []audit.Change{{Kind: "tab changed", New: "not readable as a table: " + err.Error()}}
	}
	return audit.Diff(ft, lt)
}

func equalValues(a, b [][]string) bool {
	trim := func(v [][]string) [][]string {
		for len(v) > 0 && len(v[len(v)-1]) == 0 {
			v = v[:len(v)-1]
		}
		return v
	}
	return slices.EqualFunc(trim(a), trim(b), func(x, y []string) bool {
		for len(x) > 0 && x[len(x)-1] == "" {
			x = x[:len(x)-1]
		}
		for len(y) > 0 && y[len(y)-1] == "" {
			y = y[:len(y)-1]
		}
		return slices.Equal(x, y)
	})
}

// restoredTitle names the tab a version is restored into. Excel allows 31
// characters in a tab name, so workbooks get a shorter name with the
// version's content hash.
func restoredTitle(wb audit.Workbook, id string, t time.Time) string {
	if _, ok := wb.(*xlsx.Workbook); !ok {
		return "Restored " + id + " " + t.Format("2006-01-02 1504")
	}
	hash := id
	if _, rest, ok := strings.Cut(id, "-"); ok {
		hash = rest
	}
	title := "Restored " + t.Format("060102 1504") + " " + hash
	if r := []rune(title); len(r) > 31 {
		title = string(r[:31])
	}
	return title
}

// printf writes text output; json output is written once at the end.
func (a *app) printf(out *restoreOutput, format string, args ...any) {
	if out.text {
		fmt.Fprintf(a.stdout, format, args...)
	}
}

func (a *app) printChangesText(out *restoreOutput, changes []audit.Change) {
	if out.text {
		_ = printChanges(a.stdout, changes)
	}
}

func (a *app) printPlan(out *restoreOutput) {
	if !out.text {
		return
	}
	if out.Changes != nil {
		_ = printChanges(a.stdout, out.Changes)
		fmt.Fprintf(a.stdout, "%s\n", changeCount(len(out.Changes)))
	}
	for _, n := range out.Notes {
		fmt.Fprintf(a.stdout, "note: %s\n", n)
	}
}

func changeCount(n int) string {
	if n == 1 {
		return "1 change"
	}
	return fmt.Sprintf("%d changes", n)
}

// writeRestoredTab writes a version's values into a tab of their own,
// laid out to read (frozen header, widths, filter) on backends that take
// a whole write-back, as plain values elsewhere.
func writeRestoredTab(ctx context.Context, wb audit.Workbook, title string, values [][]string, headerRow int) error {
	if bw, ok := wb.(audit.BatchWriter); ok {
		layout := audit.RestoredLayout(values, headerRow)
		return bw.WriteBack(ctx, &audit.WriteBack{Tabs: []audit.TabWrite{{
			Title: title, Rows: audit.RestoredCells(values), Layout: &layout,
		}}})
	}
	if _, _, err := wb.EnsureTab(ctx, title); err != nil {
		return fmt.Errorf("create tab %q: %w", title, err)
	}
	return wb.ReplaceTab(ctx, title, values)
}
