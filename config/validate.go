package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Validate checks the rules that span fields (exactly one source, unique
// sheet names, regular expressions that compile, a loadable time zone, …)
// and loads the time zone for Location. It returns Errors, located when the
// Config came from Parse or Load.
func (c *Config) Validate() error {
	return c.validate("")
}

func (c *Config) validate(file string) error {
	v := &validator{c: c, file: file}
	v.config()
	return v.errs.sorted().err()
}

type validator struct {
	c    *Config
	file string
	errs Errors
}

// errf reports a problem at path, located at the nearest written key.
func (v *validator) errf(path, format string, args ...any) {
	e := &FieldError{File: v.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	for p := path; p != ""; p = parentPath(p) {
		if pos, ok := v.c.pos[p]; ok {
			e.Line, e.Column = pos.line, pos.col
			break
		}
	}
	v.errs = append(v.errs, e)
}

// parentPath drops the last element of a key path.
func parentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndex(p, "["); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndex(p, "."); i >= 0 {
		return p[:i]
	}
	return ""
}

func (v *validator) line(path string) int { return v.c.pos[path].line }

func (v *validator) config() {
	c := v.c
	v.store(c.Store)
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		v.errf("timezone", "unknown time zone %q (use an IANA name such as Asia/Shanghai or UTC)", c.Timezone)
	} else {
		c.loc = loc
	}
	if c.Locale != LocaleEnglish && c.Locale != LocaleChinese {
		v.errf("locale", "unknown locale %q: use en or zh-CN%s", c.Locale, audit.Suggest(c.Locale, []string{LocaleEnglish, LocaleChinese}))
	}
	if c.MaxConcurrent < 1 {
		v.errf("max_concurrent", "must be at least 1")
	}
	v.nonNegative("shutdown_timeout", c.ShutdownTimeout)
	v.nonNegative("store_timeout", c.StoreTimeout)
	if c.HTTP.Listen != "" {
		if err := checkHostPort(c.HTTP.Listen); err != nil {
			v.errf("http.listen", "%v (write host:port such as 127.0.0.1:9464, or \"\" to turn it off)", err)
		}
	}
	if c.Quotas.ReadPerMinute < 1 {
		v.errf("quotas.read_per_minute", "must be at least 1")
	}
	if c.Quotas.WritePerMinute < 1 {
		v.errf("quotas.write_per_minute", "must be at least 1")
	}
	if c.Quotas.CycleDeadline <= 0 {
		v.errf("quotas.cycle_deadline", "must be positive")
	}
	if w := c.Quotas.Window; w != 0 && (w < time.Second || w > time.Minute) {
		v.errf("quotas.window", "must be between 1s and 1m (it shortens the quota minute for benchmarks and tests; leave it out against Google)")
	}
	v.credentials()
	r := c.Retention
	for _, k := range []struct {
		name string
		n    int
	}{
		{"keep_last", r.KeepLast}, {"keep_hourly", r.KeepHourly}, {"keep_daily", r.KeepDaily},
		{"keep_weekly", r.KeepWeekly}, {"keep_monthly", r.KeepMonthly},
	} {
		if k.n < 0 {
			v.errf("retention."+k.name, "must not be negative")
		}
	}
	v.report()
	v.access()

	if len(c.Sheets) == 0 {
		v.errf("sheets", "at least one sheet is required")
	}
	names := map[string]string{}
	for i := range c.Sheets {
		p := fmt.Sprintf("sheets[%d]", i)
		s := &c.Sheets[i]
		v.sheet(p, s)
		if s.Name == "" {
			continue
		}
		if first, dup := names[s.Name]; dup {
			v.errf(p+".name", "duplicate sheet name %q (first at line %d)", s.Name, v.line(first+".name"))
		} else {
			names[s.Name] = p
		}
	}
}

