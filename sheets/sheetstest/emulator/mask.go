package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// maskNode is a parsed field mask: each key selects a field; a nil child
// selects the whole field. Grammar (SHEETS-API.md §4): '.' or '/' descend,
// a(b,c) groups, ',' separates, '*' selects everything.
type maskNode map[string]maskNode

func parseMask(s string) (maskNode, bool) {
	p := maskParser{s: s}
	m := maskNode{}
	if !p.list(m) || p.i != len(p.s) {
		return nil, false
	}
	return m, true
}

type maskParser struct {
	s string
	i int
}

func (p *maskParser) list(into maskNode) bool {
	for {
		if !p.item(into) {
			return false
		}
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return true
	}
}

func (p *maskParser) item(into maskNode) bool {
	node := into
	for {
		j := p.i
		for j < len(p.s) && !strings.ContainsRune(",()./", rune(p.s[j])) {
			j++
		}
		name := strings.TrimSpace(p.s[p.i:j])
		if name == "" {
			return false
		}
		p.i = j
		child, exists := node[name]
		if p.i < len(p.s) && (p.s[p.i] == '.' || p.s[p.i] == '/') {
			p.i++
			if exists && child == nil {
				child = nil // already whole; deeper selection adds nothing
				sub := maskNode{}
				node = sub
				continue
			}
			if child == nil {
				child = maskNode{}
				node[name] = child
			}
			node = child
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '(' {
			p.i++
			if child == nil && exists {
				// whole field already selected
				child = maskNode{}
			} else if child == nil {
				child = maskNode{}
				node[name] = child
			}
			if !p.list(child) || p.i >= len(p.s) || p.s[p.i] != ')' {
				return false
			}
			p.i++
			return true
		}
		node[name] = nil
		return true
	}
}

// apply keeps only the selected fields of decoded JSON.
func (m maskNode) apply(v any) any {
	if m == nil {
		return v
	}
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		if sub, ok := m["*"]; ok {
			for k, x := range t {
				out[k] = sub.apply(x)
			}
		}
		for k, sub := range m {
			if x, ok := t[k]; ok && k != "*" {
				out[k] = sub.apply(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = m.apply(x)
		}
		return out
	}
	return v
}

// reaches reports whether the mask selects path explicitly.
func (m maskNode) reaches(path ...string) bool {
	n := m
	for _, p := range path {
		child, ok := n[p]
		if !ok {
			return false
		}
		if child == nil {
			return false
		}
		n = child
	}
	return true
}

// schemaNode lists the known fields at one level; nil means "not checked".
type schemaNode map[string]schemaNode

var sheetSchema = schemaNode{
	"properties": nil, "data": nil, "merges": nil, "conditionalFormats": nil, "filterViews": nil,
	"protectedRanges": nil, "basicFilter": nil, "charts": nil, "bandedRanges": nil,
	"developerMetadata": nil, "rowGroups": nil, "columnGroups": nil, "slicers": nil, "tables": nil,
}

var spreadsheetSchema = schemaNode{
	"spreadsheetId": nil, "properties": nil, "sheets": sheetSchema, "namedRanges": nil,
	"spreadsheetUrl": nil, "developerMetadata": nil, "dataSources": nil, "dataSourceSchedules": nil,
}

// unknown returns the first selected path that the schema does not know.
func (m maskNode) unknown(s schemaNode) string {
	for k, sub := range m {
		if k == "*" {
			continue
		}
		child, ok := s[k]
		if !ok {
			return k
		}
		if child != nil && sub != nil {
			if bad := sub.unknown(child); bad != "" {
				return k + "." + bad
			}
		}
	}
	return ""
}

// Response schemas of the methods other than spreadsheets.get, for their
// fields masks.
var (
	valueRangeSchema   = schemaNode{"range": nil, "majorDimension": nil, "values": nil}
	updateValuesSchema = schemaNode{"spreadsheetId": nil, "updatedRange": nil, "updatedRows": nil,
		"updatedColumns": nil, "updatedCells": nil, "updatedData": valueRangeSchema}
	methodSchemas = map[string]schemaNode{
		"values.get":        valueRangeSchema,
		"values.batchGet":   {"spreadsheetId": nil, "valueRanges": valueRangeSchema},
		"values.update":     updateValuesSchema,
		"values.append":     {"spreadsheetId": nil, "tableRange": nil, "updates": updateValuesSchema},
		"values.clear":      {"spreadsheetId": nil, "clearedRange": nil},
		"values.batchClear": {"spreadsheetId": nil, "clearedRanges": nil},
		"values.batchUpdate": {"spreadsheetId": nil, "totalUpdatedRows": nil, "totalUpdatedColumns": nil,
			"totalUpdatedCells": nil, "totalUpdatedSheets": nil, "responses": updateValuesSchema},
		"spreadsheets.batchUpdate": {"spreadsheetId": nil, "replies": nil, "updatedSpreadsheet": spreadsheetSchema},
		"spreadsheets.create":      spreadsheetSchema,
		"spreadsheets.get":         spreadsheetSchema,
	}
)

// parseFieldsParam reads a method's fields parameter, refusing what Google
// refuses: an unparseable mask, or a path the response does not have.
func parseFieldsParam(kind, f string) (maskNode, *apiError) {
	m, ok := parseMask(f)
	if !ok {
		return nil, errInvalid("Invalid field selection %s", f)
	}
	if bad := m.unknown(methodSchemas[kind]); bad != "" {
		e := errInvalid("Request contains an invalid argument.")
		e.details = []any{map[string]any{
			"@type": "type.googleapis.com/google.rpc.BadRequest",
			"fieldViolations": []any{map[string]any{
				"field":       "fields",
				"description": fmt.Sprintf("Error expanding 'fields' parameter. Cannot find matching fields for path '%s'.", bad),
			}},
		}}
		return nil, e
	}
	return m, nil
}

// bufferedResponse holds a method's answer so that a fields mask can be
// applied before it is sent.
type bufferedResponse struct {
	header http.Header
	code   int
	body   bytes.Buffer
	legacy bool
}

func (b *bufferedResponse) legacyErrors() bool { return b.legacy }

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.code == 0 {
		b.code = 200
	}
	return b.body.Write(p)
}
func (b *bufferedResponse) WriteHeader(code int) {
	if b.code == 0 {
		b.code = code
	}
}

// sendMasked sends a buffered answer, masked when it succeeded.
func sendMasked(w http.ResponseWriter, b *bufferedResponse, m maskNode) {
	if b.code == 200 {
		var v any
		dec := json.NewDecoder(&b.body)
		dec.UseNumber()
		if err := dec.Decode(&v); err == nil {
			writeJSON(w, 200, m.apply(v))
			return
		}
	}
	w.WriteHeader(b.code)
	_, _ = w.Write(b.body.Bytes())
}
