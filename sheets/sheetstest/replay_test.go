package sheetstest_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// cassette is a vcrpy recording as gspread stores it.
type cassette struct {
	Interactions []struct {
		Request struct {
			Method string `json:"method"`
			URI    string `json:"uri"`
			Body   string `json:"body"`
		} `json:"request"`
		Response struct {
			Status struct {
				Code int `json:"code"`
			} `json:"status"`
			Body struct {
				String string `json:"string"`
			} `json:"body"`
		} `json:"response"`
	} `json:"interactions"`
}

var updateGolden = flag.Bool("update", false, "rewrite testdata goldens")

// engineKinds are the batchUpdate requests beyond plain tab and value
// edits; a cassette using any of them, or cell formats, counts as a
// formatting/engine session, the others as core.
var engineKinds = map[string]bool{
	"mergeCells": true, "unmergeCells": true, "sortRange": true, "updateDimensionProperties": true,
	"addNamedRange": true, "updateNamedRange": true, "deleteNamedRange": true, "setBasicFilter": true,
	"clearBasicFilter": true, "addDimensionGroup": true, "deleteDimensionGroup": true,
	"addProtectedRange": true, "deleteProtectedRange": true, "autoResizeDimensions": true,
	"copyPaste": true, "cutPaste": true, "setDataValidation": true, "repeatCell": true,
}

// Replay thresholds: the share of recorded Sheets and Drive files.get
// answers the emulator must reproduce exactly (status and whole JSON body,
// ids and timestamps aside).
const (
	minCoreShare   = 0.99
	minEngineShare = 0.95
)

var spreadsheetPath = regexp.MustCompile(`^/v4/spreadsheets/([^/:?]+)`)

// replayAccount is the service account gspread recorded with; the replay
// acts as it, so spreadsheets it did not create are not visible to it.
const replayAccount = "telegram-budgeter@telegram-budgeter.iam.gserviceaccount.com"

