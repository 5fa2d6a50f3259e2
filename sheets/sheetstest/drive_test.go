package sheetstest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
	"google.golang.org/api/drive/v3"
	"google.golang.org/api/driveactivity/v2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// stepClock advances one second per reading, so every change has its own
// modifiedTime.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func asUser(srv *sheetstest.Server, account string) option.ClientOption {
	return option.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: srv.TokenFor(account)}))
}

// TestDriveFilesGetVersion drives the real Drive v3 client: the version
// rises on every kind of change, modifiedTime follows the clock, and each
// change names its editor.
func TestDriveFilesGetVersion(t *testing.T) {
	ctx := context.Background()
	clock := &stepClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	srv := sheetstest.Start(t, sheetstest.Options{Now: clock.now, Admin: "管理员 <admin@corp.cn>"})
	const zhang = "张三 <zhangsan@corp.cn>"
	shs, err := sheets.NewService(ctx, option.WithEndpoint(srv.URL()), asUser(srv, zhang))
	if err != nil {
		t.Fatal(err)
	}
	drv, err := drive.NewService(ctx, option.WithEndpoint(srv.DriveURL()), asUser(srv, zhang))
	if err != nil {
		t.Fatal(err)
	}
	created, err := shs.Spreadsheets.Create(&sheets.Spreadsheet{Properties: &sheets.SpreadsheetProperties{Title: "客户"}}).Do()
	if err != nil {
		t.Fatal(err)
	}
	id := created.SpreadsheetId
	get := func() *drive.File {
		t.Helper()
		f, err := drv.Files.Get(id).Fields("version,modifiedTime,id,name,mimeType,lastModifyingUser(displayName,emailAddress)").Do()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	f := get()
	if f.Version != 1 || f.Name != "客户" || f.MimeType != "application/vnd.google-apps.spreadsheet" || f.Id != id ||
		f.ModifiedTime != "2026-12-01T09:00:01.000Z" || f.LastModifyingUser.EmailAddress != "zhangsan@corp.cn" || f.LastModifyingUser.DisplayName != "张三" {
		t.Fatalf("after create: %+v %+v", f, f.LastModifyingUser)
	}
	last := f.Version
	step := func(what string, change func() error) {
		t.Helper()
		if err := change(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		f := get()
		if f.Version <= last {
			t.Fatalf("%s: version %d, want above %d", what, f.Version, last)
		}
		last = f.Version
	}
	batch := func(reqs ...*sheets.Request) func() error {
		return func() error {
			_, err := shs.Spreadsheets.BatchUpdate(id, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).Do()
			return err
		}
	}
	step("values.update", func() error {
		_, err := shs.Spreadsheets.Values.Update(id, "A1", &sheets.ValueRange{Values: [][]any{{"a"}}}).ValueInputOption("RAW").Do()
		return err
	})
	step("values.append", func() error {
		_, err := shs.Spreadsheets.Values.Append(id, "A1", &sheets.ValueRange{Values: [][]any{{"b"}}}).ValueInputOption("RAW").Do()
		return err
	})
	step("values.clear", func() error {
		_, err := shs.Spreadsheets.Values.Clear(id, "A2", &sheets.ClearValuesRequest{}).Do()
		return err
	})
	step("tab added", batch(&sheets.Request{AddSheet: &sheets.AddSheetRequest{Properties: &sheets.SheetProperties{Title: "Change Log"}}}))
	step("note", batch(&sheets.Request{UpdateCells: &sheets.UpdateCellsRequest{
		Range:  &sheets.GridRange{SheetId: 0, StartRowIndex: 0, EndRowIndex: 1, StartColumnIndex: 0, EndColumnIndex: 1},
		Rows:   []*sheets.RowData{{Values: []*sheets.CellData{{Note: "看这里"}}}},
		Fields: "note",
	}}))
	step("format", batch(&sheets.Request{RepeatCell: &sheets.RepeatCellRequest{
		Range:  &sheets.GridRange{SheetId: 0, StartRowIndex: 0, EndRowIndex: 1},
		Cell:   &sheets.CellData{UserEnteredFormat: &sheets.CellFormat{TextFormat: &sheets.TextFormat{Bold: true}}},
		Fields: "userEnteredFormat.textFormat.bold",
	}}))
	step("admin edit", func() error { return srv.SetValues(id, "Sheet1", [][]string{{"x"}}) })
	step("named editor", func() error { return srv.As("李四 <lisi@corp.cn>").SetValues(id, "Sheet1", [][]string{{"y"}}) })

	// A refused batch is atomic: nothing changed, so neither did the version.
	if err := batch(&sheets.Request{DeleteSheet: &sheets.DeleteSheetRequest{SheetId: 12345}})(); err == nil {
		t.Fatal("deleting a missing sheet succeeded")
	}
	if f := get(); f.Version != last {
		t.Fatalf("refused batch moved the version: %d -> %d", last, f.Version)
	}
	if f := get(); f.LastModifyingUser.EmailAddress != "lisi@corp.cn" {
		t.Fatalf("last editor %+v", f.LastModifyingUser)
	}

	changes, err := srv.Changes(id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, c := range changes {
		if c.Version != int64(i+1) {
			t.Errorf("change %d has version %d", i, c.Version)
		}
		got = append(got, c.Kind+" by "+c.User)
	}
	want := []string{
		"spreadsheets.create by " + zhang,
		"values.update by " + zhang,
		"values.append by " + zhang,
		"values.clear by " + zhang,
		"spreadsheets.batchUpdate by " + zhang,
		"spreadsheets.batchUpdate by " + zhang,
		"spreadsheets.batchUpdate by " + zhang,
		"admin.setValues by 管理员 <admin@corp.cn>",
		"admin.setValues by 李四 <lisi@corp.cn>",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

// TestDriveFilesGetWire checks the answers byte-level clients see: the
// default field set, version as a JSON string, and Drive's error envelopes.
func TestDriveFilesGetWire(t *testing.T) {
	srv := sheetstest.Start(t, sheetstest.Options{Now: func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }})
	if err := srv.CreateSpreadsheet("sid", "T"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		code       int
		want       string
	}{
		{"default fields", "files/sid?supportsAllDrives=true", 200,
			`{"id":"sid","kind":"drive#file","mimeType":"application/vnd.google-apps.spreadsheet","name":"T"}`},
		{"version is a string", "files/sid?fields=version,modifiedTime", 200,
			`{"modifiedTime":"2026-12-01T09:00:00.000Z","version":"1"}`},
		{"gspread's fields", "files/sid?fields=id%2Cname%2CcreatedTime%2CmodifiedTime", 200,
			`{"createdTime":"2026-12-01T09:00:00.000Z","id":"sid","modifiedTime":"2026-12-01T09:00:00.000Z","name":"T"}`},
		{"unknown field", "files/sid?fields=nope", 400,
			`{"error":{"code":400,"errors":[{"domain":"global","location":"fields","locationType":"parameter","message":"Invalid field selection nope","reason":"invalidParameter"}],"message":"Invalid field selection nope"}}`},
		{"unknown id", "files/nope?fields=version", 404,
			`{"error":{"code":404,"errors":[{"domain":"global","location":"fileId","locationType":"parameter","message":"File not found: nope.","reason":"notFound"}],"message":"File not found: nope."}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(srv.DriveURL() + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.code {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.code)
			}
			var got, want any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("%s: %v", body, err)
			}
			_ = json.Unmarshal([]byte(tt.want), &want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSharing: a spreadsheet is private to its creator until shared, through
// Drive permissions.create or the admin's Share; readers cannot write.
func TestSharing(t *testing.T) {
	ctx := context.Background()
	srv := sheetstest.Start(t, sheetstest.Options{Sharing: true})
	const owner, colleague = "owner@corp.cn", "李四 <lisi@corp.cn>"
	if err := srv.As(owner).CreateSpreadsheet("sid", "客户"); err != nil {
		t.Fatal(err)
	}
	ownerDrive, err := drive.NewService(ctx, option.WithEndpoint(srv.DriveURL()), asUser(srv, owner))
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := sheets.NewService(ctx, option.WithEndpoint(srv.URL()), asUser(srv, colleague))
	if err != nil {
		t.Fatal(err)
	}
	read := func() int {
		_, err := theirs.Spreadsheets.Values.Get("sid", "A1").Do()
		return codeOf(err)
	}
	write := func() int {
		_, err := theirs.Spreadsheets.Values.Update("sid", "A1", &sheets.ValueRange{Values: [][]any{{"x"}}}).ValueInputOption("RAW").Do()
		return codeOf(err)
	}
	if c := read(); c != 403 {
		t.Fatalf("unshared read: %d, want 403", c)
	}
	p, err := ownerDrive.Permissions.Create("sid", &drive.Permission{Type: "user", Role: "reader", EmailAddress: "lisi@corp.cn"}).Do()
	if err != nil || p.Role != "reader" || p.Type != "user" || p.Id == "" {
		t.Fatalf("permissions.create = %+v, %v", p, err)
	}
	if c, w := read(), write(); c != 200 || w != 403 {
		t.Fatalf("reader: read %d write %d, want 200 and 403", c, w)
	}
	if err := srv.Share("sid", colleague, "writer"); err != nil {
		t.Fatal(err)
	}
	if c := write(); c != 200 {
		t.Fatalf("writer's write: %d", c)
	}
	list, err := ownerDrive.Permissions.List("sid").Fields("permissions(type,role,emailAddress)").Do()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range list.Permissions {
		got = append(got, p.Type+" "+p.Role+" "+p.EmailAddress)
	}
	if diff := cmp.Diff([]string{"user owner owner@corp.cn", "user writer lisi@corp.cn"}, got); diff != "" {
		t.Errorf("permissions (-want +got):\n%s", diff)
	}
	if _, err := ownerDrive.Permissions.Create("sid", &drive.Permission{Type: "anyone", Role: "reader"}).Do(); err != nil {
		t.Fatal(err)
	}
	stranger, _ := sheets.NewService(ctx, option.WithEndpoint(srv.URL()), asUser(srv, "x@elsewhere.com"))
	if _, err := stranger.Spreadsheets.Get("sid").Do(); err != nil {
		t.Errorf("link-shared read: %v", err)
	}
}

// TestServiceDisabled answers as a project without the API enabled does.
func TestServiceDisabled(t *testing.T) {
	srv := sheetstest.Start(t, sheetstest.Options{Disabled: []string{"sheets"}})
	if err := srv.CreateSpreadsheet("sid", "T"); err != nil {
		t.Fatal(err)
	}
	svc, _ := sheets.NewService(context.Background(), option.WithEndpoint(srv.URL()), option.WithoutAuthentication())
	_, err := svc.Spreadsheets.Get("sid").Do()
	ge := apiErr(t, err)
	if ge.Code != 403 || !strings.Contains(ge.Message, "Google Sheets API has not been used in project") ||
		!strings.Contains(string(ge.Body), `"reason":"SERVICE_DISABLED"`) {
		t.Errorf("disabled API: %v %s", err, ge.Body)
	}
}

func codeOf(err error) int {
	if err == nil {
		return 200
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code
	}
	return -1
}

// TestAttribution reads who changed what through the real Drive v3
// revisions.list and Drive Activity v2 activity:query clients: every change
// names its editor, the time and action filters hold, and paging works.
func TestAttribution(t *testing.T) {
	ctx := context.Background()
	clock := &stepClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	srv := sheetstest.Start(t, sheetstest.Options{Now: clock.now, Sharing: true})
	const zhang, li, bot = "张三 <zhangsan@corp.cn>", "李四 <lisi@corp.cn>", "sheetaudit@p.iam.gserviceaccount.com"
	if err := srv.As(zhang).CreateSpreadsheet("sid", "客户"); err != nil { // 09:00:01
		t.Fatal(err)
	}
	for _, who := range []string{li, bot} {
		if err := srv.Share("sid", who, "writer"); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.As(li).SetValues("sid", "Sheet1", [][]string{{"a"}}); err != nil { // 09:00:04 (the shares were 02 and 03)
		t.Fatal(err)
	}
	botSheets, _ := sheets.NewService(ctx, option.WithEndpoint(srv.URL()), asUser(srv, bot))
	if _, err := botSheets.Spreadsheets.Values.Update("sid", "B1", &sheets.ValueRange{Values: [][]any{{"b"}}}).ValueInputOption("RAW").Do(); err != nil { // 09:00:05
		t.Fatal(err)
	}

	drv, _ := drive.NewService(ctx, option.WithEndpoint(srv.DriveURL()), asUser(srv, bot))
	revs, err := drv.Revisions.List("sid").Fields("revisions(id,modifiedTime,lastModifyingUser(displayName,emailAddress))").Do()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range revs.Revisions {
		got = append(got, r.Id+" "+r.ModifiedTime+" "+r.LastModifyingUser.DisplayName+" "+r.LastModifyingUser.EmailAddress)
	}
	want := []string{
		"1 2026-12-01T09:00:01.000Z 张三 zhangsan@corp.cn",
		"2 2026-12-01T09:00:02.000Z admin admin@example.com", // the two shares
		"3 2026-12-01T09:00:03.000Z admin admin@example.com",
		"4 2026-12-01T09:00:04.000Z 李四 lisi@corp.cn",
		"5 2026-12-01T09:00:05.000Z sheetaudit sheetaudit@p.iam.gserviceaccount.com",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("revisions (-want +got):\n%s", diff)
	}
	var pages []int
	for tok := ""; ; {
		page, err := drv.Revisions.List("sid").PageSize(2).PageToken(tok).Do()
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, len(page.Revisions))
		if tok = page.NextPageToken; tok == "" {
			break
		}
	}
	if diff := cmp.Diff([]int{2, 2, 1}, pages); diff != "" {
		t.Errorf("revision pages (-want +got):\n%s", diff)
	}

	act, err := driveactivity.NewService(ctx, option.WithEndpoint(srv.URL()), asUser(srv, bot))
	if err != nil {
		t.Fatal(err)
	}
	query := func(filter string, size int64, token string) *driveactivity.QueryDriveActivityResponse {
		t.Helper()
		resp, err := act.Activity.Query(&driveactivity.QueryDriveActivityRequest{
			ItemName: "items/sid", Filter: filter, PageSize: size, PageToken: token}).Do()
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	actors := func(resp *driveactivity.QueryDriveActivityResponse) (out []string) {
		for _, a := range resp.Activities {
			kind := "edit"
			if a.PrimaryActionDetail.Create != nil {
				kind = "create"
			}
			ku := a.Actors[0].User.KnownUser
			out = append(out, kind+" "+ku.PersonName+" "+fmt.Sprint(ku.IsCurrentUser))
		}
		return out
	}
	all := []string{
		"edit " + sheetstest.PersonName(bot) + " true",
		"edit " + sheetstest.PersonName(li) + " false",
		"create " + sheetstest.PersonName(zhang) + " false",
	}
	if diff := cmp.Diff(all, actors(query("detail.action_detail_case:(CREATE EDIT)", 0, ""))); diff != "" {
		t.Errorf("creates and edits, newest first (-want +got):\n%s", diff)
	}
	shares := query("detail.action_detail_case:PERMISSION_CHANGE", 0, "")
	if len(shares.Activities) != 2 {
		t.Fatalf("%d permission changes, want 2", len(shares.Activities))
	}
	added := shares.Activities[1].PrimaryActionDetail.PermissionChange.AddedPermissions[0]
	if added.Role != "EDITOR" || added.User.KnownUser.PersonName != sheetstest.PersonName(li) {
		t.Errorf("first share: %+v %+v", added, added.User)
	}
	window := `time > "2026-12-01T09:00:03Z" AND time <= 1796115605000 detail.action_detail_case:(EDIT)`
	if diff := cmp.Diff(all[:2], actors(query(window, 0, ""))); diff != "" {
		t.Errorf("edits in the window (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(all[2:], actors(query("-detail.action_detail_case:(EDIT PERMISSION_CHANGE)", 0, ""))); diff != "" {
		t.Errorf("no edits (-want +got):\n%s", diff)
	}
	p1 := query("detail.action_detail_case:(CREATE EDIT)", 2, "")
	p2 := query("detail.action_detail_case:(CREATE EDIT)", 2, p1.NextPageToken)
	if len(p1.Activities) != 2 || p1.NextPageToken == "" || len(p2.Activities) != 1 || p2.NextPageToken != "" {
		t.Errorf("paging: %d + %d activities, tokens %q %q", len(p1.Activities), len(p2.Activities), p1.NextPageToken, p2.NextPageToken)
	}
	if _, err := act.Activity.Query(&driveactivity.QueryDriveActivityRequest{ItemName: "items/sid", Filter: "time ~ 3"}).Do(); codeOf(err) != 400 {
		t.Errorf("bad filter: %v", err)
	}
}
