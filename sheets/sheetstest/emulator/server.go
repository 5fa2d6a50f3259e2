package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Options configures a Server. The zero value is an unauthenticated emulator
// without faults or quotas.
type Options struct {
	// Logger receives one debug line per request; nil means zap.NewNop().
	Logger *zap.Logger
	// RequireAuth makes every API request carry "Authorization: Bearer <t>"
	// with a token issued by TokenURL; otherwise any or no auth is accepted.
	RequireAuth bool
	// Faults, if set, injects failures and latency (see Faults).
	Faults *Faults
	// Quota, if set, enforces per-user per-minute request limits.
	Quota *Quota
	// Seed makes generated ids (spreadsheet ids, sheet ids, tokens)
	// reproducible; 0 means 1.
	Seed int64
	// Now is the clock of Drive times (modifiedTime, createdTime); nil
	// means time.Now.
	Now func() time.Time
	// Sharing enforces each spreadsheet's access list (access.go) on
	// identified callers: 403 PERMISSION_DENIED without a permission.
	Sharing bool
	// Disabled lists APIs ("sheets", "drive", "driveactivity") to answer with Google's 403
	// SERVICE_DISABLED, as for a project that has not enabled them.
	Disabled []string
	// Admin is the account recorded as the editor of direct edits
	// (CreateSpreadsheet, SetValues, LoadFile), "Name <email>" or an
	// email; "" means "admin@example.com". Use As for other editors.
	Admin string
}

// RequestRecord is one answered request, for tests that assert on traffic.
type RequestRecord struct {
	Method string
	Path   string // escaped path, as sent
	Status int
	Kind   string // API method, e.g. "values.get", "spreadsheets.batchUpdate"
}

// Server is an in-memory Sheets API v4 emulator. It is an http.Handler; use
// sheetstest.Start in tests or serve it yourself (SetBaseURL).
type Server struct {
	log         *zap.Logger
	requireAuth bool
	faults      *Faults
	quota       *Quota

	now      func() time.Time
	admin    string
	sharing  bool
	disabled map[string]bool

	mu     sync.Mutex
	books  map[string]*spreadsheet
	meta   map[string]*fileMeta // Drive side of each spreadsheet (drive.go)
	tokens map[string]string    // access token -> account
	rng    *rand.Rand
	reqs   []RequestRecord

	baseURL string // where it is served, set by SetBaseURL
}

// NewServer wires a Server; it starts nothing.
func NewServer(opts Options) *Server {
	log := opts.Logger
	if log == nil {
		log = zap.NewNop()
	}
	disabled := map[string]bool{}
	for _, api := range opts.Disabled {
		disabled[api] = true
	}
	admin := opts.Admin
	if admin == "" {
		admin = "admin@example.com"
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 1
	}
	return &Server{
		log:         log,
		requireAuth: opts.RequireAuth,
		faults:      opts.Faults,
		quota:       opts.Quota,
		now:         opts.Now,
		sharing:     opts.Sharing,
		disabled:    disabled,
		admin:       admin,
		books:       map[string]*spreadsheet{},
		meta:        map[string]*fileMeta{},
		tokens:      map[string]string{},
		rng:         rand.New(rand.NewSource(seed)),
	}
}

// SetBaseURL tells the Server where it is served ("http://127.0.0.1:8089"),
// for URL, DriveURL and TokenURL. Serving is the caller's: an http.Server
// in the emulator command, sheetstest.Start in tests.
func (s *Server) SetBaseURL(u string) { s.baseURL = strings.TrimSuffix(u, "/") }

// URL is the base URL for option.WithEndpoint; empty until SetBaseURL.
func (s *Server) URL() string {
	if s.baseURL == "" {
		return ""
	}
	return s.baseURL + "/"
}

// DriveURL is the base URL of the Drive v3 surface, for
// option.WithEndpoint of google.golang.org/api/drive/v3.
func (s *Server) DriveURL() string {
	if s.baseURL == "" {
		return ""
	}
	return s.baseURL + "/drive/v3/"
}

// TokenURL is the fake OAuth2 token endpoint, for a service-account JSON's
// token_uri.
func (s *Server) TokenURL() string {
	if s.baseURL == "" {
		return ""
	}
	return s.baseURL + "/token"
}

// Requests returns a copy of the request log.
func (s *Server) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RequestRecord(nil), s.reqs...)
}

// apiError is an error answer in Google's envelope.
type apiError struct {
	code    int
	status  string
	message string
	details []any
}

func (e *apiError) Error() string { return e.message }

func errInvalid(format string, a ...any) *apiError {
	return &apiError{code: 400, status: "INVALID_ARGUMENT", message: fmt.Sprintf(format, a...)}
}

