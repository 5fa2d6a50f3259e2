package snapshot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
)

func appendEntries(t *testing.T, s *Store, sheet string, cycles ...string) {
	t.Helper()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i, c := range cycles {
		e := audit.ChainEntry{Cycle: c, Time: at.Add(time.Duration(i) * time.Minute),
			Rows: [][]string{{"2026-12-01 09:00:00", "modified", "C1", "电话", "1", "2", "snap", c}}}
		got, err := s.AppendChanges(context.Background(), sheet, e)
		if err != nil {
			t.Fatalf("AppendChanges(%s): %v", c, err)
		}
		if got.Seq != i+1 {
			t.Fatalf("AppendChanges(%s).Seq = %d, want %d", c, got.Seq, i+1)
		}
	}
}

func TestChangelogAppendAndRead(t *testing.T) {
	for name, open := range map[string]opener{"mem": memOpener, "file": fileOpener} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t, newClock(), Options{})
			if got, err := s.ChangeHistory(ctx, "客户"); err != nil || len(got) != 0 {
				t.Fatalf("ChangeHistory(empty) = %v, %v; want none, nil", got, err)
			}
			appendEntries(t, s, "客户", "c1", "c2", "c3")
			// A retried cycle appends nothing.
			again, err := s.AppendChanges(ctx, "客户", audit.ChainEntry{Cycle: "c3", Rows: [][]string{{"x"}}})
			if err != nil || again.Seq != 3 {
				t.Fatalf("AppendChanges(c3 again) = %+v, %v; want entry 3", again, err)
			}
			got, err := s.ChangeHistory(ctx, "客户")
			if err != nil {
				t.Fatal(err)
			}
			var cycles []string
			for _, e := range got {
				cycles = append(cycles, e.Cycle)
			}
			if diff := cmp.Diff([]string{"c1", "c2", "c3"}, cycles); diff != "" {
				t.Errorf("cycles mismatch (-want +got):\n%s", diff)
			}
			if got[1].Rows[0][3] != "电话" || !got[1].Time.Equal(time.Date(2026, 12, 1, 9, 1, 0, 0, time.UTC)) {
				t.Errorf("entry 2 = %+v", got[1])
			}
		})
	}
}

// Writers racing append every entry, one after the other: the chain does
// not fork.
func TestChangelogConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "store")
	s := openURL(t, root, newClock(), Options{})
	// Stores do not share their caches: as two processes would, they race
	// for the same places.
	stores := []*Store{s, openURL(t, root, newClock(), Options{}), openURL(t, root, newClock(), Options{})}
	var wg sync.WaitGroup
	errs := make([]error, 9)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = stores[i%len(stores)].AppendChanges(ctx, "s", audit.ChainEntry{Cycle: "w" + string(rune('a'+i)), Rows: [][]string{{"r"}}})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, p, err := s.VerifyChangelog(ctx, "s")
	if err != nil || p != nil || len(got) != len(errs) {
		t.Fatalf("VerifyChangelog = %d entries, %v, %v; want %d, intact", len(got), p, err, len(errs))
	}
	files, err := os.ReadDir(filepath.Join(root, "sheets/s/changelog"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(errs) {
		var names []string
		for _, f := range files {
			names = append(names, f.Name())
		}
		t.Errorf("changelog folder holds %v, want only the %d entries (no temp file left)", names, len(errs))
	}
}

// Every kind of tampering with the stored chain names the entry at fault.
func TestChangelogVerifyBroken(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		want   string // object at fault
	}{
		{"flipped byte in a row", func(t *testing.T, dir string) {
			flip(t, filepath.Join(dir, "000000000002.json"), `"电话"`)
		}, "000000000002.json"},
		{"flipped byte in the last entry", func(t *testing.T, dir string) {
			flip(t, filepath.Join(dir, "000000000003.json"), `"modified"`)
		}, "000000000003.json"},
		{"entry deleted", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "000000000002.json")); err != nil {
				t.Fatal(err)
			}
		}, "000000000002.json"},
		{"entry replaced whole, with a consistent hash", func(t *testing.T, dir string) {
			// Rewrite entry 1 through a second chain: valid on its own, but
			// not the entry that entry 2 was built on.
			other := filepath.Join(t.TempDir(), "other")
			o, err := Open(ctx, other, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			if _, err := o.AppendChanges(ctx, "s", audit.ChainEntry{Cycle: "forged", Rows: [][]string{{"x"}}}); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(other, "sheets/s/changelog/000000000001.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "000000000001.json"), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "000000000002.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "store")
			s := openURL(t, root, newClock(), Options{})
			appendEntries(t, s, "s", "c1", "c2", "c3")
			tc.tamper(t, filepath.Join(root, "sheets/s/changelog"))
			_, p, err := s.VerifyChangelog(ctx, "s")
			if err != nil {
				t.Fatal(err)
			}
			if p == nil || !strings.HasSuffix(p.Object, tc.want) {
				t.Fatalf("VerifyChangelog problem = %v, want one at %s", p, tc.want)
			}
			if ps, err := s.Verify(ctx, false); err != nil || len(ps) != 1 || !strings.HasSuffix(ps[0].Object, tc.want) {
				t.Errorf("Verify = %v, %v; want the chain's problem at %s", ps, err, tc.want)
			}
			// A Store keeps the entries it verified; another process (a
			// new Store) reads the chain and finds the break.
			fresh := openURL(t, root, newClock(), Options{})
			if _, err := fresh.ChangeHistory(ctx, "s"); !errors.Is(err, audit.ErrInvalid) {
				t.Errorf("ChangeHistory error = %v, want ErrInvalid", err)
			}
			if _, err := fresh.AppendChanges(ctx, "s", audit.ChainEntry{Cycle: "c9", Rows: [][]string{{"x"}}}); !errors.Is(err, audit.ErrInvalid) {
				t.Errorf("AppendChanges on a broken chain: error %v, want ErrInvalid", err)
			}
		})
	}
}

// flip changes one byte of the first occurrence of within in file.
func flip(t *testing.T, file, within string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte(within))
	if i < 0 {
		t.Fatalf("%s has no %s", file, within)
	}
	data[i+2] ^= 0x01
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A second Store (another process) appending to the same chain: each
// builds on the other's entries, and each reads only what is new.
func TestChangelogTwoStores(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "store")
	a := openURL(t, root, newClock(), Options{})
	b := openURL(t, root, newClock(), Options{})
	for i, s := range []*Store{a, b, a, b} {
		got, err := s.AppendChanges(ctx, "s", audit.ChainEntry{Cycle: fmt.Sprintf("c%d", i+1), Rows: [][]string{{"r"}}})
		if err != nil || got.Seq != i+1 {
			t.Fatalf("append %d = %+v, %v; want entry %d", i+1, got, err, i+1)
		}
	}
	for _, s := range []*Store{a, b} {
		got, err := s.ChangeHistory(ctx, "s")
		if err != nil || len(got) != 4 {
			t.Errorf("ChangeHistory = %d entries, %v; want 4", len(got), err)
		}
	}
	if _, p, err := a.VerifyChangelog(ctx, "s"); p != nil || err != nil {
		t.Errorf("VerifyChangelog = %v, %v", p, err)
	}
}
