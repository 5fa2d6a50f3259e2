package audittest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Opener returns a fresh workbook holding the given tabs (title → values from
// A1), for one conformance case. It registers its own cleanup on t.
type Opener func(t *testing.T, tabs map[string][][]string) audit.Workbook

// Conformance checks that a backend behaves as audit.Workbook promises: what
// is written reads back unchanged (RAW text, CJK, huge cells, wide and long
// tabs), trimming follows the Sheets API, and errors wrap the audit
// sentinels. Every backend's tests call it.
func Conformance(t *testing.T, open Opener) {
	ctx := context.Background()
	data := [][]string{
		{"客户编号", "客户名称", "联系方式", "备注"},
		{"C00001", "华为技术有限公司", "+86 138 0013 8000", ""},
		{"C00002", "😀 emoji Ltd", "", "שלום RTL"},
		{},
		{"C00003", "short"},
	}
	t.Run("read", func(t *testing.T) {
		wb := open(t, map[string][][]string{"客户": data})
		tab, err := wb.ReadTab(ctx, "客户")
		if err != nil {
			t.Fatalf("ReadTab: %v", err)
		}
		want := [][]string{data[0], data[1][:3], data[2], {}, data[4]}
		if diff := cmp.Diff(want, tab.Values, cmpEmpty); diff != "" {
			t.Errorf("values mismatch (-want +got):\n%s", diff)
		}
		if tab.Meta.Title != "客户" {
			t.Errorf("Meta.Title = %q, want %q", tab.Meta.Title, "客户")
		}
	})
	t.Run("read missing tab", func(t *testing.T) {
		wb := open(t, map[string][][]string{"客户": data})
		_, err := wb.ReadTab(ctx, "nope")
		if !errors.Is(err, audit.ErrNotFound) {
			t.Errorf("ReadTab(missing) error = %v, want ErrNotFound", err)
		}
		if err != nil && !strings.Contains(err.Error(), "nope") {
			t.Errorf("ReadTab(missing) error %q does not name the tab", err)
		}
	})
	t.Run("ensure tab", func(t *testing.T) {
		wb := open(t, map[string][][]string{"客户": data})
		meta, created, err := wb.EnsureTab(ctx, "Change Log")
		if err != nil || !created || meta.Title != "Change Log" {
			t.Fatalf("EnsureTab = %+v, %v, %v; want created Change Log", meta, created, err)
		}
		meta2, created, err := wb.EnsureTab(ctx, "Change Log")
		if err != nil || created || meta2.TabID != meta.TabID {
			t.Errorf("second EnsureTab = %+v, %v, %v; want same tab, not created", meta2, created, err)
		}
		tab, err := wb.ReadTab(ctx, "Change Log")
		if err != nil || len(tab.Values) != 0 {
			t.Errorf("new tab = %v, %v; want empty", tab, err)
		}
		if tab, err := wb.ReadTab(ctx, "客户"); err != nil || len(tab.Values) != len(data) {
			t.Errorf("data tab after EnsureTab: %v rows, %v; want it untouched", len(tab.Values), err)
		}
	})
	t.Run("append raw text", func(t *testing.T) {
		wb := open(t, map[string][][]string{"客户": data})
		if _, _, err := wb.EnsureTab(ctx, "Log"); err != nil {
			t.Fatal(err)
		}
		first := [][]string{{"a", "=1+1", "+86 10 1234", "-5"}, {"@user", "'quoted", "=HYPERLINK(\"x\")", "0012"}}
		second := [][]string{{"TRUE", "1.50", "2026-11-29", strings.Repeat("长", 50000)}}
		for _, rows := range [][][]string{first, second} {
			if err := wb.AppendRows(ctx, "Log", rows); err != nil {
				t.Fatalf("AppendRows: %v", err)
			}
		}
		tab, err := wb.ReadTab(ctx, "Log")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(append(first, second...), tab.Values); diff != "" {
			t.Errorf("appended values mismatch (-want +got):\n%s", summarize(diff))
		}
	})
	t.Run("append grows the grid", func(t *testing.T) {
		wb := open(t, map[string][][]string{"客户": data})
		if _, _, err := wb.EnsureTab(ctx, "Log"); err != nil {
			t.Fatal(err)
		}
		rows := grid(1500, 30)
		if err := wb.AppendRows(ctx, "Log", rows[:700]); err != nil {
			t.Fatal(err)
		}
		if err := wb.AppendRows(ctx, "Log", rows[700:]); err != nil {
			t.Fatal(err)
		}
		tab, err := wb.ReadTab(ctx, "Log")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(rows, tab.Values); diff != "" {
			t.Errorf("values mismatch (-want +got):\n%s", summarize(diff))
		}
	})
	t.Run("replace shrinks and keeps other tabs", func(t *testing.T) {
		wb := open(t, map[string][][]string{"客户": data, "Review": grid(40, 8)})
		small := [][]string{{"only", "", "row"}, {}, {"=SUM(A1)"}}
		if err := wb.ReplaceTab(ctx, "Review", small); err != nil {
			t.Fatalf("ReplaceTab: %v", err)
		}
		tab, err := wb.ReadTab(ctx, "Review")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(small, tab.Values, cmpEmpty); diff != "" {
			t.Errorf("replaced values mismatch (-want +got):\n%s", diff)
		}
		big := grid(1200, 28)
		if err := wb.ReplaceTab(ctx, "Review", big); err != nil {
			t.Fatalf("ReplaceTab(big): %v", err)
		}
		if tab, err = wb.ReadTab(ctx, "Review"); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(big, tab.Values); diff != "" {
			t.Errorf("replaced values mismatch (-want +got):\n%s", summarize(diff))
		}
		if tab, err := wb.ReadTab(ctx, "客户"); err != nil || len(tab.Values) != len(data) {
			t.Errorf("data tab after ReplaceTab of another tab: %v, %v", tab, err)
		}
	})
	t.Run("write to missing tab", func(t *testing.T) {
		wb := open(t, map[string][][]string{"客户": data})
		if err := wb.AppendRows(ctx, "missing", [][]string{{"x"}}); !errors.Is(err, audit.ErrNotFound) {
			t.Errorf("AppendRows(missing) = %v, want ErrNotFound", err)
		}
		if err := wb.ReplaceTab(ctx, "missing", [][]string{{"x"}}); !errors.Is(err, audit.ErrNotFound) {
			t.Errorf("ReplaceTab(missing) = %v, want ErrNotFound", err)
		}
	})
}

// cmpEmpty treats nil and empty rows alike: backends differ in which they return.
var cmpEmpty = cmp.Transformer("emptyRows", func(v [][]string) [][]string {
	out := make([][]string, len(v))
	for i, r := range v {
		if len(r) == 0 {
			r = []string{}
		}
		out[i] = r
	}
	return out
})

func grid(rows, cols int) [][]string {
	out := make([][]string, rows)
	for r := range out {
		out[r] = make([]string, cols)
		for c := range out[r] {
			out[r][c] = fmt.Sprintf("r%dc%d", r+1, c+1)
		}
	}
	return out
}

func summarize(diff string) string {
	if len(diff) > 2000 {
		return diff[:2000] + "…"
	}
	return diff
}