// credentials checks the credentials list: named, unique, one entry per
// key file (one account is one quota, so it gets one limiter).
func (v *validator) credentials() {
	names, files := map[string]int{}, map[string]int{}
	for i, cr := range v.c.Credentials {
		p := fmt.Sprintf("credentials[%d]", i)
		switch first, dup := names[cr.Name]; {
		case cr.Name == "":
			v.errf(p+".name", "is required (sheets refer to it in source.google.credentials)")
		case dup:
			v.errf(p+".name", "duplicate credentials name %q (first at line %d)", cr.Name, v.line(fmt.Sprintf("credentials[%d].name", first)))
		default:
			names[cr.Name] = i
		}
		if first, dup := files[cr.File]; dup {
			what := fmt.Sprintf("key file %q", cr.File)
			if cr.File == "" {
				what = "Application Default Credentials (no file)"
			}
			v.errf(p+".file", "%s is already credentials[%d] (%s): one account has one quota, so name it once", what, first, v.c.Credentials[first].Name)
		} else {
			files[cr.File] = i
		}
		if cr.ReadPerMinute < 0 {
			v.errf(p+".read_per_minute", "must not be negative (0 means quotas.read_per_minute)")
		}
		if cr.WritePerMinute < 0 {
			v.errf(p+".write_per_minute", "must not be negative (0 means quotas.write_per_minute)")
		}
	}
}

var storeSchemes = []string{"file", "s3", "gs", "mem"}

func (v *validator) store(s string) {
	if s == "" {
		v.errf("store", "must not be empty (a folder, or a file:///, s3://, gs:// or mem:// URL)")
		return
	}
	if !strings.Contains(s, "://") {
		return
	}
	u, err := url.Parse(s)
	if err != nil {
		v.errf("store", "invalid URL: %v", err)
		return
	}
	if !slices.Contains(storeSchemes, u.Scheme) {
		v.errf("store", "unsupported scheme %q: use a folder, or a file:///, s3://, gs:// or mem:// URL", u.Scheme)
		return
	}
	if (u.Scheme == "s3" || u.Scheme == "gs") && u.Host == "" {
		v.errf("store", "%s URL needs a bucket, such as %s://bucket/prefix", u.Scheme, u.Scheme)
	}
}

func (v *validator) report() {
	r := &v.c.Report
	if r.Schedule != "" {
		if err := checkCron(r.Schedule); err != nil {
			v.errf("report.schedule", "%v", err)
		}
	}
	if e := r.Email; e != nil {
		p := "report.email"
		if e.SMTP == "" {
			v.errf(p+".smtp", "is required (host:port)")
		} else if err := checkHostPort(e.SMTP); err != nil {
			v.errf(p+".smtp", "%v (write host:port such as smtp.example.com:587)", err)
		}
		if e.From == "" {
			v.errf(p+".from", "is required")
		} else if !looksLikeEmail(e.From) {
			v.errf(p+".from", "%q is not an e-mail address", e.From)
		}
		if len(e.To) == 0 {
			v.errf(p+".to", "needs at least one address")
		}
		for i, a := range e.To {
			if !looksLikeEmail(a) {
				v.errf(fmt.Sprintf("%s.to[%d]", p, i), "%q is not an e-mail address", a)
			}
		}
		if e.Password != "" && e.PasswordFile != "" {
			v.errf(p+".password_file", "set only one of password and password_file")
		}
		if (e.Password != "" || e.PasswordFile != "") && e.Username == "" {
			v.errf(p+".username", "is required when a password is set")
		}
		if a := strings.ToLower(e.Auth); a != "" && a != "plain" && a != "login" {
			v.errf(p+".auth", "unknown mechanism %q: use plain or login", e.Auth)
		}
	}
	if r.Files != "" {
		if m, err := strconv.ParseUint(r.Files, 8, 32); err != nil || m > 0o777 {
			v.errf("report.file_mode", "%q is not a file mode: write it in octal, such as \"0644\"", r.Files)
		}
	}
	for i, c := range r.Chat {
		cp := fmt.Sprintf("report.chat[%d]", i)
		switch c.Type {
		case ChatWeCom, ChatDingTalk, ChatFeishu, ChatSlack:
		default:
			v.errf(cp+".type", "unknown chat %q: use wecom, dingtalk, feishu or slack%s", c.Type,
				audit.Suggest(c.Type, []string{ChatWeCom, ChatDingTalk, ChatFeishu, ChatSlack}))
		}
		if c.Webhook == "" {
			v.errf(cp+".webhook", "is required: the robot's webhook URL, usually written as ${%s_WEBHOOK}", strings.ToUpper(c.Type))
		} else if u, err := url.Parse(string(c.Webhook)); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.errf(cp+".webhook", "is not an http(s) URL")
		}
		if c.Secret != "" && c.Type != ChatDingTalk && c.Type != ChatFeishu {
			v.errf(cp+".secret", "only dingtalk and feishu robots sign their messages")
		}
		if c.PerMinute < 0 {
			v.errf(cp+".per_minute", "must not be negative")
		}
	}
	for _, name := range sortedKeys(r.Owners) {
		p := joinPath("report.owners", name)
		if name == "" {
			v.errf(p, "owner name must not be empty")
		}
		if !looksLikeEmail(r.Owners[name]) {
			v.errf(p, "%q is not an e-mail address", r.Owners[name])
		}
	}
	if len(r.Owners) > 0 && r.Email == nil {
		v.errf("report.owners", "owners' lists are sent by e-mail: configure report.email too")
	}
}

