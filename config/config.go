package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Defaults that users see in the documentation.
const (
	DefaultStore           = "./sheetaudit-data"
	DefaultTimezone        = "UTC"
	DefaultLocale          = LocaleEnglish
	DefaultMaxConcurrent   = 4
	DefaultShutdownTimeout = 30 * time.Second
	DefaultStoreTimeout    = time.Minute
	DefaultListen          = "127.0.0.1:9464"
	DefaultReadPerMinute   = 60
	DefaultWritePerMinute  = 60
	DefaultCycleDeadline   = 10 * time.Minute
	DefaultChangeLogTab    = "Change Log"
	DefaultReviewTab       = "Needs Review"
	DefaultReportTab       = "Staleness Report"
	DefaultChangeLogLimit  = 5000
	// A paste alarm needs at least this share of a column's filled cells
	// changed in one cycle, and at least this many cells.
	DefaultPasteAlarmShare = 0.5
	DefaultPasteAlarmCells = 20
	DefaultHeaderRow       = 1
)

// Default tab names under locale zh-CN, where the team reads Chinese;
// a name set in the file is kept as it is.
const (
	DefaultChangeLogTabZH = "变更记录"
	DefaultReviewTabZH    = "待核查"
	DefaultReportTabZH    = "超期报告"
)

// Locales for messages and reports.
const (
	LocaleEnglish = "en"
	LocaleChinese = "zh-CN"
)

// TypeText is the type of a column rule that names none. The types a rule
// may name, and everything else a rule may say, are the rule engine's to
// judge (audit.Compile): config keeps a rule's text as written.
const TypeText = "text"

// SeverityError is the severity of a rule that names none.
const SeverityError = "error"

// Staleness bases.
const (
	// BasisColumn counts from a date column in the sheet.
	BasisColumn = "column"
	// BasisHistory counts from the last snapshot in which the row changed.
	BasisHistory = "history"
)

// What a snapshot captures.
const (
	CaptureValues   = "values"
	CaptureFormulas = "formulas"
)

