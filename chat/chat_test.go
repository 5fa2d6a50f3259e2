package chat_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/chat"
)

// request is one post as the robot's server got it.
type request struct {
	Query url.Values
	Body  map[string]any
}

// robotServer is a local stand-in for a platform's webhook endpoint: it
// records each post and answers with the replies queued, then with ok.
type robotServer struct {
	mu      sync.Mutex
	reqs    []request
	replies []reply
	ok      reply
}

type reply struct {
	status int
	body   string
	header map[string]string
}

func serve(t *testing.T, ok reply, replies ...reply) (*robotServer, string) {
	t.Helper()
	s := &robotServer{ok: ok, replies: replies}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("got %s with Content-Type %q; want a JSON POST", r.Method, r.Header.Get("Content-Type"))
		}
		data, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(data, &body); err != nil {
			t.Errorf("body is not JSON: %v\n%s", err, data)
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, request{Query: r.URL.Query(), Body: body})
		rep := s.ok
		if len(s.replies) > 0 {
			rep, s.replies = s.replies[0], s.replies[1:]
		}
		s.mu.Unlock()
		for k, v := range rep.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(rep.status)
		io.WriteString(w, rep.body)
	}))
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func (s *robotServer) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.reqs...)
}

var now = time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)

// weekly is a small report: two owners, one newly stale row each, one due
// soon, rows linked to Google.
func weekly() audit.Report {
	link := func(row int) string {
		return "https://docs.google.com/spreadsheets/d/ID/edit#gid=0&range=" + strconv.Itoa(row) + ":" + strconv.Itoa(row)
	}
	return audit.Report{
		Sheet: "clients", Week: "2026-W49", Rows: 10, Active: 9, Stale: 2, StalePct: 200.0 / 9, DueSoon: 1,
		NewlyStale: 2, FullList: "https://docs.google.com/spreadsheets/d/ID/edit#gid=7",
		Items: []audit.StaleItem{
			{Key: "C001", Customer: "华为", Owner: "张三", Stage: "商务谈判", Row: 2, DaysOverdue: 64, LastFollowUp: now.AddDate(0, 0, -71), Newly: true, Link: link(2)},
			{Key: "C005", Customer: "京东 13800138000", Owner: "李四", Stage: "样品测试", Row: 6, DaysOverdue: 3, LastFollowUp: now.AddDate(0, 0, -33), Newly: true, Link: link(6)},
		},
		DueSoonItems: []audit.StaleItem{
			{Key: "C002", Customer: "腾讯", Owner: "李四", Stage: "商务谈判", Row: 3, DueSoon: true, Due: audit.Date{Y: 2026, M: 12, D: 9}, LastFollowUp: now.AddDate(0, 0, -5), Link: link(3)},
		},
		ByOwnerStage: []audit.OwnerStageCell{{Owner: "张三", Stage: "商务谈判", Stale: 1, Total: 4, Active: 4}, {Owner: "李四", Stage: "商务谈判", Stale: 1, Total: 5, Active: 5}},
	}
}

func robot(t *testing.T, platform, webhook, secret string, mentions map[string]string) *chat.Robot {
	t.Helper()
	r, err := chat.New(chat.Options{
		Platform: platform, Webhook: webhook, Secret: secret, Mentions: mentions, MaskPII: true, Owners: true,
		Backoff: time.Millisecond, Now: func() time.Time { return now }, Logger: zaptest.NewLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("want JSON: %v\n%s", err, s)
	}
	return m
}

func TestWeCom(t *testing.T) {
	srv, base := serve(t, reply{200, `{"errcode":0,"errmsg":"ok"}`, nil})
	n, err := robot(t, chat.WeCom, base+"/cgi-bin/webhook/send?key=K", "", map[string]string{"李四": "lisi"}).Deliver(context.Background(), weekly(), "zh-CN")
	if err != nil || n != 3 {
		t.Fatalf("Deliver = %d, %v; want 3 messages (summary, 张三, 李四)", n, err)
	}
	reqs := srv.requests()
	want := decode(t, `{"msgtype":"markdown","markdown":{"content":"### 客户跟进超期报告 · clients · 2026-W49\n超期 2 条（占在跟进 22.2%），即将超期 1 条，在跟进 9 行\n**本周优先跟进**\n• [C001 华为](https://docs.google.com/spreadsheets/d/ID/edit#gid=0&range=2:2) · 逾期 64 天 · 张三 · 商务谈判\n• [C005 京东 138\\*\\*\\*\\*8000](https://docs.google.com/spreadsheets/d/ID/edit#gid=0&range=6:6) · 逾期 3 天 · 李四 · 样品测试\n[完整超期清单（2 条）](https://docs.google.com/spreadsheets/d/ID/edit#gid=7)"}}`)
	if diff := cmp.Diff(want, reqs[0].Body); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}
	// Owners in name order (张三 before 李四 by code point); 李四 is mentioned.
	content := reqs[2].Body["markdown"].(map[string]any)["content"].(string)
	if !strings.HasPrefix(content, "### 李四：超期 1 条，即将超期 1 条\n**本周新增超期**\n") || !strings.HasSuffix(content, "\n<@lisi>") {
		t.Errorf("李四's message = %q; want her rows and <@lisi>", content)
	}
	if strings.Contains(content, "13800138000") {
		t.Error("a phone number reached the chat unmasked")
	}
}

