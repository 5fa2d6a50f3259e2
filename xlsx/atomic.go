package xlsx

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
)

// save replaces the workbook with what write produces: a temporary file in
// the same folder (so the rename stays on one file system), fsynced, renamed
// over the original, then the folder fsynced so the rename itself survives a
// power cut. On any failure the original is untouched and the temporary file
// removed.
func (w *Workbook) save(ctx context.Context, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(w.path)
	if dir == "" {
		dir = "."
	}
	mode := fs.FileMode(0o644)
	if info, err := os.Stat(w.path); err == nil {
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return saveError(w.path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			if rmErr := os.Remove(tmp.Name()); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
				w.log.Warn("remove temporary workbook", zap.String("file", tmp.Name()), zap.Error(rmErr))
			}
		}
	}()
	var out io.Writer = tmp
	if w.wrapTemp != nil {
		out = w.wrapTemp(out)
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	if err := write(bw); err != nil {
		return saveError(w.path, err)
	}
	if err := bw.Flush(); err != nil {
		return saveError(w.path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return saveError(w.path, err)
	}
	if err := tmp.Sync(); err != nil {
		return saveError(w.path, err)
	}
	if err := tmp.Close(); err != nil {
		return saveError(w.path, err)
	}
	// Last moment to give up: after the rename the write is done.
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), w.path); err != nil {
		return saveError(w.path, err)
	}
	// The cached parse describes the old file now.
	if dropErr := w.dropCache(); dropErr != nil {
		w.log.Warn("close replaced workbook", zap.String("file", w.path), zap.Error(dropErr))
	}
	if d, err := os.Open(dir); err == nil {
		// Not every file system can sync a directory; the data is safe
		// anyway, only the rename might be lost on a crash.
		if err := d.Sync(); err != nil {
			w.log.Debug("sync folder", zap.String("folder", dir), zap.Error(err))
		}
		_ = d.Close()
	}
	return nil
}

func saveError(path string, err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("save workbook %q (the folder must be writable: sheetaudit saves to a temporary file beside it and renames it): %w: %w", path, audit.ErrPermission, err)
	}
	return fmt.Errorf("save workbook %q (the original is unchanged): %w", path, err)
}
