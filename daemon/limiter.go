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
func NewLimiter(perMinute int) *rate.Limiter {
	if perMinute <= 0 {
		return rate.NewLimiter(rate.Inf, 1)
	}
	return rate.NewLimiter(rate.Every(time.Minute/time.Duration(perMinute)), max(1, perMinute/10))
}
