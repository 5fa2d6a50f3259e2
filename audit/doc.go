// Package audit is the domain core of sheetaudit: the table model, the
// interfaces its backends implement, and the pure logic of one audit cycle
// (diff, change log, validation, staleness, report).
//
// Import rule: audit imports the standard library and zap only. It never sees
// a Google, excelize or gocloud type; the sheets, xlsx and snapshot packages
// adapt those to the small interfaces declared here, and cmd/sheetaudit wires
// them together.
package audit
