package sheets

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/audit"
)

// layoutRequests turns an audit.Layout into batchUpdate requests for the tab
// id, cols columns wide: frozen bold header rows, column widths, wrapping,
// a basic filter over the table, and one conditional format rule per
// highlight. The write-back sends them only when the caller passes a
// Layout, which the cycle does when the tab is new or its layout changed,
// so formatting rides along with data at no extra request and a person's
// own widths or filter are not reset every cycle. Sheets deletes
// conditional format rules only by index: drop lists the indices of the
// rules sheetaudit added to the tab before (ownRules), which are deleted,
// highest first, before the highlights are added again, so a tab written
// by an older version gets its colours once and a changed layout never
// doubles them; a person's own rules stay.
func layoutRequests(id int64, l audit.Layout, cols int, drop []int) []*sheets.Request {
	var reqs []*sheets.Request
	sid := []string{"SheetId"}
	if l.HeaderRows > 0 {
		reqs = append(reqs,
			&sheets.Request{UpdateSheetProperties: &sheets.UpdateSheetPropertiesRequest{
				Properties: &sheets.SheetProperties{SheetId: id, ForceSendFields: sid,
					GridProperties: &sheets.GridProperties{FrozenRowCount: int64(l.HeaderRows)}},
				Fields: "gridProperties.frozenRowCount",
			}},
			&sheets.Request{RepeatCell: &sheets.RepeatCellRequest{
				Range: &sheets.GridRange{SheetId: id, StartRowIndex: 0, EndRowIndex: int64(l.HeaderRows),
					ForceSendFields: []string{"SheetId", "StartRowIndex"}},
				Cell:   &sheets.CellData{UserEnteredFormat: &sheets.CellFormat{TextFormat: &sheets.TextFormat{Bold: true}}},
				Fields: "userEnteredFormat.textFormat.bold",
			}})
	}
	if len(l.BoldRows) > 0 {
		bold := func(from, to int64, on bool) *sheets.Request {
			return &sheets.Request{RepeatCell: &sheets.RepeatCellRequest{
				Range: &sheets.GridRange{SheetId: id, StartRowIndex: from, EndRowIndex: to,
					ForceSendFields: []string{"SheetId", "StartRowIndex"}},
				Cell: &sheets.CellData{UserEnteredFormat: &sheets.CellFormat{TextFormat: &sheets.TextFormat{
					Bold: on, ForceSendFields: []string{"Bold"}}}},
				Fields: "userEnteredFormat.textFormat.bold",
			}}
		}
		// Last time's section titles sat on other rows.
		reqs = append(reqs, bold(int64(l.HeaderRows), 0, false))
		for _, r := range l.BoldRows {
			if r >= l.HeaderRows {
				reqs = append(reqs, bold(int64(r), int64(r+1), true))
			}
		}
	}
	for i, w := range l.Widths {
		if w <= 0 {
			continue
		}
		reqs = append(reqs, &sheets.Request{UpdateDimensionProperties: &sheets.UpdateDimensionPropertiesRequest{
			Range: &sheets.DimensionRange{SheetId: id, Dimension: "COLUMNS", StartIndex: int64(i), EndIndex: int64(i + 1),
				ForceSendFields: []string{"SheetId", "StartIndex"}},
			Properties: &sheets.DimensionProperties{PixelSize: int64(w)},
			Fields:     "pixelSize",
		}})
	}
	for _, c := range l.Wrap {
		reqs = append(reqs, &sheets.Request{RepeatCell: &sheets.RepeatCellRequest{
			Range: &sheets.GridRange{SheetId: id, StartRowIndex: int64(l.HeaderRows),
				StartColumnIndex: int64(c), EndColumnIndex: int64(c + 1),
				ForceSendFields: []string{"SheetId", "StartRowIndex", "StartColumnIndex"}},
			Cell:   &sheets.CellData{UserEnteredFormat: &sheets.CellFormat{WrapStrategy: "WRAP"}},
			Fields: "userEnteredFormat.wrapStrategy",
		}})
	}
	table := &sheets.GridRange{SheetId: id, StartRowIndex: int64(max(l.HeaderRows-1, 0)), StartColumnIndex: 0,
		EndColumnIndex: int64(max(cols, 1)), ForceSendFields: []string{"SheetId", "StartRowIndex", "StartColumnIndex"}}
	if l.Filter {
		reqs = append(reqs, &sheets.Request{SetBasicFilter: &sheets.SetBasicFilterRequest{
			Filter: &sheets.BasicFilter{Range: table},
		}})
	}
	for _, i := range drop {
		reqs = append(reqs, &sheets.Request{DeleteConditionalFormatRule: &sheets.DeleteConditionalFormatRuleRequest{
			SheetId: id, Index: int64(i), ForceSendFields: []string{"SheetId", "Index"},
		}})
	}
	{
		body := &sheets.GridRange{SheetId: id, StartRowIndex: int64(l.HeaderRows), StartColumnIndex: 0,
			EndColumnIndex: int64(max(cols, 1)), ForceSendFields: []string{"SheetId", "StartRowIndex", "StartColumnIndex"}}
		for i, h := range l.Highlights {
			reqs = append(reqs, &sheets.Request{AddConditionalFormatRule: &sheets.AddConditionalFormatRuleRequest{
				Index: int64(i), ForceSendFields: []string{"Index"},
				Rule: &sheets.ConditionalFormatRule{
					Ranges: []*sheets.GridRange{body},
					BooleanRule: &sheets.BooleanRule{
						Condition: &sheets.BooleanCondition{Type: "CUSTOM_FORMULA",
							Values: []*sheets.ConditionValue{{UserEnteredValue: highlightFormula(h, l.HeaderRows)}}},
						Format: &sheets.CellFormat{BackgroundColor: toneColor(h.Tone)},
					},
				},
			}})
		}
	}
	return reqs
}

