package config

import "fmt"

// ColumnPath is the key path of the rule of column name in sheet i, as
// errors show it: sheets[0].columns.客户编号.
func ColumnPath(i int, name string) string {
	return joinPath(fmt.Sprintf("sheets[%d].columns", i), name)
}

// RulePath is the key path of row rule j of sheet i: sheets[0].rules[2].
func RulePath(i, j int) string { return fmt.Sprintf("sheets[%d].rules[%d]", i, j) }

// KeyPath is path followed by key, as errors show it: sheets[0].rules[1].when
// and 销售进展 make sheets[0].rules[1].when.销售进展; a key with dots, spaces
// or punctuation is quoted (when["a.b"]).
func KeyPath(path, key string) string { return joinPath(path, key) }

// SheetPath is the key path of key of sheet i: sheets[0].schema.
func SheetPath(i int, key string) string { return joinPath(fmt.Sprintf("sheets[%d]", i), key) }

// ErrorAt locates err, a problem found outside this package (the rule
// engine's compile of a column rule, say), at the key path where the
// configuration wrote it, or at the nearest key above it, so that it reads
// like the errors Load returns: "sheetaudit.yaml:14:7: sheets[0].columns.
// 行业: …". The result wraps err.
func (c *Config) ErrorAt(path string, err error) error {
	e := &FieldError{File: c.file, Path: path, Msg: err.Error(), Err: err}
	for p := path; p != ""; p = parentPath(p) {
		if pos, ok := c.pos[p]; ok {
			e.Line, e.Column = pos.line, pos.col
			break
		}
	}
	return e
}
