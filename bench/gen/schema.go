package gen

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/sheetaudit/sheetaudit/examples/clientgen"
)

// Schema returns a Frictionless Table Schema for a sheet with header: the
// rules the benchmark checks, written once so that sheetaudit
// (audit.LoadTableSchema) and the npm Table Schema validator check exactly
// the same thing. It keeps to what both understand: required, unique,
// enum, pattern, minimum/maximum, maxLength, format email/uri, date and
// number types, and the primary key. Dates may not be after base (the
// issue's not_after: today, with the day pinned so runs agree).
func Schema(header []string, base time.Time) ([]byte, error) {
	type constraints map[string]any
	type field struct {
		Name        string      `json:"name"`
		Type        string      `json:"type"`
		Format      string      `json:"format,omitempty"`
		Constraints constraints `json:"constraints,omitempty"`
	}
	day := base.Format(clientgen.DateLayout)
	rules := map[string]field{
		clientgen.ColID:       {Type: "string", Constraints: constraints{"required": true, "unique": true, "pattern": `C[0-9]{5,7}`}},
		clientgen.ColName:     {Type: "string", Constraints: constraints{"required": true, "maxLength": 100}},
		clientgen.ColPhone:    {Type: "string", Constraints: constraints{"pattern": `\+?[0-9][0-9 \-]{6,19}`}},
		clientgen.ColEmail:    {Type: "string", Format: "email"},
		clientgen.ColIndustry: {Type: "string", Constraints: constraints{"enum": []string{"IT", "金融", "制造", "零售", "医疗", "教育", "其他"}}},
		clientgen.ColStage:    {Type: "string", Constraints: constraints{"required": true, "enum": []string{"初步洽谈", "需求确认", "方案报价", "商务谈判", "签约完成", "流失"}}},
		clientgen.ColOwner:    {Type: "string", Constraints: constraints{"required": true, "maxLength": 10}},
		clientgen.ColFollowUp: {Type: "date", Constraints: constraints{"maximum": day}},
		clientgen.ColAmount:   {Type: "number", Constraints: constraints{"minimum": 0}},
		"客户等级":                {Type: "string", Constraints: constraints{"enum": []string{"A", "B", "C", "D"}}},
		"创建日期":                {Type: "date", Constraints: constraints{"maximum": day}},
		"员工人数":                {Type: "integer", Constraints: constraints{"minimum": 1}},
		"年营收(万元)":             {Type: "number", Constraints: constraints{"minimum": 0}},
		"官网":                  {Type: "string", Format: "uri"},
		"邮编":                  {Type: "string", Constraints: constraints{"pattern": `[0-9]{6}`}},
		"下次跟进日期":              {Type: "date"},
	}
	var s struct {
		Fields     []field `json:"fields"`
		PrimaryKey string  `json:"primaryKey"`
	}
	for _, h := range header {
		f, ok := rules[h]
		if !ok {
			f = field{Type: "string"}
		}
		f.Name = h
		s.Fields = append(s.Fields, f)
	}
	s.PrimaryKey = clientgen.ColID
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode table schema: %w", err)
	}
	return append(b, '\n'), nil
}
