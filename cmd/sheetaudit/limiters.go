package main

import (
	"sync"
	"time"

	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/daemon"
	"github.com/sheetaudit/sheetaudit/sheets"
)

// accountLimiters are the read and write limiters of one Google account.
type accountLimiters struct{ read, write sheets.Limiter }

// limiterSet gives each Google account (one service-account key file, ""
// for Application Default Credentials or none) its own read and write
// limiter, shared by every sheet that uses the account: Google counts the
// per-minute quota per user. It lives as long as the daemon, so a reload
// keeps each account's pacing; limits changed by a reload take effect
// at the next start, as quotas do.
type limiterSet struct {
	window time.Duration

	mu    sync.Mutex
	byKey map[string]accountLimiters
}

func newLimiterSet(window time.Duration) *limiterSet {
	return &limiterSet{window: window, byKey: map[string]accountLimiters{}}
}

// forSheet returns the limiters of the account s uses; xlsx sheets get
// none.
func (l *limiterSet) forSheet(cfg *config.Config, s config.Sheet) accountLimiters {
	g := s.Source.Google
	if g == nil {
		return accountLimiters{}
	}
	cr := cfg.CredentialOf(g)
	l.mu.Lock()
	defer l.mu.Unlock()
	al, ok := l.byKey[cr.File]
	if !ok {
		read, write := cfg.Limits(cr)
		al = accountLimiters{read: daemon.NewLimiter(read, l.window), write: daemon.NewLimiter(write, l.window)}
		l.byKey[cr.File] = al
	}
	return al
}

// accounts is the number of accounts paced so far.
func (l *limiterSet) accounts() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.byKey)
}

// scaledRetry is the retry policy for a quota window: against Google (a
// minute) the sheets defaults; with a shortened window (benchmarks and
// tests), the backoff's base and cap shrink in proportion, so a 429 costs
// the same share of a quota minute.
func scaledRetry(deadline, window time.Duration) sheets.Retry {
	r := sheets.Retry{Deadline: deadline}
	if window > 0 && window < time.Minute {
		r.Base = window / 60 // a second per minute
		r.Cap = 64 * r.Base
	}
	return r
}