// TestReplayGspreadCassettes replays every session gspread recorded against
// the live API (testdata/SOURCES.md) and compares each answer with Google's,
// status and whole body, ids and timestamps aside. Drive calls the emulator
// does not serve are mirrored through its direct API where they create
// state and listed in testdata/replay-skips.txt with the reason.
func TestReplayGspreadCassettes(t *testing.T) {
	files, err := filepath.Glob("testdata/cassettes/*.json.gz")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cassettes: %v", err)
	}
	type tally struct{ same, differs int }
	var core, engine tally
	var skips, failures []string
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json.gz")
		c := readCassette(t, file)
		isEngine := usesEngine(c)
		count := &core
		if isEngine {
			count = &engine
		}
		srv := sheetstest.Start(t, sheetstest.Options{Sharing: true})
		token := "Bearer " + srv.TokenFor(replayAccount)
		// A spreadsheet the session reads but never created is someone
		// else's: create it for another owner so the caller gets Google's 403.
		for _, id := range foreignSpreadsheets(c) {
			if err := srv.As("someone-else@example.com").CreateSpreadsheet(id, "private"); err != nil {
				t.Fatal(err)
			}
		}
		recToEmu, emuToRec := map[any]any{}, map[any]any{}
		outside := map[string]bool{}  // listed by Drive, made before the session
		imported := map[string]bool{} // rewritten by a Drive CSV upload
		for i, it := range c.Interactions {
			rq, rs := it.Request, it.Response
			key := name + "#" + itoa(i)
			u, err := url.Parse(rq.URI)
			if err != nil {
				t.Fatal(err)
			}
			if id := fileID(u); outside[id] {
				skips = append(skips, key+" "+rq.Method+" "+u.Host+u.EscapedPath()+": spreadsheet made outside the session (found by Drive files.list)")
				continue
			} else if imported[id] && rq.Method != "DELETE" {
				skips = append(skips, key+" "+rq.Method+" "+u.Host+u.EscapedPath()+": reads a spreadsheet rewritten by a Drive CSV import (not served)")
				continue
			}
			if u.EscapedPath() == "/drive/v3/files" && rq.Method == "GET" {
				var list struct{ Files []struct{ ID string } }
				_ = json.Unmarshal([]byte(rs.Body.String), &list)
				for _, f := range list.Files {
					if _, err := srv.Version(f.ID); err != nil {
						outside[f.ID] = true
					}
				}
			}
			path := u.EscapedPath()
			if u.RawQuery != "" {
				path += "?" + u.RawQuery
			}
			if u.Host != "sheets.googleapis.com" {
				if reason := mirrorDrive(t, srv, rq.Method, u, rs.Status.Code, rs.Body.String); reason != "" {
					skips = append(skips, key+" "+rq.Method+" "+u.Host+u.EscapedPath()+": "+reason)
					if strings.HasPrefix(u.EscapedPath(), "/upload/") {
						// Drive replaced the spreadsheet with the imported
						// file; what follows reads state the emulator lacks.
						imported[fileID(u)] = true
					}
					continue
				}
				path = "/drive/v3/" + strings.TrimPrefix(path, "/drive/v3/")
			}
			body := rq.Body
			if rq.Method == "POST" && strings.Contains(path, ":batchUpdate") && !strings.Contains(path, "/values") {
				body = mapSheetIDs(t, body, recToEmu)
			}
			req, err := http.NewRequest(rq.Method, strings.TrimSuffix(srv.URL(), "/")+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", token)
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := decodeJSON(rs.Body.String)
			have := decodeJSON(string(got))
			learnSheetIDs(want, have, recToEmu, emuToRec)
			have = renameSheetIDs(have, emuToRec)
			dropTimes(want)
			dropTimes(have)
			if diff := cmp.Diff(want, have); diff != "" || resp.StatusCode != rs.Status.Code {
				count.differs++
				failures = append(failures, key+" "+rq.Method+" "+path+"\n"+
					"status "+itoa(resp.StatusCode)+" want "+itoa(rs.Status.Code)+"\n"+diff)
				continue
			}
			count.same++
		}
	}
	share := func(c tally) float64 { return float64(c.same) / float64(max(1, c.same+c.differs)) }
	t.Logf("cassettes %d; core: same %d, differs %d (%.1f %%); formatting/engine: same %d, differs %d (%.1f %%); skipped %d (testdata/replay-skips.txt)",
		len(files), core.same, core.differs, 100*share(core), engine.same, engine.differs, 100*share(engine), len(skips))
	checkGolden(t, "testdata/replay-skips.txt", strings.Join(skips, "\n")+"\n")
	sort.Strings(failures)
	for i, f := range failures {
		if i >= 20 && os.Getenv("REPLAY_ALL") == "" {
			t.Logf("... and %d more", len(failures)-i)
			break
		}
		t.Logf("differs: %s", f)
	}
	if share(core) < minCoreShare || share(engine) < minEngineShare {
		t.Errorf("replay below threshold: core %.1f %% (want %.0f %%), formatting/engine %.1f %% (want %.0f %%)",
			100*share(core), 100*minCoreShare, 100*share(engine), 100*minEngineShare)
	}
}

var driveFilePath = regexp.MustCompile(`^(?:/upload)?/drive/v[23]/files/([^/?]+)`)

// fileID is the spreadsheet or Drive file a recorded call addresses.
func fileID(u *url.URL) string {
	if m := spreadsheetPath.FindStringSubmatch(u.EscapedPath()); m != nil {
		return m[1]
	}
	if m := driveFilePath.FindStringSubmatch(u.EscapedPath()); m != nil {
		return m[1]
	}
	return ""
}

// usesEngine tells whether a session uses engine request kinds or formats.
func usesEngine(c cassette) bool {
	for _, it := range c.Interactions {
		b := it.Request.Body
		var body struct{ Requests []map[string]json.RawMessage }
		if json.Unmarshal([]byte(b), &body) == nil {
			for _, r := range body.Requests {
				for k := range r {
					if engineKinds[k] {
						return true
					}
				}
			}
		}
		if strings.Contains(b, "Format") || strings.Contains(it.Request.URI, "Format") {
			return true
		}
	}
	return false
}

