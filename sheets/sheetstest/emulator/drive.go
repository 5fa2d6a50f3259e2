package emulator

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Drive v3 is served under the same base URL at the real host's paths
// (/drive/v3/files/...), so google.golang.org/api/drive/v3 works with
// option.WithEndpoint(srv.URL()+"drive/v3/"). Only what sheetaudit needs is
// implemented; shapes follow the Drive v3 reference (File, User, the legacy
// error envelope with errors[], which Drive still sends).

const mimeSpreadsheet = "application/vnd.google-apps.spreadsheet"

// Change is one recorded change to a spreadsheet: every successful write
// (values.*, spreadsheets.batchUpdate, create) and every direct edit
// (SetValues, LoadFile, CreateSpreadsheet) adds one and raises the Drive
// version.
type Change struct {
	Version int64     // the file's Drive version after the change
	Time    time.Time // when it was made, by Options.Now
	User    string    // the account that made it; "" for an anonymous caller
	Kind    string    // API method ("values.update", "spreadsheets.batchUpdate", "drive.permissions.create", ...) or "admin.setValues", "admin.load", "admin.create", "admin.copy", "admin.share"

	perm *permission // the permission added, for permission changes
}

// fileMeta is the Drive side of a spreadsheet: times, version and who did
// what. It is kept beside the spreadsheet, not in it, because batchUpdate
// works on a clone.
type fileMeta struct {
	owner    string
	created  time.Time
	modified time.Time
	version  int64
	lastUser string
	changes  []Change
	perms    []permission // Drive permissions (access.go)
}

// accountKey carries the caller's account in a request's context.
type accountKey struct{}

func accountOf(r *http.Request) string {
	a, _ := r.Context().Value(accountKey{}).(string)
	return a
}

func withAccount(r *http.Request, account string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), accountKey{}, account))
}

func (s *Server) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// created records a new file owned by user; the caller holds s.mu.
func (s *Server) created(id, user, kind string) {
	now := s.clock()
	m := &fileMeta{owner: user, created: now, modified: now, version: 1, lastUser: user}
	if user != "" {
		m.perms = []permission{permissionFor(user, "owner")}
	}
	m.changes = []Change{{Version: 1, Time: now, User: user, Kind: kind}}
	s.meta[id] = m
}

// changed records a change to spreadsheet id by user and raises its
// version; the caller holds s.mu, so the new state and the new version are
// seen together.
func (s *Server) changed(id, user, kind string) {
	m := s.meta[id]
	if m == nil {
		s.created(id, user, kind)
		return
	}
	now := s.clock()
	if now.Before(m.modified) {
		now = m.modified
	}
	m.version++
	m.modified, m.lastUser = now, user
	m.changes = append(m.changes, Change{Version: m.version, Time: now, User: user, Kind: kind})
}

// changedBy records a change made through the HTTP API.
func (s *Server) changedBy(r *http.Request, id, kind string) { s.changed(id, accountOf(r), kind) }

// Changes returns the recorded changes of spreadsheet id, oldest first.
func (s *Server) Changes(id string) ([]Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.meta[id]
	if m == nil {
		return nil, fmt.Errorf("spreadsheet %q: %w", id, ErrNotFound)
	}
	return append([]Change(nil), m.changes...), nil
}

// Version returns spreadsheet id's Drive version, as files.get reports it.
func (s *Server) Version(id string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.meta[id]
	if m == nil {
		return 0, fmt.Errorf("spreadsheet %q: %w", id, ErrNotFound)
	}
	return m.version, nil
}

// driveError is Drive v3's error envelope, which still carries the legacy
// errors[] array and no status.
type driveError struct {
	code     int
	message  string
	reason   string
	location string // query parameter at fault, if any
}

func writeDriveError(w http.ResponseWriter, e *driveError) {
	item := map[string]any{"domain": "global", "reason": e.reason, "message": e.message}
	if e.location != "" {
		item["locationType"] = "parameter"
		item["location"] = e.location
	}
	writeJSON(w, e.code, map[string]any{"error": map[string]any{
		"code": e.code, "message": e.message, "errors": []any{item},
	}})
}

func driveNotFound(id string) *driveError {
	return &driveError{code: 404, message: "File not found: " + id + ".", reason: "notFound", location: "fileId"}
}

// fileSchema lists the File fields Drive v3 knows (google.golang.org/api
// drive/v3 File), so a mask naming another is refused as Drive refuses it.
var fileSchema = func() schemaNode {
	user := schemaNode{"displayName": nil, "emailAddress": nil, "kind": nil, "me": nil, "permissionId": nil, "photoLink": nil}
	n := schemaNode{"lastModifyingUser": user, "owners": user, "sharingUser": user, "trashingUser": user}
	for _, f := range strings.Fields(`appProperties capabilities clientEncryptionDetails contentHints
		contentRestrictions copyRequiresWriterPermission createdTime description downloadRestrictions driveId
		explicitlyTrashed exportLinks fileExtension folderColorRgb fullFileExtension hasAugmentedPermissions
		hasThumbnail headRevisionId iconLink id imageMediaMetadata inheritedPermissionsDisabled isAppAuthorized
		kind labelInfo linkShareMetadata md5Checksum mimeType modifiedByMe modifiedByMeTime modifiedTime name
		originalFilename ownedByMe parents permissionIds permissions properties quotaBytesUsed resourceKey
		sha1Checksum sha256Checksum shared sharedWithMeTime shortcutDetails size spaces starred teamDriveId
		thumbnailLink thumbnailVersion trashed trashedTime version videoMediaMetadata viewedByMe viewedByMeTime
		viewersCanCopyContent webContentLink webViewLink writersCanShare`) {
		n[f] = nil
	}
	return n
}()

