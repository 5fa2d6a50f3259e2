package sheets

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

var (
	formattedCells = cellRender{other: cellString}
	typedCells     = cellRender{dropText: true, other: typedText}
)

// viaClient is what sheets read before decodeValueRanges: the body decoded
// by encoding/json into the client's type, each cell then rendered as
// ReadTab (cellString) or ReadTyped (typedText) did.
func viaClient(body []byte, render func(any) string) ([][][]string, error) {
	var resp sheets.BatchGetValuesResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	out := make([][][]string, len(resp.ValueRanges))
	for i, vr := range resp.ValueRanges {
		if vr == nil {
			continue
		}
		for _, row := range vr.Values {
			cells := make([]string, len(row))
			for j, v := range row {
				cells[j] = render(v)
			}
			out[i] = append(out[i], cells)
		}
	}
	return out, nil
}

// streamed collects what decodeValueRanges hands over, range by range.
func streamed(body []byte, render cellRender) ([][][]string, error) {
	var out [][][]string
	n, err := decodeValueRanges(bytes.NewReader(body), render, func(vr, y int, cells []string) bool {
		for len(out) <= vr {
			out = append(out, nil)
		}
		if y != len(out[vr]) {
			panic("rows out of order")
		}
		out[vr] = append(out[vr], append([]string{}, cells...))
		return true
	})
	if err != nil {
		return nil, err
	}
	for len(out) < n {
		out = append(out, nil)
	}
	return out, nil
}

