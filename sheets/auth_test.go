package sheets

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// writeKey writes a service-account key whose token_uri is tokenURL and
// returns its path and the PEM of the private key (to check it never leaks).
func writeKey(t *testing.T, tokenURL string) (path, privatePEM string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	privatePEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	js, err := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     "audit-test",
		"private_key_id": "key-1",
		"private_key":    privatePEM,
		"client_email":   "auditor@audit-test.iam.gserviceaccount.com",
		"client_id":      "1234567890",
		"token_uri":      tokenURL,
	})
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(path, js, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, privatePEM
}

// spy records what goes over the base transport: the scopes asked of the
// token endpoint and whether API calls carry a bearer token.
type spy struct {
	mu       sync.Mutex
	scopes   []string
	bearer   int
	apiCalls int
}

func (s *spy) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	if strings.HasSuffix(r.URL.Path, "/token") {
		body, _ := r.GetBody()
		var b strings.Builder
		if body != nil {
			buf := make([]byte, 64<<10)
			n, _ := body.Read(buf)
			b.Write(buf[:n])
		}
		form, _ := url.ParseQuery(b.String())
		parts := strings.Split(form.Get("assertion"), ".")
		if len(parts) == 3 {
			claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
			var c struct {
				Scope string `json:"scope"`
			}
			_ = json.Unmarshal(claims, &c)
			s.scopes = append(s.scopes, c.Scope)
		}
	} else {
		s.apiCalls++
		if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			s.bearer++
		}
	}
	s.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func TestServiceAccountFlow(t *testing.T) {
	srv := startBook(t, sheetstest.Options{RequireAuth: true}, map[string][][]string{"Data": {{"id", "name"}, {"1", "Ada"}}})
	keyPath, _ := writeKey(t, srv.TokenURL())
	sp := &spy{}
	wb := openBook(t, srv, Options{CredentialsFile: keyPath, HTTPClient: &http.Client{Transport: sp}})
	ctx := context.Background()
	tab, err := wb.ReadTab(ctx, "Data")
	if err != nil {
		t.Fatalf("ReadTab with service account: %v", err)
	}
	if len(tab.Values) != 2 {
		t.Errorf("read %d rows, want 2", len(tab.Values))
	}
	if err := wb.AppendRows(ctx, "Data", [][]string{{"2", "Grace"}}); err != nil {
		t.Fatalf("AppendRows with service account: %v", err)
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if len(sp.scopes) != 1 || sp.scopes[0] != sheets.SpreadsheetsScope {
		t.Errorf("token requests asked for scopes %q, want one request for %q", sp.scopes, sheets.SpreadsheetsScope)
	}
	if sp.apiCalls == 0 || sp.bearer != sp.apiCalls {
		t.Errorf("%d of %d API calls carried a bearer token, want all", sp.bearer, sp.apiCalls)
	}
	if got := countKind(srv, "token"); got != 1 {
		t.Errorf("token endpoint called %d times, want 1 (token reused)", got)
	}
}

func TestNoCredentialsRefused(t *testing.T) {
	srv := startBook(t, sheetstest.Options{RequireAuth: true}, map[string][][]string{"Data": {{"id"}}})
	wb := openBook(t, srv, Options{})
	ctx := context.Background()
	if _, err := wb.ReadTab(ctx, "Data"); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("ReadTab without credentials = %v, want ErrPermission", err)
	}
	if err := wb.ReplaceTab(ctx, "Data", nil); !errors.Is(err, audit.ErrPermission) {
		t.Errorf("ReplaceTab without credentials = %v, want ErrPermission", err)
	}
}

func TestCredentialsFileErrors(t *testing.T) {
	const secret = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-very-secret"
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path, wantHint string
	}{
		{"missing", filepath.Join(dir, "nope.json"), "does not exist"},
		{"directory", dir, "credentials_file"},
		{"not json", write("garbage.json", secret+" {"), "not a JSON key"},
		{"truncated json", write("trunc.json", `{"type":"service_account","private_key":"`+secret), "not a JSON key"},
		{"wrong type", write("user.json", `{"type":"authorized_user","refresh_token":"`+secret+`"}`), "service-account JSON key"},
		{"bad private key", write("badpem.json", `{"type":"service_account","client_email":"a@b","private_key":"`+secret+`","token_uri":"http://127.0.0.1:1/token"}`), "new JSON key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), Options{SpreadsheetID: testID, CredentialsFile: tt.path})
			if !errors.Is(err, audit.ErrInvalid) {
				t.Fatalf("New error = %v, want ErrInvalid", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.path) {
				t.Errorf("error %q does not name the file %q", msg, tt.path)
			}
			if !strings.Contains(msg, tt.wantHint) {
				t.Errorf("error %q lacks hint %q", msg, tt.wantHint)
			}
			if strings.Contains(msg, "very-secret") || strings.Contains(msg, "MIIE") {
				t.Errorf("error %q leaks the file's content", msg)
			}
		})
	}
}

func TestNoSpreadsheetID(t *testing.T) {
	if _, err := New(context.Background(), Options{Endpoint: "http://127.0.0.1:1/"}); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("New without id = %v, want ErrInvalid", err)
	}
}

func TestNoDefaultCredentials(t *testing.T) {
	// Pointing GOOGLE_APPLICATION_CREDENTIALS at a missing file makes the
	// ADC lookup fail at once, without probing a metadata server.
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "missing.json"))
	_, err := New(context.Background(), Options{SpreadsheetID: testID})
	if !errors.Is(err, audit.ErrInvalid) {
		t.Fatalf("New without credentials = %v, want ErrInvalid", err)
	}
	for _, hint := range []string{"credentials_file", "GOOGLE_APPLICATION_CREDENTIALS"} {
		if !strings.Contains(err.Error(), hint) {
			t.Errorf("error %q lacks hint %q", err, hint)
		}
	}
}
