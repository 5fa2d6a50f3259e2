package report

import (
	"context"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Job is one sheet's weekly report wired once: what to build from, where
// to deliver. The daemon's report job and the report command both run
// it; neither builds or delivers anything itself.
type Job struct {
	Source  Source
	Options Options
	// OpenTab, when set, opens the workbook for the report tab for one run;
	// close is called when the run is over.
	OpenTab func(ctx context.Context) (tab *Tab, close func(), err error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Result is a run's report and what was delivered.
type Result struct {
	Report  audit.Report
	Outcome Outcome
}

// Run reports the week that ended before now: a run on Monday morning
// reports the week just closed, which is what a weekly schedule wants.
func (j *Job) Run(ctx context.Context) (Result, error) {
	now := j.now()
	return j.RunWeek(ctx, audit.ISOWeek(now.Add(-24*time.Hour), j.Source.Location))
}

// RunWeek builds week (YYYY-Www; "" is the current week) as of now and
// delivers it. The Result holds the report even when a channel failed.
func (j *Job) RunWeek(ctx context.Context, week string) (Result, error) {
	now := j.now()
	if week == "" {
		week = audit.ISOWeek(now, j.Source.Location)
	}
	r, err := Build(ctx, j.Source, week, now)
	if err != nil {
		return Result{}, err
	}
	o := j.Options
	if j.OpenTab != nil {
		tab, closeTab, err := j.OpenTab(ctx)
		if err != nil {
			return Result{Report: r}, err
		}
		if closeTab != nil {
			defer closeTab()
		}
		o.Tab = tab
	}
	out, err := Deliver(ctx, r, o)
	return Result{Report: r, Outcome: out}, err
}

func (j *Job) now() time.Time {
	if j.Now != nil {
		return j.Now()
	}
	return time.Now()
}
