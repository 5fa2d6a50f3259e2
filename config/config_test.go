package config

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// env returns a getenv over a fixed set of variables.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func ptr[T any](v T) *T { return &v }

var ignoreUnexported = cmpopts.IgnoreUnexported(Config{}, Google{})

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./config/ -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func mustLoad(t *testing.T, path string, getenv func(string) string) *Config {
	t.Helper()
	c, err := Load(path, getenv)
	if err != nil {
		t.Fatalf("Load(%q) = %v", path, err)
	}
	return c
}

func TestLoadFull(t *testing.T) {
	got := mustLoad(t, "testdata/full.yaml", env("SMTP_PASSWORD", "hunter2"))

	stage := []string{"初步洽谈", "需求确认", "方案报价", "商务谈判", "签约完成", "流失"}
	want := &Config{
		Store:           "testdata/sheetaudit-data",
		Timezone:        "Asia/Shanghai",
		Locale:          LocaleChinese,
		MaxConcurrent:   8,
		ShutdownTimeout: 45 * time.Second,
		StoreTimeout:    DefaultStoreTimeout,
		HTTP:            HTTP{Listen: "0.0.0.0:9464"},
		Quotas:          Quotas{ReadPerMinute: 300, WritePerMinute: 60, CycleDeadline: 15 * time.Minute},
		Retention:       Retention{KeepLast: 20, KeepHourly: 24, KeepDaily: 30, KeepWeekly: 26, KeepMonthly: 24},
		Report: Report{
			Schedule: "0 8 * * MON",
			Email: &Email{
				SMTP:     "smtp.corp.cn:587",
				From:     "sheetaudit@corp.cn",
				To:       []string{"sales-lead@corp.cn", "ops@corp.cn"},
				Username: "sheetaudit",
				Password: "hunter2",
				StartTLS: true,
			},
			Owners:  map[string]string{"张三": "zhang@corp.cn", "李四": "li@corp.cn"},
			MaskPII: false,
		},
		Sheets: []Sheet{
			{
				Name:       "group-clients",
				Schedule:   "@every 15m",
				RunAtStart: true,
				Source: Source{Google: &Google{
					SpreadsheetID:   "1AbCdEfGh",
					CredentialsFile: "testdata/secrets/sa.json",
					Endpoint:        "http://127.0.0.1:8089/",
				}},
				Tab:       "客户",
				HeaderRow: 1,
				Key:       []string{"客户编号"},
				Capture:   []string{"values", "formulas"},
				WriteBack: WriteBack{
					ChangeLogTab:   "Change Log",
					ReviewTab:      "待处理",
					ReportTab:      "跟进报告",
					MarkCells:      true,
					ChangeLogLimit: 2000,

					PasteAlarmShare: DefaultPasteAlarmShare,
					PasteAlarmCells: DefaultPasteAlarmCells,
				},
				Columns: Columns{
					{"客户编号", Rule{Type: "text", Required: true, Pattern: `^C\d{5}$`, Unique: true, Severity: "error"}},
					{"客户名称", Rule{Type: "text", Required: true, MaxLength: ptr(100), Severity: "error"}},
					{"所属集团", Rule{Type: "text", References: &Reference{Column: "客户名称"}, Severity: "error"}},
					{"上级集团", Rule{Type: "text", References: &Reference{Tab: "集团", Column: "名称"}, Severity: "warning"}},
					{"联系方式", Rule{Type: "phone", Severity: "error"}},
					{"邮箱", Rule{Type: "email", Severity: "error", Message: "请填写有效的邮箱"}},
					{"官网", Rule{Type: "url", Severity: "error"}},
					{"行业", Rule{Type: "text", Enum: []string{"IT", "金融", "制造", "零售", "医疗", "教育", "其他"}, IgnoreCase: true, Severity: "error"}},
					{"销售进展", Rule{Type: "text", Required: true, Enum: stage, Severity: "error"}},
					{"首次接触日期", Rule{Type: "date", NotBefore: "2020-01-01", NotAfter: "today", Severity: "error"}},
					{"最后跟进日期", Rule{Type: "date", NotAfter: "today", Severity: "error"}},
					{"下次跟进时间", Rule{Type: "datetime", NotBefore: "today-30d", Severity: "error"}},
					{"合同金额", Rule{Type: "number", Min: ptr(0.0), Max: ptr(1e9), Severity: "error"}},
					{"员工人数", Rule{Type: "integer", Min: ptr(1.0), Severity: "error"}},
					{"联系人", Rule{Type: "text", MinLength: ptr(2), MaxLength: ptr(20), Severity: "error"}},
					{"是否重点", Rule{Type: "bool", Severity: "error"}},
					{"合同编号", Rule{Type: "text", Severity: "error"}},
				},
				Schema: "testdata/clients.schema.json",
				Rules: []RowRule{
					{
						Name:     "签约需合同编号",
						When:     []Condition{{"销售进展", []string{"签约完成"}}},
						Require:  []string{"合同编号"},
						Severity: "error",
					},
					{
						Name:     "报价需金额",
						When:     []Condition{{"销售进展", []string{"方案报价", "商务谈判"}}},
						Require:  []string{"合同金额", "联系人"},
						Severity: "warning",
						Message:  "报价阶段请填写金额和联系人",
					},
				},
				Staleness: &Staleness{
					Basis:       "column",
					DateColumn:  "最后跟进日期",
					OwnerColumn: "负责人",
					StageColumn: "销售进展",
					Default:     30 * 24 * time.Hour,
					Stages: Stages{
						{"初步洽谈", 14 * 24 * time.Hour},
						{"需求确认", 14 * 24 * time.Hour},
						{"方案报价", 10 * 24 * time.Hour},
						{"商务谈判", 7 * 24 * time.Hour},
						{"签约完成", 90 * 24 * time.Hour},
					},
					Exempt:       []string{"流失"},
					BusinessDays: true,
					Holidays:     []Date{{2026, 10, 1}, {2026, 10, 2}},
					Workdays:     []Date{{2026, 9, 28}},
					WarnBefore:   3 * 24 * time.Hour,
				},
			},
			{
				Name:      "华东.clients_v2",
				Source:    Source{XLSX: "testdata/clients.xlsx"},
				Tab:       "客户",
				HeaderRow: 1,
				Key:       []string{"客户编号", "分公司"},
				Capture:   []string{"values"},
				// locale zh-CN names the tabs the file leaves unnamed.
				WriteBack: WriteBack{
					ChangeLogTab:   DefaultChangeLogTabZH,
					ReviewTab:      DefaultReviewTabZH,
					ReportTab:      DefaultReportTabZH,
					ChangeLogLimit: 5000,

					PasteAlarmShare: DefaultPasteAlarmShare,
					PasteAlarmCells: DefaultPasteAlarmCells,
				},
				Staleness: &Staleness{
					Basis:      "history",
					Default:    14 * 24 * time.Hour,
					WarnBefore: 36 * time.Hour,
					ResetOn:    []string{"最后跟进日期", "销售进展", "备注"},
				},
			},
		},
	}
	if diff := cmp.Diff(want, got, ignoreUnexported); diff != "" {
		t.Errorf("Load mismatch (-want +got):\n%s", diff)
	}
	if got, want := got.Location().String(), "Asia/Shanghai"; got != want {
		t.Errorf("Location() = %q, want %q", got, want)
	}
}

