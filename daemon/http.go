package daemon

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler returns the daemon's HTTP endpoints:
//
//   - /healthz answers 200 "ok" while the process serves at all (liveness).
//   - /readyz answers 200 when every sheet's last cycle succeeded, 503
//     otherwise, with a JSON body naming each sheet's state (Readiness).
//   - /metrics serves the Prometheus metrics.
//
// Run serves it on Options.Listen; an embedder may mount it elsewhere.
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		r := d.Readiness()
		w.Header().Set("Content-Type", "application/json")
		if !r.Ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(r)
	})
	if d.gather != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(d.gather, promhttp.HandlerOpts{}))
	}
	return mux
}

// Readiness is the body of /readyz.
type Readiness struct {
	Ready bool `json:"ready"`
	// Stopping is set once a shutdown has begun; the daemon is then not
	// ready, whatever its sheets.
	Stopping bool         `json:"stopping,omitempty"`
	Sheets   []SheetState `json:"sheets"`
}

// SheetState is one sheet's readiness.
//
// A sheet that has not run yet counts as ready, since nothing is known to be
// wrong with it, unless it runs at start: then it is "starting" and not
// ready until that first cycle finishes, so an orchestrator waiting on
// /readyz after a deploy sees the first real result. Report jobs are not
// listed: a failed report is retried on its next tick and says nothing about
// whether the sheet is audited.
type SheetState struct {
	Sheet string `json:"sheet"`
	// State is "ok", "failed", "starting" or "pending" (not run yet, not
	// due at start).
	State string    `json:"state"`
	Last  time.Time `json:"last,omitzero"`
	Error string    `json:"error,omitempty"`
}

// Readiness reports whether the last cycle of every sheet succeeded.
func (d *Daemon) Readiness() Readiness {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := Readiness{Ready: true, Sheets: []SheetState{}}
	select {
	case <-d.stopping:
		r.Ready, r.Stopping = false, true
	default:
	}
	for _, e := range d.entries {
		if e.job.Kind != KindCycle {
			continue
		}
		s := SheetState{Sheet: e.job.Name, State: "pending"}
		if st := d.states[e.job.Name]; st != nil {
			switch {
			case st.ran && st.lastErr != "":
				s.State, s.Last, s.Error = "failed", st.last, st.lastErr
				r.Ready = false
			case st.ran:
				s.State, s.Last = "ok", st.last
			case st.startPending:
				s.State = "starting"
				r.Ready = false
			}
		}
		r.Sheets = append(r.Sheets, s)
	}
	slices.SortFunc(r.Sheets, func(a, b SheetState) int { return cmp.Compare(a.Sheet, b.Sheet) })
	return r
}
