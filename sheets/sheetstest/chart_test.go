package sheetstest_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// column is rows [r0, r1) of one column of sheet id, with the zero indexes
// sent explicitly.
func column(id int64, r0, r1, col int64) *sheets.GridRange {
	return &sheets.GridRange{SheetId: id, StartRowIndex: r0, EndRowIndex: r1, StartColumnIndex: col, EndColumnIndex: col + 1,
		ForceSendFields: []string{"SheetId", "StartRowIndex", "StartColumnIndex"}}
}

// barChart is an EmbeddedChart on sheet id anchored at (row, col), drawn
// from labels and values.
func barChart(id, chartID int64, typ, axis string, labels, values *sheets.GridRange, row, col int64) *sheets.EmbeddedChart {
	return &sheets.EmbeddedChart{
		ChartId: chartID,
		Spec: &sheets.ChartSpec{Title: "Stale per owner", BasicChart: &sheets.BasicChartSpec{
			ChartType: typ, LegendPosition: "NO_LEGEND",
			Domains: []*sheets.BasicChartDomain{{Domain: &sheets.ChartData{SourceRange: &sheets.ChartSourceRange{Sources: []*sheets.GridRange{labels}}}}},
			Series: []*sheets.BasicChartSeries{{Series: &sheets.ChartData{SourceRange: &sheets.ChartSourceRange{Sources: []*sheets.GridRange{values}}},
				TargetAxis: axis}},
		}},
		Position: &sheets.EmbeddedObjectPosition{OverlayPosition: &sheets.OverlayPosition{
			AnchorCell: &sheets.GridCoordinate{SheetId: id, RowIndex: row, ColumnIndex: col,
				ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
			WidthPixels: 480, HeightPixels: 300,
		}},
	}
}

func TestAddDeleteChart(t *testing.T) {
	srv, svc := newService(t, sheetstest.Options{}, "Data", "Report")
	ids, _ := srv.TabIDs(sid)
	rep := ids["Report"]
	lab, val := column(rep, 1, 8, 0), column(rep, 1, 8, 1)

	resp, err := svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AddChart: &sheets.AddChartRequest{Chart: barChart(rep, 0, "BAR", "BOTTOM_AXIS", lab, val, 0, 4)}},
		{AddChart: &sheets.AddChartRequest{Chart: barChart(rep, 77, "COLUMN", "LEFT_AXIS", lab, val, 20, 4)}},
	}}).Do()
	if err != nil {
		t.Fatal(err)
	}
	generated := resp.Replies[0].AddChart.Chart.ChartId
	if generated <= 0 || resp.Replies[1].AddChart.Chart.ChartId != 77 {
		t.Fatalf("reply chart ids = %d, %d; want a generated positive id and 77", generated, resp.Replies[1].AddChart.Chart.ChartId)
	}

	ss, err := svc.Spreadsheets.Get(sid).Fields("sheets(properties(title),charts(chartId,spec(title,basicChart),position))").Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(ss.Sheets) != 2 || ss.Sheets[0].Charts != nil || len(ss.Sheets[1].Charts) != 2 {
		t.Fatalf("charts per sheet = %+v", ss.Sheets)
	}
	got := ss.Sheets[1].Charts[0]
	if got.ChartId != generated || got.Spec.Title != "Stale per owner" || got.Spec.BasicChart.ChartType != "BAR" {
		t.Errorf("chart = %+v", got)
	}
	src := got.Spec.BasicChart.Series[0].Series.SourceRange.Sources[0]
	if diff := cmp.Diff([]int64{rep, 1, 8, 1, 2}, []int64{src.SheetId, src.StartRowIndex, src.EndRowIndex, src.StartColumnIndex, src.EndColumnIndex}); diff != "" {
		t.Errorf("series source mismatch (-want +got):\n%s", diff)
	}
	if a := got.Position.OverlayPosition; a.AnchorCell.ColumnIndex != 4 || a.WidthPixels != 480 {
		t.Errorf("position = %+v", a)
	}

	// Replace chart 77's spec, then delete the generated one.
	spec := barChart(rep, 0, "BAR", "BOTTOM_AXIS", column(rep, 1, 5, 0), column(rep, 1, 5, 1), 0, 0).Spec
	spec.Title = "Updated"
	_, err = svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{UpdateChartSpec: &sheets.UpdateChartSpecRequest{ChartId: 77, Spec: spec}},
		{DeleteEmbeddedObject: &sheets.DeleteEmbeddedObjectRequest{ObjectId: generated}},
	}}).Do()
	if err != nil {
		t.Fatal(err)
	}
	charts, err := srv.Charts(sid, "Report")
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) != 1 {
		t.Fatalf("charts after delete = %v", charts)
	}
	if title := charts[0]["spec"].(map[string]any)["title"]; title != "Updated" {
		t.Errorf("title after updateChartSpec = %v, want Updated", title)
	}
}

