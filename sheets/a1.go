package sheets

import (
	"strconv"
	"strings"

	"github.com/sheetaudit/sheetaudit/audit"
)

// quote renders a tab title for A1 notation. Titles are always quoted:
// quoting is valid for every title, while an unquoted title that looks like
// a cell ("CRM26") or holds a space silently addresses something else.
func quote(title string) string {
	return "'" + strings.ReplaceAll(title, "'", "''") + "'"
}

// rowsRange is 'Title'!A{first}:{lastCol}{last} with 1-based rows and the
// number of columns (at least 1).
func rowsRange(title string, first, last, cols int) string {
	if cols < 1 {
		cols = 1
	}
	return quote(title) + "!A" + strconv.Itoa(first) + ":" + audit.ColumnName(cols-1) + strconv.Itoa(last)
}
