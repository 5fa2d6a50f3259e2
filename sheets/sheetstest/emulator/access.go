package emulator

import (
	"fmt"
	"math"
	"net/http"
	"strings"
)

// Sharing: each spreadsheet has Drive permissions (its creator as owner,
// plus whoever it is shared with through Share or Drive permissions.create).
// With Options.Sharing, an identified caller (a bearer token's account)
// without a permission gets Google's 403 PERMISSION_DENIED, and a reader
// or commenter that writes gets the same. Anonymous callers, possible only
// without RequireAuth, see everything, so trials need no credentials.

// permission is one Drive Permission.
type permission struct {
	id     string
	typ    string // user, group, domain, anyone
	role   string // owner, organizer, fileOrganizer, writer, commenter, reader
	email  string // user or group
	domain string // domain
}

var roleRank = map[string]int{"reader": 1, "commenter": 2, "writer": 3, "fileOrganizer": 3, "organizer": 3, "owner": 4}

func permissionFor(account, role string) permission {
	email := accountEmail(account)
	return permission{id: permissionID(email), typ: "user", role: role, email: email}
}

// roleOf is the best role account holds on m, "" for none.
func roleOf(m *fileMeta, account string) string {
	email := strings.ToLower(accountEmail(account))
	_, domain, _ := strings.Cut(email, "@")
	best := ""
	for _, p := range m.perms {
		ok := false
		switch p.typ {
		case "user", "group":
			ok = strings.EqualFold(p.email, email)
		case "domain":
			ok = strings.EqualFold(p.domain, domain)
		case "anyone":
			ok = true
		}
		if ok && roleRank[p.role] > roleRank[best] {
			best = p.role
		}
	}
	return best
}

var errNoPermission = &apiError{code: 403, status: "PERMISSION_DENIED", message: "The caller does not have permission"}

// checkAccess applies the sharing model to a Sheets call on spreadsheet id;
// the caller holds s.mu. An unknown id is left to the method's 404.
func (s *Server) checkAccess(id, account string, write bool) *apiError {
	if !s.sharing || account == "" {
		return nil
	}
	m := s.meta[id]
	if m == nil || m.owner == "" {
		return nil
	}
	role := roleOf(m, account)
	if role == "" || write && roleRank[role] < roleRank["writer"] {
		return errNoPermission
	}
	return nil
}

