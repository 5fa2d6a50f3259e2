package chat

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Platforms.
const (
	WeCom    = "wecom"
	DingTalk = "dingtalk"
	Feishu   = "feishu"
	Slack    = "slack"
)

// outcome is what a platform's reply means.
type outcome struct {
	ok        bool
	transient bool // retry later (rate limit, server trouble)
	err       error
}

// platform renders a message into one request and reads the reply.
type platform interface {
	// request returns the URL to post to and the JSON body, signed where
	// the platform signs, as of now.
	request(webhook, secret string, m message, now time.Time) (string, []byte, error)
	// reply interprets the HTTP status and body.
	reply(status int, header http.Header, body []byte) outcome
}

func platformFor(name string) (platform, error) {
	switch name {
	case WeCom:
		return wecom{}, nil
	case DingTalk:
		return dingtalk{}, nil
	case Feishu:
		return feishu{}, nil
	case Slack:
		return slack{}, nil
	}
	return nil, fmt.Errorf("unknown chat platform %q: use wecom, dingtalk, feishu or slack", name)
}

// markdown renders lines as the CommonMark subset WeCom and DingTalk
// robots show: **bold**, [text](url), one line per paragraph.
func markdown(m message, sep string) string {
	var b strings.Builder
	for i, l := range m.Lines {
		if i > 0 {
			b.WriteString(sep)
		}
		for _, s := range l {
			switch s.Kind {
			case segBold:
				b.WriteString("**" + mdEscape(s.Text) + "**")
			case segLink:
				b.WriteString("[" + mdEscape(s.Text) + "](" + s.URL + ")")
			default:
				b.WriteString(mdEscape(s.Text))
			}
		}
	}
	return b.String()
}

var mdSpecial = regexp.MustCompile(`([\\*_\[\]#>` + "`" + `])`)

// mdEscape keeps sheet text from turning into markdown (a customer named
// "*ACME*" stays as written).
func mdEscape(s string) string { return mdSpecial.ReplaceAllString(s, `\$1`) }

// wecom is 企业微信群机器人: POST the webhook with msgtype markdown;
// content is at most 4096 bytes of UTF-8; <@userid> mentions a member.
// The reply is {"errcode":0,"errmsg":"ok"}; 45009 means the robot's limit
// of 20 messages a minute was hit; 93000 an invalid webhook key.
// https://developer.work.weixin.qq.com/document/path/91770
type wecom struct{}

const wecomMaxBytes = 4096

func (wecom) request(webhook, _ string, m message, _ time.Time) (string, []byte, error) {
	content := "### " + mdEscape(m.Title) + "\n" + markdown(m, "\n")
	if m.Mention != "" {
		content += "\n<@" + m.Mention + ">"
	}
	content = truncateBytes(content, wecomMaxBytes)
	body, err := json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": content}})
	return webhook, body, err
}

func (wecom) reply(status int, h http.Header, body []byte) outcome {
	return errcodeReply(status, h, body, map[int]bool{45009: true, -1: true}, map[int]string{
		93000: "the webhook key is invalid; copy the robot's webhook again",
		45009: "the robot's limit of 20 messages a minute was hit",
		40008: "the message type is invalid",
	})
}

// dingtalk is 钉钉自定义机器人: POST the webhook with msgtype markdown
// (title shows in the notification, text is the body; an @mention must
// also appear in the text as @id). With 加签 the query gets timestamp (ms)
// and sign = urlencode(base64(HMAC-SHA256(key=secret,
// msg=timestamp+"\n"+secret))). The reply is {"errcode":0,"errmsg":"ok"};
// 130101 means more than 20 messages a minute; 310000 a keyword, sign or
// IP check failed; 300001 an invalid access_token.
// https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages
type dingtalk struct{}

