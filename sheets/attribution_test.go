package sheets_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Drive as Google answers for a file two people and sheetaudit edited:
// 张三 at 09:05, 李四 at 09:20 and 09:22 with 张三 at 09:25, sheetaudit's own
// account at 09:40. Revisions are merged (one for 09:20-09:25, by the last
// editor only); the activity log has every edit.
func editedFile(t *testing.T) (*driveServer, string) {
	srv, endpoint := newDriveServer(t)
	srv.handle("GET /drive/v3/files/sheet1/revisions", func(w http.ResponseWriter, r *http.Request) {
		user := func(name, email, id string, me bool) map[string]any {
			return map[string]any{"kind": "drive#user", "displayName": name, "emailAddress": email, "permissionId": id, "me": me}
		}
		if r.URL.Query().Get("pageToken") == "" {
			driveJSON(w, map[string]any{"kind": "drive#revisionList", "nextPageToken": "n", "revisions": []any{
				map[string]any{"kind": "drive#revision", "id": "1", "modifiedTime": "2026-12-01T09:05:00.000Z", "lastModifyingUser": user("张三", "zhangsan@corp.cn", "101", false)},
			}})
			return
		}
		driveJSON(w, map[string]any{"kind": "drive#revisionList", "revisions": []any{
			map[string]any{"kind": "drive#revision", "id": "2", "modifiedTime": "2026-12-01T09:25:00.000Z", "lastModifyingUser": user("张三", "zhangsan@corp.cn", "101", false)},
			map[string]any{"kind": "drive#revision", "id": "3", "modifiedTime": "2026-12-01T09:40:00.000Z", "lastModifyingUser": user("sheetaudit", "sa@proj.iam.gserviceaccount.com", "900", true)},
		}})
	})
	srv.handle("GET /drive/v3/files/sheet1/permissions", func(w http.ResponseWriter, r *http.Request) {
		driveJSON(w, map[string]any{"permissions": []any{
			map[string]any{"id": "101", "type": "user", "role": "writer", "emailAddress": "zhangsan@corp.cn", "displayName": "张三"},
			map[string]any{"id": "102", "type": "user", "role": "writer", "emailAddress": "lisi@corp.cn", "displayName": "李四"},
			map[string]any{"id": "900", "type": "user", "role": "writer", "emailAddress": "sa@proj.iam.gserviceaccount.com"},
		}})
	})
	srv.handle("POST /v2/activity:query", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ItemName, Filter, PageToken string
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ItemName != "items/sheet1" ||
			!strings.Contains(req.Filter, "detail.action_detail_case:(EDIT CREATE RESTORE)") {
			driveJSONError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "", "bad request")
			return
		}
		edit := func(ts, person string, me bool) map[string]any {
			return map[string]any{
				"primaryActionDetail": map[string]any{"edit": map[string]any{}},
				"actors":              []any{map[string]any{"user": map[string]any{"knownUser": map[string]any{"personName": person, "isCurrentUser": me}}}},
				"targets":             []any{map[string]any{"driveItem": map[string]any{"name": "items/sheet1", "title": "客户"}}},
				"timestamp":           ts,
			}
		}
		all := []any{
			edit("2026-12-01T09:05:00Z", "people/101", false),
			map[string]any{
				"primaryActionDetail": map[string]any{"edit": map[string]any{}},
				"actors": []any{
					map[string]any{"user": map[string]any{"knownUser": map[string]any{"personName": "people/102"}}},
					map[string]any{"user": map[string]any{"knownUser": map[string]any{"personName": "people/101"}}},
				},
				"timeRange": map[string]any{"startTime": "2026-12-01T09:20:00Z", "endTime": "2026-12-01T09:25:00Z"},
			},
			edit("2026-12-01T09:40:00Z", "people/900", true),
		}
		// Filter by the window the way the API does, and page.
		var in []any
		for _, a := range all {
			m := a.(map[string]any)
			ts, _ := m["timestamp"].(string)
			if tr, ok := m["timeRange"].(map[string]any); ok {
				ts = tr["endTime"].(string)
			}
			if q := `time > "`; strings.Contains(req.Filter, q) {
				lo := strings.SplitN(strings.SplitN(req.Filter, q, 2)[1], `"`, 2)[0]
				hi := strings.SplitN(strings.SplitN(req.Filter, `time <= "`, 2)[1], `"`, 2)[0]
				if ts <= lo || ts > hi {
					continue
				}
			}
			in = append(in, a)
		}
		if req.PageToken == "" && len(in) > 1 {
			driveJSON(w, map[string]any{"activities": in[:1], "nextPageToken": "more"})
			return
		}
		if req.PageToken != "" {
			in = in[1:]
		}
		driveJSON(w, map[string]any{"activities": in})
	})
	return srv, endpoint
}

