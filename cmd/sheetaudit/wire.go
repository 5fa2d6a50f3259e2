package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/holidays"
	"github.com/sheetaudit/sheetaudit/sheets"
	"github.com/sheetaudit/sheetaudit/snapshot"
	"github.com/sheetaudit/sheetaudit/xlsx"
)

// policyOf maps the retention configuration onto the store's policy.
func policyOf(r config.Retention) snapshot.Policy {
	return snapshot.Policy{KeepLast: r.KeepLast, KeepHourly: r.KeepHourly, KeepDaily: r.KeepDaily,
		KeepWeekly: r.KeepWeekly, KeepMonthly: r.KeepMonthly}
}

// openStore opens the configured snapshot store with a fresh instance id
// and the default lease period.
func openStore(ctx context.Context, cfg *config.Config, log *zap.Logger) (*snapshot.Store, error) {
	return openStoreWith(ctx, cfg, snapshot.Options{Logger: log})
}

// openStore opens the configured snapshot store, its leases taken under
// SHEETAUDIT_INSTANCE (default: host, pid and a random suffix) for
// --lease-ttl.
func (a *app) openStore(ctx context.Context, cfg *config.Config) (*snapshot.Store, error) {
	return openStoreWith(ctx, cfg, snapshot.Options{Logger: a.log, Holder: a.instanceID(), LeaseTTL: a.leaseTTL})
}

func openStoreWith(ctx context.Context, cfg *config.Config, opts snapshot.Options) (*snapshot.Store, error) {
	opts.Location, opts.RequestTimeout = cfg.Location(), cfg.StoreTimeout
	st, err := snapshot.Open(ctx, cfg.Store, opts)
	if err != nil {
		return nil, err // it names the store
	}
	return st, nil
}

// instanceID is the lease holder id: SHEETAUDIT_INSTANCE (a pod name)
// or the host name, with this process's id and a random suffix, so two
// processes never share one.
func (a *app) instanceID() string { return snapshot.NewHolderID(a.getenv("SHEETAUDIT_INSTANCE")) }

// backendDeps are what the daemon shares among all sheets' backends: the
// sheet's account's read and write limiters (limiterSet), and metrics.
// The zero value (no limits, no metrics) suits one-shot commands.
type backendDeps struct {
	readLimiter, writeLimiter sheets.Limiter
	metrics                   sheets.Metrics
	retryDeadline             time.Duration
	// window is quotas.window: retries back off in proportion to it.
	window time.Duration
	// tokens shares one OAuth token source per account among all the
	// process's cycles (nil: each backend signs in by itself), so a cycle
	// does not cost a token exchange.
	tokens *sheets.Tokens
}

// withStore loads the configuration, opens the store and runs fn.
func (a *app) withStore(ctx context.Context, fn func(cfg *config.Config, store *snapshot.Store) error) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	store, err := a.openStore(ctx, cfg)
	if err != nil {
		return &exitError{code: exitCantRun, err: err}
	}
	defer store.Close()
	return fn(cfg, store)
}

// workbook is an open source of one sheet; the command or cycle that opened
// it closes it (excelize keeps temporary files for big worksheets until
// then, the Google client its idle connections).
type workbook interface {
	audit.Workbook
	Close() error
}

// closeWorkbook closes wb; a failure only costs disk space or a
// connection, so it is logged, not returned.
func closeWorkbook(wb workbook, log *zap.Logger) {
	if err := wb.Close(); err != nil {
		log.Warn("close workbook", zap.Error(err))
	}
}

