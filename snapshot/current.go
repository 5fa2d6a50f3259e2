package snapshot

import (
	"context"
	"encoding/hex"
	"errors"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.CurrentChecker = (*Store)(nil)

// Current reports whether snap holds exactly the content of the sheet's
// newest version (values, and formulas and typed values when either side
// has them), and that
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
	sum := sumRows(snap.Values)
	if m.ContentSHA256 != hex.EncodeToString(sum.sum[:]) {
		// A Put of this snapshot follows: hand it the row hashes.
		s.mu.Lock()
		s.pending[snap.Sheet] = &encodedSnap{snap: snap, sum: sum}
		s.mu.Unlock()
		return m.ID, false, nil
	}
	// Capture turned on or off stores a version that says so.
	return m.ID, sameGrid(m.Formulas, snap.Formulas) && sameGrid(m.Typed, snap.Typed), nil
}

// sameGrid reports whether a stored extra grid holds grid, a grid not
// captured matching only another one not captured.
func sameGrid(stored *GridContent, grid [][]string) bool {
	if stored == nil || grid == nil {
		return stored == nil && grid == nil
	}
	return stored.ContentSHA256 == digest(grid)
}

func digest(rows [][]string) string {
	sum := sumRows(rows).sum
	return hex.EncodeToString(sum[:])
}
