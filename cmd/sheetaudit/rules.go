package main

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/config"
)

// rulesOf maps a sheet's rule configuration onto audit.RuleSet and compiles
// it. A Frictionless schema file comes first, then the columns written in
// the config (one replaces the schema's field of the same name), then the
// row rules, in file order.
func rulesOf(cfg *config.Config, s config.Sheet) (*audit.Rules, audit.RuleSet, error) {
	rules, rs, _, err := compileRules(cfg, s)
	return rules, rs, err
}

// schemaError is a schema file that cannot be read or is not a Table
// Schema sheetaudit reads; checkRules reports it at the schema setting.
type schemaError struct{ err error }

func (e *schemaError) Error() string { return e.err.Error() }
func (e *schemaError) Unwrap() error { return e.err }

// compileRules is rulesOf that also says how many row rules came from the
// schema file, so that checkRules can tell which line wrote a rule. Every
// problem of the config's rules comes back at once, as audit.RuleErrors
// (wrapped with the sheet's name).
func compileRules(cfg *config.Config, s config.Sheet) (*audit.Rules, audit.RuleSet, int, error) {
	rs := audit.RuleSet{Locale: cfg.Locale}
	if s.Schema != "" {
		data, err := os.ReadFile(s.Schema)
		if err != nil {
			return nil, rs, 0, &schemaError{fmt.Errorf("sheet %q: read schema: %w", s.Name, err)}
		}
		fromSchema, _, err := audit.LoadTableSchema(data)
		if err != nil {
			return nil, rs, 0, &schemaError{fmt.Errorf("sheet %q: schema %s: %w", s.Name, s.Schema, err)}
		}
		for _, c := range fromSchema.Columns {
			if _, ok := s.Columns.Lookup(c.Column); !ok {
				rs.Columns = append(rs.Columns, c)
			}
		}
		rs.Rows = append(rs.Rows, fromSchema.Rows...)
	}
	schemaRows := len(rs.Rows)
	var errs audit.RuleErrors
	severity := func(text string, at audit.RuleError) audit.Severity {
		sev, err := audit.ParseSeverity(text)
		if err != nil {
			at.Field, at.Err = "severity", err
			errs = append(errs, &at)
		}
		return sev
	}
	for _, c := range s.Columns {
		r := c.Rule
		cr := audit.ColumnRule{
			Column: c.Name, Type: r.Type, Required: r.Required, Unique: r.Unique,
			Enum: r.Enum, IgnoreCase: r.IgnoreCase, Pattern: r.Pattern,
			Min: r.Min, Max: r.Max, MinLength: r.MinLength, MaxLength: r.MaxLength,
			NotBefore: r.NotBefore, NotAfter: r.NotAfter,
			Severity: severity(r.Severity, audit.RuleError{Column: c.Name, Row: -1}),
			Message:  r.Message,
		}
		if r.References != nil {
			cr.References = &audit.Reference{Tab: r.References.Tab, Column: r.References.Column}
		}
		rs.Columns = append(rs.Columns, cr)
	}
	for i, r := range s.Rules {
		rr := audit.RowRule{Name: r.Name, Require: r.Require, Message: r.Message,
			Severity: severity(r.Severity, audit.RuleError{Row: schemaRows + i, Rule: r.Name}),
			When:     make(map[string][]string, len(r.When))}
		for _, w := range r.When {
			rr.When[w.Column] = w.Values
		}
		rs.Rows = append(rs.Rows, rr)
	}
	if len(rs.Columns) == 0 && len(rs.Rows) == 0 {
		return nil, rs, schemaRows, nil
	}
	rules, err := audit.Compile(rs)
	if re := audit.RuleErrors(nil); errors.As(err, &re) {
		errs = append(errs, re...)
	} else if err != nil {
		return nil, rs, schemaRows, fmt.Errorf("sheet %q: rules: %w", s.Name, err)
	}
	if len(errs) > 0 {
		return nil, rs, schemaRows, fmt.Errorf("sheet %q: rules: %w", s.Name, errs)
	}
	return rules, rs, schemaRows, nil
}

// checkRules (a config.Check) checks every sheet's staleness policy and
// compiles every sheet's rules with the rule engine, the one
// judge of what a rule may say, and reports each problem at the line of the
// configuration that wrote it (the setting at fault when the file has it:
// sheets[0].columns.等级.enum[2]), or at the schema setting for a rule from
// the schema file.
func checkRules(cfg *config.Config) error {
	var errs config.Errors
	add := func(path string, err error) {
		var fe *config.FieldError
		if errors.As(cfg.ErrorAt(path, err), &fe) {
			errs = append(errs, fe)
		}
	}
	for i, s := range cfg.Sheets {
		checkStaleness(i, s, cfg, add)
		_, _, schemaRows, err := compileRules(cfg, s)
		var se *schemaError
		var res audit.RuleErrors
		switch {
		case err == nil:
			continue
		case errors.As(err, &se):
			add(config.SheetPath(i, "schema"), se.err)
			continue
		case !errors.As(err, &res): // the locale, which the file has wrong too
			add("locale", err)
			continue
		}
		for _, re := range res {
			var path string
			switch _, written := s.Columns.Lookup(re.Column); {
			case re.Row < 0 && written:
				path = config.ColumnPath(i, re.Column)
			case re.Row >= schemaRows:
				path = config.RulePath(i, re.Row-schemaRows)
			default: // a rule of the schema file
				add(config.SheetPath(i, "schema"), fmt.Errorf("%s: %w", s.Schema, re))
				continue
			}
			switch col, ok := strings.CutPrefix(re.Field, "when."); {
			case ok:
				path = config.KeyPath(path+".when", col)
			case re.Field != "":
				path += "." + re.Field
			}
			add(path, re.Err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	slices.SortStableFunc(errs, func(a, b *config.FieldError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return errs
}

// checkStaleness reports what the staleness engine rejects in sheet i's
// staleness block (audit.StalePolicy.Check) at the key at fault.
func checkStaleness(i int, s config.Sheet, cfg *config.Config, add func(path string, err error)) {
	block := config.SheetPath(i, "staleness")
	p, err := staleOf(cfg, s)
	if err != nil {
		add(block+".calendar", err)
		return
	}
	if p == nil {
		return
	}
	var pes audit.PolicyErrors
	if err := p.Check(); !errors.As(err, &pes) {
		if err != nil {
			add(block, err)
		}
		return
	}
	for _, pe := range pes {
		path := block + "." + pe.Field
		if stage, ok := strings.CutPrefix(pe.Field, "stages."); ok {
			path = config.KeyPath(block+".stages", stage)
		}
		add(path, pe.Err)
	}
}
