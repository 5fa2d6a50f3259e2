package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"go.uber.org/zap"
)

// Options say where and how to deliver. Password is used only to
// authenticate; it never appears in errors or logs.
type Options struct {
	// Addr is the SMTP server as host:port, such as smtp.corp.cn:587.
	Addr string
	// From is the sender, "Sheet Audit <audit@corp.cn>" or a bare address.
	From string
	To   []string
	// Username and Password authenticate (AUTH PLAIN unless Auth says
	// otherwise); empty Username sends without authenticating.
	Username string
	Password string
	// Auth is the SASL mechanism: "plain" (default) or "login", which
	// some servers in China (and older Exchange) offer alone.
	Auth string
	// StartTLS upgrades the connection before authenticating and sending.
	// Without it (or ImplicitTLS) a password is sent only to a loopback
	// server.
	StartTLS bool
	// ImplicitTLS speaks TLS from the first byte (SMTPS, port 465, RFC
	// 8314), as QQ, 163 and Aliyun mail expect; it excludes StartTLS.
	ImplicitTLS bool
	// TLSConfig overrides the TLS settings (tests use it to trust their own
	// certificate); nil verifies the server's certificate for its host name.
	TLSConfig *tls.Config
	Logger    *zap.Logger
	// Now stamps the Date header; nil means time.Now.
	Now func() time.Time
}

// Attachment is a file sent with the message, such as the report's CSV.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Send delivers one message with subject, the HTML body html (and a plain
// text version derived from it) and the attachments to every address in
// o.To. It returns an error naming the server and the recipients when the
// message was not accepted; a refused recipient fails the whole send, so
// nobody gets a message the others did not.
func Send(ctx context.Context, o Options, subject string, html []byte, attachments ...Attachment) error {
	return SendText(ctx, o, subject, html, PlainText(html), attachments...)
}

// SendText is Send with the plain-text part written by the caller, for
// bodies whose HTML does not read well as text once the tags are gone.
func SendText(ctx context.Context, o Options, subject string, html []byte, text string, attachments ...Attachment) error {
	log := o.Logger
	if log == nil {
		log = zap.NewNop()
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	if o.Addr == "" || len(o.To) == 0 || o.From == "" {
		return fmt.Errorf("send mail: smtp address, from and at least one recipient are required; check report.email")
	}
	host, _, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return fmt.Errorf("smtp address %q: write it as host:port, such as smtp.corp.cn:587: %w", o.Addr, err)
	}
	from, err := netmail.ParseAddress(o.From)
	if err != nil {
		return fmt.Errorf("sender %q: %w", o.From, err)
	}
	to := make([]*netmail.Address, len(o.To))
	for i, a := range o.To {
		if to[i], err = netmail.ParseAddress(a); err != nil {
			return fmt.Errorf("recipient %q: %w", a, err)
		}
	}
	msg, err := message(from, to, subject, html, text, now(), attachments...)
	if err != nil {
		return err
	}
	rcpts := make([]string, len(to))
	for i, a := range to {
		rcpts[i] = a.Address
	}
	if err := deliver(ctx, o, host, from.Address, rcpts, msg); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return fmt.Errorf("send mail via %s to %s: %w", o.Addr, strings.Join(rcpts, ", "), err)
	}
	log.Info("mail sent", zap.String("smtp", o.Addr), zap.Strings("to", rcpts), zap.Int("bytes", len(msg)))
	return nil
}

// tlsConfig is the TLS configuration for host: o.TLSConfig when set,
// otherwise one that verifies the server's certificate for host.
func tlsConfig(o Options, host string) *tls.Config {
	cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if o.TLSConfig != nil {
		cfg = o.TLSConfig.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
	}
	return cfg
}

