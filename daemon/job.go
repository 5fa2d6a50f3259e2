package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Kind tells what a job does, which decides how its outcome is counted.
type Kind int

const (
	// KindCycle is one sheet's audit cycle: it feeds the cycle metrics and
	// /readyz.
	KindCycle Kind = iota
	// KindReport builds a report (for example the weekly Staleness Report):
	// it is counted in sheetaudit_reports_total only and never makes the
	// daemon unready, because a report that failed once is retried on its
	// next tick and says nothing about whether the sheet is being audited.
	KindReport
)

// String returns the word used in logs.
func (k Kind) String() string {
	if k == KindReport {
		return "report"
	}
	return "cycle"
}

// Job is one scheduled unit of work: a sheet's cycle or its report.
type Job struct {
	// Name identifies the job in logs, metrics and /readyz; unique within a
	// job set. For a cycle it is the sheet name; for a report, a name like
	// "report:<sheet>" keeps it apart from the sheet's cycle.
	Name string
	// Sheet is the sheet the job is about, the sheet label of its
	// metrics; empty means Name.
	Sheet string
	Kind  Kind
	// Schedule is a cron expression: five fields ("0 8 * * MON") or a
	// descriptor ("@every 15m", "@hourly", "@daily"), evaluated in
	// Options.Location. Empty means the job is never scheduled (it may still
	// run at start).
	Schedule string
	// RunAtStart runs the job once as soon as the daemon starts, and when a
	// reload adds it.
	RunAtStart bool
	// Run does the work. Its context is cancelled only when a shutdown has
	// waited Options.ShutdownTimeout; a nil result with an error is fine.
	Run func(ctx context.Context) (*audit.Result, error)
}

func (j Job) sheet() string {
	if j.Sheet != "" {
		return j.Sheet
	}
	return j.Name
}

// NextRun returns the first activation of the cron expression spec strictly
// after after, evaluated in loc (nil means UTC). The status command and
// config check use it to show when a sheet runs next.
func NextRun(spec string, after time.Time, loc *time.Location) (time.Time, error) {
	s, err := parseSchedule(spec)
	if err != nil {
		return time.Time{}, err
	}
	if s == nil {
		return time.Time{}, errors.New("empty schedule never runs")
	}
	return next(s, after, loc), nil
}

func parseSchedule(spec string) (cron.Schedule, error) {
	if spec == "" {
		return nil, nil
	}
	// Five fields and the @ descriptors, no seconds field, so that
	// "0 8 * * MON" means what crontab users expect.
	p := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	s, err := p.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("parse schedule %q: %w (use five cron fields like \"0 8 * * MON\" or \"@every 15m\")", spec, err)
	}
	return s, nil
}

// next evaluates s in loc: cron reads the fields in the time's own location.
// "@every D" is aligned to multiples of D (from the Unix epoch when D
// divides a day), not counted from the daemon's start: so replicas started
// at different moments share the same ticks, and a tick is a name they can
// agree on (see Tick).
func next(s cron.Schedule, after time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	if cd, ok := s.(cron.ConstantDelaySchedule); ok && cd.Delay > 0 {
		return after.Truncate(cd.Delay).Add(cd.Delay).In(loc)
	}
	return s.Next(after.In(loc))
}

// entry is a validated job with its parsed schedule.
type entry struct {
	job   Job
	sched cron.Schedule // nil: never scheduled
}

// compile validates a job set: every job named, unique, runnable, with a
// schedule that parses.
func compile(jobs []Job) ([]entry, error) {
	seen := make(map[string]bool, len(jobs))
	out := make([]entry, 0, len(jobs))
	var errs []error
	for i, j := range jobs {
		switch {
		case j.Name == "":
			errs = append(errs, fmt.Errorf("job %d: empty name", i))
			continue
		case seen[j.Name]:
			errs = append(errs, fmt.Errorf("job %q: duplicate name (sheet names must be unique)", j.Name))
			continue
		case j.Run == nil:
			errs = append(errs, fmt.Errorf("job %q: no run function", j.Name))
			continue
		}
		seen[j.Name] = true
		s, err := parseSchedule(j.Schedule)
		if err != nil {
			errs = append(errs, fmt.Errorf("job %q: %w", j.Name, err))
			continue
		}
		out = append(out, entry{job: j, sched: s})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
