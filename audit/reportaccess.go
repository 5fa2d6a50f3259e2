package audit

import "slices"

// ReportAccess is the weekly report's access section (权限管理): who the
// file is shared with, as the last cycle's access audit read it, and what
// the access rules flag about it.
type ReportAccess struct {
	Shared   []ReportGrantee `json:"shared"`
	Findings []Finding       `json:"findings,omitempty"`
}

// ReportGrantee is one entry of the sharing list, in the report's words.
type ReportGrantee struct {
	Grantee string `json:"grantee"`
	Role    string `json:"role"`
	// Problem is the most severe finding about the grantee, "" if none.
	Problem Severity `json:"-"`
	Flagged bool     `json:"flagged,omitempty"`
}

// NewReportAccess builds the access section from the sharing kept in the
// sheet's state (State.Access) and the access policy, in locale's words:
// owners and writers first. Nil perms (never read) give nil: the report
// then has no access section.
func NewReportAccess(sheet string, perms []Permission, p AccessPolicy, locale string) *ReportAccess {
	if perms == nil {
		return nil
	}
	cat, _ := catalogFor(locale)
	findings := CheckAccess(sheet, perms, p, locale)
	flagged := make(map[string]Severity)
	for _, f := range findings {
		if s, ok := flagged[f.Key]; !ok || f.Severity < s {
			flagged[f.Key] = f.Severity
		}
	}
	ps := sortedPerms(perms)
	rank := func(q Permission) int {
		switch q.Role {
		case "owner":
			return 0
		case "organizer", "fileOrganizer", "writer":
			return 1
		case "commenter":
			return 2
		}
		return 3
	}
	slices.SortStableFunc(ps, func(a, b Permission) int { return rank(a) - rank(b) })
	a := &ReportAccess{Shared: []ReportGrantee{}, Findings: findings}
	for _, q := range ps {
		g := ReportGrantee{Grantee: q.granteeIn(locale), Role: cat.role(q.Role)}
		if s, ok := flagged[g.Grantee]; ok {
			g.Problem, g.Flagged = s, true
		}
		a.Shared = append(a.Shared, g)
	}
	return a
}

// masked is the section with e-mail addresses masked, for Report.Masked.
func (a *ReportAccess) masked() *ReportAccess {
	if a == nil {
		return nil
	}
	m := &ReportAccess{Shared: make([]ReportGrantee, len(a.Shared)), Findings: make([]Finding, len(a.Findings))}
	for i, g := range a.Shared {
		g.Grantee = MaskPII(g.Grantee)
		m.Shared[i] = g
	}
	for i, f := range a.Findings {
		f.Key, f.Message = MaskPII(f.Key), MaskPII(f.Message)
		m.Findings[i] = f
	}
	return m
}

// accessLines are the section's findings as "severity: message" lines,
// errors first.
func (a *ReportAccess) accessLines(locale string) []string {
	cat, _ := catalogFor(locale)
	fs := slices.Clone(a.Findings)
	slices.SortStableFunc(fs, func(x, y Finding) int { return int(x.Severity) - int(y.Severity) })
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = cat.severity(f.Severity) + ": " + f.Message
	}
	return out
}