func TestAddChartErrors(t *testing.T) {
	srv, svc := newService(t, sheetstest.Options{}, "Data", "Report")
	ids, _ := srv.TabIDs(sid)
	rep := ids["Report"]
	lab, val := column(rep, 1, 8, 0), column(rep, 1, 8, 1)
	if _, err := svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
		{AddChart: &sheets.AddChartRequest{Chart: barChart(rep, 5, "BAR", "BOTTOM_AXIS", lab, val, 0, 4)}},
	}}).Do(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  *sheets.Request
	}{
		{"duplicate id", &sheets.Request{AddChart: &sheets.AddChartRequest{Chart: barChart(rep, 6, "BAR", "BOTTOM_AXIS", lab, val, 0, 4)}}},
		{"unknown anchor sheet", &sheets.Request{AddChart: &sheets.AddChartRequest{Chart: barChart(999, 7, "BAR", "BOTTOM_AXIS", lab, val, 0, 4)}}},
		{"unknown source sheet", &sheets.Request{AddChart: &sheets.AddChartRequest{Chart: barChart(rep, 7, "BAR", "BOTTOM_AXIS", column(999, 1, 8, 0), val, 0, 4)}}},
		{"anchor off the grid", &sheets.Request{AddChart: &sheets.AddChartRequest{Chart: barChart(rep, 7, "BAR", "BOTTOM_AXIS", lab, val, 1000, 4)}}},
		{"source off the grid", &sheets.Request{AddChart: &sheets.AddChartRequest{Chart: barChart(rep, 7, "BAR", "BOTTOM_AXIS", lab, column(rep, 1, 1001, 1), 0, 4)}}},
		{"bar on the left axis", &sheets.Request{AddChart: &sheets.AddChartRequest{Chart: barChart(rep, 7, "BAR", "LEFT_AXIS", lab, val, 0, 4)}}},
		{"unknown chart type", &sheets.Request{AddChart: &sheets.AddChartRequest{Chart: barChart(rep, 7, "PIEBAR", "BOTTOM_AXIS", lab, val, 0, 4)}}},
		{"two-column source", &sheets.Request{AddChart: &sheets.AddChartRequest{Chart: barChart(rep, 7, "BAR", "BOTTOM_AXIS", lab,
			&sheets.GridRange{SheetId: rep, StartRowIndex: 1, EndRowIndex: 8, StartColumnIndex: 1, EndColumnIndex: 3}, 0, 4)}}},
		{"no position", &sheets.Request{AddChart: &sheets.AddChartRequest{Chart: &sheets.EmbeddedChart{
			Spec: barChart(rep, 7, "BAR", "BOTTOM_AXIS", lab, val, 0, 4).Spec}}}},
		{"delete unknown object", &sheets.Request{DeleteEmbeddedObject: &sheets.DeleteEmbeddedObjectRequest{ObjectId: 9}}},
		{"update unknown chart", &sheets.Request{UpdateChartSpec: &sheets.UpdateChartSpecRequest{ChartId: 9,
			Spec: barChart(rep, 7, "BAR", "BOTTOM_AXIS", lab, val, 0, 4).Spec}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The bad request comes after a valid deletion of chart 5 and
			// addition of chart 6: a failed batch applies none of them.
			_, err := svc.Spreadsheets.BatchUpdate(sid, &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{
				{DeleteEmbeddedObject: &sheets.DeleteEmbeddedObjectRequest{ObjectId: 5}},
				{AddChart: &sheets.AddChartRequest{Chart: barChart(rep, 6, "BAR", "BOTTOM_AXIS", lab, val, 0, 4)}},
				tt.req,
			}}).Do()
			if ge := apiErr(t, err); ge.Code != 400 {
				t.Errorf("code = %d (%s), want 400", ge.Code, ge.Message)
			}
			charts, _ := srv.Charts(sid, "Report")
			if len(charts) != 1 || charts[0]["chartId"] != json.Number("5") {
				t.Errorf("charts after a failed batch = %v, want chart 5 alone", charts)
			}
		})
	}
}
