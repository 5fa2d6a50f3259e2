package audittest

import (
	"testing"

	"github.com/sheetaudit/sheetaudit/audit"
)

func TestWorkbookConformance(t *testing.T) {
	Conformance(t, func(t *testing.T, tabs map[string][][]string) audit.Workbook {
		return NewWorkbook(tabs)
	})
}

func TestWorkbookFormulaConformance(t *testing.T) {
	FormulaConformance(t, func(t *testing.T, tabs map[string][][]string) audit.Workbook {
		return NewWorkbook(tabs)
	})
}
