package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/sheetaudit/sheetaudit/daemon"
)

// Set by the linker in release builds: -ldflags "-X main.version=v1.2.3
// -X main.commit=… -X main.date=…". Builds without them fall back to what
// the Go toolchain recorded (module version, VCS revision and time).
var (
	commit = ""
	date   = ""
)

// readBuild returns what this binary knows about its build.
func readBuild() daemon.Build {
	b := daemon.Build{Version: version, Commit: commit, Date: date, GoVersion: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return fill(b)
	}
	if b.Version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		b.Version = info.Main.Version
	}
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if b.Commit == "" {
				b.Commit = s.Value
			}
		case "vcs.time":
			if b.Date == "" {
				b.Date = s.Value
			}
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && b.Commit != "" && b.Commit != "unknown" {
		b.Commit += "-dirty"
	}
	return fill(b)
}

func fill(b daemon.Build) daemon.Build {
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := readBuild()
			_, err := fmt.Fprintf(a.stdout, "sheetaudit %s (commit %s, built %s, %s, %s/%s)\n",
				b.Version, b.Commit, b.Date, b.GoVersion, runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
