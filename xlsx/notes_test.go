package xlsx

import (
	"archive/zip"
	"context"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
)

// rawParts returns every zip entry of the file, uncompressed, without
// excelize in between.
func rawParts(t testing.TB, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = string(b)
	}
	return out
}

// changedParts lists the parts added, removed or changed between two
// snapshots of a package.
func changedParts(before, after map[string]string) []string {
	var out []string
	for name, b := range before {
		if a, ok := after[name]; !ok || a != b {
			out = append(out, name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

var refElement = regexp.MustCompile(`<(?:\w+:)?(?:legacyDrawing|drawing)\s[^>]*/>`)

// withoutRefs removes the <drawing>/<legacyDrawing> elements from a
// worksheet, to compare a tab with what it was before a note or chart.
func withoutRefs(s string) string { return refElement.ReplaceAllString(s, "") }

// dataBook writes the data tab a team would have: a style, a formula with
// its cached result, text over Excel's 32,767-character cell limit (written
// through the backend, since excelize cuts it), a person's own note on
// another tab, and a form control whose VML drawing a careless numbering
// would overwrite.
func dataBook(t *testing.T, ownNoteOnData bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	f := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "客户"))
	must(f.SetSheetRow("客户", "A1", &[]any{"客户编号", "金额", "数量", "合计"}))
	must(f.SetSheetRow("客户", "A2", &[]any{"C00001", 12.5, 3}))
	must(f.SetCellFormula("客户", "D2", "B2*C2"))
	style, err := f.NewStyle(&excelize.Style{NumFmt: 2, Font: &excelize.Font{Bold: true}})
	must(err)
	must(f.SetCellStyle("客户", "B2", "B2", style))
	_, err = f.NewSheet("Controls")
	must(err)
	must(f.AddFormControl("Controls", excelize.FormControl{Cell: "A1", Type: excelize.FormControlButton, Text: "Go"}))
	_, err = f.NewSheet("Other")
	must(err)
	must(f.SetCellStr("Other", "A1", "x"))
	must(f.AddComment("Other", excelize.Comment{Cell: "A1", Author: "Alice", Text: "Alice's note"}))
	if ownNoteOnData {
		must(f.AddComment("客户", excelize.Comment{Cell: "A1", Author: "Bob", Text: "Bob's note"}))
	}
	must(f.SaveAs(path))
	must(f.Close())
	w := openTest(t, path)
	must(w.AppendRows(context.Background(), "客户", [][]string{{"C00002", strings.Repeat("长", 40000)}}))
	return path
}

func TestNotesRoundTrip(t *testing.T) {
	for _, own := range []bool{false, true} {
		name := "tab without notes"
		if own {
			name = "tab with a person's note"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			path := dataBook(t, own)
			w := openTest(t, path)
			valuesBefore, err := w.ReadTab(ctx, "客户")
			if err != nil {
				t.Fatal(err)
			}
			partsBefore := rawParts(t, path)

			set := map[string]string{
				"A2":   "客户编号 must look like C12345",
				"b3":   "金额 must be a number",
				"$C$3": "数量 is required",
			}
			if err := w.SetNotes(ctx, "客户", set); err != nil {
				t.Fatalf("SetNotes: %v", err)
			}
			want := map[string]string{"A2": set["A2"], "B3": set["b3"], "C3": set["$C$3"]}
			if own {
				want["A1"] = "Bob's note"
			}
			got, err := w.Notes(ctx, "客户")
			if err != nil {
				t.Fatalf("Notes: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("notes after set mismatch (-want +got):\n%s", diff)
			}

			partsAfter := rawParts(t, path)
			dataPart := "xl/worksheets/sheet1.xml"
			switch {
			case own && partsAfter[dataPart] != partsBefore[dataPart]:
				t.Errorf("data tab part changed although it already referred to its notes")
			case !own && withoutRefs(partsAfter[dataPart]) != partsBefore[dataPart]:
				t.Errorf("data tab part changed beyond the added <legacyDrawing>")
			case !own && !strings.Contains(partsAfter[dataPart], "<legacyDrawing ") ||
				strings.Index(partsAfter[dataPart], "<legacyDrawing ") < strings.Index(partsAfter[dataPart], "</sheetData>"):
				t.Errorf("data tab lacks <legacyDrawing> after sheetData")
			}
			for _, p := range changedParts(partsBefore, partsAfter) {
				if p == dataPart || p == "[Content_Types].xml" || p == "xl/worksheets/_rels/sheet1.xml.rels" ||
					regexp.MustCompile(`^xl/(comments\d+\.xml|drawings/vmlDrawing\d+\.vml)$`).MatchString(p) {
					continue
				}
				t.Errorf("part %s changed", p)
			}
			// The other tabs' comments and form control keep their parts.
			for name, b := range partsBefore {
				if strings.HasPrefix(name, "xl/comments") || strings.HasPrefix(name, "xl/drawings/") {
					if own && (name == "xl/comments2.xml" || name == "xl/drawings/vmlDrawing2.vml") {
						continue // the data tab's own
					}
					if partsAfter[name] != b {
						t.Errorf("part %s of another tab changed", name)
					}
				}
			}

			// B3 fixed.
			if err := w.SetNotes(ctx, "客户", map[string]string{"B3": ""}); err != nil {
				t.Fatalf("SetNotes(remove): %v", err)
			}
			delete(want, "B3")
			if got, err = w.Notes(ctx, "客户"); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("notes after removal mismatch (-want +got):\n%s", diff)
			}
			if other, err := w.Notes(ctx, "Other"); err != nil || !maps.Equal(other, map[string]string{"A1": "Alice's note"}) {
				t.Errorf("notes of tab Other = %v, %v; want Alice's alone", other, err)
			}

			// Asking for what is there writes nothing.
			info, _ := os.Stat(path)
			settled := rawParts(t, path)
			if err := w.SetNotes(ctx, "客户", map[string]string{"A2": want["A2"], "B3": ""}); err != nil {
				t.Fatal(err)
			}
			if again, _ := os.Stat(path); !again.ModTime().Equal(info.ModTime()) || !maps.Equal(settled, rawParts(t, path)) {
				t.Errorf("a no-op SetNotes rewrote the file")
			}

			valuesAfter, err := w.ReadTab(ctx, "客户")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(valuesBefore.Values, valuesAfter.Values); diff != "" {
				t.Errorf("values changed (-before +after):\n%.1000s", diff)
			}
			g, err := excelize.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			if formula, _ := g.GetCellFormula("客户", "D2"); formula != "B2*C2" {
				t.Errorf("formula D2 = %q, want B2*C2", formula)
			}
			id, _ := g.GetCellStyle("客户", "B2")
			if st, err := g.GetStyle(id); err != nil || st.NumFmt != 2 || st.Font == nil || !st.Font.Bold {
				t.Errorf("style of B2 = %+v, %v; want numfmt 2 bold", st, err)
			}
			comments, err := g.GetComments("客户")
			if err != nil {
				t.Fatal(err)
			}
			authors := map[string]string{}
			for _, c := range comments {
				authors[c.Cell] = c.Author
			}
			wantAuthors := map[string]string{"A2": NoteAuthor, "C3": NoteAuthor}
			if own {
				wantAuthors["A1"] = "Bob"
			}
			if diff := cmp.Diff(wantAuthors, authors); diff != "" {
				t.Errorf("comment authors mismatch (-want +got):\n%s", diff)
			}
			for _, s := range g.GetSheetList() {
				if _, err := g.GetRows(s); err != nil {
					t.Errorf("tab %q of the saved file: %v", s, err)
				}
			}
		})
	}
}

// Workbooks from other producers: the note lands, the tab's cells do not
// move.
func TestNotesOnFixtures(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ file, tab string }{
		{"Book1.xlsx", "Sheet2"},
		{"namespaced.xlsx", "Sheet1"},
		{"macNumbersTest.xlsx", "主动技能"},
		{"wpsBlankLineTest.xlsx", "Sheet1"},
		{"inlineStrings.xlsx", "Activity by Day"},
		{"MergeCell.xlsx", "Sheet1"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := copyFixture(t, tc.file)
			w := openTest(t, path)
			before, err := w.ReadTab(ctx, tc.tab)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.SetNotes(ctx, tc.tab, map[string]string{"A1": "检查", "C2": "check"}); err != nil {
				t.Fatalf("SetNotes: %v", err)
			}
			got, err := w.Notes(ctx, tc.tab)
			if err != nil {
				t.Fatal(err)
			}
			if got["A1"] != "检查" || got["C2"] != "check" {
				t.Errorf("notes = %v, want A1 and C2 set", got)
			}
			after, err := w.ReadTab(ctx, tc.tab)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before.Values, after.Values); diff != "" {
				t.Errorf("values changed (-before +after):\n%.1000s", diff)
			}
			f, err := excelize.OpenFile(path)
			if err != nil {
				t.Fatalf("saved file does not open: %v", err)
			}
			defer f.Close()
			comments, err := f.GetComments(after.Meta.Title)
			if err != nil || len(comments) != 2 {
				t.Errorf("excelize sees comments %+v, %v; want 2", comments, err)
			}
		})
	}
}

