package sheets

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/sheetaudit/sheetaudit/audit"
)

// serviceAccountKey holds the fields of a key file that sheets checks itself.
// The private key is only parsed, to fail in New rather than at the first
// token exchange; it is never logged or put in an error.
type serviceAccountKey struct {
	Type        string `json:"type"`
	ClientEmail string `json:"client_email"`
	TokenURI    string `json:"token_uri"`
	PrivateKey  string `json:"private_key"`
}

// httpClient returns the client the Sheets service uses, with authentication
// layered over the base transport, and the service account's e-mail address
// when it is known (for "share the spreadsheet with ..." hints).
//
// Nothing here touches the network: the token is fetched on the first
// request, so New stays cheap and a wrong key shows up as ErrPermission from
// the first call.
// scopes are what the credentials are asked for: the Sheets backend's own
// (Options.scopes) or the Drive audit's (DriveScopes).
func httpClient(ctx context.Context, o Options, scopes []string) (*http.Client, string, error) {
	base := o.HTTPClient
	if base == nil {
		base = &http.Client{Transport: http.DefaultTransport}
	}
	switch {
	case o.CredentialsFile != "":
		js, email, err := readKey(o.CredentialsFile)
		if err != nil {
			return nil, "", err
		}
		digest := sha256.Sum256(js)
		ts, _, err := o.tokenSource(hex.EncodeToString(digest[:]), scopes, func() (oauth2.TokenSource, string, error) {
			creds, err := google.CredentialsFromJSONWithType(tokenContext(ctx, base), js, google.ServiceAccount, scopes...)
			if err != nil {
				// The oauth2 error names the problem (bad PEM, missing field)
				// without echoing the key.
				return nil, "", fmt.Errorf("load credentials file %q: %v; download a new JSON key for the service account: %w",
					o.CredentialsFile, err, audit.ErrInvalid)
			}
			return creds.TokenSource, email, nil
		})
		if err != nil {
			return nil, "", err
		}
		return authClient(base, ts), email, nil
	case o.Endpoint != "":
		// An emulator or a proxy that authenticates by itself.
		return base, "", nil
	default:
		ts, email, err := o.tokenSource("", scopes, func() (oauth2.TokenSource, string, error) {
			creds, err := google.FindDefaultCredentials(tokenContext(ctx, base), scopes...)
			if err != nil {
				return nil, "", fmt.Errorf("find application default credentials: %v; set credentials_file to a service-account key or GOOGLE_APPLICATION_CREDENTIALS: %w",
					err, audit.ErrInvalid)
			}
			var key serviceAccountKey
			if len(creds.JSON) > 0 && json.Unmarshal(creds.JSON, &key) == nil {
				return creds.TokenSource, key.ClientEmail, nil
			}
			return creds.TokenSource, "", nil
		})
		if err != nil {
			return nil, "", err
		}
		return authClient(base, ts), email, nil
	}
}

// tokenContext is the context the token source keeps for every later token
// refresh: it must outlive New's ctx, and it carries the base client so the
// token exchange goes through the same proxy/TLS settings as the API calls.
func tokenContext(ctx context.Context, base *http.Client) context.Context {
	return context.WithValue(context.WithoutCancel(ctx), oauth2.HTTPClient, base)
}

func authClient(base *http.Client, ts oauth2.TokenSource) *http.Client {
	rt := base.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &http.Client{
		Transport:     &oauth2.Transport{Source: ts, Base: rt},
		CheckRedirect: base.CheckRedirect,
		Jar:           base.Jar,
		Timeout:       base.Timeout,
	}
}

// readKey reads and sanity-checks a service-account key. Errors name the file
// and what to do, never its content: a JSON syntax error only gives the
// offset, since the decoder's message would quote a byte of the key.
func readKey(path string) ([]byte, string, error) {
	js, err := os.ReadFile(path)
	if err != nil {
		hint := "check credentials_file"
		switch {
		case errors.Is(err, fs.ErrNotExist):
			hint = "the file does not exist; check credentials_file"
		case errors.Is(err, fs.ErrPermission):
			hint = "the daemon's user cannot read it; fix the file's permissions"
		}
		return nil, "", fmt.Errorf("read credentials file %q: %s: %w: %w", path, hint, audit.ErrInvalid, err)
	}
	var key serviceAccountKey
	if err := json.Unmarshal(js, &key); err != nil {
		var syn *json.SyntaxError
		where := ""
		if errors.As(err, &syn) {
			where = fmt.Sprintf(" (invalid JSON at byte %d)", syn.Offset)
		}
		return nil, "", fmt.Errorf("credentials file %q is not a JSON key%s; download a new JSON key for the service account: %w",
			path, where, audit.ErrInvalid)
	}
	if key.Type != "service_account" {
		return nil, "", fmt.Errorf("credentials file %q has type %q, want %q; use a service-account JSON key: %w",
			path, key.Type, "service_account", audit.ErrInvalid)
	}
	if key.ClientEmail == "" {
		return nil, "", fmt.Errorf("credentials file %q has no client_email; download a new JSON key for the service account: %w",
			path, audit.ErrInvalid)
	}
	if !validPrivateKey(key.PrivateKey) {
		return nil, "", fmt.Errorf("credentials file %q: private_key is not a PEM-encoded RSA key; download a new JSON key for the service account: %w",
			path, audit.ErrInvalid)
	}
	return js, key.ClientEmail, nil
}

// validPrivateKey reports whether s holds a key oauth2 can sign with: PKCS#8
// or PKCS#1 RSA in PEM, as Google issues them.
func validPrivateKey(s string) bool {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return false
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		_, ok := k.(*rsa.PrivateKey)
		return ok
	}
	_, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	return err == nil
}
