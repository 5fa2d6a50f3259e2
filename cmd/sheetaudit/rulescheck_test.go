package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The rule engine is the one judge of a rule: values it accepts load, and
// what it rejects is reported at the line of the configuration that wrote
// it, as a sentence.
func TestRulesJudgedByEngine(t *testing.T) {
	tests := []struct {
		name    string
		columns string
		code    int
		want    []string // in stderr
		notWant []string
	}{
		{
			name:    "enum values the engine reads",
			columns: "      签约: {type: bool, enum: [yes, 是]}\n      金额: {type: number, enum: ['¥100', '200']}\n",
			code:    exitOK,
		},
		{
			name:    "enum value the engine rejects",
			columns: "      等级: {type: integer, enum: [1, 2, three]}\n",
			code:    exitCantRun,
			want:    []string{"sheetaudit.yaml:10:", "sheets[0].columns.等级", `"three"`},
			notWant: []string{": invalid"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeBook(t, dir, map[string][][]string{"客户": {{"客户编号", "签约", "金额", "等级"}, {"C1", "yes", "¥100", "1"}}})
			cfg := `store: ./store
timezone: Asia/Shanghai
sheets:
  - name: clients
    source: {xlsx: ./book.xlsx}
    tab: 客户
    key: [客户编号]
    write_back: {change_log_tab: "", review_tab: ""}
    columns:
` + tt.columns
			path := filepath.Join(dir, "sheetaudit.yaml")
			if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			code, _, errOut := sheetaudit(t, nil, "validate", "--config", path)
			if code != tt.code {
				t.Fatalf("validate: exit %d, want %d\n%s", code, tt.code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(errOut, w) {
					t.Errorf("stderr has %q:\n%s", w, errOut)
				}
			}
		})
	}
}
