package sheets

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/option"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.VersionChecker = (*Workbook)(nil)

// Version implements audit.VersionChecker with one Drive v3 files.get
// (fields version,modifiedTime): Drive raises a file's version with every
// change, sheetaudit's own writes included. It costs no Sheets quota.
func (w *Workbook) Version(ctx context.Context) (string, error) {
	v, err := w.fileVersion(ctx, "check the spreadsheet for changes")
	if err != nil {
		return "", err
	}
	w.mu.Lock()
	w.version, w.writesAtVer = v, w.writes.Load()
	w.mu.Unlock()
	return strconv.FormatInt(v, 10), nil
}

// VersionAfterWrites implements audit.VersionChecker. It is sure that
// nobody else changed the spreadsheet since Version answered since only
// when the version moved by exactly the number of write requests this
// Workbook made succeed in between, one step each. A person's edit adds a
// step; a write whose reply was lost, or a write Drive counts twice or not
// at all, makes the count differ too, which costs one full read next time,
// never a missed edit.
func (w *Workbook) VersionAfterWrites(ctx context.Context, since string) (string, bool, error) {
	v, err := w.fileVersion(ctx, "read the spreadsheet's version after the write-back")
	if err != nil {
		return "", false, err
	}
	w.mu.Lock()
	base, at := w.version, w.writesAtVer
	w.mu.Unlock()
	own := w.writes.Load() - at
	sure := since == strconv.FormatInt(base, 10) && v-base == own
	return strconv.FormatInt(v, 10), sure, nil
}

// fileVersion reads the spreadsheet's Drive version.
func (w *Workbook) fileVersion(ctx context.Context, op string) (int64, error) {
	svc, err := w.driveService(ctx)
	if err != nil {
		return 0, err
	}
	var f *drive.File
	err = w.call(ctx, "drive.files.get", false, func(ctx context.Context) error {
		var err error
		f, err = svc.Files.Get(w.id).Fields("version,modifiedTime").SupportsAllDrives(true).Context(ctx).Do()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("%w (the change check needs the Google Drive API enabled and the drive.metadata.readonly scope; or set source.google.change_check: false)",
			w.translate(err, op))
	}
	return f.Version, nil
}

// driveService is the Drive v3 client, made on first use with the same
// HTTP client as Sheets. With an endpoint (emulator, proxy) its requests
// go to endpoint + drive/v3/, as the real host's paths.
func (w *Workbook) driveService(ctx context.Context) (*drive.Service, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.drive != nil {
		return w.drive, nil
	}
	opts := []option.ClientOption{option.WithHTTPClient(w.hc)}
	if ep := w.opts.Endpoint; ep != "" {
		opts = append(opts, option.WithEndpoint(strings.TrimSuffix(ep, "/")+"/drive/v3/"))
	}
	svc, err := drive.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("create drive client: %w", err)
	}
	w.drive = svc
	return svc, nil
}
