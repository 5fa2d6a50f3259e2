package report_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
	"github.com/sheetaudit/sheetaudit/report"
)

// batchBook is the in-memory workbook with a typed batch write and charts,
// recording what it was given.
type batchBook struct {
	*audittest.Workbook
	batch *audit.WriteBack
	chart *audit.BarChart
}

func (b *batchBook) WriteBack(_ context.Context, wb *audit.WriteBack) error {
	b.batch = wb
	return nil
}

func (b *batchBook) PutBarChart(_ context.Context, _ string, c audit.BarChart) error {
	b.chart = &c
	return nil
}

// channel is a report channel that records its call, fails or not.
type channel struct {
	name string
	fail error
	mu   sync.Mutex
	got  []string
}

func (c *channel) Name() string { return c.name }
func (c *channel) Deliver(_ context.Context, r audit.Report, locale string) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, r.Week+" "+locale)
	if c.fail != nil {
		return 0, c.fail
	}
	return 2, nil
}

func TestDeliverEverywhereEvenWhenAChannelFails(t *testing.T) {
	sh := shanghai(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, sh)
	store := memStore(t, audittest.NewClock(now))
	put(t, store, now.Add(-time.Hour), clients(40, now), true)
	r, err := report.Build(context.Background(), report.Source{Spec: spec(), Store: store, Location: sh}, "2026-W49", now)
	if err != nil {
		t.Fatal(err)
	}
	book := &batchBook{Workbook: audittest.NewWorkbook(map[string][][]string{})}
	broken := &channel{name: "chat:dingtalk", fail: errors.New("HTTP 200, code 310000")}
	mail := &channel{name: "mail"}
	var observed []string
	var mu sync.Mutex
	out := filepath.Join(t.TempDir(), "out")
	res, err := report.Deliver(context.Background(), r, report.Options{
		Locale: "zh-CN", Files: store, OutDir: out, Tab: &report.Tab{Workbook: book, Title: "超期报告"},
		Channels: []report.Channel{broken, mail},
		Observe: func(ch string, n int, err error) {
			mu.Lock()
			defer mu.Unlock()
			observed = append(observed, ch)
		},
	})
	if err == nil || !strings.Contains(err.Error(), "chat:dingtalk: HTTP 200, code 310000") {
		t.Errorf("Deliver error = %v; want the failed channel named", err)
	}
	if len(mail.got) != 1 || res.Sent["mail"] != 2 || res.Failed["chat:dingtalk"] == nil || len(observed) != 2 {
		t.Errorf("mail got %v, outcome %+v, observed %v; want mail delivered beside the failed chat, both observed", mail.got, res, observed)
	}
	for _, name := range []string{"clients-2026-W49.html", "clients-2026-W49.csv"} {
		fi, err := os.Stat(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v, want 0644", name, fi.Mode().Perm())
		}
	}
	if len(res.Files) != 4 {
		t.Errorf("files = %v; want HTML and CSV in the store and in the folder", res.Files)
	}

	// The tab went as one typed batch: the chart's source cells are numbers.
	if book.batch == nil || len(book.batch.Tabs) != 1 || book.chart == nil {
		t.Fatalf("batch %+v, chart %+v; want the tab in one batch and a chart", book.batch, book.chart)
	}
	rows := book.batch.Tabs[0].Rows
	for i := book.chart.FirstRow; i < book.chart.LastRow; i++ {
		if c := rows[i][book.chart.ValueCol]; c.Kind != audit.NumberCell || c.Num <= 0 {
			t.Errorf("chart source row %d value %+v; want a positive number cell", i, c)
		}
	}
	// Keys of listed rows link to their rows on Google.
	var linked int
	for _, row := range rows {
		if len(row) > 0 && strings.Contains(row[0].Link, "&range=") {
			linked++
		}
	}
	if linked < r.Stale {
		t.Errorf("%d linked keys on the tab; want at least the %d stale rows", linked, r.Stale)
	}
}

func TestJobReportsTheWeekJustEnded(t *testing.T) {
	sh := shanghai(t)
	monday := time.Date(2026, 12, 7, 8, 0, 0, 0, sh) // 2026-W50, the daemon's Monday run
	store := memStore(t, audittest.NewClock(monday))
	put(t, store, monday.AddDate(0, 0, -3), clients(20, monday), false)
	ch := &channel{name: "mail"}
	closed := false
	j := &report.Job{
		Source:  report.Source{Spec: spec(), Store: store, Location: sh},
		Options: report.Options{Locale: "en", Files: store, Channels: []report.Channel{ch}},
		OpenTab: func(context.Context) (*report.Tab, func(), error) {
			return &report.Tab{Workbook: audittest.NewWorkbook(nil), Title: "Staleness Report"}, func() { closed = true }, nil
		},
		Now: func() time.Time { return monday },
	}
	res, err := j.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Week != "2026-W49" || len(ch.got) != 1 || ch.got[0] != "2026-W49 en" || !closed || res.Outcome.TabURL != "" {
		t.Errorf("Run on Monday reported %s, channel got %v, tab closed %v; want 2026-W49 delivered and the workbook closed", res.Report.Week, ch.got, closed)
	}
}
