package sheets

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeGrid(t *testing.T) {
	type row struct {
		Y            int
		Shown, Typed []string
	}
	for _, tc := range []struct {
		name, body string
		want       []row
		err        error // errors.Is target; nil: success
		fails      bool
	}{
		{
			name: "rows, empty cells and rows, typed numbers and booleans",
			body: `{"sheets":[{"data":[{"rowData":[` +
				`{"values":[{"formattedValue":"id"},{"formattedValue":"金额"}]},{},` +
				`{"values":[{},{"formattedValue":"1,234.50","effectiveValue":{"numberValue":1234.5}},{"formattedValue":"TRUE","effectiveValue":{"boolValue":true}}]},` +
				`{"values":[{"formattedValue":"x","effectiveValue":{}},{}]}]}]}]}`,
			want: []row{
				{0, []string{"id", "金额"}, []string{}},
				{2, []string{"", "1,234.50", "TRUE"}, []string{"", "1234.5", "TRUE"}},
				{3, []string{"x"}, []string{}},
			},
		},
		{
			name: "keys in any case, unknown keys skipped, start 0",
			body: `{"Sheets":[{"properties":{"title":"x"},"DATA":[{"startRow":0,"rowMetadata":[{"pixelSize":21}],"RowData":[{"Values":[{"FormattedValue":"a","note":"n"}]}]}]}],"spreadsheetId":"s"}`,
			want: []row{{0, []string{"a"}, []string{}}},
		},
		{name: "empty tab", body: `{"sheets":[{"data":[{}]}]}`},
		{name: "nothing at all", body: `{}`},
		{name: "truncated", body: `{"sheets":[{"data":[{"rowData":[{"values":[{"formattedValue":"a"}]}`, err: io.ErrUnexpectedEOF},
		{name: "another start", body: `{"sheets":[{"data":[{"startRow":5,"rowData":[]}]}]}`, fails: true},
		{name: "two blocks", body: `{"sheets":[{"data":[{},{}]}]}`, fails: true},
		{name: "not an object", body: `[]`, fails: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []row
			err := decodeGrid(strings.NewReader(tc.body), func(y int, shown, typed []string) {
				got = append(got, row{y, append([]string{}, shown...), append([]string{}, typed...)})
			})
			switch {
			case tc.err != nil || tc.fails:
				if err == nil || (tc.err != nil && !errors.Is(err, tc.err)) {
					t.Errorf("error = %v, want %v", err, tc.err)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("rows mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}
