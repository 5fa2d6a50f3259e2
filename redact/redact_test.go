package redact

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// testKey is the shape of a service-account private key (not a real one).
const testKey = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n-----END PRIVATE KEY-----\n"

func TestString(t *testing.T) {
	const pw = "hunter2-Pa55!"
	r := New(pw)
	r.AddLogin("ops@corp.cn", pw)
	r.AddServiceAccountKey([]byte(`{"type": "service_account", "private_key_id": "0123456789abcdef0123456789abcdef01234567", "private_key": ` + jsonString(testKey) + `}`))
	plain := base64.StdEncoding.EncodeToString([]byte("\x00ops@corp.cn\x00" + pw))
	tests := []struct {
		name, in string
		leak     []string
		keep     string
	}{
		{"password as typed", "535 bad password " + pw, []string{pw}, "535 bad password"},
		{"AUTH PLAIN echoed", "535 5.7.8 AUTH PLAIN " + plain + " rejected", []string{plain}, "rejected"},
		{"AUTH PLAIN argument alone", "unexpected " + plain, []string{plain}, "unexpected"},
		{"LOGIN password in base64", "334 " + base64.StdEncoding.EncodeToString([]byte(pw)), []string{base64.StdEncoding.EncodeToString([]byte(pw))}, "334"},
		{"password URL-escaped", "smtp://ops:" + "hunter2-Pa55%21" + "@mail", []string{"hunter2-Pa55%21"}, "smtp://ops:"},
		{"PEM key", "bad key " + testKey, []string{"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"}, "bad key"},
		{"PEM key JSON-escaped", `{"private_key": ` + jsonString(testKey) + `}`, []string{"MIIEvQIBADANBgkq"}, "private_key"},
		{"unknown PEM key", "-----BEGIN RSA PRIVATE KEY-----\nAAAABBBBCCCCDDDD\n-----END RSA PRIVATE KEY-----", []string{"AAAABBBBCCCCDDDD"}, ""},
		{"bearer token", "Authorization: Bearer ya29.a0AfB_byC-secret-token", []string{"a0AfB_byC-secret-token"}, "Authorization"},
		{"access token in a query", "GET /v4?access_token=ya29.abc&alt=json", []string{"ya29.abc"}, "alt=json"},
		{"JSON secret", `{"client_secret": "GOCSPX-abcdef", "client_id": "123"}`, []string{"GOCSPX-abcdef"}, `"client_id": "123"`},
		{"password in a URL", "dial s3://AKIA:wJalrXUtnFEMI@minio:9000", []string{"wJalrXUtnFEMI"}, "minio:9000"},
		{"prose untouched", `report.email.password: set password or password_file`, nil, `report.email.password: set password or password_file`},
		{"masked value untouched", `password: <secret>`, nil, `password: <secret>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.String(tt.in)
			for _, l := range tt.leak {
				if strings.Contains(got, l) {
					t.Errorf("String(%q) = %q; still holds %q", tt.in, got, l)
				}
			}
			if !strings.Contains(got, tt.keep) {
				t.Errorf("String(%q) = %q; lost %q", tt.in, got, tt.keep)
			}
		})
	}
}

func jsonString(s string) string {
	s = strings.ReplaceAll(s, "\n", `\n`)
	return `"` + s + `"`
}

var errSentinel = errors.New("sentinel")

func TestError(t *testing.T) {
	r := New("s3cr3t-value")
	err := r.Error(errors.Join(errSentinel, errors.New("server said s3cr3t-value")))
	if strings.Contains(err.Error(), "s3cr3t-value") || !errors.Is(err, errSentinel) {
		t.Errorf("Error = %q (Is sentinel: %v); want it redacted and still wrapping", err, errors.Is(err, errSentinel))
	}
	if r.Error(nil) != nil {
		t.Error("Error(nil) is not nil")
	}
}

func TestCore(t *testing.T) {
	r := New()
	var buf bytes.Buffer
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	log := zap.New(r.Core(zapcore.NewCore(enc, zapcore.AddSync(&buf), zap.DebugLevel)))
	// Added after the logger exists, as the configuration is.
	r.Add("pa\"ss\nword")
	log.With(zap.String("with", "pa\"ss\nword")).Error("send failed pa\"ss\nword",
		zap.Error(errors.New("535 pa\"ss\nword")), zap.ByteString("b", []byte("pa\"ss\nword")), zap.Stringer("s", stringer("pa\"ss\nword")))
	if out := buf.String(); strings.Contains(out, `pa\"ss\nword`) || strings.Count(out, Mask) != 5 {
		t.Errorf("log line %s; want every field redacted", out)
	}
}

type stringer string

func (s stringer) String() string { return string(s) }

func TestWriter(t *testing.T) {
	r := New("topsecret")
	var buf bytes.Buffer
	w := r.Writer(&buf)
	if n, err := w.Write([]byte("a topsecret b\n")); err != nil || n != 14 || buf.String() != "a "+Mask+" b\n" {
		t.Errorf("Write = %d, %v, wrote %q", n, err, buf.String())
	}
}
