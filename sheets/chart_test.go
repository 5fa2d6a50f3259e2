package sheets

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// chartOf is what a test checks of a chart read back through the API.
type chartOf struct {
	ID                 int64
	Title, Type        string
	Labels, Values     [5]int64 // sheetId, rows [start, end), columns [start, end)
	AnchorRow, AnchorC int64
	Width, Height      int64
}

func gridOf(g *sheets.GridRange) [5]int64 {
	return [5]int64{g.SheetId, g.StartRowIndex, g.EndRowIndex, g.StartColumnIndex, g.EndColumnIndex}
}

// chartsOn reads the charts of tab through spreadsheets.get, as a client
// would.
func chartsOn(t *testing.T, wb *Workbook, tab string) []chartOf {
	t.Helper()
	ss, err := wb.svc.Spreadsheets.Get(wb.id).
		Fields("sheets(properties(title),charts(chartId,spec(title,basicChart),position))").Do()
	if err != nil {
		t.Fatal(err)
	}
	var out []chartOf
	for _, s := range ss.Sheets {
		if s.Properties.Title != tab {
			continue
		}
		for _, c := range s.Charts {
			b := c.Spec.BasicChart
			o := c.Position.OverlayPosition
			out = append(out, chartOf{
				ID: c.ChartId, Title: c.Spec.Title, Type: b.ChartType,
				Labels:    gridOf(b.Domains[0].Domain.SourceRange.Sources[0]),
				Values:    gridOf(b.Series[0].Series.SourceRange.Sources[0]),
				AnchorRow: o.AnchorCell.RowIndex, AnchorC: o.AnchorCell.ColumnIndex,
				Width: o.WidthPixels, Height: o.HeightPixels,
			})
		}
	}
	return out
}

func TestPutBarChartReplaces(t *testing.T) {
	// "A Report" sorts first, so it is the tab with sheetId 0: the zero
	// indexes and id must still reach Sheets.
	for _, tab := range []string{"A Report", "Staleness Report"} {
		t.Run(tab, func(t *testing.T) {
			srv := startBook(t, sheetstest.Options{}, map[string][][]string{
				"A Report": {{"owner", "stale"}, {"张三", "4"}}, "Staleness Report": {{"owner", "stale"}, {"李四", "2"}},
			})
			wb := openBook(t, srv, Options{})
			ctx := context.Background()
			ids, _ := srv.TabIDs(testID)
			sid := ids[tab]

			// Someone's own chart on the same tab must survive.
			own := barChart(12345, sid, audit.BarChart{Title: "mine", FirstRow: 0, LastRow: 2, LabelCol: 0, ValueCol: 1})
			if _, err := wb.svc.Spreadsheets.BatchUpdate(wb.id, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
				{AddChart: &sheets.AddChartRequest{Chart: own}},
			}}).Do(); err != nil {
				t.Fatal(err)
			}

			first := audit.BarChart{Title: "Stale records per owner", FirstRow: 1, LastRow: 8, LabelCol: 0, ValueCol: 1,
				AnchorRow: 0, AnchorCol: 3}
			if err := wb.PutBarChart(ctx, tab, first); err != nil {
				t.Fatalf("PutBarChart: %v", err)
			}
			second := audit.BarChart{Title: "Stale records per owner (W48)", FirstRow: 2, LastRow: 12, LabelCol: 0, ValueCol: 2,
				AnchorRow: 1, AnchorCol: 5, WidthPixels: 640, HeightPixels: 360}
			writes := countKind(srv, "spreadsheets.batchUpdate")
			if err := wb.PutBarChart(ctx, tab, second); err != nil {
				t.Fatalf("PutBarChart again: %v", err)
			}
			if n := countKind(srv, "spreadsheets.batchUpdate") - writes; n != 1 {
				t.Errorf("replacing the chart took %d batchUpdate calls, want 1 (atomic)", n)
			}

			want := []chartOf{
				{ID: 12345, Title: "mine", Type: "BAR", Labels: [5]int64{sid, 0, 2, 0, 1}, Values: [5]int64{sid, 0, 2, 1, 2}},
				{ID: ChartID(sid), Title: "Stale records per owner (W48)", Type: "BAR",
					Labels: [5]int64{sid, 2, 12, 0, 1}, Values: [5]int64{sid, 2, 12, 2, 3},
					AnchorRow: 1, AnchorC: 5, Width: 640, Height: 360},
			}
			if diff := cmp.Diff(want, chartsOn(t, wb, tab)); diff != "" {
				t.Errorf("charts mismatch (-want +got):\n%s", diff)
			}
			// headerCount 0 must be sent: left out, Sheets would guess.
			charts, _ := srv.Charts(testID, tab)
			basic := charts[1]["spec"].(map[string]any)["basicChart"].(map[string]any)
			if hc, ok := basic["headerCount"]; !ok || hc.(interface{ String() string }).String() != "0" {
				t.Errorf("headerCount = %v (sent: %v), want 0 sent", hc, ok)
			}
		})
	}
}

