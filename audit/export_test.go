package audit

import (
	"context"
	"reflect"
	"time"
)

// WriteBackForTest runs the cycle's write-back of b on its own, as a cycle
// whose snapshot is "s" would.
func WriteBackForTest(ctx context.Context, c *Cycle, b *WriteBack) error {
	st, err := c.State.LoadState(ctx, c.Spec.Name)
	if err != nil {
		return err
	}
	res := &Result{Snapshot: "s"}
	_, err = c.writeBack(ctx, &st, b, res, time.Now(), "", nil, c.logger())
	return err
}

// EnglishLabels lists the English texts of the tabs' fixed labels (headers,
// change types, severities, rule names), for the test that a zh-CN cycle
// writes none of them.
func EnglishLabels() []string {
	var out []string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			if s := v.String(); s != "" && !containsVerb(s) {
				out = append(out, s)
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Map:
			for _, k := range v.MapKeys() {
				walk(v.MapIndex(k))
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		}
	}
	walk(reflect.ValueOf(english.changeLog))
	walk(reflect.ValueOf(english.review))
	walk(reflect.ValueOf(english.severities))
	walk(reflect.ValueOf(english.header))
	return out
}

func containsVerb(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' {
			return true
		}
	}
	return false
}

// EnglishPhrases are the fixed words of English sentences the tabs write
// (first lines, summaries, messages) that must not appear under zh-CN.
var EnglishPhrases = []string{"Produced", "rows checked", "errors:", "by owner", "more changes", "not listed",
	"(continued)", "is also on row", "keys must be unique", "filled cells changed", "has no header name",
	"Stale", "Never followed up", "calendar days", "is empty", "is not a", "rows, ", " columns"}

// ReportLanguages exposes the report's label tables to the external tests.
func ReportLanguages() []any {
	out := make([]any, len(reportLanguages))
	for i, l := range reportLanguages {
		out[i] = l
	}
	return out
}
