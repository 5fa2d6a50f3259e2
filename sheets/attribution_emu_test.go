package sheets_test

import (
	"context"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// Against the emulator, which records an editor for every change: two
// people editing in separate windows are each named; two in one window are
// the candidates; sheetaudit's own writes never name a person.
func TestAttributionOnEmulator(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return time.Date(2026, 12, 1, 9, m, 0, 0, time.UTC) }
	srv := sheetstest.Start(t, sheetstest.Options{Now: func() time.Time { return now }})
	if err := srv.CreateSpreadsheet("book", "客户表", "客户"); err != nil {
		t.Fatal(err)
	}
	const (
		zhang = "张三 <zhangsan@corp.cn>"
		li    = "李四 <lisi@corp.cn>"
		self  = "sheetaudit <sa@proj.iam.gserviceaccount.com>"
	)
	for _, u := range []string{zhang, li, self} {
		if err := srv.Share("book", u, "writer"); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range []struct {
		m    int
		user string
	}{{5, zhang}, {15, li}, {25, zhang}, {26, li}, {35, self}} {
		now = at(e.m)
		if err := srv.As(e.user).SetValues("book", "客户", [][]string{{"客户编号"}, {"C" + e.user[:3]}}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := sheets.NewDriveAudit(ctx, sheets.Options{SpreadsheetID: "book", Endpoint: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	perms, err := d.Permissions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		since, until int
		want         string
	}{
		{1, 10, "张三"},
		{10, 20, "李四"},
		{20, 30, "one of: 张三, 李四"},
		{30, 40, audit.SelfEditor},
		{40, 50, "unknown"},
	} {
		for _, activity := range []bool{true, false} {
			a, err := audit.Editors(ctx, d, perms, at(tc.since), at(tc.until), "sa@proj.iam.gserviceaccount.com", activity, "en")
			if err != nil {
				t.Fatal(err)
			}
			if a.Editor != tc.want {
				t.Errorf("09:%02d-09:%02d (activity %v): %q from %q, want %q", tc.since, tc.until, activity, a.Editor, a.Source, tc.want)
			}
		}
	}
}
