package config

import (
	"os"
	"testing"
)

// FuzzParse: any YAML either loads into a configuration that validates, or
// fails with errors; it never panics, and a success parses the same way
// twice (parsing has no side effects).
func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/full.yaml", "testdata/minimal.yaml"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("store: ./s\nsheets:\n  - name: a\n    source: {xlsx: a.xlsx}\n    tab: T\n    key: [id]\n"))
	f.Add([]byte("sheets: [{name: 客户, source: {google: {spreadsheet_id: x}}, tab: 客户, key: [编号], staleness: {default: 30d}}]\n"))
	f.Add([]byte("retention: {keep_last: -1}\nquotas: {cycle_deadline: 1h}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<14 {
			return
		}
		getenv := func(k string) string { return "v-" + k }
		c1, err1 := Parse(data, "fuzz.yaml", getenv)
		c2, err2 := Parse(data, "fuzz.yaml", getenv)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("Parse twice: %v, then %v", err1, err2)
		}
		if err1 != nil {
			if err1.Error() != err2.Error() {
				t.Errorf("Parse twice gives different errors:\n%v\n%v", err1, err2)
			}
			return
		}
		if len(c1.Sheets) != len(c2.Sheets) || c1.Store != c2.Store {
			t.Errorf("Parse twice gives different configurations")
		}
	})
}