func TestSetNotesErrors(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"Data": {{"x"}}})
	w := openTest(t, path)
	before := rawParts(t, path)
	tests := []struct {
		name  string
		tab   string
		notes map[string]string
		want  error
	}{
		{"bad cell name", "Data", map[string]string{"7B": "x"}, audit.ErrInvalid},
		{"beyond Excel's rows", "Data", map[string]string{"A1048577": "x"}, audit.ErrInvalid},
		{"note too long", "Data", map[string]string{"A1": strings.Repeat("x", maxNoteUnits+1)}, audit.ErrInvalid},
		{"missing tab", "Nope", map[string]string{"A1": "x"}, audit.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := w.SetNotes(ctx, tt.tab, tt.notes); !errors.Is(err, tt.want) {
				t.Errorf("SetNotes = %v, want %v", err, tt.want)
			}
		})
	}
	if !maps.Equal(before, rawParts(t, path)) {
		t.Error("a failed SetNotes changed the file")
	}
	if _, err := w.Notes(ctx, "Nope"); !errors.Is(err, audit.ErrNotFound) {
		t.Errorf("Notes(missing tab) = %v, want ErrNotFound", err)
	}
}

// excelize numbers a tab's first comments part by counting the comments
// parts there are, so beside another tab's form control (vmlDrawing1.vml,
// no comments anywhere) it would pick vmlDrawing1.vml and overwrite that
// tab's controls. The backend steers it to a free number.
func TestNotesBesideFormControls(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	f := excelize.NewFile()
	if err := f.SetCellStr("Sheet1", "A1", "id"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Controls"); err != nil {
		t.Fatal(err)
	}
	if err := f.AddFormControl("Controls", excelize.FormControl{Cell: "B2", Type: excelize.FormControlButton, Text: "Go"}); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	before := rawParts(t, path)
	if _, ok := before["xl/drawings/vmlDrawing1.vml"]; !ok {
		t.Fatalf("fixture has no vmlDrawing1.vml: %v", slices.Sorted(maps.Keys(before)))
	}
	w := openTest(t, path)
	if err := w.SetNotes(ctx, "Sheet1", map[string]string{"A1": "check"}); err != nil {
		t.Fatal(err)
	}
	after := rawParts(t, path)
	if after["xl/drawings/vmlDrawing1.vml"] != before["xl/drawings/vmlDrawing1.vml"] {
		t.Error("the form control's VML drawing changed")
	}
	for name := range after {
		if strings.Contains(name, padMark) {
			t.Errorf("placeholder part %s saved", name)
		}
	}
	if got, err := w.Notes(ctx, "Sheet1"); err != nil || !maps.Equal(got, map[string]string{"A1": "check"}) {
		t.Errorf("Notes = %v, %v; want A1", got, err)
	}
	g, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if ctrls, err := g.GetFormControls("Controls"); err != nil || len(ctrls) != 1 {
		t.Errorf("form controls of Controls = %+v, %v; want the button", ctrls, err)
	}
}

// BenchmarkSetNotes marks 1,000 cells of a 200,000×12 data tab and clears
// them again, as two cycles of mark_cells would. The tab's part is copied,
// never parsed.
func BenchmarkSetNotes(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.xlsx")
	writeBigBook(b, path, 200000)
	w, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	set, clear := map[string]string{}, map[string]string{}
	for i := range 1000 {
		cell, _ := excelize.CoordinatesToCellName(5, 2+i*150)
		set[cell], clear[cell] = "联系方式: expected a mobile or landline number", ""
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := w.SetNotes(ctx, "客户", set); err != nil {
			b.Fatal(err)
		}
		if err := w.SetNotes(ctx, "客户", clear); err != nil {
			b.Fatal(err)
		}
	}
}