// Config is the whole sheetaudit configuration. Build one with Default, Parse
// or Load; a Config from Parse or Load has been validated, has defaults
// applied and has its relative paths resolved against the file's folder.
type Config struct {
	// Store is where snapshots and reports live: a path, or a file:///,
	// s3://, gs:// or mem:// URL.
	Store string `yaml:"store"`
	// Timezone is an IANA zone name; schedules, "today" and reports use it.
	Timezone string `yaml:"timezone"`
	// Locale selects the language of findings and reports: en or zh-CN.
	Locale          string        `yaml:"locale"`
	MaxConcurrent   int           `yaml:"max_concurrent"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// StoreTimeout bounds each request to the snapshot store, so a store
	// that never answers fails a command instead of hanging it.
	StoreTimeout time.Duration `yaml:"store_timeout"`
	HTTP         HTTP          `yaml:"http"`
	Quotas       Quotas        `yaml:"quotas"`
	// Credentials names the Google service accounts sheets may use, each
	// with its own quota limiters (source.google.credentials).
	Credentials []Credential `yaml:"credentials,omitempty"`
	Retention   Retention    `yaml:"retention"`
	Report      Report       `yaml:"report"`
	// Access is what the sharing of every audited Google file may be
	// (sheets with source.google.access_audit).
	Access Access  `yaml:"access,omitempty"`
	Sheets []Sheet `yaml:"sheets"`

	// loc is Timezone loaded by Validate.
	loc *time.Location
	// pos maps key paths to where they were written, so that Validate can
	// point at a line.
	pos map[string]position
	// file is the file the Config was read from, for ErrorAt.
	file string
}

// HTTP configures the health and metrics listener.
type HTTP struct {
	// Listen is host:port; the empty string turns the listener off.
	Listen string `yaml:"listen"`
}

// Enabled reports whether the HTTP listener should run.
func (h HTTP) Enabled() bool { return h.Listen != "" }

// Quotas bounds the Google API traffic of the process. Google counts
// Sheets requests per minute per user (the service account) and per
// project, so each credential gets its own read and write limiter, shared
// by every sheet that uses it.
type Quotas struct {
	// ReadPerMinute and WritePerMinute are each credential's Sheets
	// requests a minute, unless its credentials entry says otherwise.
	ReadPerMinute  int `yaml:"read_per_minute"`
	WritePerMinute int `yaml:"write_per_minute"`
	// CycleDeadline bounds one cycle of one sheet including retries.
	CycleDeadline time.Duration `yaml:"cycle_deadline"`
	// Window is the length of the quota's "minute" the limiters pace on
	// (and retries back off on); default 1m. For benchmarks and tests
	// only, against an emulator started with the same --quota-window:
	// Google's quotas are per real minute.
	Window time.Duration `yaml:"window,omitempty"`
}

// QuotaWindow is Window, or a minute when it is unset.
func (q Quotas) QuotaWindow() time.Duration {
	if q.Window <= 0 {
		return time.Minute
	}
	return q.Window
}

// Credential is one Google service account. The sheets that name it in
// source.google.credentials use its key and share its quota limiters; a
// second credential doubles the requests a minute the daemon may send.
type Credential struct {
	// Name is what source.google.credentials refers to.
	Name string `yaml:"name"`
	// File is the service-account JSON key; empty means Application
	// Default Credentials (or none, for a sheet with an endpoint).
	File string `yaml:"file,omitempty"`
	// ReadPerMinute and WritePerMinute override quotas.read_per_minute
	// and quotas.write_per_minute for this account (after Google raised
	// its quota, for example); 0 means the quotas value.
	ReadPerMinute  int `yaml:"read_per_minute,omitempty"`
	WritePerMinute int `yaml:"write_per_minute,omitempty"`
}

// Credential returns the credentials entry with the given name.
func (c *Config) Credential(name string) (Credential, bool) {
	for _, cr := range c.Credentials {
		if cr.Name == name {
			return cr, true
		}
	}
	return Credential{}, false
}

// CredentialOf returns the account a Google sheet uses: the credentials
// entry with its key file (named in source.google.credentials, or the same
// file as its credentials_file), else an unnamed one with that file and
// the quotas' limits. "" is Application Default Credentials (or none).
func (c *Config) CredentialOf(g *Google) Credential {
	key := g.KeyFile()
	for _, cr := range c.Credentials {
		if cr.File == key {
			return cr
		}
	}
	return Credential{File: key}
}

// Limits returns the account's reads and writes a minute: its own, or
// the quotas' where it sets none.
func (c *Config) Limits(cr Credential) (read, write int) {
	read, write = cr.ReadPerMinute, cr.WritePerMinute
	if read <= 0 {
		read = c.Quotas.ReadPerMinute
	}
	if write <= 0 {
		write = c.Quotas.WritePerMinute
	}
	return read, write
}

// Retention is a restic-style keep policy applied after each cycle. All
// zero keeps every version.
type Retention struct {
	KeepLast    int `yaml:"keep_last,omitempty"`
	KeepHourly  int `yaml:"keep_hourly,omitempty"`
	KeepDaily   int `yaml:"keep_daily,omitempty"`
	KeepWeekly  int `yaml:"keep_weekly,omitempty"`
	KeepMonthly int `yaml:"keep_monthly,omitempty"`
}

// KeepAll reports whether the policy keeps every version.
func (r Retention) KeepAll() bool { return r == Retention{} }

// Report configures the weekly Staleness Report.
type Report struct {
	// Schedule is a cron expression (5 fields or a descriptor) in the
	// config's time zone; empty means the daemon does not send reports.
	Schedule string `yaml:"schedule,omitempty"`
	// Email, when set, mails the report to managers.
	Email *Email `yaml:"email,omitempty"`
	// Owners maps an owner's name, as written in the owner column, to the
	// address that gets that owner's own list.
	Owners map[string]string `yaml:"owners,omitempty"`
	// MaskPII masks phone numbers and e-mail addresses in mails and chat
	// messages.
	MaskPII bool `yaml:"mask_pii"`
	// Chat lists the group-chat robots that get the weekly summary and
	// each owner's rows.
	Chat []Chat `yaml:"chat,omitempty"`
	// Mentions maps an owner's name to their id on each chat platform, so
	// the owner's rows @-mention them.
	Mentions map[string]Mention `yaml:"mentions,omitempty"`
	// Files is the octal mode of report files written with --out, such as
	// "0640"; empty means 0644.
	Files string `yaml:"file_mode,omitempty"`
}

// CalendarCN is the calendar of mainland China's official holidays and
// make-up workdays (放假 and 调休).
const CalendarCN = "CN"

// Chat platforms of report.chat.
const (
	ChatWeCom    = "wecom"
	ChatDingTalk = "dingtalk"
	ChatFeishu   = "feishu"
	ChatSlack    = "slack"
)

// Chat is one group-chat robot (an incoming webhook).
type Chat struct {
	// Type is wecom, dingtalk, feishu or slack.
	Type string `yaml:"type"`
	// Webhook is the robot's URL, usually written as ${WECOM_WEBHOOK}: it
	// carries the robot's key and is a secret.
	Webhook Secret `yaml:"webhook"`
	// Secret signs each message (DingTalk "加签", Feishu "签名校验").
	Secret Secret `yaml:"secret,omitempty"`
	// PerMinute caps the messages a minute to this robot (default 20, the
	// platforms' documented limit).
	PerMinute int `yaml:"per_minute,omitempty"`
}

// Mention is one owner's ids on the chat platforms.
type Mention struct {
	WeCom    string `yaml:"wecom,omitempty"`    // userid
	DingTalk string `yaml:"dingtalk,omitempty"` // mobile number or userId
	Feishu   string `yaml:"feishu,omitempty"`   // open_id (ou_…)
	Slack    string `yaml:"slack,omitempty"`    // member id (U…)
}

// FileMode is the mode of report files written to a folder.
func (r Report) FileMode() os.FileMode {
	m, err := strconv.ParseUint(r.Files, 8, 32)
	if r.Files == "" || err != nil {
		return 0o644
	}
	return os.FileMode(m)
}

// Email is an SMTP delivery.
type Email struct {
	// SMTP is the server's host:port.
	SMTP     string   `yaml:"smtp"`
	From     string   `yaml:"from"`
	To       []string `yaml:"to"`
	Username string   `yaml:"username,omitempty"`
	// Password is usually written as ${SMTP_PASSWORD}.
	Password Secret `yaml:"password,omitempty"`
	// PasswordFile is read by ResolvePassword; it excludes Password.
	PasswordFile string `yaml:"password_file,omitempty"`
	StartTLS     bool   `yaml:"starttls"`
	// TLS speaks TLS from the first byte (port 465); it turns StartTLS off.
	TLS bool `yaml:"tls,omitempty"`
	// Auth is the SASL mechanism: plain (default) or login.
	Auth string `yaml:"auth,omitempty"`
}

// Sheet is one audited data tab.
type Sheet struct {
	// Name identifies the sheet in the store, logs and commands; it is
	// letters, digits (any script), '.', '_' and '-', and does not start
	// with '.'.
	Name string `yaml:"name"`
	// Schedule is a cron expression for the daemon; empty means the sheet
	// runs only with --once.
	Schedule   string    `yaml:"schedule,omitempty"`
	RunAtStart bool      `yaml:"run_at_start"`
	Source     Source    `yaml:"source"`
	Tab        string    `yaml:"tab"`
	HeaderRow  int       `yaml:"header_row"`
	Key        []string  `yaml:"key"`
	Capture    []string  `yaml:"capture"`
	WriteBack  WriteBack `yaml:"write_back"`
	// Columns holds the column rules in file order.
	Columns Columns `yaml:"columns,omitempty"`
	// Schema is a Frictionless Table Schema JSON file.
	Schema    string     `yaml:"schema,omitempty"`
	Rules     []RowRule  `yaml:"rules,omitempty"`
	Staleness *Staleness `yaml:"staleness,omitempty"`
}

// CapturesFormulas reports whether snapshots keep formulas too.
func (s *Sheet) CapturesFormulas() bool {
	for _, c := range s.Capture {
		if c == CaptureFormulas {
			return true
		}
	}
	return false
}

// Source is where a sheet is read from: exactly one of Google and XLSX.
type Source struct {
	Google *Google `yaml:"google,omitempty"`
	// XLSX is the path of a local workbook.
	XLSX string `yaml:"xlsx,omitempty"`
}

// Google is a spreadsheet on the Google Sheets API.
type Google struct {
	SpreadsheetID string `yaml:"spreadsheet_id"`
	// CredentialsFile is a service-account key; empty means Application
	// Default Credentials (or none, with Endpoint). It excludes
	// Credentials.
	CredentialsFile string `yaml:"credentials_file,omitempty"`
	// Credentials names an entry of the top-level credentials list: the
	// sheet uses that account's key and its quota limiters.
	Credentials string `yaml:"credentials,omitempty"`
	// Endpoint replaces the API's base URL, for the emulator and tests.
	Endpoint string `yaml:"endpoint,omitempty"`
	// ChangeCheck (default true) asks Drive for the file's version before
	// each cycle, so an unchanged sheet costs one Drive request and no
	// Sheets request; false turns it off (e.g. when the Drive API cannot
	// be enabled for the project).
	ChangeCheck *bool `yaml:"change_check,omitempty"`
	// AccessAudit reads the file's sharing each cycle (Drive
	// permissions.list) and flags what Access does not allow.
	AccessAudit bool `yaml:"access_audit,omitempty"`
	// Attribution names the editors of each window between snapshots
	// (Drive revisions.list and Drive Activity activity:query).
	Attribution bool `yaml:"attribution,omitempty"`

	// keyFile is the key of the named Credentials, resolved by Validate.
	keyFile string
}

// KeyFile is the service-account key the sheet uses: CredentialsFile, or
// the file of its named credentials entry; "" means Application Default
// Credentials (or none, with Endpoint). Sheets with the same key file are
// the same account and share one quota.
func (g *Google) KeyFile() string {
	if g.CredentialsFile != "" {
		return g.CredentialsFile
	}
	return g.keyFile
}

// ChecksChanges reports whether the cycle asks Drive for the file's
// version first: change_check, true when unset.
func (g *Google) ChecksChanges() bool { return g.ChangeCheck == nil || *g.ChangeCheck }

// WriteBack names the tabs sheetaudit writes. An empty tab name turns that
// write-back off.
type WriteBack struct {
	ChangeLogTab string `yaml:"change_log_tab"`
	ReviewTab    string `yaml:"review_tab"`
	ReportTab    string `yaml:"report_tab"`
	// MarkCells puts a note on each offending cell of the data tab.
	MarkCells bool `yaml:"mark_cells"`
	// ChangeLogLimit caps the Change Log rows appended per cycle.
	ChangeLogLimit int `yaml:"change_log_limit"`
	// PasteAlarmShare and PasteAlarmCells raise an error at the top of
	// Needs Review, with the undo command, when one cycle changes at least
	// that share of a column's filled cells and at least that many cells
	// (a value pasted over a whole column). A share of 0 turns it off.
	PasteAlarmShare float64 `yaml:"paste_alarm_share"`
	PasteAlarmCells int     `yaml:"paste_alarm_cells"`
	// Protect is how the Change Log and Needs Review tabs of a Google
	// sheet are protected: warning (the default: editors are warned),
	// strict (only sheetaudit's account and the owner may edit) or off.
	Protect string `yaml:"protect,omitempty"`
}

// Columns is the column rules of a sheet in file order.
type Columns []Column

// Lookup returns the rule for the named column.
func (cs Columns) Lookup(name string) (Rule, bool) {
	for _, c := range cs {
		if c.Name == name {
			return c.Rule, true
		}
	}
	return Rule{}, false
}

// Column is one entry of the columns mapping.
type Column struct {
	Name string
	Rule Rule
}

// Rule is what one column's values must satisfy, as the file writes it:
// its shape is checked here, its meaning by the rule engine (audit.Compile),
// whose errors cmd/sheetaudit reports at this rule's line (Config.ErrorAt).
type Rule struct {
	Type       string   `yaml:"type"`
	Required   bool     `yaml:"required,omitempty"`
	Unique     bool     `yaml:"unique,omitempty"`
	Enum       []string `yaml:"enum,omitempty"`
	IgnoreCase bool     `yaml:"ignore_case,omitempty"`
	// Pattern is an RE2 expression the value must match somewhere; anchor
	// it (^…$) to match the whole value.
	Pattern   string   `yaml:"pattern,omitempty"`
	Min       *float64 `yaml:"min,omitempty"`
	Max       *float64 `yaml:"max,omitempty"`
	MinLength *int     `yaml:"min_length,omitempty"`
	MaxLength *int     `yaml:"max_length,omitempty"`
	// NotBefore and NotAfter are a date (2026-01-01), "today" or
	// "today-30d"/"today+2w", as the rule engine reads them.
	NotBefore string `yaml:"not_before,omitempty"`
	NotAfter  string `yaml:"not_after,omitempty"`
	// References requires the value to appear in another column.
	References *Reference `yaml:"references,omitempty"`
	// Severity is error (the default), warning or info.
	Severity string `yaml:"severity"`
	// Message replaces the generated message of every finding of this rule.
	Message string `yaml:"message,omitempty"`
}

// Reference names the column whose values a referencing column must use.
// Written as a column name (same tab) or as {tab: T, column: C}.
type Reference struct {
	// Tab is empty for the sheet's own data tab.
	Tab    string `yaml:"tab"`
	Column string `yaml:"column"`
}

// RowRule is a row-level condition: when every listed column has one of
// its listed values, the required columns must not be blank.
type RowRule struct {
	Name     string      `yaml:"name"`
	When     []Condition `yaml:"when"`
	Require  []string    `yaml:"require"`
	Severity string      `yaml:"severity"`
	Message  string      `yaml:"message,omitempty"`
}

// Condition is one entry of a RowRule's when mapping: the column's value is
// one of Values.
type Condition struct {
	Column string
	Values []string
}

// Staleness configures stale-record detection for a sheet.
type Staleness struct {
	Basis       string `yaml:"basis"`
	DateColumn  string `yaml:"date_column,omitempty"`
	OwnerColumn string `yaml:"owner_column,omitempty"`
	StageColumn string `yaml:"stage_column,omitempty"`
	// CustomerColumn names the column shown as the customer beside each
	// stale row (default: none; the key alone identifies the row).
	CustomerColumn string `yaml:"customer_column,omitempty"`
	// Default is the threshold for stages not listed in Stages; zero means
	// rows in unlisted stages are never stale.
	Default time.Duration `yaml:"default,omitempty"`
	// Stages holds per-stage thresholds in file order.
	Stages Stages `yaml:"stages,omitempty"`
	// Exempt lists stages that are never stale.
	Exempt []string `yaml:"exempt,omitempty"`
	// BusinessDays skips weekends and Holidays, and counts Workdays.
	BusinessDays bool   `yaml:"business_days"`
	Holidays     []Date `yaml:"holidays,omitempty"`
	// Workdays are make-up working days that fall on a weekend.
	Workdays []Date `yaml:"workdays,omitempty"`
	// WarnBefore flags rows that will go stale within this time.
	WarnBefore time.Duration `yaml:"warn_before,omitempty"`
	// ResetOn lists the columns whose edits count as a follow-up (basis
	// history); empty means any column.
	ResetOn []string `yaml:"reset_on,omitempty"`
	// NextDateColumn names a next-follow-up date column (下次跟进日期): a
	// row whose date is in the future is scheduled, not stale, until then.
	NextDateColumn string `yaml:"next_date_column,omitempty"`
	// Calendar takes official holidays and make-up workdays from a
	// maintained table: "CN" for mainland China. Holidays and Workdays
	// still add to it.
	Calendar string `yaml:"calendar,omitempty"`
	// WonStages are the stages the report counts as won; empty means the
	// last stage listed in stages.
	WonStages []string `yaml:"won_stages,omitempty"`
}

// Threshold returns the staleness threshold for a row in stage, and false
// when such a row is never stale (exempt, or unlisted with no default).
func (s *Staleness) Threshold(stage string) (time.Duration, bool) {
	for _, e := range s.Exempt {
		if e == stage {
			return 0, false
		}
	}
	for _, st := range s.Stages {
		if st.Name == stage {
			return st.Threshold, true
		}
	}
	return s.Default, s.Default > 0
}

// Stages is per-stage thresholds in file order.
type Stages []Stage

// Stage is one entry of the stages mapping.
type Stage struct {
	Name      string
	Threshold time.Duration
}

// Default returns a Config with every default applied and no sheets.
func Default() *Config {
	return &Config{
		Store:           DefaultStore,
		Timezone:        DefaultTimezone,
		Locale:          DefaultLocale,
		MaxConcurrent:   DefaultMaxConcurrent,
		ShutdownTimeout: DefaultShutdownTimeout,
		StoreTimeout:    DefaultStoreTimeout,
		HTTP:            HTTP{Listen: DefaultListen},
		Quotas: Quotas{
			ReadPerMinute:  DefaultReadPerMinute,
			WritePerMinute: DefaultWritePerMinute,
			CycleDeadline:  DefaultCycleDeadline,
		},
		Report: Report{MaskPII: true},
	}
}

// DefaultSheet returns a Sheet with its defaults applied; the required keys
// (name, source, tab, key) are left empty.
func DefaultSheet() Sheet {
	var s Sheet
	s.setDefaults()
	return s
}

// Location returns the loaded Timezone, or UTC for a Config that has not
// been validated.
func (c *Config) Location() *time.Location {
	if c.loc == nil {
		return time.UTC
	}
	return c.loc
}

// Sheet returns the sheet with the given name.
func (c *Config) Sheet(name string) (*Sheet, bool) {
	for i := range c.Sheets {
		if c.Sheets[i].Name == name {
			return &c.Sheets[i], true
		}
	}
	return nil, false
}

// defaulter is implemented by types whose zero value is not their default;
// the decoder calls it on every value it allocates.
type defaulter interface{ setDefaults() }

func (s *Sheet) setDefaults() {
	s.HeaderRow = DefaultHeaderRow
	s.Capture = []string{CaptureValues}
	s.WriteBack = WriteBack{
		ChangeLogTab:   DefaultChangeLogTab,
		ReviewTab:      DefaultReviewTab,
		ReportTab:      DefaultReportTab,
		ChangeLogLimit: DefaultChangeLogLimit,

		PasteAlarmShare: DefaultPasteAlarmShare,
		PasteAlarmCells: DefaultPasteAlarmCells,
	}
}

// localeDefaults names the write-back tabs in the configured language
// when the file does not name them; set says which key paths it sets.
func (c *Config) localeDefaults(set func(path string) bool) {
	if c.Locale != LocaleChinese {
		return
	}
	for i := range c.Sheets {
		wb := &c.Sheets[i].WriteBack
		p := fmt.Sprintf("sheets[%d].write_back.", i)
		for _, k := range []struct {
			key      string
			v        *string
			en, zhCN string
		}{
			{"change_log_tab", &wb.ChangeLogTab, DefaultChangeLogTab, DefaultChangeLogTabZH},
			{"review_tab", &wb.ReviewTab, DefaultReviewTab, DefaultReviewTabZH},
			{"report_tab", &wb.ReportTab, DefaultReportTab, DefaultReportTabZH},
		} {
			if !set(p+k.key) && *k.v == k.en {
				*k.v = k.zhCN
			}
		}
	}
}

func (r *Rule) setDefaults() {
	r.Type = TypeText
	r.Severity = SeverityError
}

func (r *RowRule) setDefaults() { r.Severity = SeverityError }

func (e *Email) setDefaults() { e.StartTLS = true }

func (s *Staleness) setDefaults() { s.Basis = BasisColumn }

// ResolvePassword returns the SMTP password: Password when set, else the
// content of PasswordFile without its trailing newline, else "".
func (e *Email) ResolvePassword() (string, error) {
	if e.Password != "" || e.PasswordFile == "" {
		return string(e.Password), nil
	}
	b, err := os.ReadFile(e.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("read password_file: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
