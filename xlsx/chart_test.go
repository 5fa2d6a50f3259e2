package xlsx

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/sheetaudit/sheetaudit/audit"
)

var chartPart = regexp.MustCompile(`^xl/charts/chart\d+\.xml$`)

// chartParts returns the chart parts of a saved package by name.
func chartParts(parts map[string]string) map[string]string {
	out := map[string]string{}
	for name, b := range parts {
		if chartPart.MatchString(name) {
			out[name] = b
		}
	}
	return out
}

// reportBook is a workbook with a data tab, a report tab, and a person's
// own chart on the data tab.
func reportBook(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	f := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Data"))
	must(f.SetSheetRow("Data", "A1", &[]any{"month", "deals"}))
	must(f.SetSheetRow("Data", "A2", &[]any{"Jan", 3}))
	must(f.SetSheetRow("Data", "A3", &[]any{"Feb", 5}))
	must(f.AddChart("Data", "D2", &excelize.Chart{Type: excelize.Col,
		Series: []excelize.ChartSeries{{Categories: "Data!$A$2:$A$3", Values: "Data!$B$2:$B$3"}},
		Format: excelize.GraphicOptions{Name: "deals by month"}}))
	_, err := f.NewSheet("Staleness Report")
	must(err)
	must(f.SaveAs(path))
	must(f.Close())
	return path
}

func TestPutBarChartReplaces(t *testing.T) {
	ctx := context.Background()
	path := reportBook(t)
	w := openTest(t, path)
	report := [][]string{{"负责人", "stale"}, {"张三", "4"}, {"李四", "2"}, {"王五", "1"}}
	if err := w.ReplaceTab(ctx, "Staleness Report", report); err != nil {
		t.Fatal(err)
	}
	before := rawParts(t, path)
	userChart := chartParts(before)
	if len(userChart) != 1 {
		t.Fatalf("fixture chart parts = %v, want 1", slices.Sorted(maps.Keys(userChart)))
	}

	put := func(c audit.BarChart) map[string]string {
		t.Helper()
		if err := w.PutBarChart(ctx, "Staleness Report", c); err != nil {
			t.Fatalf("PutBarChart: %v", err)
		}
		return rawParts(t, path)
	}
	first := put(audit.BarChart{Title: "Stale records per owner", FirstRow: 1, LastRow: 8, LabelCol: 0, ValueCol: 1, AnchorRow: 0, AnchorCol: 3})
	// The report is rewritten each week; the chart stays attached.
	if err := w.ReplaceTab(ctx, "Staleness Report", report); err != nil {
		t.Fatal(err)
	}
	second := put(audit.BarChart{Title: "W48", FirstRow: 1, LastRow: 4, LabelCol: 0, ValueCol: 1, AnchorRow: 5, AnchorCol: 4,
		WidthPixels: 640, HeightPixels: 320})
	third := put(audit.BarChart{Title: "W49", FirstRow: 2, LastRow: 9, LabelCol: 2, ValueCol: 3, AnchorRow: 1, AnchorCol: 6})

	for i, parts := range []map[string]string{first, second, third} {
		charts := chartParts(parts)
		if len(charts) != 2 {
			t.Errorf("put %d: chart parts %v, want the person's and sheetaudit's", i+1, slices.Sorted(maps.Keys(charts)))
		}
		for name, b := range userChart {
			if charts[name] != b {
				t.Errorf("put %d: the person's chart %s changed", i+1, name)
			}
		}
		if n := strings.Count(parts["[Content_Types].xml"], "/xl/charts/chart"); n != 2 {
			t.Errorf("put %d: %d chart overrides in [Content_Types].xml, want 2", i+1, n)
		}
		// Only the report tab's objects may change; the data tab and
		// everything else keep their bytes.
		for _, p := range changedParts(before, parts) {
			switch {
			case p == "xl/worksheets/sheet2.xml":
				if withoutRefs(parts[p]) != withoutRefs(before[p]) {
					t.Errorf("put %d: report tab cells changed", i+1)
				}
			case p == "[Content_Types].xml", p == "xl/worksheets/_rels/sheet2.xml.rels",
				chartPart.MatchString(p), regexp.MustCompile(`^xl/drawings/(_rels/)?drawing\d+\.xml(\.rels)?$`).MatchString(p):
			default:
				t.Errorf("put %d: part %s changed", i+1, p)
			}
		}
	}

	// Exactly one sheetaudit chart on the tab, drawn from the last ranges.
	var ours []string
	for name, b := range chartParts(third) {
		if _, user := userChart[name]; !user {
			ours = append(ours, b)
		}
	}
	if len(ours) != 1 {
		t.Fatalf("sheetaudit chart parts = %d, want 1", len(ours))
	}
	dir, refs, texts := chartFacts(t, ours[0])
	if dir != "bar" {
		t.Errorf("barDir = %q, want bar (horizontal bars)", dir)
	}
	wantRefs := []string{`'Staleness Report'!$D$2:$D$2`, `'Staleness Report'!$C$3:$C$9`, `'Staleness Report'!$D$3:$D$9`}
	if diff := cmp.Diff(wantRefs, refs); diff != "" {
		t.Errorf("chart references mismatch (-want +got):\n%s", diff)
	}
	if !slices.Contains(texts, "W49") {
		t.Errorf("chart texts %q lack the title W49", texts)
	}
	c, err := w.load()
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := c.book.sheet("Staleness Report")
	anchors, err := chartAnchors(c, sh)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]chartAnchor{{name: ChartName, cell: "G2"}}, anchors, cmp.AllowUnexported(chartAnchor{})); diff != "" {
		t.Errorf("anchors on the report tab mismatch (-want +got):\n%s", diff)
	}
	data, _ := c.book.sheet("Data")
	if anchors, _ := chartAnchors(c, data); len(anchors) != 1 || anchors[0].name != "deals by month" {
		t.Errorf("anchors on the data tab = %+v, want the person's chart", anchors)
	}

	tab, err := w.ReadTab(ctx, "Staleness Report")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(report, tab.Values); diff != "" {
		t.Errorf("report values mismatch (-want +got):\n%s", diff)
	}
	g, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("saved file does not open: %v", err)
	}
	defer g.Close()
	for _, s := range g.GetSheetList() {
		if _, err := g.GetRows(s); err != nil {
			t.Errorf("tab %q: %v", s, err)
		}
	}
}

