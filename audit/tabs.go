package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// writeTabs writes b: in one batch on a backend that implements
// BatchWriter, otherwise tab by tab as the text the cells show (an
// append's Header goes above its rows when the tab is created).
func writeTabs(ctx context.Context, wb Workbook, b *WriteBack) error {
	if bw, ok := wb.(BatchWriter); ok {
		return bw.WriteBack(ctx, b)
	}
	for _, t := range b.Tabs {
		_, created, err := wb.EnsureTab(ctx, t.Title)
		if err != nil {
			return fmt.Errorf("create tab %q: %w", t.Title, err)
		}
		rows := t.Rows
		if t.Append && created {
			rows = append(slices.Clone(t.Header), rows...)
		}
		text := make([][]string, len(rows))
		for i, r := range rows {
			text[i] = make([]string, len(r))
			for j, c := range r {
				if c.Kind == TimeCell && b.Location != nil {
					c.Time = c.Time.In(b.Location)
				}
				text[i][j] = c.String()
				if c.Link != "" {
					// Without link formats the address itself is the link.
					text[i][j] = strings.TrimPrefix(c.Link, "#")
				}
			}
		}
		if t.Append {
			err = wb.AppendRows(ctx, t.Title, text)
		} else {
			err = wb.ReplaceTab(ctx, t.Title, text)
		}
		if err != nil {
			return fmt.Errorf("write tab %q: %w", t.Title, err)
		}
	}
	return nil
}
