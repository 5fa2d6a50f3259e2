package daemon

import (
	"time"

	"golang.org/x/time/rate"
)

// NewLimiter returns a limiter that allows perMinute requests a minute on
// average, to be shared by every sheet of the process (one for reads, one
// for writes), because Google's quotas are per project and per user, not per
// spreadsheet. The burst is a tenth of the minute's budget (at least 1): a
// cycle's first few calls go out at once, but a long run is paced evenly
// instead of spending the whole minute's quota in the first second and then
// collecting 429s. Requests over the limit wait; they never fail.
// perMinute <= 0 means no limit.
//
// window is the quota's "minute": a minute against Google (window <= 0
// means a minute too); benchmarks and tests shorten it, with the same
// window in the emulator (--quota-window), so that quota minutes pass
// faster than real ones.
//
// The refill rate leaves room for the burst: a token bucket lets through
// burst + rate×60s requests in any minute, and Google counts per minute, so
// a rate of perMinute/minute with a burst on top would overrun the quota by
// the burst at a minute's edge (seen against the emulator's quota: the 61st
// request of a minute got a 429).
func NewLimiter(perMinute int, window time.Duration) *rate.Limiter {
	if perMinute <= 0 {
		return rate.NewLimiter(rate.Inf, 1)
	}
	if window <= 0 {
		window = time.Minute
	}
	burst := max(1, perMinute/10)
	refill := max(1, perMinute-burst)
	return rate.NewLimiter(rate.Limit(float64(refill)/window.Seconds()), burst)
}
