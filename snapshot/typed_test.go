package snapshot

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
)

// typedSheet is a tab of n rows whose date and amount columns display
// formatted, with the typed grid a TypedReader returns for it.
func typedSheet(n int) (values, typed [][]string) {
	values = [][]string{{"id", "date", "amount", "note"}}
	typed = [][]string{{}}
	for i := 2; i <= n+1; i++ {
		values = append(values, []string{"C" + strconv.Itoa(i), "11/1/2026", "5.10", "备注"})
		typed = append(typed, []string{"", "46327", "5.1"})
	}
	return values, typed
}

func TestTypedRoundTrip(t *testing.T) {
	ctx := context.Background()
	values, typed := typedSheet(2000)
	_, formulas := formulaSheet(2000)
	cases := []struct {
		name            string
		formulas, typed [][]string
		wantFormat      int
	}{
		{"not captured", nil, nil, 1},
		{"captured, none", nil, [][]string{}, 3},
		{"typed columns", nil, typed, 3},
		{"typed and formulas", formulas, typed, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := newClock()
			s := memOpener(t, clock, Options{})
			snap := &audit.Snapshot{Sheet: "orders", Time: clock.Now(), HeaderRow: 1,
				Key: []string{"id"}, Values: values, Formulas: tc.formulas, Typed: tc.typed}
			info, err := s.Put(ctx, snap)
			if err != nil {
				t.Fatal(err)
			}
			m, err := s.Manifest(ctx, "orders", info.ID)
			if err != nil {
				t.Fatal(err)
			}
			if m.Format != tc.wantFormat || (m.Typed == nil) != (tc.typed == nil) {
				t.Errorf("manifest format %d, typed %v; want format %d", m.Format, m.Typed, tc.wantFormat)
			}
			got, err := New(s.bucket, Options{}).Load(ctx, "orders", info.ID)
			if err != nil {
				t.Fatal(err)
			}
			if (got.Typed == nil) != (tc.typed == nil) {
				t.Errorf("loaded typed nil = %v, want %v", got.Typed == nil, tc.typed == nil)
			}
			if diff := cmp.Diff(tc.typed, got.Typed, cmpEmptyGrid); diff != "" {
				t.Errorf("typed mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.formulas, got.Formulas, cmpEmptyGrid); diff != "" {
				t.Errorf("formulas mismatch (-want +got):\n%s", diff)
			}
			verifyClean(t, s, true)

			// The same content is current; a changed typed value, or
			// typed capture turned off or on, is not.
			fresh := New(s.bucket, Options{})
			if _, same, err := fresh.Current(ctx, snap); err != nil || !same {
				t.Errorf("Current(same snapshot) = %v, %v; want same", same, err)
			}
			other := *snap
			switch {
			case len(tc.typed) > 1:
				other.Typed = append([][]string{{}, {"", "46328", "5.1"}}, tc.typed[2:]...)
			case tc.typed == nil:
				other.Typed = [][]string{}
			default:
				other.Typed = nil
			}
			if _, same, err := fresh.Current(ctx, &other); err != nil || same {
				t.Errorf("Current(typed changed) = %v, %v; want not same", same, err)
			}
		})
	}
}

// A typed grid claimed by a manifest older than format 3 is refused.
func TestTypedNeedsFormat3(t *testing.T) {
	const key = "sheets/s/manifests/20261129T151600Z-1a2b3c4d.json"
	base := `"id":"20261129T151600Z-1a2b3c4d","sheet":"s","time":"2026-11-29T15:16:00Z","chunks":[]`
	typed := `"typed":{"rows":0,"raw_bytes":0,"content_sha256":"` + strings.Repeat("0", 64) + `","chunks":[]}`
	for _, tt := range []struct {
		json string
		ok   bool
	}{
		{`{"format":3,` + base + `,` + typed + `}`, true},
		{`{"format":2,` + base + `,` + typed + `}`, false},
	} {
		if _, err := parseManifest([]byte(tt.json), key); (err == nil) != tt.ok {
			t.Errorf("parseManifest(%s) error = %v, want ok = %v", tt.json, err, tt.ok)
		}
	}
}
