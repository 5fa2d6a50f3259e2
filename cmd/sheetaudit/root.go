package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/sheetaudit/sheetaudit/config"
)

// Exit codes, decided here only.
const (
	exitOK      = 0
	exitFailed  = 1 // the command ran and found errors, or a sheet failed
	exitCantRun = 2 // bad flags, bad config, unreachable store
	exitHeld    = 3 // another instance holds the sheet's lease; nothing was done to it
)

// version is set by the linker: -ldflags "-X main.version=v1.2.3".
var version = "dev"

// exitError carries an exit code up to run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// failed marks err as a finding-level failure (exit 1) rather than a
// could-not-run error (exit 2).
func failed(err error) error { return &exitError{code: exitFailed, err: err} }

// app holds what every command shares: the process environment, streams
// and global flags.
type app struct {
	getenv         func(string) string
	stdout, stderr io.Writer
	configPath     string
	logLevel       string
	logFormat      string
	leaseTTL       time.Duration
	leaseWait      time.Duration
	log            *zap.Logger
}

// run is main without the process: tests call it with their own args,
// environment and buffers.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	a := &app{getenv: getenv, stdout: stdout, stderr: stderr}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if a.log != nil {
		_ = a.log.Sync()
	}
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "sheetaudit:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitCantRun
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "sheetaudit",
		Short:         "Keep a team's shared customer sheet honest",
		Long:          "sheetaudit snapshots, diffs, validates and reports on a shared customer sheet (Google Sheets or .xlsx).",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			log, err := newLogger(a.stderr, a.logLevel, a.logFormat)
			if err != nil {
				return err
			}
			a.log = log
			if !cmd.Flags().Changed("config") {
				if p := a.getenv("SHEETAUDIT_CONFIG"); p != "" {
					a.configPath = p
				}
			}
			if a.leaseTTL < time.Second {
				return &exitError{code: exitCantRun, err: fmt.Errorf("--lease-ttl %s: want at least 1s", a.leaseTTL)}
			}
			return nil
		},
	}
	root.PersistentFlags().StringVar(&a.configPath, "config", "./sheetaudit.yaml", "configuration file; when not given, $SHEETAUDIT_CONFIG if set")
	root.PersistentFlags().StringVar(&a.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	root.PersistentFlags().StringVar(&a.logFormat, "log-format", "", "log format: json or console (default: console on a terminal, else json)")
	root.PersistentFlags().DurationVar(&a.leaseTTL, "lease-ttl", time.Minute, "how long a sheet's lease lasts unless renewed (renewed every third)")
	root.PersistentFlags().DurationVar(&a.leaseWait, "lease-wait", 30*time.Second, "how long one-shot commands wait for another instance to release a sheet")
	root.AddCommand(
		a.versionCmd(),
		a.validateCmd(),
		a.reportCmd(),
		a.statusCmd(),
		a.configCmd(),
		a.runCmd(),
		a.emulatorCmd(),
		a.snapshotsCmd(),
		a.restoreCmd(),
		a.historyCmd(),
	)
	return root
}

// newLogger logs to w in format ("json", "console", or "" for
// human-readable on a terminal and JSON otherwise).
func newLogger(w io.Writer, level, format string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, &exitError{code: exitCantRun, err: fmt.Errorf("--log-level %q: want debug, info, warn or error", level)}
	}
	console := isTerminal(w)
	switch format {
	case "":
	case "json":
		console = false
	case "console":
		console = true
	default:
		return nil, &exitError{code: exitCantRun, err: fmt.Errorf("--log-format %q: want json or console", format)}
	}
	encCfg := zap.NewProductionEncoderConfig()
	encCfg.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	if console {
		encCfg.EncodeLevel = zapcore.CapitalColorLevelEncoder
		enc = zapcore.NewConsoleEncoder(encCfg)
	} else {
		enc = zapcore.NewJSONEncoder(encCfg)
	}
	return zap.New(zapcore.NewCore(enc, zapcore.AddSync(w), lvl)), nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// loadConfig reads --config.
func (a *app) loadConfig() (*config.Config, error) {
	cfg, err := config.Load(a.configPath, a.getenv)
	if err != nil {
		return nil, &exitError{code: exitCantRun, err: err}
	}
	return cfg, nil
}

// sheetsOf returns the configured sheets, or the one named by --sheet.
func sheetsOf(cfg *config.Config, name string) ([]config.Sheet, error) {
	if name == "" {
		return cfg.Sheets, nil
	}
	s, ok := cfg.Sheet(name)
	if !ok {
		names := make([]string, len(cfg.Sheets))
		for i, s := range cfg.Sheets {
			names[i] = s.Name
		}
		return nil, &exitError{code: exitCantRun, err: fmt.Errorf("--sheet %q is not in the configuration (sheets: %v)", name, names)}
	}
	return []config.Sheet{*s}, nil
}

// checkFormat validates a --format flag.
func checkFormat(format string, allowed ...string) error {
	for _, f := range allowed {
		if format == f {
			return nil
		}
	}
	return &exitError{code: exitCantRun, err: fmt.Errorf("--format %q: want one of %v", format, allowed)}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
