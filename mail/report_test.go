package mail_test

import (
	"context"
	"fmt"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/mail"
)

// exampleReport is the report of a 300-row sheet with about 240 stale
// rows over 12 owners, the size of the example sheet.
func exampleReport(t *testing.T) audit.Report {
	t.Helper()
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	owners := []string{"张三", "李四", "王五", "赵六", "孙七", "周八", "吴九", "郑十", "陈静", "杨磊", "刘洋", "黄芳"}
	stages := []string{"初步洽谈", "需求确认", "方案报价", "商务谈判"}
	values := [][]string{{"客户编号", "客户名称", "负责人", "销售进展", "最后跟进日期", "联系方式"}}
	for i := 1; i <= 300; i++ {
		stage := stages[i%4]
		if i%20 == 0 {
			stage = "流失"
		}
		days := 20 + (i*37)%120
		if i%10 == 3 {
			days = 2
		}
		values = append(values, []string{fmt.Sprintf("C%05d", i), fmt.Sprintf("上海某某%03d科技有限公司", i), owners[i%12], stage,
			now.AddDate(0, 0, -days).Format("2006-01-02"), fmt.Sprintf("1380013%04d", i)})
	}
	table, err := audit.ParseTable(values, 1, []string{"客户编号"})
	if err != nil {
		t.Fatal(err)
	}
	p := audit.StalePolicy{DateColumn: "最后跟进日期", OwnerColumn: "负责人", StageColumn: "销售进展", CustomerColumn: "客户名称",
		Default: 30 * 24 * time.Hour, Stages: map[string]time.Duration{"初步洽谈": 14 * 24 * time.Hour, "商务谈判": 7 * 24 * time.Hour},
		Exempt: []string{"流失"}, WarnBefore: 3 * 24 * time.Hour, Locale: "zh-CN"}
	items := audit.CheckStale(table, p, now, time.UTC, nil, time.Time{})
	r := audit.BuildReport("clients", "2026-W49", items, nil, table, p, nil, now)
	for i := range r.Items {
		r.Items[i].Link = "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd/edit#gid=42&range=" + fmt.Sprint(r.Items[i].Row) + ":" + fmt.Sprint(r.Items[i].Row)
	}
	if r.Stale < 200 {
		t.Fatalf("example has %d stale rows; want about 240", r.Stale)
	}
	return r
}

func TestReporterMailsFitMailClients(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	be, addr := serveOn(t, &backend{login: true}, true, func(s *smtp.Server) { s.TLSConfig = serverTLS })
	rep := &mail.Reporter{
		Options: mail.Options{Addr: addr, From: "audit@corp.cn", To: []string{"boss@corp.cn"},
			Username: "user", Password: "s3cret-Pa55", Auth: "login", ImplicitTLS: true, TLSConfig: clientTLS},
		Owners:  map[string]string{"张三": "zhang@corp.cn"},
		MaskPII: true,
	}
	r := exampleReport(t)
	n, err := rep.Deliver(context.Background(), r, "zh-CN")
	if err != nil || n != 2 {
		t.Fatalf("Deliver = %d, %v; want the managers' mail and 张三's", n, err)
	}
	msgs := be.messages()
	if len(msgs) != 2 || !msgs[0].TLS || msgs[0].User != "user" {
		t.Fatalf("server received %d messages (TLS %v, user %q); want 2 over implicit TLS with AUTH LOGIN", len(msgs), len(msgs) > 0 && msgs[0].TLS, msgs[0].User)
	}
	for i, m := range msgs {
		msg, bodies, _ := parts(t, m.Data)
		html := bodies["text/html"]
		t.Logf("mail %d: %d bytes in all, HTML part %d bytes, text part %d bytes", i, len(m.Data), len(html), len(bodies["text/plain"]))
		if len(html) > 100<<10 {
			t.Errorf("mail %d: HTML part is %d bytes; want at most 100 KB", i, len(html))
		}
		if strings.Contains(html, "<svg") || strings.Contains(html, "<img") || strings.Contains(html, "<script") || strings.Contains(html, "<style") {
			t.Errorf("mail %d: HTML has SVG, images, scripts or a style block, which mail clients drop", i)
		}
		if strings.Contains(html, "13800130001") || strings.Contains(bodies["text/plain"], "13800130001") {
			t.Errorf("mail %d shows a phone number unmasked", i)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		text := bodies["text/plain"]
		switch i {
		case 0:
			if want := fmt.Sprintf("客户跟进超期报告 2026-W49 · clients：%d 条超期", r.Stale); subject != want {
				t.Errorf("subject = %q, want %q", subject, want)
			}
			// The chart is CSS bars: a red bar per owner, sized by width.
			if strings.Count(html, "background:#cf222e;border-radius:2px") < 12 {
				t.Error("managers' mail lacks the CSS bar per owner")
			}
			for _, want := range []string{"本周优先跟进", "逾期", "按负责人"} {
				if !strings.Contains(text, want) {
					t.Errorf("text part lacks %q", want)
				}
			}
		case 1:
			if !strings.HasPrefix(subject, "你的待跟进客户 2026-W49 · clients：") || !strings.HasSuffix(subject, "· 张三") {
				t.Errorf("owner subject = %q", subject)
			}
			if strings.Contains(html, "background:#cf222e;border-radius:2px") {
				t.Error("owner's mail has a one-bar chart")
			}
			if strings.Contains(text, "李四") {
				t.Error("张三's mail lists another owner's rows")
			}
		}
	}
}