func errNotFound() *apiError {
	return &apiError{code: 404, status: "NOT_FOUND", message: "Requested entity was not found."}
}

func errParseRange(spec string) *apiError { return errInvalid("Unable to parse range: %s", spec) }

// prefixed renders a batch element's error as Sheets does: "Invalid data[i]: ...".
func prefixed(prefix string, err *apiError) *apiError {
	e := *err
	e.message = "Invalid " + prefix + ": " + e.message
	return &e
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"code": e.code, "message": e.message, "status": e.status}
	if len(e.details) > 0 {
		body["details"] = e.details
	}
	if lw, ok := w.(interface{ legacyErrors() bool }); ok && lw.legacyErrors() {
		// The v1 error format ($.xgafv=1) adds the legacy errors[] array,
		// as 2016-2018 reports show it and backlot measured (SHEETS-API.md
		// §6.1). Guess: reasons other than badRequest and forbidden.
		body["errors"] = []any{map[string]any{"message": e.message, "domain": "global", "reason": legacyReason(e)}}
	}
	writeJSON(w, e.code, map[string]any{"error": body})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = 500, []byte(`{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// statusWriter remembers the status code for the request log, and whether
// the caller asked for the v1 error format.
type statusWriter struct {
	http.ResponseWriter
	status int
	legacy bool
}

func (w *statusWriter) legacyErrors() bool { return w.legacy }

// legacyReason is the errors[].reason of the v1 error format.
func legacyReason(e *apiError) string {
	switch e.status {
	case "INVALID_ARGUMENT", "FAILED_PRECONDITION":
		return "badRequest"
	case "PERMISSION_DENIED":
		return "forbidden"
	case "NOT_FOUND":
		return "notFound"
	case "UNAUTHENTICATED":
		return "unauthorized"
	case "RESOURCE_EXHAUSTED":
		return "rateLimitExceeded"
	}
	return "backendError"
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	return w.ResponseWriter.Write(b)
}

// route is one resolved API call.
type route struct {
	kind  string
	id    string // spreadsheet id
	rng   string // unescaped range of values/{range}
	write bool
}

// parseRoute routes on the escaped path: a literal ':' is a verb, while
// %3A, %21, %2F inside a range are data (SHEETS-API.md §7.1).
func parseRoute(method, escaped string) (route, bool) {
	i := strings.Index(escaped, "/v4/spreadsheets")
	if i < 0 {
		return route{}, false
	}
	rest := escaped[i+len("/v4/spreadsheets"):]
	if rest == "" || rest == "/" {
		if method == http.MethodPost {
			return route{kind: "spreadsheets.create", write: true}, true
		}
		return route{}, false
	}
	rest = strings.TrimPrefix(rest, "/")
	seg, tail, _ := strings.Cut(rest, "/")
	unesc := func(s string) (string, bool) {
		u, err := url.PathUnescape(s)
		return u, err == nil
	}
	if tail == "" && !strings.Contains(rest, "/") {
		if id, ok := strings.CutSuffix(seg, ":batchUpdate"); ok && method == http.MethodPost {
			id, ok = unesc(id)
			return route{kind: "spreadsheets.batchUpdate", id: id, write: true}, ok
		}
		if method == http.MethodGet {
			id, ok := unesc(seg)
			return route{kind: "spreadsheets.get", id: id}, ok
		}
		return route{}, false
	}
	id, ok := unesc(seg)
	if !ok {
		return route{}, false
	}
	switch {
	case tail == "values:batchGet" && method == http.MethodGet:
		return route{kind: "values.batchGet", id: id}, true
	case tail == "values:batchUpdate" && method == http.MethodPost:
		return route{kind: "values.batchUpdate", id: id, write: true}, true
	case tail == "values:batchClear" && method == http.MethodPost:
		return route{kind: "values.batchClear", id: id, write: true}, true
	case strings.HasPrefix(tail, "values/"):
		r := tail[len("values/"):]
		if strings.Contains(r, "/") {
			return route{}, false
		}
		kind := ""
		switch {
		case method == http.MethodGet:
			kind = "values.get"
		case method == http.MethodPut:
			kind = "values.update"
		case method == http.MethodPost && strings.HasSuffix(r, ":append"):
			kind, r = "values.append", strings.TrimSuffix(r, ":append")
		case method == http.MethodPost && strings.HasSuffix(r, ":clear"):
			kind, r = "values.clear", strings.TrimSuffix(r, ":clear")
		default:
			return route{}, false
		}
		rg, ok := unesc(r)
		return route{kind: kind, id: id, rng: rg, write: kind != "values.get"}, ok
	}
	return route{}, false
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w, legacy: r.URL.Query().Get("$.xgafv") == "1"}
	path := r.URL.EscapedPath()
	kind := "unknown"
	defer func() {
		s.mu.Lock()
		s.reqs = append(s.reqs, RequestRecord{Method: r.Method, Path: path, Status: sw.status, Kind: kind})
		s.mu.Unlock()
		s.log.Debug("request", zap.String("method", r.Method), zap.String("path", path),
			zap.String("kind", kind), zap.Int("status", sw.status))
	}()
	if strings.HasSuffix(path, "/token") && r.Method == http.MethodPost {
		kind = "token"
		s.serveToken(sw, r)
		return
	}
	if strings.Contains(path, "/drive/v3/") {
		kind = "drive"
		account, e := s.caller(r)
		if e != nil {
			writeError(sw, e)
			return
		}
		if s.disabled["drive"] {
			writeError(sw, disabledError("drive"))
			return
		}
		kind = s.serveDrive(sw, withAccount(r, account), path)
		return
	}
	if strings.HasSuffix(path, "/v2/activity:query") && r.Method == http.MethodPost {
		kind = "driveactivity.activity.query"
		account, e := s.caller(r)
		if e != nil {
			writeError(sw, e)
			return
		}
		if s.disabled["driveactivity"] {
			writeError(sw, disabledError("driveactivity"))
			return
		}
		s.activityQuery(sw, withAccount(r, account))
		return
	}
	rt, ok := parseRoute(r.Method, path)
	if !ok {
		writeError(sw, &apiError{code: 404, status: "NOT_FOUND", message: "Method not found."})
		return
	}
	kind = rt.kind
	account, e := s.caller(r)
	if e != nil {
		writeError(sw, e)
		return
	}
	r = withAccount(r, account)
	if s.disabled["sheets"] {
		writeError(sw, disabledError("sheets"))
		return
	}
	if rt.id != "" {
		s.mu.Lock()
		e := s.checkAccess(rt.id, account, rt.write)
		s.mu.Unlock()
		if e != nil {
			writeError(sw, e)
			return
		}
	}
	user := account
	if user == "" {
		user = "anonymous"
	}
	if s.faults != nil {
		if done := s.faults.apply(sw, r, rt); done {
			return
		}
	}
	if s.quota != nil {
		if e := s.quota.take(user, rt.write); e != nil {
			writeError(sw, e)
			return
		}
	}
	if e := checkEnums(r.URL.Query()); e != nil {
		writeError(sw, e)
		return
	}
	var fieldsMask maskNode
	if f := r.URL.Query().Get("fields"); f != "" && rt.kind != "spreadsheets.get" {
		m, e := parseFieldsParam(rt.kind, f)
		if e != nil {
			writeError(sw, e)
			return
		}
		fieldsMask = m
		buf := &bufferedResponse{header: sw.Header(), legacy: sw.legacy}
		defer sendMasked(sw, buf, fieldsMask)
		w = buf
	} else {
		w = sw
	}
	switch rt.kind {
	case "spreadsheets.create":
		e = s.create(w, r)
	case "spreadsheets.get":
		e = s.get(w, r, rt.id)
	case "spreadsheets.batchUpdate":
		e = s.batchUpdate(w, r, rt.id)
	case "values.get":
		e = s.valuesGet(w, r, rt.id, rt.rng)
	case "values.batchGet":
		e = s.valuesBatchGet(w, r, rt.id)
	case "values.update":
		e = s.valuesUpdate(w, r, rt.id, rt.rng)
	case "values.append":
		e = s.valuesAppend(w, r, rt.id, rt.rng)
	case "values.clear":
		e = s.valuesClear(w, r, rt.id, rt.rng)
	case "values.batchClear":
		e = s.valuesBatchClear(w, r, rt.id)
	case "values.batchUpdate":
		e = s.valuesBatchUpdate(w, r, rt.id)
	}
	if e != nil {
		writeError(w, e)
	}
}

// enumParams lists the query enums Sheets validates, with the proto type
// named in its error message.
var enumParams = map[string]struct {
	field, typ string
	values     []string
}{
	"majorDimension":               {"major_dimension", "type.googleapis.com/google.apps.sheets.v4.Dimension", []string{"DIMENSION_UNSPECIFIED", "ROWS", "COLUMNS"}},
	"valueRenderOption":            {"value_render_option", "type.googleapis.com/google.apps.sheets.v4.ValueRenderOption", []string{"FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"}},
	"responseValueRenderOption":    {"response_value_render_option", "type.googleapis.com/google.apps.sheets.v4.ValueRenderOption", []string{"FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"}},
	"dateTimeRenderOption":         {"date_time_render_option", "type.googleapis.com/google.apps.sheets.v4.DateTimeRenderOption", []string{"SERIAL_NUMBER", "FORMATTED_STRING"}},
	"responseDateTimeRenderOption": {"response_date_time_render_option", "type.googleapis.com/google.apps.sheets.v4.DateTimeRenderOption", []string{"SERIAL_NUMBER", "FORMATTED_STRING"}},
	"valueInputOption":             {"value_input_option", "type.googleapis.com/google.apps.sheets.v4.ValueInputOption", []string{"INPUT_VALUE_OPTION_UNSPECIFIED", "RAW", "USER_ENTERED"}},
	"insertDataOption":             {"insert_data_option", "type.googleapis.com/google.apps.sheets.v4.InsertDataOption", []string{"OVERWRITE", "INSERT_ROWS"}},
}

var boolParams = map[string]string{
	"includeGridData":         "include_grid_data",
	"includeValuesInResponse": "include_values_in_response",
}

func checkEnums(q url.Values) *apiError {
	for name, spec := range enumParams {
		for _, v := range q[name] {
			if !contains(spec.values, v) {
				return errInvalid("Invalid value at '%s' (%s), %q", spec.field, spec.typ, v)
			}
		}
	}
	for name, field := range boolParams {
		for _, v := range q[name] {
			if _, ok := parseBool(v); !ok {
				return errInvalid("Invalid value at '%s' (TYPE_BOOL), %q", field, v)
			}
		}
	}
	return nil
}

// parseBool accepts what Google's query parser accepts (gspread sends "False").
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true", "1":
		return true, true
	case "false", "0", "":
		return false, true
	}
	return false, false
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// book returns the spreadsheet; the caller holds s.mu.
func (s *Server) book(id string) (*spreadsheet, *apiError) {
	ss, ok := s.books[id]
	if !ok {
		return nil, errNotFound()
	}
	return ss, nil
}

// newSheetID draws a positive int32 id unused in ss, like Sheets' random ids.
func (s *Server) newSheetID(ss *spreadsheet) int64 {
	for {
		id := int64(s.rng.Int31())
		if id == 0 {
			continue
		}
		if sh, _ := ss.sheetByID(id); sh == nil {
			return id
		}
	}
}

// newSpreadsheetID draws a 44-character id shaped like Google's.
func (s *Server) newSpreadsheetID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, 44)
	b[0] = '1'
	for i := 1; i < len(b); i++ {
		b[i] = alphabet[s.rng.Intn(len(alphabet))]
	}
	return string(b)
}

// decodeBody reads a JSON body; numbers stay json.Number so values keep
// their digits. A value of the wrong JSON type is refused as Google refuses
// it: "Invalid value at '<field>' (<proto type>), <value>" with a BadRequest
// field violation, the field named from the request message (values.update
// and values.append carry the ValueRange as "data").
func decodeBody(r *http.Request, v any) *apiError {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return errInvalid("Invalid JSON payload received. %s", err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	err = dec.Decode(v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te) && te.Field != "":
		field := te.Field
		if strings.HasSuffix(r.URL.EscapedPath(), ":append") || r.Method == http.MethodPut {
			field = "data." + field
		}
		var doc map[string]any
		_ = json.Unmarshal(raw, &doc)
		var bad any = doc
		for _, k := range strings.Split(te.Field, ".") {
			m, _ := bad.(map[string]any)
			bad = m[k]
		}
		shown, _ := json.Marshal(bad)
		msg := fmt.Sprintf("Invalid value at '%s' (%s), %s", field, protoType(te.Type), shown)
		e := errInvalid("%s", msg)
		e.details = []any{map[string]any{
			"@type":           "type.googleapis.com/google.rpc.BadRequest",
			"fieldViolations": []any{map[string]any{"field": field, "description": msg}},
		}}
		return e
	}
	return errInvalid("Invalid JSON payload received. %s", err)
}

// protoType names a Go decoding target as Google names the proto type.
func protoType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice:
		return "type.googleapis.com/google.protobuf.ListValue"
	case reflect.String:
		return "TYPE_STRING"
	case reflect.Bool:
		return "TYPE_BOOL"
	case reflect.Int, reflect.Int32:
		return "TYPE_INT32"
	case reflect.Int64:
		return "TYPE_INT64"
	case reflect.Float32, reflect.Float64:
		return "TYPE_DOUBLE"
	case reflect.Map, reflect.Struct:
		return "type.googleapis.com/google.protobuf.Struct"
	}
	return "TYPE_MESSAGE"
}
