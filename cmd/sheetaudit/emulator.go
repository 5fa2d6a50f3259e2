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

func (a *app) emulatorCmd() *cobra.Command {
	var addr, load, id, save string
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Serve a local emulator of the Google Sheets API v4 (for trials and tests)",
		Long: `Serve an in-memory emulator of the Sheets REST API v4 that any Sheets client can use.
Point a sheet's source.google.endpoint at it; no credentials are needed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.serveEmulator(cmd.Context(), addr, load, id, save)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8089", "listen address (loopback unless you mean otherwise)")
	cmd.Flags().StringVar(&load, "load", "", "an .xlsx or .csv file to serve as a spreadsheet")
	cmd.Flags().StringVar(&id, "id", "", "spreadsheet id of the loaded file (default: the file name without extension)")
	cmd.Flags().StringVar(&save, "save", "", "on exit, save the spreadsheet to this .xlsx file")
	return cmd
}

func (a *app) serveEmulator(ctx context.Context, addr, load, id, save string) error {
	srv := emulator.NewServer(emulator.Options{Logger: a.log})
	if id == "" && load != "" {
		id = strings.TrimSuffix(filepath.Base(load), filepath.Ext(load))
	}
	if load != "" {
		if err := srv.LoadFile(id, load); err != nil {
			return &exitError{code: exitCantRun, err: fmt.Errorf("load %s: %w", load, err)}
		}
	}
	if save != "" && id == "" {
		return &exitError{code: exitCantRun, err: errors.New("--save needs --load or --id: which spreadsheet to save")}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return &exitError{code: exitCantRun, err: fmt.Errorf("listen on %s: %w", addr, err)}
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	srv.SetBaseURL("http://" + ln.Addr().String())
	endpoint := srv.URL()
	fmt.Fprintf(a.stdout, "emulator serving on %s\n", endpoint)
	if id != "" {
		fmt.Fprintf(a.stdout, "spreadsheet %q; in a config: source: {google: {spreadsheet_id: %q, endpoint: %q}}\n", id, id, endpoint)
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
	if save != "" {
		if err := srv.SaveFile(id, save); err != nil {
			return fmt.Errorf("save %s: %w", save, err)
		}
		fmt.Fprintf(a.stdout, "saved %q to %s\n", id, save)
	}
	return nil
}