func TestRedacted(t *testing.T) {
	c := mustLoad(t, "testdata/full.yaml", env("SMTP_PASSWORD", "hunter2"))
	out, err := c.Redacted()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("hunter2")) {
		t.Errorf("Redacted() leaks the password:\n%s", out)
	}
	golden(t, "full.golden.yaml", out)

	// The effective config reads back as the same config, secrets aside.
	// Its paths are already resolved, so it is parsed from the current folder.
	back, err := Parse(out, "effective.yaml", nil)
	if err != nil {
		t.Fatalf("Parse(Redacted()) = %v", err)
	}
	c.Report.Email.Password = "<secret>"
	if diff := cmp.Diff(c, back, ignoreUnexported); diff != "" {
		t.Errorf("Parse(Redacted()) mismatch (-want +got):\n%s", diff)
	}
}

const minimal = `
sheets:
  - name: s
    source: {xlsx: book.xlsx}
    tab: Data
    key: [ID]
`

func TestDefaults(t *testing.T) {
	got, err := Parse([]byte(minimal), "sheetaudit.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Store = "sheetaudit-data"
	s := DefaultSheet()
	s.Name, s.Source.XLSX, s.Tab, s.Key = "s", "book.xlsx", "Data", []string{"ID"}
	want.Sheets = []Sheet{s}
	if diff := cmp.Diff(want, got, ignoreUnexported); diff != "" {
		t.Errorf("Parse(minimal) mismatch (-want +got):\n%s", diff)
	}
	if got.Location() != time.UTC {
		t.Errorf("Location() = %v, want UTC", got.Location())
	}
	if !got.HTTP.Enabled() || got.HTTP.Listen != DefaultListen {
		t.Errorf("HTTP = %+v, want the default listener", got.HTTP)
	}
	if !got.Report.MaskPII || !got.Retention.KeepAll() {
		t.Errorf("Report.MaskPII = %v, Retention.KeepAll() = %v, want true, true", got.Report.MaskPII, got.Retention.KeepAll())
	}
}

func TestEmptyValueTurnsOff(t *testing.T) {
	src := "http: {listen: \"\"}\n" + strings.Replace(minimal, "key: [ID]", "key: [ID]\n    write_back: {review_tab: \"\"}", 1)
	c, err := Parse([]byte(src), "sheetaudit.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Enabled() {
		t.Errorf("HTTP.Enabled() = true with listen: \"\", want false")
	}
	wb := c.Sheets[0].WriteBack
	if wb.ReviewTab != "" || wb.ChangeLogTab != DefaultChangeLogTab {
		t.Errorf("WriteBack = %+v, want review tab off and change log tab default", wb)
	}
}

func TestRelativePaths(t *testing.T) {
	src := `
store: data
report:
  email: {smtp: "mail:25", from: a@b.c, to: [d@e.f], username: u, password_file: ../pw.txt}
sheets:
  - name: a
    source: {google: {spreadsheet_id: x, credentials_file: sa.json}}
    tab: T
    key: [K]
    schema: schemas/a.json
  - name: b
    source: {xlsx: /abs/book.xlsx}
    tab: T
    key: [K]
`
	tests := []struct {
		file, store string
		want        []string // password_file, credentials_file, schema, xlsx
	}{
		{"/etc/sheetaudit/sheetaudit.yaml", "/etc/sheetaudit/data",
			[]string{"/etc/pw.txt", "/etc/sheetaudit/sa.json", "/etc/sheetaudit/schemas/a.json", "/abs/book.xlsx"}},
		{"conf/sheetaudit.yaml", "conf/data",
			[]string{"pw.txt", "conf/sa.json", "conf/schemas/a.json", "/abs/book.xlsx"}},
		{"sheetaudit.yaml", "data",
			[]string{"../pw.txt", "sa.json", "schemas/a.json", "/abs/book.xlsx"}},
	}
	for _, tt := range tests {
		c, err := Parse([]byte(src), tt.file, nil)
		if err != nil {
			t.Fatalf("Parse(%q) = %v", tt.file, err)
		}
		got := []string{c.Report.Email.PasswordFile, c.Sheets[0].Source.Google.CredentialsFile, c.Sheets[0].Schema, c.Sheets[1].Source.XLSX}
		if c.Store != tt.store {
			t.Errorf("Parse(%q).Store = %q, want %q", tt.file, c.Store, tt.store)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Parse(%q) paths mismatch (-want +got):\n%s", tt.file, diff)
		}
	}
	for _, store := range []string{"s3://bucket/prefix?region=eu-west-1", "gs://b/p", "mem://", "file:///var/lib/sheetaudit"} {
		c, err := Parse([]byte("store: "+store+"\n"+minimal), "conf/x.yaml", nil)
		if err != nil {
			t.Fatalf("store %q: %v", store, err)
		}
		if c.Store != store {
			t.Errorf("Store = %q, want %q unchanged", c.Store, store)
		}
	}
}

func TestEnvExpansion(t *testing.T) {
	getenv := env("HOST", "smtp.corp.cn", "PORT", "587", "ROW", "3", "PW", "s3cr3t")
	tests := []struct {
		in, want string
	}{
		{"plain", "plain"},
		{"${HOST}:${PORT}", "smtp.corp.cn:587"},
		{"${MISSING:-fallback}", "fallback"},
		{"${MISSING:-}", ""},
		{"${HOST:-unused}", "smtp.corp.cn"},
		{"cost $5 and ^C\\d{5}$", "cost $5 and ^C\\d{5}$"},
		{"$${HOST}", "${HOST}"},
		{"a$${b}c${PORT}", "a${b}c587"},
	}
	for _, tt := range tests {
		got, err := expandEnv(tt.in, getenv)
		if err != nil || got != tt.want {
			t.Errorf("expandEnv(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"${MISSING}", "${HOST", "${1BAD}", "${}"} {
		if got, err := expandEnv(in, getenv); err == nil {
			t.Errorf("expandEnv(%q) = %q, want an error", in, got)
		}
	}

	// Expansion happens before decoding, so typed keys can use variables.
	src := strings.Replace(minimal, "key: [ID]", "key: [ID]\n    header_row: ${ROW}", 1) +
		"report:\n  email: {smtp: \"${HOST}:${PORT}\", from: a@b.c, to: [d@e.f], username: u, password: \"${PW}\"}\n"
	c, err := Parse([]byte(src), "x.yaml", getenv)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Sheets[0].HeaderRow; got != 3 {
		t.Errorf("HeaderRow = %d, want 3", got)
	}
	if got := c.Report.Email.SMTP; got != "smtp.corp.cn:587" {
		t.Errorf("SMTP = %q, want smtp.corp.cn:587", got)
	}
	if got := string(c.Report.Email.Password); got != "s3cr3t" {
		t.Errorf("Password = %q, want s3cr3t", got)
	}
}

func TestSecret(t *testing.T) {
	s := Secret("hunter2")
	for _, got := range []string{
		s.String(), fmtSprintf("%v", s), fmtSprintf("%s", s), fmtSprintf("%+v", struct{ P Secret }{s}),
		fmtSprintf("%#v", s), jsonString(t, mustJSON(t, s)), string(mustYAML(t, s)),
	} {
		if strings.Contains(got, "hunter2") || !strings.Contains(got, "<secret>") {
			t.Errorf("secret printed as %q, want <secret>", got)
		}
	}
	if got := Secret("").String(); got != "" {
		t.Errorf("empty Secret prints %q, want \"\"", got)
	}
}

func TestResolvePassword(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		e    Email
		want string
	}{
		{Email{Password: "inline"}, "inline"},
		{Email{PasswordFile: pw}, "from-file"},
		{Email{}, ""},
	}
	for _, tt := range tests {
		got, err := tt.e.ResolvePassword()
		if err != nil || got != tt.want {
			t.Errorf("ResolvePassword(%+v) = %q, %v, want %q", tt.e, got, err, tt.want)
		}
	}
	e := Email{PasswordFile: filepath.Join(dir, "missing")}
	if _, err := e.ResolvePassword(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ResolvePassword(missing file) = %v, want os.ErrNotExist", err)
	}
}

func TestErrorsAs(t *testing.T) {
	_, err := Parse([]byte("sheets: []\nlocale: fr\n"), "x.yaml", nil)
	var es Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("Parse = %v, want Errors with 2 problems", err)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Path != "sheets" || fe.Line != 1 {
		t.Errorf("errors.As(*FieldError) = %+v, want sheets at line 1", fe)
	}
	if got := es[1]; got.Path != "locale" || got.Line != 2 || got.Column != 1 {
		t.Errorf("es[1] = %+v, want locale at 2:1", got)
	}
}

// TestErrorCases loads every testdata/errors/*.yaml and compares the
// messages with the .golden file next to it.
func TestErrorCases(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no error cases: %v", err)
	}
	getenv := env("SET", "value")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			_, err := Load(f, getenv)
			if err == nil {
				t.Fatalf("Load(%q) = nil error, want errors", f)
			}
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("Load(%q) = %T, want Errors", f, err)
			}
			for _, e := range es {
				if e.Line == 0 && e.Path != "sheets" {
					t.Errorf("error without a line: %v", e)
				}
			}
			golden(t, filepath.Join("errors", name+".golden"), []byte(err.Error()+"\n"))
		})
	}
}

