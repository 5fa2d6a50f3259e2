package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/restore"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

type restoreFlags struct {
	sheet, format, by, why string
	inPlace, force, dryRun bool
	rows, columns          []string
}

func (a *app) restoreCmd() *cobra.Command {
	var f restoreFlags
	cmd := &cobra.Command{
		Use:   "restore ID",
		Short: "Give a sheet back a stored version: into a new tab, in place, or only some rows or columns",
		Long: `restore puts a stored version (see sheetaudit snapshots list) back into the spreadsheet.
ID is a full id, "latest", "latest~N" (N versions before the newest) or a unique start of an id.

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
		Args: exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(f.format, "text", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			return a.withStore(ctx, func(cfg *config.Config, store *snapshot.Store) error {
				s, _, err := findVersion(ctx, cfg, store, f.sheet, args[0])
				if err != nil {
					return err
				}
				return a.leasedUnless(ctx, f.dryRun, store, s.Name, "cycle", func(ctx context.Context) error {
					return a.restore(ctx, cfg, store, args[0], f)
				})
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
	cmd.Flags().StringVar(&f.by, "by", "", "who runs the restore, for the restore record (default: the OS user)")
	cmd.Flags().StringVar(&f.why, "reason", "", "why, for the restore record (see sheetaudit restores list)")
	return cmd
}

func (a *app) restore(ctx context.Context, cfg *config.Config, store *snapshot.Store, id string, f restoreFlags) error {
	s, m, err := findVersion(ctx, cfg, store, f.sheet, id)
	if err != nil {
		return err
	}
	id = m.ID
	wb, err := openWorkbook(ctx, s, a.log, backendDeps{})
	if err != nil {
		return err
	}
	defer closeWorkbook(wb, a.log)
	// The typed columns come from the rules; a restore is how a broken
	// sheet is mended, so rules that do not compile only cost the typed
	// values (written as text then), not the restore.
	spec, err := specOf(cfg, s)
	if err != nil {
		a.log.Warn("restore: the sheet's rules do not compile; typed values are written as text",
			zap.String("sheet", s.Name), zap.Error(err))
	}
	r := &restore.Restorer{Workbook: wb, Store: store, Records: store, Logger: a.log}
	by := f.by
	for _, v := range []string{"USER", "USERNAME", "LOGNAME"} {
		if by == "" {
			by = a.getenv(v)
		}
	}
	if by == "" {
		by = "unknown"
	}
	res, err := r.Restore(ctx, restore.Options{
		Sheet: s.Name, Tab: s.Tab, HeaderRow: s.HeaderRow, Key: s.Key, Snapshot: id,
		InPlace: f.inPlace, Rows: f.rows, Columns: f.columns, Force: f.force, DryRun: f.dryRun,
		TypedColumns: spec.TypedColumns, CaptureFormulas: s.CapturesFormulas(),
		ShortTabTitles: s.Source.Google == nil, Location: cfg.Location(), Locale: cfg.Locale,
		By: by, Reason: f.why,
	})
	switch {
	case errors.Is(err, restore.ErrPlan):
		err = &exitError{code: exitCantRun, err: err}
	case errors.Is(err, restore.ErrChanged), errors.Is(err, restore.ErrReadBack):
		err = failed(err)
	}
	var ee *exitError
	if f.format == "json" {
		if err != nil && !errors.As(err, &ee) {
			return err // the restore failed part way: the error says how to finish
		}
		res.Changes = nonNil(res.Changes)
		if werr := writeJSON(a.stdout, res); werr != nil {
			return werr
		}
		return err
	}
	if !res.SnapshotTime.IsZero() {
		printRestore(a.stdout, res, cfg.Location(), err)
	}
	return err
}

// printRestore prints what a restore did, in the order it did it, up to
// where it stopped when err is set.
func printRestore(w io.Writer, res *restore.Result, loc *time.Location, err error) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	plan := func() {
		if res.Changes != nil {
			_ = printChanges(w, res.Changes)
			p("%s\n", changeCount(len(res.Changes)))
		}
		for _, n := range res.PlanNotes {
			p("note: %s\n", n)
		}
	}
	if res.Mode == restore.NewTab {
		switch {
		case res.DryRun && err == nil:
			p("dry run: would write snapshot %s (%d rows) into a new tab %q; nothing existing would change.\n",
				res.Snapshot, res.SnapshotRows, res.Tab)
			p("Restoring it in place (--in-place) would change tab %q like this:\n", res.DataTab)
			plan()
			p("Nothing was changed.\n")
		case !res.DryRun:
			if res.FormulasWritten > 0 {
				p("formulas written back: %d cells of tab %q\n", res.FormulasWritten, res.Tab)
			}
			if res.FormulasSkipped > 0 {
				p("note: this backend cannot write formulas; %d cells hold their stored results as values\n", res.FormulasSkipped)
			}
			if err == nil {
				p("restored snapshot %s of sheet %q (%s) into the new tab %q: %d rows.\n",
					res.Snapshot, res.Sheet, res.SnapshotTime.In(loc).Format(time.DateTime), res.Tab, res.SnapshotRows)
				p("The data tab %q is unchanged; copy what you need, or run: sheetaudit restore %s --sheet %s --in-place\n",
					res.DataTab, res.Snapshot, res.Sheet)
			}
		}
		return
	}
	if res.Mode == "" || errors.Is(err, restore.ErrPlan) {
		return
	}
	if res.Unchanged {
		p("tab %q already holds what snapshot %s would restore; nothing to do.\n", res.Tab, res.Snapshot)
		return
	}
	if res.DryRun {
		p("dry run: restoring snapshot %s into tab %q (%s) would make these changes:\n", res.Snapshot, res.Tab, res.Mode)
		plan()
		p("Nothing was changed.\n")
		return
	}
	if errors.Is(err, restore.ErrChanged) {
		p("Tab %q changed since the newest snapshot %s; of those edits, the restore would overwrite %d:\n", res.Tab, res.Base, len(res.Overwritten))
		_ = printChanges(w, res.Overwritten)
		return
	}
	if res.Forced {
		p("--force: overwriting %d edits made since snapshot %s (they are in the safety snapshot):\n", len(res.Overwritten), res.Base)
		_ = printChanges(w, res.Overwritten)
	}
	switch {
	case res.Safety != "":
		p("safety snapshot: %s (tab %q as it was before this restore)\n", res.Safety, res.Tab)
	case res.Created:
		p("tab %q does not exist; it is created\n", res.Tab)
	default:
		return // stopped before the guard
	}
	if res.CellsWritten > 0 || res.ByCell && res.Restored != "" {
		p("cells written: %d\n", res.CellsWritten)
	}
	if res.TypedSkipped > 0 {
		p("note: this backend cannot write typed values; %d cells hold their numbers, dates or booleans as text\n", res.TypedSkipped)
	}
	if res.TypedWritten > 0 {
		p("typed values written back: %d cells of tab %q\n", res.TypedWritten, res.Tab)
	}
	if res.FormulasSkipped > 0 {
		p("note: this backend cannot write formulas; %d cells hold their stored results as values\n", res.FormulasSkipped)
	}
	if res.FormulasWritten > 0 {
		p("formulas written back: %d cells of tab %q\n", res.FormulasWritten, res.Tab)
	}
	if res.Restored == "" {
		return
	}
	p("restored snapshot %s into tab %q (%s): %s", res.Snapshot, res.Tab, res.Mode, changeCount(len(res.Changes)))
	if res.NoKeyedDiff {
		p(" (no keyed diff: see the notes)")
	}
	p("; stored as snapshot %s\n", res.Restored)
	for _, n := range res.PlanNotes {
		p("note: %s\n", n)
	}
	if res.Undo != nil {
		p("undo with: sheetaudit restore %s --sheet %s --in-place\n", res.Undo.Snapshot, res.Undo.Sheet)
	}
	if res.Recorded {
		p("recorded: see sheetaudit restores list --sheet %s\n", res.Sheet)
	}
}

func changeCount(n int) string {
	if n == 1 {
		return "1 change"
	}
	return fmt.Sprintf("%d changes", n)
}
