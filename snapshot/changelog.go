package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.ChangeChain = (*Store)(nil)

// changelogFormat is the format of a change log entry (FORMAT.md, "Change
// log").
const changelogFormat = 1

func changelogDir(sheet string) string { return sheetPrefix + sheet + "/changelog/" }

func changelogKey(sheet string, seq int) string {
	return fmt.Sprintf("%s%012d.json", changelogDir(sheet), seq)
}

// chainEntry is an entry's body as stored; its bytes are what the next
// entry's prev and the object's sha256 hash.
type chainEntry struct {
	Format int        `json:"format"`
	Sheet  string     `json:"sheet"`
	Seq    int        `json:"seq"`
	Prev   string     `json:"prev"`
	Cycle  string     `json:"cycle"`
	Time   time.Time  `json:"time"`
	Rows   [][]string `json:"rows"`
}

// chainObject is an entry object: the body's SHA-256 and the body, kept as
// the exact bytes written.
type chainObject struct {
	SHA256 string          `json:"sha256"`
	Entry  json.RawMessage `json:"entry"`
}

// chainCache holds, per sheet, the change log entries this Store has
// verified, so a cycle reads only the entries added since, not the whole
// chain: entries are never replaced, and a change to an old one is for
// "sheetaudit changelog verify" (which reads everything) to find.
type chainCache struct {
	mu     sync.Mutex
	sheets map[string]*chainHead
}

// chainHead is a sheet's verified chain: its entries and the newest
// entry's hash.
type chainHead struct {
	entries []audit.ChainEntry
	sum     string
}

// AppendChanges implements audit.ChangeChain: it writes the next entry
// with "if not exists", so of two writers racing for a place one wins and
// the other retries on top of it, and the chain never forks.
func (s *Store) AppendChanges(ctx context.Context, sheet string, e audit.ChainEntry) (audit.ChainEntry, error) {
	if err := checkSheet(sheet); err != nil {
		return e, err
	}
	if e.Cycle == "" {
		return e, fmt.Errorf("change log entry of sheet %q has no cycle id: %w", sheet, audit.ErrInvalid)
	}
	s.chains.mu.Lock()
	defer s.chains.mu.Unlock()
	for attempt := 0; attempt < 20; attempt++ {
		h, err := s.chainHead(ctx, sheet)
		if err != nil {
			return e, fmt.Errorf("append to the change log of sheet %q (run: sheetaudit changelog verify): %w", sheet, err)
		}
		seq := len(h.entries) + 1
		if n := len(h.entries); n > 0 && h.entries[n-1].Cycle == e.Cycle {
			return h.entries[n-1], nil // a retried cycle: already recorded
		}
		stored := chainEntry{Format: changelogFormat, Sheet: sheet, Seq: seq, Prev: h.sum,
			Cycle: e.Cycle, Time: e.Time.UTC(), Rows: e.Rows}
		body, err := json.Marshal(stored)
		if err != nil {
			return e, fmt.Errorf("encode change log entry %d of sheet %q: %w", seq, sheet, err)
		}
		sum := sha256.Sum256(body)
		obj := make([]byte, 0, len(body)+96)
		obj = append(obj, `{"sha256":"`...)
		obj = hex.AppendEncode(obj, sum[:])
		obj = append(obj, `","entry":`...)
		obj = append(append(obj, body...), "}\n"...)
		taken, err := s.createOnce(ctx, changelogKey(sheet, seq), obj)
		if err != nil {
			return e, err
		}
		if taken {
			continue // another writer took the place: read its entry, build on it
		}
		e = stored.public()
		h.entries, h.sum = append(h.entries, e), hex.EncodeToString(sum[:])
		return e, nil
	}
	return e, fmt.Errorf("append to the change log of sheet %q: too many concurrent writers: %w", sheet, audit.ErrUnavailable)
}

// chainHead returns the sheet's verified chain, brought up to date: on
// first use the whole chain is listed and verified; after that only the
// entries past the newest one known are read. The caller holds
// s.chains.mu. A broken chain is an error wrapping audit.ErrInvalid.
func (s *Store) chainHead(ctx context.Context, sheet string) (*chainHead, error) {
	if s.chains.sheets == nil {
		s.chains.sheets = make(map[string]*chainHead)
	}
	h := s.chains.sheets[sheet]
	if h == nil {
		entries, p, err := s.VerifyChangelog(ctx, sheet)
		if err != nil {
			return nil, err
		}
		if p != nil {
			return nil, fmt.Errorf("change log of sheet %q is broken at %s: %w", sheet, p, audit.ErrInvalid)
		}
		h = &chainHead{entries: entries}
		if n := len(entries); n > 0 {
			if _, h.sum, err = s.readChainEntry(ctx, sheet, n); err != nil {
				return nil, err
			}
		}
		s.chains.sheets[sheet] = h
		return h, nil
	}
	for {
		seq := len(h.entries) + 1
		e, sum, err := s.readChainEntry(ctx, sheet, seq)
		if errors.Is(err, audit.ErrNotFound) {
			return h, nil
		}
		if err != nil {
			return nil, err
		}
		if e.Prev != h.sum {
			return nil, fmt.Errorf("%s: entry %d does not follow entry %d: %w", changelogKey(sheet, seq), seq, seq-1, audit.ErrInvalid)
		}
		h.entries, h.sum = append(h.entries, e.public()), sum
	}
}

