package snapshot

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsouza/fake-gcs-server/fakestorage"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"go.uber.org/zap/zaptest"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
)

// bucketServer returns a store URL that several Stores can open, for each
// kind of bucket that must support exclusive creates across processes.
type bucketServer func(t *testing.T) string

func fileServer(t *testing.T) string { return t.TempDir() }

// S3Server serves one bucket from gofakes3 over loopback; it answers 412 to
// a second If-None-Match create, as S3 does.
func s3Server(t *testing.T) string {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("audit"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "test-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	q := url.Values{"endpoint": {srv.URL}, "region": {"us-east-1"}, "use_path_style": {"true"}, "disable_https": {"true"}}
	return "s3://audit/team?" + q.Encode()
}

// gcsServer serves one bucket from fake-gcs-server over loopback; gocloud's
// gcsblob finds it through STORAGE_EMULATOR_HOST.
func gcsServer(t *testing.T) string {
	t.Helper()
	// The Go client reads objects through the XML API at the emulator's
	// own host, which the server serves only as its PublicHost: so the
	// port is chosen before the server starts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	host := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1",
		Port: uint16(port), PublicHost: host, Writer: io.Discard})
	if err != nil {
		t.Fatalf("start fake-gcs-server: %v", err)
	}
	t.Cleanup(srv.Stop)
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "audit"})
	t.Setenv("STORAGE_EMULATOR_HOST", host)
	return "gs://audit/team"
}

var bucketServers = map[string]bucketServer{"file": fileServer, "s3": s3Server, "gcs": gcsServer}

