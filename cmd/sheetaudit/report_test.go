package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"google.golang.org/api/option"
	gsheets "google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// inbox is a real SMTP server on loopback that keeps what it receives.
type inbox struct {
	mu   sync.Mutex
	msgs []string // recipients + "\n" + data
}

func (b *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &inboxSession{b: b}, nil }

func (b *inbox) received() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.msgs...)
}

type inboxSession struct {
	b  *inbox
	to []string
}

func (s *inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *inboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *inboxSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, strings.Join(s.to, ",")+"\n"+string(data))
	s.b.mu.Unlock()
	return nil
}
func (s *inboxSession) Reset()        { s.to = nil }
func (s *inboxSession) Logout() error { return nil }

func startSMTP(t *testing.T) (*inbox, string) {
	t.Helper()
	be := &inbox{}
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(l) }()
	t.Cleanup(func() { s.Close(); <-done })
	return be, l.Addr().String()
}

// TestReviewNotesAndReportOnGoogle runs a cycle with rules, staleness and
// mark_cells against the emulator, then the weekly report with its chart,
// files and mail.
func TestReviewNotesAndReportOnGoogle(t *testing.T) {
	srv := sheetstest.Start(t, sheetstest.Options{})
	const id = "1ReportSheetId0000"
	if err := srv.CreateSpreadsheet(id, "客户表", "客户"); err != nil {
		t.Fatal(err)
	}
	today := time.Now().Format("2006-01-02")
	old := time.Now().AddDate(0, 0, -40).Format("2006-01-02")
	if err := srv.SetValues(id, "客户", [][]string{
		{"客户编号", "客户名称", "联系方式", "负责人", "销售进展", "最后跟进日期"},
		{"C00001", "华为", "138 0013 8000", "张三", "商务谈判", today},
		{"C00002", "腾讯", "12345", "李四", "商务谈判", old},
		{"C00003", "字节", "010-6552 9988", "张三", "初步洽谈", ""},
	}); err != nil {
		t.Fatal(err)
	}
	box, smtpAddr := startSMTP(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sheetaudit.yaml")
	err := os.WriteFile(cfg, []byte(`store: ./store
timezone: Asia/Shanghai
report:
  mask_pii: true
  email: {smtp: "`+smtpAddr+`", from: audit@corp.cn, to: [boss@corp.cn], starttls: false}
  owners: {张三: zhang@corp.cn}
sheets:
  - name: clients
    source: {google: {spreadsheet_id: "`+id+`", endpoint: "`+srv.URL()+`"}}
    tab: 客户
    key: [客户编号]
    write_back: {mark_cells: true}
    columns:
      联系方式: {type: phone}
    staleness:
      date_column: 最后跟进日期
      owner_column: 负责人
      stage_column: 销售进展
      customer_column: 客户名称
      default: 30d
      stages: {商务谈判: 7d}
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := sheetaudit(t, nil, "run", "--once", "--config", cfg)
	if code != exitOK || !strings.Contains(out, "(2 stale, 0 due soon)") {
		t.Fatalf("cycle: exit %d\n%s\n%s", code, out, errOut)
	}
	notes, err := srv.Notes(id, "客户")
	if err != nil {
		t.Fatal(err)
	}
	// The bad phone and the two stale follow-up dates are marked.
	if len(notes) != 3 || !strings.HasPrefix(notes["C3"], audit.NotePrefix) || !strings.Contains(notes["C3"], "12345") ||
		!strings.Contains(notes["F4"], "Never followed up") {
		t.Errorf("notes = %q; want sheetaudit notes on C3, F3 and F4", notes)
	}
	review, err := srv.Values(id, "Needs Review")
	if err != nil {
		t.Fatal(err)
	}
	text := flatten(review)
	for _, w := range []string{"type:phone", "stale", "Never followed up", "open C3"} {
		if !strings.Contains(text, w) {
			t.Errorf("Needs Review lacks %q:\n%s", w, text)
		}
	}
	// The link to the offending cell is a link format, never a formula.
	svc, err := gsheets.NewService(context.Background(), option.WithEndpoint(srv.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Spreadsheets.Get(id).Ranges("'Needs Review'!A3:J3").IncludeGridData(true).Do()
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, sh := range got.Sheets {
		for _, d := range sh.Data {
			for _, r := range d.RowData {
				for _, c := range r.Values {
					switch f := c.UserEnteredFormat; {
					case c.Hyperlink != "":
						links = append(links, c.Hyperlink)
					case f != nil && f.TextFormat != nil && f.TextFormat.Link != nil:
						links = append(links, f.TextFormat.Link.Uri)
					}
					for _, run := range c.TextFormatRuns {
						if run.Format != nil && run.Format.Link != nil {
							links = append(links, run.Format.Link.Uri)
						}
					}
					if c.UserEnteredValue != nil && c.UserEnteredValue.FormulaValue != nil {
						t.Errorf("Needs Review holds formula %q", *c.UserEnteredValue.FormulaValue)
					}
				}
			}
		}
	}
	if len(links) != 1 || !strings.Contains(links[0], "/edit#gid=") || !strings.HasSuffix(links[0], "&range=C3") {
		t.Errorf("links of the first finding = %q, want one to the cell C3", links)
	}

	// Fix the phone: the note goes away on the next cycle.
	if err := srv.SetValues(id, "客户", [][]string{{}, {}, {"C00002", "腾讯", "139 0000 0000"}}); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := sheetaudit(t, nil, "run", "--once", "--config", cfg); code != exitOK {
		t.Fatalf("second cycle: exit %d\n%s\n%s", code, out, errOut)
	}
	if notes, _ := srv.Notes(id, "客户"); len(notes) != 2 || notes["C3"] != "" {
		t.Errorf("notes after the fix = %q; want the phone's note gone, the stale ones kept", notes)
	}

	outDir := filepath.Join(dir, "out")
	code, out, errOut = sheetaudit(t, nil, "report", "--config", cfg, "--out", outDir)
	if code != exitOK || !strings.Contains(out, "2 stale") || !strings.Contains(out, "2 e-mails sent") {
		t.Fatalf("report: exit %d\n%s\n%s", code, out, errOut)
	}
	tab, err := srv.Values(id, "Staleness Report")
	if err != nil || !strings.Contains(flatten(tab), "Stale records per owner") {
		t.Fatalf("report tab: %v\n%s", err, flatten(tab))
	}
	charts, err := srv.Charts(id, "Staleness Report")
	if err != nil || len(charts) != 1 {
		t.Errorf("charts on the report tab = %v, %v; want one", charts, err)
	}
	// Read back through the real client: the chart's source block (the
	// owner totals) holds numbers, not text, so its bars show; the act
	// list's keys link to their rows.
	svc, err = gsheets.NewService(context.Background(), option.WithEndpoint(srv.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	ss, err := svc.Spreadsheets.Get(id).IncludeGridData(true).Ranges("'Staleness Report'").Do()
	if err != nil {
		t.Fatal(err)
	}
	var numbers, linked int
	var inChart bool
	for _, row := range ss.Sheets[0].Data[0].RowData {
		if len(row.Values) == 0 {
			inChart = false
			continue
		}
		first := row.Values[0]
		if first.UserEnteredValue == nil {
			inChart = false // a blank row ends the block
			continue
		}
		if s := first.UserEnteredValue.StringValue; s != nil && *s == "Owner" && len(row.Values) > 1 &&
			row.Values[1].UserEnteredValue != nil && row.Values[1].UserEnteredValue.StringValue != nil && *row.Values[1].UserEnteredValue.StringValue == "Stale" &&
			(len(row.Values) == 2 || row.Values[2].UserEnteredValue == nil) {
			inChart = true
			continue
		}
		if first.UserEnteredFormat != nil && first.UserEnteredFormat.TextFormat != nil && first.UserEnteredFormat.TextFormat.Link != nil &&
			strings.Contains(first.UserEnteredFormat.TextFormat.Link.Uri, "&range=") {
			linked++
		}
		if inChart && len(row.Values) > 1 {
			v := row.Values[1].UserEnteredValue
			if v == nil || v.NumberValue == nil {
				t.Errorf("chart source cell %v is not a number", row.Values[1].UserEnteredValue)
			} else {
				numbers++
			}
		}
	}
	if numbers != 2 || linked < 2 {
		t.Errorf("report tab: %d numeric chart cells (want 2 owners), %d linked keys (want the stale rows)", numbers, linked)
	}
	week := audit.ISOWeek(time.Now(), mustZone(t, "Asia/Shanghai"))
	for _, f := range []string{
		filepath.Join(dir, "store", "reports", "clients", week+".html"),
		filepath.Join(dir, "store", "reports", "clients", week+".csv"),
		filepath.Join(outDir, "clients-"+week+".html"),
	} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("report file: %v", err)
		}
	}
	msgs := box.received()
	if len(msgs) != 2 {
		t.Fatalf("got %d mails, want 2 (managers, 张三)", len(msgs))
	}
	if !strings.HasPrefix(msgs[0], "boss@corp.cn\n") || !strings.HasPrefix(msgs[1], "zhang@corp.cn\n") {
		t.Errorf("recipients: %q / %q", firstLine(msgs[0]), firstLine(msgs[1]))
	}
	if strings.Contains(msgs[0], "139 0000 0000") || strings.Contains(msgs[0], "13900000000") {
		t.Errorf("mail shows an unmasked phone number")
	}
}

func flatten(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, " | "))
		b.WriteByte('\n')
	}
	return b.String()
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestConfigCheckSaysWhichYearsTheCNCalendarCovers(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sheetaudit.yaml")
	err := os.WriteFile(cfg, []byte(`store: ./store
timezone: Asia/Shanghai
sheets:
  - name: clients
    source: {xlsx: ./clients.xlsx}
    tab: 客户
    key: [客户编号]
    staleness:
      date_column: 最后跟进日期
      default: 10d
      business_days: true
      calendar: CN
      next_date_column: 下次跟进日期
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := sheetaudit(t, nil, "config", "check", "--config", cfg)
	if code != exitOK || !strings.Contains(errOut, "staleness.calendar CN covers 2002-") || !strings.Contains(out, "next_date_column: 下次跟进日期") {
		t.Errorf("config check: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestReportWeekIsCheckedBeforeAnythingRuns(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sheetaudit.yaml")
	if err := os.WriteFile(cfg, []byte("store: ./store\nsheets:\n  - name: clients\n    source: {xlsx: ./clients.xlsx}\n    tab: 客户\n    key: [客户编号]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"2026W48", "48", "2026-W54"} {
		code, _, errOut := sheetaudit(t, nil, "report", "--week", bad, "--config", cfg)
		if code != exitCantRun || !strings.Contains(errOut, "YYYY-Www") && !strings.Contains(errOut, "has no week") {
			t.Errorf("report --week %s: exit %d, %s; want 2 and how to write a week", bad, code, errOut)
		}
	}
}

func TestReportToGroupChat(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(data))
		mu.Unlock()
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer robot.Close()
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "clients.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "clients.xlsx"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "sheetaudit.yaml")
	err = os.WriteFile(cfg, []byte(`store: ./store
timezone: Asia/Shanghai
locale: zh-CN
report:
  chat:
    - {type: wecom, webhook: "${WECOM_WEBHOOK}"}
  mentions: {王芳: {wecom: wangfang}}
sheets:
  - name: clients
    source: {xlsx: ./clients.xlsx}
    tab: 客户
    key: [客户编号]
    write_back: {report_tab: ""}
    staleness:
      date_column: 最后跟进日期
      owner_column: 负责人
      stage_column: 销售进展
      customer_column: 客户名称
      default: 30d
      exempt: [流失]
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"WECOM_WEBHOOK": robot.URL + "/cgi-bin/webhook/send?key=K"}
	if code, out, errOut := sheetaudit(t, env, "run", "--once", "--config", cfg); code != exitOK && code != exitFailed {
		t.Fatalf("cycle: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut := sheetaudit(t, env, "report", "--chat", "--no-chat", "--config", cfg)
	if code != exitOK || len(bodies) != 0 {
		t.Fatalf("report --no-chat: exit %d, %d posts\n%s\n%s", code, len(bodies), out, errOut)
	}
	code, out, errOut = sheetaudit(t, env, "report", "--chat", "--config", cfg)
	if code != exitOK || !strings.Contains(out, "chat:wecom: ") {
		t.Fatalf("report --chat: exit %d\n%s\n%s", code, out, errOut)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) < 2 || !strings.Contains(bodies[0], "客户跟进超期报告") || !strings.Contains(bodies[0], `"msgtype":"markdown"`) {
		t.Fatalf("robot got %d posts; first %s", len(bodies), bodies[0])
	}
	var mentioned bool
	for _, b := range bodies {
		mentioned = mentioned || strings.Contains(b, "\\u003c@wangfang\\u003e") || strings.Contains(b, "<@wangfang>")
	}
	if !mentioned {
		t.Error("no post mentions 王芳 as <@wangfang>")
	}
}
