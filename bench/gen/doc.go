// Package gen makes the benchmark data: group-customer sheets of any size
// (N rows × M columns) in the shape of examples/clientgen, and their
// follow-up versions — a share of rows edited, added and removed (churn),
// or one row inserted at the top. Everything depends only on the seed and
// the sizes, so a run on another machine measures the same sheet.
//
// Import rule: gen imports examples/clientgen and the standard library
// only; it serves bench/ programs and benchmarks, never the daemon.
package gen
