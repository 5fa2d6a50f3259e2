package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/export"
	"github.com/sheetaudit/sheetaudit/snapshot"
	"github.com/sheetaudit/sheetaudit/xlsx"
)

// snapshotsSubcommands are the snapshots subcommands besides list.
func (a *app) snapshotsSubcommands() []*cobra.Command {
	return []*cobra.Command{
		a.snapshotsShowCmd(),
		a.snapshotsDiffCmd(),
		a.snapshotsVerifyCmd(),
		a.snapshotsPruneCmd(),
		a.snapshotsExportCmd(),
	}
}

// findVersion returns the configured sheet that holds snapshot id (among
// --sheet, or every sheet) and its manifest, whose ID is the full id. Besides
// a full id, id may be "latest" (the newest version), "latest~N" (N versions
// before it) or a prefix of exactly one version's id. Ids are checked by the
// store, so a user's id can never name anything but a manifest.
func findVersion(ctx context.Context, cfg *config.Config, store *snapshot.Store, sheet, id string) (config.Sheet, *snapshot.Manifest, error) {
	sheets, err := sheetsOf(cfg, sheet)
	if err != nil {
		return config.Sheet{}, nil, err
	}
	if back, ok := latestOffset(id); ok {
		if len(sheets) != 1 {
			return config.Sheet{}, nil, &exitError{code: exitCantRun,
				err: fmt.Errorf("%q names a version of one sheet, and the configuration has %d; name it with --sheet", id, len(sheets))}
		}
		s := sheets[0]
		list, err := store.List(ctx, s.Name)
		if err != nil {
			return config.Sheet{}, nil, &exitError{code: exitCantRun, err: fmt.Errorf("list snapshots of %q: %w", s.Name, err)}
		}
		if back >= len(list) {
			return config.Sheet{}, nil, &exitError{code: exitCantRun,
				err: fmt.Errorf("sheet %q has %d stored versions, so %q names none; see sheetaudit snapshots list", s.Name, len(list), id)}
		}
		id = list[len(list)-1-back].ID
		return findVersion(ctx, cfg, store, s.Name, id)
	}
	var names []string
	var invalid error // the store's word on a text that is no id; ours is said instead
	for _, s := range sheets {
		m, err := store.Manifest(ctx, s.Name, id)
		if err == nil {
			return s, m, nil
		}
		if errors.Is(err, audit.ErrInvalid) {
			invalid = err
		} else if !errors.Is(err, audit.ErrNotFound) {
			return config.Sheet{}, nil, &exitError{code: exitCantRun, err: err}
		}
		names = append(names, fmt.Sprintf("%q", s.Name))
	}
	// Not a full id: a prefix of exactly one.
	type match struct {
		sheet config.Sheet
		id    string
	}
	var matches []match
	if id != "" {
		for _, s := range sheets {
			list, err := store.List(ctx, s.Name)
			if err != nil {
				return config.Sheet{}, nil, &exitError{code: exitCantRun, err: fmt.Errorf("list snapshots of %q: %w", s.Name, err)}
			}
			for _, in := range list {
				if strings.HasPrefix(in.ID, id) {
					matches = append(matches, match{s, in.ID})
				}
			}
		}
	}
	switch len(matches) {
	case 0:
		if invalid != nil {
			return config.Sheet{}, nil, &exitError{code: exitCantRun, err: fmt.Errorf(
				"%q is not a snapshot id: give an id such as 20261129T151600Z-1a2b3c4d, its start, latest or latest~1 (see sheetaudit snapshots list)", id)}
		}
		return config.Sheet{}, nil, &exitError{code: exitCantRun,
			err: fmt.Errorf("snapshot %s of sheet %s not found; see sheetaudit snapshots list", id, strings.Join(names, " or "))}
	case 1:
		return findVersion(ctx, cfg, store, matches[0].sheet.Name, matches[0].id)
	}
	ids := make([]string, 0, 4)
	for _, m := range matches[:min(len(matches), 4)] {
		ids = append(ids, m.id)
	}
	more := ""
	if len(matches) > len(ids) {
		more = fmt.Sprintf(" and %d more", len(matches)-len(ids))
	}
	return config.Sheet{}, nil, &exitError{code: exitCantRun,
		err: fmt.Errorf("%q is the start of %d snapshot ids (%s%s); give more of the id", id, len(matches), strings.Join(ids, ", "), more)}
}

