package sheetstest_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
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

// supportedBatchKinds are the spreadsheets.batchUpdate requests the
// emulator implements; a recorded request of another kind is skipped and,
// because the live sheet then holds state the emulator lacks, so is the rest
// of that spreadsheet's session.
var supportedBatchKinds = map[string]bool{
	"addSheet": true, "deleteSheet": true, "updateSheetProperties": true, "updateCells": true,
	"repeatCell": true, "insertDimension": true, "deleteDimension": true, "appendDimension": true,
	"updateSpreadsheetProperties": true,
}

var spreadsheetPath = regexp.MustCompile(`^/v4/spreadsheets/([^/:?]+)`)

// knownDifferences lists recorded interactions the emulator answers
// differently on purpose, keyed "cassette#index", with the reason.
var knownDifferences = map[string]string{
	"ClientTest.test_access_private_spreadsheet#3": "the emulator has no sharing model: a spreadsheet the caller " +
		"cannot see does not exist for it, so it answers 404 NOT_FOUND where Google answers 403 PERMISSION_DENIED",
}

// TestReplayGspreadCassettes replays sessions gspread recorded against the
// live API (testdata/SOURCES.md) and requires Google's answers, ids aside.
func TestReplayGspreadCassettes(t *testing.T) {
	files, err := filepath.Glob("testdata/cassettes/*.json.gz")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cassettes: %v", err)
	}
	var replayed, matched, skippedDrive, skippedKind, skippedDiverged, known int
	var failures []string
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json.gz")
		c := readCassette(t, file)
		srv := sheetstest.Start(t, sheetstest.Options{})
		diverged := map[string]bool{}
		recToEmu, emuToRec := map[float64]float64{}, map[float64]float64{}
		for i, it := range c.Interactions {
			rq, rs := it.Request, it.Response
			if strings.Contains(rq.URI, "googleapis.com/drive/") {
				// Drive creates the spreadsheet in gspread's sessions; mirror
				// that with the emulator's direct API, answer the rest never.
				if rq.Method == "POST" && (strings.Contains(rq.URI, "/drive/v3/files?") || strings.Contains(rq.URI, "/copy?")) && rs.Status.Code == 200 {
					var f struct{ ID, Name string }
					if err := json.Unmarshal([]byte(rs.Body.String), &f); err == nil && f.ID != "" {
						if err := srv.CreateSpreadsheet(f.ID, f.Name); err != nil {
							t.Fatal(err)
						}
					}
				}
				skippedDrive++
				continue
			}
			path := strings.TrimPrefix(rq.URI, "https://sheets.googleapis.com")
			id := ""
			if m := spreadsheetPath.FindStringSubmatch(path); m != nil {
				id = m[1]
			}
			if diverged[id] {
				skippedDiverged++
				continue
			}
			body := rq.Body
			if rq.Method == "POST" && strings.HasSuffix(strings.SplitN(path, "?", 2)[0], ":batchUpdate") && !strings.Contains(path, "/values") {
				var b struct{ Requests []map[string]any }
				_ = json.Unmarshal([]byte(body), &b)
				ok := true
				for _, r := range b.Requests {
					for k, v := range r {
						ok = ok && supportedBatchKinds[k]
						// Cell formats are not modelled.
						if m, _ := v.(map[string]any); m != nil {
							f, _ := m["fields"].(string)
							ok = ok && !strings.Contains(f, "Format")
						}
					}
				}
				if !ok {
					skippedKind++
					diverged[id] = true
					continue
				}
				body = mapSheetIDs(t, body, recToEmu)
			}
			req, err := http.NewRequest(rq.Method, strings.TrimSuffix(srv.URL(), "/")+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			replayed++
			key := name + "#" + itoa(i)
			want := decodeJSON(rs.Body.String)
			have := decodeJSON(string(got))
			learnSheetIDs(want, have, recToEmu, emuToRec)
			have = renameSheetIDs(have, emuToRec)
			if diff := cmp.Diff(want, have); diff != "" || resp.StatusCode != rs.Status.Code {
				if reason, ok := knownDifferences[key]; ok {
					known++
					t.Logf("%s: known difference: %s", key, reason)
					continue
				}
				failures = append(failures, key+" "+rq.Method+" "+path+"\n"+
					"status "+itoa(resp.StatusCode)+" want "+itoa(rs.Status.Code)+"\n"+diff)
				continue
			}
			matched++
		}
	}
	t.Logf("cassettes %d: replayed %d, matched %d, known differences %d; skipped: drive %d, unsupported batchUpdate kinds %d, after divergence %d",
		len(files), replayed, matched, known, skippedDrive, skippedKind, skippedDiverged)
	sort.Strings(failures)
	for i, f := range failures {
		if i >= 40 {
			t.Errorf("... and %d more", len(failures)-i)
			break
		}
		t.Errorf("mismatch %s", f)
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

// learnSheetIDs pairs the sheet ids of addSheet replies: Google draws them
// at random, so the recorded and emulated ids differ.
func learnSheetIDs(want, have any, recToEmu, emuToRec map[float64]float64) {
	w, _ := want.(map[string]any)
	h, _ := have.(map[string]any)
	wr, _ := w["replies"].([]any)
	hr, _ := h["replies"].([]any)
	for i := range min(len(wr), len(hr)) {
		ws := sheetIDOf(wr[i])
		hs := sheetIDOf(hr[i])
		if ws != nil && hs != nil {
			recToEmu[*ws] = *hs
			emuToRec[*hs] = *ws
		}
	}
}

func sheetIDOf(reply any) *float64 {
	m, _ := reply.(map[string]any)
	a, _ := m["addSheet"].(map[string]any)
	p, _ := a["properties"].(map[string]any)
	if v, ok := p["sheetId"].(float64); ok {
		return &v
	}
	return nil
}

// renameSheetIDs rewrites every "sheetId" through m.
func renameSheetIDs(v any, m map[float64]float64) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if f, ok := x.(float64); ok && k == "sheetId" {
				if r, ok := m[f]; ok {
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

func mapSheetIDs(t *testing.T, body string, recToEmu map[float64]float64) string {
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