func TestPutBarChartErrors(t *testing.T) {
	ctx := context.Background()
	path := reportBook(t)
	w := openTest(t, path)
	before := rawParts(t, path)
	tests := []struct {
		name  string
		tab   string
		chart audit.BarChart
		want  error
	}{
		{"missing tab", "Nope", audit.BarChart{LastRow: 2, ValueCol: 1}, audit.ErrNotFound},
		{"no rows", "Staleness Report", audit.BarChart{FirstRow: 2, LastRow: 2}, audit.ErrInvalid},
		{"beyond Excel's columns", "Staleness Report", audit.BarChart{LastRow: 2, ValueCol: maxCols}, audit.ErrInvalid},
		{"negative anchor", "Staleness Report", audit.BarChart{LastRow: 2, AnchorRow: -1}, audit.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := w.PutBarChart(ctx, tt.tab, tt.chart); !errors.Is(err, tt.want) {
				t.Errorf("PutBarChart = %v, want %v", err, tt.want)
			}
		})
	}
	if !maps.Equal(before, rawParts(t, path)) {
		t.Error("a failed PutBarChart changed the file")
	}
}

func TestParseChartAnchors(t *testing.T) {
	drawing := `<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">` +
		`<xdr:twoCellAnchor><xdr:from><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>` +
		`<xdr:to><xdr:col>9</xdr:col><xdr:row>20</xdr:row></xdr:to>` +
		`<xdr:graphicFrame><xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="sheetaudit chart"/></xdr:nvGraphicFramePr></xdr:graphicFrame></xdr:twoCellAnchor>` +
		`<xdr:oneCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:row>30</xdr:row></xdr:from>` +
		`<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="3" name="logo"/></xdr:nvPicPr></xdr:pic></xdr:oneCellAnchor>` +
		`<xdr:twoCellAnchor editAs="oneCell"><xdr:from><xdr:col>27</xdr:col><xdr:row>0</xdr:row></xdr:from>` +
		`<xdr:graphicFrame><xdr:nvGraphicFramePr><xdr:cNvPr id="4" name="Chart 4"/></xdr:nvGraphicFramePr></xdr:graphicFrame></xdr:twoCellAnchor>` +
		`</xdr:wsDr>`
	got, err := parseChartAnchors([]byte(drawing))
	if err != nil {
		t.Fatal(err)
	}
	want := []chartAnchor{{name: ChartName, cell: "D2"}, {name: "Chart 4", cell: "AB1"}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(chartAnchor{})); diff != "" {
		t.Errorf("anchors mismatch (-want +got):\n%s", diff)
	}
}