// latestOffset reads "latest" (0), "latest~N" (N) and, as git reads
// HEAD~, "latest~" (1); case does not matter.
func latestOffset(id string) (int, bool) {
	if len(id) < len("latest") || !strings.EqualFold(id[:len("latest")], "latest") {
		return 0, false
	}
	switch rest := id[len("latest"):]; {
	case rest == "":
		return 0, true
	case rest == "~":
		return 1, true
	case strings.HasPrefix(rest, "~"):
		n, err := strconv.Atoi(rest[1:])
		if err != nil || n < 0 || strings.HasPrefix(rest[1:], "+") {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

func (a *app) snapshotsShowCmd() *cobra.Command {
	var sheet, format string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one stored version: time, size, header, metadata, chunks and dedupe",
		Args:  exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			return a.withStore(ctx, func(cfg *config.Config, store *snapshot.Store) error {
				_, m, err := findVersion(ctx, cfg, store, sheet, args[0])
				if err != nil {
					return err
				}
				d, err := dedupeOf(ctx, store, m)
				if err != nil {
					return err
				}
				if format == "json" {
					return writeJSON(a.stdout, struct {
						Manifest *snapshot.Manifest `json:"manifest"`
						Dedupe   dedupe             `json:"dedupe"`
					}{m, d})
				}
				return printManifest(a.stdout, m, d, cfg.Location())
			})
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "the sheet of the version (default: search every sheet)")
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json")
	return cmd
}

// dedupe says how much of a version it shares with the sheet's other
// versions.
type dedupe struct {
	Objects       int   `json:"objects"`
	SharedObjects int   `json:"shared_objects"`
	SharedBytes   int64 `json:"shared_bytes"`
	// OwnBytes is what deleting this version alone would free.
	OwnBytes int64 `json:"own_bytes"`
}

func dedupeOf(ctx context.Context, store *snapshot.Store, m *snapshot.Manifest) (dedupe, error) {
	list, err := store.List(ctx, m.Sheet)
	if err != nil {
		return dedupe{}, fmt.Errorf("list snapshots of %q: %w", m.Sheet, err)
	}
	others := make(map[string]bool)
	for _, info := range list {
		if info.ID == m.ID {
			continue
		}
		o, err := store.Manifest(ctx, m.Sheet, info.ID)
		if err != nil {
			return dedupe{}, err
		}
		for _, c := range refsOf(o) {
			others[c.SHA256] = true
		}
	}
	var d dedupe
	seen := make(map[string]bool)
	for _, c := range refsOf(m) {
		if seen[c.SHA256] {
			continue
		}
		seen[c.SHA256] = true
		d.Objects++
		if others[c.SHA256] {
			d.SharedObjects++
			d.SharedBytes += c.Stored
		} else {
			d.OwnBytes += c.Stored
		}
	}
	return d, nil
}

func refsOf(m *snapshot.Manifest) []snapshot.ChunkRef {
	return append(slices.Clone(m.Chunks), m.Patches...)
}

func printManifest(w io.Writer, m *snapshot.Manifest, d dedupe, loc *time.Location) error {
	tw := newTable(w)
	p := func(k, format string, args ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, args...)...) }
	p("snapshot", "%s", m.ID)
	p("sheet", "%s", m.Sheet)
	p("time", "%s (%s)", m.Time.In(loc).Format(time.DateTime), loc)
	p("tab", "%q (id %d) of %s", m.Meta.Title, m.Meta.TabID, m.Meta.SpreadsheetID)
	if m.Meta.Revision != "" {
		p("revision", "%s", m.Meta.Revision)
	}
	if m.Meta.Locale != "" || m.Meta.TimeZone != "" {
		p("locale", "%s %s", m.Meta.Locale, m.Meta.TimeZone)
	}
	p("key", "%s (header on row %d)", strings.Join(m.Key, " + "), m.HeaderRow)
	p("header", "%s", strings.Join(m.Header, " | "))
	p("rows", "%d (all rows of the tab: above the header and blank ones included)", m.Rows)
	p("columns", "%d", m.Columns)
	ratio := 0.0
	if m.StoredBytes > 0 {
		ratio = float64(m.RawBytes) / float64(m.StoredBytes)
	}
	p("bytes", "%d raw, %d stored (%.1fx smaller)", m.RawBytes, m.StoredBytes, ratio)
	p("chunks", "%d chunks, %d patches", len(m.Chunks), len(m.Patches))
	p("dedupe", "%d of %d objects (%d bytes) shared with other versions; %d bytes are this version's own",
		d.SharedObjects, d.Objects, d.SharedBytes, d.OwnBytes)
	if m.Parent != "" {
		p("parent", "%s", m.Parent)
	}
	p("sha256", "%s", m.ContentSHA256)
	return tw.Flush()
}

