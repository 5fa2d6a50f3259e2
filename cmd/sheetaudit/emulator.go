package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest/emulator"
)

// emulatorFlags are the emulator command's settings.
type emulatorFlags struct {
	addr, load, id, save string
	loadDir              string
	requireAuth          bool
	quota                string
	quotaWindow          time.Duration
	admin                string
	share                []string
	disable              []string
}

func (a *app) emulatorCmd() *cobra.Command {
	var f emulatorFlags
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Serve a local emulator of the Google Sheets API v4 (for trials and tests)",
		Long: `Serve an in-memory emulator of the Sheets REST API v4 (and the Drive v3 calls
sheetaudit uses) that any Sheets client can use. Point a sheet's
source.google.endpoint at it; no credentials are needed unless --require-auth.

Like Google, it enforces per-minute quotas (60 reads and 60 writes per user,
300 per project; --quota off for benchmarks, --quota-window 6s for a
shortened "minute") and each spreadsheet's sharing:
a caller with a token sees only what it owns or what was shared with it
(--share). Anonymous callers, possible only without --require-auth, see all.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.serveEmulator(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8089", "listen address (loopback unless you mean otherwise)")
	fl.StringVar(&f.load, "load", "", "an .xlsx or .csv file to serve as a spreadsheet")
	fl.StringVar(&f.loadDir, "load-dir", "", "a folder of spreadsheets to serve: each subfolder is one (named after it) with a tab per .csv in it; each .csv or .xlsx in the folder is one (named after the file)")
	fl.StringVar(&f.id, "id", "", "spreadsheet id of the loaded file (default: the file name without extension)")
	fl.StringVar(&f.save, "save", "", "on exit, save the spreadsheet to this .xlsx file")
	fl.BoolVar(&f.requireAuth, "require-auth", false, "accept only bearer tokens from the emulator's own token endpoint (a service-account JSON whose token_uri is <endpoint>token)")
	fl.StringVar(&f.quota, "quota", "on", "per-minute quotas like Google's: on or off")
	fl.DurationVar(&f.quotaWindow, "quota-window", time.Minute, `the quota's "minute", for benchmarks and tests (e.g. 6s: ten quota minutes a minute; set sheetaudit's quotas.window the same)`)
	fl.StringVar(&f.admin, "admin", "admin@example.com", `the account that owns --load and makes direct edits ("Name <email>" or an email)`)
	fl.StringArrayVar(&f.share, "share", nil, `share the loaded spreadsheet: EMAIL[:ROLE] (role reader, commenter, writer or owner; default writer), or "anyone:reader"; repeatable`)
	fl.StringArrayVar(&f.disable, "disable-api", nil, `answer this API with Google's 403 SERVICE_DISABLED: sheets, drive or driveactivity; repeatable`)
	return cmd
}

func (a *app) serveEmulator(ctx context.Context, f emulatorFlags) error {
	cantRun := func(err error) error { return &exitError{code: exitCantRun, err: err} }
	opts := emulator.Options{Logger: a.log, RequireAuth: f.requireAuth, Sharing: true, Admin: f.admin}
	switch f.quota {
	case "on":
		if f.quotaWindow < time.Second || f.quotaWindow > time.Minute {
			return cantRun(fmt.Errorf("--quota-window %s: want 1s to 1m", f.quotaWindow))
		}
		opts.Quota = &emulator.Quota{Window: f.quotaWindow}
	case "off":
	default:
		return cantRun(fmt.Errorf("--quota %q: want on or off", f.quota))
	}
	for _, api := range f.disable {
		if api != "sheets" && api != "drive" && api != "driveactivity" {
			return cantRun(fmt.Errorf("--disable-api %q: want sheets, drive or driveactivity", api))
		}
		opts.Disabled = append(opts.Disabled, api)
	}
	srv := emulator.NewServer(opts)
	id := f.id
	if id == "" && f.load != "" {
		id = strings.TrimSuffix(filepath.Base(f.load), filepath.Ext(f.load))
	}
	if f.load != "" {
		if err := srv.LoadFile(id, f.load); err != nil {
			return cantRun(fmt.Errorf("load %s: %w", f.load, err))
		}
	}
	var shared []string
	if f.load != "" {
		shared = append(shared, id)
	}
	if f.loadDir != "" {
		ids, err := srv.LoadDir(f.loadDir)
		if err != nil {
			return cantRun(fmt.Errorf("--load-dir %s: %w", f.loadDir, err))
		}
		shared = append(shared, ids...)
		fmt.Fprintf(a.stdout, "loaded %d spreadsheets from %s\n", len(ids), f.loadDir)
	}
	if f.save != "" && id == "" {
		return cantRun(errors.New("--save needs --load or --id: which spreadsheet to save"))
	}
	if len(f.share) > 0 && len(shared) == 0 {
		return cantRun(errors.New("--share needs --load or --load-dir: which spreadsheets to share"))
	}
	for _, sh := range f.share {
		who, role, ok := strings.Cut(sh, ":")
		if !ok {
			role = "writer"
		}
		for _, sid := range shared {
			if err := srv.Share(sid, who, role); err != nil {
				return cantRun(fmt.Errorf("--share %q: %w", sh, err))
			}
		}
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return cantRun(fmt.Errorf("listen on %s: %w", f.addr, err))
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	srv.SetBaseURL("http://" + ln.Addr().String())
	endpoint := srv.URL()
	fmt.Fprintf(a.stdout, "emulator serving on %s\n", endpoint)
	if id != "" {
		fmt.Fprintf(a.stdout, "spreadsheet %q; in a config: source: {google: {spreadsheet_id: %q, endpoint: %q}}\n", id, id, endpoint)
	}
	if f.requireAuth {
		fmt.Fprintf(a.stdout, "tokens only from %s: set it as token_uri in a service-account JSON\n", srv.TokenURL())
	}
	if f.quota == "off" {
		fmt.Fprintln(a.stdout, "quotas off")
	} else if f.quotaWindow != time.Minute {
		fmt.Fprintf(a.stdout, "quota window %s: the per-minute quotas refill every %s\n", f.quotaWindow, f.quotaWindow)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		a.log.Warn("emulator shutdown", zap.Error(err))
	}
	<-errc
	if f.save != "" {
		if err := srv.SaveFile(id, f.save); err != nil {
			return fmt.Errorf("save %s: %w", f.save, err)
		}
		fmt.Fprintf(a.stdout, "saved %q to %s\n", id, f.save)
	}
	return nil
}