func (v *validator) sheet(p string, s *Sheet) {
	switch {
	case s.Name == "":
		v.errf(p+".name", "is required")
	case !validName(s.Name):
		v.errf(p+".name", "%q: use letters, digits, '.', '_' and '-' only, not starting with '.' (at most 100 characters)", s.Name)
	}
	if s.Schedule != "" {
		if err := checkCron(s.Schedule); err != nil {
			v.errf(p+".schedule", "%v", err)
		}
	}
	v.source(p+".source", &s.Source)
	if s.Tab == "" {
		v.errf(p+".tab", "is required (the name of the data tab)")
	}
	if s.HeaderRow < 1 {
		v.errf(p+".header_row", "must be at least 1")
	}
	if len(s.Key) == 0 {
		v.errf(p+".key", "needs at least one column that identifies a row")
	}
	v.names(p+".key", s.Key, "column")
	v.capture(p+".capture", s.Capture)

	wb := s.WriteBack
	if wb.ChangeLogLimit < 1 {
		v.errf(p+".write_back.change_log_limit", "must be at least 1")
	}
	if wb.PasteAlarmShare < 0 || wb.PasteAlarmShare > 1 {
		v.errf(p+".write_back.paste_alarm_share", "must be between 0 (off) and 1, e.g. 0.5 for half of a column's filled cells")
	}
	if wb.PasteAlarmCells < 1 {
		v.errf(p+".write_back.paste_alarm_cells", "must be at least 1")
	}
	tabs := map[string]string{s.Tab: "tab"}
	for _, t := range []struct{ key, name string }{
		{"change_log_tab", wb.ChangeLogTab}, {"review_tab", wb.ReviewTab}, {"report_tab", wb.ReportTab},
	} {
		if t.name == "" {
			continue
		}
		if other, dup := tabs[t.name]; dup && s.Tab != "" {
			v.errf(p+".write_back."+t.key, "%q is already used by %s", t.name, other)
			continue
		}
		tabs[t.name] = "write_back." + t.key
	}

	// What a column rule or a row rule says (types, enums, patterns,
	// bounds, row conditions) is the rule engine's to judge:
	// cmd/sheetaudit compiles the rules and reports its errors at the
	// rule's line (ErrorAt).
	if s.Staleness != nil {
		v.staleness(p+".staleness", s)
	}
}

// validName reports whether a sheet name is safe in store paths and logs.
func validName(s string) bool {
	if s == "" || s[0] == '.' || len([]rune(s)) > 100 {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) && r != '.' && r != '_' && r != '-' {
			return false
		}
	}
	return true
}

var spreadsheetURL = regexp.MustCompile(`/spreadsheets/d/([A-Za-z0-9_-]+)`)

