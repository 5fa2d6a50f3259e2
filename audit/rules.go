package audit

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Column types of a ColumnRule.
const (
	TypeText     = "text"
	TypeInteger  = "integer"
	TypeNumber   = "number"
	TypeDate     = "date"
	TypeDateTime = "datetime"
	TypeBool     = "bool"
	TypeEmail    = "email"
	TypePhone    = "phone"
	TypeURL      = "url"
)

// ColumnRule is what the values of one column must satisfy. It is plain
// data: cmd/sheetaudit maps the config's columns onto it, LoadTableSchema
// builds it from a Frictionless Table Schema, and Compile checks it.
//
// Surrounding white space of a cell is ignored by every check, and a blank
// cell is only checked by Required: the other constraints apply to values
// that are there.
type ColumnRule struct {
	Column string
	// Type is one of the Type constants; "" means text (no type check).
	Type     string
	Required bool
	// Unique reports every value that an earlier row already holds. On the
	// table's only key column it is skipped, since ParseTable already
	// reports duplicate keys.
	Unique bool
	Enum   []string
	// IgnoreCase makes Enum compare case- and width-insensitively
	// (ＩＴ, it and IT match).
	IgnoreCase bool
	// Pattern is an RE2 expression the value must match somewhere; anchor
	// it (^…$) to match the whole value.
	Pattern string
	// Min and Max bound integer and number columns.
	Min, Max *float64
	// MinLength and MaxLength count characters (runes, so 客户 is 2) of
	// text, email, phone and url columns.
	MinLength, MaxLength *int
	// NotBefore and NotAfter bound date and datetime columns: "" (no
	// bound), a date (2026-01-01), "today", or today with a signed number
	// of days or weeks ("today-30d", "today+2w"). "today" is the day of
	// the check in the sheet's time zone, and a bound covers that whole day.
	NotBefore, NotAfter string
	// References requires the value to appear in another column.
	References *Reference
	Severity   Severity
	// Message replaces the generated message of every finding of this
	// rule; {column} and {value} in it are replaced by the column name and
	// the cell's value.
	Message string
}

// Reference names the column whose values a referencing column must use.
type Reference struct {
	// Tab is "" for the tab being checked; otherwise Check finds it in refs.
	Tab    string
	Column string
}

// RowRule is a row-level condition: when every column in When holds one of
// its listed values, the columns in Require must not be blank.
type RowRule struct {
	// Name names the rule in findings (their Rule field).
	Name string
	// When maps a column to the values that trigger the rule; an empty
	// string in the list matches a blank cell.
	When     map[string][]string
	Require  []string
	Severity Severity
	// Message replaces the generated message; {column} in it is replaced
	// by the required column's name.
	Message string
}

// RuleSet is every rule of one sheet, in the order findings should follow.
type RuleSet struct {
	Columns []ColumnRule
	Rows    []RowRule
	// Locale selects the language of messages: "en" (default) or "zh-CN".
	Locale string
}

// Rules is a compiled RuleSet, ready to check tables. It is immutable, so
// one Rules may check many tables concurrently.
type Rules struct {
	cols []colRule
	rows []rowRule
	cat  *catalog
	tabs []string
}

type colRule struct {
	ColumnRule
	typeRule        string         // the finding's Rule for a failed type check
	enum            map[string]int // value (folded with IgnoreCase) → index in Enum
	enumText        string
	re              *regexp.Regexp
	notBefore       *dateLimit
	notAfter        *dateLimit
	minText         string
	maxText         string
	refTab, refText string // message parts for References
}

type rowRule struct {
	RowRule
	when     []condition
	condText string // the localised condition for messages
}

type condition struct {
	column string
	values []string
}

// dateLimit is a parsed NotBefore/NotAfter.
type dateLimit struct {
	relative bool
	days     int
	date     civil
}

func (l dateLimit) resolve(today civil) civil {
	if l.relative {
		return today.addDays(l.days)
	}
	return l.date
}

// describe renders the limit for a message: the date, and how it relates to
// today when it is relative.
func (l dateLimit) describe(c *catalog, today civil) string {
	d := l.resolve(today).String()
	switch {
	case !l.relative:
		return d
	case l.days == 0:
		return fmt.Sprintf(c.today, d)
	case l.days < 0:
		return fmt.Sprintf(c.daysAgo, d, -l.days)
	default:
		return fmt.Sprintf(c.daysOn, d, l.days)
	}
}