func TestDriveAttribution(t *testing.T) {
	ctx := context.Background()
	_, endpoint := editedFile(t)
	d := newDriveAudit(t, endpoint)
	revs, err := d.Revisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	perms, err := d.Permissions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	known := audit.KnownPeople(perms, revs)
	at := func(m int) time.Time { return time.Date(2026, 12, 1, 9, m, 0, 0, time.UTC) }
	for _, tc := range []struct {
		since, until int
		activity     bool
		want, source string
	}{
		{0, 10, true, "张三", audit.SourceActivity},
		{10, 30, true, "one of: 李四, 张三", audit.SourceActivity},
		{10, 30, false, "张三", audit.SourceRevisions}, // merged revisions lose 李四
		{30, 45, true, audit.SelfEditor, audit.SourceActivity},
		{30, 45, false, audit.SelfEditor, audit.SourceRevisions},
		{45, 59, true, "unknown", ""},
	} {
		var acts []audit.Activity
		if tc.activity {
			if acts, err = d.Activities(ctx, at(tc.since), at(tc.until)); err != nil {
				t.Fatal(err)
			}
			if acts == nil {
				acts = []audit.Activity{}
			}
		}
		got := audit.Attribute(audit.AttributionInput{Since: at(tc.since), Until: at(tc.until), Revisions: revs,
			Activities: acts, Self: d.ServiceAccount(), Known: known, Locale: "en"})
		if got.Editor != tc.want || got.Source != tc.source {
			t.Errorf("09:%02d-09:%02d (activity %v): %q from %q, want %q from %q", tc.since, tc.until, tc.activity, got.Editor, got.Source, tc.want, tc.source)
		}
	}
}

func TestDriveActivityForbidden(t *testing.T) {
	ctx := context.Background()
	srv, endpoint := editedFile(t)
	d := newDriveAudit(t, endpoint)
	since, until := time.Date(2026, 12, 1, 9, 10, 0, 0, time.UTC), time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	a, err := audit.Editors(ctx, d, nil, since, until, "", true, "en")
	if err != nil || a.Editor != "one of: people/102, 张三" {
		t.Fatalf("Editors without the sharing = %+v, %v; want 李四 by id (only the revisions name 张三)", a, err)
	}
	perms, err := d.Permissions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, err = audit.Editors(ctx, d, perms, since, until, "", true, "en")
	if err != nil || a.Editor != "one of: 李四, 张三" || a.Degraded != "" {
		t.Fatalf("Editors = %+v, %v; want both from the activity log", a, err)
	}
	srv.handle("POST /v2/activity:query", func(w http.ResponseWriter, r *http.Request) {
		driveJSONError(w, http.StatusForbidden, "PERMISSION_DENIED", "SERVICE_DISABLED",
			"Drive Activity API has not been used in project 123 before or it is disabled.")
	})
	_, err = d.Activities(ctx, since, until)
	if !errors.Is(err, audit.ErrPermission) || !strings.Contains(err.Error(), "enable the Google Drive Activity API") {
		t.Errorf("error %v, want ErrPermission naming the Drive Activity API", err)
	}
	// The revisions still name someone, and the result says why it is coarse.
	a, err = audit.Editors(ctx, d, nil, since, until, "", true, "en")
	if err != nil || a.Editor != "张三" || a.Source != audit.SourceRevisions || !strings.Contains(a.Degraded, "Drive Activity API") {
		t.Errorf("Editors with the activity log off = %+v, %v; want 张三 from the revisions, degraded", a, err)
	}
}
