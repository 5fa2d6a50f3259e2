// Package redact removes secrets from text on its way out of sheetaudit:
// error messages from SMTP, Google and the snapshot store, log lines
// (console and JSON), what commands print and what the state file
// records. A server may echo what it was sent (an SMTP server repeating the
// AUTH line, a proxy repeating the Authorization header), so the redactor
// does not trust any error to be clean: it replaces the secrets it was told
// about, in the encodings they travel in (as typed, base64, URL- and
// JSON-escaped, inside AUTH PLAIN), and anything shaped like a credential
// (a PEM private key, a bearer token, an AUTH command, key=value pairs
// named like secrets, a password in a URL).
//
// It imports the standard library and zap only, so every package that
// writes output can use it; cmd/sheetaudit builds the one Redactor of a
// process from the configuration and wires it in.
package redact

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Mask replaces every secret.
const Mask = "<redacted>"

// minSecret is the shortest known secret replaced as it is: shorter ones
// would mangle ordinary words and still leak nothing a guess would not.
const minSecret = 4

// Redactor replaces secrets in text. Its zero value is not usable; New
// makes one. It is safe for concurrent use, and secrets may be added after
// it was handed out (the configuration is read after the logger exists).
type Redactor struct {
	mu      sync.RWMutex
	known   []string // every form of every known secret, longest first
	replace *strings.Replacer
}

// New returns a redactor that knows the given secrets.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add makes secrets known, in every form they travel in.
func (r *Redactor) Add(secrets ...string) {
	var forms []string
	for _, s := range secrets {
		forms = append(forms, variants(s)...)
	}
	r.addForms(forms)
}

// AddLogin makes a username and password known, with the forms SMTP AUTH
// sends them in (PLAIN: base64 of "\x00user\x00password" and of
// "user\x00user\x00password"; LOGIN: base64 of each).
func (r *Redactor) AddLogin(user, password string) {
	if password == "" {
		return
	}
	forms := variants(password)
	for _, plain := range []string{"\x00" + user + "\x00" + password, user + "\x00" + user + "\x00" + password} {
		forms = append(forms, b64(plain)...)
	}
	r.addForms(forms)
}

// AddServiceAccountKey makes the secret parts of a Google service-account
// key file known: the private key (whole and line by line), its id and
// any client secret or refresh token. A file that is not such a key adds
// nothing.
func (r *Redactor) AddServiceAccountKey(data []byte) {
	var k map[string]any
	if json.Unmarshal(data, &k) != nil {
		return
	}
	var secrets []string
	for _, name := range []string{"private_key", "private_key_id", "client_secret", "refresh_token"} {
		if v, ok := k[name].(string); ok && v != "" {
			secrets = append(secrets, v)
		}
	}
	if pk, ok := k["private_key"].(string); ok {
		for _, line := range strings.Split(pk, "\n") {
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				secrets = append(secrets, line)
			}
		}
	}
	r.Add(secrets...)
}

func (r *Redactor) addForms(forms []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range forms {
		if len(f) >= minSecret && !slices.Contains(r.known, f) {
			r.known = append(r.known, f)
		}
	}
	// Longest first, so a secret inside a longer one's encoding does not
	// leave the rest of the encoding behind.
	slices.SortFunc(r.known, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(r.known))
	for _, k := range r.known {
		pairs = append(pairs, k, Mask)
	}
	r.replace = strings.NewReplacer(pairs...)
}

// variants returns s in the encodings a secret travels in.
func variants(s string) []string {
	if s == "" {
		return nil
	}
	out := []string{s, url.QueryEscape(s), url.PathEscape(s)}
	if j, err := json.Marshal(s); err == nil {
		out = append(out, string(j[1:len(j)-1]))
	}
	out = append(out, b64(s)...)
	return out
}

// b64 returns s in standard and URL base64, padded and not.
func b64(s string) []string {
	std := base64.StdEncoding.EncodeToString([]byte(s))
	u := base64.URLEncoding.EncodeToString([]byte(s))
	return []string{std, strings.TrimRight(std, "="), u, strings.TrimRight(u, "=")}
}

// secretKeys names the fields whose values are secrets.
const secretKeys = `access_token|refresh_token|id_token|client_secret|private_key_id|private_key|password|passwd|pwd|secret|` +
	`secret_access_key|session_token|api_key|apikey|x-amz-signature|x-amz-credential|x-amz-security-token|signature|sig|token`

// Credential shapes, whoever's they are.
var patterns = []struct {
	re   *regexp.Regexp
	with string
}{
	// PEM private keys, with real or JSON-escaped newlines, even cut short.
	{regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----(?:[A-Za-z0-9+/=\s]|\\n|\\r)*(?:-----END [A-Z ]*PRIVATE KEY-----)?`), Mask},
	// SMTP AUTH commands echoed back, and their base64 arguments.
	{regexp.MustCompile(`(?i)\b(AUTH\s+(?:PLAIN|LOGIN|XOAUTH2|OAUTHBEARER|CRAM-MD5))\s+[A-Za-z0-9+/=._-]+`), "$1 " + Mask},
	// HTTP authorization headers and bearer tokens.
	{regexp.MustCompile(`(?i)\b((?:proxy-)?authorization)(["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|token)\s+)?[^\s"',;}]+`), "$1$2" + Mask},
	{regexp.MustCompile(`(?i)\b(bearer)\s+[A-Za-z0-9._~+/-]+=*`), "$1 " + Mask},
	// Google OAuth access tokens wherever they appear.
	{regexp.MustCompile(`\bya29\.[A-Za-z0-9._-]+`), Mask},
	// key=value (query strings, forms) and "key": "value" (JSON) pairs
	// named like secrets. Prose such as "password: must be set" is left
	// alone, and so is a value already masked ("<secret>").
	{regexp.MustCompile(`(?i)\b(` + secretKeys + `)=[^\s"'&,;}<][^\s"'&,;}]*`), "$1=" + Mask},
	{regexp.MustCompile(`(?i)"(` + secretKeys + `)"\s*:\s*"(?:[^"\\<]|\\.)(?:[^"\\]|\\.)*"`), `"$1": "` + Mask + `"`},
	// A password in a URL: scheme://user:password@host.
	{regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://[^/@\s:]+):[^/@\s]+@`), "$1:" + Mask + "@"},
}

// String returns s without the secrets it knows and without anything
// shaped like a credential.
func (r *Redactor) String(s string) string {
	if s == "" {
		return s
	}
	r.mu.RLock()
	rep := r.replace
	r.mu.RUnlock()
	if rep != nil {
		s = rep.Replace(s)
	}
	for _, p := range patterns {
		s = p.re.ReplaceAllString(s, p.with)
	}
	return s
}

// Error returns err with a redacted message; errors.Is and errors.As still
// see everything err wraps. A nil err stays nil.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := err.(*redacted); ok && e.r == r {
		return err
	}
	return &redacted{r: r, err: err}
}

type redacted struct {
	r   *Redactor
	err error
}

func (e *redacted) Error() string { return e.r.String(e.err.Error()) }
func (e *redacted) Unwrap() error { return e.err }
