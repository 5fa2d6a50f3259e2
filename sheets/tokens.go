package sheets

import (
	"strings"
	"sync"

	"golang.org/x/oauth2"
)

// Tokens shares OAuth token sources among the Workbooks and DriveAudits a
// process opens: one reusable source per credentials (a key file's
// content, so a replaced key takes effect at the next Workbook; ""
// for Application Default Credentials) and scope set, created on first use
// and kept for the Tokens' life. A daemon that opens a Workbook per cycle
// then exchanges a token once an hour per account, not once per cycle
// and sheet. Safe for concurrent use; the zero value is not usable, use
// NewTokens.
type Tokens struct {
	mu    sync.Mutex
	bySrc map[string]sharedToken
}

// sharedToken is one shared source and the account it signs in as.
type sharedToken struct {
	ts    oauth2.TokenSource
	email string
}

// NewTokens returns an empty set of token sources.
func NewTokens() *Tokens { return &Tokens{bySrc: map[string]sharedToken{}} }

// source returns the shared source for creds and scopes, made by mk the
// first time. mk's error is returned and nothing is kept.
func (t *Tokens) source(creds string, scopes []string, mk tokenMaker) (oauth2.TokenSource, string, error) {
	key := creds + "\x00" + strings.Join(scopes, " ")
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.bySrc[key]; ok {
		return s.ts, s.email, nil
	}
	ts, email, err := mk()
	if err != nil {
		return nil, "", err
	}
	s := sharedToken{ts: oauth2.ReuseTokenSource(nil, ts), email: email}
	t.bySrc[key] = s
	return s.ts, s.email, nil
}

// tokenMaker makes a token source and names its account ("" unknown).
type tokenMaker func() (oauth2.TokenSource, string, error)

// tokenSource is the token source for credentials creds (a digest of the
// key, "" for Application Default Credentials): o.Tokens' shared one when
// set, else mk's own.
func (o Options) tokenSource(creds string, scopes []string, mk tokenMaker) (oauth2.TokenSource, string, error) {
	if o.Tokens == nil {
		return mk()
	}
	return o.Tokens.source(creds, scopes, mk)
}