// ChangeHistory implements audit.ChangeChain. Entries verified once are
// kept by the Store; each call reads only those added since.
func (s *Store) ChangeHistory(ctx context.Context, sheet string) ([]audit.ChainEntry, error) {
	if err := checkSheet(sheet); err != nil {
		return nil, err
	}
	s.chains.mu.Lock()
	defer s.chains.mu.Unlock()
	h, err := s.chainHead(ctx, sheet)
	if err != nil {
		return nil, fmt.Errorf("read the change log of sheet %q (run: sheetaudit changelog verify): %w", sheet, err)
	}
	return slices.Clip(h.entries), nil
}

// createOnce writes a new object at key, or reports that key is taken,
// through the store's one exclusive create (create, in lease.go).
func (s *Store) createOnce(ctx context.Context, key string, data []byte) (taken bool, err error) {
	err = s.create(ctx, key, data)
	if exists(err) {
		return true, nil
	}
	return false, err
}

// VerifyChangelog reads the sheet's change log and checks every entry: its
// place in the sequence, its own hash, and its link to the entry before it.
// It returns the entries up to the first broken one and that one as a
// Problem (nil when the chain is intact). The error is for a store that
// cannot be read.
func (s *Store) VerifyChangelog(ctx context.Context, sheet string) ([]audit.ChainEntry, *Problem, error) {
	if err := checkSheet(sheet); err != nil {
		return nil, nil, err
	}
	seqs, err := s.changelogSeqs(ctx, sheet)
	if err != nil {
		return nil, nil, err
	}
	var out []audit.ChainEntry
	prev := ""
	for i, seq := range seqs {
		key := changelogKey(sheet, seq)
		if seq != i+1 {
			return out, &Problem{Object: changelogKey(sheet, i+1), Sheet: sheet,
				Message: fmt.Sprintf("entry %d is missing (the chain jumps from entry %d to %d)", i+1, i, seq)}, nil
		}
		e, sum, err := s.readChainEntry(ctx, sheet, seq)
		if errors.Is(err, audit.ErrInvalid) {
			return out, &Problem{Object: key, Sheet: sheet, Message: fmt.Sprintf("entry %d: %v", seq, err)}, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if e.Prev != prev {
			return out, &Problem{Object: key, Sheet: sheet,
				Message: fmt.Sprintf("entry %d: its prev %.12s… is not the hash of entry %d (%.12s…): entry %d was replaced", seq, e.Prev, seq-1, prev, seq-1)}, nil
		}
		out, prev = append(out, e.public()), sum
	}
	return out, nil, nil
}

// readChainEntry reads one entry and checks its own hash; it returns the
// entry and the hash. A damaged entry is an error wrapping audit.ErrInvalid.
func (s *Store) readChainEntry(ctx context.Context, sheet string, seq int) (*chainEntry, string, error) {
	key := changelogKey(sheet, seq)
	rctx, cancel := s.req(ctx)
	data, err := s.bucket.ReadAll(rctx, key)
	cancel()
	if err != nil {
		return nil, "", fmt.Errorf("read %q: %w", key, translate(err))
	}
	var obj chainObject
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, "", fmt.Errorf("%q is not a change log entry: %v: %w", key, err, audit.ErrInvalid)
	}
	sum := sha256.Sum256(obj.Entry)
	if got := hex.EncodeToString(sum[:]); got != obj.SHA256 {
		return nil, "", fmt.Errorf("%q was altered: its content hashes to %.12s…, it says %.12s…: %w", key, got, obj.SHA256, audit.ErrInvalid)
	}
	var e chainEntry
	dec := json.NewDecoder(bytes.NewReader(obj.Entry))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return nil, "", fmt.Errorf("%q is not a change log entry: %v: %w", key, err, audit.ErrInvalid)
	}
	switch {
	case e.Format > changelogFormat:
		return nil, "", fmt.Errorf("%q has format %d; this release reads up to %d (upgrade sheetaudit): %w", key, e.Format, changelogFormat, audit.ErrInvalid)
	case e.Seq != seq || e.Sheet != sheet:
		return nil, "", fmt.Errorf("%q says it is entry %d of sheet %q: %w", key, e.Seq, e.Sheet, audit.ErrInvalid)
	}
	return &e, obj.SHA256, nil
}

func (e *chainEntry) public() audit.ChainEntry {
	return audit.ChainEntry{Seq: e.Seq, Cycle: e.Cycle, Time: e.Time, Rows: e.Rows}
}

// changelogSeqs lists the entry numbers of a sheet's change log in order;
// names that are not entries (a writer's temp file) are skipped.
func (s *Store) changelogSeqs(ctx context.Context, sheet string) ([]int, error) {
	dir := changelogDir(sheet)
	keys, err := s.listKeys(ctx, dir)
	if err != nil {
		return nil, err
	}
	var seqs []int
	for _, key := range keys {
		name, ok := strings.CutSuffix(strings.TrimPrefix(key, dir), ".json")
		if !ok || len(name) != 12 {
			continue
		}
		if n, err := strconv.Atoi(name); err == nil && n >= 1 {
			seqs = append(seqs, n)
		}
	}
	slices.Sort(seqs)
	return seqs, nil
}