// foreignSpreadsheets lists ids the session reads without creating them.
func foreignSpreadsheets(c cassette) []string {
	made := map[string]bool{}
	var out []string
	for _, it := range c.Interactions {
		var f struct{ ID string }
		if strings.Contains(it.Request.URI, "/drive/") && it.Request.Method == "POST" {
			_ = json.Unmarshal([]byte(it.Response.Body.String), &f)
			made[f.ID] = true
		}
		u, _ := url.Parse(it.Request.URI)
		if m := spreadsheetPath.FindStringSubmatch(u.EscapedPath()); m != nil && !made[m[1]] && it.Response.Status.Code == 403 {
			made[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// mirrorDrive handles a recorded Drive call: files.get is replayed (it
// returns ""); calls that create state the emulator cannot be asked for
// over HTTP are mirrored through its direct API; the reason for not
// replaying is returned.
func mirrorDrive(t *testing.T, srv *sheetstest.Server, method string, u *url.URL, code int, body string) string {
	t.Helper()
	p := u.EscapedPath()
	var f struct{ ID, Name, MimeType string }
	_ = json.Unmarshal([]byte(body), &f)
	switch {
	case u.Host == "www.googleapis.com" && method == "GET" && regexp.MustCompile(`^/drive/v3/files/[^/]+$`).MatchString(p):
		return ""
	case method == "POST" && p == "/drive/v3/files" && code == 200:
		if err := srv.As(replayAccount).CreateSpreadsheet(f.ID, f.Name); err != nil {
			t.Fatal(err)
		}
		return "Drive files.create (the spreadsheet is made through the emulator's direct API with the recorded id)"
	case method == "POST" && strings.HasSuffix(p, "/copy") && code == 200:
		src := strings.TrimSuffix(strings.TrimPrefix(p, "/drive/v3/files/"), "/copy")
		if err := srv.As(replayAccount).CopySpreadsheet(src, f.ID, f.Name); err != nil {
			t.Fatal(err)
		}
		return "Drive files.copy (copied through the emulator's direct API with the recorded id)"
	case method == "DELETE":
		return "Drive files.delete (the session's clean-up; the emulator keeps the spreadsheet)"
	case strings.HasSuffix(p, "/comments"):
		return "Drive comments.list (comments are not modelled)"
	case strings.HasSuffix(p, "/export"):
		return "Drive files.export (CSV export is not served)"
	case strings.HasPrefix(p, "/upload/drive/"):
		return "Drive v2 media upload with CSV conversion (not served)"
	case p == "/drive/v3/files" && method == "GET":
		return "Drive files.list (listing the caller's files is not served)"
	}
	return "Drive call not served"
}

// dropTimes removes Drive timestamps, which no replay can reproduce.
func dropTimes(v any) {
	if m, ok := v.(map[string]any); ok {
		delete(m, "createdTime")
		delete(m, "modifiedTime")
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s is stale (go test -run Replay -update rewrites it) (-file +now):\n%s", path, diff)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func readCassette(t *testing.T, file string) cassette {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var c cassette
	if err := json.NewDecoder(zr).Decode(&c); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return c
}

func decodeJSON(s string) any {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return "unparseable: " + s
	}
	return v
}

// learnSheetIDs pairs the ids in batchUpdate replies (sheets, named and
// protected ranges): Google draws them at random, so the recorded and
// emulated ids differ.
func learnSheetIDs(want, have any, recToEmu, emuToRec map[any]any) {
	w, _ := want.(map[string]any)
	h, _ := have.(map[string]any)
	wr, _ := w["replies"].([]any)
	hr, _ := h["replies"].([]any)
	for i := range min(len(wr), len(hr)) {
		pairIDs(wr[i], hr[i], recToEmu, emuToRec)
	}
}

var idKeys = map[string]bool{"sheetId": true, "namedRangeId": true, "protectedRangeId": true}

func pairIDs(w, h any, recToEmu, emuToRec map[any]any) {
	wm, ok1 := w.(map[string]any)
	hm, ok2 := h.(map[string]any)
	if !ok1 || !ok2 {
		return
	}
	for k, wv := range wm {
		hv, ok := hm[k]
		if !ok {
			continue
		}
		if idKeys[k] {
			recToEmu[wv], emuToRec[hv] = hv, wv
			continue
		}
		pairIDs(wv, hv, recToEmu, emuToRec)
	}
}

// renameSheetIDs rewrites every id field through m.
func renameSheetIDs(v any, m map[any]any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if idKeys[k] {
				if r, ok := m[x]; ok {
					t[k] = r
				}
				continue
			}
			t[k] = renameSheetIDs(x, m)
		}
	case []any:
		for i, x := range t {
			t[i] = renameSheetIDs(x, m)
		}
	}
	return v
}

func mapSheetIDs(t *testing.T, body string, recToEmu map[any]any) string {
	t.Helper()
	if len(recToEmu) == 0 {
		return body
	}
	v := renameSheetIDs(decodeJSON(body), recToEmu)
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