// recordedBodies returns the recorded answers of values.get (wrapped as a
// one-range batchGet) and values.batchGet: the gspread samples in testdata
// and every such 200 response of the emulator's cassettes.
func recordedBodies(t *testing.T) map[string][]byte {
	t.Helper()
	bodies := map[string][]byte{}
	add := func(name, uri string, body []byte) {
		if !strings.Contains(uri, "values:batchGet") && !strings.HasPrefix(filepath.Base(name), "values_batchGet") {
			body = append(append([]byte(`{"spreadsheetId":"x","valueRanges":[`), body...), ']', '}')
		}
		bodies[name] = body
	}
	samples, err := filepath.Glob(filepath.Join("testdata", "values_*.json"))
	if err != nil || len(samples) == 0 {
		t.Fatalf("no samples in testdata: %v", err)
	}
	for _, p := range samples {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		add(p, "", b)
	}
	cassettes, err := filepath.Glob(filepath.Join("sheetstest", "testdata", "cassettes", "*.json.gz"))
	if err != nil || len(cassettes) == 0 {
		t.Fatalf("no cassettes: %v", err)
	}
	for _, p := range cassettes {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Interactions []struct {
				Request struct {
					Method string `json:"method"`
					URI    string `json:"uri"`
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
		err = json.NewDecoder(zr).Decode(&c)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for i, in := range c.Interactions {
			u := in.Request.URI
			if in.Request.Method != http.MethodGet || in.Response.Status.Code != http.StatusOK || !strings.Contains(u, "/values") {
				continue
			}
			add(p+"#"+string(rune('0'+i/10))+string(rune('0'+i%10)), u, []byte(in.Response.Body.String))
		}
	}
	return bodies
}

// edgeBodies are answers no recording holds but Sheets or a proxy may send.
var edgeBodies = map[string]string{
	"interior empty strings and rows":  `{"valueRanges":[{"values":[["a","","c"],[],["","","z"],[""]]}]}`,
	"missing values key":               `{"valueRanges":[{"range":"A!A1:B2","majorDimension":"ROWS"},{"values":[["x"]]}]}`,
	"null values, rows and cells":      `{"valueRanges":[{"values":null},{"values":[null,["a",null,"b"]]},null]}`,
	"escapes and surrogate pairs":      `{"valueRanges":[{"values":[["tab\there","\"q\"","\u00e9\ud83c\udf35","\/","a\\b\nc"]]}]}`,
	"invalid UTF-8 and lone surrogate": "{\"valueRanges\":[{\"values\":[[\"bad \xff byte\",\"\\ud800\",\"ok\"]]}]}",
	"numbers and booleans":             `{"valueRanges":[{"values":[[1,2.5,-0.125,1e21,46327.75,true,false,"7"]]}]}`,
	"other keys, other case":           `{"Kind":{"a":[1,{"b":null}]},"VALUERANGES":[{"VALUES":[["x"]],"extra":[[["deep"]]]}],"spreadsheetId":"s"}`,
	"nested cell values":               `{"valueRanges":[{"values":[[["a"],{"b":1},"c"]]}]}`,
	"no value ranges":                  `{"spreadsheetId":"s"}`,
	"empty value ranges":               `{"valueRanges":[]}`,
	"top-level null":                   `null`,
	"whitespace everywhere":            " {\n \"valueRanges\" : [ { \"values\" : [ [ \"a\" , 1 ] ] } ] } \n",
}

func TestDecodeValueRangesMatchesEncodingJSON(t *testing.T) {
	bodies := recordedBodies(t)
	recorded := len(bodies)
	for name, b := range edgeBodies {
		bodies["edge: "+name] = []byte(b)
	}
	t.Logf("%d recorded bodies, %d edge cases", recorded, len(bodies)-recorded)
	for name, body := range bodies {
		for _, mode := range []struct {
			name   string
			render cellRender
		}{{"formatted", formattedCells}, {"typed", typedCells}} {
			want, err := viaClient(body, mode.render.other)
			if err != nil {
				t.Fatalf("%s: encoding/json: %v", name, err)
			}
			got, err := streamed(body, mode.render)
			if err != nil {
				t.Errorf("%s, %s: %v", name, mode.name, err)
				continue
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s, %s: mismatch (-encoding/json +streamed):\n%s", name, mode.name, diff)
			}
		}
	}
}

func TestDecodeValueRangesMalformed(t *testing.T) {
	tests := []struct {
		name, body string
		truncated  bool // io.ErrUnexpectedEOF, so that the read is retried
	}{
		{"empty body", "", true},
		{"HTML error page", "<html><body>502</body></html>", false},
		{"top level array", `[{"values":[["a"]]}]`, false},
		{"top level string", `"valueRanges"`, false},
		{"value ranges not an array", `{"valueRanges":"x"}`, false},
		{"value range not an object", `{"valueRanges":[1]}`, false},
		{"values not an array", `{"valueRanges":[{"values":"x"}]}`, false},
		{"row not an array", `{"valueRanges":[{"values":["a"]}]}`, false},
		{"row an object", `{"valueRanges":[{"values":[{"a":1}]}]}`, false},
		{"trailing comma", `{"valueRanges":[{"values":[["a",]]}]}`, false},
		{"missing colon", `{"valueRanges" [{"values":[["a"]]}]}`, false},
		{"unquoted key", `{valueRanges:[]}`, false},
		{"control character in string", "{\"valueRanges\":[{\"values\":[[\"a\x01b\"]]}]}", false},
		{"bad escape", `{"valueRanges":[{"values":[["a\qb"]]}]}`, false},
		{"number out of range", `{"valueRanges":[{"values":[[1e400]]}]}`, false},
		{"data after the object", `{"valueRanges":[]} {}`, false},
		{"garbage after the object", `{"valueRanges":[]}x`, false},
		{"cut in a row", `{"valueRanges":[{"values":[["a","b`, true},
		{"cut between rows", `{"valueRanges":[{"values":[["a"],`, true},
		{"cut after a range", `{"valueRanges":[{"values":[["a"]]}`, true},
		{"cut before the end", `{"valueRanges":[]`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := streamed([]byte(tt.body), formattedCells)
			if err == nil {
				t.Fatal("decoded without error")
			}
			if !strings.HasPrefix(err.Error(), "decode values.batchGet response at byte ") {
				t.Errorf("error %q does not say what failed where", err)
			}
			if got := errors.Is(err, io.ErrUnexpectedEOF); got != tt.truncated {
				t.Errorf("errors.Is(%v, io.ErrUnexpectedEOF) = %v, want %v", err, got, tt.truncated)
			}
		})
	}
}

// TestDecodeValueRangesMangled cuts and flips bytes of a recorded answer:
// the decoder must never panic, must fail on every cut, and must agree with
// encoding/json on whether a mangled body is valid and what it holds.
func TestDecodeValueRangesMangled(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "values_batchGet_two_ranges.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(body) - 1 {
		if _, err := streamed(body[:i], formattedCells); err == nil {
			t.Errorf("body cut to %d of %d bytes decoded without error", i, len(body))
		}
	}
	rng := rand.New(rand.NewPCG(7, 11))
	const alphabet = `{}[]",:0123456789.eE+-\ntfalsenulvVRx ` + "\x00\xff"
	agreed := 0
	for range 3000 {
		m := bytes.Clone(body)
		for range 1 + rng.IntN(3) {
			m[rng.IntN(len(m))] = alphabet[rng.IntN(len(alphabet))]
		}
		want, werr := viaClient(m, cellString)
		got, gerr := streamed(m, formattedCells)
		if (werr == nil) != (gerr == nil) {
			t.Errorf("body %q: encoding/json error %v, streamed error %v", m, werr, gerr)
			continue
		}
		if werr == nil {
			agreed++
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("body %q: mismatch (-encoding/json +streamed):\n%s", m, diff)
			}
		}
	}
	t.Logf("%d of 3000 mangled bodies were valid and decoded alike", agreed)
}

