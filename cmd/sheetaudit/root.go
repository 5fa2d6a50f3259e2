package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/redact"
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
	// console is whether stderr is a terminal (checked before redaction
	// wraps it): logs are then human-readable.
	console    bool
	configPath string
	logLevel   string
	logFormat  string
	leaseTTL   time.Duration
	leaseWait  time.Duration
	log        *zap.Logger
	// redact is the process's one redactor: every printed line, log line
	// and recorded error passes it. It learns the configured secrets when
	// the configuration is loaded.
	redact *redact.Redactor
}

// run is main without the process: tests call it with their own args,
// environment and buffers.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	red := redact.New()
	addEnvSecrets(red, getenv)
	a := &app{getenv: getenv, stdout: red.Writer(stdout), stderr: red.Writer(stderr), console: isTerminal(stderr), redact: red}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	if a.log != nil {
		_ = a.log.Sync()
	}
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(a.stderr, "sheetaudit:", red.String(sentence(err.Error())))
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
			console := a.console
			switch a.logFormat {
			case "console":
				console = true
			case "json":
				console = false
			case "auto":
			default:
				return &exitError{code: exitCantRun, err: fmt.Errorf("--log-format %q: want auto, console or json", a.logFormat)}
			}
			log, err := newLogger(a.stderr, a.logLevel, console)
			if err != nil {
				return err
			}
			a.log = zap.New(a.redact.Core(log.Core()))
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
	root.PersistentFlags().StringVar(&a.logFormat, "log-format", "auto", "log format: auto (console on a terminal, JSON otherwise), console, json")
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
		a.restoresCmd(),
		a.historyCmd(),
		a.changelogCmd(),
		a.accessCmd(),
	)
	return root
}

// newLogger logs to w: human-readable with console, JSON otherwise.
func newLogger(w io.Writer, level string, console bool) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, &exitError{code: exitCantRun, err: fmt.Errorf("--log-level %q: want debug, info, warn or error", level)}
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
	cfg, err := config.Load(a.configPath, a.getenv, checkRules)
	if errors.Is(err, fs.ErrNotExist) {
		err = fmt.Errorf("configuration file %s not found: commands read ./sheetaudit.yaml unless --config FILE or $SHEETAUDIT_CONFIG names another (the quick start's is examples/sheetaudit.yaml)", a.configPath)
	}
	if err != nil {
		return nil, &exitError{code: exitCantRun, err: err}
	}
	addConfigSecrets(a.redact, cfg)
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
		return nil, &exitError{code: exitCantRun, err: fmt.Errorf("--sheet %q is not in the configuration; its sheets are %s", name, strings.Join(names, ", "))}
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
	return &exitError{code: exitCantRun, err: fmt.Errorf("--format %q: use %s", format, orList(allowed))}
}

// orList writes "a", "a or b", "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// exactArgs is cobra.ExactArgs with a sentence that names the arguments
// and shows the usage.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == len(names) {
			return nil
		}
		got := "none"
		if len(args) > 0 {
			got = fmt.Sprintf("%d (%s)", len(args), strings.Join(args, " "))
		}
		name := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
		return fmt.Errorf("%s takes %s, got %s; usage: %s", name, strings.Join(names, " and "), got, cmd.UseLine())
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// sentence makes an error's text read as a sentence for the operator.
// Wrapping with %w leaves the bare text of audit's sentinels in a line
// ("…; fix key: or header_row: invalid", "… (check the path): not found:
// stat …"): "invalid" never says more than the text before it and is
// dropped; "not found", "permission denied" and "unavailable" are dropped
// where the text around them already says it (after a hint in
// parentheses or a sentence with a semicolon, or before the underlying
// error), and kept where they are the only word on what happened ("tab
// \"客户\": not found"). A prefix repeated by two layers ("staleness:
// staleness: …") is said once. Errors keep their chain for errors.Is; only
// the printed text changes.
func sentence(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = sentenceLine(l)
	}
	return strings.Join(lines, "\n")
}

// sentinels are the texts of audit's sentinel errors.
var sentinels = []string{audit.ErrInvalid.Error(), audit.ErrNotFound.Error(), audit.ErrPermission.Error(), audit.ErrUnavailable.Error()}

func sentenceLine(l string) string {
	// Parts between ": " and "; " separators, each with the separator
	// before it ("" for the first).
	type part struct{ sep, text string }
	var parts []part
	sep := ""
	for l != "" {
		i := strings.Index(l, ": ")
		j := strings.Index(l, "; ")
		k, next := -1, ""
		switch {
		case i >= 0 && (j < 0 || i < j):
			k, next = i, ": "
		case j >= 0:
			k, next = j, "; "
		}
		if k < 0 {
			parts = append(parts, part{sep, l})
			break
		}
		parts = append(parts, part{sep, l[:k]})
		sep, l = next, l[k+2:]
	}
	var out []part
	for n, p := range parts {
		switch {
		case len(out) > 0 && p.sep == ": " && p.text == out[len(out)-1].text:
			continue // "staleness: staleness: …"
		case len(parts) > 1 && slices.Contains(sentinels, p.text):
			prev := ""
			if len(out) > 0 {
				prev = out[len(out)-1].text
			}
			followed := n+1 < len(parts) && parts[n+1].sep == ": "
			said := p.text == audit.ErrInvalid.Error() || followed ||
				strings.HasSuffix(prev, ")") || len(out) > 1 && out[len(out)-1].sep == "; "
			if said && len(out) > 0 {
				if p.sep == "; " && n+1 < len(parts) && parts[n+1].sep == ": " {
					// "…: invalid; sheet …" keeps the "; " before what follows.
					parts[n+1].sep = "; "
				}
				continue
			}
		}
		out = append(out, p)
	}
	var b strings.Builder
	for _, p := range out {
		b.WriteString(p.sep)
		b.WriteString(p.text)
	}
	return b.String()
}
