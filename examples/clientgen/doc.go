// Package clientgen generates the example group-customer table: companies
// of a few 集团 with their regional subsidiaries plus standalone customers,
// Chinese contact names, phones, addresses, sales stages and follow-up
// dates, with a fixed set of deliberate mistakes for validation to find.
// Output depends only on the seed, the row count and the base date, so the
// committed examples/clients.xlsx can be checked against it and benchmarks
// can build big tables of the same shape.
//
// Import rule: clientgen imports excelize and the standard library only; it
// is a tool for examples, tests and benchmarks, never imported by the daemon.
package clientgen
