// Command carry copies sheetaudit's own tabs (every tab but the data tab:
// Change Log, Needs Review, Staleness Report, ...) from one running
// emulator to another, through the real Sheets API v4 client:
//
//	carry -from http://127.0.0.1:A/ -to http://127.0.0.1:B/ -id bench -skip 客户
//
// The emulator has no reload, so bench/run.sh serves each data version
// from a fresh emulator; without this the next cycle would find the tabs
// the earlier cycles wrote missing, report every Change Log row as deleted
// (the chain check) and append them back, which no real deployment sees.
// run.sh calls it on the emulators' own endpoints, not through the
// counting tap, so a cycle's requests stay the cycle's own.
//
// Each tab keeps its sheetId, index, grid size, frozen rows and columns
// and hidden flag; its cells keep their entered values and formats
// (userEnteredValue, userEnteredFormat: number formats, bold headers,
// wrap, highlights). Not carried: column widths, basic filters,
// protections, notes, data validation, and the Drive side (revisions,
// activity, sharing); sheetaudit rewrites the layout it needs and the
// benchmark's config protects nothing.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"google.golang.org/api/option"
	sheets "google.golang.org/api/sheets/v4"
)

func main() { os.Exit(run(context.Background(), os.Args[1:], os.Stderr)) }

func run(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("carry", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "Sheets API base URL to copy from (required)")
	to := fs.String("to", "", "Sheets API base URL to copy to (required)")
	id := fs.String("id", "", "spreadsheet id, the same on both (required)")
	skip := fs.String("skip", "", "the data tab, which is not copied (required)")
	block := fs.Int("block", 10000, "rows per read and per updateCells")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *from == "" || *to == "" || *id == "" || *skip == "" || *block < 1 {
		fmt.Fprintln(stderr, "carry: need -from, -to, -id and -skip")
		return 2
	}
	start := time.Now()
	tabs, rows, err := carry(ctx, *from, *to, *id, *skip, *block)
	if err != nil {
		fmt.Fprintf(stderr, "carry: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "carry: %d tabs (%s), %d rows in %v\n", len(tabs), strings.Join(tabs, ", "), rows,
		time.Since(start).Round(time.Millisecond))
	return 0
}

func service(ctx context.Context, endpoint string) (*sheets.Service, error) {
	svc, err := sheets.NewService(ctx, option.WithEndpoint(endpoint), option.WithoutAuthentication())
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", endpoint, err)
	}
	return svc, nil
}

func carry(ctx context.Context, fromURL, toURL, id, skip string, block int) ([]string, int, error) {
	src, err := service(ctx, fromURL)
	if err != nil {
		return nil, 0, err
	}
	dst, err := service(ctx, toURL)
	if err != nil {
		return nil, 0, err
	}
	have, err := src.Spreadsheets.Get(id).Fields("sheets.properties").Context(ctx).Do()
	if err != nil {
		return nil, 0, fmt.Errorf("get spreadsheet %q from %s: %w", id, fromURL, err)
	}
	there, err := dst.Spreadsheets.Get(id).Fields("sheets.properties").Context(ctx).Do()
	if err != nil {
		return nil, 0, fmt.Errorf("get spreadsheet %q from %s: %w", id, toURL, err)
	}
	exists := map[string]bool{}
	for _, s := range there.Sheets {
		exists[s.Properties.Title] = true
	}
	var titles []string
	total := 0
	for _, s := range have.Sheets {
		p := s.Properties
		if p.Title == skip {
			continue
		}
		if exists[p.Title] {
			return nil, 0, fmt.Errorf("tab %q is already on %s: carry copies into a fresh emulator only", p.Title, toURL)
		}
		n, err := carryTab(ctx, src, dst, id, p, block)
		if err != nil {
			return nil, 0, fmt.Errorf("tab %q: %w", p.Title, err)
		}
		titles = append(titles, p.Title)
		total += n
	}
	return titles, total, nil
}

// carryTab adds p's tab to dst and copies its cells in blocks of rows.
func carryTab(ctx context.Context, src, dst *sheets.Service, id string, p *sheets.SheetProperties, block int) (int, error) {
	gp := p.GridProperties
	if gp == nil {
		return 0, fmt.Errorf("no grid properties (not a grid tab?)")
	}
	add := &sheets.SheetProperties{
		SheetId: p.SheetId, Title: p.Title, Index: p.Index, Hidden: p.Hidden,
		GridProperties: &sheets.GridProperties{
			RowCount: gp.RowCount, ColumnCount: gp.ColumnCount,
			FrozenRowCount: gp.FrozenRowCount, FrozenColumnCount: gp.FrozenColumnCount,
		},
		ForceSendFields: []string{"SheetId", "Index"},
	}
	req := &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{{AddSheet: &sheets.AddSheetRequest{Properties: add}}}}
	if _, err := dst.Spreadsheets.BatchUpdate(id, req).Context(ctx).Do(); err != nil {
		return 0, fmt.Errorf("add it: %w", err)
	}
	quoted := "'" + strings.ReplaceAll(p.Title, "'", "''") + "'"
	rows := 0
	for first := int64(0); first < gp.RowCount; first += int64(block) {
		last := min(first+int64(block), gp.RowCount)
		rng := fmt.Sprintf("%s!%d:%d", quoted, first+1, last)
		got, err := src.Spreadsheets.Get(id).Ranges(rng).IncludeGridData(true).
			Fields("sheets.data(startRow,startColumn,rowData.values(userEnteredValue,userEnteredFormat))").
			Context(ctx).Do()
		if err != nil {
			return 0, fmt.Errorf("read rows %d–%d: %w", first+1, last, err)
		}
		if len(got.Sheets) != 1 {
			return 0, fmt.Errorf("read rows %d–%d: %d tabs in the answer, want 1", first+1, last, len(got.Sheets))
		}
		for _, d := range got.Sheets[0].Data {
			// Trailing empty rows are not sent; the grid was sized by
			// addSheet.
			n := len(d.RowData)
			for n > 0 && len(d.RowData[n-1].Values) == 0 {
				n--
			}
			if n == 0 {
				continue
			}
			up := &sheets.UpdateCellsRequest{
				Rows:   d.RowData[:n],
				Fields: "userEnteredValue,userEnteredFormat",
				Start: &sheets.GridCoordinate{SheetId: p.SheetId, RowIndex: d.StartRow, ColumnIndex: d.StartColumn,
					ForceSendFields: []string{"SheetId", "RowIndex", "ColumnIndex"}},
			}
			req := &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{{UpdateCells: up}}}
			if _, err := dst.Spreadsheets.BatchUpdate(id, req).Context(ctx).Do(); err != nil {
				return 0, fmt.Errorf("write rows %d–%d: %w", d.StartRow+1, d.StartRow+int64(n), err)
			}
			rows += n
		}
	}
	return rows, nil
}
