package snapshot

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Format is the newest version of the store layout this package reads and
// writes. Readers refuse manifests of a newer format instead of misreading
// them. A manifest is written as format 1 unless it carries formulas (2)
// or typed values (3), so stores without them stay readable by older
// releases, while a release that would not see those chunks, and so could
// prune them, refuses the manifests that reference them.
const Format = 3

// formatFormulas is the first format with Manifest.Formulas, formatTyped
// the first with Manifest.Typed.
const (
	formatFormulas = 2
	formatTyped    = 3
)

// Manifest describes one stored version: the sheet metadata and the objects
// that hold its content. It is the JSON document at
// sheets/<sheet>/manifests/<id>.json; FORMAT.md documents every field.
type Manifest struct {
	Format    int           `json:"format"`
	ID        string        `json:"id"`
	Sheet     string        `json:"sheet"`
	Time      time.Time     `json:"time"`
	Meta      audit.TabMeta `json:"meta"`
	HeaderRow int           `json:"header_row"`
	Key       []string      `json:"key"`
	// Header is the header row's values, for listings without a load.
	Header []string `json:"header"`
	// Rows counts every row of the tab, blank rows and rows above the
	// header included; Columns is the widest row.
	Rows    int `json:"rows"`
	Columns int `json:"columns"`
	// DataRows counts the non-blank rows below the header: what a person
	// calls the table's rows. Absent (0) in manifests written before it.
	DataRows int `json:"data_rows,omitempty"`
	// RawBytes is the size of the version's row serialisation, and
	// ContentSHA256 its SHA-256: the check of a whole load.
	RawBytes      int64  `json:"raw_bytes"`
	ContentSHA256 string `json:"content_sha256"`
	// StoredBytes is the stored (compressed) size of every object the
	// version references, shared ones included.
	StoredBytes int64 `json:"stored_bytes"`
	// Chunks hold the serialisation of the base version in order: the
	// version itself when Patches is empty.
	Chunks []ChunkRef `json:"chunks"`
	// BaseRows and BaseSHA256 describe what Chunks hold together.
	BaseRows   int    `json:"base_rows"`
	BaseSHA256 string `json:"base_sha256"`
	// Patches, applied in order to the base rows, give the version's rows.
	Patches []ChunkRef `json:"patches,omitempty"`
	// Parent is the version the last patch was computed from; informative.
	Parent string `json:"parent,omitempty"`
	// Formulas holds the version's formulas (audit.Snapshot.Formulas) when
	// they were captured; absent otherwise, and in every format 1 manifest.
	Formulas *GridContent `json:"formulas,omitempty"`
	// Typed holds the version's typed values (audit.Snapshot.Typed) when
	// they were read; absent otherwise, and in every manifest before
	// format 3.
	Typed *GridContent `json:"typed,omitempty"`
}

// FormulaContent is the name GridContent had when formulas were the only
// extra grid.
type FormulaContent = GridContent

// GridContent is an extra serialisation a version may carry beside its
// values (its formulas, its typed values): a grid in the row format of the
// values, cut into its own chunks.
type GridContent struct {
	// Rows is the grid's row count; RawBytes and ContentSHA256 are the
	// length and SHA-256 of its serialisation.
	Rows          int    `json:"rows"`
	RawBytes      int64  `json:"raw_bytes"`
	ContentSHA256 string `json:"content_sha256"`
	// Chunks hold the serialisation in order; none when the grid is empty.
	Chunks []ChunkRef `json:"chunks"`
}

// ChunkRef names one content object of a version.
type ChunkRef struct {
	// SHA256 is the hex SHA-256 of the uncompressed bytes; the object is
	// chunks/<first two hex>/<sha256>.zst.
	SHA256 string `json:"sha256"`
	// Raw and Stored are the uncompressed and stored sizes in bytes.
	Raw    int64 `json:"raw"`
	Stored int64 `json:"stored"`
	// Rows is the number of rows in a chunk, or the row count after a patch.
	Rows int `json:"rows"`
}

// Info summarises the manifest for listings.
func (m *Manifest) Info() audit.SnapshotInfo {
	rows := m.DataRows
	if rows == 0 {
		rows = max(0, m.Rows-m.HeaderRow)
	}
	return audit.SnapshotInfo{ID: m.ID, Sheet: m.Sheet, Time: m.Time, Rows: rows, Columns: m.Columns, Bytes: m.StoredBytes}
}

// refs returns the objects that hold the version's values, base chunks
// first.
func (m *Manifest) refs() []ChunkRef {
	return append(append([]ChunkRef(nil), m.Chunks...), m.Patches...)
}

// objects returns every object the version references: its values' and
// its extra grids'.
func (m *Manifest) objects() []ChunkRef {
	refs := m.refs()
	for _, g := range m.grids() {
		if g.content != nil {
			refs = append(refs, g.content.Chunks...)
		}
	}
	return refs
}

// extraGrid is one of a version's extra grids, named for messages.
type extraGrid struct {
	name    string // "formula", "typed"
	content *GridContent
}