func (a *app) snapshotsDiffCmd() *cobra.Command {
	var sheet, format string
	cmd := &cobra.Command{
		Use:   "diff ID1 ID2",
		Short: "Show the keyed changes from one version to another, as the Change Log shows them",
		Args:  exactArgs("ID1", "ID2"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json", "csv"); err != nil {
				return err
			}
			ctx := cmd.Context()
			return a.withStore(ctx, func(cfg *config.Config, store *snapshot.Store) error {
				s, m1, err := findVersion(ctx, cfg, store, sheet, args[0])
				if err != nil {
					return err
				}
				_, m2, err := findVersion(ctx, cfg, store, s.Name, args[1])
				if err != nil {
					return err
				}
				args = []string{m1.ID, m2.ID}
				from, fromF, err := loadTable(ctx, store, s.Name, args[0])
				if err != nil {
					return err
				}
				to, toF, err := loadTable(ctx, store, s.Name, args[1])
				if err != nil {
					return err
				}
				// The same changes the Change Log shows, recalculations included.
				changes := audit.DiffWithFormulas(from, to, fromF, toF)
				switch format {
				case "json":
					return writeJSON(a.stdout, struct {
						Sheet   string         `json:"sheet"`
						From    string         `json:"from"`
						To      string         `json:"to"`
						Changes []audit.Change `json:"changes"`
					}{s.Name, args[0], args[1], nonNil(changes)})
				case "csv":
					return writeChangesCSV(a.stdout, changes)
				}
				if err := printChanges(a.stdout, changes); err != nil {
					return err
				}
				_, err = fmt.Fprintf(a.stdout, "%d changes from %s to %s\n", len(changes), args[0], args[1])
				return err
			})
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "the sheet of the versions (default: search every sheet)")
	cmd.Flags().StringVar(&format, "format", "text", "output: text, json or csv")
	return cmd
}

// loadTable loads one version and reads it as a table with the header row
// and key it was stored with.
// loadTable loads a version as a keyed table, with its formulas when they
// were captured (nil otherwise).
func loadTable(ctx context.Context, store *snapshot.Store, sheet, id string) (*audit.Table, [][]string, error) {
	snap, err := store.Load(ctx, sheet, id)
	if err != nil {
		return nil, nil, fmt.Errorf("load snapshot %s: %w", id, err)
	}
	t, err := audit.ParseTable(snap.Values, snap.HeaderRow, snap.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot %s of sheet %q cannot be read as a table: %w", id, sheet, err)
	}
	return t, snap.Formulas, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// changeHeader is the Change Log's header without its time and snapshot
// columns.
var changeHeader = []string{"Change", "Key", "Column", "Old value", "New value"}

// printChanges writes changes as an aligned table for a terminal; long or
// multi-line values are shortened (json and csv carry them whole).
func printChanges(w io.Writer, changes []audit.Change) error {
	tw := newTable(w)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(changeHeader, "\t")))
	for _, c := range changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Kind, terminal(c.Key), terminal(c.Column), terminal(c.Old), terminal(c.New))
	}
	return tw.Flush()
}

// terminal makes a cell value fit one table cell on a terminal.
func terminal(s string) string {
	s = strings.NewReplacer("\t", `\t`, "\n", `\n`, "\r", `\r`).Replace(s)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:59]) + "…"
	}
	return s
}

