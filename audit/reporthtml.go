package audit

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"strings"
)

// PageKind selects what a rendered report page is for.
type PageKind uint8

const (
	// PageWeb is the page kept in the store and opened in a browser, most
	// often on a phone: per-owner lists fold away in <details>.
	PageWeb PageKind = iota
	// PageMail is the body of a mail: the same figures and the rows to act
	// on, without the per-owner row lists (the CSV attachment has them),
	// because mail clients show <details> open or not at all.
	PageMail
)

//go:embed templates/report.html
var reportTemplates embed.FS

// reportStyles are the page's styles, applied inline (style="…") because
// mail clients drop <style> blocks or parts of them; the <style> block
// keeps only what cannot be inline (print and hover rules).
var reportStyles = map[string]string{
	"body":    "margin:0;padding:12px;font-family:-apple-system,'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC','Segoe UI',Roboto,sans-serif;font-size:15px;line-height:1.4;color:#1f2328;background:#fff;max-width:760px",
	"h1":      "font-size:19px;margin:0 0 2px;overflow-wrap:anywhere",
	"h2":      "font-size:16px;margin:20px 0 6px;padding-bottom:3px;border-bottom:1px solid #d0d7de",
	"muted":   "color:#59636e;font-size:13px;margin:0 0 10px",
	"figs":    "width:100%;border-collapse:separate;border-spacing:6px 6px;margin:0 -6px;table-layout:fixed",
	"fig":     "border:1px solid #d0d7de;border-radius:6px;padding:6px 8px;vertical-align:top",
	"figlbl":  "display:block;color:#59636e;font-size:12px",
	"fignum":  "display:block;font-size:22px;font-weight:700",
	"figbad":  "display:block;font-size:22px;font-weight:700;color:#cf222e",
	"note":    "margin:4px 0 0;font-size:14px",
	"list":    "list-style:none;margin:0;padding:0",
	"item":    "padding:6px 0;border-bottom:1px solid #eaeef2;overflow-wrap:anywhere",
	"key":     "font-weight:600;color:#0969da;text-decoration:none",
	"keyp":    "font-weight:600",
	"late":    "color:#cf222e;font-weight:600;white-space:nowrap",
	"soon":    "color:#9a6700;font-weight:600;white-space:nowrap",
	"sub":     "color:#59636e;font-size:13px",
	"bars":    "width:100%;border-collapse:collapse;table-layout:fixed",
	"blabel":  "width:34%;padding:2px 6px 2px 0;font-size:14px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis",
	"bcell":   "padding:2px 0",
	"bar":     "height:14px;background:#cf222e;border-radius:2px",
	"bar2":    "height:8px;background:#8c959f;border-radius:2px;margin-top:2px",
	"bnum":    "width:3.2em;padding:2px 0 2px 6px;text-align:right;font-size:14px;white-space:nowrap",
	"bnum2":   "width:3.2em;padding:2px 0 2px 6px;text-align:right;font-size:12px;color:#59636e;white-space:nowrap",
	"owner":   "border-bottom:1px solid #eaeef2;padding:4px 0",
	"summary": "cursor:pointer;padding:4px 0;list-style:none;display:block",
	"tri":     "display:inline-block;color:#59636e;width:1em",
	"wlabel":  "width:3.2em;padding:2px 6px 2px 0;font-size:14px;white-space:nowrap",
	"oline":   "color:#59636e;font-size:13px;display:block;padding-left:1.2em",
	"grid":    "width:100%;border-collapse:collapse;font-size:13px",
	"grid2":   "width:100%;border-collapse:collapse;font-size:13px;margin-top:8px",
	"thr":     "text-align:right;padding:3px 4px;border-bottom:1px solid #d0d7de;color:#59636e;font-weight:600",
	"th":      "text-align:left;padding:3px 4px;border-bottom:1px solid #d0d7de;color:#59636e;font-weight:600",
	"td":      "padding:3px 4px;border-bottom:1px solid #eaeef2;vertical-align:top;overflow-wrap:anywhere",
	"tdn":     "padding:3px 4px;border-bottom:1px solid #eaeef2;text-align:right;white-space:nowrap",
	"link":    "display:inline-block;margin-top:14px;font-weight:600;color:#0969da",
	"legend":  "color:#59636e;font-size:12px;margin:0 0 4px",
	"swatch1": "display:inline-block;width:10px;height:10px;vertical-align:middle;margin:0 3px 0 0;background:#cf222e",
	"swatch2": "display:inline-block;width:10px;height:10px;vertical-align:middle;margin:0 3px 0 10px;background:#8c959f",
}

