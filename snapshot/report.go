package snapshot

import (
	"context"
	"fmt"
	"mime"
	"path"

	"github.com/sheetaudit/sheetaudit/audit"
)

// PutReport stores a rendered report as reports/<sheet>/<name>, replacing
// one of the same name (a report for a week is rebuilt, not versioned). It
// returns the object's key.
func (s *Store) PutReport(ctx context.Context, sheet, name string, data []byte) (string, error) {
	if err := checkSheet(sheet); err != nil {
		return "", err
	}
	// Report names are plain: the week and an extension, perhaps an owner.
	if !plainName(name, 121, "", "._-") {
		return "", fmt.Errorf("report name %q: want letters, digits, '.', '_' or '-': %w", name, audit.ErrInvalid)
	}
	key := path.Join("reports", sheet, name)
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	if err := s.writeObject(ctx, key, ct, data, false); err != nil {
		return "", err
	}
	return key, nil
}
