package snapshot

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
)

// formulaSheet is a tab of n rows whose column D is computed, with the
// formula grid a FormulaReader returns for it.
func formulaSheet(n int) (values, formulas [][]string) {
	values = [][]string{{"id", "price", "qty", "total"}}
	formulas = [][]string{{}}
	for i := 2; i <= n+1; i++ {
		r := strconv.Itoa(i)
		values = append(values, []string{"C" + r, r, "2", strconv.Itoa(2 * i)})
		formulas = append(formulas, []string{"", "", "", "=B" + r + "*C" + r})
	}
	return values, formulas
}

func TestFormulasMem(t *testing.T)  { testFormulas(t, memOpener) }
func TestFormulasFile(t *testing.T) { testFormulas(t, fileOpener) }

func testFormulas(t *testing.T, open opener) {
	ctx := context.Background()
	values, formulas := formulaSheet(3000)
	cases := []struct {
		name       string
		formulas   [][]string
		wantFormat int
	}{
		{"not captured", nil, 1},
		{"captured, none", [][]string{}, 2},
		{"a computed column", formulas, 2},
		{"cjk and quotes", [][]string{{"", `="客户 "&A1&"号"`}}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := newClock()
			s := open(t, clock, Options{})
			info, err := s.Put(ctx, &audit.Snapshot{Sheet: "orders", Time: clock.Now(), HeaderRow: 1,
				Key: []string{"id"}, Values: values, Formulas: tc.formulas})
			if err != nil {
				t.Fatal(err)
			}
			m, err := s.Manifest(ctx, "orders", info.ID)
			if err != nil {
				t.Fatal(err)
			}
			if m.Format != tc.wantFormat || (m.Formulas == nil) != (tc.formulas == nil) {
				t.Errorf("manifest format %d, formulas %v; want format %d", m.Format, m.Formulas, tc.wantFormat)
			}
			// A fresh store on the same bucket: nothing cached.
			fresh := New(s.bucket, Options{})
			got, err := fresh.Load(ctx, "orders", info.ID)
			if err != nil {
				t.Fatal(err)
			}
			if (got.Formulas == nil) != (tc.formulas == nil) {
				t.Errorf("loaded formulas nil = %v, want %v", got.Formulas == nil, tc.formulas == nil)
			}
			if diff := cmp.Diff(tc.formulas, got.Formulas, cmpEmptyGrid); diff != "" {
				t.Errorf("formulas mismatch (-want +got):\n%s", diff)
			}
			if !cmp.Equal(values, got.Values) {
				t.Error("values differ after the round trip")
			}
			verifyClean(t, s, true)
		})
	}
}

// cmpEmptyGrid compares grids by content, nil and empty alike.
var cmpEmptyGrid = cmp.Transformer("grid", func(v [][]string) [][]string {
	out := [][]string{}
	for _, r := range v {
		if r == nil {
			r = []string{}
		}
		out = append(out, r)
	}
	return out
})

// TestFormulasSharedAcrossVersions: values churn, formulas do not, so the
// formula chunks are stored once; prune keeps the ones kept versions need.
func TestFormulasSharedAcrossVersions(t *testing.T) {
	ctx := context.Background()
	clock := newClock()
	s := memOpener(t, clock, Options{})
	values, formulas := formulaSheet(3000)
	var first int64
	for i := range 4 {
		values[1][1] = strconv.Itoa(i) // an input edited
		info, err := s.Put(ctx, &audit.Snapshot{Sheet: "orders", Time: clock.Now(), HeaderRow: 1,
			Key: []string{"id"}, Values: values, Formulas: formulas})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = info.Written
		} else if info.Written*4 > first {
			t.Errorf("version %d wrote %d bytes, the first %d: unchanged formulas were stored again", i+1, info.Written, first)
		}
		// Less than half the grace period: older chunks would be written
		// again to refresh them (see putChunk).
		clock.Advance(10 * time.Minute)
	}
	clock.Advance(2 * time.Hour)
	if _, err := s.Prune(ctx, "orders", Policy{KeepLast: 1}, false); err != nil {
		t.Fatal(err)
	}
	got, err := New(s.bucket, Options{}).Latest(ctx, "orders")
	if err != nil {
		t.Fatalf("Latest after prune: %v", err)
	}
	if diff := cmp.Diff(formulas, got.Formulas); diff != "" {
		t.Errorf("formulas after prune mismatch (-want +got):\n%s", diff)
	}
	verifyClean(t, s, true)
}

func TestVerifyFormulaChunks(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "store")
	s := openURL(t, dir, newClock(), Options{})
	values, formulas := formulaSheet(3000)
	info, err := s.Put(ctx, &audit.Snapshot{Sheet: "s", HeaderRow: 1, Values: values, Formulas: formulas})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Manifest(ctx, "s", info.ID)
	if err != nil {
		t.Fatal(err)
	}
	key := chunkKey(m.Formulas.Chunks[0].SHA256)
	path := filepath.Join(dir, filepath.FromSlash(key))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(data) / 2; i < len(data)/2+16; i++ {
		data[i] ^= 0x55
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s2 := openURL(t, dir, newClock(), Options{})
	if _, err := s2.Load(ctx, "s", info.ID); !errors.Is(err, audit.ErrInvalid) || !strings.Contains(err.Error(), key) {
		t.Errorf("Load with a corrupt formula chunk = %v, want ErrInvalid naming %s", err, key)
	}
	problems, err := s2.Verify(ctx, true)
	if err != nil || len(problems) != 1 || problems[0].Object != key || problems[0].Snapshot != info.ID {
		t.Errorf("Verify(full) = %v, %v; want one problem with %s of %s", problems, err, key, info.ID)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	problems, err = s2.Verify(ctx, false)
	if err != nil || len(problems) != 1 || problems[0].Object != key || !strings.Contains(problems[0].Message, "missing") {
		t.Errorf("Verify(quick) with a deleted formula chunk = %v, %v; want %s missing", problems, err, key)
	}
}

// A format 2 manifest without the formulas check, or formulas claimed by a
// format 1 manifest, is refused rather than half read.
func TestFormulasNeedFormat2(t *testing.T) {
	const key = "sheets/s/manifests/20261129T151600Z-1a2b3c4d.json"
	base := `"id":"20261129T151600Z-1a2b3c4d","sheet":"s","time":"2026-11-29T15:16:00Z","chunks":[]`
	formulas := `"formulas":{"rows":0,"raw_bytes":0,"content_sha256":"` + strings.Repeat("0", 64) + `","chunks":[]}`
	tests := []struct {
		json string
		ok   bool
	}{
		{`{"format":1,` + base + `}`, true},
		{`{"format":2,` + base + `,` + formulas + `}`, true},
		{`{"format":1,` + base + `,` + formulas + `}`, false},
		{`{"format":3,` + base + `,` + formulas + `}`, true},
		{`{"format":4,` + base + `}`, false},
	}
	for _, tt := range tests {
		_, err := parseManifest([]byte(tt.json), key)
		if (err == nil) != tt.ok {
			t.Errorf("parseManifest(%s) error = %v, want ok = %v", tt.json, err, tt.ok)
		}
	}
}
