// Package emulator is an in-memory, wire-level emulator of the Google
// Sheets REST API v4, served over HTTP so that the real client
// (google.golang.org/api/sheets/v4) can be tested over loopback and
// `sheetaudit emulator` can stand in for Google locally.
//
// It implements spreadsheets.create/get/batchUpdate (tabs, values, notes,
// cell formats, merges, sorts, named ranges, filters, dimension groups and
// properties, protected ranges, copy/cut paste, data validation,
// conditional formats, charts) and the values get/batchGet/update/append/
// clear/batchClear/batchUpdate methods, with fields masks on every method;
// the Drive v3 calls sheetaudit uses (files.get with a version that rises on
// every change, revisions.list, permissions.list/create; drive.go,
// access.go, activity.go) and Drive Activity v2 activity:query. It aims to
// answer as Google does, per ../shared/SHEETS-API.md and the recorded
// sessions: A1 parsing and the normalised range echo, trimming of empty
// cells, grid limits, Google's error envelopes and texts, a fake OAuth2
// token endpoint for service-account credentials, sharing (Options.Sharing),
// fault injection (Faults) and per-minute quotas (Quota). A test replays
// every session gspread recorded against the live API.
//
// Guesses, where no live measurement was available, are marked "Guess" in
// comments: an anchored values.update that overruns the grid fails with
// "exceeds grid limits"; formulas are stored, not evaluated, except
// arithmetic on constants, and other formulas render as their text;
// number display follows a simplified automatic format unless a number
// format is set; effectiveFormat is not computed; revisions and activity
// are one per change (Google merges them).
//
// Import rule: used by sheets/sheetstest (which starts it in tests) and by
// cmd/sheetaudit only; of sheetaudit's packages it imports only atomicfile,
// and it imports neither testing nor net/http/httptest, so the sheetaudit
// binary links neither.
package emulator
