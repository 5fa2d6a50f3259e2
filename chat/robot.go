package chat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Options configure one robot.
type Options struct {
	// Platform is WeCom, DingTalk, Feishu or Slack.
	Platform string
	// Webhook is the robot's URL. It carries the robot's key: it never
	// appears in errors or logs.
	Webhook string
	// Secret signs messages (DingTalk, Feishu); empty sends unsigned.
	Secret string
	// PerMinute caps the messages a minute (default 20, the limit WeCom
	// and DingTalk document; it keeps Slack at well under one a second).
	PerMinute int
	// Mentions maps an owner's name to their id on this platform.
	Mentions map[string]string
	// MaskPII masks phone numbers and e-mail addresses in what is posted.
	MaskPII bool
	// Owners, when true, sends each owner's newly stale and due-soon rows
	// after the summary.
	Owners bool
	// Attempts is how many times a transiently failing message is tried
	// (default 3); Backoff the first wait between tries (default 2s,
	// doubling; a Retry-After header wins).
	Attempts int
	Backoff  time.Duration
	Client   *http.Client
	Logger   *zap.Logger
	// Now is the clock for signatures and the rate limit; nil is time.Now.
	// Sleep waits (or returns ctx's error); nil waits on a timer. Tests
	// pass both to run a minute of rate limit in no time.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Robot posts reports to one group-chat robot. It is safe for concurrent
// use; its rate limit holds across calls.
type Robot struct {
	o     Options
	p     platform
	log   *zap.Logger
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
	mu    sync.Mutex
	sent  []time.Time // send times within the last minute, oldest first
}

// New checks o and returns a robot. It starts nothing.
func New(o Options) (*Robot, error) {
	p, err := platformFor(o.Platform)
	if err != nil {
		return nil, err
	}
	if o.Webhook == "" {
		return nil, fmt.Errorf("%s robot: webhook is required", o.Platform)
	}
	if o.PerMinute <= 0 {
		o.PerMinute = 20
	}
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = 2 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 15 * time.Second}
	}
	r := &Robot{o: o, p: p, log: o.Logger, now: o.Now, sleep: o.Sleep}
	if r.sleep == nil {
		r.sleep = sleep
	}
	if r.log == nil {
		r.log = zap.NewNop()
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r, nil
}

// Name is the channel's name in logs and metrics: "chat:dingtalk".
func (r *Robot) Name() string { return "chat:" + r.o.Platform }

// Deliver posts the summary, then (with Options.Owners) one message per
// owner with newly stale or due-soon rows, @-mentioning owners listed in
// Mentions. A failed message is logged and counted and does not stop the
// next; the error names each failure.
func (r *Robot) Deliver(ctx context.Context, rep audit.Report, locale string) (int, error) {
	if r.o.MaskPII {
		rep = rep.Masked()
	}
	msgs := []message{summary(rep, locale)}
	if r.o.Owners {
		var owners []string
		for _, o := range rep.OwnerCounts() {
			owners = append(owners, o.Owner)
		}
		slices.Sort(owners)
		for _, o := range owners {
			m, ok := ownerMessage(rep, o, locale)
			if !ok {
				continue
			}
			m.Mention = r.o.Mentions[o]
			msgs = append(msgs, m)
		}
	}
	sent := 0
	var errs []error
	for _, m := range msgs {
		if err := r.post(ctx, m); err != nil {
			r.log.Warn("chat message failed", zap.String("channel", r.Name()), zap.String("message", m.Title), zap.Error(err))
			errs = append(errs, fmt.Errorf("message %q: %w", m.Title, err))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		sent++
	}
	return sent, errors.Join(errs...)
}

// post sends one message, waiting for the rate limit and retrying
// transient failures.
func (r *Robot) post(ctx context.Context, m message) error {
	var last error
	wait := r.o.Backoff
	for attempt := 1; attempt <= r.o.Attempts; attempt++ {
		if err := r.admit(ctx); err != nil {
			return err
		}
		u, body, err := r.p.request(r.o.Webhook, r.o.Secret, m, r.now())
		if err != nil {
			return fmt.Errorf("build %s message: %w", r.o.Platform, err)
		}
		out, retryAfter := r.do(ctx, u, body)
		if out.ok {
			return nil
		}
		last = out.err
		if !out.transient || attempt == r.o.Attempts {
			break
		}
		d := wait
		if retryAfter > 0 {
			d = retryAfter
		}
		r.log.Info("chat message retried", zap.String("channel", r.Name()), zap.Int("attempt", attempt), zap.Duration("wait", d), zap.Error(out.err))
		if err := r.sleep(ctx, d); err != nil {
			return fmt.Errorf("%w (after: %w)", err, last)
		}
		wait *= 2
	}
	return last
}

// do makes one request. Transport errors are transient; the webhook URL
// (which carries the robot's key) is kept out of the error.
func (r *Robot) do(ctx context.Context, u string, body []byte) (outcome, time.Duration) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return outcome{err: errors.New("webhook is not a valid URL")}, 0
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := r.o.Client.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) {
			err = ue.Unwrap() // *url.Error would print the URL
		}
		return outcome{transient: ctx.Err() == nil, err: fmt.Errorf("post to the %s webhook: %w", r.o.Platform, err)}, 0
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var after time.Duration
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		after = time.Duration(s) * time.Second
	}
	return r.p.reply(resp.StatusCode, resp.Header, data), after
}

// admit waits until one more message fits in the last minute's budget.
func (r *Robot) admit(ctx context.Context) error {
	for {
		r.mu.Lock()
		now := r.now()
		for len(r.sent) > 0 && now.Sub(r.sent[0]) >= time.Minute {
			r.sent = r.sent[1:]
		}
		if len(r.sent) < r.o.PerMinute {
			r.sent = append(r.sent, now)
			r.mu.Unlock()
			return nil
		}
		d := time.Minute - now.Sub(r.sent[0])
		r.mu.Unlock()
		if err := r.sleep(ctx, d); err != nil {
			return fmt.Errorf("waiting for the %s robot's limit of %d messages a minute: %w", r.o.Platform, r.o.PerMinute, err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
