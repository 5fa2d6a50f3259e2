package sheets_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// Against the emulator's Drive surface: a link shared to anyone, an
// outside domain and a new writer each give their finding and their
// Change Log change.
func TestAccessAuditOnEmulator(t *testing.T) {
	ctx := context.Background()
	srv := sheetstest.Start(t, sheetstest.Options{})
	if err := srv.CreateSpreadsheet("book", "客户表", "客户"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Share("book", "张三 <zhangsan@corp.cn>", "writer"); err != nil {
		t.Fatal(err)
	}
	d, err := sheets.NewDriveAudit(ctx, sheets.Options{SpreadsheetID: "book", Endpoint: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	policy := audit.AccessPolicy{AllowedDomains: []string{"corp.cn"}, MaxWriters: 2}
	before, findings, _, err := audit.AuditAccess(ctx, d, "clients", nil, policy, "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if f.Rule != "access_outside" { // the emulator's admin may sit outside corp.cn
			t.Errorf("before sharing: finding %+v", f)
		}
	}
	for _, s := range []struct{ who, role string }{
		{"anyone", "reader"}, {"赵六 <zhao@partner.com>", "writer"}, {"钱七 <qian@corp.cn>", "writer"},
	} {
		if err := srv.Share("book", s.who, s.role); err != nil {
			t.Fatal(err)
		}
	}
	_, findings, changes, err := audit.AuditAccess(ctx, d, "clients", before, policy, "en")
	if err != nil {
		t.Fatal(err)
	}
	has := map[string]bool{}
	for _, f := range findings {
		has[f.Rule+" "+f.Key] = true
	}
	for _, want := range []string{"access_anyone anyone with the link", "access_outside zhao@partner.com", "access_writers "} {
		if !has[want] {
			t.Errorf("no finding %q in %v", want, findings)
		}
	}
	var got []string
	for _, c := range changes {
		got = append(got, string(c.Kind)+" "+c.Key+" "+c.New)
	}
	want := []string{"access added anyone with the link reader", "access added qian@corp.cn writer", "access added zhao@partner.com writer"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("access changes mismatch (-want +got):\n%s", diff)
	}
}

// The access change's actor comes from the activity log's sharing changes.
func TestAccessActorOnEmulator(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	srv := sheetstest.Start(t, sheetstest.Options{Now: func() time.Time { return now }, Admin: "王五 <wangwu@corp.cn>"})
	if err := srv.CreateSpreadsheet("book", "客户表", "客户"); err != nil {
		t.Fatal(err)
	}
	d, err := sheets.NewDriveAudit(ctx, sheets.Options{SpreadsheetID: "book", Endpoint: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	w := &audit.Who{Access: d, Editors: d, Activity: true}
	before, err := d.Permissions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(5 * time.Minute)
	if err := srv.Share("book", "anyone", "reader"); err != nil {
		t.Fatal(err)
	}
	since, until := now.Add(-time.Minute), now.Add(time.Minute)
	r, err := w.Review(ctx, nil, "clients", "", before, since, until, false, time.UTC, "en")
	if err != nil {
		t.Fatal(err)
	}
	if a := r.AccessEditor; len(r.AccessChanges) != 1 || a == nil || len(a.Editors) != 1 ||
		a.Editors[0].Email != "wangwu@corp.cn" || a.Source != audit.SourceActivity {
		t.Errorf("Review = changes %v, access editor %+v; want one change by wangwu@corp.cn from the activity log", r.AccessChanges, a)
	}
}
