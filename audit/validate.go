package audit

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Rule names of findings that are not named by a rule's constraint.
const (
	// RuleMissingColumn marks a rule whose column is not in the header.
	RuleMissingColumn = "missing_column"
	// RuleMissingTab marks a reference to a tab that was not read.
	RuleMissingTab = "missing_tab"
)

// Check validates every row of t against the rules in one pass and returns
// the findings, table-level ones first, then by row in sheet order.
//
// now and loc fix "today" for date bounds (loc nil means UTC); refs holds
// the other tabs named by ReferencedTabs, keyed by tab title. A rule whose
// column is not in t's header, or a reference to a tab missing from refs,
// is reported once as a finding on row 0 and its checks are skipped: a
// renamed column must not silently turn validation off, nor stop the other
// rules. Blank rows are not in t.Rows, so they are never reported; t's own
// Problems (duplicate keys and the like) are not repeated here.
func (r *Rules) Check(t *Table, now time.Time, loc *time.Location, refs map[string]*Table) []Finding {
	if loc == nil {
		loc = time.UTC
	}
	c := checker{cat: r.cat, today: civilOf(now.In(loc)), loc: loc, zone: t.TypedZone}
	if c.zone == nil {
		c.zone = loc
	}
	missing := make(map[string]bool)
	missingColumn := func(col string) {
		if !missing[col] {
			missing[col] = true
			c.out = append(c.out, Finding{Column: col, Rule: RuleMissingColumn, Severity: Error,
				Message: fmt.Sprintf(c.cat.noColumn, col)})
		}
	}
	sets := make(map[Reference]map[string]struct{})

	cols := make([]activeCol, 0, len(r.cols))
	for i := range r.cols {
		cr := &r.cols[i]
		idx := t.Column(cr.Column)
		if idx < 0 {
			missingColumn(cr.Column)
			continue
		}
		a := activeCol{colRule: cr, idx: idx}
		if cr.Unique && !(len(t.Key) == 1 && t.Key[0] == idx) {
			a.unique = make(map[string]int, len(t.Rows))
		}
		if l := cr.notBefore; l != nil {
			a.before, a.beforeText = l.resolve(c.today).ord(), l.describe(c.cat, c.today)
		}
		if l := cr.notAfter; l != nil {
			a.after, a.afterText = l.resolve(c.today).ord(), l.describe(c.cat, c.today)
		}
		if ref := cr.References; ref != nil {
			set, ok := sets[*ref]
			if !ok {
				set, ok = c.referenceSet(t, cr, refs, missingColumn)
				if ok {
					sets[*ref] = set
				}
			}
			// When the referenced column cannot be read it has been
			// reported once; checking against nothing would flag every
			// row, so only the reference check is skipped.
			a.ref = set
		}
		cols = append(cols, a)
	}

	rows := make([]activeRow, 0, len(r.rows))
	for i := range r.rows {
		rr := &r.rows[i]
		a := activeRow{rowRule: rr}
		ok := true
		for _, cond := range rr.when {
			idx := t.Column(cond.column)
			if idx < 0 {
				missingColumn(cond.column)
				ok = false
			}
			a.whenIdx = append(a.whenIdx, idx)
		}
		for _, col := range rr.Require {
			idx := t.Column(col)
			if idx < 0 {
				missingColumn(col)
				ok = false
			}
			a.requireIdx = append(a.requireIdx, idx)
		}
		if ok {
			rows = append(rows, a)
		}
	}

	for ri := range t.Rows {
		row := &t.Rows[ri]
		for i := range cols {
			c.column(&cols[i], row, t.TypedCell(row, cols[i].idx))
		}
		for i := range rows {
			c.row(&rows[i], row)
		}
	}
	return c.out
}

type checker struct {
	cat   *catalog
	today civil
	loc   *time.Location
	zone  *time.Location // of typed serials
	out   []Finding
}

// activeCol is a column rule bound to a table for one Check.
type activeCol struct {
	*colRule
	idx           int
	unique        map[string]int // value → first row
	ref           map[string]struct{}
	before, after int // civil ord; 0 = no bound
	beforeText    string
	afterText     string
}

type activeRow struct {
	*rowRule
	whenIdx    []int // column index per condition
	requireIdx []int
}

// referenceSet collects the values of the column a rule references.
func (c *checker) referenceSet(t *Table, cr *colRule, refs map[string]*Table, missingColumn func(string)) (map[string]struct{}, bool) {
	ref := cr.References
	src := t
	if ref.Tab != "" {
		src = refs[ref.Tab]
		if src == nil {
			c.out = append(c.out, Finding{Column: cr.Column, Rule: RuleMissingTab, Severity: Error,
				Message: fmt.Sprintf(c.cat.noTab, ref.Tab, cr.Column)})
			return nil, false
		}
	}
	idx := src.Column(ref.Column)
	if idx < 0 {
		if ref.Tab == "" {
			missingColumn(ref.Column)
		} else {
			c.out = append(c.out, Finding{Column: cr.Column, Rule: RuleMissingColumn, Severity: Error,
				Message: fmt.Sprintf(c.cat.noRefCol, ref.Column, cr.Column, ref.Tab)})
		}
		return nil, false
	}
	set := make(map[string]struct{}, len(src.Rows))
	for i := range src.Rows {
		if v := trimSpace(src.Rows[i].Cell(idx)); v != "" {
			set[v] = struct{}{}
		}
	}
	return set, true
}

