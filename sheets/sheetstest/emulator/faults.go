package emulator

import (
	"context"
	"fmt"
	"math/rand"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// FaultKind is one kind of injected failure.
type FaultKind int

const (
	// FaultNone lets the request through (a gap in a Sequence).
	FaultNone FaultKind = iota
	// FaultQuota answers 429 RESOURCE_EXHAUSTED with Google's quota message
	// and ErrorInfo detail, for reads or writes by the request's method.
	FaultQuota
	// Fault500 answers 500 INTERNAL.
	Fault500
	// Fault503 answers 503 UNAVAILABLE.
	Fault503
	// FaultCut sends a 200 header and half a body, then drops the
	// connection, so the client sees an unexpected EOF.
	FaultCut
)

// Faults injects failures deterministically. For each request that Match
// accepts (all requests if Match is nil), the next entry of Sequence is
// used; after the sequence is exhausted, a failure of a kind drawn from
// Kinds (default FaultQuota) happens with probability Rate, drawn from a
// generator seeded with Seed. Latency is added before every matched
// request through Sleep, which tests replace to avoid real waiting. Faults
// is safe for concurrent use; don't copy it after first use.
type Faults struct {
	Sequence []FaultKind
	Rate     float64
	Kinds    []FaultKind
	Seed     int64
	Latency  time.Duration
	// RetryAfter, if set, adds a Retry-After header (seconds) to 429 and 503
	// answers. Google does not usually send one; clients must cope either way.
	RetryAfter time.Duration
	// Match selects the requests faults apply to, by API method kind such as
	// "values.get"; nil selects all.
	Match func(kind string) bool
	// Sleep waits for d or until ctx is done; nil uses a real timer.
	Sleep func(ctx context.Context, d time.Duration) error

	mu       sync.Mutex
	rng      *rand.Rand
	n        int
	injected int
}

// Injected reports how many failures have been injected so far.
func (f *Faults) Injected() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.injected
}

func (f *Faults) next() FaultKind {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := FaultNone
	if f.n < len(f.Sequence) {
		k = f.Sequence[f.n]
	} else if f.Rate > 0 {
		if f.rng == nil {
			f.rng = rand.New(rand.NewSource(f.Seed))
		}
		if f.rng.Float64() < f.Rate {
			k = FaultQuota
			if len(f.Kinds) > 0 {
				k = f.Kinds[f.rng.Intn(len(f.Kinds))]
			}
		}
	}
	f.n++
	if k != FaultNone {
		f.injected++
	}
	return k
}

// apply runs the fault plan for one request; done reports that the answer
// has been written.
func (f *Faults) apply(w http.ResponseWriter, r *http.Request, rt route) (done bool) {
	if f.Match != nil && !f.Match(rt.kind) {
		return false
	}
	if f.Latency > 0 {
		sleep := f.Sleep
		if sleep == nil {
			sleep = realSleep
		}
		if err := sleep(r.Context(), f.Latency); err != nil {
			return true // the client went away; nothing to answer
		}
	}
	retry := func() {
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(f.RetryAfter/time.Second)))
		}
	}
	switch f.next() {
	case FaultNone:
		return false
	case FaultQuota:
		retry()
		writeError(w, quotaError(rt.write, false, 60))
	case Fault500:
		writeError(w, &apiError{code: 500, status: "INTERNAL", message: "Internal error encountered."})
	case Fault503:
		retry()
		writeError(w, &apiError{code: 503, status: "UNAVAILABLE", message: "The service is currently unavailable."})
	case FaultCut:
		cut(w)
	}
	return true
}

func realSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// cut promises a body it never finishes and closes the connection.
func cut(w http.ResponseWriter) {
	for {
		if sw, ok := w.(*statusWriter); ok {
			sw.status = 200
			w = sw.ResponseWriter
			continue
		}
		break
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: 4096\r\n\r\n{\"range\":\"Sheet1!A1:Z1000\",\"values\":[[\"")
	_ = buf.Flush()
	_ = conn.Close()
}

// quotaError is the 429 Google sends when a per-minute quota is spent, as
// gargle recorded it (ErrorInfo with quota_limit_value and no Retry-After,
// then a Help link); perProject selects the project-wide limit.
func quotaError(write, perProject bool, limit int) *apiError {
	metric, name := "sheets.googleapis.com/read_requests", "Read"
	if write {
		metric, name = "sheets.googleapis.com/write_requests", "Write"
	}
	limitName, limitText, unit := name+"RequestsPerMinutePerUser", name+" requests per minute per user", "1/min/{project}/{user}"
	if perProject {
		limitName, limitText, unit = name+"RequestsPerMinutePerProject", name+" requests per minute", "1/min/{project}"
	}
	return &apiError{
		code:   429,
		status: "RESOURCE_EXHAUSTED",
		message: fmt.Sprintf("Quota exceeded for quota metric '%s requests' and limit '%s' of service "+
			"'sheets.googleapis.com' for consumer 'project_number:000000000000'.", name, limitText),
		details: []any{
			map[string]any{
				"@type":  "type.googleapis.com/google.rpc.ErrorInfo",
				"reason": "RATE_LIMIT_EXCEEDED",
				"domain": "googleapis.com",
				"metadata": map[string]any{
					"quota_limit_value": strconv.Itoa(limit),
					"service":           "sheets.googleapis.com",
					"consumer":          "projects/000000000000",
					"quota_unit":        unit,
					"quota_location":    "global",
					"quota_metric":      metric,
					"quota_limit":       limitName,
				},
			},
			map[string]any{
				"@type": "type.googleapis.com/google.rpc.Help",
				"links": []any{map[string]any{
					"description": "Request a higher quota limit.",
					"url":         "https://cloud.google.com/docs/quotas/help/request_increase",
				}},
			},
		},
	}
}

// Quota enforces Sheets' per-minute request limits: each caller (a bearer
// token's account, or one anonymous user) gets Read and Write requests per
// calendar minute of Now, and all callers together ProjectRead and
// ProjectWrite, refilled when the minute turns, as Google describes. A
// batch counts as one request. Safe for concurrent use.
type Quota struct {
	Read         int              // reads per minute per user; 0 means 60
	Write        int              // writes per minute per user; 0 means 60
	ProjectRead  int              // reads per minute for the project; 0 means 300
	ProjectWrite int              // writes per minute for the project; 0 means 300
	Now          func() time.Time // nil means time.Now
	// Window is the length of the quota's "minute"; 0 means a minute.
	// Benchmarks shorten it (e.g. 6s, so ten quota minutes pass in one
	// real minute) with the same window set in the client's limiter.
	// Windows are aligned on the Unix epoch, as minutes are.
	Window time.Duration

	mu     sync.Mutex
	minute int64
	used   map[string]int
}

func (q *Quota) take(user string, write bool) *apiError {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := time.Now
	if q.Now != nil {
		now = q.Now
	}
	window := q.Window
	if window <= 0 {
		window = time.Minute
	}
	m := now().UnixNano() / int64(window)
	if m != q.minute || q.used == nil {
		q.minute, q.used = m, map[string]int{}
	}
	limit, key, plimit, pkey := q.Read, "r:"+user, q.ProjectRead, "r"
	if write {
		limit, key, plimit, pkey = q.Write, "w:"+user, q.ProjectWrite, "w"
	}
	if limit == 0 {
		limit = 60
	}
	if plimit == 0 {
		plimit = 300
	}
	if q.used[key] >= limit {
		return quotaError(write, false, limit)
	}
	if q.used[pkey] >= plimit {
		return quotaError(write, true, plimit)
	}
	q.used[key]++
	q.used[pkey]++
	return nil
}
