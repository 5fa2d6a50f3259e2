package sheets_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets"
)

// driveServer answers the documented JSON shapes of the Drive v3 and Drive
// Activity v2 methods sheetaudit calls, on loopback, until the emulator
// serves them. Handlers are keyed by "METHOD path".
type driveServer struct {
	t        *testing.T
	mu       sync.Mutex
	requests []string
	handlers map[string]func(w http.ResponseWriter, r *http.Request)
}

func newDriveServer(t *testing.T) (*driveServer, string) {
	d := &driveServer{t: t, handlers: map[string]func(http.ResponseWriter, *http.Request){}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.requests = append(d.requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
		h := d.handlers[r.Method+" "+r.URL.Path]
		d.mu.Unlock()
		if h == nil {
			driveJSONError(w, http.StatusNotFound, "NOT_FOUND", "", "File not found: "+r.URL.Path)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return d, srv.URL + "/"
}

func (d *driveServer) handle(key string, h func(w http.ResponseWriter, r *http.Request)) {
	d.mu.Lock()
	d.handlers[key] = h
	d.mu.Unlock()
}

func driveJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

// driveJSONError writes Google's error JSON, with an ErrorInfo reason.
func driveJSONError(w http.ResponseWriter, code int, status, reason, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	e := map[string]any{"code": code, "message": msg, "status": status,
		"errors": []any{map[string]any{"message": msg, "domain": "global", "reason": "forbidden"}}}
	if reason != "" {
		e["details"] = []any{map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com"}}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
}

func newDriveAudit(t *testing.T, endpoint string) *sheets.DriveAudit {
	t.Helper()
	d, err := sheets.NewDriveAudit(context.Background(), sheets.Options{
		SpreadsheetID: "sheet1", Endpoint: endpoint, Logger: zaptest.NewLogger(t),
		Retry: sheets.Retry{MaxAttempts: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDrivePermissions(t *testing.T) {
	srv, endpoint := newDriveServer(t)
	srv.handle("GET /drive/v3/files/sheet1/permissions", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("pageToken") == "" {
			driveJSON(w, map[string]any{"kind": "drive#permissionList", "nextPageToken": "p2", "permissions": []any{
				map[string]any{"kind": "drive#permission", "id": "01", "type": "user", "role": "owner", "emailAddress": "boss@corp.cn", "displayName": "老板"},
				map[string]any{"kind": "drive#permission", "id": "anyoneWithLink", "type": "anyone", "role": "reader", "allowFileDiscovery": false},
			}})
			return
		}
		driveJSON(w, map[string]any{"kind": "drive#permissionList", "permissions": []any{
			map[string]any{"kind": "drive#permission", "id": "02", "type": "domain", "role": "commenter", "domain": "corp.cn", "allowFileDiscovery": true},
			map[string]any{"kind": "drive#permission", "id": "03", "type": "user", "role": "writer", "emailAddress": "gone@corp.cn", "deleted": true},
		}})
	})
	got, err := newDriveAudit(t, endpoint).Permissions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []audit.Permission{
		{ID: "01", Type: "user", Role: "owner", Email: "boss@corp.cn", DisplayName: "老板"},
		{ID: "anyoneWithLink", Type: "anyone", Role: "reader"},
		{ID: "02", Type: "domain", Role: "commenter", Domain: "corp.cn", Discoverable: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Permissions mismatch (-want +got):\n%s", diff)
	}
	if n := len(srv.requests); n != 2 || !strings.Contains(srv.requests[0], "fields=") {
		t.Errorf("requests = %q, want two pages asking for fields", srv.requests)
	}
}

// A 403 names what to do: enable the API, or grant the scope.
func TestDrivePermissionsForbidden(t *testing.T) {
	for _, tc := range []struct{ reason, hint string }{
		{"SERVICE_DISABLED", "enable the Google Drive API"},
		{"ACCESS_TOKEN_SCOPE_INSUFFICIENT", "drive.metadata.readonly scope"},
		{"", "share the spreadsheet with the service account"},
	} {
		srv, endpoint := newDriveServer(t)
		srv.handle("GET /drive/v3/files/sheet1/permissions", func(w http.ResponseWriter, r *http.Request) {
			driveJSONError(w, http.StatusForbidden, "PERMISSION_DENIED", tc.reason, "The caller does not have permission")
		})
		_, err := newDriveAudit(t, endpoint).Permissions(context.Background())
		if !errors.Is(err, audit.ErrPermission) || !strings.Contains(err.Error(), tc.hint) {
			t.Errorf("reason %q: error %v, want ErrPermission with %q", tc.reason, err, tc.hint)
		}
	}
}
