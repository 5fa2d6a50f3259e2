package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A customer table needs 权限管理: only the right people may see and change
// it. This file is the access audit's domain: who the file is shared with,
// what is wrong with that, and what changed since the last cycle.

// Grantee types of a permission, as Drive names them.
const (
	GranteeUser   = "user"
	GranteeGroup  = "group"
	GranteeDomain = "domain"
	GranteeAnyone = "anyone"
)

// Permission is one entry of a file's sharing list (Drive permissions.list).
type Permission struct {
	ID string `json:"id"`
	// Type is user, group, domain or anyone.
	Type string `json:"type"`
	// Role is owner, organizer, fileOrganizer, writer, commenter or reader.
	Role string `json:"role"`
	// Email is the user's or group's address; Domain the domain of a
	// domain permission.
	Email       string `json:"email,omitempty"`
	Domain      string `json:"domain,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	// Discoverable: a domain or anyone permission that lets people find
	// the file by searching, not only open a link.
	Discoverable bool `json:"discoverable,omitempty"`
}

// Grantee is how the permission is shown: the address, the domain, or
// "anyone with the link".
func (p Permission) Grantee() string {
	switch p.Type {
	case GranteeAnyone:
		return "anyone with the link"
	case GranteeDomain:
		return "domain " + p.Domain
	}
	if p.Email != "" {
		return p.Email
	}
	if p.DisplayName != "" {
		return p.DisplayName
	}
	return p.Type + " " + p.ID
}

// key identifies a grantee across cycles, whatever its role.
func (p Permission) key() string {
	switch p.Type {
	case GranteeAnyone:
		return GranteeAnyone
	case GranteeDomain:
		return "domain:" + strings.ToLower(p.Domain)
	}
	if p.Email != "" {
		return p.Type + ":" + strings.ToLower(p.Email)
	}
	return p.Type + ":id:" + p.ID
}

// canWrite reports whether the role may change the file's content.
func (p Permission) canWrite() bool {
	switch p.Role {
	case "owner", "organizer", "fileOrganizer", "writer":
		return true
	}
	return false
}

// AccessReader reads a file's sharing list.
type AccessReader interface {
	// Permissions returns every permission of the file, all pages read.
	// Errors wrap ErrPermission (the credentials may not list them: the
	// Drive API is off or the scope is missing), ErrNotFound or
	// ErrUnavailable. Idempotent.
	Permissions(ctx context.Context) ([]Permission, error)
}

// AccessPolicy is what the sharing of a file may be.
type AccessPolicy struct {
	// AllowedDomains are the e-mail domains users and groups may belong
	// to (corp.cn also allows sub.corp.cn); empty allows every domain.
	AllowedDomains []string
	// MaxWriters caps the users and groups who can edit (owners
	// included); 0 means no cap.
	MaxWriters int
	// Self is sheetaudit's own account, never counted among the writers
	// nor flagged as outside: it has to edit the file.
	Self string
}

// Access change kinds in the Change Log.
const (
	AccessAdded   ChangeKind = "access added"
	AccessRemoved ChangeKind = "access removed"
	AccessChanged ChangeKind = "access changed"
)

// accessColumn is the Column of access changes in the Change Log.
const accessColumn = "sharing"

// Rules of the access audit's findings.
const (
	RuleAccessAnyone  = "access_anyone"
	RuleAccessDomain  = "access_domain"
	RuleAccessOutside = "access_outside"
	RuleAccessWriters = "access_writers"
)

// granteeIn is Grantee in the locale's words.
func (p Permission) granteeIn(locale string) string {
	cat, _ := catalogFor(locale)
	switch p.Type {
	case GranteeAnyone:
		return cat.changeLog.anyone
	case GranteeDomain:
		return fmt.Sprintf(cat.changeLog.domain, p.Domain)
	}
	return p.Grantee()
}

// AccessChangeCells turns access changes (AccessChanges) into Change Log
// rows with their own change types, in the locale's words: the grantee in
// the Key column, the roles before and after in Old and New.
func AccessChangeCells(changes []Change, e ChangeLogEntry) [][]Cell {
	cat, _ := catalogFor(e.Locale)
	rows := make([][]Cell, 0, len(changes))
	for _, c := range changes {
		key := c.Key
		switch {
		case key == english.changeLog.anyone:
			key = cat.changeLog.anyone
		case strings.HasPrefix(key, "domain "):
			key = fmt.Sprintf(cat.changeLog.domain, strings.TrimPrefix(key, "domain "))
		}
		rows = append(rows, logRow(e, cat.kind(c.Kind), key, cat.changeLog.sharing, cat.role(c.Old), cat.role(c.New)))
	}
	return rows
}

// CheckAccess returns the Needs Review findings about a file's sharing: a
// link open to anyone, sharing with a whole domain, users and groups
// outside AllowedDomains, and more writers than MaxWriters. Findings are
// about the whole file (Row 0); the Key is the grantee.
func CheckAccess(sheet string, perms []Permission, p AccessPolicy, locale string) []Finding {
	m := accessMessagesFor(locale)
	cat, _ := catalogFor(locale)
	var out []Finding
	add := func(rule string, sev Severity, key, value, msg string) {
		out = append(out, Finding{Sheet: sheet, Key: key, Column: cat.changeLog.sharing, Rule: rule, Value: value, Message: msg, Severity: sev})
	}
	writers := 0
	var writerNames []string
	for _, q := range sortedPerms(perms) {
		self := p.Self != "" && strings.EqualFold(q.Email, p.Self)
		switch q.Type {
		case GranteeAnyone:
			sev := Warning
			if q.canWrite() {
				sev = Error
			}
			add(RuleAccessAnyone, sev, q.granteeIn(locale), q.Role, fmt.Sprintf(m.anyone, cat.role(q.Role)))
		case GranteeDomain:
			add(RuleAccessDomain, Warning, q.granteeIn(locale), q.Role, fmt.Sprintf(m.domain, q.Domain, cat.role(q.Role)))
			if !domainAllowed(q.Domain, p.AllowedDomains) {
				add(RuleAccessOutside, Error, q.granteeIn(locale), q.Role, fmt.Sprintf(m.outside, q.granteeIn(locale), cat.role(q.Role), strings.Join(p.AllowedDomains, ", ")))
			}
		case GranteeUser, GranteeGroup:
			if !self && !domainAllowed(emailDomain(q.Email), p.AllowedDomains) {
				add(RuleAccessOutside, Error, q.Grantee(), q.Role, fmt.Sprintf(m.outside, q.Grantee(), cat.role(q.Role), strings.Join(p.AllowedDomains, ", ")))
			}
			if q.canWrite() && !self {
				writers++
				writerNames = append(writerNames, q.Grantee())
			}
		}
	}
	if p.MaxWriters > 0 && writers > p.MaxWriters {
		add(RuleAccessWriters, Warning, "", strconv.Itoa(writers), fmt.Sprintf(m.writers, writers, p.MaxWriters, strings.Join(writerNames, ", ")))
	}
	return out
}

// AccessChanges compares two sharing lists and returns what changed, as
// Change Log changes: a grantee added (New is its role), removed (Old is
// its role), or whose role changed (Old → New). Grantees are matched by
// type and address (domain, anyone), not by permission id, which Drive may
// reissue. Order: removed, changed, added, each by grantee.
func AccessChanges(old, cur []Permission) []Change {
	before := make(map[string]Permission, len(old))
	for _, p := range old {
		before[p.key()] = p
	}
	after := make(map[string]Permission, len(cur))
	for _, p := range cur {
		after[p.key()] = p
	}
	var removed, changed, added []Change
	for _, p := range sortedPerms(old) {
		if _, ok := after[p.key()]; !ok {
			removed = append(removed, Change{Kind: AccessRemoved, Key: p.Grantee(), Column: accessColumn, Old: p.Role})
		}
	}
	for _, p := range sortedPerms(cur) {
		q, ok := before[p.key()]
		switch {
		case !ok:
			added = append(added, Change{Kind: AccessAdded, Key: p.Grantee(), Column: accessColumn, New: p.Role})
		case q.Role != p.Role:
			changed = append(changed, Change{Kind: AccessChanged, Key: p.Grantee(), Column: accessColumn, Old: q.Role, New: p.Role})
		}
	}
	return slices.Concat(removed, changed, added)
}

func sortedPerms(ps []Permission) []Permission {
	out := slices.Clone(ps)
	slices.SortStableFunc(out, func(a, b Permission) int { return cmp.Compare(a.key(), b.key()) })
	return out
}

// emailDomain returns the lower-case domain of an address, "" if none.
func emailDomain(email string) string {
	i := strings.LastIndexByte(email, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(email[i+1:])
}

// domainAllowed reports whether d is one of allowed or a subdomain of one;
// an empty allowed list allows everything.
func domainAllowed(d string, allowed []string) bool {
	if len(allowed) == 0 {
		return true
	}
	d = strings.ToLower(strings.TrimSuffix(d, "."))
	for _, a := range allowed {
		a = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(a), "@"))
		if d == a || strings.HasSuffix(d, "."+a) {
			return true
		}
	}
	return false
}

type accessMessages struct{ anyone, domain, outside, writers string }

func accessMessagesFor(locale string) accessMessages {
	if locale == "zh-CN" {
		return accessMessages{
			anyone:  "任何获得链接的人都可以访问此表格（%s）；客户数据不应通过公开链接共享",
			domain:  "整个域 %s 的人都可以访问此表格（%s）",
			outside: "%s（%s）不在允许的域内（%s）",
			writers: "有 %d 个账号可以编辑此表格，超过上限 %d：%s",
		}
	}
	return accessMessages{
		anyone:  "anyone with the link can open this file (%s); customer data should not be shared by an open link",
		domain:  "everyone in the domain %s can open this file (%s)",
		outside: "%s (%s) is outside the allowed domains (%s)",
		writers: "%d accounts can edit this file, more than the %d allowed: %s",
	}
}

// AuditAccess reads a file's sharing through r, checks it against p, and
// compares it with the sharing the previous cycle saw (prev; nil when
// unknown, as on the first cycle, gives no changes rather than one "access
// added" per person). The cycle keeps cur in State.Access for the next
// comparison and puts findings in Needs Review and changes in the Change
// Log.
func AuditAccess(ctx context.Context, r AccessReader, sheet string, prev []Permission, p AccessPolicy, locale string) (cur []Permission, findings []Finding, changes []Change, err error) {
	cur, err = r.Permissions(ctx)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("access audit: %w", err)
	}
	if cur == nil {
		cur = []Permission{}
	}
	findings = CheckAccess(sheet, cur, p, locale)
	if prev != nil {
		changes = AccessChanges(prev, cur)
	}
	return cur, findings, changes, nil
}
