package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// "Who changed this?" is the first question after an accident. sheetaudit
// sees versions, not keystrokes, so it names the people who edited the
// file in the window between two snapshots, from what Google keeps: the
// Drive revisions (coarse: Sheets merges and prunes them) and, where
// enabled, the Drive Activity log (each edit and its actors).

// Person is an editor as Google names them. ID is "people/<account id>"
// when known: Drive Activity names actors so, and a Drive revision's or
// permission's permissionId is that same account id.
type Person struct {
	ID    string `json:"id,omitempty"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	// Me is true when the person is the caller, sheetaudit's own account.
	Me bool `json:"me,omitempty"`
}

// Label is how the person is shown: the name, else the address, else the
// id (an id Google would not resolve).
func (p Person) Label() string {
	switch {
	case p.Name != "":
		return p.Name
	case p.Email != "":
		return p.Email
	}
	return p.ID
}

// Revision is one Drive revision of the file (revisions.list).
type Revision struct {
	ID       string
	Modified time.Time
	User     Person // lastModifyingUser; zero when Google does not say
}

// Activity is one Drive Activity record of the file (activity:query).
type Activity struct {
	// Start and End bound the activity; a single instant has Start == End.
	Start, End time.Time
	// Action is the primary action, lower case: "edit", "create",
	// "permission_change", "comment", "rename", …
	Action string
	Actors []Person
}

// Attribution sources.
const (
	SourceActivity  = "drive activity"
	SourceRevisions = "drive revisions"
)

// Attribution names the editors of one window.
type Attribution struct {
	// Editor is what the Change Log shows: one name, "one of: A, B" when
	// several people edited in the window, "unknown" when Google named
	// nobody, or "sheetaudit" when only sheetaudit's own account did.
	Editor string
	// Editors are the people behind Editor, in the order they last edited.
	Editors []Person
	// Source says which record named them: SourceActivity or
	// SourceRevisions; empty for unknown.
	Source string
	// Degraded, when set, says why the activity log was not used.
	Degraded string
}

// AttributionInput is what Attribute needs for one window.
type AttributionInput struct {
	// Since and Until bound the window: the previous snapshot's time
	// (exclusive) and this one's (inclusive).
	Since, Until time.Time
	Revisions    []Revision
	// Activities are nil when Drive Activity is not used; its absence then
	// falls back on the revisions.
	Activities []Activity
	// Self is sheetaudit's own account address; its edits are never
	// blamed on a person.
	Self string
	// Known resolves ids ("people/123") to people, for actors the activity
	// log names by id only; the file's permissions and revisions fill it.
	Known map[string]Person
	// Locale is "en" or "zh-CN".
	Locale string
	// Action, when set, is the only activity action that counts (e.g.
	// "permission_change" to name who changed the sharing); empty counts
	// the edits (edit, create, restore).
	Action string
}

// SelfEditor is the Editor of a window in which only sheetaudit's own
// account edited the file (a restore, its own tabs).
const SelfEditor = "sheetaudit"

// Attribute names the editors of the window from the activity log when it
// has edits in the window, else from the revisions modified in it. It is a
// pure function.
func Attribute(in AttributionInput) Attribution {
	var people []Person
	source := ""
	selfSeen := false
	add := func(p Person) {
		p = in.resolve(p)
		if p.Me || in.Self != "" && strings.EqualFold(p.Email, in.Self) {
			selfSeen = true
			return
		}
		k := p.key()
		people = slices.DeleteFunc(people, func(q Person) bool { return q.key() == k })
		people = append(people, p)
	}
	inWindow := func(t time.Time) bool { return t.After(in.Since) && !t.After(in.Until) }

	acts := slices.Clone(in.Activities)
	slices.SortStableFunc(acts, func(a, b Activity) int { return a.End.Compare(b.End) })
	for _, a := range acts {
		counts := isEdit(a.Action)
		if in.Action != "" {
			counts = a.Action == in.Action
		}
		if !counts || !(inWindow(a.End) || inWindow(a.Start) || a.Start.Before(in.Since) && a.End.After(in.Until)) {
			continue
		}
		source = SourceActivity
		for _, p := range a.Actors {
			add(p)
		}
	}
	if source == "" && in.Action == "" {
		revs := slices.Clone(in.Revisions)
		slices.SortStableFunc(revs, func(a, b Revision) int { return a.Modified.Compare(b.Modified) })
		for _, r := range revs {
			if !inWindow(r.Modified) {
				continue
			}
			source = SourceRevisions
			if r.User != (Person{}) {
				add(r.User)
			}
		}
	}
	out := Attribution{Editors: people, Source: source}
	switch {
	case len(people) == 1:
		out.Editor = people[0].Label()
	case len(people) > 1:
		labels := make([]string, len(people))
		for i, p := range people {
			labels[i] = p.Label()
		}
		prefix := "one of: "
		if in.Locale == "zh-CN" {
			prefix = "其中一人："
		}
		out.Editor = prefix + strings.Join(labels, ", ")
	case selfSeen:
		out.Editor = SelfEditor
	default:
		out.Editor, out.Source = unknownEditor(in.Locale), ""
	}
	return out
}

// resolve fills a person's name and address from Known.
func (in AttributionInput) resolve(p Person) Person {
	if p.ID == "" {
		return p
	}
	if k, ok := in.Known[p.ID]; ok {
		if p.Name == "" {
			p.Name = k.Name
		}
		if p.Email == "" {
			p.Email = k.Email
		}
		p.Me = p.Me || k.Me
	}
	return p
}

func (p Person) key() string {
	switch {
	case p.ID != "":
		return p.ID
	case p.Email != "":
		return strings.ToLower(p.Email)
	}
	return "name:" + p.Name
}

// isEdit reports whether an activity changed the file's content.
func isEdit(action string) bool {
	switch action {
	case "edit", "create", "restore":
		return true
	}
	return false
}

// KnownPeople indexes the people the file's permissions and revisions name
// by their "people/<id>" ids, for Attribute to resolve the ids of
// activity actors. A permission's id is the account id of a user.
func KnownPeople(perms []Permission, revs []Revision) map[string]Person {
	known := make(map[string]Person)
	for _, p := range perms {
		if p.Type != GranteeUser || p.ID == "" {
			continue
		}
		known["people/"+p.ID] = Person{ID: "people/" + p.ID, Name: p.DisplayName, Email: p.Email}
	}
	for _, r := range revs {
		if r.User.ID != "" && (r.User.Name != "" || r.User.Email != "") {
			known[r.User.ID] = r.User
		}
	}
	return known
}

// EditorReader reads what Google recorded of a file's editors.
type EditorReader interface {
	// Revisions returns the file's revisions, oldest first, all pages
	// read. Errors wrap ErrPermission (Drive API off, scope missing),
	// ErrNotFound or ErrUnavailable. Idempotent.
	Revisions(ctx context.Context) ([]Revision, error)
	// Activities returns the file's activity between since and until
	// (edits only), all pages read. Errors as Revisions; ErrPermission
	// also when the Drive Activity API is off. Idempotent.
	Activities(ctx context.Context, since, until time.Time) ([]Activity, error)
}

// Editors reads what Google recorded of the window (since, until] through
// r and names its editors (Attribute). With activity false, or when the
// activity log cannot be read (ErrPermission: the Drive Activity API is
// off or the scope missing), the revisions alone name them and Degraded
// says why. perms, the file's sharing when known, resolves activity
// actors' ids to names.
func Editors(ctx context.Context, r EditorReader, perms []Permission, since, until time.Time, self string, activity bool, locale string) (Attribution, error) {
	revs, err := r.Revisions(ctx)
	if err != nil {
		return Attribution{}, fmt.Errorf("attribution: %w", err)
	}
	var acts []Activity
	degraded := ""
	if activity {
		acts, err = r.Activities(ctx, since, until)
		switch {
		case errors.Is(err, ErrPermission):
			degraded = err.Error()
			acts = nil
		case err != nil:
			return Attribution{}, fmt.Errorf("attribution: %w", err)
		case acts == nil:
			acts = []Activity{}
		}
	}
	a := Attribute(AttributionInput{Since: since, Until: until, Revisions: revs, Activities: acts,
		Self: self, Known: KnownPeople(perms, revs), Locale: locale})
	a.Degraded = degraded
	return a, nil
}

// AccessActivityReader reads who changed a file's sharing.
type AccessActivityReader interface {
	// AccessActivities returns the file's sharing changes (action
	// "permission_change") between since and until, all pages read.
	// Errors as EditorReader.Activities. Idempotent.
	AccessActivities(ctx context.Context, since, until time.Time) ([]Activity, error)
}
