package audit

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestShiftFormula(t *testing.T) {
	tests := []struct {
		f          string
		dRow, dCol int
		want       string
	}{
		{"=B5*C5", 1, 0, "=B6*C6"},
		{"=SUM(B2:B9)", -1, 2, "=SUM(D1:D8)"},
		{"=$B$5*C$5+$D5", 3, 1, "=$B$5*D$5+$D8"},
		{`=IF(A2="B2",B2,"C3")`, 1, 0, `=IF(A3="B2",B3,"C3")`},
		{`=A2&"say ""A1"""`, 1, 0, `=A3&"say ""A1"""`},
		{"=LOG10(A2)+ATAN2(A2,B2)", 1, 0, "=LOG10(A3)+ATAN2(A3,B3)"},
		{"=Sheet2!A5+A5", 1, 0, "=Sheet2!A5+A6"},
		{"='My tab'!A5+'客户'!B2+C2", 1, 0, "='My tab'!A5+'客户'!B2+C3"},
		{"=客户!B2+C2", 1, 0, "=客户!B2+C3"},
		{"=SUM(A:A)+1E5+TRUE+A1.5", 4, 4, "=SUM(A:A)+1E5+TRUE+A1.5"},
		{"=A1", -1, 0, "=#REF!"},
		{"=b5", 0, 1, "=C5"},
		{"=ZZZ1+AAAA1", 0, 1, "=AAAA1+AAAA1"},
		{"=A2", 0, 0, "=A2"},
	}
	for _, tt := range tests {
		if got := shiftFormula(tt.f, tt.dRow, tt.dCol); got != tt.want {
			t.Errorf("shiftFormula(%q, %d, %d) = %q, want %q", tt.f, tt.dRow, tt.dCol, got, tt.want)
		}
	}
}

func TestFormulaGrid(t *testing.T) {
	got := FormulaGrid(map[string]string{"C2": "=A2*B2", "A1": "=1", "bad": "=2", "B4": ""})
	want := [][]string{{"=1"}, {"", "", "=A2*B2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FormulaGrid mismatch (-want +got):\n%s", diff)
	}
}
