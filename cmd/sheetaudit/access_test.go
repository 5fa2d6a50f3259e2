package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

// sheetaudit access reads the sharing through Drive permissions.list at
// endpoint + drive/v3/, the path of the real host.
func TestAccessCommand(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/drive/v3/files/clients/permissions" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"permissions": []any{
			map[string]any{"id": "1", "type": "user", "role": "owner", "emailAddress": "boss@corp.cn"},
			map[string]any{"id": "2", "type": "user", "role": "writer", "emailAddress": "zhao@partner.com"},
			map[string]any{"id": "anyoneWithLink", "type": "anyone", "role": "reader"},
		}})
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sheetaudit.yaml")
	yaml := `store: ./store
access: {allowed_domains: [corp.cn]}
sheets:
  - name: clients
    source: {google: {spreadsheet_id: clients, endpoint: "` + srv.URL + `/", access_audit: true}}
    tab: 客户
    key: [客户编号]
`
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := sheetaudit(t, nil, "access", "--config", cfg)
	if code != exitFailed {
		t.Fatalf("access: exit %d, want 1 (an outside writer)\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"clients: shared with 3", "error access_outside: zhao@partner.com (writer) is outside the allowed domains (corp.cn)",
		"warning access_anyone"} {
		if !strings.Contains(out, want) {
			t.Errorf("access output lacks %q:\n%s", want, out)
		}
	}
}

func TestWhoOf(t *testing.T) {
	ctx := context.Background()
	store, err := snapshot.Open(ctx, "mem://", snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := &config.Config{Access: config.Access{MaxWriters: 3}}
	s := config.Sheet{Name: "clients", Source: config.Source{XLSX: "x.xlsx"}, WriteBack: config.WriteBack{ChangeLogTab: "Change Log"}}
	w, err := whoOf(ctx, cfg, s, store, zap.NewNop(), backendDeps{})
	if err != nil || w.Chain == nil || w.Access != nil || w.Editors != nil {
		t.Fatalf("whoOf(xlsx) = %+v, %v; want the chain only", w, err)
	}
	s.WriteBack.ChangeLogTab = ""
	s.Source = config.Source{Google: &config.Google{SpreadsheetID: "abc", Endpoint: "http://127.0.0.1:1/", AccessAudit: true}}
	w, err = whoOf(ctx, cfg, s, store, zap.NewNop(), backendDeps{})
	if err != nil || w.Chain != nil || w.Access == nil || w.Policy.MaxWriters != 3 || w.Editors != nil {
		t.Fatalf("whoOf(google, access audit, no Change Log) = %+v, %v", w, err)
	}
	s.Source.Google.Attribution = true
	if w, err = whoOf(ctx, cfg, s, store, zap.NewNop(), backendDeps{}); err != nil || w.Editors == nil || !w.Activity {
		t.Fatalf("whoOf(google, attribution) = %+v, %v", w, err)
	}
}
