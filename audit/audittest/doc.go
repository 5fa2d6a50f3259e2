// Package audittest holds in-memory implementations of the audit interfaces
// for tests, and the conformance suite that every Workbook backend passes.
//
// Import rule: like audit, it imports no sibling package; backends import it
// from their tests.
package audittest
