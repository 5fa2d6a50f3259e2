package audit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadTableSchema(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "schema_clients.json"))
	if err != nil {
		t.Fatal(err)
	}
	rs, key, err := LoadTableSchema(data)
	if err != nil {
		t.Fatalf("LoadTableSchema: %v", err)
	}
	want := RuleSet{Columns: []ColumnRule{
		{Column: "客户编号", Type: TypeText, Required: true, Unique: true, Pattern: `^(?:C\d{5})$`},
		{Column: "客户名称", Type: TypeText, Required: true, MaxLength: valPtr(100)},
		{Column: "所属集团", Type: TypeText, References: &Reference{Column: "客户名称"}},
		{Column: "集团编号", Type: TypeText, References: &Reference{Tab: "集团", Column: "编号"}},
		{Column: "联系方式", Type: TypeText},
		{Column: "邮箱", Type: TypeEmail, Unique: true},
		{Column: "官网", Type: TypeURL},
		{Column: "行业", Type: TypeText, Enum: []string{"IT", "金融", "制造", "零售", "医疗", "教育", "其他"}},
		{Column: "销售进展", Type: TypeText, Required: true, Enum: []string{"初步洽谈", "需求确认", "方案报价", "商务谈判", "签约完成", "流失"}},
		{Column: "最后跟进日期", Type: TypeDate, NotBefore: "2020-01-01", NotAfter: "2030-12-31"},
		{Column: "下次跟进时间", Type: TypeDateTime},
		{Column: "合同金额", Type: TypeNumber, Min: valPtr(0.0), Max: valPtr(1e8)},
		{Column: "员工人数", Type: TypeInteger, Min: valPtr(1.0)},
		{Column: "星级", Type: TypeInteger, Enum: []string{"1", "2", "3", "4", "5"}},
		{Column: "重点客户", Type: TypeBool},
		{Column: "成立年份", Type: TypeInteger},
		{Column: "备注", Type: TypeText},
	}}
	if diff := cmp.Diff(want, rs); diff != "" {
		t.Errorf("rule set mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"客户编号"}, key); diff != "" {
		t.Errorf("primary key mismatch (-want +got):\n%s", diff)
	}

	// The imported rules check a sheet like configured ones.
	rules := valCompile(t, rs)
	tab := valTable(t, []string{"客户编号", "客户名称", "所属集团", "集团编号", "星级", "最后跟进日期"},
		[]string{"C00001", "华信集团", "", "G1", "5", "2026-11-29"},
		[]string{"C0002", "华信科技", "华信集团", "G2", "6", "2019-12-31"},
	)
	groups := valTable(t, []string{"编号"}, []string{"G1"})
	var got []string
	for _, f := range rules.Check(tab, valNow, valZone, map[string]*Table{"集团": groups}) {
		got = append(got, f.Column+" "+f.Rule)
	}
	wantFindings := []string{
		// Columns of the schema that the sheet lacks are named once each.
		"联系方式 missing_column", "邮箱 missing_column", "官网 missing_column", "行业 missing_column",
		"销售进展 missing_column", "下次跟进时间 missing_column", "合同金额 missing_column",
		"员工人数 missing_column", "重点客户 missing_column", "成立年份 missing_column", "备注 missing_column",
		"客户编号 pattern", "集团编号 references", "最后跟进日期 not_before", "星级 enum",
	}
	if diff := cmp.Diff(wantFindings, got); diff != "" {
		t.Errorf("findings mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadTableSchemaCompoundKey(t *testing.T) {
	rs, key, err := LoadTableSchema([]byte(`{"fields":[{"name":"区域"},{"name":"编号","type":"integer"}],"primaryKey":["区域","编号"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"区域", "编号"}, key); diff != "" {
		t.Errorf("primary key mismatch (-want +got):\n%s", diff)
	}
	if len(rs.Columns) != 2 || rs.Columns[0].Type != TypeText || rs.Columns[1].Type != TypeInteger {
		t.Errorf("columns = %+v, want text and integer", rs.Columns)
	}
}

func TestLoadTableSchemaErrors(t *testing.T) {
	tests := []struct {
		name   string
		schema string
		want   []string
	}{
		{"not json", `{"fields": [`, []string{"table schema"}},
		{"no fields", `{"fields": []}`, []string{"no fields"}},
		{"nameless field", `{"fields": [{"type": "string"}]}`, []string{"field 1", "no name"}},
		{"duplicate field", `{"fields": [{"name": "a"}, {"name": "a"}]}`, []string{`"a"`, "twice"}},
		{"unsupported type", `{"fields": [{"name": "时长", "type": "duration"}]}`, []string{"时长", "duration"}},
		{"geopoint", `{"fields": [{"name": "位置", "type": "geopoint"}]}`, []string{"位置", "geopoint"}},
		{"string format", `{"fields": [{"name": "文件", "format": "binary"}]}`, []string{"文件", "binary"}},
		{"date format", `{"fields": [{"name": "日期", "type": "date", "format": "%d/%m/%Y"}]}`, []string{"日期", "%d/%m/%Y"}},
		{"true values", `{"fields": [{"name": "重点", "type": "boolean", "trueValues": ["对"]}]}`, []string{"重点", "trueValues", "对"}},
		{"decimal comma", `{"fields": [{"name": "金额", "type": "number", "decimalChar": ","}]}`, []string{"金额", "decimalChar"}},
		{"missing values", `{"fields": [{"name": "a"}], "missingValues": ["", "NA"]}`, []string{"missingValues", "NA"}},
		{"unknown constraint", `{"fields": [{"name": "a", "constraints": {"exclusiveMinimum": 1}}]}`, []string{`"a"`, "exclusiveMinimum"}},
		{"minimum on string", `{"fields": [{"name": "a", "constraints": {"minimum": 1}}]}`, []string{`"a"`, "minimum"}},
		{"minLength on number", `{"fields": [{"name": "n", "type": "number", "constraints": {"minLength": 1}}]}`, []string{`"n"`, "minLength"}},
		{"bad minimum", `{"fields": [{"name": "n", "type": "number", "constraints": {"minimum": "lots"}}]}`, []string{`"n"`, "minimum"}},
		{"bad date bound", `{"fields": [{"name": "d", "type": "date", "constraints": {"maximum": "soon"}}]}`, []string{`"d"`, "maximum"}},
		{"bad required", `{"fields": [{"name": "a", "constraints": {"required": "yes"}}]}`, []string{`"a"`, "required"}},
		{"bad regex", `{"fields": [{"name": "a", "constraints": {"pattern": "(?<=x)"}}]}`, []string{`"a"`, "pattern"}},
		{"empty enum", `{"fields": [{"name": "a", "constraints": {"enum": []}}]}`, []string{`"a"`, "enum"}},
		{"unknown primary key", `{"fields": [{"name": "a"}], "primaryKey": "b"}`, []string{"primaryKey", `"b"`}},
		{"bad primary key", `{"fields": [{"name": "a"}], "primaryKey": 3}`, []string{"primaryKey"}},
		{"compound foreign key", `{"fields": [{"name": "a"}, {"name": "b"}], "foreignKeys": [{"fields": ["a", "b"], "reference": {"resource": "t", "fields": ["x", "y"]}}]}`, []string{"foreignKeys[0]", "one field"}},
		{"foreign key from unknown field", `{"fields": [{"name": "a"}], "foreignKeys": [{"fields": "z", "reference": {"resource": "t", "fields": "x"}}]}`, []string{"foreignKeys[0]", `"z"`}},
		{"self reference to unknown field", `{"fields": [{"name": "a"}], "foreignKeys": [{"fields": "a", "reference": {"resource": "", "fields": "z"}}]}`, []string{"foreignKeys[0]", `"z"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := LoadTableSchema([]byte(tt.schema))
			if err == nil {
				t.Fatal("LoadTableSchema: no error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not name %q", err, part)
				}
			}
		})
	}
}
