package emulator

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Drive v3 revisions.list and Drive Activity v2 activity:query, built from
// the recorded changes (Change) so that attribution can be tested: every
// change is one revision and one activity naming its editor. Guess: Google
// merges and prunes revisions of Sheets files and consolidates activity;
// the emulator keeps one per change, the finest grain Google could give.

var revisionSchema = func() schemaNode {
	user := schemaNode{"displayName": nil, "emailAddress": nil, "kind": nil, "me": nil, "permissionId": nil, "photoLink": nil}
	n := schemaNode{"lastModifyingUser": user}
	for _, f := range strings.Fields(`id kind mimeType modifiedTime published publishAuto publishedOutsideDomain
		publishedLink keepForever md5Checksum originalFilename size exportLinks`) {
		n[f] = nil
	}
	return n
}()

// changeAction is the Drive Activity action detail case of a change.
func changeAction(c Change) string {
	switch c.Kind {
	case "spreadsheets.create", "admin.create", "admin.load", "admin.copy":
		return "CREATE"
	case "drive.permissions.create", "admin.share":
		return "PERMISSION_CHANGE"
	}
	return "EDIT"
}

// pageWindow reads a page token (an offset) and size.
func pageWindow(token string, size, def, most, n int) (from, to int, next string, ok bool) {
	if token != "" {
		v, err := strconv.Atoi(token)
		if err != nil || v < 0 || v > n {
			return 0, 0, "", false
		}
		from = v
	}
	if size <= 0 {
		size = def
	}
	size = min(size, most)
	to = min(n, from+size)
	if to < n {
		next = strconv.Itoa(to)
	}
	return from, to, next, true
}

// driveRevisions serves GET /drive/v3/files/{id}/revisions.
func (s *Server) driveRevisions(w http.ResponseWriter, r *http.Request, id string) string {
	q := r.URL.Query()
	mask, de := driveMask(q, schemaNode{"kind": nil, "nextPageToken": nil, "revisions": revisionSchema},
		"kind,nextPageToken,revisions(kind,id,mimeType,modifiedTime)")
	if de != nil {
		writeDriveError(w, de)
		return "drive.revisions.list"
	}
	caller := accountOf(r)
	s.mu.Lock()
	m := s.meta[id]
	if m == nil || s.sharing && caller != "" && m.owner != "" && roleOf(m, caller) == "" {
		s.mu.Unlock()
		writeDriveError(w, driveNotFound(id))
		return "drive.revisions.list"
	}
	changes := append([]Change(nil), m.changes...)
	s.mu.Unlock()
	size, _ := strconv.Atoi(q.Get("pageSize"))
	from, to, next, ok := pageWindow(q.Get("pageToken"), size, 200, 1000, len(changes))
	if !ok {
		writeDriveError(w, &driveError{code: 400, message: "Invalid Value", reason: "invalid", location: "pageToken"})
		return "drive.revisions.list"
	}
	list := []any{}
	for _, c := range changes[from:to] {
		rev := map[string]any{
			"kind": "drive#revision", "id": strconv.FormatInt(c.Version, 10), "mimeType": mimeSpreadsheet,
			"modifiedTime": rfc3339(c.Time), "published": false,
			"exportLinks": map[string]any{
				"text/csv": "https://docs.google.com/spreadsheets/export?id=" + id + "&revision=" + strconv.FormatInt(c.Version, 10) + "&exportFormat=csv",
			},
		}
		if c.User != "" {
			rev["lastModifyingUser"] = userJSON(c.User, caller)
		}
		list = append(list, rev)
	}
	out := map[string]any{"kind": "drive#revisionList", "revisions": list}
	if next != "" {
		out["nextPageToken"] = next
	}
	var v any = out
	if mask != nil {
		v = mask.apply(out)
	}
	writeJSON(w, 200, v)
	return "drive.revisions.list"
}

// PersonName is the Drive Activity "people/…" id of an account, as
// activity:query names actors (the People API would resolve it).
func PersonName(account string) string { return "people/" + permissionID(accountEmail(account)) }

func actorJSON(account, caller string) map[string]any {
	if account == "" {
		return map[string]any{"anonymous": map[string]any{}}
	}
	ku := map[string]any{"personName": PersonName(account)}
	if caller != "" && strings.EqualFold(accountEmail(account), accountEmail(caller)) {
		ku["isCurrentUser"] = true
	}
	return map[string]any{"user": map[string]any{"knownUser": ku}}
}

// activityFilter is a parsed activity:query filter.
type activityFilter struct {
	after, before    []func(time.Time) bool
	include, exclude map[string]bool
}

var (
	filterTime   = regexp.MustCompile(`^time\s*(>=|<=|>|<|=)\s*("[^"]*"|[0-9]+)`)
	filterAction = regexp.MustCompile(`^(-?)detail\.action_detail_case\s*:\s*(\(([A-Z_ ]*)\)|[A-Z_]+)`)
	filterAnd    = regexp.MustCompile(`^AND\b`)
)