// DingTalkSign is the signature DingTalk expects for timestamp
// (milliseconds) and secret, before URL encoding.
func DingTalkSign(timestampMillis int64, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestampMillis, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func (dingtalk) request(webhook, secret string, m message, now time.Time) (string, []byte, error) {
	text := "### " + mdEscape(m.Title) + "\n\n" + markdown(m, "\n\n")
	at := map[string]any{"isAtAll": false}
	if m.Mention != "" {
		text += "\n\n@" + m.Mention
		if isMobile(m.Mention) {
			at["atMobiles"] = []string{m.Mention}
		} else {
			at["atUserIds"] = []string{m.Mention}
		}
	}
	body, err := json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"title": m.Title, "text": text},
		"at":       at,
	})
	if err != nil || secret == "" {
		return webhook, body, err
	}
	u, err := url.Parse(webhook)
	if err != nil {
		return "", nil, fmt.Errorf("webhook is not a URL")
	}
	ts := now.UnixMilli()
	q := u.Query()
	q.Set("timestamp", strconv.FormatInt(ts, 10))
	q.Set("sign", DingTalkSign(ts, secret))
	u.RawQuery = q.Encode()
	return u.String(), body, nil
}

func (dingtalk) reply(status int, h http.Header, body []byte) outcome {
	return errcodeReply(status, h, body, map[int]bool{130101: true, -1: true}, map[int]string{
		130101: "more than 20 messages a minute were sent to the robot",
		310000: "a security check failed: the keyword, the sign (check the secret and the clock) or the IP allow-list",
		300001: "the access_token is invalid; copy the robot's webhook again",
	})
}