func (v *validator) source(p string, src *Source) {
	switch {
	case src.Google != nil && src.XLSX != "":
		v.errf(p, "set only one of google and xlsx")
	case src.Google == nil && src.XLSX == "":
		v.errf(p, "set google (a spreadsheet) or xlsx (a local workbook)")
	}
	g := src.Google
	if g == nil {
		return
	}
	switch {
	case g.SpreadsheetID == "":
		v.errf(p+".google.spreadsheet_id", "is required")
	case strings.ContainsAny(g.SpreadsheetID, "/ "):
		hint := ""
		if m := spreadsheetURL.FindStringSubmatch(g.SpreadsheetID); m != nil {
			hint = fmt.Sprintf(" (the id in this URL is %q)", m[1])
		}
		v.errf(p+".google.spreadsheet_id", "write the id from the spreadsheet's URL, not the URL%s", hint)
	}
	g.keyFile = ""
	if g.Credentials != "" {
		switch cr, ok := v.c.Credential(g.Credentials); {
		case g.CredentialsFile != "":
			v.errf(p+".google.credentials", "set only one of credentials and credentials_file")
		case !ok:
			var known []string
			for _, c := range v.c.Credentials {
				if c.Name != "" && !slices.Contains(known, c.Name) {
					known = append(known, c.Name)
				}
			}
			if len(known) == 0 {
				v.errf(p+".google.credentials", "no credentials entry named %q: add it to the top-level credentials list (name, file)", g.Credentials)
				break
			}
			v.errf(p+".google.credentials", "no credentials entry named %q (known: %s)%s", g.Credentials,
				strings.Join(known, ", "), audit.Suggest(g.Credentials, known))
		default:
			g.keyFile = cr.File
		}
	}
	if g.Endpoint != "" {
		u, err := url.Parse(g.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.errf(p+".google.endpoint", "%q is not an http:// or https:// URL", g.Endpoint)
		}
	}
}

func (v *validator) capture(p string, cs []string) {
	seen := map[string]bool{}
	for i, c := range cs {
		switch {
		case c != CaptureValues && c != CaptureFormulas:
			v.errf(fmt.Sprintf("%s[%d]", p, i), "unknown %q: use values or formulas%s", c, audit.Suggest(c, []string{CaptureValues, CaptureFormulas}))
		case seen[c]:
			v.errf(fmt.Sprintf("%s[%d]", p, i), "%q is listed twice", c)
		}
		seen[c] = true
	}
	if !seen[CaptureValues] {
		v.errf(p, "must include values (snapshots always keep the values users see)")
	}
}

// names checks a list of column names: none empty, none twice.
func (v *validator) names(p string, names []string, what string) {
	seen := map[string]bool{}
	for i, n := range names {
		ip := fmt.Sprintf("%s[%d]", p, i)
		switch {
		case strings.TrimSpace(n) == "":
			v.errf(ip, "%s name must not be empty", what)
		case seen[n]:
			v.errf(ip, "%q is listed twice", n)
		}
		seen[n] = true
	}
}

func (v *validator) staleness(p string, s *Sheet) {
	st := s.Staleness
	// The basis and what it needs, thresholds, stages and exempt stages are
	// the staleness engine's to judge (audit.StalePolicy.Check):
	// cmd/sheetaudit reports its errors at their keys (ErrorAt).
	// Stage names must be values the stage column can hold, when it has an enum.
	var enum []string
	if r, ok := s.Columns.Lookup(st.StageColumn); ok && st.StageColumn != "" {
		enum = r.Enum
	}
	inEnum := func(path, stage string) {
		if len(enum) > 0 && !slices.Contains(enum, stage) {
			v.errf(path, "stage %q is not in the enum of column %q%s", stage, st.StageColumn, audit.Suggest(stage, enum))
		}
	}
	for _, sg := range st.Stages {
		inEnum(joinPath(p+".stages", sg.Name), sg.Name)
	}
	for i, e := range st.Exempt {
		inEnum(fmt.Sprintf("%s.exempt[%d]", p, i), e)
	}
	switch st.Calendar {
	case "", CalendarCN:
		if st.Calendar != "" && !st.BusinessDays {
			v.errf(p+".calendar", "applies only with business_days: true")
		}
	default:
		v.errf(p+".calendar", "unknown calendar %q: the one known is %s (mainland China's holidays and make-up workdays)", st.Calendar, CalendarCN)
	}
	for i, w := range st.WonStages {
		inEnum(fmt.Sprintf("%s.won_stages[%d]", p, i), w)
	}
	if !st.BusinessDays {
		if len(st.Holidays) > 0 {
			v.errf(p+".holidays", "applies only with business_days: true")
		}
		if len(st.Workdays) > 0 {
			v.errf(p+".workdays", "applies only with business_days: true")
		}
	}
	for i, w := range st.Workdays {
		wp := fmt.Sprintf("%s.workdays[%d]", p, i)
		if slices.Contains(st.Holidays, w) {
			v.errf(wp, "%s is also a holiday", w)
		}
	}
	v.names(p+".reset_on", st.ResetOn, "column")
}

