package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gocloud.dev/gcerrors"

	"github.com/sheetaudit/sheetaudit/audit"
)

// restoresDir holds a sheet's restore records, one JSON object each, named
// by time so a listing is in order (see FORMAT.md).
func restoresDir(sheet string) string { return sheetPrefix + sheet + "/restores/" }

var _ audit.RestoreLister = (*Store)(nil)

// RecordRestore stores rec as a new restore record of rec.Sheet. Records are
// written once and never replaced (a second record of the same second and
// version gets a numbered name).
func (s *Store) RecordRestore(ctx context.Context, rec audit.RestoreRecord) error {
	if err := checkSheet(rec.Sheet); err != nil {
		return err
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return fmt.Errorf("encode restore record: %w", err)
	}
	base := restoresDir(rec.Sheet) + rec.Time.UTC().Format(restoreTimeLayout)
	for n := 0; n < 100; n++ {
		key := base + ".json"
		if n > 0 {
			key = fmt.Sprintf("%s-%d.json", base, n)
		}
		err = s.writeObject(ctx, key, "application/json", append(data, '\n'), true)
		if err == nil {
			return nil
		}
		if gcerrors.Code(err) != gcerrors.FailedPrecondition { // taken: try the next name
			return fmt.Errorf("store restore record: %w", err)
		}
	}
	return fmt.Errorf("store restore record: no free name under %s: %w", base, audit.ErrUnavailable)
}

// restoreTimeLayout names a restore record by its time.
const restoreTimeLayout = "20060102T150405.000000000Z"

// Restores returns the restore records of sheet, oldest first.
func (s *Store) Restores(ctx context.Context, sheet string) ([]audit.RestoreRecord, error) {
	return s.RestoresSince(ctx, sheet, time.Time{})
}

// RestoresSince returns the restore records of sheet made after since,
// oldest first. It lists the sheet's records once and reads only those
// whose name is after since. A damaged record is an error wrapping
// audit.ErrInvalid that names it.
func (s *Store) RestoresSince(ctx context.Context, sheet string, since time.Time) ([]audit.RestoreRecord, error) {
	if err := checkSheet(sheet); err != nil {
		return nil, err
	}
	all, err := s.listKeys(ctx, restoresDir(sheet))
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, key := range all {
		name, ok := strings.CutSuffix(strings.TrimPrefix(key, restoresDir(sheet)), ".json")
		if !ok {
			continue
		}
		if !since.IsZero() && len(name) >= len(restoreTimeLayout) {
			if t, err := time.Parse(restoreTimeLayout, name[:len(restoreTimeLayout)]); err == nil && !t.After(since) {
				continue
			}
		}
		keys = append(keys, key)
	}
	slices.Sort(keys)
	out := make([]audit.RestoreRecord, 0, len(keys))
	for _, key := range keys {
		rctx, cancel := s.req(ctx)
		data, err := s.bucket.ReadAll(rctx, key)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("read %q: %w", key, translate(err))
		}
		var rec audit.RestoreRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			return nil, fmt.Errorf("restore record %q is damaged (%v): %w", key, err, audit.ErrInvalid)
		}
		if since.IsZero() || rec.Time.After(since) {
			out = append(out, rec)
		}
	}
	return out, nil
}
