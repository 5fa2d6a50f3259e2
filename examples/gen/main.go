// Command gen writes the example workbook examples/clients.xlsx:
//
//	go run ./examples/gen -out examples/clients.xlsx
//
// The output depends only on the flags; a test keeps the committed file
// equal to what the defaults produce.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sheetaudit/sheetaudit/examples/clientbook"
	"github.com/sheetaudit/sheetaudit/examples/clientgen"
)

// Defaults of the committed example.
const (
	defaultRows = 300
	defaultSeed = 20261120
	defaultBase = "2026-11-20"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "examples/clients.xlsx", "workbook to write")
	rows := fs.Int("rows", defaultRows, "number of data rows")
	seed := fs.Int64("seed", defaultSeed, "random seed")
	base := fs.String("base", defaultBase, "follow-up dates fall in the 120 days before this date (YYYY-MM-DD)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	day, err := time.Parse(clientgen.DateLayout, *base)
	if err != nil || *rows < 0 {
		fmt.Fprintf(stderr, "gen: invalid -base %q or -rows %d\n", *base, *rows)
		return 2
	}
	if err := clientbook.WriteXLSX(*out, clientgen.Rows(*seed, *rows, day)); err != nil {
		fmt.Fprintf(stderr, "gen: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s: %d rows, seed %d\n", *out, *rows, *seed)
	return 0
}