// Share gives account ("Name <email>" or an email) role ("reader",
// "commenter", "writer", "owner") on spreadsheet id, as sharing it in the
// Drive UI would; "anyone" as the account shares by link.
func (s *Server) Share(id, account, role string) error {
	if roleRank[role] == 0 {
		return fmt.Errorf("share %q: unknown role %q (want reader, commenter, writer or owner)", id, role)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.meta[id]
	if m == nil {
		return fmt.Errorf("share %q: %w", id, ErrNotFound)
	}
	p := permissionFor(account, role)
	if account == "anyone" {
		p = permission{id: "anyoneWithLink", typ: "anyone", role: role}
	}
	m.setPermission(p)
	s.changed(id, s.admin, "admin.share")
	m.changes[len(m.changes)-1].perm = &p
	return nil
}

func (m *fileMeta) setPermission(p permission) {
	for i, q := range m.perms {
		if q.id == p.id {
			m.perms[i] = p
			return
		}
	}
	m.perms = append(m.perms, p)
}

// disabledError is the 403 Google sends when the caller's project has not
// enabled the API (recorded by gargle), for "sheets" or "drive".
func disabledError(api string) *apiError {
	service, title := "sheets.googleapis.com", "Google Sheets API"
	switch api {
	case "drive":
		service, title = "drive.googleapis.com", "Google Drive API"
	case "driveactivity":
		service, title = "driveactivity.googleapis.com", "Drive Activity API"
	}
	const project = "000000000000"
	url := "https://console.developers.google.com/apis/api/" + service + "/overview?project=" + project
	msg := title + " has not been used in project " + project + " before or it is disabled. Enable it by visiting " + url +
		" then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry."
	return &apiError{code: 403, status: "PERMISSION_DENIED", message: msg, details: []any{
		map[string]any{
			"@type":  "type.googleapis.com/google.rpc.ErrorInfo",
			"reason": "SERVICE_DISABLED",
			"domain": "googleapis.com",
			"metadata": map[string]any{
				"serviceTitle":  title,
				"consumer":      "projects/" + project,
				"activationUrl": url,
				"containerInfo": project,
				"service":       service,
			},
		},
		map[string]any{"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": msg},
		map[string]any{"@type": "type.googleapis.com/google.rpc.Help", "links": []any{
			map[string]any{"description": "Google developers console API activation", "url": url},
		}},
	}}
}

// permissionJSON renders a Drive Permission.
func permissionJSON(p permission) map[string]any {
	m := map[string]any{"kind": "drive#permission", "id": p.id, "type": p.typ, "role": p.role}
	if p.email != "" {
		m["emailAddress"] = p.email
		name, _ := splitAccount(p.email)
		m["displayName"] = name
	}
	if p.domain != "" {
		m["domain"] = p.domain
	}
	if p.typ == "anyone" {
		m["allowFileDiscovery"] = false
	}
	return m
}

var permissionSchema = schemaNode{"kind": nil, "id": nil, "type": nil, "role": nil, "emailAddress": nil, "domain": nil,
	"displayName": nil, "allowFileDiscovery": nil, "photoLink": nil, "expirationTime": nil, "deleted": nil,
	"pendingOwner": nil, "permissionDetails": nil, "teamDrivePermissionDetails": nil, "view": nil, "inheritedPermissionsDisabled": nil}

// drivePermissions serves permissions.list (GET) and permissions.create
// (POST) on /drive/v3/files/{id}/permissions.
func (s *Server) drivePermissions(w http.ResponseWriter, r *http.Request, id string) string {
	caller := accountOf(r)
	if r.Method == http.MethodGet {
		mask, de := driveMask(r.URL.Query(), schemaNode{"kind": nil, "nextPageToken": nil, "permissions": permissionSchema}, "kind,permissions(kind,id,type,role)")
		if de != nil {
			writeDriveError(w, de)
			return "drive.permissions.list"
		}
		s.mu.Lock()
		m := s.meta[id]
		if m == nil || s.sharing && caller != "" && m.owner != "" && roleOf(m, caller) == "" {
			s.mu.Unlock()
			writeDriveError(w, driveNotFound(id))
			return "drive.permissions.list"
		}
		var list []any
		for _, p := range m.perms {
			list = append(list, permissionJSON(p))
		}
		s.mu.Unlock()
		var v any = map[string]any{"kind": "drive#permissionList", "permissions": list}
		if mask != nil {
			v = mask.apply(v)
		}
		writeJSON(w, 200, v)
		return "drive.permissions.list"
	}
	mask, de := driveMask(r.URL.Query(), permissionSchema, "kind,id,type,role")
	if de != nil {
		writeDriveError(w, de)
		return "drive.permissions.create"
	}
	var body struct {
		Role, Type, EmailAddress, Domain string
	}
	if e := decodeBody(r, &body); e != nil {
		writeDriveError(w, &driveError{code: 400, message: e.message, reason: "parseError"})
		return "drive.permissions.create"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.meta[id]
	if m == nil || s.sharing && caller != "" && m.owner != "" && roleOf(m, caller) == "" {
		writeDriveError(w, driveNotFound(id))
		return "drive.permissions.create"
	}
	if s.sharing && caller != "" && m.owner != "" && roleRank[roleOf(m, caller)] < roleRank["writer"] {
		writeDriveError(w, &driveError{code: 403, message: "The user does not have sufficient permissions for this file.", reason: "insufficientFilePermissions"})
		return "drive.permissions.create"
	}
	if roleRank[body.Role] == 0 {
		writeDriveError(w, &driveError{code: 400, message: "The permission role field is required.", reason: "required", location: "permission.role"})
		return "drive.permissions.create"
	}
	var p permission
	switch body.Type {
	case "user", "group":
		if body.EmailAddress == "" {
			writeDriveError(w, &driveError{code: 400, message: "The permission emailAddress field is required.", reason: "required", location: "permission.emailAddress"})
			return "drive.permissions.create"
		}
		p = permissionFor(body.EmailAddress, body.Role)
		p.typ = body.Type
	case "domain":
		p = permission{id: permissionID("domain:" + body.Domain), typ: "domain", role: body.Role, domain: body.Domain}
	case "anyone":
		p = permission{id: "anyoneWithLink", typ: "anyone", role: body.Role}
	default:
		writeDriveError(w, &driveError{code: 400, message: "The permission type field is required.", reason: "required", location: "permission.type"})
		return "drive.permissions.create"
	}
	m.setPermission(p)
	s.changed(id, caller, "drive.permissions.create")
	m.changes[len(m.changes)-1].perm = &p
	var v any = permissionJSON(p)
	if mask != nil {
		v = mask.apply(v)
	}
	writeJSON(w, 200, v)
	return "drive.permissions.create"
}

// msgProtected is what Google answers a write into a protected range by
// someone not among its editors (recorded from the v3 API; Guess: the v4
// status INVALID_ARGUMENT).
const msgProtected = "You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit."

// checkProtected refuses a write of rect on sh by caller when rect touches
// a protected range (not warningOnly) that does not list caller as an
// editor. The spreadsheet's owner may always edit, and anonymous callers
// are not checked (they cannot be told apart); the caller holds s.mu.
func (s *Server) checkProtected(ss *spreadsheet, sh *sheet, rect gridRect, caller string) *apiError {
	if caller == "" || sh == nil || len(sh.objList("protectedRanges")) == 0 {
		return nil
	}
	email := accountEmail(caller)
	if m := s.meta[ss.id]; m == nil || strings.EqualFold(accountEmail(m.owner), email) {
		return nil
	}
	for _, p := range sh.objList("protectedRanges") {
		pm := p.(map[string]any)
		if warn, _ := pm["warningOnly"].(bool); warn {
			continue
		}
		rj, _ := pm["range"].(map[string]any)
		if rj == nil || !overlaps(rectOf(rj), rect) {
			continue
		}
		ed, _ := pm["editors"].(map[string]any)
		allowed := false
		for _, u := range asList(ed["users"]) {
			if s, _ := u.(string); strings.EqualFold(s, email) {
				allowed = true
			}
		}
		if !allowed {
			return errInvalid("%s", msgProtected)
		}
	}
	return nil
}

// bbox is the rectangle an update writes.
func (res *updateResult) bbox() gridRect {
	g := gridRect{r0: math.MaxInt, c0: math.MaxInt, r1: -1, c1: -1}
	for r := range res.rowSet {
		g.r0, g.r1 = min(g.r0, r), max(g.r1, r)
	}
	for c := range res.colSet {
		g.c0, g.c1 = min(g.c0, c), max(g.c1, c)
	}
	return g
}
