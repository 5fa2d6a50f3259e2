package audit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Table is a tab read as a keyed table: a header row and the non-blank data
// rows under it.
type Table struct {
	Header []string
	// Key holds the indices in Header of the key columns, in key order.
	Key  []int
	Rows []Row
	// Blank counts the blank rows inside the table; they are kept in
	// snapshots but are neither rows nor changes.
	Blank int
	// HeaderRow is the 1-based sheet row of the header.
	HeaderRow int
	// Problems are defects of the table's shape that the cycle reports as
	// findings instead of failing: empty or duplicate keys, cells beyond the
	// header, blank header names.
	Problems []Finding
	// Typed is the tab's typed-value grid (Snapshot.Typed) when the cycle
	// read one, row-major from A1 like the values, and TypedZone the time
	// zone its serials are wall-clock time in (the spreadsheet's; nil means
	// the zone of the check). Validation and staleness prefer a cell's typed
	// value to its displayed text.
	Typed     [][]string
	TypedZone *time.Location

	index map[string]int // row key → index in Rows
	// parsed is set by ParseTable, which also keeps renamed and collided.
	parsed bool
	// renamed holds, for each row (by index in Rows) whose Key is not its
	// key columns' value (an empty or duplicate key), that value.
	renamed map[int]string
	// collided reports a Key given to two rows (a duplicate's name that
	// another row has as its own key): index then misses one of them.
	collided bool
	// problemText renders Problems[i].Message in a catalog's language.
	problemText []func(*catalog) string
}

// problem records a shape problem whose message text renders in a catalog.
func (t *Table) problem(f Finding, text func(*catalog) string) {
	f.Message = text(english)
	t.Problems = append(t.Problems, f)
	t.problemText = append(t.problemText, text)
}

// ProblemsIn returns Problems with their messages in locale ("en" or
// "zh-CN"; others fall back to English).
func (t *Table) ProblemsIn(locale string) []Finding {
	cat, _ := catalogFor(locale)
	out := slices.Clone(t.Problems)
	for i := range out {
		if i < len(t.problemText) && t.problemText[i] != nil {
			out[i].Message = t.problemText[i](cat)
		}
	}
	return out
}

// Row is one data row.
type Row struct {
	// Line is the 1-based row number as the user sees it in the sheet.
	Line int
	// Key identifies the row across versions (see Table.Row).
	Key string
	// Cells are the values under Header; may be shorter than Header.
	Cells []string
}

// TypedCell returns the typed value of row r's cell in column i, "" when
// the table has no typed grid or the cell no typed value.
func (t *Table) TypedCell(r *Row, i int) string {
	if y := r.Line - 1; i >= 0 && y >= 0 && y < len(t.Typed) && i < len(t.Typed[y]) {
		return t.Typed[y][i]
	}
	return ""
}

// Cell returns the value of column i, "" past the end of a ragged row.
func (r Row) Cell(i int) string {
	if i < len(r.Cells) {
		return r.Cells[i]
	}
	return ""
}

// keySep joins the parts of a compound key. A unit separator cannot be typed
// into a sheet cell by accident, so keys stay unambiguous.
const keySep = "\x1f"

// DisplayKey renders a row key for people: compound parts are joined by " / ".
func DisplayKey(key string) string { return strings.ReplaceAll(key, keySep, " / ") }

