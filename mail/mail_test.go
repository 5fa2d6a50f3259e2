package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/sheetaudit/sheetaudit/mail"
)

// received is one message as the test server got it.
type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool
	User string
}

// backend is a real SMTP server's storage: it accepts user/secret and
// refuses any recipient at refused.example.
type backend struct {
	mu   sync.Mutex
	msgs []received
	// login offers AUTH LOGIN alone, as some providers do.
	login bool
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) { return &session{b: b, c: c}, nil }

func (b *backend) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type session struct {
	b   *backend
	c   *smtp.Conn
	cur received
}

func (s *session) AuthMechanisms() []string {
	if s.b.login {
		return []string{sasl.Login}
	}
	return []string{sasl.Plain}
}

// loginServer is the server side of AUTH LOGIN (draft-murchison-sasl-login):
// it asks for the user name, then the password, each base64 on the wire
// (go-smtp does the base64).
type loginServer struct {
	user string
	step int
	done func(user, pass string) error
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if len(response) > 0 { // initial response carries the user name
			l.user = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.user = string(response)
		l.step++
		return []byte("Password:"), false, nil
	}
	return nil, true, l.done(l.user, string(response))
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	if s.b.login && mech != sasl.Login {
		return nil, errors.New("mechanism not offered")
	}
	if mech == sasl.Login {
		return &loginServer{done: func(user, pass string) error {
			if user != "user" || pass != "s3cret-Pa55" {
				return errors.New("invalid credentials")
			}
			s.cur.User = user
			return nil
		}}, nil
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != "user" || pass != "s3cret-Pa55" {
			return errors.New("invalid credentials")
		}
		s.cur.User = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.cur.From = from; return nil }

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasSuffix(to, "@refused.example") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = data
	_, s.cur.TLS = s.c.TLSConnectionState()
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = received{User: s.cur.User} }
func (s *session) Logout() error { return nil }

// serve starts a go-smtp server on a loopback port and stops it when the
// test ends.
func serve(t *testing.T, configure func(*smtp.Server)) (*backend, string) {
	t.Helper()
	return serveOn(t, &backend{}, false, configure)
}

// serveOn starts the server; with implicitTLS it speaks TLS from the first
// byte, as on port 465.
func serveOn(t *testing.T, be *backend, implicitTLS bool, configure func(*smtp.Server)) (*backend, string) {
	t.Helper()
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	configure(s)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicitTLS {
		l = tls.NewListener(l, s.TLSConfig)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Serve(l)
	}()
	t.Cleanup(func() {
		s.Close()
		<-done
	})
	return be, l.Addr().String()
}

// selfSigned makes a certificate for 127.0.0.1 and a client config that
// trusts it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "sheetaudit test smtp"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

const page = `<!DOCTYPE html><html><head><title>x</title><style>td{color:red}</style></head><body>
<h1>客户跟进超期报告 · clients · 2026-W48</h1>
<table><tr><th>负责人</th><th>超期</th></tr><tr><td>张三</td><td>3</td></tr><tr><td>李四 &amp; 王五</td><td>2</td></tr></table>
</body></html>`

// parts reads a received message back: headers, and every leaf part's
// content type and decoded body.
func parts(t *testing.T, data []byte) (*netmail.Message, map[string]string, map[string]string) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("received message does not parse: %v", err)
	}
	bodies, names := make(map[string]string), make(map[string]string)
	var walk func(r io.Reader, contentType string)
	walk = func(r io.Reader, contentType string) {
		mt, params, err := mime.ParseMediaType(contentType)
		if err != nil {
			t.Fatalf("content type %q: %v\n%s", contentType, err, data)
		}
		if !strings.HasPrefix(mt, "multipart/") {
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			bodies[mt] = string(b)
			if _, p, err := mime.ParseMediaType(contentType); err == nil && p["name"] != "" {
				names[mt] = p["name"]
			}
			return
		}
		mr := multipart.NewReader(r, params["boundary"])
		for {
			p, err := mr.NextPart() // decodes quoted-printable
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var body io.Reader = p
			if p.Header.Get("Content-Transfer-Encoding") == "base64" {
				body = base64Reader(p)
			}
			walk(body, p.Header.Get("Content-Type"))
		}
	}
	walk(msg.Body, msg.Header.Get("Content-Type"))
	return msg, bodies, names
}

