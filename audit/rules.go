package audit

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
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
	typeRule        string // the finding's Rule for a failed type check
	enum            map[string]struct{}
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

// RuleError is Compile's error: which rule of the set does not compile, so
// that the configuration can point at the line that wrote it. Its text is
// Err's; errors.Is(err, ErrInvalid) holds.
type RuleError struct {
	// Column names the column rule at fault; Row is the index in
	// RuleSet.Rows of the row rule at fault, -1 for a column rule.
	Column string
	Row    int
	Err    error
}

func (e *RuleError) Error() string { return e.Err.Error() }
func (e *RuleError) Unwrap() error { return e.Err }

// Compile checks a rule set and prepares it for Check: regular expressions
// are compiled, enums become sets, bounds are parsed. It is the one judge of
// what a rule may say: the config layer checks only the shape and reports
// Compile's error (a *RuleError wrapping ErrInvalid, naming the column or
// row rule at fault) at the line that wrote the rule.
func Compile(rs RuleSet) (*Rules, error) {
	cat, ok := catalogFor(rs.Locale)
	if !ok {
		return nil, fmt.Errorf("locale %q: use en or zh-CN: %w", rs.Locale, ErrInvalid)
	}
	r := &Rules{cat: cat}
	seen := make(map[string]bool, len(rs.Columns))
	for _, cr := range rs.Columns {
		c, err := compileColumn(cr, cat)
		if err != nil {
			return nil, &RuleError{Column: cr.Column, Row: -1, Err: fmt.Errorf("column %q: %w: %w", cr.Column, err, ErrInvalid)}
		}
		if seen[cr.Column] {
			return nil, &RuleError{Column: cr.Column, Row: -1, Err: fmt.Errorf("column %q has two rules; merge them into one: %w", cr.Column, ErrInvalid)}
		}
		seen[cr.Column] = true
		if ref := cr.References; ref != nil && ref.Tab != "" && !slices.Contains(r.tabs, ref.Tab) {
			r.tabs = append(r.tabs, ref.Tab)
		}
		r.cols = append(r.cols, c)
	}
	slices.Sort(r.tabs)
	for i, rr := range rs.Rows {
		c, err := compileRow(rr, cat)
		if err != nil {
			name := rr.Name
			if name == "" {
				name = "#" + strconv.Itoa(i+1)
			}
			return nil, &RuleError{Row: i, Err: fmt.Errorf("row rule %q: %w: %w", name, err, ErrInvalid)}
		}
		r.rows = append(r.rows, c)
	}
	return r, nil
}

func compileColumn(cr ColumnRule, cat *catalog) (colRule, error) {
	c := colRule{ColumnRule: cr}
	switch {
	case strings.TrimSpace(cr.Column) == "":
		return c, fmt.Errorf("column name is empty")
	case !slices.Contains(allTypes, cr.Type):
		return c, fmt.Errorf("type %q is unknown: use text, integer, number, date, datetime, bool, email, phone or url", cr.Type)
	case cr.Severity < Error || cr.Severity > Info:
		return c, fmt.Errorf("severity %d is unknown", cr.Severity)
	}
	if cr.Type != "" && cr.Type != TypeText {
		c.typeRule = "type:" + cr.Type
	}
	if cr.Enum != nil {
		if len(cr.Enum) == 0 {
			return c, fmt.Errorf("enum lists no value")
		}
		c.enum = make(map[string]struct{}, len(cr.Enum))
		for _, e := range cr.Enum {
			switch {
			case strings.TrimSpace(e) == "":
				return c, fmt.Errorf("enum holds an empty value (leave required off to allow blank cells)")
			case !validTyped(cr.Type, e):
				return c, fmt.Errorf("enum value %q is not a valid %s", e, cr.Type)
			}
			k := strings.TrimSpace(e)
			if cr.IgnoreCase {
				k = strings.ToLower(foldWidth(k))
			}
			c.enum[k] = struct{}{}
		}
		c.enumText = cat.list(cr.Enum, 12)
	}
	if cr.Pattern != "" {
		re, err := regexp.Compile(cr.Pattern)
		if err != nil {
			return c, fmt.Errorf("pattern %q is not a valid RE2 expression: %v", cr.Pattern, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		c.re = re
	}
	numeric := cr.Type == TypeInteger || cr.Type == TypeNumber
	if (cr.Min != nil || cr.Max != nil) && !numeric {
		return c, fmt.Errorf("min/max apply to type integer or number, not %q (use min_length/max_length for text, not_before/not_after for dates)", cr.Type)
	}
	if cr.Min != nil {
		c.minText = strconv.FormatFloat(*cr.Min, 'f', -1, 64)
	}
	if cr.Max != nil {
		c.maxText = strconv.FormatFloat(*cr.Max, 'f', -1, 64)
	}
	if cr.Min != nil && cr.Max != nil && *cr.Min > *cr.Max {
		return c, fmt.Errorf("min %s is greater than max %s", c.minText, c.maxText)
	}
	if (cr.MinLength != nil || cr.MaxLength != nil) && !slices.Contains(textTypes, cr.Type) {
		return c, fmt.Errorf("min_length/max_length apply to text, email, phone and url columns, not %q", cr.Type)
	}
	switch {
	case cr.MinLength != nil && *cr.MinLength < 0, cr.MaxLength != nil && *cr.MaxLength < 0:
		return c, fmt.Errorf("min_length/max_length must not be negative")
	case cr.MinLength != nil && cr.MaxLength != nil && *cr.MinLength > *cr.MaxLength:
		return c, fmt.Errorf("min_length %d is greater than max_length %d", *cr.MinLength, *cr.MaxLength)
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
		if !dated {
			return c, fmt.Errorf("%s applies to type date or datetime, not %q", b.name, cr.Type)
		}
		l, err := parseDateLimit(b.text)
		if err != nil {
			return c, fmt.Errorf("%s: %v", b.name, err)
		}
		*b.dst = &l
	}
	if b, a := c.notBefore, c.notAfter; b != nil && a != nil && b.relative == a.relative {
		if (b.relative && b.days > a.days) || (!b.relative && b.date.ord() > a.date.ord()) {
			return c, fmt.Errorf("not_after %s is earlier than not_before %s", cr.NotAfter, cr.NotBefore)
		}
	}
	if ref := cr.References; ref != nil {
		if strings.TrimSpace(ref.Column) == "" {
			return c, fmt.Errorf("references names no column")
		}
		c.refTab, c.refText = ref.Tab, ref.Column
	}
	return c, nil
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

func compileRow(rr RowRule, cat *catalog) (rowRule, error) {
	c := rowRule{RowRule: rr}
	switch {
	case strings.TrimSpace(rr.Name) == "":
		return c, fmt.Errorf("name is empty (it names the rule in findings)")
	case len(rr.When) == 0:
		return c, fmt.Errorf("when needs at least one column: value condition")
	case len(rr.Require) == 0:
		return c, fmt.Errorf("require needs at least one column")
	case rr.Severity < Error || rr.Severity > Info:
		return c, fmt.Errorf("severity %d is unknown", rr.Severity)
	}
	for _, col := range rr.Require {
		if strings.TrimSpace(col) == "" {
			return c, fmt.Errorf("require holds an empty column name")
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
			return c, fmt.Errorf("when holds an empty column name")
		case len(vs) == 0:
			return c, fmt.Errorf("when %q lists no value", col)
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
	return c, nil
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
	return Error, fmt.Errorf("severity %q: use error, warning or info: %w", s, ErrInvalid)
}