func openLeaseStore(t *testing.T, u, holder string, clock *audittest.Clock) *Store {
	t.Helper()
	s, err := Open(context.Background(), u, Options{Logger: zaptest.NewLogger(t), Now: clock.Now, Holder: holder})
	if err != nil {
		t.Fatalf("Open(%q): %v", u, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestCreateIsExclusive(t *testing.T) {
	for name, serve := range bucketServers {
		t.Run(name, func(t *testing.T) {
			u := serve(t)
			clock := newClock()
			a, b := openLeaseStore(t, u, "a", clock), openLeaseStore(t, u, "b", clock)
			ctx := context.Background()
			if err := a.create(ctx, "probe.json", []byte("a")); err != nil {
				t.Fatalf("first create: %v", err)
			}
			err := b.create(ctx, "probe.json", []byte("b"))
			if !exists(err) {
				t.Fatalf("second create = %v, want a precondition failure (412)", err)
			}
			got, err := a.bucket.ReadAll(ctx, "probe.json")
			if err != nil || string(got) != "a" {
				t.Fatalf("object = %q, %v; want the first writer's", got, err)
			}
		})
	}
}

func TestLeaseRace(t *testing.T) {
	for name, serve := range bucketServers {
		t.Run(name, func(t *testing.T) {
			u := serve(t)
			clock := newClock()
			const n = 6
			stores := make([]*Store, n)
			for i := range stores {
				stores[i] = openLeaseStore(t, u, "h"+string(rune('a'+i)), clock)
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			var won, held int
			for _, s := range stores {
				wg.Go(func() {
					_, err := s.Acquire(context.Background(), audit.LeaseRequest{Sheet: "s"})
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						won++
					case errors.Is(err, audit.ErrHeld), errors.Is(err, audit.ErrUnavailable):
						held++
					default:
						t.Errorf("Acquire: %v", err)
					}
				})
			}
			wg.Wait()
			if won != 1 || held != n-1 {
				t.Fatalf("%d acquired, %d refused; want 1 and %d", won, held, n-1)
			}
		})
	}
}

func TestLeaseTakeoverFencesTheStalledHolder(t *testing.T) {
	for name, serve := range bucketServers {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			u := serve(t)
			clock := newClock()
			a, b := openLeaseStore(t, u, "a", clock), openLeaseStore(t, u, "b", clock)
			la, err := a.Acquire(ctx, audit.LeaseRequest{Sheet: "s"})
			if err != nil {
				t.Fatal(err)
			}
			sa := la.(*Lease).State()
			if _, err := sa.LoadState(ctx, "s"); err != nil {
				t.Fatal(err)
			}
			if err := sa.SaveState(ctx, "s", audit.State{Logged: "v1"}); err != nil {
				t.Fatal(err)
			}

			_, err = b.Acquire(ctx, audit.LeaseRequest{Sheet: "s"})
			var held *audit.HeldError
			if !errors.As(err, &held) || held.Holder != "a" || held.Done {
				t.Fatalf("Acquire while a holds it = %v, want held by a", err)
			}
			if !strings.Contains(err.Error(), "sheet s: instance a holds it until ") {
				t.Errorf("message %q", err)
			}

			// a stalls past its expiry; b takes over, reads v1, and seals.
			clock.Advance(DefaultLeaseTTL + time.Second)
			lb, err := b.Acquire(ctx, audit.LeaseRequest{Sheet: "s"})
			if err != nil {
				t.Fatalf("Acquire after expiry: %v", err)
			}
			if lb.(*Lease).Fence() <= la.(*Lease).Fence() {
				t.Fatalf("fence %d after %d", lb.(*Lease).Fence(), la.(*Lease).Fence())
			}
			sb := lb.(*Lease).State()
			st, err := sb.LoadState(ctx, "s")
			if err != nil || st.Logged != "v1" {
				t.Fatalf("b loads %+v, %v; want v1", st, err)
			}

			// a wakes up and writes: refused, and invisible to readers.
			if err := sa.SaveState(ctx, "s", audit.State{Logged: "stale"}); !errors.Is(err, audit.ErrLeaseLost) {
				t.Fatalf("stalled holder's save = %v, want ErrLeaseLost", err)
			}
			if err := la.Renew(ctx); !errors.Is(err, audit.ErrLeaseLost) {
				t.Fatalf("stalled holder's renew = %v, want ErrLeaseLost", err)
			}
			if st, err := a.LoadState(ctx, "s"); err != nil || st.Logged != "v1" {
				t.Fatalf("state after the stale write = %+v, %v; want v1", st, err)
			}
			if err := sb.SaveState(ctx, "s", audit.State{Logged: "v2"}); err != nil {
				t.Fatal(err)
			}
			if err := lb.Renew(ctx); err != nil {
				t.Fatalf("renew: %v", err)
			}
			if err := sb.SaveState(ctx, "s", audit.State{Logged: "v3"}); err != nil {
				t.Fatal(err)
			}
			if err := lb.Release(ctx); err != nil {
				t.Fatal(err)
			}
			if st, err := a.LoadState(ctx, "s"); err != nil || st.Logged != "v3" {
				t.Fatalf("state = %+v, %v; want v3", st, err)
			}
			if err := sb.SaveState(ctx, "s", audit.State{Logged: "late"}); !errors.Is(err, audit.ErrLeaseLost) {
				t.Fatalf("save after release = %v, want ErrLeaseLost", err)
			}
			// Released: the next instance need not wait.
			if _, err := a.Acquire(ctx, audit.LeaseRequest{Sheet: "s"}); err != nil {
				t.Fatalf("Acquire after release: %v", err)
			}
		})
	}
}

func TestLeaseTickRunsOnce(t *testing.T) {
	ctx := context.Background()
	u := t.TempDir()
	clock := newClock()
	a, b := openLeaseStore(t, u, "a", clock), openLeaseStore(t, u, "b", clock)
	tick := clock.Now().Truncate(time.Minute)
	la, err := a.Acquire(ctx, audit.LeaseRequest{Sheet: "s", Tick: tick})
	if err != nil {
		t.Fatal(err)
	}
	if err := la.Release(ctx); err != nil {
		t.Fatal(err)
	}
	// A one-shot run in between does not make the tick runnable again.
	lo, err := b.Acquire(ctx, audit.LeaseRequest{Sheet: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if err := lo.Release(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = b.Acquire(ctx, audit.LeaseRequest{Sheet: "s", Tick: tick})
	var held *audit.HeldError
	if !errors.As(err, &held) || !held.Done {
		t.Fatalf("second run of the tick = %v, want refused as done", err)
	}
	if _, err := b.Acquire(ctx, audit.LeaseRequest{Sheet: "s", Tick: tick.Add(time.Minute)}); err != nil {
		t.Fatalf("next tick: %v", err)
	}
}

func TestHoldCancelsWhenLost(t *testing.T) {
	ctx := context.Background()
	u := t.TempDir()
	clock := newClock()
	a, err := Open(ctx, u, Options{Logger: zaptest.NewLogger(t), Now: clock.Now, Holder: "a", LeaseTTL: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b := openLeaseStore(t, u, "b", clock)
	err = audit.Hold(ctx, a, audit.LeaseRequest{Sheet: "s"}, func(ctx context.Context, _ audit.Lease) error {
		// b takes over once a's lease has expired on the shared clock;
		// a's next renewal finds it and ends a's work.
		clock.Advance(time.Second)
		if _, err := b.Acquire(ctx, audit.LeaseRequest{Sheet: "s"}); err != nil {
			return err
		}
		<-ctx.Done()
		return context.Cause(ctx)
	})
	if !errors.Is(err, audit.ErrLeaseLost) {
		t.Fatalf("Hold = %v, want ErrLeaseLost", err)
	}
}

func TestLegacyStateIsRead(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := newClock()
	s := openLeaseStore(t, dir, "a", clock)
	if err := s.writeObject(ctx, stateKey("s"), "application/json", []byte(`{"logged":"old"}`), false); err != nil {
		t.Fatal(err)
	}
	l, err := s.Acquire(ctx, audit.LeaseRequest{Sheet: "s"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := l.(*Lease).State().LoadState(ctx, "s")
	if err != nil || st.Logged != "old" {
		t.Fatalf("LoadState = %+v, %v; want the state.json of before leases", st, err)
	}
	if st, err := s.LoadState(ctx, "s"); err != nil || st.Logged != "old" {
		t.Fatalf("after sealing: %+v, %v", st, err)
	}
}
