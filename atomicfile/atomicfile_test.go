package atomicfile_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/sheetaudit/sheetaudit/atomicfile"
)

func TestWriteFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "report.csv")
	if err := atomicfile.WriteFile(ctx, path, []byte("v1"), atomicfile.Options{}); err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, "v1", 0o644)
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(ctx, path, []byte("v2"), atomicfile.Options{}); err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, "v2", 0o600) // the replaced file's mode stays
	if err := atomicfile.WriteFile(ctx, path, []byte("v3"), atomicfile.Options{Perm: 0o640}); err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, "v3", 0o640)
	err := atomicfile.WriteFile(ctx, path, []byte("v4"), atomicfile.Options{NoReplace: true})
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("WriteFile with NoReplace over an existing file: err = %v, want fs.ErrExist", err)
	}
	checkFile(t, path, "v3", 0o640)
	checkOnly(t, dir, "report.csv")
}

func TestWriteFailureKeepsOriginal(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "book.xlsx")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := atomicfile.Write(context.Background(), path, atomicfile.Options{}, func(w io.Writer) error {
		_, _ = io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Write = %v, want the writer's error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := atomicfile.WriteFile(ctx, path, []byte("new"), atomicfile.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("WriteFile with a cancelled context = %v, want context.Canceled", err)
	}
	checkFile(t, path, "old", 0o644)
	checkOnly(t, dir, "book.xlsx")
}

func checkFile(t *testing.T, path, want string, mode fs.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want || info.Mode().Perm() != mode {
		t.Errorf("%s = %q mode %v, want %q mode %v", path, got, info.Mode().Perm(), want, mode)
	}
}

// checkOnly fails unless dir holds exactly the named file: no temporary
// file is left behind.
func checkOnly(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != name {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %q, want only %q", names, name)
	}
}
