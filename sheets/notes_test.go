package sheets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// bodyRecorder keeps the bodies of the batchUpdate requests that pass
// through it, so a test can check what was asked of Sheets, not only what
// the emulator models.
type bodyRecorder struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (b *bodyRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && strings.HasSuffix(r.URL.Path, ":batchUpdate") {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		_ = r.Body.Close()
		b.mu.Lock()
		b.bodies = append(b.bodies, body)
		b.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return http.DefaultTransport.RoundTrip(r)
}

// requests decodes every recorded batchUpdate request as raw JSON objects.
func (b *bodyRecorder) requests(t *testing.T) []map[string]json.RawMessage {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]json.RawMessage
	for _, body := range b.bodies {
		var req struct {
			Requests []map[string]json.RawMessage `json:"requests"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			t.Fatalf("decode batchUpdate body: %v", err)
		}
		out = append(out, req.Requests...)
	}
	return out
}

func TestNotesRoundTrip(t *testing.T) {
	data := [][]string{
		{"客户编号", "客户名称", "联系方式"},
		{"C00001", "华东机电", "138-0000-0000"},
		{"C0002", "", "not a phone"},
		{"C00003", "Acme", "+86 10 1234 5678"},
	}
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": data, "Other": {{"x"}}})
	rec := &bodyRecorder{}
	wb := openBook(t, srv, Options{HTTPClient: &http.Client{Transport: rec}})
	ctx := context.Background()

	// A person's own note, which sheetaudit must leave alone.
	if err := wb.SetNotes(ctx, "Data", map[string]string{"B1": "the legal name"}); err != nil {
		t.Fatal(err)
	}
	before, err := srv.Values(testID, "Data")
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]string{
		"A3": "客户编号 must look like C12345",
		"B3": "客户名称 is required",
		"c3": "联系方式: expected a mobile or landline number",
	}
	if err := wb.SetNotes(ctx, "Data", set); err != nil {
		t.Fatalf("SetNotes: %v", err)
	}
	got, err := wb.Notes(ctx, "Data")
	if err != nil {
		t.Fatalf("Notes: %v", err)
	}
	want := map[string]string{
		"B1": "the legal name",
		"A3": "客户编号 must look like C12345",
		"B3": "客户名称 is required",
		"C3": "联系方式: expected a mobile or landline number",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notes after set mismatch (-want +got):\n%s", diff)
	}

	// B3 fixed: its note goes, the others stay.
	if err := wb.SetNotes(ctx, "data", map[string]string{"B3": ""}); err != nil {
		t.Fatalf("SetNotes(remove): %v", err)
	}
	got, err = wb.Notes(ctx, "Data")
	if err != nil {
		t.Fatal(err)
	}
	delete(want, "B3")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notes after removal mismatch (-want +got):\n%s", diff)
	}
	if other, _ := wb.Notes(ctx, "Other"); len(other) != 0 {
		t.Errorf("notes of another tab = %v, want none", other)
	}

	after, err := srv.Values(testID, "Data")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("values changed by notes (-before +after):\n%s", diff)
	}
	// The emulator keeps no formats, so check the wire: every request is an
	// updateCells that names the note field alone and carries no value or
	// format.
	reqs := rec.requests(t)
	if len(reqs) != 5 {
		t.Fatalf("sent %d requests, want 5 (1 + 3 + 1 cells)", len(reqs))
	}
	for i, r := range reqs {
		raw, ok := r["updateCells"]
		if !ok || len(r) != 1 {
			t.Fatalf("request %d = %s, want updateCells only", i, r)
		}
		var uc struct {
			Fields string
			Rows   []struct{ Values []map[string]any }
		}
		if err := json.Unmarshal(raw, &uc); err != nil {
			t.Fatal(err)
		}
		if uc.Fields != "note" || len(uc.Rows) != 1 || len(uc.Rows[0].Values) != 1 {
			t.Errorf("request %d = %s, want fields \"note\" on one cell", i, raw)
			continue
		}
		for k := range uc.Rows[0].Values[0] {
			if k != "note" {
				t.Errorf("request %d sets %q, want note only", i, k)
			}
		}
	}
}

func TestSetNotesBatches(t *testing.T) {
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": {{"id"}}})
	if err := srv.SetValues(testID, "Data", make([][]string, 2600)); err != nil {
		t.Fatal(err)
	}
	wb := openBook(t, srv, Options{})
	notes := map[string]string{}
	for r := range 2500 {
		notes[fmt.Sprintf("A%d", r+2)] = fmt.Sprintf("row %d", r+2)
	}
	before := countKind(srv, "spreadsheets.batchUpdate")
	if err := wb.SetNotes(context.Background(), "Data", notes); err != nil {
		t.Fatal(err)
	}
	if got, want := countKind(srv, "spreadsheets.batchUpdate")-before, 3; got != want {
		t.Errorf("batchUpdate calls for 2,500 notes = %d, want %d", got, want)
	}
	got, err := srv.Notes(testID, "Data")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(notes, got); diff != "" {
		t.Errorf("notes mismatch (-want +got):\n%.1000s", diff)
	}
}

func TestSetNotesErrors(t *testing.T) {
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": {{"id"}}})
	wb := openBook(t, srv, Options{})
	ctx := context.Background()
	tests := []struct {
		name  string
		tab   string
		notes map[string]string
		want  error // nil: succeeds
	}{
		{"bad cell name", "Data", map[string]string{"7B": "x"}, audit.ErrInvalid},
		{"row zero", "Data", map[string]string{"A0": "x"}, audit.ErrInvalid},
		{"note beyond the grid", "Data", map[string]string{"A5000": "x"}, audit.ErrInvalid},
		{"removal beyond the grid", "Data", map[string]string{"A5000": ""}, nil},
		{"missing tab", "Nope", map[string]string{"A1": "x"}, audit.ErrNotFound},
		{"nothing to do", "Nope", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := countKind(srv, "spreadsheets.batchUpdate")
			err := wb.SetNotes(ctx, tt.tab, tt.notes)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("SetNotes = %v, want %v", err, tt.want)
			}
			if n := countKind(srv, "spreadsheets.batchUpdate") - before; n != 0 {
				t.Errorf("sent %d batchUpdate calls, want none", n)
			}
		})
	}
	if _, err := wb.Notes(ctx, "Nope"); !errors.Is(err, audit.ErrNotFound) {
		t.Errorf("Notes(missing tab) = %v, want ErrNotFound", err)
	}
}

func TestParseCell(t *testing.T) {
	tests := []struct {
		in       string
		row, col int
		ok       bool
	}{
		{"A1", 0, 0, true},
		{"b7", 6, 1, true},
		{"$AA$10", 9, 26, true},
		{"ZZZ1", 0, 18277, true},
		{"AAAA1", 0, 0, false},
		{"A", 0, 0, false},
		{"7", 0, 0, false},
		{"A01", 0, 0, false},
		{"A-1", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		r, c, ok := parseCell(tt.in)
		if ok != tt.ok || ok && (r != tt.row || c != tt.col) {
			t.Errorf("parseCell(%q) = %d, %d, %v; want %d, %d, %v", tt.in, r, c, ok, tt.row, tt.col, tt.ok)
		}
		if ok && cellName(r, c) != strings.ToUpper(strings.ReplaceAll(tt.in, "$", "")) {
			t.Errorf("cellName(parseCell(%q)) = %q", tt.in, cellName(r, c))
		}
	}
}