func writeChangesCSV(w io.Writer, changes []audit.Change) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(changeHeader); err != nil {
		return err
	}
	for _, c := range changes {
		if err := cw.Write([]string{string(c.Kind), c.Key, c.Column, c.Old, c.New}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func (a *app) snapshotsVerifyCmd() *cobra.Command {
	var full bool
	var format string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check every manifest and chunk of the store; exit 1 on any problem",
		Long: "verify re-reads every manifest of every sheet and checks that each chunk it references exists.\n" +
			"With --full it also reads every chunk, checks its SHA-256, and rebuilds every version,\n" +
			"so a clean full verify means every version can be restored. Each problem names its object.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			return a.withStore(ctx, func(cfg *config.Config, store *snapshot.Store) error {
				problems, err := store.Verify(ctx, full)
				if err != nil {
					return &exitError{code: exitCantRun, err: fmt.Errorf("verify store %q: %w", cfg.Store, err)}
				}
				if format == "json" {
					if err := writeJSON(a.stdout, struct {
						Full     bool               `json:"full"`
						Problems []snapshot.Problem `json:"problems"`
					}{full, nonNil(problems)}); err != nil {
						return err
					}
				} else {
					for _, p := range problems {
						fmt.Fprintln(a.stdout, p.String())
					}
				}
				if len(problems) > 0 {
					return failed(fmt.Errorf("store %q has %d problems; versions that reference a bad object cannot be restored", cfg.Store, len(problems)))
				}
				if format == "text" {
					what := "every manifest read and every referenced chunk present (add --full to read and hash every chunk)"
					if full {
						what = "every chunk read and hash-checked, every version rebuilt"
					}
					fmt.Fprintf(a.stdout, "store %s: no problems: %s\n", cfg.Store, what)
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&full, "full", false, "read every chunk and rebuild every version")
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json")
	return cmd
}

func (a *app) snapshotsPruneCmd() *cobra.Command {
	var sheet, format string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Apply the configured retention: remove old versions and the chunks no version uses",
		Long: "prune applies retention: (keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly, in the\n" +
			"config's timezone) to each sheet, deletes the versions it does not keep, then the chunks that no\n" +
			"remaining version references. A chunk a kept version references is never removed. With an empty\n" +
			"retention: every version is kept and only unreferenced chunks are swept. --dry-run shows what\n" +
			"would go and why each kept version is kept, and deletes nothing.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			return a.withStore(ctx, func(cfg *config.Config, store *snapshot.Store) error {
				sheets, err := sheetsOf(cfg, sheet)
				if err != nil {
					return err
				}
				return a.prune(ctx, cfg, store, sheets, dryRun, format)
			})
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "only this sheet")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show what would be removed; delete nothing")
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json")
	return cmd
}

type pruneOutput struct {
	Sheet  string                `json:"sheet"`
	Policy snapshot.Policy       `json:"policy"`
	Result *snapshot.PruneResult `json:"result"`
}

