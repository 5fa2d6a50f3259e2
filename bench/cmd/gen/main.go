// Command gen writes the benchmark data set into a folder:
//
//	go run ./bench/cmd/gen -rows 200000 -cols 12 -out /tmp/data
//
// writes v1/客户.csv (the sheet), v2/客户.csv (the next version after
// -churn of the rows changed), top/客户.csv (v2 with one row inserted
// under the header: the cycle after v2), schema.json (the Frictionless Table Schema both
// sheetaudit and the npm validator check) and gen.json (sizes and churn
// counts). The file name is the tab name: the emulator loads a .csv as one
// tab named after the file. With -format xlsx the versions are written as
// .xlsx workbooks instead (slow past a million cells).
//
// With -fleet N it writes N different spreadsheets instead, for
// `sheetaudit emulator --load-dir`: fleet/<id>/客户.csv with id FleetID(i)
// and seed -seed + i, plus schema.json and gen.json.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/sheetaudit/sheetaudit/bench/gen"
	"github.com/sheetaudit/sheetaudit/examples/clientbook"
	"github.com/sheetaudit/sheetaudit/examples/clientgen"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// info is gen.json: what was generated, for the results file.
type info struct {
	Rows   int       `json:"rows"`
	Cols   int       `json:"cols"`
	Seed   int64     `json:"seed"`
	Base   string    `json:"base"`
	Churn  float64   `json:"churn"`
	Tab    string    `json:"tab"`
	Stats  gen.Stats `json:"stats"`
	V1Rows int       `json:"v1_rows"`
	V2Rows int       `json:"v2_rows"`
	Cells  int       `json:"cells"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "folder to write into (required)")
	rows := fs.Int("rows", 2000, "data rows")
	cols := fs.Int("cols", 12, "columns")
	seed := fs.Int64("seed", 7, "random seed")
	churn := fs.Float64("churn", 0.01, "share of rows changed in v2")
	base := fs.String("base", "2026-11-20", "export day: follow-up dates fall in the 120 days before it (YYYY-MM-DD)")
	format := fs.String("format", "csv", "csv or xlsx")
	fleet := fs.Int("fleet", 0, "instead of three versions of one sheet: this many spreadsheets, fleet/fleet-NNNN/客户.csv, seeds -seed+1…")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	day, err := time.Parse(clientgen.DateLayout, *base)
	if *fleet > 0 && *out != "" && err == nil && *rows >= 1 && *cols >= 1 {
		if err := writeFleet(*out, *fleet, gen.Spec{Rows: *rows, Cols: *cols, Seed: *seed, Base: day}, stdout); err != nil {
			fmt.Fprintf(stderr, "gen: %v\n", err)
			return 1
		}
		return 0
	}
	if *out == "" || err != nil || *rows < 1 || *cols < 1 || *churn < 0 || *churn > 1 ||
		(*format != "csv" && *format != "xlsx") {
		fmt.Fprintln(stderr, "gen: need -out, -rows ≥ 1, -cols ≥ 1, 0 ≤ -churn ≤ 1, -base YYYY-MM-DD, -format csv|xlsx")
		return 2
	}
	if err := write(*out, *format, gen.Spec{Rows: *rows, Cols: *cols, Seed: *seed, Base: day}, *churn, stdout); err != nil {
		fmt.Fprintf(stderr, "gen: %v\n", err)
		return 1
	}
	return 0
}

func write(dir, format string, spec gen.Spec, churn float64, stdout io.Writer) error {
	v1 := gen.Sheet(spec)
	v2, st := gen.Churn(v1, churn, spec.Seed+1, spec.Base)
	top := gen.InsertTop(v2, spec.Seed+2, spec.Base)
	for name, values := range map[string][][]string{"v1": v1, "v2": v2, "top": top} {
		path := filepath.Join(dir, name, clientgen.Tab+"."+format)
		var err error
		if format == "xlsx" {
			if err = os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
				err = clientbook.WriteXLSX(path, values)
			}
		} else {
			err = gen.WriteCSV(path, values)
		}
		if err != nil {
			return err
		}
	}
	schema, err := gen.Schema(v1[0], spec.Base)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "schema.json"), schema, 0o644); err != nil {
		return fmt.Errorf("write schema: %w", err)
	}
	meta, err := json.MarshalIndent(info{
		Rows: spec.Rows, Cols: spec.Cols, Seed: spec.Seed, Base: spec.Base.Format(clientgen.DateLayout),
		Churn: churn, Tab: clientgen.Tab, Stats: st, V1Rows: len(v1) - 1, V2Rows: len(v2) - 1,
		Cells: spec.Rows * spec.Cols,
	}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode gen.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gen.json"), append(meta, '\n'), 0o644); err != nil {
		return fmt.Errorf("write gen.json: %w", err)
	}
	fmt.Fprintf(stdout, "gen: %d rows × %d cols into %s; v2: %d edited (%d cells), %d added, %d removed\n",
		spec.Rows, spec.Cols, dir, st.Edited, st.Cells, st.Added, st.Removed)
	return nil
}

// FleetID is the spreadsheet id of the i-th sheet of a fleet (1-based).
func FleetID(i int) string { return fmt.Sprintf("fleet-%04d", i) }

// writeFleet writes n spreadsheets of spec's size, each from its own seed,
// two at a time (generation and CSV encoding are CPU-bound).
func writeFleet(dir string, n int, spec gen.Spec, stdout io.Writer) error {
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), n)) {
		wg.Go(func() {
			for i := range next {
				sp := spec
				sp.Seed = spec.Seed + int64(i)
				errs[i-1] = gen.WriteCSV(filepath.Join(dir, "fleet", FleetID(i), clientgen.Tab+".csv"), gen.Sheet(sp))
			}
		})
	}
	for i := 1; i <= n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	schema, err := gen.Schema(gen.Header(spec.Cols), spec.Base)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "schema.json"), schema, 0o644); err != nil {
		return fmt.Errorf("write schema: %w", err)
	}
	meta, err := json.MarshalIndent(map[string]any{
		"fleet": n, "rows": spec.Rows, "cols": spec.Cols, "seed": spec.Seed,
		"base": spec.Base.Format(clientgen.DateLayout), "tab": clientgen.Tab, "cells": n * spec.Rows * spec.Cols,
	}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode gen.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gen.json"), append(meta, '\n'), 0o644); err != nil {
		return fmt.Errorf("write gen.json: %w", err)
	}
	fmt.Fprintf(stdout, "gen: %d spreadsheets of %d rows × %d cols into %s\n", n, spec.Rows, spec.Cols, filepath.Join(dir, "fleet"))
	return nil
}
