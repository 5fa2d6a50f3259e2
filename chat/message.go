package chat

import (
	"fmt"
	"strings"

	"github.com/sheetaudit/sheetaudit/audit"
)

// A message is built once in a platform-neutral form and rendered by each
// platform: lines of segments (text, bold, link, mention).
type message struct {
	Title string
	Lines [][]segment
	// Mention is the owner's id on the platform, "" for none.
	Mention string
	// MentionName is the owner's name, shown where the platform needs a
	// text beside the id.
	MentionName string
}

type segKind uint8

const (
	segText segKind = iota
	segBold
	segLink
)

type segment struct {
	Kind segKind
	Text string
	URL  string
}

func text(s string) segment         { return segment{Kind: segText, Text: s} }
func bold(s string) segment         { return segment{Kind: segBold, Text: s} }
func link(s, url string) segment    { return segment{Kind: segLink, Text: s, URL: url} }
func line(s ...segment) []segment   { return s }
func words(locale string) chatWords { return wordsFor(locale) }

// chatWords are the few words the chat messages add to the report's own.
type chatWords struct {
	Summary, Figures, Owner, NewlyStale, DueSoon, More, Trend string
}

func wordsFor(locale string) chatWords {
	if strings.HasPrefix(strings.ToLower(locale), "zh") {
		return chatWords{
			Summary: "%s · %s · %s", Figures: "超期 %d 条（占在跟进 %.1f%%），即将超期 %d 条，在跟进 %d 行",
			Owner: "%s：超期 %d 条，即将超期 %d 条", NewlyStale: "本周新增超期", DueSoon: "即将超期",
			More: "……另有 %d 条", Trend: "近 %d 周超期：%s",
		}
	}
	return chatWords{
		Summary: "%s · %s · %s", Figures: "%d stale (%.1f%% of active rows), %d due soon, %d active rows",
		Owner: "%s: %d stale, %d due soon", NewlyStale: "Newly stale this week", DueSoon: "Due soon",
		More: "… and %d more", Trend: "Stale over the last %d weeks: %s",
	}
}

// itemLine is one row: key and customer (linked to the row when the
// report has links), how late it is, owner and stage.
func itemLine(it audit.StaleItem, locale string, withOwner bool) []segment {
	name := strings.TrimSpace(it.Key + " " + it.Customer)
	var first segment
	if it.Link != "" {
		first = link(name, it.Link)
	} else {
		first = bold(name)
	}
	rest := " · " + it.Overdue(locale)
	if withOwner {
		rest += " · " + audit.OwnerName(it.Owner, locale)
	}
	if it.Stage != "" {
		rest += " · " + it.Stage
	}
	return line(text("• "), first, text(rest))
}

// summary is the team's message: figures, the rows to act on, the trend
// and where the full list is.
func summary(r audit.Report, locale string) message {
	w := words(locale)
	m := message{Title: fmt.Sprintf(w.Summary, audit.ReportWord("title", locale), r.Sheet, r.Week)}
	m.Lines = append(m.Lines, line(text(fmt.Sprintf(w.Figures, r.Stale, r.StalePct, r.DueSoon, r.Active))))
	if act := r.Act(0); len(act) > 0 {
		m.Lines = append(m.Lines, line(bold(audit.ReportWord("act", locale))))
		for _, it := range act {
			m.Lines = append(m.Lines, itemLine(it, locale, true))
		}
	}
	if len(r.Trend) > 1 {
		var pts []string
		for _, p := range r.Trend {
			if p.Missing {
				pts = append(pts, "–")
			} else {
				pts = append(pts, fmt.Sprint(p.Stale))
			}
		}
		m.Lines = append(m.Lines, line(text(fmt.Sprintf(w.Trend, len(r.Trend), strings.Join(pts, " → ")))))
	}
	if strings.HasPrefix(r.FullList, "https://") || strings.HasPrefix(r.FullList, "http://") {
		m.Lines = append(m.Lines, line(link(fmt.Sprintf(audit.ReportWord("full_list", locale), r.Stale), r.FullList)))
	}
	return m
}

// ownerLimit caps the rows listed in one owner's message; the rest are
// counted.
const ownerLimit = 10

// ownerMessage lists one owner's newly stale and due-soon rows, or
// reports false when the owner has none.
func ownerMessage(r audit.Report, owner, locale string) (message, bool) {
	w := words(locale)
	own := r.ForOwner(owner)
	var newly []audit.StaleItem
	for _, it := range own.Items {
		if it.Newly || r.FirstWeek {
			newly = append(newly, it)
		}
	}
	if len(newly) == 0 && len(own.DueSoonItems) == 0 {
		return message{}, false
	}
	name := audit.OwnerName(owner, locale)
	m := message{Title: fmt.Sprintf(w.Owner, name, own.Stale, own.DueSoon), MentionName: name}
	add := func(title string, items []audit.StaleItem) {
		if len(items) == 0 {
			return
		}
		m.Lines = append(m.Lines, line(bold(title)))
		for i, it := range items {
			if i == ownerLimit {
				m.Lines = append(m.Lines, line(text(fmt.Sprintf(w.More, len(items)-ownerLimit))))
				break
			}
			m.Lines = append(m.Lines, itemLine(it, locale, false))
		}
	}
	add(w.NewlyStale, newly)
	add(w.DueSoon, own.DueSoonItems)
	return m, true
}