// driveMask parses a Drive fields parameter; def is the method's default
// selection when none is given.
func driveMask(q url.Values, schema schemaNode, def string) (maskNode, *driveError) {
	f := q.Get("fields")
	if f == "" {
		f = def
	}
	m, ok := parseMask(f)
	if !ok {
		return nil, &driveError{code: 400, message: "Invalid field selection " + f, reason: "invalidParameter", location: "fields"}
	}
	if bad := m.unknown(schema); bad != "" {
		return nil, &driveError{code: 400, message: "Invalid field selection " + bad, reason: "invalidParameter", location: "fields"}
	}
	if _, all := m["*"]; all && len(m) == 1 {
		return nil, nil
	}
	return m, nil
}

// rfc3339 renders a time as Drive does: UTC with milliseconds.
func rfc3339(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// userJSON is a Drive User for an account ("Name <email>" or a bare email).
func userJSON(account, caller string) map[string]any {
	name, email := splitAccount(account)
	return map[string]any{
		"kind":         "drive#user",
		"displayName":  name,
		"emailAddress": email,
		"me":           email != "" && email == accountEmail(caller),
		"permissionId": permissionID(email),
	}
}

// permissionID is a stable Drive permission id for an email or domain.
func permissionID(key string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strings.ToLower(key)))
	return fmt.Sprint(h.Sum64())
}

// splitAccount reads "张三 <zhangsan@corp.cn>" or "zhangsan@corp.cn"; the
// display name defaults to the address's local part.
func splitAccount(account string) (name, email string) {
	if a, err := mail.ParseAddress(account); err == nil {
		name, email = a.Name, a.Address
	} else {
		email = account
	}
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	return name, email
}

func accountEmail(account string) string {
	_, e := splitAccount(account)
	return e
}

// serveDrive answers /drive/v3/... requests; the caller holds no lock.
func (s *Server) serveDrive(w http.ResponseWriter, r *http.Request, path string) (kind string) {
	rest := strings.TrimPrefix(path[strings.Index(path, "/drive/v3/"):], "/drive/v3/")
	seg := strings.Split(rest, "/")
	if len(seg) >= 2 && seg[0] == "files" {
		id, err := url.PathUnescape(seg[1])
		switch {
		case err != nil:
		case len(seg) == 2 && r.Method == http.MethodGet:
			s.driveFilesGet(w, r, id)
			return "drive.files.get"
		case len(seg) == 3 && seg[2] == "permissions" && (r.Method == http.MethodGet || r.Method == http.MethodPost):
			return s.drivePermissions(w, r, id)
		case len(seg) == 3 && seg[2] == "revisions" && r.Method == http.MethodGet:
			return s.driveRevisions(w, r, id)
		}
	}
	writeDriveError(w, &driveError{code: 404, message: "Not Found", reason: "notFound"})
	return "drive.unknown"
}

func (s *Server) driveFilesGet(w http.ResponseWriter, r *http.Request, id string) {
	mask, de := driveMask(r.URL.Query(), fileSchema, "kind,id,name,mimeType")
	if de != nil {
		writeDriveError(w, de)
		return
	}
	s.mu.Lock()
	ss, m := s.books[id], s.meta[id]
	if ss == nil || m == nil || s.sharing && accountOf(r) != "" && m.owner != "" && roleOf(m, accountOf(r)) == "" {
		s.mu.Unlock()
		writeDriveError(w, driveNotFound(id))
		return
	}
	title, _ := ss.props["title"].(string)
	caller := accountOf(r)
	f := map[string]any{
		"kind":         "drive#file",
		"id":           id,
		"name":         title,
		"mimeType":     mimeSpreadsheet,
		"version":      fmt.Sprint(m.version),
		"createdTime":  rfc3339(m.created),
		"modifiedTime": rfc3339(m.modified),
		"webViewLink":  "https://docs.google.com/spreadsheets/d/" + id + "/edit?usp=drivesdk",
		"starred":      false,
		"trashed":      false,
		"ownedByMe":    caller != "" && accountEmail(caller) == accountEmail(m.owner),
		"modifiedByMe": caller != "" && lastChangeBy(m, caller),
	}
	if m.owner != "" {
		f["owners"] = []any{userJSON(m.owner, caller)}
	}
	if m.lastUser != "" {
		f["lastModifyingUser"] = userJSON(m.lastUser, caller)
	}
	s.mu.Unlock()
	var v any = f
	if mask != nil {
		v = mask.apply(f)
	}
	writeJSON(w, 200, v)
}

func lastChangeBy(m *fileMeta, caller string) bool {
	for _, c := range m.changes {
		if accountEmail(c.User) == accountEmail(caller) {
			return true
		}
	}
	return false
}
