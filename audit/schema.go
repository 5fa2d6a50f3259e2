package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// LoadTableSchema reads a Frictionless Table Schema
// (https://specs.frictionlessdata.io/table-schema/) as a rule set, so a
// team that already describes its table that way reuses the description.
// It returns the rules and the schema's primaryKey (the caller compares it
// with the configured key; ParseTable already reports empty and duplicate
// keys, so no rule is added for it).
//
// Mapping:
//   - field types: string → text (format email → email, uri → url, uuid →
//     a UUID pattern), integer, number, boolean → bool, date, datetime, any
//     → text, year → integer;
//   - constraints: required, unique, enum, pattern (anchored to the whole
//     value, as the spec says), minimum/maximum (min/max on numbers,
//     not_before/not_after on dates), minLength/maxLength;
//   - foreignKeys with one field: reference.resource "" is the same tab,
//     any other resource is the tab of that name.
//
// Descriptive properties (title, description, example, rdfType, and any
// property this list does not name) are ignored. Everything that would
// change what a value means or whether it passes, and that sheetaudit
// cannot honour, is an error rather than silently dropped: the types time,
// yearmonth, duration, geopoint, geojson, object and array; custom date
// formats; trueValues/falseValues beyond the words ParseBool reads;
// decimalChar other than "." and groupChar other than ","; missingValues
// other than [""]; unknown constraints; foreign keys over several fields.
// Errors wrap ErrInvalid and name the field.
func LoadTableSchema(data []byte) (RuleSet, []string, error) {
	var s struct {
		Fields        []json.RawMessage `json:"fields"`
		PrimaryKey    json.RawMessage   `json:"primaryKey"`
		ForeignKeys   []schemaForeign   `json:"foreignKeys"`
		MissingValues *[]string         `json:"missingValues"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return RuleSet{}, nil, fmt.Errorf("table schema: %v: %w", err, ErrInvalid)
	}
	if len(s.Fields) == 0 {
		return RuleSet{}, nil, fmt.Errorf("table schema: no fields: %w", ErrInvalid)
	}
	if err := checkMissingValues(s.MissingValues); err != nil {
		return RuleSet{}, nil, fmt.Errorf("table schema: %v: %w", err, ErrInvalid)
	}
	var rs RuleSet
	index := make(map[string]int, len(s.Fields))
	for i, raw := range s.Fields {
		var f schemaField
		if err := json.Unmarshal(raw, &f); err != nil {
			return RuleSet{}, nil, fmt.Errorf("table schema: field %d: %v: %w", i+1, err, ErrInvalid)
		}
		if strings.TrimSpace(f.Name) == "" {
			return RuleSet{}, nil, fmt.Errorf("table schema: field %d has no name: %w", i+1, ErrInvalid)
		}
		if _, dup := index[f.Name]; dup {
			return RuleSet{}, nil, fmt.Errorf("table schema: field %q is listed twice: %w", f.Name, ErrInvalid)
		}
		cr, err := f.rule()
		if err != nil {
			return RuleSet{}, nil, fmt.Errorf("table schema: field %q: %v: %w", f.Name, err, ErrInvalid)
		}
		index[f.Name] = len(rs.Columns)
		rs.Columns = append(rs.Columns, cr)
	}

	key, err := stringOrList(s.PrimaryKey)
	if err != nil {
		return RuleSet{}, nil, fmt.Errorf("table schema: primaryKey: %v: %w", err, ErrInvalid)
	}
	for _, k := range key {
		if _, ok := index[k]; !ok {
			return RuleSet{}, nil, fmt.Errorf("table schema: primaryKey names %q, which is not a field: %w", k, ErrInvalid)
		}
	}
	for i, fk := range s.ForeignKeys {
		from, err1 := stringOrList(fk.Fields)
		to, err2 := stringOrList(fk.Reference.Fields)
		switch {
		case err1 != nil || err2 != nil:
			return RuleSet{}, nil, fmt.Errorf("table schema: foreignKeys[%d]: fields must be a name or a list of names: %w", i, ErrInvalid)
		case len(from) != 1 || len(to) != 1:
			return RuleSet{}, nil, fmt.Errorf("table schema: foreignKeys[%d]: only keys of one field are supported (got %d → %d): %w", i, len(from), len(to), ErrInvalid)
		}
		j, ok := index[from[0]]
		if !ok {
			return RuleSet{}, nil, fmt.Errorf("table schema: foreignKeys[%d] names %q, which is not a field: %w", i, from[0], ErrInvalid)
		}
		if rs.Columns[j].References != nil {
			return RuleSet{}, nil, fmt.Errorf("table schema: field %q has two foreign keys: %w", from[0], ErrInvalid)
		}
		if fk.Reference.Resource == "" {
			if _, ok := index[to[0]]; !ok {
				return RuleSet{}, nil, fmt.Errorf("table schema: foreignKeys[%d] references %q, which is not a field: %w", i, to[0], ErrInvalid)
			}
		}
		rs.Columns[j].References = &Reference{Tab: fk.Reference.Resource, Column: to[0]}
	}
	// The schema's rules must also compile (a pattern RE2 rejects, say).
	if _, err := Compile(rs); err != nil {
		return RuleSet{}, nil, fmt.Errorf("table schema: %w", err)
	}
	return rs, key, nil
}

type schemaForeign struct {
	Fields    json.RawMessage `json:"fields"`
	Reference struct {
		Resource string          `json:"resource"`
		Fields   json.RawMessage `json:"fields"`
	} `json:"reference"`
}

type schemaField struct {
	Name          string                     `json:"name"`
	Type          string                     `json:"type"`
	Format        string                     `json:"format"`
	Constraints   map[string]json.RawMessage `json:"constraints"`
	TrueValues    []string                   `json:"trueValues"`
	FalseValues   []string                   `json:"falseValues"`
	DecimalChar   *string                    `json:"decimalChar"`
	GroupChar     *string                    `json:"groupChar"`
	MissingValues *[]string                  `json:"missingValues"`
}

const uuidPattern = `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`

func (f *schemaField) rule() (ColumnRule, error) {
	cr := ColumnRule{Column: f.Name}
	format := f.Format
	if format == "default" {
		format = ""
	}
	switch f.Type {
	case "", "string":
		switch format {
		case "":
			cr.Type = TypeText
		case "email":
			cr.Type = TypeEmail
		case "uri":
			cr.Type = TypeURL
		case "uuid":
			cr.Type, cr.Pattern = TypeText, uuidPattern
		default:
			return cr, fmt.Errorf("string format %q is not supported (use default, email, uri or uuid)", f.Format)
		}
		format = ""
	case "integer", "year":
		cr.Type = TypeInteger
	case "number":
		cr.Type = TypeNumber
	case "boolean":
		cr.Type = TypeBool
	case "date":
		cr.Type = TypeDate
	case "datetime":
		cr.Type = TypeDateTime
	case "any":
		cr.Type = TypeText
	default:
		return cr, fmt.Errorf("type %q is not supported (use string, integer, number, boolean, date, datetime, year or any)", f.Type)
	}
	if format != "" && format != "any" {
		return cr, fmt.Errorf("format %q is not supported: sheetaudit reads %s values in its own forms (2026-11-29, 2026/11/29, 2026年11月29日, sheet serials); remove the format", f.Format, f.Type)
	}
	for _, v := range f.TrueValues {
		if b, ok := ParseBool(v); !ok || !b {
			return cr, fmt.Errorf("trueValues %q is not supported (sheetaudit reads TRUE, yes, Y, 1, 是)", v)
		}
	}
	for _, v := range f.FalseValues {
		if b, ok := ParseBool(v); !ok || b {
			return cr, fmt.Errorf("falseValues %q is not supported (sheetaudit reads FALSE, no, N, 0, 否)", v)
		}
	}
	if f.DecimalChar != nil && *f.DecimalChar != "." {
		return cr, fmt.Errorf("decimalChar %q is not supported (only \".\")", *f.DecimalChar)
	}
	if f.GroupChar != nil && *f.GroupChar != "," && *f.GroupChar != "" {
		return cr, fmt.Errorf("groupChar %q is not supported (only \",\")", *f.GroupChar)
	}
	if err := checkMissingValues(f.MissingValues); err != nil {
		return cr, err
	}

	keys := make([]string, 0, len(f.Constraints))
	for k := range f.Constraints {
		keys = append(keys, k)
	}
	slices.Sort(keys) // map order is random; errors must not be
	for _, k := range keys {
		raw := f.Constraints[k]
		var err error
		switch k {
		case "required":
			err = json.Unmarshal(raw, &cr.Required)
		case "unique":
			err = json.Unmarshal(raw, &cr.Unique)
		case "enum":
			cr.Enum, err = schemaEnum(raw)
		case "pattern":
			var p string
			if err = json.Unmarshal(raw, &p); err == nil {
				if cr.Pattern != "" {
					return cr, fmt.Errorf("pattern cannot be combined with format uuid")
				}
				cr.Pattern = "^(?:" + p + ")$" // the spec's patterns match the whole value
			}
		case "minimum", "maximum":
			err = f.bound(k, raw, &cr)
		case "minLength", "maxLength":
			if !slices.Contains(textTypes, cr.Type) {
				return cr, fmt.Errorf("%s applies to string fields, not %s", k, f.Type)
			}
			var n int
			if err = json.Unmarshal(raw, &n); err == nil {
				if k == "minLength" {
					cr.MinLength = &n
				} else {
					cr.MaxLength = &n
				}
			}
		default:
			return cr, fmt.Errorf("constraint %q is not supported (use required, unique, enum, pattern, minimum, maximum, minLength, maxLength)", k)
		}
		if err != nil {
			return cr, fmt.Errorf("constraint %s: %v", k, err)
		}
	}
	return cr, nil
}

// bound maps minimum/maximum onto Min/Max or NotBefore/NotAfter.
func (f *schemaField) bound(k string, raw json.RawMessage, cr *ColumnRule) error {
	switch cr.Type {
	case TypeInteger, TypeNumber:
		text, err := scalarText(raw)
		if err != nil {
			return err
		}
		v, ok := ParseNumber(text)
		if !ok {
			return fmt.Errorf("%s is not a number", text)
		}
		if k == "minimum" {
			cr.Min = &v
		} else {
			cr.Max = &v
		}
	case TypeDate, TypeDateTime:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("want a date string: %v", err)
		}
		// A datetime bound keeps its date: bounds are whole days.
		c, _, ok := scanDate(foldWidth(strings.TrimSpace(s)))
		if !ok {
			return fmt.Errorf("%q is not a date", s)
		}
		if k == "minimum" {
			cr.NotBefore = c.String()
		} else {
			cr.NotAfter = c.String()
		}
	default:
		return fmt.Errorf("applies to number, integer, date and datetime fields, not %s", f.Type)
	}
	return nil
}

// schemaEnum reads enum values of any JSON scalar type as cell text.
func schemaEnum(raw json.RawMessage) ([]string, error) {
	var vs []json.RawMessage
	if err := json.Unmarshal(raw, &vs); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		s, err := scalarText(v)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// scalarText returns a JSON string's value, or a number's or bool's text.
func scalarText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return strconv.FormatBool(b), nil
	}
	return "", fmt.Errorf("%s is not a string, number or boolean", raw)
}

// stringOrList reads a name or a list of names; absent is an empty list.
func stringOrList(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, fmt.Errorf("want a name or a list of names")
	}
	return many, nil
}

func checkMissingValues(mv *[]string) error {
	if mv == nil || slices.Equal(*mv, []string{""}) {
		return nil
	}
	return fmt.Errorf("missingValues %q is not supported: only blank cells count as missing (remove it or set it to [\"\"])", *mv)
}