// openWorkbook opens the source of one configured sheet. The caller closes
// what it returns (closeWorkbook).
func openWorkbook(ctx context.Context, s config.Sheet, log *zap.Logger, deps backendDeps) (workbook, error) {
	log = log.With(zap.String("sheet", s.Name))
	if g := s.Source.Google; g != nil {
		wb, err := sheets.New(ctx, sheets.Options{
			SpreadsheetID:   g.SpreadsheetID,
			CredentialsFile: g.KeyFile(),
			Endpoint:        g.Endpoint,
			Logger:          log,
			ReadLimiter:     deps.readLimiter,
			WriteLimiter:    deps.writeLimiter,
			Metrics:         deps.metrics,
			Retry:           scaledRetry(deps.retryDeadline, deps.window),
			ChangeCheck:     g.ChecksChanges(),
			Tokens:          deps.tokens,
		})
		if err != nil {
			return nil, fmt.Errorf("sheet %q: %w", s.Name, err)
		}
		return wb, nil
	}
	wb, err := xlsx.Open(s.Source.XLSX, xlsx.Options{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", s.Name, err)
	}
	return wb, nil
}

// specOf maps one configured sheet onto what a cycle needs, compiling its
// rules (from columns:, rules: and schema:) once.
func specOf(cfg *config.Config, s config.Sheet) (audit.Spec, error) {
	rules, rs, err := rulesOf(cfg, s)
	if err != nil {
		return audit.Spec{}, err
	}
	stale, err := staleOf(cfg, s)
	if err != nil {
		return audit.Spec{}, err
	}
	return audit.Spec{
		Name:           s.Name,
		Tab:            s.Tab,
		HeaderRow:      s.HeaderRow,
		Key:            s.Key,
		ChangeLogTab:   s.WriteBack.ChangeLogTab,
		ChangeLogLimit: s.WriteBack.ChangeLogLimit,
		Rules:          rules,
		ReviewTab:      s.WriteBack.ReviewTab,
		Locale:         cfg.Locale,
		Stale:          stale,
		MarkCells:      s.WriteBack.MarkCells,
		// s is a copy; the method reads it only.
		CaptureFormulas: s.CapturesFormulas(),
		TypedColumns:    typedColumns(s, rs.Columns),
		ChangeCheck:     s.Source.Google != nil && s.Source.Google.ChecksChanges(),
		Fingerprint:     fingerprint(cfg, s, rs),
		Paste:           pastePolicy(s.WriteBack),
		Protect:         protectOf(s),
	}, nil
}

// protectOf is how a Google sheet's own tabs are protected
// (write_back.protect): with a warning unless configured strict or off.
func protectOf(s config.Sheet) string {
	if s.Source.Google == nil {
		return ""
	}
	switch s.WriteBack.Protect {
	case config.ProtectOff:
		return ""
	case config.ProtectStrict:
		return audit.ProtectStrict
	}
	return audit.ProtectWarning
}

// fingerprint identifies what a cycle's outcome depends on besides the
// sheet's content: the sheet's configuration, the compiled rule set (a
// schema file's content included), the locale and the time zone. When it
// changes, the change check reads the sheet even if it did not change.
//
// When the sheet runs and with which account do not change what a cycle
// finds, so the schedule, run_at_start and the credentials are left out:
// changing a fleet's schedule or moving sheets to a second service account
// must not make every sheet read in full again.
func fingerprint(cfg *config.Config, s config.Sheet, rs audit.RuleSet) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	s.Schedule, s.RunAtStart = "", false
	if g := s.Source.Google; g != nil {
		gc := *g // s is a copy, but Google is shared with the configuration
		gc.CredentialsFile, gc.Credentials = "", ""
		s.Source.Google = &gc
	}
	// Encoding plain data cannot fail; an error would only make the
	// fingerprint differ, which costs one full read.
	_ = enc.Encode(s)
	_ = enc.Encode(rs)
	_ = enc.Encode([]string{cfg.Locale, cfg.Location().String()})
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// typedColumns names the columns whose typed values the cycle reads: those
// the rules (config columns or a schema file) type as dates, numbers or
// booleans, and the staleness date column, so their checks never depend on
// how the sheet displays them.
func typedColumns(s config.Sheet, rules []audit.ColumnRule) []string {
	var names []string
	for _, c := range rules {
		switch c.Type {
		case audit.TypeDate, audit.TypeDateTime, audit.TypeNumber, audit.TypeInteger, audit.TypeBool:
			if !slices.Contains(names, c.Column) {
				names = append(names, c.Column)
			}
		}
	}
	if st := s.Staleness; st != nil {
		for _, c := range []string{st.DateColumn, st.NextDateColumn} {
			if c != "" && !slices.Contains(names, c) {
				names = append(names, c)
			}
		}
	}
	return names
}

// staleOf maps a sheet's staleness configuration onto the audit policy;
// with calendar: CN the official holidays and make-up workdays come from
// the holidays package, and the configured ones add to them.
func staleOf(cfg *config.Config, s config.Sheet) (*audit.StalePolicy, error) {
	st := s.Staleness
	if st == nil {
		return nil, nil
	}
	p := &audit.StalePolicy{
		Basis:          st.Basis,
		DateColumn:     st.DateColumn,
		OwnerColumn:    st.OwnerColumn,
		StageColumn:    st.StageColumn,
		CustomerColumn: st.CustomerColumn,
		Default:        st.Default,
		Stages:         make(map[string]time.Duration, len(st.Stages)),
		Exempt:         st.Exempt,
		WarnBefore:     st.WarnBefore,
		ResetOn:        st.ResetOn,
		NextDateColumn: st.NextDateColumn,
		WonStages:      st.WonStages,
		Locale:         cfg.Locale,
		Calendar: audit.Calendar{
			BusinessDays: st.BusinessDays,
			Holidays:     dates(st.Holidays),
			Workdays:     dates(st.Workdays),
		},
	}
	for _, stage := range st.Stages {
		p.Stages[stage.Name] = stage.Threshold
		p.StageOrder = append(p.StageOrder, stage.Name)
	}
	if st.Calendar == config.CalendarCN {
		tb, err := holidays.CN(time.Now())
		if err != nil {
			return nil, fmt.Errorf("sheet %q: staleness.calendar %s: %w", s.Name, st.Calendar, err)
		}
		p.Calendar.Holidays, p.Calendar.Workdays = tb.Merge(p.Calendar.Holidays, p.Calendar.Workdays)
	}
	return p, nil
}

func dates(ds []config.Date) map[audit.Date]bool {
	if len(ds) == 0 {
		return nil
	}
	m := make(map[audit.Date]bool, len(ds))
	for _, d := range ds {
		m[audit.Date{Y: d.Year, M: d.Month, D: d.Day}] = true
	}
	return m
}

// pastePolicy is the sheet's bad-paste alarm; nil when it is off.
func pastePolicy(wb config.WriteBack) *audit.PastePolicy {
	if wb.PasteAlarmShare <= 0 {
		return nil
	}
	return &audit.PastePolicy{MinShare: wb.PasteAlarmShare, MinCells: wb.PasteAlarmCells}
}

// newTokens is the process's shared token sources (backendDeps.tokens).
func newTokens() *sheets.Tokens { return sheets.NewTokens() }