// highlightFormula is the custom formula of a highlight, relative to the
// first row below the header: =TRIM($C2)="error".
func highlightFormula(h audit.Highlight, headerRows int) string {
	return "=TRIM($" + audit.ColumnName(h.Column) + strconv.Itoa(headerRows+1) + ")=\"" +
		strings.ReplaceAll(strings.TrimSpace(h.Value), `"`, `""`) + "\""
}

// toneColor picks a light background for each tone, readable with black
// text.
func toneColor(t audit.Tone) *sheets.Color {
	switch t {
	case audit.ToneError:
		return &sheets.Color{Red: 0.96, Green: 0.80, Blue: 0.80}
	case audit.ToneWarning:
		return &sheets.Color{Red: 1, Green: 0.95, Blue: 0.80}
	case audit.ToneInfo:
		return &sheets.Color{Red: 0.85, Green: 0.92, Blue: 0.98}
	case audit.ToneGood:
		return &sheets.Color{Red: 0.85, Green: 0.94, Blue: 0.83}
	}
	return &sheets.Color{Red: 1, Green: 1, Blue: 1}
}

// ownFormula is the shape of the formula highlightFormula writes; a rule
// with it is sheetaudit's.
var ownFormula = regexp.MustCompile(`^=TRIM\(\$[A-Z]{1,3}[0-9]+\)="(?:[^"]|"")*"$`)

// rulesFields asks spreadsheets.get for each tab's id and the conditions
// of its conditional format rules, nothing else.
const rulesFields = "sheets(properties(sheetId),conditionalFormats(booleanRule(condition(type,values(userEnteredValue)))))"

// ownRules reads the conditional format rules of the tabs ids and returns,
// per tab, the indices of those sheetaudit added (a custom formula of
// highlightFormula's shape), highest first, for layoutRequests to delete.
// It costs one spreadsheets.get, which the write-back spends only when it
// sends a layout with highlights to a tab that exists, not in a
// steady-state cycle.
func (w *Workbook) ownRules(ctx context.Context, op string, ids map[int64]bool) (map[int64][]int, error) {
	var ss *sheets.Spreadsheet
	err := w.call(ctx, "spreadsheets.get", false, func(ctx context.Context) error {
		var err error
		ss, err = w.svc.Spreadsheets.Get(w.id).Fields(rulesFields).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, w.translate(err, op+": read the tabs' conditional formats")
	}
	out := map[int64][]int{}
	for _, sh := range ss.Sheets {
		if sh.Properties == nil || !ids[sh.Properties.SheetId] {
			continue
		}
		id := sh.Properties.SheetId
		for i := len(sh.ConditionalFormats) - 1; i >= 0; i-- {
			if isOwnRule(sh.ConditionalFormats[i]) {
				out[id] = append(out[id], i)
			}
		}
	}
	return out, nil
}

func isOwnRule(r *sheets.ConditionalFormatRule) bool {
	if r == nil || r.BooleanRule == nil || r.BooleanRule.Condition == nil {
		return false
	}
	c := r.BooleanRule.Condition
	return c.Type == "CUSTOM_FORMULA" && len(c.Values) == 1 && c.Values[0] != nil && ownFormula.MatchString(c.Values[0].UserEnteredValue)
}