func TestPutBarChartErrors(t *testing.T) {
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": {{"x"}}, "Report": {{"a", "1"}}})
	wb := openBook(t, srv, Options{})
	ctx := context.Background()
	ok := audit.BarChart{Title: "t", FirstRow: 0, LastRow: 1, LabelCol: 0, ValueCol: 1}
	if err := wb.PutBarChart(ctx, "Report", ok); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		tab   string
		chart audit.BarChart
		want  error
	}{
		{"missing tab", "Nope", ok, audit.ErrNotFound},
		{"no rows", "Report", audit.BarChart{FirstRow: 3, LastRow: 3, ValueCol: 1}, audit.ErrInvalid},
		{"negative column", "Report", audit.BarChart{LastRow: 2, LabelCol: -1}, audit.ErrInvalid},
		// Rejected by Sheets (the emulator): the old chart must stay.
		{"rows beyond the grid", "Report", audit.BarChart{FirstRow: 1, LastRow: 5000, ValueCol: 1}, audit.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := wb.PutBarChart(ctx, tt.tab, tt.chart); !errors.Is(err, tt.want) {
				t.Errorf("PutBarChart = %v, want %v", err, tt.want)
			}
			if got := chartsOn(t, wb, "Report"); len(got) != 1 || got[0].Title != "t" {
				t.Errorf("charts after a failed put = %+v, want the earlier one", got)
			}
		})
	}
}

func TestChartID(t *testing.T) {
	seen := map[int64]int64{}
	for _, sid := range []int64{0, 1, 2, 7, 1_234_567, 2_147_483_647} {
		id := ChartID(sid)
		if id <= 0 || id > 2_147_483_647 {
			t.Errorf("ChartID(%d) = %d, want a positive int32", sid, id)
		}
		if other, dup := seen[id]; dup {
			t.Errorf("ChartID(%d) = ChartID(%d) = %d", sid, other, id)
		}
		seen[id] = sid
		if ChartID(sid) != id {
			t.Errorf("ChartID(%d) is not deterministic", sid)
		}
	}
}

// TestReportChartReadsNumbers writes the Staleness Report tab as the weekly
// report does (typed cells in one write-back, then the chart) and reads it
// back through the real client against the emulator: the chart's value
// range holds numbers (numberValue, not a string), its label range the
// owners, so the bars have something to draw.
func TestReportChartReadsNumbers(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"Data": {{"id"}, {"1"}}})
	wb := openBook(t, srv, Options{})
	r := audit.Report{Sheet: "s", Week: "2026-W49", Produced: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), FirstWeek: true}
	for i, o := range []string{"张三", "张三", "李四", "张三", "李四", "王五"} {
		r.Items = append(r.Items, audit.StaleItem{Key: fmt.Sprintf("C%d", i), Owner: o, Row: i + 2,
			DaysSince: 40 + i, Threshold: 30, DaysOverdue: 10 + i, Rule: "default", Explanation: "stale"})
	}
	tab := r.Tab("zh-CN")
	if err := wb.WriteBack(ctx, &audit.WriteBack{Location: time.UTC, Tabs: []audit.TabWrite{{Title: "超期报告", Rows: tab.Rows,
		Layout: &audit.Layout{HeaderRows: 1}}}}); err != nil {
		t.Fatal(err)
	}
	if err := wb.PutBarChart(ctx, "超期报告", audit.BarChart{Title: tab.ChartTitle, FirstRow: tab.ChartFirst,
		LastRow: tab.ChartLast, LabelCol: 0, ValueCol: 1, AnchorRow: 1, AnchorCol: 10}); err != nil {
		t.Fatal(err)
	}
	charts := chartsOn(t, wb, "超期报告")
	if len(charts) != 1 {
		t.Fatalf("charts = %+v, want one", charts)
	}
	c := charts[0]
	ss, err := wb.svc.Spreadsheets.Get(testID).Ranges("超期报告").IncludeGridData(true).
		Fields("sheets(properties(sheetId),data(rowData(values(userEnteredValue,effectiveValue))))").Context(ctx).Do()
	if err != nil {
		t.Fatal(err)
	}
	sh := ss.Sheets[0]
	if c.Values[0] != sh.Properties.SheetId || c.Labels[0] != sh.Properties.SheetId {
		t.Fatalf("chart ranges %v, %v are not on the report tab %d", c.Labels, c.Values, sh.Properties.SheetId)
	}
	cell := func(row, col int64) *sheets.CellData {
		rows := sh.Data[0].RowData
		if row >= int64(len(rows)) || col >= int64(len(rows[row].Values)) {
			return &sheets.CellData{}
		}
		return rows[row].Values[col]
	}
	var labels []string
	var values []float64
	for row := c.Values[1]; row < c.Values[2]; row++ {
		v := cell(row, c.Values[3])
		if v.UserEnteredValue == nil || v.UserEnteredValue.NumberValue == nil || v.UserEnteredValue.StringValue != nil {
			t.Errorf("chart value cell row %d = %+v, want a number", row+1, v.UserEnteredValue)
			continue
		}
		if v.EffectiveValue == nil || v.EffectiveValue.NumberValue == nil {
			t.Errorf("chart value cell row %d shows %+v, want a number", row+1, v.EffectiveValue)
		}
		values = append(values, *v.UserEnteredValue.NumberValue)
		if l := cell(row, c.Labels[3]).UserEnteredValue; l != nil && l.StringValue != nil {
			labels = append(labels, *l.StringValue)
		}
	}
	if diff := cmp.Diff([]float64{3, 2, 1}, values); diff != "" {
		t.Errorf("chart values (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"张三", "李四", "王五"}, labels); diff != "" {
		t.Errorf("chart labels (-want +got):\n%s", diff)
	}
	if c.Labels[1] != c.Values[1] || c.Labels[2] != c.Values[2] {
		t.Errorf("labels %v and values %v cover different rows", c.Labels, c.Values)
	}
}
