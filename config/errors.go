package config

import (
	"fmt"
	"sort"
	"strings"
)

// FieldError is one problem in a configuration file, located so that a user
// can jump to it: the file, the 1-based line and column (0 when unknown, as
// for a Config built in code) and the key path, such as
// sheets[0].write_back.change_log_tab.
type FieldError struct {
	File   string
	Line   int
	Column int
	Path   string
	Msg    string
	// Err is the error Msg comes from, when the problem was found outside
	// this package (see Config.ErrorAt); nil otherwise.
	Err error
}

// Unwrap returns Err.
func (e *FieldError) Unwrap() error { return e.Err }

// Error formats the problem as "file:line:col: path: message", leaving out
// the parts that are unknown.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(":")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, "%d:", e.Column)
		}
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one configuration, in file order. Parse,
// Load and Validate return it (as error) so that a user fixes all of them in
// one round.
type Errors []*FieldError

// Error returns one line per problem.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find the individual *FieldError values.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// sorted orders errors by position; errors without a position go last, in
// the order they were found.
func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if (a.Line == 0) != (b.Line == 0) {
			return b.Line == 0
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return es
}

// err returns es as an error, or nil when it is empty, so that callers never
// see a non-nil error holding no problems.
func (es Errors) err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}
