package xlsx

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.Charter = (*Workbook)(nil)

// ChartName is the drawing-object name of sheetaudit's chart (the name
// Excel shows in the selection pane). It is how PutBarChart finds its
// previous chart; people rarely rename charts, and a renamed one is simply
// left alone.
const ChartName = "sheetaudit chart"

// Default size in pixels, excelize's own.
const (
	defaultChartWidth  = 480
	defaultChartHeight = 260
)

// PutBarChart implements audit.Charter with an excelize bar chart
// (horizontal bars, no legend) anchored at the chart's anchor cell. The
// previous chart named ChartName on the tab is deleted with its parts; other
// charts stay. The tab's cells keep their bytes (see editObjects). Errors
// wrap audit.ErrNotFound for a missing tab and audit.ErrInvalid for a chart
// outside Excel's grid.
func (w *Workbook) PutBarChart(ctx context.Context, title string, c audit.BarChart) error {
	if err := w.putBarChart(ctx, title, c); err != nil {
		return fmt.Errorf("draw chart on tab %q: %w", title, err)
	}
	return nil
}

func (w *Workbook) putBarChart(ctx context.Context, title string, bc audit.BarChart) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if bc.FirstRow < 0 || bc.LastRow <= bc.FirstRow || bc.LastRow > maxRows ||
		bc.LabelCol < 0 || bc.LabelCol >= maxCols || bc.ValueCol < 0 || bc.ValueCol >= maxCols ||
		bc.AnchorRow < 0 || bc.AnchorRow >= maxRows || bc.AnchorCol < 0 || bc.AnchorCol >= maxCols ||
		bc.WidthPixels < 0 || bc.HeightPixels < 0 {
		return fmt.Errorf("rows [%d, %d), label column %d, value column %d, anchor (%d, %d) do not describe a chart on an Excel sheet: %w",
			bc.FirstRow, bc.LastRow, bc.LabelCol, bc.ValueCol, bc.AnchorRow, bc.AnchorCol, audit.ErrInvalid)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c, sh, err := w.objectsTab(title)
	if err != nil {
		return err
	}
	anchors, err := chartAnchors(c, sh)
	if err != nil {
		return err
	}
	var ours []string
	for _, a := range anchors {
		if a.name == ChartName {
			ours = append(ours, a.cell)
		}
	}
	for _, a := range anchors {
		// excelize deletes every chart anchored at a cell.
		if a.name != ChartName && slicesContains(ours, a.cell) {
			return fmt.Errorf("chart %q shares its top-left cell %s with sheetaudit's chart; move it and run again: %w", a.name, a.cell, audit.ErrInvalid)
		}
	}
	anchor, _ := excelize.CoordinatesToCellName(bc.AnchorCol+1, bc.AnchorRow+1)
	chart := &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{{
			// The cell above the values, normally their column header.
			// Hidden with the legend, but an empty series reference can
			// make Excel call the file damaged.
			Name:       quoteSheet(sh.name) + "!" + absRange(bc.ValueCol, max(bc.FirstRow-1, 0), max(bc.FirstRow-1, 0)),
			Categories: quoteSheet(sh.name) + "!" + absRange(bc.LabelCol, bc.FirstRow, bc.LastRow-1),
			Values:     quoteSheet(sh.name) + "!" + absRange(bc.ValueCol, bc.FirstRow, bc.LastRow-1),
		}},
		Legend: excelize.ChartLegend{Position: "none"},
		// Categories from the top down, in the order of the rows (the
		// most stale owner first), as Google draws a bar chart.
		XAxis: excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
		YAxis: excelize.ChartAxis{Font: axisFont},
		// Each bar says its count, readable on a phone without the axis.
		PlotArea:   excelize.ChartPlotArea{ShowVal: true},
		VaryColors: new(false),
		Dimension: excelize.ChartDimension{
			Width:  uint(cmpOr(bc.WidthPixels, defaultChartWidth)),
			Height: uint(cmpOr(bc.HeightPixels, defaultChartHeight)),
		},
		Format: excelize.GraphicOptions{Name: ChartName, AltText: bc.Title},
	}
	if bc.Title != "" {
		chart.Title = excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: bc.Title}}}
	}
	start := time.Now()
	err = w.editObjects(ctx, c, sh, false, func(f *excelize.File, sheet string) (bool, error) {
		for _, cell := range ours {
			if err := f.DeleteChart(sheet, cell); err != nil {
				return false, fmt.Errorf("delete the previous chart at %s: %w", cell, err)
			}
		}
		before := chartPartNames(f)
		if err := f.AddChart(sheet, anchor, chart); err != nil {
			return false, fmt.Errorf("add the chart: %w: %w", audit.ErrInvalid, err)
		}
		for name := range chartPartNames(f) {
			if before[name] {
				continue
			}
			if err := fillChartCache(f, sheet, name, bc); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	w.log.Debug("chart drawn", zap.String("file", w.path), zap.String("tab", sh.name),
		zap.Int("replaced", len(ours)), zap.Duration("duration", time.Since(start)))
	return nil
}

// axisFont writes axis labels dark enough to read (excelize's default is
// a pale grey).
var axisFont = excelize.Font{Color: "404040", Size: 10}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// quoteSheet quotes a tab name for a formula reference, always: quoting is
// valid for every name and needed for many ("Staleness Report").
func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// absRange is $C$r0:$C$r1 for 0-based column col and rows r0..r1.
func absRange(col, r0, r1 int) string {
	c, _ := excelize.ColumnNumberToName(col + 1)
	return "$" + c + "$" + strconv.Itoa(r0+1) + ":$" + c + "$" + strconv.Itoa(r1+1)
}

// chartAnchor is one chart in a tab's drawing: its object name and the
// cell of its top-left corner.
type chartAnchor struct {
	name, cell string
}

// chartAnchors lists the charts (graphic frames) of the tab's drawing part.
func chartAnchors(c *openFile, sh bookSheet) ([]chartAnchor, error) {
	rels, err := sheetRels(c, sh)
	if err != nil {
		return nil, err
	}
	var part string
	for _, r := range rels {
		if strings.HasSuffix(r.typ, relDrawing) {
			part = r.target
		}
	}
	f, ok := c.book.entries[part]
	if part == "" || !ok {
		return nil, nil
	}
	b, err := readEntry(f)
	if err != nil {
		return nil, err
	}
	return parseChartAnchors(b)
}

// parseChartAnchors reads the anchors of a drawing part that hold a graphic
// frame (charts; pictures and shapes are other elements).
func parseChartAnchors(b []byte) ([]chartAnchor, error) {
	var out []chartAnchor
	d := xml.NewDecoder(bytes.NewReader(b))
	depth := 0
	var cur *struct {
		name     string
		col, row int
		frame    bool
	}
	var field *int // the <from><col>/<row> being read
	inFrom := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parse drawing: %w: %w", audit.ErrInvalid, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && strings.HasSuffix(t.Name.Local, "Anchor") {
				cur = &struct {
					name     string
					col, row int
					frame    bool
				}{}
				continue
			}
			if cur == nil {
				continue
			}
			switch t.Name.Local {
			case "from":
				inFrom = depth == 3
			case "col":
				if inFrom {
					field = &cur.col
				}
			case "row":
				if inFrom {
					field = &cur.row
				}
			case "graphicFrame":
				cur.frame = true
			case "cNvPr":
				if cur.frame {
					for _, a := range t.Attr {
						if a.Name.Local == "name" {
							cur.name = a.Value
						}
					}
				}
			}
		case xml.CharData:
			if field != nil {
				if n, err := strconv.Atoi(strings.TrimSpace(string(t))); err == nil {
					*field = n
				}
			}
		case xml.EndElement:
			field = nil
			if t.Name.Local == "from" {
				inFrom = false
			}
			if depth == 2 && cur != nil {
				if cur.frame {
					cell, _ := excelize.CoordinatesToCellName(cur.col+1, cur.row+1)
					out = append(out, chartAnchor{name: cur.name, cell: cell})
				}
				cur = nil
			}
			depth--
		}
	}
}

