// Package emulator is an in-memory, wire-level emulator of the Google
// Sheets REST API v4, served over HTTP so that the real client
// (google.golang.org/api/sheets/v4) can be tested over loopback and
// `sheetaudit emulator` can stand in for Google locally.
//
// It implements the subset sheetaudit uses — spreadsheets.create/get/
// batchUpdate and the values get/batchGet/update/append/clear/batchClear/
// batchUpdate methods, plus Drive v3 files.get (drive.go) with a version
// that rises on every change and the editor of each change — and aims to
// answer as Google does, per
// ../shared/SHEETS-API.md: A1 parsing and the normalised range echo,
// trimming of empty cells, grid limits, Google's error envelope and texts,
// a fake OAuth2 token endpoint for service-account credentials, fault
// injection (Faults) and per-minute quotas (Quota). A test replays
// sessions that gspread recorded against the live API.
//
// Guesses, where no live measurement was available, are marked "Guess" in
// comments: an anchored values.update that overruns the grid fails with
// "exceeds grid limits"; formulas are stored, not evaluated, except
// arithmetic on constants, and other formulas render as their text;
// number display follows a simplified automatic format; cell formats are
// not modelled.
//
// Import rule: used by sheets/sheetstest (which starts it in tests) and by
// cmd/sheetaudit only; it imports no sheetaudit package, and neither
// testing nor net/http/httptest, so the sheetaudit binary links neither.
package emulator