// parseActivityFilter reads the documented grammar: expressions joined by
// an optional AND; time with numerical operators on epoch milliseconds or a
// quoted RFC 3339 time; detail.action_detail_case with ":" and a value or a
// parenthesised list, "-" to exclude.
func parseActivityFilter(f string) (*activityFilter, error) {
	af := &activityFilter{}
	rest := strings.TrimSpace(f)
	for rest != "" {
		if m := filterTime.FindStringSubmatch(rest); m != nil {
			var t time.Time
			if strings.HasPrefix(m[2], `"`) {
				var err error
				if t, err = time.Parse(time.RFC3339Nano, strings.Trim(m[2], `"`)); err != nil {
					return nil, fmt.Errorf("bad time %s", m[2])
				}
			} else {
				ms, _ := strconv.ParseInt(m[2], 10, 64)
				t = time.UnixMilli(ms)
			}
			switch m[1] {
			case ">":
				af.after = append(af.after, func(x time.Time) bool { return x.After(t) })
			case ">=":
				af.after = append(af.after, func(x time.Time) bool { return !x.Before(t) })
			case "<":
				af.before = append(af.before, func(x time.Time) bool { return x.Before(t) })
			case "<=":
				af.before = append(af.before, func(x time.Time) bool { return !x.After(t) })
			case "=":
				af.after = append(af.after, func(x time.Time) bool { return x.Equal(t) })
			}
			rest = rest[len(m[0]):]
		} else if m := filterAction.FindStringSubmatch(rest); m != nil {
			vals := strings.Fields(m[3])
			if m[3] == "" {
				vals = []string{m[2]}
			}
			set := map[string]bool{}
			for _, v := range vals {
				set[v] = true
			}
			if m[1] == "-" {
				if af.exclude == nil {
					af.exclude = map[string]bool{}
				}
				for v := range set {
					af.exclude[v] = true
				}
			} else {
				af.include = set
			}
			rest = rest[len(m[0]):]
		} else {
			return nil, fmt.Errorf("cannot parse %q", rest)
		}
		rest = strings.TrimSpace(rest)
		if m := filterAnd.FindString(rest); m != "" {
			rest = strings.TrimSpace(rest[len(m):])
		}
	}
	return af, nil
}

func (af *activityFilter) keep(c Change) bool {
	for _, f := range append(append([]func(time.Time) bool(nil), af.after...), af.before...) {
		if !f(c.Time) {
			return false
		}
	}
	a := changeAction(c)
	if af.include != nil && !af.include[a] {
		return false
	}
	return !af.exclude[a]
}

// activityQuery serves POST /v2/activity:query for itemName "items/ID".
func (s *Server) activityQuery(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ItemName, AncestorName, Filter, PageToken string
		PageSize                                  int
	}
	if e := decodeBody(r, &body); e != nil {
		writeError(w, e)
		return
	}
	if body.ItemName == "" || body.AncestorName != "" {
		writeError(w, errInvalid("Guess: the emulator answers activity:query only for itemName \"items/ID\""))
		return
	}
	id, ok := strings.CutPrefix(body.ItemName, "items/")
	if !ok || id == "" {
		writeError(w, errInvalid("Invalid item name: %s", body.ItemName))
		return
	}
	af, err := parseActivityFilter(body.Filter)
	if err != nil {
		writeError(w, errInvalid("Invalid filter: %s", err))
		return
	}
	caller := accountOf(r)
	s.mu.Lock()
	m, ss := s.meta[id], s.books[id]
	if m == nil || ss == nil || s.sharing && caller != "" && m.owner != "" && roleOf(m, caller) == "" {
		s.mu.Unlock()
		writeJSON(w, 200, map[string]any{}) // Drive Activity shows nothing of an item the caller cannot see
		return
	}
	title, _ := ss.props["title"].(string)
	owner := m.owner
	var changes []Change
	for _, c := range m.changes {
		if af.keep(c) {
			changes = append(changes, c)
		}
	}
	s.mu.Unlock()
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].Version > changes[j].Version }) // newest first
	from, to, next, ok := pageWindow(body.PageToken, body.PageSize, 50, 100, len(changes))
	if !ok {
		writeError(w, errInvalid("Invalid page token."))
		return
	}
	target := map[string]any{"driveItem": map[string]any{
		"name": "items/" + id, "title": title, "mimeType": mimeSpreadsheet, "driveFile": map[string]any{},
		"owner": map[string]any{"user": actorJSON(owner, caller)["user"]},
	}}
	var acts []any
	for _, c := range changes[from:to] {
		var detail map[string]any
		switch changeAction(c) {
		case "CREATE":
			detail = map[string]any{"create": map[string]any{"new": map[string]any{}}}
		case "PERMISSION_CHANGE":
			pc := map[string]any{}
			if c.perm != nil {
				pc["addedPermissions"] = []any{activityPermission(*c.perm, caller)}
			}
			detail = map[string]any{"permissionChange": pc}
		default:
			detail = map[string]any{"edit": map[string]any{}}
		}
		actor := actorJSON(c.User, caller)
		ts := rfc3339(c.Time)
		acts = append(acts, map[string]any{
			"primaryActionDetail": detail,
			"actors":              []any{actor},
			"actions":             []any{map[string]any{"detail": detail, "actor": actor, "target": target, "timestamp": ts}},
			"targets":             []any{target},
			"timestamp":           ts,
		})
	}
	out := map[string]any{}
	if len(acts) > 0 {
		out["activities"] = cloneJSON(acts)
	}
	if next != "" {
		out["nextPageToken"] = next
	}
	writeJSON(w, 200, out)
}

// activityRoles maps Drive v3 roles to Drive Activity's.
var activityRoles = map[string]string{"owner": "OWNER", "organizer": "ORGANIZER", "fileOrganizer": "FILE_ORGANIZER",
	"writer": "EDITOR", "commenter": "COMMENTER", "reader": "VIEWER"}

func activityPermission(p permission, caller string) map[string]any {
	out := map[string]any{"role": activityRoles[p.role]}
	switch p.typ {
	case "user":
		out["user"] = actorJSON(p.email, caller)["user"]
	case "group":
		out["group"] = map[string]any{"email": p.email}
	case "domain":
		out["domain"] = map[string]any{"name": p.domain}
	case "anyone":
		out["anyone"] = map[string]any{}
	}
	return out
}
