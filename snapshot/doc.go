// Package snapshot is the snapshot store of sheetaudit: every version of a
// sheet kept cheaply and verifiably in any gocloud.dev/blob bucket (a local
// folder, S3 or any S3-compatible server, Google Cloud Storage, memory).
//
// A version's rows are serialised, cut into content-defined chunks at row
// boundaries, compressed with zstd and stored once under their SHA-256; a
// version that differs a little from the one before is stored as a patch of
// the changed rows on top of it. A small JSON manifest per version, written
// last, lists what the version is made of. Prune applies a restic-style
// retention policy and sweeps chunks no manifest references; Verify re-reads
// everything and reports each problem with its object name. FORMAT.md
// documents the layout for future releases.
//
// Import rule: snapshot imports audit (whose Store and StateStore it
// implements), gocloud.dev, klauspost/compress and zap; never config, sheets,
// xlsx or daemon. cmd/sheetaudit maps the configuration onto Options.
package snapshot