func reportTemplate() (*template.Template, error) {
	return template.New("report.html").Funcs(template.FuncMap{
		"int": reportInt, "pct": reportPct,
		"st": func(name string) template.HTMLAttr {
			// The values are constants of this file, never sheet text.
			return template.HTMLAttr(`style="` + reportStyles[name] + `"`)
		},
		"width": func(n, most int) template.CSS {
			w := 0
			if most > 0 {
				w = n * 100 / most
			}
			if n > 0 {
				w = max(w, 2)
			}
			return template.CSS(fmt.Sprintf("width:%d%%", w))
		},
		"printf": fmt.Sprintf,
	}).ParseFS(reportTemplates, "templates/report.html")
}

// pageItem is one row of a list on the page.
type pageItem struct {
	Key, Customer, Link, Owner, Stage, Late string
	Soon                                    bool
}

type pageOwner struct {
	Name, Line     string
	Stale, DueSoon int
	Items          []pageItem
}

type pageWeek struct {
	Label         string
	Missing       bool
	Stale, Errors int
}

func (l reportLabels) pageItem(it StaleItem) pageItem {
	return pageItem{Key: it.Key, Customer: it.Customer, Link: it.Link, Owner: l.owner(it.Owner), Stage: l.stage(it.Stage),
		Late: l.overdue(it), Soon: it.DueSoon}
}

// HTML renders the report as the web page kept with the snapshots (PageWeb).
func (r Report) HTML(locale string) ([]byte, error) { return r.Page(locale, PageWeb) }

// Page renders the report as one self-contained HTML page laid out for a
// phone first (390 px wide and up): the four figures, the rows to act on
// this week with a link to each in the sheet, stale rows per owner as CSS
// bars (no SVG, no images, no scripts, no external assets), the trend and
// the pipeline's movement, owner × stage where non-zero, and a link to the
// full list. Styles are inline so mail clients keep them. Every text from
// the sheet is escaped by html/template.
func (r Report) Page(locale string, kind PageKind) ([]byte, error) {
	tmpl, err := reportTemplate()
	if err != nil {
		return nil, fmt.Errorf("parse report template: %w", err)
	}
	l := labelsFor(locale)
	var act []pageItem
	for _, it := range r.Act(0) {
		act = append(act, l.pageItem(it))
	}
	counts := r.staleOwners()
	most := 1
	for _, o := range counts {
		most = max(most, o.Stale)
	}
	var owners []pageOwner
	for _, o := range counts {
		po := pageOwner{Name: l.owner(o.Owner), Stale: o.Stale, DueSoon: o.DueSoon}
		oldest := "–"
		if o.Stale > 0 {
			oldest = l.overdue(o.Oldest)
		}
		po.Line = fmt.Sprintf(l.OwnerLine, o.Stale, oldest, o.DueSoon)
		if kind == PageWeb || r.Owner != "" {
			for _, it := range r.Act(len(r.Items)) {
				if it.Owner == o.Owner {
					po.Items = append(po.Items, l.pageItem(it))
				}
			}
			for _, it := range r.DueSoonItems {
				if it.Owner == o.Owner {
					po.Items = append(po.Items, l.pageItem(it))
				}
			}
		}
		owners = append(owners, po)
	}
	var trend []pageWeek
	mostWeek := 1
	for _, p := range r.Trend {
		mostWeek = max(mostWeek, p.Stale, p.Errors)
	}
	for _, p := range r.Trend {
		_, w, _ := strings.Cut(p.Week, "-")
		trend = append(trend, pageWeek{Label: w, Missing: p.Missing, Stale: p.Stale, Errors: p.Errors})
	}
	var moved int
	if r.Movement != nil {
		for _, mv := range r.Movement.Moves {
			moved += mv.Count
		}
	}
	var cells [][]string
	for _, c := range r.nonZeroCells() {
		cells = append(cells, []string{l.owner(c.Owner), l.stage(c.Stage), reportInt(c.Stale) + " / " + reportInt(c.Active)})
	}
	var quality [][]string
	for _, q := range r.QualityByOwner {
		quality = append(quality, []string{l.owner(q.Owner), reportInt(q.Errors), reportInt(q.Warnings)})
	}
	var accessLines []string
	if r.Access != nil {
		accessLines = r.Access.accessLines(locale)
	}
	data := map[string]any{
		"L": l, "R": r, "Title": l.title(r), "Produced": r.Produced.Format("2006-01-02 15:04 -07:00"),
		"DaysNote": fmt.Sprintf(l.Days, l.unit(r.Business)), "Mail": kind == PageMail, "OwnerPage": r.Owner != "",
		"OfRows": fmt.Sprintf(l.OfRows, r.Rows), "Act": act, "Owners": owners, "Most": most,
		"Trend": trend, "MostWeek": mostWeek, "TrendTitle": fmt.Sprintf(l.Trend, len(r.Trend)),
		"Moved": moved, "Cells": cells, "Quality": quality, "Access": r.Access != nil && r.Owner == "", "AccessLines": accessLines,
		"WeekChange": fmt.Sprintf(l.WeekChange, r.NewlyStale, r.Resolved),
		"FullList":   fmt.Sprintf(l.FullList, r.Stale),
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("render report html: %w", err)
	}
	return b.Bytes(), nil
}