// parseDateLimit reads "today", "today-30d", "today+2w" or a date.
func parseDateLimit(s string) (dateLimit, error) {
	t := strings.TrimSpace(s)
	if len(t) >= 5 && strings.EqualFold(t[:5], "today") {
		rest := strings.ReplaceAll(t[5:], " ", "")
		if rest == "" {
			return dateLimit{relative: true}, nil
		}
		sign, mult := 1, 1
		switch rest[0] {
		case '+':
		case '-':
			sign = -1
		default:
			return dateLimit{}, fmt.Errorf("%q is not a date bound: write today, today-30d or today+2w", s)
		}
		switch rest[len(rest)-1] {
		case 'd', 'D':
		case 'w', 'W':
			mult = 7
		default:
			return dateLimit{}, fmt.Errorf("%q is not a date bound: end the offset with d (days) or w (weeks)", s)
		}
		n, err := strconv.Atoi(rest[1 : len(rest)-1])
		if err != nil || n < 0 || n > 100000 {
			return dateLimit{}, fmt.Errorf("%q is not a date bound: write today, today-30d or today+2w", s)
		}
		return dateLimit{relative: true, days: sign * n * mult}, nil
	}
	c, rest, ok := scanDate(foldWidth(t))
	if !ok || rest != "" {
		return dateLimit{}, fmt.Errorf("%q is not a date bound: write a date such as 2026-01-01, or today, or today-30d", s)
	}
	return dateLimit{date: c}, nil
}

var (
	allTypes  = []string{"", TypeText, TypeInteger, TypeNumber, TypeDate, TypeDateTime, TypeBool, TypeEmail, TypePhone, TypeURL}
	textTypes = []string{"", TypeText, TypeEmail, TypePhone, TypeURL}
)

// RuleError is one problem Compile finds in a rule set: which rule, which
// of its settings, and what is wrong, so that the configuration can point
// at the line that wrote it. errors.Is(err, ErrInvalid) holds.
type RuleError struct {
	// Column names the column rule at fault; Row is the index in
	// RuleSet.Rows of the row rule at fault, -1 for a column rule.
	Column string
	Row    int
	// Rule is the row rule's name, "" for a column rule or a row rule
	// without one.
	Rule string
	// Field is the setting at fault as configuration files write it, with
	// the index of a list item: "type", "enum[2]", "not_after",
	// "require[1]", "name", and "when.<column>" for one condition of a row
	// rule; "" when the rule as a whole is at fault.
	Field string
	// Err is the problem, worded to follow the setting's name (`"高" is
	// not a valid integer`), as a configuration error reads after the key.
	Err error
}

