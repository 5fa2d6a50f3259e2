package report_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
	"github.com/sheetaudit/sheetaudit/report"
)

// chromium finds a Chromium to drive, or skips the test saying how to get
// one. CI installs Debian's chromium package where it can.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("SHEETAUDIT_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Skip("SKIPPED: no Chromium found (install Debian's chromium and fonts-noto-cjk, or set SHEETAUDIT_CHROMIUM); the report page was not rendered")
	return ""
}

// browser starts a headless Chromium with a phone's viewport.
func browser(t *testing.T, width, height int64) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // containers run as root
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(int(width), int(height)),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// phoneReport is the report of a 300-row sheet on Google with about 240
// stale rows, the size of the example sheet.
func phoneReport(t *testing.T, locale string) audit.Report {
	t.Helper()
	sh := shanghai(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, sh)
	clock := audittest.NewClock(now)
	store := memStore(t, clock)
	for w := 9; w >= 0; w-- {
		put(t, store, now.AddDate(0, 0, -7*w), clients(300-w*3, now.AddDate(0, 0, -7*w)), true)
	}
	s := spec()
	s.Stale.Locale = locale
	r, err := report.Build(context.Background(), report.Source{Spec: s, Store: store, Location: sh}, "2026-W49", now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Stale < 200 || r.Stale > 260 {
		t.Fatalf("the test sheet has %d stale rows; want about 240", r.Stale)
	}
	r.FullList = "https://docs.google.com/spreadsheets/d/" + sheetID + "/edit#gid=7"
	return r
}

func TestPageOnPhone(t *testing.T) {
	for _, locale := range []string{"zh-CN", "en"} {
		t.Run(locale, func(t *testing.T) {
			r := phoneReport(t, locale)
			page, err := r.HTML(locale)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "report.html")
			if err := os.WriteFile(path, page, 0o644); err != nil {
				t.Fatal(err)
			}
			const w, h = 390, 844
			ctx := browser(t, w, h)
			if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path), chromedp.WaitReady("body")); err != nil {
				t.Fatal(err)
			}
			eval := func(expr string) float64 {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](expr))
				if err != nil {
					t.Fatalf("evaluate %s: %v", expr, err)
				}
				return v
			}
			scrollW, scrollH := int64(eval(`document.documentElement.scrollWidth`)), int64(eval(`document.documentElement.scrollHeight`))
			links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("ol")[0].querySelectorAll("li")].map(li => { const a = li.querySelector("a"); return a ? a.href : "" })`))
			if err != nil {
				t.Fatal(err)
			}
			// Owner names beside the bars stay readable: not clipped to nothing.
			chartLabel := eval(`Math.min(...[...document.querySelectorAll("summary td:first-child")].map(td => td.getBoundingClientRect().width))`)
			if scrollW > w {
				t.Errorf("page is %d px wide at a %d px viewport: it scrolls sideways", scrollW, w)
			}
			if scrollH > 6*h {
				t.Errorf("page is %d px tall (%.1f screens); want at most 6 screens for %d stale rows", scrollH, float64(scrollH)/h, r.Stale)
			}
			t.Logf("%s at %d px: %d x %d px (%.1f screens), %d stale rows", locale, w, scrollW, scrollH, float64(scrollH)/h, r.Stale)
			if len(links) != audit.ActLimit {
				t.Fatalf("act this week lists %d rows, want %d", len(links), audit.ActLimit)
			}
			for i, l := range links {
				if !strings.HasPrefix(l, "https://docs.google.com/spreadsheets/d/"+sheetID+"/edit#gid=42&range=") {
					t.Errorf("act row %d links to %q, want its row on Google", i+1, l)
				}
			}
			if chartLabel < 40 {
				t.Errorf("owner labels of the chart are %.0f px wide; too narrow to read", chartLabel)
			}
			if dir := os.Getenv("SHEETAUDIT_SCREENSHOTS"); dir != "" {
				screenshots(t, ctx, path, filepath.Join(dir, "report-"+locale))
			}
		})
	}
}

// screenshots saves the page at 390 px (one PNG per screen) and 1280 px,
// for people to look at: SHEETAUDIT_SCREENSHOTS=DIR go test -run Phone.
func screenshots(t *testing.T, ctx context.Context, path, prefix string) {
	t.Helper()
	full, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(prefix+"-390-full.png", full, 0o644)
	for i := 0; i < 6; i++ {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("window.scrollTo(0, %d)", i*844)), chromedp.Sleep(100*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(fmt.Sprintf("%s-390-%d.png", prefix, i+1), shot, 0o644)
	}
	wide := browser(t, 1280, 900)
	if err := chromedp.Do(wide, chromedp.Navigate("file://"+path), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	if full, err = chromedp.Run(wide, chromedp.FullScreenshot(100)); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(prefix+"-1280-full.png", full, 0o644)
}
