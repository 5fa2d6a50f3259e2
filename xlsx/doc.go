// Package xlsx is the local .xlsx workbook backend of sheetaudit: it reads a
// tab's values as a spreadsheet user sees them and writes sheetaudit's own
// tabs (Change Log, Needs Review, …) back into the file.
//
// Reads go through excelize. Writes of values are done by rewriting only the
// target worksheet part of the zip and copying every other part byte for
// byte, so a save can never alter another tab's values, formulas or styles,
// and a cell of any length is stored as typed text (excelize would cut it at
// Excel's 32,767 characters). Notes (cell comments) and sheetaudit's report
// chart change only their own parts, the tab's relationship file and the
// content-type list, plus one reference element in the tab (see objects.go);
// the tab's cells are never rewritten for them. Every save goes to a temporary file in the same
// folder, is fsynced and renamed over the original: a crash leaves the old or
// the new workbook, never a broken one.
//
// Import rule: xlsx imports audit and excelize only; it never imports another
// backend, config or cmd.
package xlsx