// column checks one cell; typed is its typed value (Table.TypedCell),
// which decides type and bounds over the displayed text when it can. The
// happy path allocates nothing: parsers scan the string in place and
// findings are built only on failure.
func (c *checker) column(a *activeCol, row *Row, typed string) {
	raw := row.Cell(a.idx)
	v := trimSpace(raw)
	if v == "" {
		if a.Required {
			c.emitCol(a, row, raw, "required", fmt.Sprintf(c.cat.required, a.Column))
		}
		return
	}
	var num float64
	var when dateTime
	ok := true
	tnum, twhen, tok, decided := scanTyped(a.Type, typed, c.zone, c.loc)
	switch {
	case decided:
		num, when, ok = tnum, twhen, tok
	case a.Type == TypeInteger:
		var n int64
		n, ok = ParseInteger(v)
		num = float64(n)
	case a.Type == TypeNumber:
		num, ok = ParseNumber(v)
	case a.Type == TypeDate || a.Type == TypeDateTime:
		when, ok = scanDateTime(v)
	case a.Type == TypeBool:
		_, ok = ParseBool(v)
	case a.Type == TypeEmail:
		ok = IsEmail(v)
	case a.Type == TypePhone:
		ok = IsPhone(v)
	case a.Type == TypeURL:
		ok = IsURL(v)
	}
	if !ok {
		c.emitCol(a, row, raw, a.typeRule, c.msg(c.cat.types[a.Type], a, v))
	} else {
		if a.Min != nil && num < *a.Min {
			c.emitCol(a, row, raw, "min", c.msg(c.cat.min, a, v, a.minText))
		}
		if a.Max != nil && num > *a.Max {
			c.emitCol(a, row, raw, "max", c.msg(c.cat.max, a, v, a.maxText))
		}
		if a.before != 0 || a.after != 0 {
			d := when.dateIn(c.loc).ord()
			if a.before != 0 && d < a.before {
				c.emitCol(a, row, raw, "not_before", c.msg(c.cat.before, a, v, a.beforeText))
			}
			if a.after != 0 && d > a.after {
				c.emitCol(a, row, raw, "not_after", c.msg(c.cat.after, a, v, a.afterText))
			}
		}
	}
	if a.enum != nil && !a.inEnum(v) {
		c.emitCol(a, row, raw, "enum", c.msg(c.cat.enum, a, v, a.enumText))
	}
	if a.re != nil && !a.re.MatchString(v) {
		c.emitCol(a, row, raw, "pattern", c.msg(c.cat.pattern, a, v, a.Pattern))
	}
	if a.MinLength != nil || a.MaxLength != nil {
		n := utf8.RuneCountInString(v)
		if a.MinLength != nil && n < *a.MinLength {
			c.emitCol(a, row, raw, "min_length", c.msg(c.cat.minLen, a, v, n, *a.MinLength))
		}
		if a.MaxLength != nil && n > *a.MaxLength {
			c.emitCol(a, row, raw, "max_length", c.msg(c.cat.maxLen, a, v, n, *a.MaxLength))
		}
	}
	if a.unique != nil {
		if first, dup := a.unique[v]; dup {
			c.emitCol(a, row, raw, "unique", c.msg(c.cat.unique, a, v, first))
		} else {
			a.unique[v] = row.Line
		}
	}
	if a.ref != nil {
		if _, found := a.ref[v]; !found {
			if a.refTab == "" {
				c.emitCol(a, row, raw, "references", c.msg(c.cat.refSame, a, v, a.refText))
			} else {
				c.emitCol(a, row, raw, "references", c.msg(c.cat.refOther, a, v, a.refText, a.refTab))
			}
		}
	}
}

func (a *activeCol) inEnum(v string) bool {
	if _, ok := a.enum[v]; ok {
		return true
	}
	if !a.IgnoreCase {
		return false
	}
	_, ok := a.enum[strings.ToLower(foldWidth(v))]
	return ok
}

// msg formats a column message: the column, the quoted value, then args.
func (c *checker) msg(format string, a *activeCol, v string, args ...any) string {
	return fmt.Sprintf(format, append([]any{a.Column, c.cat.value(v)}, args...)...)
}

func (c *checker) emitCol(a *activeCol, row *Row, raw, rule, message string) {
	if a.Message != "" {
		// The value is shortened as the default messages shorten it: a
		// 50,000-character cell must not make a message longer than a
		// sheet cell holds.
		message = strings.NewReplacer("{column}", a.Column, "{value}", shorten(strings.TrimSpace(raw), messageValueLimit)).Replace(a.Message)
		message = shorten(message, messageLimit)
	}
	c.out = append(c.out, Finding{Row: row.Line, Key: DisplayKey(row.Key), Column: a.Column, Rule: rule,
		Value: raw, Message: message, Severity: a.Severity})
}

// row checks one row rule on one row.
func (c *checker) row(a *activeRow, row *Row) {
	for i, cond := range a.when {
		v := trimSpace(row.Cell(a.whenIdx[i]))
		if !containsString(cond.values, v) {
			return
		}
	}
	for i, idx := range a.requireIdx {
		if trimSpace(row.Cell(idx)) != "" {
			continue
		}
		col := a.Require[i]
		message := fmt.Sprintf(c.cat.rowRule, col, a.condText, a.Name)
		if a.Message != "" {
			message = shorten(strings.ReplaceAll(a.Message, "{column}", col), messageLimit)
		}
		c.out = append(c.out, Finding{Row: row.Line, Key: DisplayKey(row.Key), Column: col, Rule: a.Name,
			Message: message, Severity: a.Severity})
	}
}

func containsString(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// trimSpace is strings.TrimSpace with a shortcut for the common cell that
// starts and ends with a printable ASCII character and so has nothing to trim.
func trimSpace(s string) string {
	if n := len(s); n > 0 && s[0] > ' ' && s[0] < 0x7f && s[n-1] > ' ' && s[n-1] < 0x7f {
		return s
	}
	return strings.TrimSpace(s)
}