// chartFacts reads a chart part: the bar direction, the formula references
// (series name, categories, values) and the texts (the title).
func chartFacts(t *testing.T, part string) (barDir string, refs, texts []string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(part))
	var in string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return barDir, refs, texts
		}
		if err != nil {
			t.Fatalf("parse chart: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			in = tk.Name.Local
			if in == "barDir" {
				for _, a := range tk.Attr {
					if a.Name.Local == "val" {
						barDir = a.Value
					}
				}
			}
		case xml.CharData:
			switch in {
			case "f":
				refs = append(refs, string(tk))
			case "t":
				texts = append(texts, string(tk))
			}
		case xml.EndElement:
			in = ""
		}
	}
}

// staleReport is a week's report with stale rows of three owners: the
// chart's bars are 3, 2 and 1.
func staleReport() audit.Report {
	r := audit.Report{Sheet: "s", Week: "2026-W49", Produced: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), FirstWeek: true}
	for i, o := range []string{"张三", "张三", "李四", "张三", "李四", "Bob & <Ann>"} {
		r.Items = append(r.Items, audit.StaleItem{Key: "C" + strconv.Itoa(i), Owner: o, Row: i + 2,
			DaysSince: 40 + i, Threshold: 30, DaysOverdue: 10 + i, Rule: "default", Explanation: "stale"})
	}
	r.Stale, r.Active, r.Rows = len(r.Items), 10, 10
	return r
}

