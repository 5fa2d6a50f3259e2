package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/sheetaudit/sheetaudit/config"
)

// The rule engine is the one judge of a rule: values it accepts load, and
// each problem it finds is reported at the line of the configuration that
// wrote it, under the key at fault, as a sentence, together with the
// file's other problems.
func TestRulesJudgedByEngine(t *testing.T) {
	tests := []struct {
		name    string
		rules   string // appended to the sheet; the file's line 10 is its second line
		code    int
		want    []string // in stderr
		notWant []string
	}{
		{
			name:  "enum values the engine reads",
			rules: "    columns:\n      签约: {type: bool, enum: [yes, 是]}\n      金额: {type: number, enum: ['¥100', '200']}\n",
			code:  exitOK,
		},
		{
			name:  "date bounds the engine reads",
			rules: "    columns:\n      日期: {type: date, not_before: 2020-01-01, not_after: today+2w}\n      时间: {type: datetime, not_before: Today - 30d}\n",
			code:  exitOK,
		},
		{
			name:  "severity info",
			rules: "    columns:\n      金额: {type: number, severity: info}\n",
			code:  exitOK,
		},
		{
			name:  "enum value the engine rejects",
			rules: "    columns:\n      等级: {type: integer, enum: [1, 2, three]}\n",
			code:  exitCantRun,
			want:  []string{`sheetaudit.yaml:10:40: sheets[0].columns.等级.enum[2]: "three" is not a valid integer`},
		},
		{
			name:  "relative date bound",
			rules: "    columns:\n      日期: {type: date, not_before: today-30x}\n",
			code:  exitCantRun,
			want:  []string{`sheetaudit.yaml:10:24: sheets[0].columns.日期.not_before: "today-30x" is not a date bound: end the offset with d (days) or w (weeks)`},
		},
		{
			name:  "date bounds crossed",
			rules: "    columns:\n      日期: {type: date, not_before: today, not_after: today-30d}\n",
			code:  exitCantRun,
			want:  []string{`sheets[0].columns.日期.not_after: today-30d is earlier than not_before today`},
		},
		{
			name:  "misspelt type and severity",
			rules: "    columns:\n      人数: {type: interger, severity: warn}\n",
			code:  exitCantRun,
			want: []string{
				`sheets[0].columns.人数.type: "interger" is unknown: use text, integer, number, date, datetime, bool, email, phone or url (did you mean "integer"?)`,
				`sheets[0].columns.人数.severity: "warn" is not a severity: use error, warning or info (did you mean "warning"?)`,
			},
		},
		{
			name:  "pattern",
			rules: "    columns:\n      客户编号: {pattern: '^C(\\d{5}$'}\n",
			code:  exitCantRun,
			want:  []string{"sheets[0].columns.客户编号.pattern: is not a valid RE2 expression: missing closing ): `^C(\\d{5}$`"},
		},
		{
			name:  "enum listed twice ignoring case",
			rules: "    columns:\n      行业: {enum: [IT, 金融, it], ignore_case: true}\n",
			code:  exitCantRun,
			want:  []string{`sheets[0].columns.行业.enum[2]: "it" is listed twice (also enum[0])`},
		},
		{
			name:  "min and max",
			rules: "    columns:\n      金额: {type: number, min: 100, max: 10}\n      名称: {min: 1}\n",
			code:  exitCantRun,
			want: []string{
				`sheetaudit.yaml:10:36: sheets[0].columns.金额.max: 10 is less than min 100`,
				`sheetaudit.yaml:11:12: sheets[0].columns.名称.min: applies to type integer or number, not text`,
			},
		},
		{
			name: "row rules",
			rules: "    rules:\n      - {name: r, when: {销售进展: 签约完成}, require: [合同编号, 合同编号]}\n" +
				"      - {name: r, when: {销售进展: []}, require: [合同编号]}\n",
			code: exitCantRun,
			want: []string{
				`sheetaudit.yaml:10:55: sheets[0].rules[0].require[1]: "合同编号" is listed twice (also require[0])`,
				`sheetaudit.yaml:11:10: sheets[0].rules[1].name: "r" is also the name of an earlier row rule`,
				`sheetaudit.yaml:11:26: sheets[0].rules[1].when.销售进展: lists no value`,
			},
		},
		{
			name:  "staleness judged by the staleness engine",
			rules: "    staleness: {basis: histroy, stages: {初步洽谈: 14d, 流失: 3d}, exempt: [流失]}\n",
			code:  exitCantRun,
			want: []string{
				`sheets[0].staleness.basis: "histroy" is unknown: use column or history (did you mean "history"?)`,
				`sheets[0].staleness.stage_column: is required with stages or exempt`,
				`sheets[0].staleness.stages.流失: stage "流失" is also exempt`,
			},
			notWant: []string{"staleness: staleness"},
		},
		{
			name:  "rule errors beside the file's other errors, in one round",
			rules: "    header_row: 0\n    columns:\n      等级: {type: integer, enum: [three]}\n      所属集团: {references: {tab: 集团}}\n",
			code:  exitCantRun,
			want: []string{
				`sheetaudit.yaml:9:5: sheets[0].header_row: must be at least 1`,
				`sheetaudit.yaml:11:34: sheets[0].columns.等级.enum[0]: "three" is not a valid integer`,
				`sheetaudit.yaml:12:26: sheets[0].columns.所属集团.references: a reference to another tab needs both tab and column`,
			},
			notWant: []string{"references: names no column"},
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
` + tt.rules
			path := filepath.Join(dir, "sheetaudit.yaml")
			if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			commands := [][]string{{"config", "check"}}
			if tt.code != exitOK { // validate would judge the data too
				commands = append(commands, []string{"validate"})
			}
			for _, args := range commands {
				code, _, errOut := sheetaudit(t, nil, append(args, "--config", path)...)
				if code != tt.code {
					t.Fatalf("%s: exit %d, want %d\n%s", args, code, tt.code, errOut)
				}
				for _, w := range tt.want {
					if !strings.Contains(errOut, w) {
						t.Errorf("%s: stderr lacks %q:\n%s", args, w, errOut)
					}
				}
				for _, w := range append(tt.notWant, ": invalid", "column \"") {
					if strings.Contains(errOut, w) {
						t.Errorf("%s: stderr has %q:\n%s", args, w, errOut)
					}
				}
			}
		})
	}
}

// A column written in the config replaces the schema file's field of the
// same name, and a bad rule of the schema file is reported at schema:.
func TestRulesFromSchema(t *testing.T) {
	tests := []struct {
		name    string
		schema  string
		columns string
		code    int
		want    string
	}{
		{
			name:    "config column replaces the schema's",
			schema:  `{"fields": [{"name": "客户编号", "constraints": {"pattern": "X\\d+"}}, {"name": "金额", "type": "number"}]}`,
			columns: "    columns:\n      客户编号: {required: true}\n",
			code:    exitOK,
		},
		{
			name:   "bad schema rule",
			schema: `{"fields": [{"name": "客户编号", "constraints": {"pattern": "C("}}]}`,
			code:   exitCantRun,
			want:   "sheetaudit.yaml:9:5: sheets[0].schema:",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeBook(t, dir, map[string][][]string{"客户": {{"客户编号", "金额"}, {"C1", "1"}}})
			if err := os.WriteFile(filepath.Join(dir, "schema.json"), []byte(tt.schema), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg := "store: ./store\nsheets:\n  - name: clients\n    source: {xlsx: ./book.xlsx}\n    tab: 客户\n    key: [客户编号]\n" +
				"    write_back: {change_log_tab: \"\", review_tab: \"\"}\n    header_row: 1\n    schema: ./schema.json\n" + tt.columns
			path := filepath.Join(dir, "sheetaudit.yaml")
			if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			code, _, errOut := sheetaudit(t, nil, "validate", "--config", path)
			if code != tt.code {
				t.Fatalf("validate: exit %d, want %d\n%s", code, tt.code, errOut)
			}
			if !strings.Contains(errOut, tt.want) || strings.Contains(errOut, ": invalid") {
				t.Errorf("stderr = %q, want it to contain %q and no bare \": invalid\"", errOut, tt.want)
			}
		})
	}
}

// The configurations the repository ships (the quick start's, the systemd
// unit's and the Kubernetes ConfigMap's) pass the rule engine too, not only
// config's shape checks, which is all the deploy tests can run.
func TestShippedConfigsPassTheEngine(t *testing.T) {
	env := map[string]string{
		"SHEETAUDIT_STORE":      "gs://bucket/sheetaudit",
		"STATE_DIRECTORY":       "/var/lib/sheetaudit",
		"CREDENTIALS_DIRECTORY": "/run/credentials/sheetaudit.service",
	}
	getenv := func(k string) string { return env[k] }
	for _, file := range []string{"../../examples/sheetaudit.yaml", "../../deploy/systemd/sheetaudit.yaml"} {
		if _, err := config.Load(file, getenv, checkRules); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
	const cmFile = "../../deploy/kubernetes/base/configmap.yaml"
	raw, err := os.ReadFile(cmFile)
	if err != nil {
		t.Fatal(err)
	}
	var cm struct {
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal(raw, &cm); err != nil || cm.Data["sheetaudit.yaml"] == "" {
		t.Fatalf("%s: no sheetaudit.yaml in its data (%v)", cmFile, err)
	}
	if _, err := config.Parse([]byte(cm.Data["sheetaudit.yaml"]), cmFile, getenv, checkRules); err != nil {
		t.Errorf("%s: %v", cmFile, err)
	}
}
