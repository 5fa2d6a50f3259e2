// Package sheets is the Google Sheets backend of sheetaudit: it implements
// audit.Workbook on top of the Sheets API v4 through the official
// google.golang.org/api/sheets/v4 client. The values reads are the
// exception: they send values.batchGet themselves, on the client's own
// authenticated *http.Client, and decode the answer as it streams in
// (batchget.go), because the client buffers and boxes every cell of it.
//
// It owns everything Google-specific: authentication (service-account key,
// Application Default Credentials, or none against an emulator), paging of
// large tabs, grid growth, RAW writes (the one USER_ENTERED write puts a
// snapshot's own formulas back on restore), quota-aware retries with backoff, and
// the translation of *googleapi.Error into the audit sentinels
// (ErrNotFound, ErrPermission, ErrUnavailable, ErrInvalid).
//
// Import rule: sheets imports audit and its third-party dependencies only; it
// is the only package of the module that imports google.golang.org/api/sheets/v4
// and golang.org/x/oauth2, and no sibling package imports it except
// cmd/sheetaudit, which maps the configuration onto Options. Its tests run the
// real client against sheets/sheetstest over loopback.
package sheets