// TestReportChartReadsNumbers writes the Staleness Report tab as the
// weekly report does (typed cells in one write-back, then the chart) and
// reads the file back: the chart's source cells are numbers (t="n"), its
// references name them, and its caches hold what it shows, so even a
// viewer that draws only the cache shows the bars.
func TestReportChartReadsNumbers(t *testing.T) {
	ctx := context.Background()
	path := reportBook(t)
	w := openTest(t, path)
	tab := staleReport().Tab("zh-CN")
	if err := w.WriteBack(ctx, &audit.WriteBack{Tabs: []audit.TabWrite{{Title: "Staleness Report", Rows: tab.Rows,
		Layout: &audit.Layout{HeaderRows: 1, Widths: []int{150, 200}}}}}); err != nil {
		t.Fatal(err)
	}
	if err := w.PutBarChart(ctx, "Staleness Report", audit.BarChart{Title: tab.ChartTitle, FirstRow: tab.ChartFirst,
		LastRow: tab.ChartLast, LabelCol: 0, ValueCol: 1, AnchorRow: 1, AnchorCol: 10}); err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var labels, values []string
	for r := tab.ChartFirst + 1; r <= tab.ChartLast; r++ {
		a, b := "A"+strconv.Itoa(r), "B"+strconv.Itoa(r)
		if typ, err := f.GetCellType("Staleness Report", b); err != nil || typ != excelize.CellTypeNumber {
			t.Errorf("chart source cell %s is %v (%v), want a number", b, typ, err)
		}
		la, _ := f.GetCellValue("Staleness Report", a)
		vb, _ := f.GetCellValue("Staleness Report", b)
		labels, values = append(labels, la), append(values, vb)
	}
	if want := []string{"3", "2", "1"}; !cmp.Equal(values, want) {
		t.Errorf("chart values %q, want %q", values, want)
	}
	sheetXML := partOf(t, path, "Staleness Report")
	if !strings.Contains(sheetXML, `<c r="B`+strconv.Itoa(tab.ChartFirst+1)+`" s="`) ||
		!regexp.MustCompile(`<c r="B`+strconv.Itoa(tab.ChartFirst+1)+`" [^>]*t="n"><v>3</v>`).MatchString(sheetXML) {
		t.Errorf("the first bar's cell is not written t=\"n\":\n%s", sheetXML)
	}

	var ours string
	for name, b := range chartParts(rawParts(t, path)) {
		if !strings.Contains(b, "deals by month") && strings.Contains(b, "Staleness Report") {
			ours = name
		}
	}
	if ours == "" {
		t.Fatal("no chart on the report tab")
	}
	_, refs, _ := chartFacts(t, rawParts(t, path)[ours])
	first, last := strconv.Itoa(tab.ChartFirst+1), strconv.Itoa(tab.ChartLast)
	wantRefs := []string{`'Staleness Report'!$B$` + strconv.Itoa(tab.ChartFirst) + `:$B$` + strconv.Itoa(tab.ChartFirst),
		`'Staleness Report'!$A$` + first + `:$A$` + last, `'Staleness Report'!$B$` + first + `:$B$` + last}
	if diff := cmp.Diff(wantRefs, refs); diff != "" {
		t.Errorf("chart references (-want +got):\n%s", diff)
	}
	cache := chartCache(t, rawParts(t, path)[ours])
	name, _ := f.GetCellValue("Staleness Report", "B"+strconv.Itoa(tab.ChartFirst))
	want := map[string][]string{"tx": {name}, "cat": labels, "val": values}
	if diff := cmp.Diff(want, cache); diff != "" {
		t.Errorf("chart caches (-want +got):\n%s", diff)
	}
}

// chartCache reads the cached points of a chart part's series name (tx),
// categories (cat) and values (val), checking each cache's ptCount.
func chartCache(t *testing.T, part string) map[string][]string {
	t.Helper()
	type pt struct {
		Idx int    `xml:"idx,attr"`
		V   string `xml:"v"`
	}
	type cache struct {
		Count struct {
			Val int `xml:"val,attr"`
		} `xml:"ptCount"`
		Pts []pt `xml:"pt"`
	}
	type ref struct {
		Str *cache `xml:"strRef>strCache"`
		Num *cache `xml:"numRef>numCache"`
	}
	var cs struct {
		Ser []struct {
			Tx  ref `xml:"tx"`
			Cat ref `xml:"cat"`
			Val ref `xml:"val"`
		} `xml:"chart>plotArea>barChart>ser"`
	}
	if err := xml.Unmarshal([]byte(part), &cs); err != nil {
		t.Fatalf("parse chart: %v", err)
	}
	if len(cs.Ser) != 1 {
		t.Fatalf("%d series, want 1", len(cs.Ser))
	}
	out := map[string][]string{}
	for name, r := range map[string]ref{"tx": cs.Ser[0].Tx, "cat": cs.Ser[0].Cat, "val": cs.Ser[0].Val} {
		c := r.Str
		if c == nil {
			c = r.Num
		}
		if c == nil {
			t.Errorf("%s has no cache", name)
			continue
		}
		vals := make([]string, c.Count.Val)
		for _, p := range c.Pts {
			if p.Idx < 0 || p.Idx >= len(vals) {
				t.Errorf("%s point %d outside ptCount %d", name, p.Idx, c.Count.Val)
				continue
			}
			vals[p.Idx] = p.V
		}
		out[name] = vals
	}
	return out
}