func (v *validator) nonNegative(p string, d time.Duration) {
	if d < 0 {
		v.errf(p, "must not be negative")
	}
}

func checkHostPort(s string) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("invalid address %q", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("invalid port in %q", s)
	}
	return nil
}

// looksLikeEmail is a plausibility check; the SMTP server is the judge.
func looksLikeEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t<>,")
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

var cronDescriptors = []string{"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}

type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
}

var cronFields = []cronField{
	{"minute", 0, 59, nil},
	{"hour", 0, 23, nil},
	{"day of month", 1, 31, nil},
	{"month", 1, 12, []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{"day of week", 0, 6, []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
}

// checkCron checks the syntax robfig/cron's standard parser accepts: five
// fields, or a descriptor such as @hourly or @every 15m, optionally after
// CRON_TZ=Zone.
func checkCron(expr string) error {
	s := strings.TrimSpace(expr)
	if strings.HasPrefix(s, "CRON_TZ=") || strings.HasPrefix(s, "TZ=") {
		tz, rest, _ := strings.Cut(s, " ")
		_, name, _ := strings.Cut(tz, "=")
		if _, err := time.LoadLocation(name); err != nil {
			return fmt.Errorf("unknown time zone %q in schedule", name)
		}
		s = strings.TrimSpace(rest)
	}
	if strings.HasPrefix(s, "@") {
		if d, ok := strings.CutPrefix(s, "@every "); ok {
			dur, err := time.ParseDuration(strings.TrimSpace(d))
			if err != nil || dur <= 0 {
				return fmt.Errorf("invalid schedule %q: @every needs a positive duration such as 15m or 6h", expr)
			}
			return nil
		}
		if !slices.Contains(cronDescriptors, s) {
			return fmt.Errorf("invalid schedule %q: unknown descriptor%s", expr, audit.Suggest(s, append(cronDescriptors, "@every")))
		}
		return nil
	}
	fields := strings.Fields(s)
	if len(fields) != len(cronFields) {
		return fmt.Errorf("invalid schedule %q: need 5 fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily, got %d fields", expr, len(fields))
	}
	for i, f := range fields {
		if err := cronFields[i].check(f); err != nil {
			return fmt.Errorf("invalid schedule %q: %s: %v", expr, cronFields[i].name, err)
		}
	}
	return nil
}

func (cf cronField) check(field string) error {
	for _, part := range strings.Split(field, ",") {
		rng, step, hasStep := strings.Cut(part, "/")
		if hasStep {
			if n, err := strconv.Atoi(step); err != nil || n < 1 {
				return fmt.Errorf("invalid step %q", step)
			}
		}
		if rng == "*" || rng == "?" {
			continue
		}
		lo, hi, isRange := strings.Cut(rng, "-")
		a, err := cf.value(lo)
		if err != nil {
			return err
		}
		if isRange {
			b, err := cf.value(hi)
			if err != nil {
				return err
			}
			if a > b {
				return fmt.Errorf("range %q runs backwards", rng)
			}
		}
	}
	return nil
}

func (cf cronField) value(s string) (int, error) {
	for i, n := range cf.names {
		if strings.EqualFold(s, n) {
			return cf.min + i, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("invalid value %q", s)
	}
	if n < cf.min || n > cf.max {
		return 0, fmt.Errorf("%d is out of range %d-%d", n, cf.min, cf.max)
	}
	return n, nil
}
