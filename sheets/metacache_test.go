package sheets

import (
	"context"
	"errors"
	"testing"

	gsheets "google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// TestMetadataReadOncePerCycle: a cycle's steps share one read of the
// spreadsheet's metadata, plus one when a tab it needs is not in it.
func TestMetadataReadOncePerCycle(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"客户": {{"id"}, {"1"}}})
	wb := openBook(t, srv, Options{})
	if _, err := wb.ReadTab(ctx, "客户"); err != nil {
		t.Fatal(err)
	}
	if _, err := wb.ReadTyped(ctx, "客户", []int{0}); err != nil {
		t.Fatal(err)
	}
	if _, created, err := wb.EnsureTab(ctx, "Change Log"); err != nil || !created {
		t.Fatalf("EnsureTab = %v, %v", created, err)
	}
	rows := make([][]string, 1200) // past the new tab's 1000-row grid
	for i := range rows {
		rows[i] = []string{"x"}
	}
	if err := wb.AppendRows(ctx, "Change Log", rows); err != nil {
		t.Fatal(err)
	}
	if err := wb.AppendRows(ctx, "Change Log", [][]string{{"last"}}); err != nil {
		t.Fatal(err)
	}
	if _, created, err := wb.EnsureTab(ctx, "Change Log"); err != nil || created {
		t.Fatalf("second EnsureTab = %v, %v", created, err)
	}
	if err := wb.ReplaceTab(ctx, "客户", [][]string{{"id"}, {"2"}}); err != nil {
		t.Fatal(err)
	}
	// ReadTab's read, and one more when "Change Log" was not there yet.
	if got := countKind(srv, "spreadsheets.get"); got != 2 {
		t.Errorf("spreadsheets.get requests = %d, want 2", got)
	}
	log, err := srv.Values(testID, "Change Log")
	if err != nil || len(log) != 1201 || log[1200][0] != "last" {
		t.Errorf("Change Log has %d rows (%v); want 1201 ending in \"last\": the grown grid must be remembered", len(log), err)
	}
}

// TestMetadataRereadAfterRename: a tab renamed by someone after the
// metadata was read is not written under its old name.
func TestMetadataRereadAfterRename(t *testing.T) {
	ctx := context.Background()
	srv := startBook(t, sheetstest.Options{}, map[string][][]string{"客户": {{"id"}}, "Log": {{"t"}}})
	wb := openBook(t, srv, Options{})
	if _, err := wb.ReadTab(ctx, "客户"); err != nil {
		t.Fatal(err)
	}
	ids, err := srv.TabIDs(testID)
	if err != nil {
		t.Fatal(err)
	}
	other, err := New(ctx, Options{SpreadsheetID: testID, Endpoint: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = other.svc.Spreadsheets.BatchUpdate(testID, &gsheets.BatchUpdateSpreadsheetRequest{Requests: []*gsheets.Request{{
		UpdateSheetProperties: &gsheets.UpdateSheetPropertiesRequest{
			Properties: &gsheets.SheetProperties{SheetId: ids["Log"], Title: "Log old"},
			Fields:     "title",
		},
	}}}).Do()
	if err != nil {
		t.Fatal(err)
	}
	// The remembered copy still says "Log"; the write fails, the copy is
	// dropped, and the next lookup sees the rename.
	err = wb.AppendRows(ctx, "Log", [][]string{{"x"}})
	if err == nil {
		t.Fatal("AppendRows to a renamed tab succeeded")
	}
	if _, err := wb.ReadTyped(ctx, "Log", []int{0}); !errors.Is(err, audit.ErrNotFound) {
		t.Errorf("after the failure, the tab lookup = %v; want ErrNotFound from fresh metadata", err)
	}
}
