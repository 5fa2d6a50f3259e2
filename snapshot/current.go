package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.CurrentChecker = (*Store)(nil)

// Current reports whether snap holds exactly the content of the sheet's
// newest version (values, and formulas when either side has them), and that
// version's id. It compares SHA-256 digests with the newest manifest and
// reads no chunk, so an unchanged sheet costs one manifest read, not a full
// load. A sheet with no version yet is not current.
func (s *Store) Current(ctx context.Context, snap *audit.Snapshot) (string, bool, error) {
	if err := checkSheet(snap.Sheet); err != nil {
		return "", false, err
	}
	s.mu.Lock()
	delete(s.pending, snap.Sheet) // one from an earlier cycle that never stored
	s.mu.Unlock()
	m, err := s.latestManifest(ctx, snap.Sheet)
	if errors.Is(err, audit.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	data, rowEnds := encodeRows(snap.Values)
	sum := sha256.Sum256(data)
	if m.ContentSHA256 != hex.EncodeToString(sum[:]) {
		// A Put of this snapshot follows: hand it the serialisation.
		s.mu.Lock()
		s.pending[snap.Sheet] = &encodedSnap{snap: snap, data: data, rowEnds: rowEnds, sum: sum}
		s.mu.Unlock()
		return m.ID, false, nil
	}
	switch {
	case m.Formulas == nil && snap.Formulas == nil:
		return m.ID, true, nil
	case m.Formulas == nil || snap.Formulas == nil:
		// Capture was turned on or off: store a version that says so.
		return m.ID, false, nil
	}
	return m.ID, m.Formulas.ContentSHA256 == digest(snap.Formulas), nil
}

func digest(rows [][]string) string {
	data, _ := encodeRows(rows)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
