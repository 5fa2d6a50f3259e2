package xlsx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/atomicfile"
	"github.com/sheetaudit/sheetaudit/audit"
)

// save replaces the workbook with what write produces, atomically (see
// atomicfile): on any failure the original is untouched.
func (w *Workbook) save(ctx context.Context, write func(io.Writer) error) error {
	err := atomicfile.Write(ctx, w.path, atomicfile.Options{}, func(out io.Writer) error {
		if w.wrapTemp != nil {
			out = w.wrapTemp(out)
		}
		return write(out)
	})
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if err != nil {
		return saveError(w.path, err)
	}
	// The cached parse describes the old file now.
	if dropErr := w.dropCache(); dropErr != nil {
		w.log.Warn("close replaced workbook", zap.String("file", w.path), zap.Error(dropErr))
	}
	return nil
}

func saveError(path string, err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("save workbook %q (the folder must be writable: sheetaudit saves to a temporary file beside it and renames it): %w: %w", path, audit.ErrPermission, err)
	}
	return fmt.Errorf("save workbook %q (the original is unchanged): %w", path, err)
}
