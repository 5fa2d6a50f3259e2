package snapshot

import (
	"context"
	"fmt"
	"mime"
	"path"
	"regexp"

	"github.com/sheetaudit/sheetaudit/audit"
)

// reportName keeps report file names plain: the week and an extension,
// optionally with an owner suffix made of letters and digits.
var reportName = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._-]{0,120}$`)

// PutReport stores a rendered report as reports/<sheet>/<name>, replacing
// one of the same name (a report for a week is rebuilt, not versioned). It
// returns the object's key.
func (s *Store) PutReport(ctx context.Context, sheet, name string, data []byte) (string, error) {
	if err := checkSheet(sheet); err != nil {
		return "", err
	}
	if !reportName.MatchString(name) {
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
