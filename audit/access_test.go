package audit_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
)

func TestCheckAccess(t *testing.T) {
	perms := []audit.Permission{
		{ID: "1", Type: "user", Role: "owner", Email: "boss@corp.cn"},
		{ID: "2", Type: "user", Role: "writer", Email: "zhangsan@sales.corp.cn"},
		{ID: "3", Type: "user", Role: "writer", Email: "lisi@gmail.com"},
		{ID: "4", Type: "anyone", Role: "reader"},
		{ID: "5", Type: "domain", Role: "commenter", Domain: "corp.cn"},
		{ID: "6", Type: "group", Role: "reader", Email: "partners@vendor.com"},
		{ID: "7", Type: "user", Role: "writer", Email: "sheetaudit@proj.iam.gserviceaccount.com"},
	}
	p := audit.AccessPolicy{AllowedDomains: []string{"corp.cn"}, MaxWriters: 2, Self: "sheetaudit@proj.iam.gserviceaccount.com"}
	got := audit.CheckAccess("clients", perms, p, "en")
	type row struct {
		Rule, Key string
		Sev       audit.Severity
	}
	var rows []row
	for _, f := range got {
		rows = append(rows, row{f.Rule, f.Key, f.Severity})
	}
	want := []row{
		{"access_anyone", "anyone with the link", audit.Warning},
		{"access_domain", "domain corp.cn", audit.Warning},
		{"access_outside", "partners@vendor.com", audit.Error},
		{"access_outside", "lisi@gmail.com", audit.Error},
		{"access_writers", "", audit.Warning},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("CheckAccess mismatch (-want +got):\n%s", diff)
	}
	if got[len(got)-1].Value != "3" {
		t.Errorf("writers finding counts %q, want 3 (the service account is not counted)", got[len(got)-1].Value)
	}

	if got := audit.CheckAccess("clients", perms[:2], audit.AccessPolicy{}, "zh-CN"); len(got) != 0 {
		t.Errorf("CheckAccess(two users, no policy) = %v, want none", got)
	}
	anyoneWrites := []audit.Permission{{Type: "anyone", Role: "writer"}}
	if got := audit.CheckAccess("clients", anyoneWrites, audit.AccessPolicy{}, "zh-CN"); len(got) != 1 || got[0].Severity != audit.Error {
		t.Errorf("CheckAccess(anyone can edit) = %v, want one error", got)
	}
}

func TestAccessChanges(t *testing.T) {
	old := []audit.Permission{
		{ID: "1", Type: "user", Role: "owner", Email: "boss@corp.cn"},
		{ID: "2", Type: "user", Role: "reader", Email: "Zhangsan@corp.cn"},
		{ID: "3", Type: "user", Role: "writer", Email: "wangwu@corp.cn"},
	}
	cur := []audit.Permission{
		{ID: "1", Type: "user", Role: "owner", Email: "boss@corp.cn"},
		{ID: "9", Type: "user", Role: "writer", Email: "zhangsan@corp.cn"}, // new id, same person
		{ID: "4", Type: "anyone", Role: "reader"},
	}
	want := []audit.Change{
		{Kind: audit.AccessRemoved, Key: "wangwu@corp.cn", Column: "sharing", Old: "writer"},
		{Kind: audit.AccessChanged, Key: "zhangsan@corp.cn", Column: "sharing", Old: "reader", New: "writer"},
		{Kind: audit.AccessAdded, Key: "anyone with the link", Column: "sharing", New: "reader"},
	}
	if diff := cmp.Diff(want, audit.AccessChanges(old, cur)); diff != "" {
		t.Errorf("AccessChanges mismatch (-want +got):\n%s", diff)
	}
	if got := audit.AccessChanges(cur, cur); len(got) != 0 {
		t.Errorf("AccessChanges(same) = %v, want none", got)
	}
}

type fakeAccess []audit.Permission

func (f fakeAccess) Permissions(context.Context) ([]audit.Permission, error) { return f, nil }

func TestAuditAccess(t *testing.T) {
	ctx := context.Background()
	first := fakeAccess{{Type: "user", Role: "owner", Email: "boss@corp.cn"}}
	cur, findings, changes, err := audit.AuditAccess(ctx, first, "clients", nil, audit.AccessPolicy{}, "en")
	if err != nil || len(findings) != 0 || len(changes) != 0 || len(cur) != 1 {
		t.Fatalf("first audit = %v, %v, %v, %v; want the list, no findings, no changes (no baseline yet)", cur, findings, changes, err)
	}
	// A link shared to anyone, an outside domain and a new writer.
	next := fakeAccess{first[0],
		{Type: "anyone", Role: "reader"},
		{Type: "user", Role: "writer", Email: "zhao@partner.com"},
		{Type: "user", Role: "writer", Email: "qian@corp.cn"},
	}
	_, findings, changes, err = audit.AuditAccess(ctx, next, "clients", cur, audit.AccessPolicy{AllowedDomains: []string{"corp.cn"}, MaxWriters: 2}, "en")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range findings {
		got = append(got, f.Rule+" "+f.Key)
	}
	for _, c := range changes {
		got = append(got, string(c.Kind)+" "+c.Key+" "+c.New)
	}
	want := []string{
		"access_anyone anyone with the link",
		"access_outside zhao@partner.com",
		"access_writers ",
		"access added anyone with the link reader",
		"access added qian@corp.cn writer",
		"access added zhao@partner.com writer",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AuditAccess mismatch (-want +got):\n%s", diff)
	}
}
