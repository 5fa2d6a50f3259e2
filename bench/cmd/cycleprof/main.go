// Command cycleprof runs one cycle of the first sheet of a config in
// process, the way `sheetaudit run --once` wires it (Google backend,
// snapshot store, rules from the sheet's schema:), under the CPU and heap
// profilers, so a missed benchmark target comes with its evidence:
//
//	cycleprof -config bench.yaml -cpuprofile cpu.pprof -memprofile heap.pprof
//	go tool pprof -top cpu.pprof
//
// bench/run.sh --profile runs it on a copy of the store as it was before
// cycle 2, against version 2, so the profile is of the 1% churn cycle.
// The heap profile is the "allocs" profile at the end of the cycle: read it
// with -sample_index=alloc_space for what the cycle allocated.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"go.uber.org/zap"
	_ "gocloud.dev/blob/fileblob" // the bench configs store in a folder
	_ "gocloud.dev/blob/memblob"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/sheets"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

func main() { os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cycleprof", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "sheetaudit config; its first sheet must have a google source (required)")
	cpu := fs.String("cpuprofile", "", "write a CPU profile here")
	mem := fs.String("memprofile", "", "write a heap profile here")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cfgPath == "" {
		fmt.Fprintln(stderr, "cycleprof: need -config")
		return 2
	}
	cfg, err := config.Load(*cfgPath, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "cycleprof: %v\n", err)
		return 2
	}
	if len(cfg.Sheets) == 0 || cfg.Sheets[0].Source.Google == nil {
		fmt.Fprintln(stderr, "cycleprof: the config's first sheet must read from Google (the emulator)")
		return 2
	}
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err != nil {
			fmt.Fprintf(stderr, "cycleprof: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "cycleprof: %v\n", err)
			return 1
		}
	}
	start := time.Now()
	res, err := cycle(ctx, cfg, cfg.Sheets[0])
	if *cpu != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		fmt.Fprintf(stderr, "cycleprof: %v\n", err)
		return 1
	}
	if *mem != "" {
		if err := writeHeap(*mem); err != nil {
			fmt.Fprintf(stderr, "cycleprof: %v\n", err)
			return 1
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(stdout, "cycle %s: %d rows, %d changes, new snapshot %v, %v; Go heap: peak in use ≤ %d MiB (HeapSys), %d MiB allocated in total\n",
		res.Sheet, res.Rows, res.Changes, res.NewSnapshot, time.Since(start).Round(time.Millisecond),
		ms.HeapSys>>20, ms.TotalAlloc>>20)
	return 0
}

func writeHeap(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write heap profile: %w", err)
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		return fmt.Errorf("write heap profile: %w", err)
	}
	return nil
}

// cycle wires one sheet as cmd/sheetaudit does for `run --once` (without
// staleness, which the benchmark config does not use).
func cycle(ctx context.Context, cfg *config.Config, s config.Sheet) (*audit.Result, error) {
	log := zap.NewNop()
	store, err := snapshot.Open(ctx, cfg.Store, snapshot.Options{Logger: log, Location: cfg.Location()})
	if err != nil {
		return nil, fmt.Errorf("open store %q: %w", cfg.Store, err)
	}
	defer store.Close()
	wb, err := sheets.New(ctx, sheets.Options{SpreadsheetID: s.Source.Google.SpreadsheetID, Endpoint: s.Source.Google.Endpoint, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("open sheet %q: %w", s.Name, err)
	}
	var rules *audit.Rules
	if s.Schema != "" {
		data, err := os.ReadFile(s.Schema)
		if err != nil {
			return nil, fmt.Errorf("read schema: %w", err)
		}
		rs, _, err := audit.LoadTableSchema(data)
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", s.Schema, err)
		}
		if rules, err = audit.Compile(rs); err != nil {
			return nil, fmt.Errorf("schema %s: %w", s.Schema, err)
		}
	}
	c := &audit.Cycle{
		Spec: audit.Spec{
			Name: s.Name, Tab: s.Tab, HeaderRow: s.HeaderRow, Key: s.Key,
			ChangeLogTab: s.WriteBack.ChangeLogTab, ChangeLogLimit: s.WriteBack.ChangeLogLimit,
			Rules: rules, ReviewTab: s.WriteBack.ReviewTab, Locale: cfg.Locale,
		},
		Workbook: wb, Store: store, State: store, Logger: log, Location: cfg.Location(),
	}
	return c.Run(ctx)
}