func TestValidateWithoutPositions(t *testing.T) {
	c := Default()
	s := DefaultSheet()
	s.Name, s.Tab, s.Key = "x", "T", []string{"K"}
	s.Source.XLSX = "a.xlsx"
	c.Sheets = []Sheet{s}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate(built in code) = %v", err)
	}
	c.Sheets[0].WriteBack.ChangeLogLimit = 0
	err := c.Validate()
	want := "sheets[0].write_back.change_log_limit: must be at least 1"
	if err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want %q", err, want)
	}
}

func TestMergeKeys(t *testing.T) {
	src := `
x-common: &common
  source: {xlsx: clients.xlsx}
  tab: 客户
  key: [客户编号]
sheets:
  - <<: *common
    name: a
  - <<: *common
    name: b
    tab: 客户2
`
	c, err := Parse([]byte(src), "x.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{c.Sheets[0].Tab, c.Sheets[0].Source.XLSX, c.Sheets[1].Tab, c.Sheets[1].Source.XLSX}
	want := []string{"客户", "clients.xlsx", "客户2", "clients.xlsx"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged sheets mismatch (-want +got):\n%s", diff)
	}
}

func TestStalenessThreshold(t *testing.T) {
	s := &Staleness{
		Default: 30 * day,
		Stages:  Stages{{"商务谈判", 7 * day}},
		Exempt:  []string{"流失"},
	}
	tests := []struct {
		stage string
		want  time.Duration
		ok    bool
	}{
		{"商务谈判", 7 * day, true},
		{"初步洽谈", 30 * day, true},
		{"流失", 0, false},
	}
	for _, tt := range tests {
		got, ok := s.Threshold(tt.stage)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Threshold(%q) = %v, %v, want %v, %v", tt.stage, got, ok, tt.want, tt.ok)
		}
	}
	s.Default = 0
	if _, ok := s.Threshold("初步洽谈"); ok {
		t.Errorf("Threshold(unlisted) with no default = _, true, want false")
	}
}

