// Package atomicfile replaces a file so that a reader sees either the old
// file or the whole new one, never half of it, also after a crash or a
// power cut: the new content goes to a temporary file in the same folder
// (so the rename stays on one file system), which is fsynced and renamed
// over the file, and then the folder is fsynced so the rename itself is
// durable. On any failure the original is untouched and the temporary file
// removed.
//
// Import rule: atomicfile imports the standard library only, so that every
// package that writes files (xlsx saves, report files, snapshot exports,
// the emulator's save, the example generator) can use it.
package atomicfile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Options say how the file is written. The zero value replaces the file,
// keeping its mode (0644 for a new file).
type Options struct {
	// Perm is the mode of the written file; zero keeps the mode of the file
	// replaced, or gives a new file 0644.
	Perm fs.FileMode
	// NoReplace refuses to replace an existing file: the error wraps
	// fs.ErrExist, also when the file appears while the new one is written.
	NoReplace bool
}

// Write writes path with what write produces, atomically. write gets a
// buffered writer on the temporary file; its error, and ctx being done
// before the rename, leave the original untouched. Errors name the step
// that failed but not path: callers add it.
func Write(ctx context.Context, path string, opts Options, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	mode := opts.Perm
	if info, serr := os.Stat(path); serr == nil {
		if opts.NoReplace {
			return fmt.Errorf("%s exists: %w", base, fs.ErrExist)
		}
		if mode == 0 {
			mode = info.Mode().Perm()
		}
	}
	if mode == 0 {
		mode = 0o644
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("create a temporary file beside it: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			if rmErr := os.Remove(tmp.Name()); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
				err = errors.Join(err, fmt.Errorf("remove the temporary file: %w", rmErr))
			}
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write the temporary file: %w", err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("set the mode of the temporary file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync the temporary file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close the temporary file: %w", err)
	}
	// Last moment to give up: after the rename the write is done.
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := replace(tmp.Name(), path, opts.NoReplace); err != nil {
		return err
	}
	// Not every file system can sync a folder; the data is safe anyway,
	// only the rename might be lost on a crash.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// WriteFile writes data to path atomically (see Write).
func WriteFile(ctx context.Context, path string, data []byte, opts Options) error {
	return Write(ctx, path, opts, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// replace moves tmp to path. With noReplace a hard link, which fails when
// path exists, stands in for the rename, so a file that appeared meanwhile
// is never replaced; a file system without hard links gets a check and a
// rename.
func replace(tmp, path string, noReplace bool) error {
	if !noReplace {
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("rename the temporary file over it: %w", err)
		}
		return nil
	}
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		_ = os.Remove(tmp)
		return nil
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s exists: %w", filepath.Base(path), fs.ErrExist)
	}
	if _, serr := os.Lstat(path); !errors.Is(serr, fs.ErrNotExist) {
		return fmt.Errorf("%s exists: %w", filepath.Base(path), fs.ErrExist)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename the temporary file to it: %w", err)
	}
	return nil
}