func (a *app) prune(ctx context.Context, cfg *config.Config, store *snapshot.Store, sheets []config.Sheet, dryRun bool, format string) error {
	policy := policyOf(cfg.Retention)
	loc := cfg.Location()
	var outs []pruneOutput
	for _, s := range sheets {
		var res snapshot.PruneResult
		err := a.leasedUnless(ctx, dryRun, store, s.Name, "cycle", func(ctx context.Context) (err error) {
			res, err = store.Prune(ctx, s.Name, policy, dryRun)
			return err
		})
		if errors.Is(err, audit.ErrHeld) {
			return err
		}
		if err != nil {
			return fmt.Errorf("prune sheet %q: %w", s.Name, err)
		}
		outs = append(outs, pruneOutput{Sheet: s.Name, Policy: policy, Result: &res})
		if format == "json" {
			continue
		}
		if policy.Empty() {
			fmt.Fprintf(a.stdout, "%s: retention is empty in the config, so every version is kept; only unreferenced chunks are swept\n", s.Name)
		} else {
			fmt.Fprintf(a.stdout, "%s: retention keep_last=%d keep_hourly=%d keep_daily=%d keep_weekly=%d keep_monthly=%d (%s)\n",
				s.Name, policy.KeepLast, policy.KeepHourly, policy.KeepDaily, policy.KeepWeekly, policy.KeepMonthly, loc)
		}
		all := append(slices.Clone(res.Keep), res.Remove...)
		slices.SortFunc(all, func(x, y audit.SnapshotInfo) int {
			if c := x.Time.Compare(y.Time); c != 0 {
				return c
			}
			return strings.Compare(x.ID, y.ID)
		})
		tw := newTable(a.stdout)
		for _, sn := range all {
			if why, kept := res.Reasons[sn.ID]; kept {
				fmt.Fprintf(tw, "  keep\t%s\t%s\t%s\n", sn.ID, sn.Time.In(loc).Format(time.DateTime), strings.Join(why, ", "))
			} else {
				fmt.Fprintf(tw, "  remove\t%s\t%s\t\n", sn.ID, sn.Time.In(loc).Format(time.DateTime))
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		verb := "removed"
		if dryRun {
			verb = "would be removed"
		}
		fmt.Fprintf(a.stdout, "  %d kept, %d %s; %d unreferenced chunks (%d bytes) %s", len(res.Keep), len(res.Remove), verb,
			res.ChunksRemoved, res.BytesFreed, verb)
		if res.ChunksPending > 0 {
			fmt.Fprintf(a.stdout, "; %d younger chunks left for a later prune (a writer may still need them)", res.ChunksPending)
		}
		fmt.Fprintln(a.stdout)
	}
	if format == "json" {
		return writeJSON(a.stdout, nonNil(outs))
	}
	if dryRun {
		fmt.Fprintln(a.stdout, "dry run: nothing was deleted")
	}
	return nil
}

func (a *app) snapshotsExportCmd() *cobra.Command {
	var sheet, format, out string
	var force, bom bool
	cmd := &cobra.Command{
		Use:   "export ID --format csv|xlsx --out FILE",
		Short: "Write one stored version to a CSV or .xlsx file",
		Long: "export writes a stored version, whole (rows above the header and blank rows included), to a file.\n" +
			"CSV is UTF-8 with a byte-order mark by default, so Excel shows Chinese text correctly\n" +
			"(--bom=false for tools that do not expect one); values are written as stored, so a value that\n" +
			"starts with = may be taken for a formula by a spreadsheet app that opens the CSV: use --format xlsx\n" +
			"to open it in Excel, where every value is a text cell. The file is written atomically and an\n" +
			"existing file is only replaced with --force.",
		Args: exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "csv", "xlsx"); err != nil {
				return err
			}
			if out == "" {
				return &exitError{code: exitCantRun, err: errors.New("--out FILE is required")}
			}
			ctx := cmd.Context()
			return a.withStore(ctx, func(cfg *config.Config, store *snapshot.Store) error {
				s, m, err := findVersion(ctx, cfg, store, sheet, args[0])
				if err != nil {
					return err
				}
				args = []string{m.ID}
				snap, err := store.Load(ctx, s.Name, args[0])
				if err != nil {
					return fmt.Errorf("load snapshot %s: %w", args[0], err)
				}
				err = export.File(ctx, snap, out, export.Options{Format: format, Force: force, BOM: bom, NewBook: newXLSXBook})
				if errors.Is(err, export.ErrExists) {
					return &exitError{code: exitCantRun, err: fmt.Errorf("%s exists; choose another --out or add --force to replace it", out)}
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "wrote snapshot %s of sheet %q (%d rows) to %s\n", snap.ID, s.Name, len(snap.Values), out)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "the sheet of the version (default: search every sheet)")
	cmd.Flags().StringVar(&format, "format", "csv", "file format: csv or xlsx")
	cmd.Flags().StringVar(&out, "out", "", "the file to write")
	cmd.Flags().BoolVar(&force, "force", false, "replace --out if it exists")
	cmd.Flags().BoolVar(&bom, "bom", true, "start a CSV with a UTF-8 byte-order mark (for Excel)")
	return cmd
}

// newXLSXBook creates an empty .xlsx workbook with one tab and opens it
// with the xlsx backend, which writes every value as a text cell ("=1+1"
// and "0012" stay text): the workbook of an xlsx export.
func newXLSXBook(_ context.Context, path, title string) (export.Book, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", title); err != nil {
		return nil, err
	}
	if err := f.SaveAs(path); err != nil {
		return nil, err
	}
	_ = f.Close()
	return xlsx.Open(path, xlsx.Options{})
}