func TestDingTalkSignsTheQuery(t *testing.T) {
	const secret = "SEC0123456789abcdef"
	srv, base := serve(t, reply{200, `{"errcode":0,"errmsg":"ok"}`, nil})
	_, err := robot(t, chat.DingTalk, base+"/robot/send?access_token=T", secret, map[string]string{"张三": "13800000000"}).Deliver(context.Background(), weekly(), "en")
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	for _, r := range reqs {
		ts := r.Query.Get("timestamp")
		if ts != strconv.FormatInt(now.UnixMilli(), 10) || r.Query.Get("access_token") != "T" {
			t.Fatalf("query = %v; want access_token kept and timestamp in milliseconds", r.Query)
		}
		// Computed here from the documentation: HMAC-SHA256 of
		// "timestamp\nsecret" keyed by the secret, base64.
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(ts + "\n" + secret))
		if got, want := r.Query.Get("sign"), base64.StdEncoding.EncodeToString(mac.Sum(nil)); got != want {
			t.Errorf("sign = %q, want %q", got, want)
		}
	}
	want := decode(t, `{"msgtype":"markdown","markdown":{"title":"Staleness Report · clients · 2026-W49","text":"### Staleness Report · clients · 2026-W49\n\n2 stale (22.2% of active rows), 1 due soon, 9 active rows\n\n**Act this week**\n\n• [C001 华为](https://docs.google.com/spreadsheets/d/ID/edit#gid=0&range=2:2) · 64 days overdue · 张三 · 商务谈判\n\n• [C005 京东 138\\*\\*\\*\\*8000](https://docs.google.com/spreadsheets/d/ID/edit#gid=0&range=6:6) · 3 days overdue · 李四 · 样品测试\n\n[Full list of 2 stale rows](https://docs.google.com/spreadsheets/d/ID/edit#gid=7)"},"at":{"isAtAll":false}}`)
	if diff := cmp.Diff(want, reqs[0].Body); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}
	at := reqs[1].Body["at"].(map[string]any)
	text := reqs[1].Body["markdown"].(map[string]any)["text"].(string)
	if diff := cmp.Diff(map[string]any{"isAtAll": false, "atMobiles": []any{"13800000000"}}, at); diff != "" || !strings.HasSuffix(text, "@13800000000") {
		t.Errorf("张三's mention: at %v, text ends %q; want atMobiles and @13800000000 in the text (%s)", at, text[max(0, len(text)-20):], diff)
	}
}

func TestFeishuSignsTheBody(t *testing.T) {
	const secret = "feishu-secret"
	srv, base := serve(t, reply{200, `{"code":0,"msg":"success","data":{}}`, nil})
	_, err := robot(t, chat.Feishu, base+"/open-apis/bot/v2/hook/H", secret, map[string]string{"张三": "ou_123"}).Deliver(context.Background(), weekly(), "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	ts := strconv.FormatInt(now.Unix(), 10)
	// Computed here from the documentation: the key is "timestamp\nsecret",
	// the message empty; base64.
	mac := hmac.New(sha256.New, []byte(ts+"\n"+secret))
	sign := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	want := decode(t, `{"timestamp":"`+ts+`","sign":"`+sign+`","msg_type":"post","content":{"post":{"zh_cn":{"title":"客户跟进超期报告 · clients · 2026-W49","content":[
		[{"tag":"text","text":"超期 2 条（占在跟进 22.2%），即将超期 1 条，在跟进 9 行"}],
		[{"tag":"text","text":"本周优先跟进"}],
		[{"tag":"text","text":"• "},{"tag":"a","text":"C001 华为","href":"https://docs.google.com/spreadsheets/d/ID/edit#gid=0&range=2:2"},{"tag":"text","text":" · 逾期 64 天 · 张三 · 商务谈判"}],
		[{"tag":"text","text":"• "},{"tag":"a","text":"C005 京东 138****8000","href":"https://docs.google.com/spreadsheets/d/ID/edit#gid=0&range=6:6"},{"tag":"text","text":" · 逾期 3 天 · 李四 · 样品测试"}],
		[{"tag":"a","text":"完整超期清单（2 条）","href":"https://docs.google.com/spreadsheets/d/ID/edit#gid=7"}]]}}}}`)
	if diff := cmp.Diff(want, reqs[0].Body); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}
	content := reqs[1].Body["content"].(map[string]any)["post"].(map[string]any)["zh_cn"].(map[string]any)["content"].([]any)
	last := content[len(content)-1]
	if diff := cmp.Diff([]any{map[string]any{"tag": "at", "user_id": "ou_123", "user_name": "张三"}}, last); diff != "" {
		t.Errorf("张三's mention mismatch (-want +got):\n%s", diff)
	}
}