func isMobile(s string) bool {
	if len(s) != 11 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// feishu is 飞书自定义机器人: POST the webhook with msg_type post (rich
// text: lines of text, a and at elements). With 签名校验 the body gets
// timestamp (seconds, as a string) and sign = base64(HMAC-SHA256(key=
// timestamp+"\n"+secret, msg="")). The reply is {"code":0,"msg":"success"};
// 19021 means the sign or timestamp was refused; 9499 and 11232 that the
// robot's rate limit (100 a minute, 5 a second) was hit.
// https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
type feishu struct{}

// FeishuSign is the signature Feishu expects for timestamp (seconds) and
// secret.
func FeishuSign(timestampSeconds int64, secret string) string {
	mac := hmac.New(sha256.New, []byte(strconv.FormatInt(timestampSeconds, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func (feishu) request(webhook, secret string, m message, now time.Time) (string, []byte, error) {
	var content [][]map[string]string
	for _, l := range m.Lines {
		var row []map[string]string
		for _, s := range l {
			switch s.Kind {
			case segLink:
				row = append(row, map[string]string{"tag": "a", "text": s.Text, "href": s.URL})
			default:
				row = append(row, map[string]string{"tag": "text", "text": s.Text})
			}
		}
		content = append(content, row)
	}
	if m.Mention != "" {
		content = append(content, []map[string]string{{"tag": "at", "user_id": m.Mention, "user_name": m.MentionName}})
	}
	msg := map[string]any{
		"msg_type": "post",
		"content":  map[string]any{"post": map[string]any{"zh_cn": map[string]any{"title": m.Title, "content": content}}},
	}
	if secret != "" {
		ts := now.Unix()
		msg["timestamp"] = strconv.FormatInt(ts, 10)
		msg["sign"] = FeishuSign(ts, secret)
	}
	body, err := json.Marshal(msg)
	return webhook, body, err
}

func (feishu) reply(status int, h http.Header, body []byte) outcome {
	var r struct {
		Code *int   `json:"code"`
		Msg  string `json:"msg"`
		// Older robots answer with StatusCode/StatusMessage.
		StatusCode *int `json:"StatusCode"`
	}
	_ = json.Unmarshal(body, &r)
	code := -1
	switch {
	case r.Code != nil:
		code = *r.Code
	case r.StatusCode != nil:
		code = *r.StatusCode
	}
	if status == http.StatusOK && code == 0 {
		return outcome{ok: true}
	}
	hints := map[int]string{
		19021: "the sign was refused: check the secret and the clock (the timestamp must be within an hour)",
		19024: "the server's IP is not in the robot's allow-list",
		9499:  "the robot's rate limit was hit",
		11232: "the robot's rate limit was hit",
	}
	transient := status == http.StatusTooManyRequests || status >= 500 || code == 9499 || code == 11232
	return outcome{transient: transient, err: replyError(status, code, r.Msg, hints[code])}
}

// slack is a Slack incoming webhook: POST {"text": fallback, "blocks":
// [...]} with a header and mrkdwn sections (at most 3000 characters
// each); <url|text> links, <@U…> mentions. The reply is the text "ok";
// errors are HTTP 400/403/404/410 with a text such as invalid_payload or
// channel_not_found, and 429 with Retry-After when more than about one
// message a second is sent.
// https://api.slack.com/messaging/webhooks
type slack struct{}

const slackSectionMax = 3000

func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func (slack) request(webhook, _ string, m message, _ time.Time) (string, []byte, error) {
	var lines []string
	for _, l := range m.Lines {
		var b strings.Builder
		for _, s := range l {
			switch s.Kind {
			case segBold:
				b.WriteString("*" + slackEscape(s.Text) + "*")
			case segLink:
				b.WriteString("<" + s.URL + "|" + strings.ReplaceAll(slackEscape(s.Text), "|", "¦") + ">")
			default:
				b.WriteString(slackEscape(s.Text))
			}
		}
		lines = append(lines, b.String())
	}
	if m.Mention != "" {
		lines = append(lines, "<@"+m.Mention+">")
	}
	blocks := []any{map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": truncateRunes(m.Title, 150)}}}
	var sec strings.Builder
	flush := func() {
		if sec.Len() > 0 {
			blocks = append(blocks, map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": sec.String()}})
			sec.Reset()
		}
	}
	for _, l := range lines {
		l = truncateRunes(l, slackSectionMax)
		if sec.Len()+len(l)+1 > slackSectionMax {
			flush()
		}
		if sec.Len() > 0 {
			sec.WriteString("\n")
		}
		sec.WriteString(l)
	}
	flush()
	body, err := json.Marshal(map[string]any{"text": m.Title, "blocks": blocks})
	return webhook, body, err
}

func (slack) reply(status int, h http.Header, body []byte) outcome {
	msg := strings.TrimSpace(string(body))
	if status == http.StatusOK {
		return outcome{ok: true}
	}
	hints := map[string]string{
		"invalid_payload":     "the message was refused as malformed",
		"channel_not_found":   "the webhook's channel is gone; create a new webhook",
		"channel_is_archived": "the webhook's channel is archived",
		"no_service":          "the webhook was disabled or removed; create a new one",
		"action_prohibited":   "an admin restricted posting to this channel",
	}
	transient := status == http.StatusTooManyRequests || status >= 500
	return outcome{transient: transient, err: replyError(status, 0, msg, hints[msg])}
}

// errcodeReply reads the {"errcode": n, "errmsg": "…"} reply of WeCom and
// DingTalk.
func errcodeReply(status int, _ http.Header, body []byte, transientCodes map[int]bool, hints map[int]string) outcome {
	var r struct {
		Code *int   `json:"errcode"`
		Msg  string `json:"errmsg"`
	}
	_ = json.Unmarshal(body, &r)
	code := -2 // no errcode in the reply
	if r.Code != nil {
		code = *r.Code
	}
	if status == http.StatusOK && code == 0 {
		return outcome{ok: true}
	}
	transient := status == http.StatusTooManyRequests || status >= 500 || transientCodes[code]
	return outcome{transient: transient, err: replyError(status, code, r.Msg, hints[code])}
}

func replyError(status, code int, msg, hint string) error {
	s := fmt.Sprintf("HTTP %d", status)
	if code != 0 && code != -2 {
		s += fmt.Sprintf(", code %d", code)
	}
	if msg != "" {
		s += ": " + truncateRunes(msg, 200)
	}
	if hint != "" {
		s += " (" + hint + ")"
	}
	return fmt.Errorf("%s", s)
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// truncateBytes cuts s to at most n bytes on a rune boundary.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
