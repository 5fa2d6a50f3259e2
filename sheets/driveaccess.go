package sheets

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"go.uber.org/zap"
	"google.golang.org/api/drive/v3"
	"google.golang.org/api/driveactivity/v2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/sheetaudit/sheetaudit/audit"
)

// DriveAudit reads who can open a spreadsheet and who edited it, through
// the Drive API v3 (permissions.list, revisions.list) and the Drive
// Activity API v2 (activity:query). It asks only for the read-only
// metadata and activity scopes, never for the files' content.
type DriveAudit struct {
	id    string
	files *drive.Service
	act   *driveactivity.Service
	call  *Workbook // pacing, timeouts and retries shared with the Sheets calls
	log   *zap.Logger
	email string // the service account, so its own edits are never blamed on a person
}

var _ audit.AccessReader = (*DriveAudit)(nil)

// DriveScopes are the OAuth scopes DriveAudit asks for, besides the
// spreadsheets scope of the Workbook.
var DriveScopes = []string{drive.DriveMetadataReadonlyScope, driveactivity.DriveActivityReadonlyScope}

// NewDriveAudit wires a DriveAudit for opts.SpreadsheetID (a spreadsheet's
// id is its Drive file id). It sends no request. With opts.Endpoint, Drive
// calls go to Endpoint + "drive/v3/…" and Drive Activity calls to Endpoint
// + "v2/activity:query", the paths of the real hosts, so one emulator
// serves all three APIs.
func NewDriveAudit(ctx context.Context, opts Options) (*DriveAudit, error) {
	if strings.TrimSpace(opts.SpreadsheetID) == "" {
		return nil, fmt.Errorf("spreadsheet id is empty; set spreadsheet_id to the id in the sheet's URL: %w", audit.ErrInvalid)
	}
	opts = opts.withDefaults()
	hc, email, err := httpClient(ctx, opts, DriveScopes)
	if err != nil {
		return nil, err
	}
	fopts := []option.ClientOption{option.WithHTTPClient(hc)}
	aopts := []option.ClientOption{option.WithHTTPClient(hc)}
	if e := opts.Endpoint; e != "" {
		if !strings.HasSuffix(e, "/") {
			e += "/"
		}
		fopts = append(fopts, option.WithEndpoint(e+"drive/v3/"))
		aopts = append(aopts, option.WithEndpoint(e))
	}
	files, err := drive.NewService(ctx, fopts...)
	if err != nil {
		return nil, fmt.Errorf("create drive client: %w", err)
	}
	act, err := driveactivity.NewService(ctx, aopts...)
	if err != nil {
		return nil, fmt.Errorf("create drive activity client: %w", err)
	}
	log := opts.Logger.With(zap.String("sheet", opts.SpreadsheetID))
	return &DriveAudit{
		id: opts.SpreadsheetID, files: files, act: act, log: log, email: email,
		call: &Workbook{id: opts.SpreadsheetID, opts: opts, log: log, email: email},
	}, nil
}

// ServiceAccount is the e-mail address of the credentials, when known.
func (d *DriveAudit) ServiceAccount() string { return d.email }

// permissionFields asks permissions.list for what the access audit reads.
const permissionFields = "nextPageToken,permissions(id,type,role,emailAddress,domain,displayName,allowFileDiscovery,deleted)"

// Permissions implements audit.AccessReader with permissions.list, every
// page read. Deleted accounts still listed are skipped.
func (d *DriveAudit) Permissions(ctx context.Context) ([]audit.Permission, error) {
	var out []audit.Permission
	token := ""
	for {
		var page *drive.PermissionList
		err := d.call.call(ctx, "permissions.list", false, func(ctx context.Context) error {
			var err error
			page, err = d.files.Permissions.List(d.id).SupportsAllDrives(true).PageSize(100).
				PageToken(token).Fields(permissionFields).Context(ctx).Do()
			return err
		})
		if err != nil {
			return nil, d.translate(err, "list the sharing (permissions.list)", "Google Drive API", drive.DriveMetadataReadonlyScope)
		}
		for _, p := range page.Permissions {
			if p.Deleted {
				continue
			}
			out = append(out, audit.Permission{ID: p.Id, Type: p.Type, Role: p.Role, Email: p.EmailAddress,
				Domain: p.Domain, DisplayName: p.DisplayName, Discoverable: p.AllowFileDiscovery})
		}
		if token = page.NextPageToken; token == "" {
			return out, nil
		}
	}
}

// translate maps a Drive or Drive Activity failure onto the audit
// sentinels, with a hint that names the API and scope involved.
func (d *DriveAudit) translate(err error, op, api, scope string) error {
	where := fmt.Sprintf("%s of file %q", op, d.id)
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		switch code := gerr.Code; {
		case code == http.StatusForbidden:
			hint := fmt.Sprintf("share the spreadsheet with %s as an editor", cmp.Or(d.email, "the service account"))
			switch r := reason(gerr); {
			case r == "SERVICE_DISABLED" || strings.Contains(gerr.Message, "has not been used") || strings.Contains(gerr.Message, "is disabled"):
				hint = "enable the " + api + " for the service account's project in the Cloud console"
			case r == "ACCESS_TOKEN_SCOPE_INSUFFICIENT" || r == "insufficientPermissions":
				hint = "the credentials lack the " + scope + " scope"
			}
			return fmt.Errorf("%s: %w (%s): %w", where, audit.ErrPermission, hint, err)
		case code == http.StatusNotFound:
			return fmt.Errorf("%s: %w (check spreadsheet_id, and that the file is shared with the service account): %w", where, audit.ErrNotFound, err)
		}
	}
	return d.call.translate(err, op)
}
