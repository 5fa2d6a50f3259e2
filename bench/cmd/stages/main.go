// Command stages times sheetaudit's in-memory stages on the benchmark's
// generated files, so they can be set beside the peers that run on the
// same files (daff's diff, the npm Table Schema validator):
//
//	stages -v1 v1/客户.csv -v2 v2/客户.csv -schema schema.json -key 客户编号 -count 5
//
// It reads both CSVs, parses them as tables (audit.ParseTable), compiles
// the schema's rules (audit.LoadTableSchema, audit.Compile) and times,
// each -count times: validation of v2 (Rules.Check), the keyed diff
// v1 → v2 (audit.Diff) and the Change Log rows of that diff
// (audit.ChangeLogRows, uncapped). It prints one JSON object with the
// fastest and the median time of each stage and the bytes it allocated
// per run. The same code paths have go test benchmarks in audit
// (BenchmarkDiff, BenchmarkChangeLogRows, BenchmarkValidate); this
// program exists to run them on exactly the files the peers read.
package main

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// Stage is the timing of one stage.
type Stage struct {
	MinNS    int64  `json:"min_ns"`
	MedianNS int64  `json:"median_ns"`
	Bytes    uint64 `json:"alloc_bytes"`
	Allocs   uint64 `json:"allocs"`
	Runs     int    `json:"runs"`
}

// Report is what stages prints.
type Report struct {
	Rows     int `json:"rows"`
	Cols     int `json:"cols"`
	Changes  int `json:"changes"`
	LogRows  int `json:"change_log_rows"`
	Findings int `json:"findings"`
	// ReadCSV is reading and parsing both CSV files (encoding/csv), and
	// ParseTables turning both into keyed tables: with Diff they make the
	// whole job the daff CLI does on the same files.
	ReadCSV     Stage `json:"read_csv"`
	ParseTables Stage `json:"parse_tables"`
	Validate    Stage `json:"validate"`
	Diff        Stage `json:"diff"`
	ChangeLog   Stage `json:"change_log"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stages", flag.ContinueOnError)
	fs.SetOutput(stderr)
	v1Path := fs.String("v1", "", "older version (CSV, header first)")
	v2Path := fs.String("v2", "", "newer version (CSV)")
	schemaPath := fs.String("schema", "", "Frictionless Table Schema of the rules")
	key := fs.String("key", "客户编号", "key column")
	count := fs.Int("count", 5, "runs of each stage")
	dump := fs.String("findings", "", "also write the validation findings to this JSON file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *v1Path == "" || *v2Path == "" || *schemaPath == "" || *count < 1 {
		fmt.Fprintln(stderr, "stages: need -v1, -v2, -schema and -count ≥ 1")
		return 2
	}
	rep, findings, err := measure(*v1Path, *v2Path, *schemaPath, *key, *count)
	if err != nil {
		fmt.Fprintf(stderr, "stages: %v\n", err)
		return 1
	}
	if *dump != "" {
		b, _ := json.MarshalIndent(findings, "", "  ")
		if err := os.WriteFile(*dump, b, 0o644); err != nil {
			fmt.Fprintf(stderr, "stages: %v\n", err)
			return 1
		}
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	fmt.Fprintln(stdout, string(b))
	return 0
}

func measure(v1Path, v2Path, schemaPath, key string, count int) (*Report, []audit.Finding, error) {
	rep := &Report{}
	var v1, v2 [][]string
	var err error
	rep.ReadCSV, err = timeIt(count, func() error {
		if v1, err = readCSV(v1Path); err != nil {
			return err
		}
		v2, err = readCSV(v2Path)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var t1, t2 *audit.Table
	rep.ParseTables, err = timeIt(count, func() error {
		if t1, err = audit.ParseTable(v1, 1, []string{key}); err != nil {
			return fmt.Errorf("%s: %w", v1Path, err)
		}
		if t2, err = audit.ParseTable(v2, 1, []string{key}); err != nil {
			return fmt.Errorf("%s: %w", v2Path, err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	rep.Rows, rep.Cols = len(t2.Rows), len(t2.Header)

	schema, err := os.ReadFile(schemaPath)
	if err != nil {
		return nil, nil, fmt.Errorf("read schema: %w", err)
	}
	rs, _, err := audit.LoadTableSchema(schema)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", schemaPath, err)
	}
	rules, err := audit.Compile(rs)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", schemaPath, err)
	}
	now := time.Now()
	var findings []audit.Finding
	rep.Validate, _ = timeIt(count, func() error {
		findings = rules.Check(t2, now, time.UTC, nil)
		return nil
	})
	rep.Findings = len(findings)
	var changes []audit.Change
	rep.Diff, _ = timeIt(count, func() error {
		changes = audit.Diff(t1, t2)
		return nil
	})
	rep.Changes = len(changes)
	rep.ChangeLog, _ = timeIt(count, func() error {
		rep.LogRows = len(audit.ChangeLogRows(changes, now, "v1", "v2", 0))
		return nil
	})
	return rep, findings, nil
}

func readCSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", path, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", path, err)
	}
	return recs, nil
}

// timeIt runs f count times after a collection, and returns the fastest
// and median wall time and the mean allocation per run.
func timeIt(count int, f func() error) (Stage, error) {
	var ds []int64
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range count {
		start := time.Now()
		if err := f(); err != nil {
			return Stage{}, err
		}
		ds = append(ds, time.Since(start).Nanoseconds())
	}
	runtime.ReadMemStats(&after)
	slices.Sort(ds)
	n := uint64(count)
	return Stage{
		MinNS: ds[0], MedianNS: ds[len(ds)/2], Runs: count,
		Bytes:  (after.TotalAlloc - before.TotalAlloc) / n,
		Allocs: (after.Mallocs - before.Mallocs) / n,
	}, nil
}