func TestSendPlainConnection(t *testing.T) {
	be, addr := serve(t, func(s *smtp.Server) { s.AllowInsecureAuth = true })
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))
	o := mail.Options{
		Addr: addr, From: "Sheet Audit <audit@corp.cn>", To: []string{"boss@corp.cn", "王经理 <wang@corp.cn>"},
		Username: "user", Password: "s3cret-Pa55", Now: func() time.Time { return now },
	}
	csv := []byte("\ufeffstatus,key\nstale,C001\n")
	err := mail.Send(context.Background(), o, "客户跟进超期报告 2026-W48 · 5 条超期", []byte(page),
		mail.Attachment{Name: "stale-2026-W48.csv", ContentType: "text/csv; charset=utf-8", Data: csv})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := be.messages()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if diff := cmp.Diff(received{From: "audit@corp.cn", To: []string{"boss@corp.cn", "wang@corp.cn"}, User: "user"},
		received{From: got.From, To: got.To, User: got.User}); diff != "" {
		t.Errorf("envelope mismatch (-want +got):\n%s", diff)
	}
	msg, bodies, names := parts(t, got.Data)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "客户跟进超期报告 2026-W48 · 5 条超期" {
		t.Errorf("Subject decodes to %q (%v); want the Chinese subject", subject, err)
	}
	if raw := msg.Header.Get("Subject"); !strings.HasPrefix(raw, "=?utf-8?q?") {
		t.Errorf("raw Subject %q is not Q-encoded", raw)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 2 || to[1].Name != "王经理" || to[1].Address != "wang@corp.cn" {
		t.Errorf("To = %v (%v); want both recipients with names", to, err)
	}
	if d, err := msg.Header.Date(); err != nil || !d.Equal(now) {
		t.Errorf("Date = %v (%v), want %v", d, err, now)
	}
	if id := msg.Header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@corp.cn>") {
		t.Errorf("Message-ID = %q; want <random@corp.cn>", id)
	}
	if !strings.Contains(bodies["text/html"], "<table><tr><th>负责人</th>") || !strings.Contains(bodies["text/html"], "李四 &amp; 王五") {
		t.Errorf("HTML part lacks the table:\n%s", bodies["text/html"])
	}
	text := bodies["text/plain"]
	for _, want := range []string{"客户跟进超期报告 · clients · 2026-W48", "张三\t3", "李四 & 王五\t2"} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "color:red") || strings.Contains(text, "<") {
		t.Errorf("text part keeps styles or tags:\n%s", text)
	}
	if bodies["text/csv"] != string(csv) || names["text/csv"] != "stale-2026-W48.csv" {
		t.Errorf("attachment = %q named %q; want the CSV", bodies["text/csv"], names["text/csv"])
	}
	if got.TLS {
		t.Error("message arrived over TLS without StartTLS")
	}
}

func TestSendStartTLS(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	be, addr := serve(t, func(s *smtp.Server) { s.TLSConfig = serverTLS; s.AllowInsecureAuth = false })
	o := mail.Options{
		Addr: addr, From: "audit@corp.cn", To: []string{"boss@corp.cn"},
		Username: "user", Password: "s3cret-Pa55", StartTLS: true, TLSConfig: clientTLS,
		Now: func() time.Time { return time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC) },
	}
	if err := mail.Send(context.Background(), o, "Staleness Report 2026-W48", []byte(page)); err != nil {
		t.Fatalf("Send with STARTTLS: %v", err)
	}
	msgs := be.messages()
	if len(msgs) != 1 || !msgs[0].TLS || msgs[0].User != "user" {
		t.Fatalf("server received %+v; want one authenticated message over TLS", msgs)
	}
	msg, bodies, _ := parts(t, msgs[0].Data)
	if ct := msg.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type = %q; without attachments want multipart/alternative", ct)
	}
	if !strings.Contains(bodies["text/html"], "<table>") {
		t.Error("HTML part lacks the table")
	}

	// A client that does not trust the certificate stops before sending.
	o.TLSConfig = nil
	err := mail.Send(context.Background(), o, "x", []byte(page))
	if err == nil || !strings.Contains(err.Error(), "starttls") || !strings.Contains(err.Error(), addr) {
		t.Errorf("Send to an untrusted certificate = %v; want a starttls error naming %s", err, addr)
	}
}

