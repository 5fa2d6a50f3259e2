// Command tap is a counting reverse proxy for the benchmark: put it between
// a Sheets client and the emulator and it records every request (method,
// URL, status, request and response body bytes), so the results can say
// how many bytes each cycle read from the API and the floor program can
// replay exactly the reads sheetaudit made.
//
//	tap -target http://127.0.0.1:8089 -addr-file tap.addr
//
// It listens on a free loopback port and writes its base URL to -addr-file.
// GET /_tap/log returns the requests recorded since the last
// GET /_tap/log?reset=1. It stops on SIGINT or SIGTERM.
//
//	tap -dump http://127.0.0.1:PORT/ -o cycle1.tap.json
//
// fetches a running tap's log, resets it and writes it to a file, so the
// benchmark script needs no curl.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

// Request is one proxied request.
type Request struct {
	Method string `json:"method"`
	// URL is the request URI (path and query) as the client sent it.
	URL      string `json:"url"`
	Status   int    `json:"status"`
	BytesIn  int64  `json:"request_bytes"`
	BytesOut int64  `json:"response_bytes"`
	// At is when the answer's headers came back (Unix nanoseconds), so
	// the fleet benchmark can tell which quota window a request fell in.
	At int64 `json:"at_ns"`
}

// Log is what GET /_tap/log returns.
type Log struct {
	Requests []Request `json:"requests"`
	// ReadBytes sums the response bodies: the bytes read from the API.
	ReadBytes int64 `json:"read_bytes"`
	// SentBytes sums the request bodies: the bytes written to the API.
	SentBytes int64 `json:"sent_bytes"`
}

type tap struct {
	mu  sync.Mutex
	log Log
}

func (t *tap) add(r Request) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.log.Requests = append(t.log.Requests, r)
	t.log.ReadBytes += r.BytesOut
	t.log.SentBytes += r.BytesIn
}

func (t *tap) serveLog(w http.ResponseWriter, r *http.Request) {
	t.mu.Lock()
	l := t.log
	if r.URL.Query().Get("reset") != "" {
		t.log = Log{}
	}
	t.mu.Unlock()
	if l.Requests == nil {
		l.Requests = []Request{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(l)
}

// counter counts the bytes of a body as they pass and reports once at EOF
// or Close, whichever comes first.
type counter struct {
	io.ReadCloser
	n    int64
	once sync.Once
	done func(n int64)
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n += int64(n)
	if err == io.EOF {
		c.once.Do(func() { c.done(c.n) })
	}
	return n, err
}

func (c *counter) Close() error {
	c.once.Do(func() { c.done(c.n) })
	return c.ReadCloser.Close()
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("tap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("target", "", "base URL of the server to proxy (required)")
	listen := fs.String("listen", "127.0.0.1:0", "listen address")
	addrFile := fs.String("addr-file", "", "write the proxy's base URL here once listening")
	dump := fs.String("dump", "", "instead of proxying: fetch and reset the log of the tap at this base URL")
	out := fs.String("o", "", "with -dump: write the log here")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dump != "" {
		if err := dumpLog(ctx, *dump, *out); err != nil {
			fmt.Fprintf(stderr, "tap: %v\n", err)
			return 1
		}
		return 0
	}
	u, err := url.Parse(*target)
	if *target == "" || err != nil {
		fmt.Fprintln(stderr, "tap: need -target http://host:port")
		return 2
	}
	t := &tap{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.Transport = &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true}
	proxy.ModifyResponse = func(resp *http.Response) error {
		req := resp.Request
		rec := Request{Method: req.Method, URL: req.URL.RequestURI(), Status: resp.StatusCode, BytesIn: max(0, req.ContentLength),
			At: time.Now().UnixNano()}
		// Recording now, with the declared length, means the log is
		// complete the moment the client has its answer; only bodies of
		// unknown length are counted as they pass.
		if resp.ContentLength >= 0 {
			rec.BytesOut = resp.ContentLength
			t.add(rec)
			return nil
		}
		resp.Body = &counter{ReadCloser: resp.Body, done: func(n int64) {
			rec.BytesOut = n
			t.add(rec)
		}}
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/_tap/log", t.serveLog)
	mux.Handle("/", proxy)

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "tap: listen: %v\n", err)
		return 2
	}
	base := "http://" + ln.Addr().String() + "/"
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile, []byte(base+"\n"), 0o644); err != nil {
			fmt.Fprintf(stderr, "tap: %v\n", err)
			return 2
		}
	}
	fmt.Fprintf(stderr, "tap: %s → %s\n", base, u)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "tap: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(stderr, "tap: shutdown: %v\n", err)
	}
	<-errc
	return 0
}

// dumpLog fetches base's log, resetting it, into path.
func dumpLog(ctx context.Context, base, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/_tap/log?reset=1", nil)
	if err != nil {
		return fmt.Errorf("dump %s: %w", base, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("dump %s: %w", base, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("dump %s: %s %v", base, resp.Status, err)
	}
	if path == "" {
		return errors.New("-dump needs -o FILE")
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("dump %s: %w", base, err)
	}
	return nil
}