// chartPartNames lists the chart parts of the package excelize holds.
func chartPartNames(f *excelize.File) map[string]bool {
	out := map[string]bool{}
	f.Pkg.Range(func(k, _ any) bool {
		if name, ok := k.(string); ok && strings.HasPrefix(name, "xl/charts/chart") && strings.HasSuffix(name, ".xml") {
			out[name] = true
		}
		return true
	})
	return out
}

// fillChartCache writes the values the chart shows into its part's caches
// (the series name, category and value caches), which excelize leaves
// empty. Excel and LibreOffice read the cells again on opening, but
// previews (a phone's file viewer, a mail attachment, WPS's preview) draw
// only what the cache holds: an empty cache is an empty chart there.
func fillChartCache(f *excelize.File, sheet, part string, bc audit.BarChart) error {
	v, ok := f.Pkg.Load(part)
	b, isBytes := v.([]byte)
	if !ok || !isBytes {
		return nil
	}
	cell := func(col, row int) string {
		name, _ := excelize.CoordinatesToCellName(col+1, row+1)
		s, err := f.GetCellValue(sheet, name, excelize.Options{RawCellValue: true})
		if err != nil {
			return ""
		}
		return s
	}
	var labels, values bytes.Buffer
	n := bc.LastRow - bc.FirstRow
	for i := range n {
		row := bc.FirstRow + i
		fmt.Fprintf(&labels, `<pt idx="%d"><v>`, i)
		_ = xml.EscapeText(&labels, []byte(cell(bc.LabelCol, row)))
		labels.WriteString(`</v></pt>`)
		if num, err := strconv.ParseFloat(strings.TrimSpace(cell(bc.ValueCol, row)), 64); err == nil {
			fmt.Fprintf(&values, `<pt idx="%d"><v>%s</v></pt>`, i, strconv.FormatFloat(num, 'f', -1, 64))
		}
	}
	var name bytes.Buffer
	_ = xml.EscapeText(&name, []byte(cell(bc.ValueCol, max(bc.FirstRow-1, 0))))
	count := fmt.Sprintf(`<ptCount val="%d"/>`, n)
	out, hits := b, 0
	replace := func(re *regexp.Regexp, cache string) {
		out = re.ReplaceAllFunc(out, func(m []byte) []byte {
			hits++
			sub := re.FindSubmatch(m)
			return []byte(string(sub[1]) + cache + string(sub[2]))
		})
	}
	replace(txRef, `<strCache><ptCount val="1"/><pt idx="0"><v>`+name.String()+`</v></pt></strCache>`)
	replace(catRef, `<strCache>`+count+labels.String()+`</strCache>`)
	replace(valRef, `<numCache><formatCode>General</formatCode>`+count+values.String()+`</numCache>`)
	if hits != 3 {
		return fmt.Errorf("fill the chart's cache: %d of its 3 references found in %s: %w", hits, part, audit.ErrInvalid)
	}
	f.Pkg.Store(part, out)
	return nil
}

// The references of the one series excelize writes, with the cache that
// follows each (none, or an empty numCache), in the chart part's default
// namespace, as excelize writes them.
var (
	txRef  = regexp.MustCompile(`(<tx><strRef><f>[^<]*</f>)(</strRef></tx>)`)
	catRef = regexp.MustCompile(`(<cat><strRef><f>[^<]*</f>)(</strRef></cat>)`)
	valRef = regexp.MustCompile(`(<val><numRef><f>[^<]*</f>)(?:<numCache>.*?</numCache>)?(</numRef></val>)`)
)
