package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
)

var batchTime = time.Date(2026, 11, 29, 9, 30, 15, 0, time.UTC)

func logLayout() *audit.Layout {
	return &audit.Layout{
		HeaderRows: 1, Widths: []int{140, 100, 0, 280}, Wrap: []int{3}, Filter: true,
		Highlights: []audit.Highlight{{Column: 1, Value: "row removed", Tone: audit.ToneWarning}},
	}
}

func logBatch(cycle string, rows ...[]audit.Cell) *audit.WriteBack {
	return &audit.WriteBack{
		Cycle:    cycle,
		Location: time.FixedZone("CST", 8*3600),
		Tabs: []audit.TabWrite{{
			Title: "Change Log", Append: true, Layout: logLayout(),
			Header: [][]audit.Cell{{audit.Text("Time"), audit.Text("Change"), audit.Text("Key"), audit.Text("New value")}},
			Rows:   rows,
		}},
	}
}

// storedParts returns each part's exact bytes as stored (compressed), to tell
// parts copied byte for byte from rewritten ones.
func storedParts(t *testing.T, path string) map[string][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

func TestWriteBackOneSaveTypedAndLaidOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"客户": {{"客户编号", "客户名称"}, {"C00001", "华为"}}})
	before := storedParts(t, path)
	w := openTest(t, path)
	ctx := context.Background()

	review := audit.TabWrite{
		Title: "Needs Review",
		Layout: &audit.Layout{HeaderRows: 2, Widths: []int{80, 60, 400, 120}, Wrap: []int{2}, Filter: true,
			Highlights: []audit.Highlight{{Column: 0, Value: "error", Tone: audit.ToneError}, {Column: 0, Value: `say "hi"`, Tone: audit.ToneInfo}}},
		Rows: [][]audit.Cell{
			{audit.Text("Produced … · 1 row checked")},
			{audit.Text("Severity"), audit.Text("Row"), audit.Text("Message"), audit.Text("Link")},
			{audit.Text("error"), audit.Number(2), audit.Text("=HYPERLINK(\"x\") stays text"), audit.Linked("open B2", "#'客户'!B2")},
			{audit.Text("warning"), audit.Number(7.5), audit.Text("web"), audit.Linked("docs", "https://example.com/a?b=1&c=2")},
		},
	}
	b := logBatch("c1", []audit.Cell{audit.TimeOf(batchTime), audit.Text("row added"), audit.Text("C00002"), audit.Text(strings.Repeat("长文本 ", 40))})
	b.Tabs = append(b.Tabs, review)
	if err := w.WriteBack(ctx, b); err != nil {
		t.Fatalf("WriteBack: %v", err)
	}
	after := storedParts(t, path)
	for name, raw := range before {
		switch name {
		case "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml":
			continue // tabs were created, styles added
		}
		if !bytes.Equal(raw, after[name]) {
			t.Errorf("part %q changed; only the written tabs may", name)
		}
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{"客户", "Change Log", "Needs Review"}; !cmp.Equal(got, want) {
		t.Errorf("tabs = %q, want %q", got, want)
	}
	rows, err := f.GetRows("Change Log")
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[1][0]; got != "2026-11-29 17:30:15" {
		t.Errorf("time cell shows %q, want the time in the batch's zone with a date-time format", got)
	}
	for _, c := range []struct {
		sheet, cell string
		want        excelize.CellType
	}{
		{"Change Log", "A2", excelize.CellTypeNumber},
		{"Needs Review", "B3", excelize.CellTypeNumber},
		{"Needs Review", "B4", excelize.CellTypeNumber},
		{"Needs Review", "C3", excelize.CellTypeInlineString},
	} {
		if got, err := f.GetCellType(c.sheet, c.cell); err != nil || got != c.want {
			t.Errorf("%s!%s type = %v (%v), want %v", c.sheet, c.cell, got, err, c.want)
		}
	}
	if v, _ := f.GetCellValue("Needs Review", "B4"); v != "7.5" {
		t.Errorf("number cell = %q, want 7.5", v)
	}
	if fm, _ := f.GetCellFormula("Needs Review", "C3"); fm != "" {
		t.Errorf("C3 has formula %q; text must stay text", fm)
	}

	// Links are hyperlinks, inside the workbook or to a URL; never formulas.
	for _, c := range []struct{ cell, want string }{{"D3", "'客户'!B2"}, {"D4", "https://example.com/a?b=1&c=2"}} {
		ok, target, err := f.GetCellHyperLink("Needs Review", c.cell)
		if err != nil || !ok || target != c.want {
			t.Errorf("link of %s = %v %q (%v), want %q", c.cell, ok, target, err, c.want)
		}
		if fm, _ := f.GetCellFormula("Needs Review", c.cell); fm != "" {
			t.Errorf("%s holds formula %q", c.cell, fm)
		}
	}

	// Layout: frozen header rows, bold header, widths, wrap, filter, colours.
	for _, c := range []struct {
		sheet string
		rows  int
	}{{"Change Log", 1}, {"Needs Review", 2}} {
		panes, err := f.GetPanes(c.sheet)
		if err != nil || !panes.Freeze || panes.YSplit != c.rows {
			t.Errorf("%s panes = %+v (%v), want %d frozen rows", c.sheet, panes, err, c.rows)
		}
		for r := 1; r <= c.rows; r++ {
			cell, _ := excelize.CoordinatesToCellName(1, r)
			id, _ := f.GetCellStyle(c.sheet, cell)
			st, err := f.GetStyle(id)
			if err != nil || st.Font == nil || !st.Font.Bold {
				t.Errorf("%s!%s style = %+v (%v), want bold", c.sheet, cell, st, err)
			}
		}
	}
	if wd, _ := f.GetColWidth("Needs Review", "C"); wd < 55 || wd > 60 {
		t.Errorf("column C width = %v characters, want about 400 px", wd)
	}
	if wd, _ := f.GetColWidth("Change Log", "C"); wd > 10 {
		t.Errorf("column C width = %v, want the default (0 keeps it)", wd)
	}
	id, _ := f.GetCellStyle("Change Log", "D2")
	if st, _ := f.GetStyle(id); st == nil || st.Alignment == nil || !st.Alignment.WrapText {
		t.Errorf("D2 style = %+v, want wrapped text", st)
	}
	id, _ = f.GetCellStyle("Change Log", "A2")
	if st, _ := f.GetStyle(id); st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != DateTimeFormat {
		t.Errorf("A2 style = %+v, want the date-time format", st)
	}
	sheetXML := partOf(t, path, "Needs Review")
	if !strings.Contains(sheetXML, `<autoFilter ref="A2:D4"/>`) {
		t.Errorf("Needs Review has no autoFilter over A2:D4:\n%s", sheetXML)
	}
	cf, err := f.GetConditionalFormats("Needs Review")
	if err != nil || len(cf) != 1 {
		t.Fatalf("conditional formats = %v (%v), want one range", cf, err)
	}
	for _, opts := range cf {
		if len(opts) != 2 || !strings.Contains(opts[0].Criteria, `TRIM($A3)="error"`) || !strings.Contains(opts[1].Criteria, `"say ""hi"""`) {
			t.Errorf("conditional rules = %+v", opts)
		}
	}
}

