package audit

import (
	"fmt"
	"strings"
)

// Text renders the report as plain text for the text part of a mail and
// for readers without HTML: the same sections as the page, one line per
// row, links written out.
func (r Report) Text(locale string) string {
	l := labelsFor(locale)
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("%s", l.title(r))
	line("%s: %s · %s", l.Produced, r.Produced.Format("2006-01-02 15:04 -07:00"), fmt.Sprintf(l.Days, l.unit(r.Business)))
	line("")
	line("%s %d · %s %s (%s) · %s %d · %s %d (%s)", l.Stale, r.Stale, l.StalePct, reportPct(r.StalePct), l.StaleOfActive,
		l.DueSoon, r.DueSoon, l.Active, r.Active, fmt.Sprintf(l.OfRows, r.Rows))
	if r.Owner == "" {
		if r.FirstWeek {
			line("%s", l.FirstWeek)
		} else {
			line(l.WeekChange, r.NewlyStale, r.Resolved)
		}
	}
	item := func(n int, it StaleItem, withOwner bool) {
		who := l.stage(it.Stage)
		if withOwner {
			who = l.owner(it.Owner) + " · " + who
		}
		line("%2d. %s %s — %s — %s", n, it.Key, it.Customer, l.overdue(it), who)
		if it.Link != "" {
			line("    %s", it.Link)
		}
	}
	line("")
	line("%s", l.ActTitle)
	act := r.Act(0)
	if len(act) == 0 {
		line("%s", l.ActNone)
	}
	for i, it := range act {
		item(i+1, it, r.Owner == "")
	}
	if r.Owner != "" {
		if len(r.Items) > len(act) || len(r.DueSoonItems) > 0 {
			line("")
			line("%s (%d) · %s (%d)", l.StaleList, len(r.Items), l.DueSoonList, len(r.DueSoonItems))
			for i, it := range r.Act(len(r.Items))[len(act):] {
				item(len(act)+i+1, it, false)
			}
			for i, it := range r.DueSoonItems {
				item(len(r.Items)+i+1, it, false)
			}
		}
	} else {
		if owners := r.staleOwners(); len(owners) > 0 {
			line("")
			line("%s", l.ByOwner)
			for _, o := range owners {
				oldest := "–"
				if o.Stale > 0 {
					oldest = l.overdue(o.Oldest)
				}
				line("%s: %s", l.owner(o.Owner), fmt.Sprintf(l.OwnerLine, o.Stale, oldest, o.DueSoon))
			}
		}
		if len(r.Trend) > 0 {
			line("")
			line("%s (%s / %s)", fmt.Sprintf(l.Trend, len(r.Trend)), l.TrendStale, l.TrendErrors)
			for _, p := range r.Trend {
				if p.Missing {
					line("%s  %s", p.Week, l.TrendMissing)
				} else {
					line("%s  %d / %d", p.Week, p.Stale, p.Errors)
				}
			}
		}
		if m := r.Movement; m != nil {
			moved := 0
			for _, mv := range m.Moves {
				moved += mv.Count
			}
			line("")
			line("%s", l.Movement)
			line("%s %d · %s %d · %s %d · %s %d", l.Moved, moved, l.Won, m.Won, l.Lost, m.Lost, l.NewRows, m.New)
			for _, mv := range m.Moves {
				line("%s → %s: %d", l.stage(mv.From), l.stage(mv.To), mv.Count)
			}
		}
	}
	if a := r.Access; a != nil && r.Owner == "" {
		line("")
		line("%s", l.Access)
		lines := a.accessLines(locale)
		if len(lines) == 0 {
			line("%s", l.AccessOK)
		}
		for _, s := range lines {
			line("- %s", s)
		}
		for _, g := range a.Shared {
			line("  %s · %s", g.Grantee, g.Role)
		}
	}
	if r.FullList != "" {
		line("")
		line("%s: %s", fmt.Sprintf(l.FullList, r.Stale), r.FullList)
	}
	return b.String()
}
