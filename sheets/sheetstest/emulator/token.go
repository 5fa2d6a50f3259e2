package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

const jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// Auth error texts measured against the live API (SHEETS-API.md §6.2).
const (
	msgNoAuthGET  = "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."
	msgNoAuthPOST = "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
	msgBadToken   = "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)

// serveToken is the OAuth2 token endpoint for a service account's
// jwt-bearer grant. The RS256 signature is not verified (the emulator has
// no key registry), but the assertion must be a JWT whose claims carry iss,
// aud and scope, so a broken credential still fails here as it would live.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	oauthErr := func(code, desc string) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": code, "error_description": desc})
	}
	if err := r.ParseForm(); err != nil {
		oauthErr("invalid_request", "unreadable form")
		return
	}
	if r.PostForm.Get("grant_type") != jwtBearerGrant {
		oauthErr("unsupported_grant_type", "Invalid grant_type: "+r.PostForm.Get("grant_type"))
		return
	}
	claims, err := jwtClaims(r.PostForm.Get("assertion"))
	if err != nil {
		oauthErr("invalid_grant", "Invalid JWT: "+err.Error())
		return
	}
	for _, k := range []string{"iss", "aud", "scope"} {
		if v, _ := claims[k].(string); v == "" {
			oauthErr("invalid_grant", fmt.Sprintf("Invalid JWT: missing claim %q", k))
			return
		}
	}
	account, _ := claims["sub"].(string) // domain-wide delegation acts as sub
	if account == "" {
		account, _ = claims["iss"].(string)
	}
	tok := s.TokenFor(account)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
}

func jwtClaims(assertion string) (map[string]any, error) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("want 3 parts, got %d", len(parts))
	}
	var header map[string]any
	if err := decodeSegment(parts[0], &header); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if header["alg"] != "RS256" {
		return nil, fmt.Errorf("unsupported alg %v", header["alg"])
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	return claims, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// TokenFor issues an access token for account ("Name <email>" or an
// email), as the token endpoint would after a service account's JWT grant:
// requests that carry it act as that account (editor records, sharing,
// quotas), with or without RequireAuth.
func (s *Server) TokenFor(account string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := fmt.Sprintf("ya29.sheetstest-%016x", s.rng.Uint64())
	s.tokens[tok] = account
	return tok
}

// caller names the request's account: the account of a bearer token the
// emulator issued, else "" (anonymous). With RequireAuth a request without
// such a token is refused as Google refuses it.
func (s *Server) caller(r *http.Request) (string, *apiError) {
	if s.requireAuth {
		tok, e := s.checkAuth(r)
		if e != nil {
			return "", e
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.tokens[tok], nil
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return "", nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens[tok], nil
}

// checkAuth returns the caller's token. A missing header is 403 on reads and
// 401 on writes, as measured live; an unknown token is 401.
func (s *Server) checkAuth(r *http.Request) (string, *apiError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		if r.Method == http.MethodGet {
			return "", &apiError{code: 403, status: "PERMISSION_DENIED", message: msgNoAuthGET}
		}
		return "", &apiError{code: 401, status: "UNAUTHENTICATED", message: msgNoAuthPOST}
	}
	tok, ok := strings.CutPrefix(h, "Bearer ")
	s.mu.Lock()
	_, known := s.tokens[tok]
	valid := ok && known
	s.mu.Unlock()
	if !valid {
		return "", &apiError{code: 401, status: "UNAUTHENTICATED", message: msgBadToken}
	}
	return tok, nil
}
