// Command measure runs a command and records what it cost, from the
// kernel's own accounting (wait4 rusage) rather than from a sampling tool,
// so the figures need nothing installed (no /usr/bin/time in CI):
//
//	measure -o cycle1.json [-stdout out.json] [-timeout 10m] -- sheetaudit run --once …
//
// The JSON has wall time, user and system CPU time, peak RSS (Linux
// reports ru_maxrss in KiB; the file has bytes) and the exit code. The
// exit code of measure is the command's, so scripts can still react to a
// failure; a timeout kills the command and exits 124, like timeout(1).
//go:build unix

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// Result is the file measure writes.
type Result struct {
	Command  []string `json:"command"`
	WallNS   int64    `json:"wall_ns"`
	UserNS   int64    `json:"user_ns"`
	SysNS    int64    `json:"sys_ns"`
	MaxRSS   int64    `json:"max_rss_bytes"`
	ExitCode int      `json:"exit_code"`
	TimedOut bool     `json:"timed_out,omitempty"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("measure", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the result JSON here (required)")
	toFile := fs.String("stdout", "", "send the command's standard output to this file instead of ours")
	timeout := fs.Duration("timeout", 0, "kill the command after this long (0: never)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	argv := fs.Args()
	if *out == "" || len(argv) == 0 {
		fmt.Fprintln(stderr, "measure: usage: measure -o result.json [-stdout file] [-timeout d] -- command [args]")
		return 2
	}
	ctx := context.Background()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, stdout, stderr
	if *toFile != "" {
		f, err := os.Create(*toFile)
		if err != nil {
			fmt.Fprintf(stderr, "measure: %v\n", err)
			return 2
		}
		defer f.Close()
		cmd.Stdout = f
	}
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		fmt.Fprintf(stderr, "measure: run %s: %v\n", argv[0], err)
		return 2
	}
	res := Result{Command: argv, WallNS: wall.Nanoseconds(), ExitCode: cmd.ProcessState.ExitCode()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.UserNS, res.SysNS = ru.Utime.Nano(), ru.Stime.Nano()
		res.MaxRSS = int64(ru.Maxrss)
		if runtime.GOOS != "darwin" {
			res.MaxRSS *= 1024 // KiB everywhere but macOS
		}
	}
	if ctx.Err() != nil {
		res.TimedOut, res.ExitCode = true, 124
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		fmt.Fprintf(stderr, "measure: %v\n", err)
		return 2
	}
	fmt.Fprintf(stderr, "measure: %s: wall %v, cpu %v (user %v, sys %v), peak RSS %.1f MiB, exit %d\n",
		argv[0], wall.Round(time.Millisecond), time.Duration(res.UserNS+res.SysNS).Round(time.Millisecond),
		time.Duration(res.UserNS).Round(time.Millisecond), time.Duration(res.SysNS).Round(time.Millisecond),
		float64(res.MaxRSS)/(1<<20), res.ExitCode)
	if res.ExitCode < 0 {
		return 1
	}
	return res.ExitCode
}
