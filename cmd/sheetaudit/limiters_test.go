package main

import (
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
)

// TestLimiterSetPerAccount: sheets of one account share its limiters,
// another account has its own, sized by its credentials entry, and the
// quota window sets the pace.
func TestLimiterSetPerAccount(t *testing.T) {
	cfg, err := config.Parse([]byte(`
quotas: {read_per_minute: 60, write_per_minute: 60, window: 6s}
credentials:
  - {name: sa-a, file: /keys/a.json}
  - {name: sa-b, file: /keys/b.json, read_per_minute: 120}
sheets:
  - {name: a1, source: {google: {spreadsheet_id: s1, credentials: sa-a}}, tab: T, key: [id]}
  - {name: a2, source: {google: {spreadsheet_id: s2, credentials_file: /keys/a.json}}, tab: T, key: [id]}
  - {name: b1, source: {google: {spreadsheet_id: s3, credentials: sa-b}}, tab: T, key: [id]}
  - {name: adc, source: {google: {spreadsheet_id: s4}}, tab: T, key: [id]}
  - {name: book, source: {xlsx: book.xlsx}, tab: T, key: [id]}
`), "/etc/sheetaudit/config.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	set := newLimiterSet(cfg.Quotas.QuotaWindow())
	got := map[string]accountLimiters{}
	for _, s := range cfg.Sheets {
		got[s.Name] = set.forSheet(cfg, s)
	}
	if got["a1"] != got["a2"] {
		t.Error("two sheets of one key file have different limiters")
	}
	if got["a1"].read == got["b1"].read || got["a1"].read == got["adc"].read {
		t.Error("different accounts share a limiter")
	}
	if got["book"] != (accountLimiters{}) {
		t.Error("an xlsx sheet got limiters")
	}
	if n := set.accounts(); n != 3 {
		t.Errorf("accounts = %d, want 3", n)
	}
	for _, c := range []struct {
		sheet string
		limit rate.Limit
		burst int
	}{
		{"a1", 54.0 / 6, 6},   // 60 a 6-second window: burst 6, then 54 over the window
		{"b1", 108.0 / 6, 12}, // its own 120
	} {
		l := got[c.sheet].read.(*rate.Limiter)
		if d := float64(l.Limit() - c.limit); d > 1e-9 || d < -1e-9 || l.Burst() != c.burst {
			t.Errorf("%s: limit %v burst %d, want %v and %d", c.sheet, l.Limit(), l.Burst(), c.limit, c.burst)
		}
	}
	if r := scaledRetry(time.Minute, 6*time.Second); r.Base != 100*time.Millisecond || r.Cap != 6400*time.Millisecond {
		t.Errorf("retry at a 6s window: base %s cap %s", r.Base, r.Cap)
	}
	if r := scaledRetry(time.Minute, 0); r.Base != 0 || r.Cap != 0 {
		t.Errorf("retry against Google: base %s cap %s, want the sheets defaults", r.Base, r.Cap)
	}
}

// TestFingerprintIgnoresScheduleAndAccount: a sheet's schedule,
// run_at_start and credentials do not change what its cycle finds, so
// they leave the fingerprint (and the change check's trust) as it was;
// its rules do not.
func TestFingerprintIgnoresScheduleAndAccount(t *testing.T) {
	cfg := config.Default()
	base := config.DefaultSheet()
	base.Name, base.Tab, base.Key = "s", "T", []string{"id"}
	base.Source.Google = &config.Google{SpreadsheetID: "x"}
	fp := func(mod func(s *config.Sheet)) string {
		s := base
		g := *base.Source.Google
		s.Source.Google = &g
		mod(&s)
		return fingerprint(cfg, s, audit.RuleSet{})
	}
	same := fp(func(*config.Sheet) {})
	for name, mod := range map[string]func(s *config.Sheet){
		"schedule":         func(s *config.Sheet) { s.Schedule = "@every 5m" },
		"run_at_start":     func(s *config.Sheet) { s.RunAtStart = true },
		"credentials":      func(s *config.Sheet) { s.Source.Google.Credentials = "sa-2" },
		"credentials_file": func(s *config.Sheet) { s.Source.Google.CredentialsFile = "/keys/b.json" },
	} {
		if got := fp(mod); got != same {
			t.Errorf("%s changed the fingerprint", name)
		}
	}
	if fp(func(s *config.Sheet) { s.HeaderRow = 2 }) == same {
		t.Error("header_row did not change the fingerprint")
	}
}
