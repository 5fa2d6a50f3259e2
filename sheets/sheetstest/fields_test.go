package sheetstest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// TestFieldsOnEveryMethod: each method applies its fields mask to the
// answer, and a mask naming a field the answer lacks is Google's 400,
// refused before anything is written.
func TestFieldsOnEveryMethod(t *testing.T) {
	srv := sheetstest.Start(t, sheetstest.Options{})
	if err := srv.CreateSpreadsheet("sid", "T"); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetValues("sid", "Sheet1", [][]string{{"a", "b"}}); err != nil {
		t.Fatal(err)
	}
	base := srv.URL() + "v4/spreadsheets"
	tests := []struct {
		name, method, path, body string
		code                     int
		want                     string
	}{
		{"values.get", "GET", "/sid/values/A1:B1?fields=values", "", 200, `{"values":[["a","b"]]}`},
		{"values.batchGet", "GET", "/sid/values:batchGet?ranges=A1&fields=valueRanges.range", "", 200, `{"valueRanges":[{"range":"Sheet1!A1"}]}`},
		{"values.update", "PUT", "/sid/values/C1?valueInputOption=RAW&fields=updatedCells", `{"values":[["c"]]}`, 200, `{"updatedCells":1}`},
		{"values.append", "POST", "/sid/values/A1:append?valueInputOption=RAW&fields=updates(updatedRange)", `{"values":[["d"]]}`, 200, `{"updates":{"updatedRange":"Sheet1!A2"}}`},
		{"values.clear", "POST", "/sid/values/A2:clear?fields=clearedRange", `{}`, 200, `{"clearedRange":"Sheet1!A2"}`},
		{"values.batchClear", "POST", "/sid/values:batchClear?fields=spreadsheetId", `{"ranges":["A2"]}`, 200, `{"spreadsheetId":"sid"}`},
		{"values.batchUpdate", "POST", "/sid/values:batchUpdate?fields=totalUpdatedCells", `{"valueInputOption":"RAW","data":[{"range":"D1","values":[["e"]]}]}`, 200, `{"totalUpdatedCells":1}`},
		{"batchUpdate", "POST", "/sid:batchUpdate?fields=replies", `{"requests":[{"addSheet":{"properties":{"title":"X"}}}]}`, 200, ""},
		{"create", "POST", "?fields=properties.title", `{"properties":{"title":"新"}}`, 200, `{"properties":{"title":"新"}}`},
		{"unknown field on a read", "GET", "/sid/values/A1?fields=nope", "", 400,
			`{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"fields","description":"Error expanding 'fields' parameter. Cannot find matching fields for path 'nope'."}]}]}}`},
		{"unknown field on a write", "POST", "/sid:batchUpdate?fields=replies,nope.x", `{"requests":[{"addSheet":{"properties":{"title":"Y"}}}]}`, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, base+tt.path, strings.NewReader(tt.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.code {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.code, body)
			}
			if tt.want == "" {
				return
			}
			var got, want any
			_ = json.Unmarshal(body, &got)
			_ = json.Unmarshal([]byte(tt.want), &want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
	tabs, _ := srv.Tabs("sid")
	if diff := cmp.Diff([]string{"Sheet1", "X"}, tabs); diff != "" {
		t.Errorf("a refused mask still wrote (-want +got):\n%s", diff)
	}
}

// TestLegacyErrorFormat: with $.xgafv=1 the error carries the legacy
// errors[] array; without it, only code, message and status.
func TestLegacyErrorFormat(t *testing.T) {
	srv := sheetstest.Start(t, sheetstest.Options{})
	if err := srv.CreateSpreadsheet("sid", "T"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ query, want string }{
		{"", `{"error":{"code":400,"message":"Unable to parse range: Nope!A1","status":"INVALID_ARGUMENT"}}`},
		{"?$.xgafv=1", `{"error":{"code":400,"message":"Unable to parse range: Nope!A1","status":"INVALID_ARGUMENT",` +
			`"errors":[{"message":"Unable to parse range: Nope!A1","domain":"global","reason":"badRequest"}]}}`},
	} {
		resp, err := http.Get(srv.URL() + "v4/spreadsheets/sid/values/Nope%21A1" + tt.query)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var got, want any
		_ = json.Unmarshal(body, &got)
		_ = json.Unmarshal([]byte(tt.want), &want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.query, diff)
		}
	}
}