// grids returns the version's extra grids, captured or not.
func (m *Manifest) grids() []extraGrid {
	return []extraGrid{{"formula", m.Formulas}, {"typed", m.Typed}}
}

// gridsSHA256 identifies the version's extra grids; "" for one not
// captured.
func (m *Manifest) gridsSHA256() string {
	var b strings.Builder
	for _, g := range m.grids() {
		if g.content != nil {
			b.WriteString("sha256:" + g.content.ContentSHA256)
		}
		b.WriteByte(';')
	}
	return b.String()
}

func parseManifest(data []byte, key string) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest %q is not valid JSON: %v: %w", key, err, audit.ErrInvalid)
	}
	if m.Format < 1 || m.Format > Format {
		return nil, fmt.Errorf("manifest %q has format %d; this release reads formats 1 to %d (upgrade sheetaudit): %w",
			key, m.Format, Format, audit.ErrInvalid)
	}
	if err := checkSheet(m.Sheet); err != nil {
		return nil, fmt.Errorf("manifest %q: %w", key, err)
	}
	if err := checkID(m.ID); err != nil {
		return nil, fmt.Errorf("manifest %q: %w", key, err)
	}
	if want := manifestKey(m.Sheet, m.ID); want != key {
		return nil, fmt.Errorf("manifest %q names itself %q: %w", key, want, audit.ErrInvalid)
	}
	if m.Formulas != nil && (m.Format < formatFormulas || !shaRE.MatchString(m.Formulas.ContentSHA256) || m.Formulas.Rows < 0) {
		return nil, fmt.Errorf("manifest %q has a bad formulas entry: %w", key, audit.ErrInvalid)
	}
	if m.Typed != nil && (m.Format < formatTyped || !shaRE.MatchString(m.Typed.ContentSHA256) || m.Typed.Rows < 0) {
		return nil, fmt.Errorf("manifest %q has a bad typed entry: %w", key, audit.ErrInvalid)
	}
	for _, c := range m.objects() {
		if !shaRE.MatchString(c.SHA256) || c.Raw < 0 || c.Stored < 0 || c.Rows < 0 {
			return nil, fmt.Errorf("manifest %q has a bad chunk entry %+v: %w", key, c, audit.ErrInvalid)
		}
	}
	return &m, nil
}

// Object names (FORMAT.md, "Layout").
const (
	chunkPrefix = "chunks/"
	sheetPrefix = "sheets/"
)

func chunkKey(sha string) string      { return chunkPrefix + sha[:2] + "/" + sha + ".zst" }
func manifestDir(sheet string) string { return sheetPrefix + sheet + "/manifests/" }
func manifestKey(sheet, id string) string {
	return manifestDir(sheet) + id + ".json"
}
func stateKey(sheet string) string { return sheetPrefix + sheet + "/state.json" }

var (
	// A snapshot id is the UTC second of the version, the first 8 hex digits
	// of its content hash, and a counter when that pair is taken.
	idRE  = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}(-[0-9]{1,4})?$`)
	shaRE = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

const idTimeLayout = "20060102T150405Z"

// checkID rejects ids that could name anything but a manifest.
func checkID(id string) error {
	if !idRE.MatchString(id) {
		return fmt.Errorf("snapshot id %q is not a snapshot id like 20261129T151600Z-1a2b3c4d (see sheetaudit snapshots list): %w", id, audit.ErrInvalid)
	}
	return nil
}

// CheckSheetName returns an error wrapping audit.ErrInvalid when name
// cannot name a sheet in the store; configuration checks call it so a bad
// name is reported before the first cycle.
func CheckSheetName(name string) error { return checkSheet(name) }

// checkSheet rejects sheet names that could escape the sheet's folder or
// surprise a bucket: letters, digits, '_', '.', '-' and inner spaces only.
func checkSheet(name string) error {
	if !plainName(name, 100, "_", "_.- ") || strings.Contains(name, "..") || strings.HasSuffix(name, " ") || strings.HasSuffix(name, ".") {
		return fmt.Errorf("sheet name %q: use 1 to 100 letters, digits, '_', '-', '.' or inner spaces, not starting with '.', '-' or a space: %w", name, audit.ErrInvalid)
	}
	return nil
}

// idTime returns the second an id was named for.
func idTime(id string) (time.Time, bool) {
	if len(id) < len(idTimeLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(idTimeLayout, id[:len(idTimeLayout)])
	return t, err == nil
}

// plainName reports whether name is 1 to max runes of letters and digits of
// any script plus the given punctuation (first for the first rune, rest for
// the others). It replaces a \p{L}-class regexp, whose compilation cost
// megabytes at the start of every command.
func plainName(name string, max int, first, rest string) bool {
	n := 0
	for _, r := range name {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.N, r)
		if n == 0 {
			ok = ok || strings.ContainsRune(first, r)
		} else {
			ok = ok || strings.ContainsRune(rest, r)
		}
		if !ok {
			return false
		}
		n++
	}
	return n >= 1 && n <= max
}
