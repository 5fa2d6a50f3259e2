// Package config holds sheetaudit's whole configuration as plain data: the
// YAML file's shape as tagged structs, Default, a strict Parse/Load that
// reports every problem with file:line:column and the key at fault, and
// Validate for the cross-field rules.
//
// What a validation rule says (its type, enum, pattern, bounds, dates, row
// conditions) is kept as written and judged by the rule engine alone
// (audit.Compile): cmd/sheetaudit passes its compile to Load as a Check,
// and each of its errors is reported at the key that wrote the rule
// (ErrorAt), beside the file's own problems.
//
// Parsing has no side effects beyond reading the one file Load is given: it
// expands ${VAR} references through an injected getenv function, resolves
// relative paths against the config file's folder and checks time zones, but
// never reads credential or password files (see Email.ResolvePassword) and
// never opens the store.
//
// Import rule: config is a leaf. It imports the standard library and
// go.yaml.in/yaml/v3 only, never another sheetaudit package; and no package
// other than cmd/sheetaudit imports it. The command maps Config onto each
// package's own Options, so the engine never depends on the file format.
//
// # File format notes
//
// Durations accept Go syntax ("36h", "15m") plus days and weeks ("14d",
// "2w", "1d12h"); negative durations are errors. Dates are written
// 2026-10-01. A column's not_before/not_after (a date, "today", or
// "today-30d"/"today+2w": days or weeks relative to the day of the check,
// in the config's time zone) is kept as text for the rule engine to read.
//
// ${VAR} and ${VAR:-default} are expanded in scalar values (never in keys)
// before the value is decoded, so "header_row: ${ROW}" works. A variable
// that is unset or empty and has no default is an error. "$${" writes a
// literal "${".
//
// A key that is present with an empty value is different from an absent key
// where it matters: http.listen: "" turns the HTTP listener off, and an empty
// write_back tab name turns that write-back off, while an absent key keeps
// the default.
//
// Top-level keys starting with "x-" are ignored, so that they can hold YAML
// anchors that sheets reuse with "<<: *name".
//
// A sheet may have both schema (a Frictionless Table Schema file) and
// columns; the schema is loaded by its consumer, and a rule in columns
// replaces the schema's field of the same name.
package config
