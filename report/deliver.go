package report

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/atomicfile"
	"github.com/sheetaudit/sheetaudit/audit"
)

// Channel delivers a built report to people: by mail, to a group chat, to
// a console page. Each lives in its own package and imports audit only.
type Channel interface {
	// Name identifies the channel in logs, metrics and summaries, such as
	// "mail" or "chat:dingtalk".
	Name() string
	// Deliver sends r with its texts in locale's language and returns how
	// many messages were accepted. An error means some were not, and says
	// which and why; the messages counted were delivered all the same. Not
	// idempotent: calling it again sends again.
	Deliver(ctx context.Context, r audit.Report, locale string) (sent int, err error)
}

// Files keeps the rendered files of a report beside the snapshots.
// *snapshot.Store implements it.
type Files interface {
	// PutReport stores data as the named report file of sheet and returns
	// where it went. Idempotent: the same name replaces the file.
	PutReport(ctx context.Context, sheet, name string, data []byte) (string, error)
}

// Tab is where the report tab is written.
type Tab struct {
	Workbook audit.Workbook
	Title    string
}

// Options say where Deliver sends a report.
type Options struct {
	// Locale is the language of everything delivered: "en" or "zh-CN".
	Locale string
	// Files, when set, keeps WEEK.html and WEEK.csv in the store.
	Files Files
	// OutDir, when set, also writes SHEET-WEEK.html and .csv there, with
	// FileMode (default 0644: a report is meant to be read).
	OutDir   string
	FileMode fs.FileMode
	// Tab, when set, replaces the report tab.
	Tab *Tab
	// Channels each get the report; one failing does not hold back the
	// others, and none blocks the files or the tab.
	Channels []Channel
	Logger   *zap.Logger
	// Observe, when set, is called once per channel with its outcome, for
	// metrics.
	Observe func(channel string, sent int, err error)
}

// DefaultFileMode is the mode of report files written to OutDir.
const DefaultFileMode fs.FileMode = 0o644

// Outcome is what Deliver did.
type Outcome struct {
	// Files are the places the HTML and CSV went (store paths, then local
	// paths).
	Files []string
	// TabURL opens the report tab, when the backend has URLs.
	TabURL string
	// Sent counts the messages each channel delivered, by channel name;
	// Failed holds each channel's error.
	Sent   map[string]int
	Failed map[string]error
}

// Messages is the number of messages all channels delivered.
func (o Outcome) Messages() int {
	n := 0
	for _, s := range o.Sent {
		n += s
	}
	return n
}

// Deliver writes the report tab, stores the HTML and CSV files, and hands
// r to every channel at once. It returns an error joining every failure;
// the Outcome says what succeeded.
func Deliver(ctx context.Context, r audit.Report, o Options) (Outcome, error) {
	log := o.Logger
	if log == nil {
		log = zap.NewNop()
	}
	out := Outcome{Sent: map[string]int{}, Failed: map[string]error{}}
	var errs []error
	if o.Tab != nil {
		url, err := writeTab(ctx, o.Tab, r, o.Locale)
		if err != nil {
			errs = append(errs, err)
		}
		out.TabURL = url
	}
	// The full list is the report tab where there is one to open;
	// otherwise the CSV stored beside the page.
	if r.FullList == "" {
		r.FullList = out.TabURL
	}
	page := r
	if page.FullList == "" {
		page.FullList = r.Week + ".csv"
	}
	html, err := page.HTML(o.Locale)
	if err != nil {
		return out, fmt.Errorf("render html: %w", err)
	}
	csv, err := r.CSV(o.Locale)
	if err != nil {
		return out, fmt.Errorf("render csv: %w", err)
	}
	files := []struct {
		name string
		data []byte
	}{{r.Week + ".html", html}, {r.Week + ".csv", csv}}
	for _, f := range files {
		if o.Files == nil {
			break
		}
		where, err := o.Files.PutReport(ctx, r.Sheet, f.name, f.data)
		if err != nil {
			errs = append(errs, fmt.Errorf("store report %s: %w", f.name, err))
			continue
		}
		out.Files = append(out.Files, where)
	}
	if o.OutDir != "" {
		mode := o.FileMode
		if mode == 0 {
			mode = DefaultFileMode
		}
		for _, f := range files {
			path := filepath.Join(o.OutDir, r.Sheet+"-"+f.name)
			if err := WriteFile(ctx, path, f.data, mode); err != nil {
				errs = append(errs, err)
				continue
			}
			out.Files = append(out.Files, path)
		}
	}

	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, ch := range o.Channels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := ch.Deliver(ctx, r, o.Locale)
			if o.Observe != nil {
				o.Observe(ch.Name(), n, err)
			}
			if err != nil {
				log.Warn("report channel failed", zap.String("sheet", r.Sheet), zap.String("channel", ch.Name()),
					zap.Int("sent", n), zap.Error(err))
			}
			mu.Lock()
			defer mu.Unlock()
			out.Sent[ch.Name()] += n
			if err != nil {
				out.Failed[ch.Name()] = err
				errs = append(errs, fmt.Errorf("%s: %w", ch.Name(), err))
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// writeTab replaces the report tab and, where the backend can draw, puts
// the bar chart of stale rows per owner beside it. Counts go in as number
// cells on a backend that writes typed cells (audit.BatchWriter), so the
// chart has numbers to draw; others get the same cells as text.
func writeTab(ctx context.Context, t *Tab, r audit.Report, locale string) (string, error) {
	tab := r.Tab(locale)
	meta, _, err := t.Workbook.EnsureTab(ctx, t.Title)
	if err != nil {
		return "", fmt.Errorf("create tab %q: %w", t.Title, err)
	}
	if bw, ok := t.Workbook.(audit.BatchWriter); ok {
		err = bw.WriteBack(ctx, &audit.WriteBack{
			Location: r.Produced.Location(),
			Tabs:     []audit.TabWrite{{Title: t.Title, Rows: tab.Rows, Layout: tabLayout(tab)}},
		})
	} else {
		err = t.Workbook.ReplaceTab(ctx, t.Title, r.TabRows(locale))
	}
	if err != nil {
		return meta.URL, fmt.Errorf("write tab %q: %w", t.Title, err)
	}
	ch, ok := t.Workbook.(audit.Charter)
	if !ok || tab.ChartFirst == tab.ChartLast {
		return meta.URL, nil
	}
	err = ch.PutBarChart(ctx, t.Title, audit.BarChart{
		Title: tab.ChartTitle, FirstRow: tab.ChartFirst, LastRow: tab.ChartLast, LabelCol: 0, ValueCol: 1,
		AnchorRow: 1, AnchorCol: 10, WidthPixels: 600, HeightPixels: 360,
	})
	if err != nil {
		return meta.URL, fmt.Errorf("chart on tab %q: %w", t.Title, err)
	}
	return meta.URL, nil
}

// tabLayout fits the report tab: the title row frozen, the section
// titles bold, the key and customer columns wide enough, the explanation
// wrapped.
func tabLayout(t audit.ReportTab) *audit.Layout {
	return &audit.Layout{HeaderRows: 1, Widths: []int{150, 200, 90, 110, 110, 90, 80, 100, 420}, Wrap: []int{8},
		BoldRows: t.HeaderRows}
}

// WriteFile writes data to path atomically (a temp file in the same
// folder, fsync, rename, fsync of the folder), creating the folder, with
// mode.
func WriteFile(ctx context.Context, path string, data []byte, mode fs.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create folder %s: %w", dir, err)
	}
	if err := atomicfile.WriteFile(ctx, path, data, atomicfile.Options{Perm: mode}); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