// Error names the rule and the setting, then the problem:
// `column "等级": enum[2]: "高" is not a valid integer`.
func (e *RuleError) Error() string {
	rule := fmt.Sprintf("column %q", e.Column)
	if e.Row >= 0 {
		name := e.Rule
		if strings.TrimSpace(name) == "" {
			name = "#" + strconv.Itoa(e.Row+1)
		}
		rule = fmt.Sprintf("row rule %q", name)
	}
	if e.Field == "" {
		return fmt.Sprintf("%s: %v", rule, e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", rule, e.Field, e.Err)
}

// Unwrap returns Err, which wraps ErrInvalid.
func (e *RuleError) Unwrap() error { return e.Err }

// RuleErrors is every problem Compile found, in rule set order, so that a
// user fixes them all in one round. Its text is one line per problem.
type RuleErrors []*RuleError

func (es RuleErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find each *RuleError and errors.Is find ErrInvalid.
func (es RuleErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// invalidError is a problem that reads as its own text (no trailing
// ": invalid") and still matches ErrInvalid.
type invalidError struct{ msg string }

func (e invalidError) Error() string        { return e.msg }
func (e invalidError) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, args ...any) error {
	return invalidError{fmt.Sprintf(format, args...)}
}

// problems collects the RuleErrors of one rule.
type problems struct {
	rule RuleError // Column, Row and Rule of every problem
	errs RuleErrors
}

func (p *problems) add(field, format string, args ...any) {
	e := p.rule
	e.Field, e.Err = field, invalidf(format, args...)
	p.errs = append(p.errs, &e)
}

// Compile checks a rule set and prepares it for Check: regular expressions
// are compiled, enums become sets, bounds are parsed. It is the one judge of
// what a rule may say: the config layer checks only the shape and reports
// each of Compile's errors (RuleErrors, every problem of the set, each a
// *RuleError naming the rule and the setting at fault) at the line that
// wrote it.
func Compile(rs RuleSet) (*Rules, error) {
	cat, ok := catalogFor(rs.Locale)
	if !ok {
		return nil, fmt.Errorf("locale %q: use en or zh-CN: %w", rs.Locale, ErrInvalid)
	}
	r := &Rules{cat: cat}
	var errs RuleErrors
	seen := make(map[string]bool, len(rs.Columns))
	for _, cr := range rs.Columns {
		p := &problems{rule: RuleError{Column: cr.Column, Row: -1}}
		if seen[cr.Column] {
			p.add("", "the column has two rules; merge them into one")
		}
		seen[cr.Column] = true
		c := compileColumn(cr, cat, p)
		if len(p.errs) > 0 {
			errs = append(errs, p.errs...)
			continue
		}
		if ref := cr.References; ref != nil && ref.Tab != "" && !slices.Contains(r.tabs, ref.Tab) {
			r.tabs = append(r.tabs, ref.Tab)
		}
		r.cols = append(r.cols, c)
	}
	slices.Sort(r.tabs)
	names := make(map[string]bool, len(rs.Rows))
	for i, rr := range rs.Rows {
		p := &problems{rule: RuleError{Row: i, Rule: rr.Name}}
		if names[rr.Name] && strings.TrimSpace(rr.Name) != "" {
			p.add("name", "%q is also the name of an earlier row rule; a name tells a rule's findings apart", rr.Name)
		}
		names[rr.Name] = true
		c := compileRow(rr, cat, p)
		if len(p.errs) > 0 {
			errs = append(errs, p.errs...)
			continue
		}
		r.rows = append(r.rows, c)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return r, nil
}

func compileColumn(cr ColumnRule, cat *catalog, p *problems) colRule {
	c := colRule{ColumnRule: cr}
	if strings.TrimSpace(cr.Column) == "" {
		p.add("", "the column name is empty")
	}
	known := slices.Contains(allTypes, cr.Type)
	if !known {
		p.add("type", "%q is unknown: use text, integer, number, date, datetime, bool, email, phone or url%s", cr.Type, Suggest(cr.Type, allTypes[1:]))
	}
	if cr.Severity < Error || cr.Severity > Info {
		p.add("severity", "%d is unknown", cr.Severity)
	}
	if cr.Type != "" && cr.Type != TypeText {
		c.typeRule = "type:" + cr.Type
	}
	if cr.Enum != nil {
		if len(cr.Enum) == 0 {
			p.add("enum", "lists no value")
		}
		c.enum = make(map[string]int, len(cr.Enum))
		for i, e := range cr.Enum {
			field := fmt.Sprintf("enum[%d]", i)
			k := strings.TrimSpace(e)
			if cr.IgnoreCase {
				k = strings.ToLower(foldWidth(k))
			}
			switch first, dup := c.enum[k]; {
			case k == "":
				p.add(field, "is empty (leave required off to allow blank cells)")
			case known && !validTyped(cr.Type, e):
				p.add(field, "%q is not a valid %s", e, cr.Type)
			case dup:
				p.add(field, "%q is listed twice (also enum[%d])", e, first)
			default:
				c.enum[k] = i
			}
		}
		c.enumText = cat.list(cr.Enum, 12)
	}
	if cr.Pattern != "" {
		re, err := regexp.Compile(cr.Pattern)
		if err != nil {
			p.add("pattern", "is not a valid RE2 expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		c.re = re
	}
	numeric := cr.Type == TypeInteger || cr.Type == TypeNumber
	if (cr.Min != nil || cr.Max != nil) && known && !numeric {
		field := "min"
		if cr.Min == nil {
			field = "max"
		}
		p.add(field, "applies to type integer or number, not %s (use min_length/max_length for text, not_before/not_after for dates)", typeName(cr.Type))
	}
	if cr.Min != nil {
		c.minText = strconv.FormatFloat(*cr.Min, 'f', -1, 64)
	}
	if cr.Max != nil {
		c.maxText = strconv.FormatFloat(*cr.Max, 'f', -1, 64)
	}
	if cr.Min != nil && cr.Max != nil && *cr.Min > *cr.Max {
		p.add("max", "%s is less than min %s", c.maxText, c.minText)
	}
	if (cr.MinLength != nil || cr.MaxLength != nil) && known && !slices.Contains(textTypes, cr.Type) {
		field := "min_length"
		if cr.MinLength == nil {
			field = "max_length"
		}
		p.add(field, "applies to text, email, phone and url columns, not %s", typeName(cr.Type))
	}
	switch {
	case cr.MinLength != nil && *cr.MinLength < 0:
		p.add("min_length", "must not be negative")
	case cr.MaxLength != nil && *cr.MaxLength < 0:
		p.add("max_length", "must not be negative")
	case cr.MinLength != nil && cr.MaxLength != nil && *cr.MinLength > *cr.MaxLength:
		p.add("max_length", "%d is less than min_length %d", *cr.MaxLength, *cr.MinLength)
	}
	dated := cr.Type == TypeDate || cr.Type == TypeDateTime
	for _, b := range []struct {
		name string
		text string
		dst  **dateLimit
	}{{"not_before", cr.NotBefore, &c.notBefore}, {"not_after", cr.NotAfter, &c.notAfter}} {
		if b.text == "" {
			continue
		}
		if known && !dated {
			p.add(b.name, "applies to type date or datetime, not %s", typeName(cr.Type))
			continue
		}
		l, err := parseDateLimit(b.text)
		if err != nil {
			p.add(b.name, "%v", err)
			continue
		}
		*b.dst = &l
	}
	if b, a := c.notBefore, c.notAfter; b != nil && a != nil && b.relative == a.relative {
		if (b.relative && b.days > a.days) || (!b.relative && b.date.ord() > a.date.ord()) {
			p.add("not_after", "%s is earlier than not_before %s", cr.NotAfter, cr.NotBefore)
		}
	}
	if ref := cr.References; ref != nil {
		if strings.TrimSpace(ref.Column) == "" {
			p.add("references", "names no column")
		}
		c.refTab, c.refText = ref.Tab, ref.Column
	}
	return c
}

// typeName names a column type in a message; "" is text.
func typeName(t string) string {
	if t == "" {
		return TypeText
	}
	return t
}

// Suggest returns ` (did you mean "x"?)` when one of known is close to s
// (edit distance, case ignored, a prefix counting as one edit); config uses
// it for its own keys so both say it alike.
func Suggest(s string, known []string) string {
	best, bestDist := "", -1
	for _, k := range known {
		ls, lk := strings.ToLower(s), strings.ToLower(k)
		d := editDistance(ls, lk)
		if ls != "" && (strings.HasPrefix(lk, ls) || strings.HasPrefix(ls, lk)) {
			d = min(d, 1) // "warn" for "warning"
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = k, d
		}
	}
	if s == "" || bestDist < 0 || bestDist > max(1, utf8.RuneCountInString(s)/3) {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// validTyped reports whether v is a value of column type t.
func validTyped(t, v string) bool {
	switch t {
	case TypeInteger:
		_, ok := ParseInteger(v)
		return ok
	case TypeNumber:
		_, ok := ParseNumber(v)
		return ok
	case TypeDate, TypeDateTime:
		_, ok := scanDateTime(v)
		return ok
	case TypeBool:
		_, ok := ParseBool(v)
		return ok
	case TypeEmail:
		return IsEmail(v)
	case TypePhone:
		return IsPhone(v)
	case TypeURL:
		return IsURL(v)
	}
	return true
}

func compileRow(rr RowRule, cat *catalog, p *problems) rowRule {
	c := rowRule{RowRule: rr}
	if strings.TrimSpace(rr.Name) == "" {
		p.add("name", "is empty (it names the rule in findings)")
	}
	if len(rr.When) == 0 {
		p.add("when", "needs at least one column: value condition")
	}
	if len(rr.Require) == 0 {
		p.add("require", "needs at least one column")
	}
	if rr.Severity < Error || rr.Severity > Info {
		p.add("severity", "%d is unknown", rr.Severity)
	}
	seen := make(map[string]int, len(rr.Require))
	for i, col := range rr.Require {
		field := fmt.Sprintf("require[%d]", i)
		first, dup := seen[col]
		switch {
		case strings.TrimSpace(col) == "":
			p.add(field, "is an empty column name")
		case dup:
			p.add(field, "%q is listed twice (also require[%d])", col, first)
		default:
			seen[col] = i
		}
	}
	// Map order is random; sorted conditions keep messages stable.
	cols := make([]string, 0, len(rr.When))
	for col := range rr.When {
		cols = append(cols, col)
	}
	slices.Sort(cols)
	parts := make([]string, 0, len(cols))
	for _, col := range cols {
		vs := rr.When[col]
		switch {
		case strings.TrimSpace(col) == "":
			p.add("when", "holds an empty column name")
			continue
		case len(vs) == 0:
			p.add("when."+col, "lists no value (write \"\" for a blank cell)")
			continue
		}
		trimmed := make([]string, len(vs))
		for i, v := range vs {
			trimmed[i] = strings.TrimSpace(v)
		}
		c.when = append(c.when, condition{column: col, values: trimmed})
		quoted := make([]string, len(vs))
		for i, v := range trimmed {
			quoted[i] = cat.quote(v)
		}
		parts = append(parts, fmt.Sprintf(cat.cond, col, strings.Join(quoted, cat.or)))
	}
	c.condText = strings.Join(parts, cat.and)
	return c
}

// ReferencedTabs returns the other tabs whose columns the rules reference,
// sorted; the caller reads them and passes them to Check in refs.
func (r *Rules) ReferencedTabs() []string { return slices.Clone(r.tabs) }

// ParseSeverity reads a severity as config files and schemas write it:
// "error" (also ""), "warning" or "info".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "error":
		return Error, nil
	case "warning":
		return Warning, nil
	case "info":
		return Info, nil
	}
	return Error, invalidf("%q is not a severity: use error, warning or info%s", s, Suggest(strings.TrimSpace(s), []string{"error", "warning", "info"}))
}
