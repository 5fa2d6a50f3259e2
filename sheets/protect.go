package sheets

import (
	"context"
	"fmt"

	"go.uber.org/zap"
	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.TabProtector = (*Workbook)(nil)

// protectDescription names the protected ranges sheetaudit owns, so it
// finds its own again and never touches a protection someone else set.
const protectDescription = "sheetaudit: this tab is written by sheetaudit; edits are reported and put back"

// protectFields reads the tabs and their protections only.
const protectFields = "sheets(properties(sheetId,title),protectedRanges(protectedRangeId,description,warningOnly,range(sheetId,startRowIndex,endRowIndex,startColumnIndex,endColumnIndex)))"

// ProtectTabs implements audit.TabProtector with one protected range over
// each whole tab: warningOnly (anyone may still edit, after a warning), or
// with strict, editable by the requesting account (sheetaudit's) and the
// file's owner only. A tab already protected as asked costs no write;
// all changes go in one spreadsheets.batchUpdate.
func (w *Workbook) ProtectTabs(ctx context.Context, tabs []string, strict bool) (int, error) {
	const op = "protect tabs"
	var ss *sheets.Spreadsheet
	err := w.call(ctx, "spreadsheets.get", false, func(ctx context.Context) error {
		var err error
		ss, err = w.svc.Spreadsheets.Get(w.id).Fields(protectFields).Context(ctx).Do()
		return err
	})
	if err != nil {
		return 0, w.translate(err, op)
	}
	var reqs []*sheets.Request
	for _, title := range tabs {
		var sh *sheets.Sheet
		for _, s := range ss.Sheets {
			if s.Properties != nil && s.Properties.Title == title {
				sh = s
			}
		}
		if sh == nil {
			return 0, fmt.Errorf("%s of spreadsheet %q: no tab %q: %w", op, w.id, title, audit.ErrNotFound)
		}
		var own *sheets.ProtectedRange
		for _, p := range sh.ProtectedRanges {
			if p.Description == protectDescription {
				own = p
			}
		}
		switch {
		case own == nil:
			reqs = append(reqs, protectRequest(sh.Properties.SheetId, strict))
		case own.WarningOnly == strict:
			// The mode changed. Without editors, a strict range is
			// editable by the requester (and the owner) only.
			reqs = append(reqs, &sheets.Request{UpdateProtectedRange: &sheets.UpdateProtectedRangeRequest{
				ProtectedRange: &sheets.ProtectedRange{ProtectedRangeId: own.ProtectedRangeId, WarningOnly: !strict,
					ForceSendFields: []string{"WarningOnly"}},
				Fields: "warningOnly",
			}})
		}
	}
	if len(reqs) == 0 {
		return 0, nil
	}
	err = w.call(ctx, "spreadsheets.batchUpdate", true, func(ctx context.Context) error {
		_, err := w.svc.Spreadsheets.BatchUpdate(w.id, &sheets.BatchUpdateSpreadsheetRequest{Requests: reqs}).
			Fields("spreadsheetId").Context(ctx).Do()
		return err
	})
	if err != nil {
		return 0, w.translate(err, op)
	}
	w.log.Info("tabs protected", zap.Strings("tabs", tabs), zap.Bool("strict", strict), zap.Int("requests", len(reqs)))
	return len(reqs), nil
}

// protectRequest protects the whole tab id as sheetaudit's own: with a
// warning, or with strict editable by the requesting account and the
// file's owner only. The write-back sends it with a tab it creates.
func protectRequest(id int64, strict bool) *sheets.Request {
	return &sheets.Request{AddProtectedRange: &sheets.AddProtectedRangeRequest{
		ProtectedRange: &sheets.ProtectedRange{
			Range:       &sheets.GridRange{SheetId: id, ForceSendFields: []string{"SheetId"}},
			Description: protectDescription,
			WarningOnly: !strict,
		}}}
}
