package sheets

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"

	"go.uber.org/zap"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.Charter = (*Workbook)(nil)

// chartsFields asks spreadsheets.get for the tab list with grid sizes and
// the id of every chart, nothing else.
const chartsFields = "sheets(properties(sheetId,title,gridProperties(rowCount,columnCount)),charts(chartId))"

// ChartID is the id sheetaudit gives its chart on the tab with the given
// sheetId. Sheets accepts a caller-chosen chartId on addChart, so deriving
// it from the tab finds "our" chart again without relying on its title,
// which people may edit. The id is an FNV-1a hash of the sheetId folded to
// a positive int32 (ids are int32 in the API; sheetIds range over all of
// int32, so sheetId*10+k would overflow). Sheets draws its own ids at
// random from the same range, so a clash with someone else's object is
// about one in two billion per object; PutBarChart then fails and deletes
// nothing.
func ChartID(sheetID int64) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte("sheetaudit/bar-chart/" + strconv.FormatInt(sheetID, 10)))
	id := int64(h.Sum32() & 0x7fffffff)
	if id == 0 {
		id = 1
	}
	return id
}

// PutBarChart implements audit.Charter: it deletes sheetaudit's previous
// chart on the tab (identified by ChartID) and adds the new one in a single
// batchUpdate, so readers see the old chart or the new one, never none or
// two. It costs one read and one write. Other charts on the tab stay.
// Errors wrap audit.ErrNotFound for a missing tab and audit.ErrInvalid for
// a chart that does not fit the tab's grid.
func (w *Workbook) PutBarChart(ctx context.Context, title string, c audit.BarChart) error {
	op := fmt.Sprintf("draw chart on tab %q", title)
	if c.FirstRow < 0 || c.LastRow <= c.FirstRow || c.LabelCol < 0 || c.ValueCol < 0 ||
		c.AnchorRow < 0 || c.AnchorCol < 0 || c.WidthPixels < 0 || c.HeightPixels < 0 {
		return fmt.Errorf("%s of spreadsheet %q: rows [%d, %d), label column %d, value column %d, anchor (%d, %d) do not describe a chart: %w",
			op, w.id, c.FirstRow, c.LastRow, c.LabelCol, c.ValueCol, c.AnchorRow, c.AnchorCol, audit.ErrInvalid)
	}
	var ss *sheets.Spreadsheet
	err := w.call(ctx, "spreadsheets.get", false, func(ctx context.Context) error {
		var err error
		ss, err = w.svc.Spreadsheets.Get(w.id).Fields(chartsFields).Context(ctx).Do()
		return err
	})
	if err != nil {
		return w.translate(err, op)
	}
	b := &book{}
	for _, s := range ss.Sheets {
		if s.Properties != nil {
			b.tabs = append(b.tabs, s.Properties)
		}
	}
	p, ok := b.find(title)
	if !ok {
		return fmt.Errorf("%s of spreadsheet %q: no such tab (tabs: %s); check the tab name: %w",
			op, w.id, b.titles(), audit.ErrNotFound)
	}
	id := ChartID(p.SheetId)
	var reqs []*sheets.Request
	for _, s := range ss.Sheets {
		for _, ch := range s.Charts {
			if ch.ChartId != id {
				continue
			}
			if s.Properties == nil || s.Properties.SheetId != p.SheetId {
				return fmt.Errorf("%s of spreadsheet %q: chart id %d, which sheetaudit uses for this tab, belongs to another tab's chart; move or delete that chart: %w",
					op, w.id, id, audit.ErrInvalid)
			}
			reqs = append(reqs, &sheets.Request{DeleteEmbeddedObject: &sheets.DeleteEmbeddedObjectRequest{ObjectId: id}})
		}
	}
	// The anchor must lie inside the grid: a report tab written by a
	// write-back is as wide as its rows, and the chart sits beside them.
	grown := false
	if g := p.GridProperties; g != nil {
		if n := c.AnchorCol + 1 - int(g.ColumnCount); n > 0 {
			reqs, grown = append(reqs, appendDimension(p.SheetId, "COLUMNS", n)), true
		}
		if n := c.AnchorRow + 1 - int(g.RowCount); n > 0 {
			reqs, grown = append(reqs, appendDimension(p.SheetId, "ROWS", n)), true
		}
	}
	reqs = append(reqs, &sheets.Request{AddChart: &sheets.AddChartRequest{Chart: barChart(id, p.SheetId, c)}})
	err = w.call(ctx, "spreadsheets.batchUpdate", true, func(ctx context.Context) error {
		_, err := w.svc.Spreadsheets.BatchUpdate(w.id, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).
			Fields("spreadsheetId").Context(ctx).Do()
		return err
	})
	if err != nil {
		return w.translate(err, op)
	}
	if grown {
		w.drop(p.SheetId) // its remembered grid size is no longer right
	}
	w.log.Debug("drew chart", zap.String("tab", p.Title), zap.Int64("chart_id", id),
		zap.Int("requests", len(reqs)))
	return nil
}

// barChart builds the EmbeddedChart: a BAR chart (horizontal bars, so long
// owner names stay readable) without legend, labels from LabelCol and
// lengths from ValueCol over the same rows.
func barChart(id, sheetID int64, c audit.BarChart) *sheets.EmbeddedChart {
	column := func(col int) *sheets.GridRange {
		return &sheets.GridRange{
			SheetId:          sheetID,
			StartRowIndex:    int64(c.FirstRow),
			EndRowIndex:      int64(c.LastRow),
			StartColumnIndex: int64(col),
			EndColumnIndex:   int64(col + 1),
			// Zero is a real index (and sheetId 0 the first tab); the
			// client's omitempty would drop it.
			ForceSendFields: []string{"SheetId", "StartRowIndex", "StartColumnIndex"},
		}
	}
	return &sheets.EmbeddedChart{
		ChartId: id,
		Spec: &sheets.ChartSpec{
			Title: c.Title,
			BasicChart: &sheets.BasicChartSpec{
				ChartType:      "BAR",
				LegendPosition: "NO_LEGEND",
				// Sent as 0: left out, Sheets guesses whether the first
				// row is a header and may swallow the first owner.
				HeaderCount:     0,
				ForceSendFields: []string{"HeaderCount"},
				Domains: []*sheets.BasicChartDomain{{Domain: &sheets.ChartData{
					SourceRange: &sheets.ChartSourceRange{Sources: []*sheets.GridRange{column(c.LabelCol)}},
				}}},
				Series: []*sheets.BasicChartSeries{{
					Series: &sheets.ChartData{
						SourceRange: &sheets.ChartSourceRange{Sources: []*sheets.GridRange{column(c.ValueCol)}},
					},
					TargetAxis: "BOTTOM_AXIS",
				}},
			},
		},
		Position: &sheets.EmbeddedObjectPosition{OverlayPosition: &sheets.OverlayPosition{
			AnchorCell: &sheets.GridCoordinate{
				SheetId: sheetID, RowIndex: int64(c.AnchorRow), ColumnIndex: int64(c.AnchorCol),
				ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"},
			},
			WidthPixels:  int64(c.WidthPixels),  // 0 is left out: Sheets' default 600
			HeightPixels: int64(c.HeightPixels), // 0 is left out: Sheets' default 371
		}},
	}
}