// partOf returns the worksheet XML of a tab.
func partOf(t *testing.T, path, title string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	sp, ok, err := findSheetPart(&zr.Reader, title)
	if err != nil || !ok {
		t.Fatalf("no worksheet part for %q (%v)", title, err)
	}
	return rawParts(t, path)[sp.part]
}

func TestWriteBackAppendsAndKeepsStyles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"客户": {{"客户编号"}, {"C00001"}}})
	w := openTest(t, path)
	ctx := context.Background()
	row := func(key string) []audit.Cell {
		return []audit.Cell{audit.TimeOf(batchTime), audit.Text("row added"), audit.Text(key), audit.Text("x")}
	}
	if err := w.WriteBack(ctx, logBatch("c1", row("A"))); err != nil {
		t.Fatal(err)
	}
	styles := storedParts(t, path)["xl/styles.xml"]
	if err := w.WriteBack(ctx, logBatch("c2", row("B"), row("C"))); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(styles, storedParts(t, path)["xl/styles.xml"]) {
		t.Error("the second write-back changed the styles part; its styles were there already")
	}
	tab, err := w.ReadTab(ctx, "Change Log")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range tab.Values {
		keys = append(keys, r[2])
	}
	if want := []string{"Key", "A", "B", "C"}; !cmp.Equal(keys, want) {
		t.Errorf("keys = %q, want %q (header once, rows appended)", keys, want)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !strings.Contains(partOf(t, path, "Change Log"), `<autoFilter ref="A1:D4"/>`) {
		t.Error("the filter does not cover the appended rows")
	}
}

