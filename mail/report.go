package mail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Reporter mails the weekly report: the whole report to Options.To, and
// each owner's own rows to that owner. It is a report channel.
type Reporter struct {
	Options Options
	// Owners maps an owner's name, as written in the owner column, to the
	// address that gets that owner's own list.
	Owners map[string]string
	// MaskPII masks phone numbers and e-mail addresses in what is mailed.
	MaskPII bool
}

// Name is the channel's name in logs and metrics.
func (m *Reporter) Name() string { return "mail" }

// Deliver sends the managers' mail, then one mail per owner who has stale
// or due-soon rows. The body is the report's mail page (inline CSS, CSS
// bars, no SVG, no images) with a plain-text part; the CSV is attached.
// A failed owner mail does not stop the others; the error names each.
func (m *Reporter) Deliver(ctx context.Context, r audit.Report, locale string) (int, error) {
	send := func(o Options, r audit.Report) error {
		if m.MaskPII {
			r = r.Masked()
		}
		if !strings.HasPrefix(r.FullList, "https://") && !strings.HasPrefix(r.FullList, "http://") {
			r.FullList = "" // a relative link means nothing in a mail; the CSV is attached
		}
		body, err := r.Page(locale, audit.PageMail)
		if err != nil {
			return err
		}
		csv, err := r.CSV(locale)
		if err != nil {
			return err
		}
		return SendText(ctx, o, r.Subject(locale), body, r.Text(locale), Attachment{Name: r.Sheet + "-" + r.Week + ".csv", ContentType: "text/csv; charset=utf-8", Data: csv})
	}
	sent := 0
	if err := send(m.Options, r); err != nil {
		return 0, err
	}
	sent++
	owners := make([]string, 0, len(m.Owners))
	for o := range m.Owners {
		owners = append(owners, o)
	}
	slices.Sort(owners)
	var errs []error
	for _, owner := range owners {
		own := r.ForOwner(owner)
		if len(own.Items) == 0 && len(own.DueSoonItems) == 0 {
			continue
		}
		o := m.Options
		o.To = []string{m.Owners[owner]}
		if err := send(o, own); err != nil {
			errs = append(errs, fmt.Errorf("owner %s: %w", owner, err))
			continue
		}
		sent++
	}
	return sent, errors.Join(errs...)
}