// TestCredentials: sheets name a credentials entry and use its key file;
// an entry's own limits override the quotas', and a sheet with its own
// credentials_file keeps it.
func TestCredentials(t *testing.T) {
	c, err := Parse([]byte(`
quotas: {read_per_minute: 60, write_per_minute: 50, window: 6s}
credentials:
  - name: sa-a
    file: keys/a.json
  - name: sa-b
    file: /etc/sheetaudit/b.json
    read_per_minute: 600
sheets:
  - {name: one, source: {google: {spreadsheet_id: s1, credentials: sa-a}}, tab: T, key: [id]}
  - {name: two, source: {google: {spreadsheet_id: s2, credentials: sa-b}}, tab: T, key: [id]}
  - {name: three, source: {google: {spreadsheet_id: s3, credentials_file: own.json}}, tab: T, key: [id]}
  - {name: four, source: {google: {spreadsheet_id: s4}}, tab: T, key: [id]}
`), "/srv/conf/sheetaudit.yaml", env())
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, s := range c.Sheets {
		files = append(files, s.Source.Google.KeyFile())
	}
	if diff := cmp.Diff([]string{"/srv/conf/keys/a.json", "/etc/sheetaudit/b.json", "/srv/conf/own.json", ""}, files); diff != "" {
		t.Errorf("key files (-want +got):\n%s", diff)
	}
	type limits struct{ Read, Write int }
	var got []limits
	for _, name := range []string{"sa-a", "sa-b"} {
		cr, ok := c.Credential(name)
		if !ok {
			t.Fatalf("no credential %q", name)
		}
		r, w := c.Limits(cr)
		got = append(got, limits{r, w})
	}
	r, w := c.Limits(Credential{})
	got = append(got, limits{r, w})
	if diff := cmp.Diff([]limits{{60, 50}, {600, 50}, {60, 50}}, got); diff != "" {
		t.Errorf("limits (-want +got):\n%s", diff)
	}
	if c.Quotas.QuotaWindow() != 6*time.Second || Default().Quotas.QuotaWindow() != time.Minute {
		t.Errorf("quota window %s, default %s", c.Quotas.QuotaWindow(), Default().Quotas.QuotaWindow())
	}
	out, err := c.Redacted()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"credentials:\n  - name: sa-a\n    file: /srv/conf/keys/a.json", "credentials: sa-b", "window: 6s"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("config check output lacks %q:\n%s", want, out)
		}
	}
}