func TestSendErrorsNameServerAndRecipientNotPassword(t *testing.T) {
	_, addr := serve(t, func(s *smtp.Server) { s.AllowInsecureAuth = true })
	core, logs := observer.New(zapcore.DebugLevel)
	base := mail.Options{Addr: addr, From: "audit@corp.cn", To: []string{"boss@corp.cn"}, Username: "user", Logger: zap.New(core)}

	wrong := base
	wrong.Password = "not-the-Pa55word"
	err := mail.Send(context.Background(), wrong, "x", []byte(page))
	if err == nil || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "boss@corp.cn") ||
		!strings.Contains(err.Error(), `authenticate as "user"`) {
		t.Errorf("Send with a wrong password = %v; want an authentication error naming server and recipient", err)
	}
	if err != nil && strings.Contains(err.Error(), wrong.Password) {
		t.Errorf("error %q contains the password", err)
	}

	refused := base
	refused.Password = "s3cret-Pa55"
	refused.To = []string{"boss@corp.cn", "nobody@refused.example"}
	err = mail.Send(context.Background(), refused, "x", []byte(page))
	var smtpErr *smtp.SMTPError
	if !errors.As(err, &smtpErr) || smtpErr.Code != 550 || !strings.Contains(err.Error(), "recipient nobody@refused.example refused") {
		t.Errorf("Send to a refused recipient = %v; want the 550 naming the recipient", err)
	}

	if err := mail.Send(context.Background(), refused, "x", []byte(page)); err == nil {
		t.Error("second refused send succeeded")
	}
	refused.To = []string{"boss@corp.cn"}
	if err := mail.Send(context.Background(), refused, "x", []byte(page)); err != nil {
		t.Errorf("Send: %v", err)
	}
	for _, e := range logs.All() {
		if s := e.Message + " " + strings.Join(fieldStrings(e.Context), " "); strings.Contains(s, "Pa55") {
			t.Errorf("log %q contains the password", s)
		}
	}
	if logs.FilterMessage("mail sent").Len() != 1 {
		t.Errorf("logged %d 'mail sent' entries, want 1", logs.FilterMessage("mail sent").Len())
	}
}

func TestSendWithoutTLSOffersNoAuth(t *testing.T) {
	// A server that only authenticates over TLS does not offer AUTH on a
	// plain connection; the client must not send the password anyway.
	_, addr := serve(t, func(s *smtp.Server) { s.AllowInsecureAuth = false })
	o := mail.Options{Addr: addr, From: "audit@corp.cn", To: []string{"boss@corp.cn"}, Username: "user", Password: "s3cret-Pa55"}
	err := mail.Send(context.Background(), o, "x", []byte(page))
	if err == nil || !strings.Contains(err.Error(), "does not offer AUTH") {
		t.Errorf("Send = %v; want an error saying the server does not offer AUTH", err)
	}
}

func TestSendCancelled(t *testing.T) {
	// A server that accepts the connection and never greets.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		if c, ok := <-accepted; ok {
			t.Cleanup(func() { c.Close() })
			cancel()
		}
	}()
	err = mail.Send(ctx, mail.Options{Addr: l.Addr().String(), From: "audit@corp.cn", To: []string{"boss@corp.cn"}}, "x", []byte(page))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Send after cancel = %v; want context.Canceled", err)
	}
}

func TestSendRejectsBadOptions(t *testing.T) {
	for name, o := range map[string]mail.Options{
		"no recipients": {Addr: "127.0.0.1:25", From: "audit@corp.cn"},
		"bad address":   {Addr: "smtp.corp.cn", From: "audit@corp.cn", To: []string{"boss@corp.cn"}},
		"bad recipient": {Addr: "127.0.0.1:25", From: "audit@corp.cn", To: []string{"boss at corp"}},
	} {
		if err := mail.Send(context.Background(), o, "x", nil); err == nil {
			t.Errorf("%s: Send = nil error", name)
		}
	}
}

func fieldStrings(fs []zapcore.Field) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Key+"="+f.String)
		if f.Interface != nil {
			if s, ok := f.Interface.(interface{ String() string }); ok {
				out = append(out, s.String())
			}
		}
	}
	return out
}

func TestSendImplicitTLSWithAuthLogin(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	be, addr := serveOn(t, &backend{login: true}, true, func(s *smtp.Server) { s.TLSConfig = serverTLS })
	o := mail.Options{
		Addr: addr, From: "audit@corp.cn", To: []string{"boss@corp.cn"},
		Username: "user", Password: "s3cret-Pa55", Auth: "login", ImplicitTLS: true, TLSConfig: clientTLS,
	}
	if err := mail.Send(context.Background(), o, "客户跟进超期报告", []byte(page)); err != nil {
		t.Fatalf("Send over implicit TLS with AUTH LOGIN: %v", err)
	}
	msgs := be.messages()
	if len(msgs) != 1 || !msgs[0].TLS || msgs[0].User != "user" {
		t.Fatalf("server received %+v; want one message over TLS, logged in", msgs)
	}

	// PLAIN against a server that offers only LOGIN fails, naming both.
	o.Auth = ""
	if err := mail.Send(context.Background(), o, "x", []byte(page)); err == nil {
		t.Error("AUTH PLAIN against a LOGIN-only server succeeded")
	}
	// Implicit TLS to a server that speaks plain SMTP fails at connect.
	_, plainAddr := serve(t, func(s *smtp.Server) {})
	o.Addr, o.Auth = plainAddr, "login"
	if err := mail.Send(context.Background(), o, "x", []byte(page)); err == nil || !strings.Contains(err.Error(), "connect with TLS") {
		t.Errorf("implicit TLS to a plain server = %v; want a TLS connect error", err)
	}
}
