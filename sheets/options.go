package sheets

import (
	"context"
	"math/rand/v2"
	"net/http"
	"time"

	"go.uber.org/zap"
	"google.golang.org/api/sheets/v4"
)

// Limiter paces requests; *rate.Limiter from golang.org/x/time/rate satisfies
// it. The daemon gives each Google account (service-account key) one read
// and one write limiter, shared by all the sheets that use the account, so
// that the per-user quota (60 reads and 60 writes a minute) holds for the
// whole process, not per workbook.
type Limiter interface {
	Wait(ctx context.Context) error
}

// Metrics receives one call per HTTP attempt and one per retry, so the daemon
// can export them (for example as Prometheus counters). method is the API
// method ("values.batchGet", "spreadsheets.get", ...); code is the HTTP status,
// or 0 when no response arrived (network error, timeout). Implementations
// must be safe for concurrent use.
type Metrics interface {
	Request(method string, code int)
	Retry(method string)
}

// Retry bounds how a failed request is retried. Only 429, 500, 502, 503, 504
// and network timeouts are retried: the Go client does not retry ordinary
// calls itself, and Google asks for truncated exponential backoff on quota
// errors. The zero value means the defaults documented per field.
type Retry struct {
	// MaxAttempts is the number of tries per request, first included;
	// default 7 (about two minutes of backoff with the default base and cap,
	// enough to ride out one exhausted per-minute quota window).
	MaxAttempts int
	// Deadline bounds the time spent on one request including retries;
	// default 5 minutes. A context deadline that comes sooner wins.
	Deadline time.Duration
	// AttemptTimeout bounds one HTTP attempt; default 200s, just above the
	// 180 s after which Sheets itself gives up on a request, so a stuck
	// connection cannot hang a cycle when the context has no deadline.
	AttemptTimeout time.Duration
	// Base and Cap shape the backoff: before retry n (0-based) the wait is
	// uniform in [0, min(Cap, Base·2^n)] ("full jitter"), or the server's
	// Retry-After when that is longer. Defaults 1s and 64s, as Google's
	// guidance suggests.
	Base, Cap time.Duration
	// Sleep waits d or until ctx is done; tests inject one that records d
	// and returns at once. Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a uniform duration in [0, max]; tests inject a
	// deterministic one. Default: math/rand/v2.
	Jitter func(max time.Duration) time.Duration
}

// Options configures New. Only SpreadsheetID is required.
type Options struct {
	// SpreadsheetID is the id in the sheet's URL (/spreadsheets/d/<id>/edit).
	SpreadsheetID string
	// CredentialsFile is a service-account JSON key. It always runs the
	// OAuth2 JWT flow against the key's token_uri and asks only for the
	// spreadsheets scope. Empty means Application Default Credentials,
	// unless Endpoint is set: then requests go unauthenticated (emulator).
	CredentialsFile string
	// Endpoint overrides https://sheets.googleapis.com/ (emulator, proxy).
	Endpoint string
	// HTTPClient is the base client (proxy, TLS settings); its Transport
	// carries the requests and the token exchange, with authentication
	// layered on top. Nil means http.DefaultTransport.
	HTTPClient *http.Client
	// Logger receives retries and per-operation debug lines; nil means none.
	Logger *zap.Logger
	// ReadLimiter and WriteLimiter, if set, are waited on before every
	// read or write attempt, retries included.
	ReadLimiter, WriteLimiter Limiter
	// Metrics, if set, counts requests and retries.
	Metrics Metrics
	// Retry bounds retries; see Retry.
	Retry Retry
	// PageRows is the number of rows per read block. Zero picks
	// BlockCells / columns of the tab, so a block stays near BlockCells
	// cells however wide the tab is.
	PageRows int
	// BlocksPerRequest is how many blocks one values.batchGet carries;
	// default 5. Each batchGet counts as one read against the quota, so
	// with the defaults a 10-million-cell tab takes 20 read requests of
	// half a million cells each, and no single response has to hold the
	// whole tab.
	BlocksPerRequest int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ChangeCheck asks for Drive's read-only metadata scope too, so that
	// Version can read the file's version with one Drive files.get.
	ChangeCheck bool
	// Tokens, when set, shares one token source per credentials file and
	// scope set with every Workbook and DriveAudit opened with it, so a
	// long-running process does not exchange a token per Workbook. Nil:
	// this Workbook's own.
	Tokens *Tokens
}

// DriveMetadataScope lets Version read a file's version and nothing else.
const DriveMetadataScope = "https://www.googleapis.com/auth/drive.metadata.readonly"

// scopes are the OAuth scopes the credentials ask for: Sheets, and Drive
// metadata with ChangeCheck.
func (o Options) scopes() []string {
	if o.ChangeCheck {
		return []string{sheets.SpreadsheetsScope, DriveMetadataScope}
	}
	return []string{sheets.SpreadsheetsScope}
}

// Defaults for Options.
const (
	// BlockCells is the target number of cells per read block when
	// PageRows is zero.
	BlockCells = 100_000
	// MaxCellChars is the Sheets limit on the length of one cell; writes
	// of longer values fail before any request is sent.
	MaxCellChars = 50_000
	// maxWriteRows and maxWriteBytes bound one write request: Google
	// recommends payloads of at most 2 MB.
	maxWriteRows  = 10_000
	maxWriteBytes = 2 << 20
	// maxColumns is the widest grid Sheets allows (column ZZZ).
	maxColumns = 18_278
)

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BlocksPerRequest <= 0 {
		o.BlocksPerRequest = 5
	}
	r := &o.Retry
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = 7
	}
	if r.Deadline <= 0 {
		r.Deadline = 5 * time.Minute
	}
	if r.AttemptTimeout <= 0 {
		r.AttemptTimeout = 200 * time.Second
	}
	if r.Base <= 0 {
		r.Base = time.Second
	}
	if r.Cap <= 0 {
		r.Cap = 64 * time.Second
	}
	if r.Sleep == nil {
		r.Sleep = sleep
	}
	if r.Jitter == nil {
		r.Jitter = func(max time.Duration) time.Duration {
			if max <= 0 {
				return 0
			}
			return rand.N(max + 1)
		}
	}
	return o
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
