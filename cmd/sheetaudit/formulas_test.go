package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets"
	"github.com/sheetaudit/sheetaudit/snapshot"
	"github.com/sheetaudit/sheetaudit/xlsx"
)

// testBackend reads and writes formulas and typed values on a test
// sheet's backend, as a person editing the sheet would.
type testBackend interface {
	audit.FormulaReader
	audit.FormulaWriter
	audit.TypedReader
	audit.TypedWriter
}

// appendConfig adds lines to the test sheet's config (its sheet entry
// comes last, so they extend it).
func appendConfig(t *testing.T, ts *testSheet, lines string) {
	t.Helper()
	cfg, err := os.ReadFile(ts.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ts.cfg, append(cfg, lines...), 0o600); err != nil {
		t.Fatal(err)
	}
}

// backendOpener returns what opens the test sheet's backend, a fresh
// handle per call, so each read sees what the CLI wrote.
func backendOpener(ts *testSheet, backend string) func(t *testing.T) testBackend {
	if backend == "xlsx" {
		book := filepath.Join(filepath.Dir(ts.cfg), "clients.xlsx")
		return func(t *testing.T) testBackend {
			wb, err := xlsx.Open(book, xlsx.Options{Logger: zaptest.NewLogger(t)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { wb.Close() })
			return wb
		}
	}
	return func(t *testing.T) testBackend {
		wb, err := sheets.New(context.Background(), sheets.Options{
			SpreadsheetID: "1RestoreTestSheet", Endpoint: ts.env["EMULATOR"], Logger: zaptest.NewLogger(t),
		})
		if err != nil {
			t.Fatal(err)
		}
		return wb
	}
}

// withFormulas turns on capture: [values, formulas] for the test sheet and
// returns what opens its backend.
func withFormulas(t *testing.T, ts *testSheet, backend string) func(t *testing.T) testBackend {
	t.Helper()
	appendConfig(t, ts, "    capture: [values, formulas]\n")
	return backendOpener(ts, backend)
}

var orderValues = [][]string{
	{"客户编号", "数量", "单价", "合计", "备注"},
	{"C00001", "2", "10", "20", "=not a formula"},
	{"C00002", "3", "10", "30"},
}

// TestRestoreFormulas: a cycle captures formulas (not text that starts with
// "="); someone pastes values over them, which the next cycle stores as a
// new version although every value is the same; restoring the first
// version, in place or into a new tab, puts the formulas back as formulas.
func TestRestoreFormulas(t *testing.T) {
	ctx := context.Background()
	formulas := map[string]string{"D2": "=B2*C2", "D3": "=B3*C3"}
	for _, b := range backendsUnderTest {
		t.Run(b.name, func(t *testing.T) {
			ts := b.new(t, orderValues, "", 1)
			backend := withFormulas(t, ts, b.name)
			if err := backend(t).WriteFormulas(ctx, "客户", formulas); err != nil {
				t.Fatal(err)
			}
			v1 := ts.cycle(t)
			if got := storedFormulas(t, ts, v1); !cmp.Equal(formulas, got) {
				t.Errorf("stored formulas of %s = %v, want %v", v1, got, formulas)
			}

			// Values pasted over the formulas: the values the tab shows
			// stay, the formulas are gone.
			shown := ts.get(t, "客户")
			ts.set(t, "客户", shown)
			v2 := ts.cycle(t)
			if v2 == v1 {
				t.Fatalf("no new version after the formulas were pasted over")
			}
			if got := storedFormulas(t, ts, v2); len(got) != 0 {
				t.Errorf("stored formulas of %s = %v, want none", v2, got)
			}

			out := ts.mustCLI(t, "restore", v1, "--in-place")
			if !strings.Contains(out, "formulas written back: 2 cells") {
				t.Errorf("restore output does not report the formulas:\n%s", out)
			}
			checkFormulas(t, backend(t), "客户", formulas)
			// The version stored after the restore has them too, so the
			// next cycle sees nothing new.
			restored := ts.ids(t)
			if got := storedFormulas(t, ts, restored[len(restored)-1]); !cmp.Equal(formulas, got) {
				t.Errorf("formulas of the version stored after the restore = %v, want %v", got, formulas)
			}
			if id := ts.cycle(t); id != restored[len(restored)-1] {
				t.Errorf("cycle after the restore stored %s, want no new version", id)
			}

			out = ts.mustCLI(t, "restore", v1)
			found := false
			for _, tab := range ts.tabs(t) {
				if strings.HasPrefix(tab, "Restored ") {
					found = true
					checkFormulas(t, backend(t), tab, formulas)
				}
			}
			if !found || !strings.Contains(out, "formulas written back: 2 cells") {
				t.Errorf("restore into a new tab: Restored tab found = %v; output:\n%s", found, out)
			}
		})
	}
}

// storedSnapshot loads version id of the test sheet from its store.
func storedSnapshot(t *testing.T, ts *testSheet, id string) *audit.Snapshot {
	t.Helper()
	st, err := snapshot.Open(context.Background(), ts.store, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	snap, err := st.Load(context.Background(), "clients", id)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func storedFormulas(t *testing.T, ts *testSheet, id string) map[string]string {
	t.Helper()
	snap := storedSnapshot(t, ts, id)
	if snap.Formulas == nil {
		t.Fatalf("snapshot %s has no formulas captured", id)
	}
	return audit.FormulaCells(snap.Formulas)
}

func checkFormulas(t *testing.T, fr audit.FormulaReader, tab string, want map[string]string) {
	t.Helper()
	got, err := fr.ReadFormulas(context.Background(), tab)
	if err != nil {
		t.Fatalf("read formulas of tab %q: %v", tab, err)
	}
	if diff := cmp.Diff(want, audit.FormulaCells(got)); diff != "" {
		t.Errorf("formulas of tab %q mismatch (-want +got):\n%s", tab, diff)
	}
}