func TestSlackBlocks(t *testing.T) {
	srv, base := serve(t, reply{200, "ok", nil})
	_, err := robot(t, chat.Slack, base+"/services/T/B/X", "", map[string]string{"张三": "U012AB3CD"}).Deliver(context.Background(), weekly(), "en")
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	want := decode(t, `{"text":"Staleness Report · clients · 2026-W49","blocks":[
		{"type":"header","text":{"type":"plain_text","text":"Staleness Report · clients · 2026-W49"}},
		{"type":"section","text":{"type":"mrkdwn","text":"2 stale (22.2% of active rows), 1 due soon, 9 active rows\n*Act this week*\n• <https://docs.google.com/spreadsheets/d/ID/edit#gid=0&range=2:2|C001 华为> · 64 days overdue · 张三 · 商务谈判\n• <https://docs.google.com/spreadsheets/d/ID/edit#gid=0&range=6:6|C005 京东 138****8000> · 3 days overdue · 李四 · 样品测试\n<https://docs.google.com/spreadsheets/d/ID/edit#gid=7|Full list of 2 stale rows>"}}]}`)
	if diff := cmp.Diff(want, reqs[0].Body); diff != "" {
		t.Errorf("summary mismatch (-want +got):\n%s", diff)
	}
	text := reqs[1].Body["blocks"].([]any)[1].(map[string]any)["text"].(map[string]any)["text"].(string)
	if !strings.HasSuffix(text, "\n<@U012AB3CD>") {
		t.Errorf("张三's message %q does not mention <@U012AB3CD>", text)
	}
}

func TestRetriesTransientAndStopsOnPermanent(t *testing.T) {
	// DingTalk's "too fast" (130101) is retried; its security check
	// failure (310000) is not, and the error says what to check.
	srv, base := serve(t, reply{200, `{"errcode":0,"errmsg":"ok"}`, nil},
		reply{200, `{"errcode":130101,"errmsg":"send too fast"}`, nil},
		reply{503, `busy`, nil},
		reply{200, `{"errcode":0,"errmsg":"ok"}`, nil},
		reply{200, `{"errcode":310000,"errmsg":"keywords not in content"}`, nil},
	)
	n, err := robot(t, chat.DingTalk, base+"/robot/send?access_token=SECRET-TOKEN", "", nil).Deliver(context.Background(), weekly(), "en")
	if n != 2 || err == nil {
		t.Fatalf("Deliver = %d, %v; want 2 sent and one failure", n, err)
	}
	if got := len(srv.requests()); got != 5 {
		t.Errorf("server got %d posts, want 5 (3 for the summary, 1 each for the owners)", got)
	}
	if !strings.Contains(err.Error(), "code 310000") || !strings.Contains(err.Error(), "keyword, the sign") {
		t.Errorf("error %q does not name the code and what to check", err)
	}
	if strings.Contains(err.Error(), "SECRET-TOKEN") {
		t.Errorf("error %q shows the webhook's token", err)
	}
}

func TestRateLimit(t *testing.T) {
	srv, base := serve(t, reply{200, "ok", nil})
	clock := now
	var waited []time.Duration
	r, err := chat.New(chat.Options{Platform: chat.Slack, Webhook: base, PerMinute: 2, Owners: true,
		Now: func() time.Time { return clock },
		Sleep: func(_ context.Context, d time.Duration) error {
			waited = append(waited, d)
			clock = clock.Add(d)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.Deliver(context.Background(), weekly(), "en"); n != 3 || err != nil {
		t.Fatalf("Deliver = %d, %v", n, err)
	}
	if diff := cmp.Diff([]time.Duration{time.Minute}, waited); diff != "" || len(srv.requests()) != 3 {
		t.Errorf("waits mismatch (-want +got):\n%s", diff)
	}
}