// ParseTable reads values as a table whose header sits at headerRow (1-based)
// and whose rows are identified by the key columns.
//
// It fails (with ErrInvalid) only when the table cannot be keyed: no header
// row, a duplicate column name, a missing key column. Rows with an empty or
// duplicate key are kept, reported in Problems, and given a key that still
// lets a diff follow them: the empty key becomes "(row N)", the second
// occurrence of K becomes "K (2)".
func ParseTable(values [][]string, headerRow int, key []string) (*Table, error) {
	if headerRow < 1 {
		return nil, fmt.Errorf("header row %d: must be 1 or more: %w", headerRow, ErrInvalid)
	}
	if len(values) < headerRow || isBlank(values[headerRow-1]) {
		return nil, fmt.Errorf("header row %d is empty; check header_row or that the tab holds the table: %w", headerRow, ErrInvalid)
	}
	t := &Table{HeaderRow: headerRow, parsed: true}
	raw := values[headerRow-1]
	t.Header = make([]string, len(raw))
	seen := make(map[string]int, len(raw))
	for i, h := range raw {
		name := strings.TrimSpace(h)
		if name == "" {
			name = ColumnName(i)
			letter := ColumnName(i)
			t.problem(Finding{Row: headerRow, Column: name, Rule: "header", Severity: Warning},
				func(c *catalog) string { return fmt.Sprintf(c.noHeaderName, letter, name) })
		}
		if j, dup := seen[name]; dup {
			return nil, fmt.Errorf("header row %d: columns %s and %s are both named %q; rename one: %w",
				headerRow, ColumnName(j), ColumnName(i), name, ErrInvalid)
		}
		seen[name] = i
		t.Header[i] = name
	}
	for _, k := range key {
		i, ok := seen[k]
		if !ok {
			return nil, fmt.Errorf("key column %q is not in header row %d (columns: %s); fix key: or header_row: %w",
				k, headerRow, strings.Join(t.Header, ", "), ErrInvalid)
		}
		t.Key = append(t.Key, i)
	}
	if len(t.Key) == 0 {
		return nil, fmt.Errorf("no key column given: %w", ErrInvalid)
	}

	body := values[headerRow:]
	t.Rows = make([]Row, 0, len(body))
	t.index = make(map[string]int, len(body))
	// Rows with a key value seen before are renamed "K (2)", "K (3)"…;
	// dupOf counts the renamed rows of each such value, and shadowed the
	// rows whose index entry a later row of the same Key took (see seen),
	// so no map of every key value is built besides the index.
	var dupOf map[string]int
	var shadowed map[string][]int
	for i, cells := range body {
		line := headerRow + 1 + i
		if isBlank(cells) {
			t.Blank++
			continue
		}
		r := Row{Line: line, Cells: cells}
		base := t.rowKey(cells)
		r.Key = base
		switch {
		case strings.Trim(base, keySep) == "":
			names := t.keyNames()
			t.problem(Finding{Row: line, Column: t.Header[t.Key[0]], Rule: "key", Severity: Error},
				func(c *catalog) string { return fmt.Sprintf(c.noKey, line, names) })
			r.Key = "(row " + strconv.Itoa(line) + ")"
		case t.seen(base, shadowed[base]):
			n := 1 + dupOf[base] // rows keyed base so far
			first := t.Rows[t.index[base]].Line
			if dupOf == nil {
				dupOf = make(map[string]int)
			}
			dupOf[base]++
			names, key := t.keyNames(), DisplayKey(base)
			t.problem(Finding{
				Row: line, Key: key, Column: t.Header[t.Key[0]], Rule: "key", Severity: Error, Value: key,
			}, func(c *catalog) string { return fmt.Sprintf(c.dupKey, names, key, line, first) })
			r.Key = base + " (" + strconv.Itoa(n+1) + ")"
		}
		if len(cells) > len(t.Header) && !isBlank(cells[len(t.Header):]) {
			last := ColumnName(len(t.Header) - 1)
			t.problem(Finding{
				Row: line, Key: DisplayKey(r.Key), Column: ColumnName(len(t.Header)), Rule: "header", Severity: Warning,
			}, func(c *catalog) string { return fmt.Sprintf(c.beyondHeader, line, last) })
		}
		if r.Key != base {
			if t.renamed == nil {
				t.renamed = make(map[int]string)
			}
			t.renamed[len(t.Rows)] = base
		}
		if prev, taken := t.index[r.Key]; taken {
			t.collided = true
			if shadowed == nil {
				shadowed = make(map[string][]int)
			}
			shadowed[r.Key] = append(shadowed[r.Key], prev)
		}
		t.index[r.Key] = len(t.Rows)
		t.Rows = append(t.Rows, r)
	}
	return t, nil
}

// seen reports, while ParseTable runs, whether a row already has key value
// k as its own Key: the row the index holds for k, or one of the rows of
// that Key the index no longer holds (shadowed), not renamed.
func (t *Table) seen(k string, shadowed []int) bool {
	if i, ok := t.index[k]; ok {
		if _, renamed := t.renamed[i]; !renamed {
			return true
		}
	}
	for _, i := range shadowed {
		if _, renamed := t.renamed[i]; !renamed {
			return true
		}
	}
	return false
}

// Lookup returns the row with the given key.
func (t *Table) Lookup(key string) (Row, bool) {
	i, ok := t.index[key]
	if !ok {
		return Row{}, false
	}
	return t.Rows[i], true
}

// Column returns the index of the named column, or -1.
func (t *Table) Column(name string) int {
	for i, h := range t.Header {
		if h == name {
			return i
		}
	}
	return -1
}

func (t *Table) rowKey(cells []string) string {
	if len(t.Key) == 1 {
		return strings.TrimSpace(Row{Cells: cells}.Cell(t.Key[0]))
	}
	var b strings.Builder
	for n, i := range t.Key {
		if n > 0 {
			b.WriteString(keySep)
		}
		b.WriteString(strings.TrimSpace(Row{Cells: cells}.Cell(i)))
	}
	return b.String()
}

func (t *Table) keyNames() string {
	names := make([]string, len(t.Key))
	for n, i := range t.Key {
		names[n] = t.Header[i]
	}
	return strings.Join(names, " + ")
}

func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// ColumnName returns the A1 letters of the 0-based column index (0 → A, 26 → AA).
func ColumnName(i int) string {
	var b [8]byte
	n := len(b)
	for i++; i > 0; i = (i - 1) / 26 {
		n--
		b[n] = byte('A' + (i-1)%26)
	}
	return string(b[n:])
}