func TestDecodeValueRangesStops(t *testing.T) {
	body := []byte(`{"valueRanges":[{"values":[["a"],["b"]]},{"values":[["c"]]}]} trailing garbage`)
	var seen []string
	n, err := decodeValueRanges(bytes.NewReader(body), formattedCells, func(vr, y int, cells []string) bool {
		seen = append(seen, cells...)
		return vr == 0
	})
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, seen); diff != "" {
		t.Errorf("rows seen (-want +got):\n%s", diff)
	}
	if n != 2 {
		t.Errorf("ranges = %d, want 2 (stopped in the second)", n)
	}
}

// TestReadTabBatchGetFaults checks the streamed read keeps the client's
// failure handling: a body cut mid-way is retried without duplicating the
// rows it delivered, and an HTTP error becomes a *googleapi.Error that is
// retried, counted and translated as before.
func TestReadTabBatchGetFaults(t *testing.T) {
	data := [][]string{{"id", "name"}, {"1", "Ann"}, {}, {"3", "Cy", "extra"}}
	for i := 4; i < 40; i++ {
		data = append(data, []string{"n", strings.Repeat("x", i)})
	}
	onlyBatchGet := func(kind string) bool { return kind == "values.batchGet" }

	t.Run("cut then quota", func(t *testing.T) {
		// The emulator's FaultCut sends no rows before it cuts; the
		// transport cuts a real answer after some rows instead.
		faults := &sheetstest.Faults{Sequence: seq(sheetstest.FaultNone, sheetstest.FaultQuota), Match: onlyBatchGet}
		srv := startBook(t, sheetstest.Options{Faults: faults}, map[string][][]string{"Data": data})
		c, m := newClock(), &counters{}
		ct := &cutTransport{cuts: 1, after: 600}
		wb := openBook(t, srv, Options{Retry: Retry{Sleep: c.Sleep, Jitter: maxJitter}, Now: c.Now, Metrics: m, PageRows: 7,
			HTTPClient: &http.Client{Transport: ct}})
		tab, err := wb.ReadTab(context.Background(), "Data")
		if err != nil {
			t.Fatalf("ReadTab: %v", err)
		}
		if diff := cmp.Diff(data, tab.Values, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("values mismatch (-want +got):\n%s", diff)
		}
		// spreadsheets.get, then the first batchGet cut (no status) and
		// refused, then every other block of the 1000-row grid at once.
		want := []int{200, 0, 429}
		for range len(m.codes) - len(want) {
			want = append(want, 200)
		}
		if diff := cmp.Diff(want, m.codes); diff != "" || len(m.codes) < 4 {
			t.Errorf("metric codes mismatch (-want +got):\n%s", diff)
		}
		if got := m.retries["values.batchGet"]; got != 2 {
			t.Errorf("retries of values.batchGet = %d, want 2", got)
		}
		if ct.delivered < 100 || !strings.Contains(ct.sent, `["1","Ann"]`) {
			t.Errorf("the cut answer delivered %q, want rows", ct.sent)
		}
	})

	t.Run("server error", func(t *testing.T) {
		faults := &sheetstest.Faults{Sequence: seq(sheetstest.Fault500), Match: onlyBatchGet}
		srv := startBook(t, sheetstest.Options{Faults: faults}, map[string][][]string{"Data": data})
		wb := openBook(t, srv, Options{Retry: Retry{MaxAttempts: 1}})
		_, err := wb.ReadTab(context.Background(), "Data")
		if !errors.Is(err, audit.ErrUnavailable) {
			t.Errorf("ReadTab error %v, want ErrUnavailable", err)
		}
		var gerr *googleapi.Error
		if !errors.As(err, &gerr) || gerr.Code != http.StatusInternalServerError || gerr.Message == "" {
			t.Errorf("ReadTab error %v, want a *googleapi.Error 500 with Google's message", err)
		}
	})
}

// cutTransport cuts the body of the first cuts values.batchGet answers
// after after bytes, as a dropped connection does.
type cutTransport struct {
	cuts, after int
	delivered   int
	sent        string
}

func (ct *cutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || ct.cuts == 0 || !strings.HasSuffix(req.URL.Path, "values:batchGet") {
		return res, err
	}
	ct.cuts--
	b, err := io.ReadAll(io.LimitReader(res.Body, int64(ct.after)))
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	ct.delivered, ct.sent = len(b), string(b)
	res.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), errReader{io.ErrUnexpectedEOF}))
	return res, nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