func TestWriteBackRefusesBadTitleAndLeavesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"客户": {{"客户编号"}}})
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w := openTest(t, path)
	b := logBatch("c1", []audit.Cell{audit.Text("x")})
	b.Tabs = append(b.Tabs, audit.TabWrite{Title: "bad/name", Rows: [][]audit.Cell{{audit.Text("x")}}})
	if err := w.WriteBack(context.Background(), b); !errors.Is(err, audit.ErrInvalid) {
		t.Fatalf("WriteBack = %v, want ErrInvalid", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a refused write-back changed the file")
	}
}

func TestWriteBackReplaceDropsOldLinks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"客户": {{"客户编号"}}})
	w := openTest(t, path)
	ctx := context.Background()
	write := func(target string) {
		t.Helper()
		err := w.WriteBack(ctx, &audit.WriteBack{Tabs: []audit.TabWrite{{
			Title: "Needs Review", Rows: [][]audit.Cell{{audit.Linked("open", target)}},
		}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	write("https://example.com/one")
	write("https://example.com/two")
	parts := zipParts(t, path)
	n := 0
	for name, body := range parts {
		if strings.Contains(name, "_rels/sheet") {
			n += strings.Count(body, "example.com")
			if strings.Contains(body, "/one") {
				t.Errorf("%s keeps the replaced link: %s", name, body)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d link relationships, want 1", n)
	}
}

// TestWriteBackWithoutLayoutKeepsTheLook writes the tabs as every cycle
// after the first does, without a Layout (the cycle sends it only when it
// changed): the new cells still look like the ones the layout styled, and
// the filter reaches the new rows, read back by reopening the file.
func TestWriteBackWithoutLayoutKeepsTheLook(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBook(t, path, map[string][][]string{"客户": {{"客户编号"}, {"C00001"}}})
	w := openTest(t, path)
	ctx := context.Background()
	row := func(key string) []audit.Cell {
		return []audit.Cell{audit.TimeOf(batchTime), audit.Text("row added"), audit.Text(key), audit.Text(strings.Repeat("客户名称: 上海某某有限公司; ", 12))}
	}
	review := func(n int) audit.TabWrite {
		rows := [][]audit.Cell{{audit.Text("Produced …")},
			{audit.Text("Severity"), audit.Text("Row"), audit.Text("Message")}}
		for i := range n {
			rows = append(rows, []audit.Cell{audit.Text("error"), audit.Number(float64(i + 2)), audit.Text(strings.Repeat("long message ", 30))})
		}
		return audit.TabWrite{Title: "Needs Review", Rows: rows}
	}
	first := logBatch("c1", row("A"))
	r := review(1)
	r.Layout = &audit.Layout{HeaderRows: 2, Widths: []int{80, 60, 300}, Wrap: []int{2}, Filter: true}
	first.Tabs = append(first.Tabs, r)
	if err := w.WriteBack(ctx, first); err != nil {
		t.Fatal(err)
	}
	next := logBatch("c2", row("B"), row("C"))
	next.Tabs[0].Layout = nil
	next.Tabs = append(next.Tabs, review(3))
	if err := w.WriteBack(ctx, next); err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	style := func(sheet, cell string) *excelize.Style {
		t.Helper()
		id, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	for _, c := range []struct{ sheet, cell string }{{"Change Log", "D4"}, {"Needs Review", "C5"}} {
		if st := style(c.sheet, c.cell); st.Alignment == nil || !st.Alignment.WrapText {
			t.Errorf("%s!%s style = %+v, want wrapped text like the rows the layout styled", c.sheet, c.cell, st)
		}
	}
	for _, cell := range []string{"A1", "A2"} {
		if st := style("Needs Review", cell); st.Font == nil || !st.Font.Bold {
			t.Errorf("Needs Review!%s style = %+v, want the bold header kept", cell, st)
		}
	}
	if st := style("Change Log", "A4"); st.CustomNumFmt == nil || *st.CustomNumFmt != DateTimeFormat {
		t.Errorf("Change Log!A4 style = %+v, want the date-time format", st)
	}
	if h, _ := f.GetRowHeight("Change Log", 4); h <= 20 {
		t.Errorf("Change Log row 4 is %v points high, want room for its wrapped text", h)
	}
	for tab, want := range map[string]string{"Change Log": `<autoFilter ref="A1:D4"/>`, "Needs Review": `<autoFilter ref="A2:C5"/>`} {
		if x := partOf(t, path, tab); !strings.Contains(x, want) {
			t.Errorf("%s: want %s, the filter over the new rows:\n%s", tab, want, x)
		}
	}
	if panes, err := f.GetPanes("Needs Review"); err != nil || !panes.Freeze || panes.YSplit != 2 {
		t.Errorf("Needs Review panes = %+v (%v), want 2 frozen rows kept", panes, err)
	}
}
