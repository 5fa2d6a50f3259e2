// Package restore is the restore engine: it puts a stored version of a
// sheet back into the spreadsheet, into a new tab, in place, or only some
// rows or columns, guarded by the newest stored version and preceded by a
// safety snapshot, and it returns what it did as a Result (cells written,
// safety snapshot, undo) for its caller to show. The plan of what changes is
// audit.PlanRestore; this package carries it out against an audit.Workbook
// and an audit.Store.
//
// Import rule: restore imports audit, the standard library and zap only;
// cmd/sheetaudit wires a backend and a store into a Restorer and prints the
// Result. A new restore mode goes here (a Mode, an Options field, a branch
// of Restore), planned in audit/restore.go.
package restore
