// Package report is the weekly Staleness Report as a use case: Build
// computes a week's report of one sheet from its stored versions (this
// week's figures, week-over-week change, an 8-week trend and the
// pipeline's movement), and Deliver stores its files and hands it to each
// delivery channel: the report tab, mail, group-chat robots. A channel is
// anything that implements Channel; cmd/sheetaudit wires the configured
// ones, and the daemon's report job calls the same two functions.
//
// Import rule: like the adapters, report imports audit (and zap) only,
// never config, sheets, xlsx, snapshot, mail or chat; channels import
// audit, not report.
package report
