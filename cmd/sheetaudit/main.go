// Command sheetaudit keeps a team's shared customer sheet honest: it
// snapshots, diffs, validates and reports on Google Sheets or .xlsx
// workbooks. This package is the only composition root: it reads flags,
// environment and signals, and maps the configuration onto each package.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // schedules and "today" need zone data even in scratch containers
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