func deliver(ctx context.Context, o Options, host, from string, to []string, msg []byte) error {
	if o.StartTLS && o.ImplicitTLS {
		return errors.New("starttls and tls exclude each other: use tls: true for port 465, starttls: true for 587")
	}
	var conn net.Conn
	var err error
	if o.ImplicitTLS {
		d := tls.Dialer{Config: tlsConfig(o, host)}
		conn, err = d.DialContext(ctx, "tcp", o.Addr)
		if err != nil {
			return fmt.Errorf("connect with TLS (check report.email.smtp, the port (465) and the server's certificate): %w", err)
		}
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", o.Addr)
		if err != nil {
			return fmt.Errorf("connect (check report.email.smtp and the firewall): %w", err)
		}
	}
	// go-smtp sets its own per-command deadlines, so cancellation closes
	// the connection instead; every blocked read or write then returns.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	var c *smtp.Client
	if o.StartTLS {
		c, err = smtp.NewClientStartTLS(conn, tlsConfig(o, host))
		if err == nil {
			// The handshake runs on the first command after STARTTLS; go-smtp
			// would otherwise hide its failure behind "no AUTH".
			if err = c.Noop(); err != nil {
				c.Close()
			}
		} else {
			conn.Close()
		}
		if err != nil {
			return fmt.Errorf("starttls (check the server's certificate; set starttls: false only for a server without TLS): %w", err)
		}
	} else {
		c = smtp.NewClient(conn)
	}
	defer c.Close()

	if o.Username != "" {
		if !o.StartTLS && !o.ImplicitTLS && !isLoopback(host) {
			return errors.New("refusing to send the password unencrypted; set report.email.starttls: true (port 587) or tls: true (port 465)")
		}
		ok, mechs := c.Extension("AUTH")
		if !ok {
			return errors.New("server does not offer AUTH; remove username or use the submission port (587)")
		}
		var mech sasl.Client
		switch strings.ToLower(o.Auth) {
		case "", "plain":
			mech = sasl.NewPlainClient("", o.Username, o.Password)
		case "login":
			mech = sasl.NewLoginClient(o.Username, o.Password)
		default:
			return fmt.Errorf("auth %q: want plain or login (the server offers %s)", o.Auth, mechs)
		}
		// The error of a failed AUTH carries the server's reply only, never
		// what was sent.
		if err := c.Auth(mech); err != nil {
			return fmt.Errorf("authenticate as %q (check the username and password): %w", o.Username, err)
		}
	}
	if err := c.Mail(from, nil); err != nil {
		return fmt.Errorf("sender %s refused: %w", from, err)
	}
	for _, r := range to {
		if err := c.Rcpt(r, nil); err != nil {
			return fmt.Errorf("recipient %s refused: %w", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("start message: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("message refused: %w", err)
	}
	// The message is accepted once DATA is; a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Message builds the RFC 5322 message: multipart/alternative with a plain
// text and an HTML part (inside multipart/mixed when there are
// attachments), the subject encoded for non-ASCII text, a Date and a random
// Message-ID.
func Message(from *netmail.Address, to []*netmail.Address, subject string, htmlBody []byte, date time.Time, attachments ...Attachment) ([]byte, error) {
	return message(from, to, subject, htmlBody, PlainText(htmlBody), date, attachments...)
}

func message(from *netmail.Address, to []*netmail.Address, subject string, htmlBody []byte, text string, date time.Time, attachments ...Attachment) ([]byte, error) {
	var b bytes.Buffer
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("make message id: %w", err)
	}
	domain := "sheetaudit.local"
	if _, d, ok := strings.Cut(from.Address, "@"); ok && d != "" {
		domain = d
	}
	rcpts := make([]string, len(to))
	for i, a := range to {
		rcpts[i] = a.String()
	}
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from.String())
	header("To", strings.Join(rcpts, ",\r\n "))
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id)+"@"+domain+">")
	header("MIME-Version", "1.0")

	alt := func(w *multipart.Writer) error {
		if err := textPart(w, "text/plain; charset=utf-8", []byte(text)); err != nil {
			return err
		}
		return textPart(w, "text/html; charset=utf-8", htmlBody)
	}
	var body bytes.Buffer
	top := multipart.NewWriter(&body)
	if len(attachments) == 0 {
		header("Content-Type", "multipart/alternative; boundary="+top.Boundary())
		if err := alt(top); err != nil {
			return nil, err
		}
	} else {
		header("Content-Type", "multipart/mixed; boundary="+top.Boundary())
		var inner bytes.Buffer
		aw := multipart.NewWriter(&inner)
		if err := alt(aw); err != nil {
			return nil, err
		}
		if err := aw.Close(); err != nil {
			return nil, err
		}
		p, err := top.CreatePart(textproto.MIMEHeader{"Content-Type": {"multipart/alternative; boundary=" + aw.Boundary()}})
		if err != nil {
			return nil, err
		}
		p.Write(inner.Bytes())
		for _, a := range attachments {
			if err := attachmentPart(top, a); err != nil {
				return nil, err
			}
		}
	}
	if err := top.Close(); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

func textPart(w *multipart.Writer, contentType string, data []byte) error {
	p, err := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {contentType},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return fmt.Errorf("write mail part: %w", err)
	}
	qp := quotedprintable.NewWriter(p)
	if _, err := qp.Write(data); err != nil {
		return fmt.Errorf("write mail part: %w", err)
	}
	return qp.Close()
}

func attachmentPart(w *multipart.Writer, a Attachment) error {
	mt, params, err := mime.ParseMediaType(a.ContentType)
	if err != nil {
		mt, params = "application/octet-stream", map[string]string{}
	}
	params["name"] = a.Name
	// FormatMediaType encodes a non-ASCII file name (RFC 2231).
	p, err := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {mime.FormatMediaType(mt, params)},
		"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})},
		"Content-Transfer-Encoding": {"base64"},
	})
	if err != nil {
		return fmt.Errorf("write attachment %q: %w", a.Name, err)
	}
	enc := base64.StdEncoding.EncodeToString(a.Data)
	for len(enc) > 76 {
		p.Write([]byte(enc[:76] + "\r\n"))
		enc = enc[76:]
	}
	_, err = p.Write([]byte(enc + "\r\n"))
	return err
}

var (
	dropBlocks = regexp.MustCompile(`(?is)<(head|style|script|svg)\b.*?</(head|style|script|svg)\s*>`)
	breaks     = regexp.MustCompile(`(?i)<br\s*/?>|</(p|div|h[1-6]|tr|table|li)\s*>`)
	cellEnd    = regexp.MustCompile(`(?i)</t[dh]\s*>`)
	tags       = regexp.MustCompile(`<[^>]*>`)
	blankLines = regexp.MustCompile(`\n[ \t]*(\n[ \t]*)+`)
)

// PlainText derives the text part from an HTML body: blocks end lines,
// table cells are separated by tabs, the chart and styles are dropped.
// Mail clients that cannot show HTML show this.
func PlainText(htmlBody []byte) string {
	s := dropBlocks.ReplaceAllString(string(htmlBody), "")
	s = breaks.ReplaceAllString(s, "\n")
	s = cellEnd.ReplaceAllString(s, "\t")
	s = tags.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	s = blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s) + "\n"
}
