package main

import (
	"context"
	"os"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/redact"
)

// secretEnv names the environment variables whose values are secrets
// sheetaudit's dependencies read directly (the AWS SDK for s3:// stores).
var secretEnv = []string{"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "SMTP_PASSWORD"}

// addEnvSecrets teaches r the secrets of the environment: the variables
// above, and the service-account key Application Default Credentials use.
func addEnvSecrets(r *redact.Redactor, getenv func(string) string) {
	for _, k := range secretEnv {
		r.Add(getenv(k))
	}
	if f := getenv("GOOGLE_APPLICATION_CREDENTIALS"); f != "" {
		addKeyFile(r, f)
	}
}

// addConfigSecrets teaches r the secrets the configuration names: the
// SMTP login and every sheet's service-account key.
func addConfigSecrets(r *redact.Redactor, cfg *config.Config) {
	if e := cfg.Report.Email; e != nil {
		if pw, err := e.ResolvePassword(); err == nil {
			r.AddLogin(e.Username, pw)
		}
	}
	for _, cr := range cfg.Credentials {
		if cr.File != "" {
			addKeyFile(r, cr.File)
		}
	}
	for _, s := range cfg.Sheets {
		if g := s.Source.Google; g != nil && g.CredentialsFile != "" {
			addKeyFile(r, g.CredentialsFile)
		}
	}
}

// addKeyFile adds a service-account key file's secrets; a file that
// cannot be read adds nothing (its reader reports that).
func addKeyFile(r *redact.Redactor, path string) {
	if data, err := os.ReadFile(path); err == nil {
		r.AddServiceAccountKey(data)
	}
}

// redactedState is a StateStore that records each cycle's error redacted,
// so `status` and the state file never hold what a server echoed.
type redactedState struct {
	audit.StateStore
	r *redact.Redactor
}

// SaveState implements audit.StateStore.
func (s redactedState) SaveState(ctx context.Context, sheet string, st audit.State) error {
	if st.Last != nil && st.Last.Error != "" {
		last := *st.Last
		last.Error = s.r.String(last.Error)
		st.Last = &last
	}
	return s.StateStore.SaveState(ctx, sheet, st)
}
