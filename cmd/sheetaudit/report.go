package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/chat"
	"github.com/sheetaudit/sheetaudit/config"
	"github.com/sheetaudit/sheetaudit/mail"
	"github.com/sheetaudit/sheetaudit/report"
	"github.com/sheetaudit/sheetaudit/snapshot"
)

func (a *app) reportCmd() *cobra.Command {
	var sheet, week, out string
	var noMail, noChat, chat bool
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Build the weekly Staleness Report from the stored snapshots and deliver it",
		Long: `Build the weekly Staleness Report of each sheet for an ISO week (default: this week, as of now)
from the stored snapshots, so a past week can be rebuilt later. It is delivered as the
report tab in the spreadsheet (write_back.report_tab), an HTML and a CSV file under the
store's reports/ folder (and --out DIR), by e-mail when report.email is configured and to
the group chats of report.chat with --chat.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			now := time.Now()
			if week != "" {
				if week, err = checkWeek(week, now, cfg.Location()); err != nil {
					return &exitError{code: exitCantRun, err: err}
				}
			}
			sheets, err := sheetsOf(cfg, sheet)
			if err != nil {
				return err
			}
			store, err := openStore(cmd.Context(), cfg, a.log)
			if err != nil {
				return &exitError{code: exitCantRun, err: err}
			}
			defer store.Close()
			var failures int
			for _, s := range sheets {
				if s.Staleness == nil {
					if sheet != "" {
						return &exitError{code: exitCantRun, err: fmt.Errorf("sheet %q has no staleness: block; configure one to get a report", s.Name)}
					}
					continue
				}
				rr := reportRun{week: week, out: out, mail: !noMail, chat: chat && !noChat, now: now}
				var sum string
				err := a.leased(cmd.Context(), store, s.Name, "report", func(ctx context.Context) (err error) {
					sum, err = a.deliverReport(ctx, cfg, s, store, rr)
					return err
				})
				if errors.Is(err, audit.ErrHeld) {
					return err
				}
				if err != nil {
					fmt.Fprintf(a.stdout, "%s: report FAILED: %s\n", s.Name, sentence(err.Error()))
					failures++
				}
				if sum != "" {
					fmt.Fprintln(a.stdout, sum)
				}
			}
			if failures > 0 {
				return failed(fmt.Errorf("%d reports failed", failures))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "only this sheet")
	cmd.Flags().StringVar(&week, "week", "", "ISO week written YYYY-Www, such as 2026-W48 (default: the current week)")
	cmd.Flags().StringVar(&out, "out", "", "also write the HTML and CSV files into this folder")
	cmd.Flags().BoolVar(&noMail, "no-mail", false, "do not send e-mail even when report.email is configured")
	cmd.Flags().BoolVar(&chat, "chat", false, "also post to the group chats of report.chat")
	cmd.Flags().BoolVar(&noChat, "no-chat", false, "do not post to group chats, even from the daemon or with --chat")
	return cmd
}

// checkWeek reads --week: YYYY-Www (case and surrounding space aside),
// normalised to 2026-W05, of a week that has started by now.
func checkWeek(s string, now time.Time, loc *time.Location) (string, error) {
	week, err := report.ParseWeek(s, loc)
	if err != nil {
		// ParseWeek names the value and says how to write it.
		return "", fmt.Errorf("--week %s", strings.TrimPrefix(sentence(err.Error()), "week "))
	}
	if start, _, err := audit.ParseISOWeek(week, loc); err == nil && start.After(now) {
		return "", fmt.Errorf("--week %s has not started yet (this week is %s)", week, audit.ISOWeek(now, loc))
	}
	return week, nil
}

// reportRun is one request for a report.
type reportRun struct {
	week string // "" = the week of now
	out  string // optional local folder
	mail bool
	chat bool
	now  time.Time
	// observe receives each channel's outcome (daemon metrics); may be nil.
	observe func(channel string, sent int, err error)
}

// reportJob maps the configuration onto one sheet's report.Job: where to
// build from and every channel to deliver to.
func (a *app) reportJob(cfg *config.Config, s config.Sheet, store *snapshot.Store, rr reportRun) (*report.Job, error) {
	spec, err := specOf(cfg, s)
	if err != nil {
		return nil, err
	}
	src := report.Source{Spec: spec, Store: store, Location: cfg.Location()}
	if g := s.Source.Google; g != nil && g.AccessAudit {
		// The access section reads the sharing the last cycle kept; the
		// policy needs sheetaudit's own address, from the credentials.
		d, err := openDriveAudit(context.Background(), s, a.log, backendDeps{})
		if err != nil {
			return nil, err
		}
		p := accessPolicyOf(cfg, d.ServiceAccount())
		src.State, src.AccessPolicy = store, &p
	}
	j := &report.Job{
		Source:  src,
		Options: report.Options{Locale: cfg.Locale, Files: store, OutDir: rr.out, FileMode: cfg.Report.FileMode(), Logger: a.log, Observe: rr.observe},
	}
	if !rr.now.IsZero() {
		now := rr.now
		j.Now = func() time.Time { return now }
	}
	if tab := s.WriteBack.ReportTab; tab != "" {
		j.OpenTab = func(ctx context.Context) (*report.Tab, func(), error) {
			wb, err := openWorkbook(ctx, s, a.log, backendDeps{})
			if err != nil {
				return nil, nil, err
			}
			return &report.Tab{Workbook: wb, Title: tab}, func() { closeWorkbook(wb, a.log) }, nil
		}
	}
	if rr.mail && cfg.Report.Email != nil {
		ch, err := mailChannel(cfg)
		if err != nil {
			return nil, err
		}
		j.Options.Channels = append(j.Options.Channels, ch)
	}
	if rr.chat {
		chs, err := a.chatChannels(cfg)
		if err != nil {
			return nil, err
		}
		j.Options.Channels = append(j.Options.Channels, chs...)
	}
	return j, nil
}

// deliverReport runs one sheet's report job for rr.week and returns a
// one-line summary, set even when a channel failed.
func (a *app) deliverReport(ctx context.Context, cfg *config.Config, s config.Sheet, store *snapshot.Store, rr reportRun) (string, error) {
	j, err := a.reportJob(cfg, s, store, rr)
	if err != nil {
		return "", err
	}
	res, err := j.RunWeek(ctx, rr.week)
	if res.Report.Week == "" {
		return "", err
	}
	return reportSummary(s.Name, j, res), err
}

// reportSummary is the line the report command prints and the daemon logs.
func reportSummary(sheet string, j *report.Job, res report.Result) string {
	r := res.Report
	sum := fmt.Sprintf("%s: report %s: %d active rows, %d stale (%.1f%%), %d due soon", sheet, r.Week, r.Active, r.Stale, r.StalePct, r.DueSoon)
	var sent []string
	for _, ch := range j.Options.Channels {
		n := ch.Name()
		if res.Outcome.Failed[n] != nil {
			sent = append(sent, fmt.Sprintf("%s: %d sent, FAILED", n, res.Outcome.Sent[n]))
		} else {
			sent = append(sent, fmt.Sprintf("%s: %d sent", n, res.Outcome.Sent[n]))
		}
	}
	if len(sent) > 0 {
		sum += "; " + strings.Join(sent, ", ")
	}
	if n, ok := res.Outcome.Sent["mail"]; ok {
		sum += fmt.Sprintf("; %d e-mails sent", n)
	}
	return sum
}

// mailChannel maps report.email onto the mail channel. Phone numbers and
// addresses are masked unless mask_pii is off.
func mailChannel(cfg *config.Config) (*mail.Reporter, error) {
	e := cfg.Report.Email
	password, err := e.ResolvePassword()
	if err != nil {
		return nil, fmt.Errorf("report.email: %w", err)
	}
	return &mail.Reporter{
		Options: mail.Options{Addr: e.SMTP, From: e.From, To: e.To, Username: e.Username, Password: password,
			StartTLS: e.StartTLS, ImplicitTLS: e.TLS, Auth: e.Auth},
		Owners:  cfg.Report.Owners,
		MaskPII: cfg.Report.MaskPII,
	}, nil
}

var errNoChat = errors.New("report.chat lists no group chats; add one (see the README) or drop --chat")

// chatChannels maps report.chat onto chat robots, one per entry, with the
// owners' mentions of that platform.
func (a *app) chatChannels(cfg *config.Config) ([]report.Channel, error) {
	if len(cfg.Report.Chat) == 0 {
		return nil, errNoChat
	}
	var out []report.Channel
	for i, c := range cfg.Report.Chat {
		mentions := map[string]string{}
		for owner, m := range cfg.Report.Mentions {
			id := map[string]string{config.ChatWeCom: m.WeCom, config.ChatDingTalk: m.DingTalk, config.ChatFeishu: m.Feishu, config.ChatSlack: m.Slack}[c.Type]
			if id != "" {
				mentions[owner] = id
			}
		}
		r, err := chat.New(chat.Options{
			Platform: c.Type, Webhook: string(c.Webhook), Secret: string(c.Secret), PerMinute: c.PerMinute,
			Mentions: mentions, MaskPII: cfg.Report.MaskPII, Owners: true, Logger: a.log,
		})
		if err != nil {
			return nil, fmt.Errorf("report.chat[%d]: %w", i, err)
		}
		out = append(out, r)
	}
	return out, nil
}
