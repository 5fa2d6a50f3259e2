// Package export writes one stored version of a sheet to a file a person
// opens: CSV (UTF-8, with a byte-order mark for Excel by default) or a
// workbook with one tab of text cells. It is a use case like restore: it
// imports audit and atomicfile only, and the workbook backend that writes
// the cells comes from cmd/sheetaudit (Options.NewBook), which finds the
// version, calls File and prints.
package export

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sheetaudit/sheetaudit/atomicfile"
	"github.com/sheetaudit/sheetaudit/audit"
)

// Formats File writes.
const (
	CSV  = "csv"
	XLSX = "xlsx"
)

// Book is an open workbook File writes one tab into.
type Book interface {
	ReplaceTab(ctx context.Context, title string, rows [][]string) error
	Close() error
}

// NewBook creates an empty workbook file at path whose one tab is named
// title, and opens it.
type NewBook func(ctx context.Context, path, title string) (Book, error)

// Options say how File writes.
type Options struct {
	// Format is CSV or XLSX.
	Format string
	// Force replaces an existing file; without it File never replaces one,
	// also one that appears while it writes.
	Force bool
	// BOM starts a CSV with a UTF-8 byte-order mark, so Excel shows
	// Chinese text correctly.
	BOM bool
	// Perm is the file's mode; zero means 0600, since an export holds the
	// team's data.
	Perm fs.FileMode
	// NewBook makes the workbook of an XLSX export.
	NewBook NewBook
}

// ErrExists is File's error when out exists and Options.Force is not set;
// it wraps fs.ErrExist.
var ErrExists = fmt.Errorf("the file exists: %w", fs.ErrExist)

// File writes snap, whole (rows above the header and blank rows included),
// to out atomically: a reader never sees a partial file.
func File(ctx context.Context, snap *audit.Snapshot, out string, opts Options) error {
	if _, err := os.Lstat(out); err == nil && !opts.Force {
		return fmt.Errorf("%s: %w", out, ErrExists)
	}
	perm := opts.Perm
	if perm == 0 {
		perm = 0o600
	}
	aopts := atomicfile.Options{Perm: perm, NoReplace: !opts.Force}
	var err error
	switch opts.Format {
	case CSV:
		err = atomicfile.Write(ctx, out, aopts, func(w io.Writer) error { return WriteCSV(w, snap.Values, opts.BOM) })
	case XLSX:
		if opts.NewBook == nil {
			return fmt.Errorf("export %s: no workbook backend: %w", out, audit.ErrInvalid)
		}
		err = exportBook(ctx, snap, out, aopts, opts.NewBook)
	default:
		return fmt.Errorf("export format %q: use csv or xlsx: %w", opts.Format, audit.ErrInvalid)
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %w", out, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("export to %s: %w", out, err)
	}
	return nil
}

// exportBook builds the workbook in a private folder beside out (a
// workbook backend works on a path), then writes it to out atomically.
func exportBook(ctx context.Context, snap *audit.Snapshot, out string, opts atomicfile.Options, newBook NewBook) error {
	work, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".export-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	path := filepath.Join(work, "export.xlsx")
	title := TabTitle(snap)
	book, err := newBook(ctx, path, title)
	if err != nil {
		return err
	}
	err = book.ReplaceTab(ctx, title, snap.Values)
	if cerr := book.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return atomicfile.Write(ctx, out, opts, func(w io.Writer) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
}

// WriteCSV writes values as CSV, every record as wide as the widest row
// (some readers reject ragged CSV), values as stored.
func WriteCSV(w io.Writer, values [][]string, bom bool) error {
	if bom {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	width := 0
	for _, r := range values {
		width = max(width, len(r))
	}
	cw := csv.NewWriter(w)
	row := make([]string, width)
	for _, r := range values {
		clear(row)
		copy(row, r)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// TabTitle is the stored tab's title made a valid Excel tab name: at most
// 31 characters, none of : \ / ? * [ ]; the sheet's name when nothing is
// left.
func TabTitle(snap *audit.Snapshot) string {
	clean := func(s string) string {
		t := strings.Map(func(r rune) rune {
			if strings.ContainsRune(`:\/?*[]`, r) {
				return '_'
			}
			return r
		}, s)
		if r := []rune(t); len(r) > 31 {
			t = string(r[:31])
		}
		return t
	}
	if t := clean(snap.Meta.Title); strings.TrimSpace(t) != "" {
		return t
	}
	return clean(snap.Sheet)
}
