// Command load puts a generated CSV into a tab of a running emulator (or
// any Sheets API endpoint) through the real Sheets API v4 client, with the
// tab's grid sized exactly to the data:
//
//	load -endpoint http://127.0.0.1:PORT/ -id bench -tab 客户 -csv v1/客户.csv
//
// The emulator's --load gives a CSV tab Sheets' import grid of at least 26
// columns, so a 20-column sheet of 10 M cells would be over the
// spreadsheet's 10 M-cell cap before its first row; this sets
// gridProperties to the data's rows × columns (updateSheetProperties) and
// writes the values in blocks of rows with values.update, RAW, as a
// person's paste would arrive.
package main

import (
	"context"
	"encoding/csv"
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
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", "", "Sheets API base URL (required)")
	id := fs.String("id", "", "spreadsheet id (required)")
	tab := fs.String("tab", "", "tab to fill; it must exist (required)")
	path := fs.String("csv", "", "CSV file, header first (required)")
	block := fs.Int("block", 20000, "rows per values.update")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *endpoint == "" || *id == "" || *tab == "" || *path == "" || *block < 1 {
		fmt.Fprintln(stderr, "load: need -endpoint, -id, -tab and -csv")
		return 2
	}
	start := time.Now()
	n, err := load(ctx, *endpoint, *id, *tab, *path, *block)
	if err != nil {
		fmt.Fprintf(stderr, "load: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "load: %d rows into %q in %v\n", n, *tab, time.Since(start).Round(time.Millisecond))
	return 0
}

func load(ctx context.Context, endpoint, id, tab, path string, block int) (int, error) {
	values, err := readCSV(path)
	if err != nil {
		return 0, err
	}
	width := 0
	for _, r := range values {
		width = max(width, len(r))
	}
	svc, err := sheets.NewService(ctx, option.WithEndpoint(endpoint), option.WithoutAuthentication())
	if err != nil {
		return 0, fmt.Errorf("connect to %s: %w", endpoint, err)
	}
	ss, err := svc.Spreadsheets.Get(id).Fields("sheets.properties").Context(ctx).Do()
	if err != nil {
		return 0, fmt.Errorf("get spreadsheet %q: %w", id, err)
	}
	var sheetID int64 = -1
	for _, s := range ss.Sheets {
		if s.Properties.Title == tab {
			sheetID = s.Properties.SheetId
		}
	}
	if sheetID < 0 {
		return 0, fmt.Errorf("spreadsheet %q has no tab %q", id, tab)
	}
	// Shrink the columns before growing the rows: the other order would
	// pass through a grid over the cap.
	for _, gp := range []struct {
		props  *sheets.GridProperties
		fields string
	}{
		{&sheets.GridProperties{ColumnCount: int64(width)}, "gridProperties.columnCount"},
		{&sheets.GridProperties{RowCount: int64(len(values))}, "gridProperties.rowCount"},
	} {
		req := &sheets.BatchUpdateSpreadsheetRequest{Requests: []*sheets.Request{{
			UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{
				Properties: &sheets.SheetProperties{SheetId: sheetID, GridProperties: gp.props, ForceSendFields: []string{"SheetId"}},
				Fields:     gp.fields,
			},
		}}}
		if _, err := svc.Spreadsheets.BatchUpdate(id, req).Context(ctx).Do(); err != nil {
			return 0, fmt.Errorf("size tab %q to %d × %d: %w", tab, len(values), width, err)
		}
	}
	quoted := "'" + strings.ReplaceAll(tab, "'", "''") + "'"
	for first := 0; first < len(values); first += block {
		last := min(first+block, len(values))
		rows := make([][]any, last-first)
		for i, r := range values[first:last] {
			cells := make([]any, len(r))
			for j, c := range r {
				cells[j] = c
			}
			rows[i] = cells
		}
		rng := fmt.Sprintf("%s!A%d", quoted, first+1)
		_, err := svc.Spreadsheets.Values.Update(id, rng, &sheets.ValueRange{Values: rows}).
			ValueInputOption("RAW").Context(ctx).Do()
		if err != nil {
			return 0, fmt.Errorf("write rows %d–%d: %w", first+1, last, err)
		}
	}
	return len(values), nil
}

func readCSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", path, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	values, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", path, err)
	}
	return values, nil
}
