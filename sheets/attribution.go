package sheets

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/api/drive/v3"
	"google.golang.org/api/driveactivity/v2"

	"github.com/sheetaudit/sheetaudit/audit"
)

var (
	_ audit.EditorReader         = (*DriveAudit)(nil)
	_ audit.AccessActivityReader = (*DriveAudit)(nil)
)

// revisionFields asks revisions.list for the editor and time only.
const revisionFields = "nextPageToken,revisions(id,modifiedTime,lastModifyingUser(displayName,emailAddress,permissionId,me))"

// Revisions implements audit.EditorReader with revisions.list. Google
// merges and prunes the revisions of Sheets files, so they are coarse: an
// editor may be missing from them, never invented.
func (d *DriveAudit) Revisions(ctx context.Context) ([]audit.Revision, error) {
	var out []audit.Revision
	token := ""
	for {
		var page *drive.RevisionList
		err := d.call.call(ctx, "revisions.list", false, func(ctx context.Context) error {
			var err error
			page, err = d.files.Revisions.List(d.id).PageSize(200).PageToken(token).Fields(revisionFields).Context(ctx).Do()
			return err
		})
		if err != nil {
			return nil, d.translate(err, "list the revisions (revisions.list)", "Google Drive API", drive.DriveMetadataReadonlyScope)
		}
		for _, r := range page.Revisions {
			t, err := time.Parse(time.RFC3339Nano, r.ModifiedTime)
			if err != nil {
				return nil, fmt.Errorf("revision %s of file %q has modifiedTime %q: %w", r.Id, d.id, r.ModifiedTime, audit.ErrInvalid)
			}
			rev := audit.Revision{ID: r.Id, Modified: t}
			if u := r.LastModifyingUser; u != nil {
				rev.User = audit.Person{Name: u.DisplayName, Email: u.EmailAddress, Me: u.Me}
				if u.PermissionId != "" {
					rev.User.ID = "people/" + u.PermissionId
				}
			}
			out = append(out, rev)
		}
		if token = page.NextPageToken; token == "" {
			return out, nil
		}
	}
}

// Activities implements audit.EditorReader with activity:query on
// items/<file id>, filtered to the window and to edits (edit, create,
// restore), every page read. Actors are named by "people/<id>" only: the
// Activity API gives no names; audit.KnownPeople resolves them from the
// sharing and the revisions.
func (d *DriveAudit) Activities(ctx context.Context, since, until time.Time) ([]audit.Activity, error) {
	return d.activities(ctx, since, until, "(EDIT CREATE RESTORE)")
}

// AccessActivities implements audit.AccessActivityReader: activity:query
// filtered to sharing changes (PERMISSION_CHANGE).
func (d *DriveAudit) AccessActivities(ctx context.Context, since, until time.Time) ([]audit.Activity, error) {
	return d.activities(ctx, since, until, "PERMISSION_CHANGE")
}

func (d *DriveAudit) activities(ctx context.Context, since, until time.Time, actions string) ([]audit.Activity, error) {
	req := &driveactivity.QueryDriveActivityRequest{
		ItemName: "items/" + d.id,
		Filter: fmt.Sprintf(`time > %q AND time <= %q AND detail.action_detail_case:%s`,
			since.UTC().Format(time.RFC3339Nano), until.UTC().Format(time.RFC3339Nano), actions),
		PageSize: 100,
	}
	var out []audit.Activity
	for {
		var page *driveactivity.QueryDriveActivityResponse
		err := d.call.call(ctx, "activity.query", false, func(ctx context.Context) error {
			var err error
			page, err = d.act.Activity.Query(req).Context(ctx).Do()
			return err
		})
		if err != nil {
			return nil, d.translate(err, "query the activity (activity:query)", "Google Drive Activity API", driveactivity.DriveActivityReadonlyScope)
		}
		for _, a := range page.Activities {
			act, err := activityOf(a)
			if err != nil {
				return nil, fmt.Errorf("activity of file %q: %w", d.id, err)
			}
			out = append(out, act)
		}
		if req.PageToken = page.NextPageToken; req.PageToken == "" {
			return out, nil
		}
	}
}

// activityOf maps one DriveActivity onto the audit's terms.
func activityOf(a *driveactivity.DriveActivity) (audit.Activity, error) {
	var out audit.Activity
	var err error
	switch {
	case a.Timestamp != "":
		out.Start, err = time.Parse(time.RFC3339Nano, a.Timestamp)
		out.End = out.Start
	case a.TimeRange != nil:
		out.Start, err = time.Parse(time.RFC3339Nano, a.TimeRange.StartTime)
		if err == nil {
			out.End, err = time.Parse(time.RFC3339Nano, a.TimeRange.EndTime)
		}
	default:
		return out, fmt.Errorf("an activity has neither timestamp nor timeRange: %w", audit.ErrInvalid)
	}
	if err != nil {
		return out, fmt.Errorf("activity time: %v: %w", err, audit.ErrInvalid)
	}
	if p := a.PrimaryActionDetail; p != nil {
		switch {
		case p.Edit != nil:
			out.Action = "edit"
		case p.Create != nil:
			out.Action = "create"
		case p.Restore != nil:
			out.Action = "restore"
		case p.PermissionChange != nil:
			out.Action = "permission_change"
		case p.Comment != nil:
			out.Action = "comment"
		default:
			out.Action = "other"
		}
	}
	for _, actor := range a.Actors {
		out.Actors = append(out.Actors, actorOf(actor))
	}
	return out, nil
}

func actorOf(a *driveactivity.Actor) audit.Person {
	switch {
	case a.User != nil:
		return userOf(a.User)
	case a.Impersonation != nil && a.Impersonation.ImpersonatedUser != nil:
		return userOf(a.Impersonation.ImpersonatedUser)
	case a.Administrator != nil:
		return audit.Person{Name: "administrator"}
	case a.Anonymous != nil:
		return audit.Person{Name: "anonymous"}
	case a.System != nil:
		return audit.Person{Name: "system"}
	}
	return audit.Person{Name: "unknown actor"}
}

func userOf(u *driveactivity.User) audit.Person {
	switch {
	case u.KnownUser != nil:
		return audit.Person{ID: u.KnownUser.PersonName, Me: u.KnownUser.IsCurrentUser}
	case u.DeletedUser != nil:
		return audit.Person{Name: "deleted user"}
	}
	return audit.Person{Name: "unknown user"}
}
