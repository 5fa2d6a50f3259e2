package snapshot

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"gocloud.dev/gcerrors"

	"github.com/sheetaudit/sheetaudit/audit"
)

var _ audit.Leaser = (*Store)(nil)

// DefaultLeaseTTL is the lease period when Options.LeaseTTL is zero.
const DefaultLeaseTTL = time.Minute

// leaseRecord is one lease object (FORMAT.md, "Leases"). Objects are never
// replaced: each acquisition, renewal and release creates the next fence.
type leaseRecord struct {
	Holder   string    `json:"holder"`
	Fence    uint64    `json:"fence"`
	Name     string    `json:"name"`
	Acquired time.Time `json:"acquired"`
	Expires  time.Time `json:"expires"`
	Released bool      `json:"released,omitempty"`
	// Tick is the scheduled activation the holder works on; DoneTick the
	// newest tick some holder finished.
	Tick     time.Time `json:"tick,omitzero"`
	DoneTick time.Time `json:"done_tick,omitzero"`
}

// Holder returns the id this store's leases are taken under.
func (s *Store) Holder() string { return s.holder }

// NewHolderID returns an instance id unique to this process: name (the
// host name when empty), the process id and a random suffix, so a
// restarted process on the same host never mistakes an old lease for its
// own.
func NewHolderID(name string) string {
	host := name
	if host == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = "host"
		}
		host = h
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Acquire implements audit.Leaser: it creates the next lease object of the
// sheet with "if not exists", after checking that the newest one is
// released or expired. Two instances racing for the same fence get one
// success and one precondition failure, so at most one holds each fence.
func (s *Store) Acquire(ctx context.Context, req audit.LeaseRequest) (audit.Lease, error) {
	if err := checkSheet(req.Sheet); err != nil {
		return nil, err
	}
	if req.Name == "" {
		req.Name = "cycle"
	}
	if !leaseNameRE(req.Name) {
		return nil, fmt.Errorf("lease name %q: letters and digits only: %w", req.Name, audit.ErrInvalid)
	}
	for attempt := 0; ; attempt++ {
		top, fences, err := s.topLease(ctx, req.Sheet, req.Name)
		if err != nil {
			return nil, err
		}
		now := s.now()
		var prev leaseRecord
		if top != nil {
			prev = *top
			if !top.Released && now.Before(top.Expires) {
				return nil, &audit.HeldError{Sheet: req.Sheet, Holder: top.Holder, Until: top.Expires}
			}
			if !req.Tick.IsZero() && (!req.Tick.After(top.DoneTick) || top.Tick.After(req.Tick)) {
				return nil, &audit.HeldError{Sheet: req.Sheet, Holder: top.Holder, Until: top.Expires, Done: true}
			}
			if !top.Released {
				s.log.Info("lease expired; taking it over", zap.String("sheet", req.Sheet),
					zap.String("holder", top.Holder), zap.Time("expired", top.Expires))
			}
		}
		start := time.Now()
		rec := leaseRecord{Holder: s.holder, Fence: prev.Fence + 1, Name: req.Name, Acquired: now.UTC(),
			Expires: now.Add(s.leaseTTL).UTC(), Tick: req.Tick.UTC(), DoneTick: prev.DoneTick}
		switch err := s.putLease(ctx, req.Sheet, rec); {
		case exists(err):
			if attempt < 2 {
				continue // someone took this fence first; look again
			}
			return nil, fmt.Errorf("lease of sheet %q: contended; try again: %w", req.Sheet, audit.ErrUnavailable)
		case err != nil:
			return nil, err
		}
		l := &Lease{s: s, sheetName: req.Sheet, rec: rec, expires: start.Add(s.leaseTTL)}
		s.deleteLeases(ctx, req.Sheet, req.Name, fences, rec.Fence-1)
		return l, nil
	}
}

// Lease is a lease held through a Store; see audit.Lease.
type Lease struct {
	s         *Store
	sheetName string

	// op serialises renewals, releases and state saves, which read and
	// advance the fields below; it is held across store calls. mu guards
	// the fields for Fence and Expires, which must never wait for the
	// store: the cycle's context calls Expires whenever it is consulted.
	op       sync.Mutex
	mu       sync.Mutex
	rec      leaseRecord // the newest record this holder wrote
	expires  time.Time   // monotonic
	lost     bool
	released bool
	seq      int // state objects written under rec.Fence
	sealed   uint64
}

// Fence returns the lease's current fencing number.
func (l *Lease) Fence() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rec.Fence
}

// Expires implements audit.Lease.
func (l *Lease) Expires() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost {
		return time.Time{}
	}
	return l.expires
}

// Renew implements audit.Lease by creating the next fence under the same
// holder: it succeeds only if nobody else created it, that is if nobody
// took the lease over since this holder's last record.
func (l *Lease) Renew(ctx context.Context) error {
	l.op.Lock()
	defer l.op.Unlock()
	if l.lost || l.released {
		return fmt.Errorf("renew lease of sheet %q: %w", l.sheet(), audit.ErrLeaseLost)
	}
	start, now := time.Now(), l.s.now()
	rec := l.rec
	rec.Fence++
	rec.Expires = now.Add(l.s.leaseTTL).UTC()
	if err := l.s.putLease(ctx, l.sheet(), rec); err != nil {
		if exists(err) {
			l.set(func() { l.lost = true })
			return fmt.Errorf("renew lease of sheet %q: another instance took it over: %w", l.sheet(), audit.ErrLeaseLost)
		}
		return err
	}
	l.s.deleteLeases(ctx, l.sheet(), rec.Name, []uint64{rec.Fence - 2}, rec.Fence-1)
	l.set(func() { l.rec, l.expires, l.seq = rec, start.Add(l.s.leaseTTL), 0 })
	return nil
}

// Release implements audit.Lease: it creates the next fence as a released
// record, carrying the tick as done.
func (l *Lease) Release(ctx context.Context) error {
	l.op.Lock()
	defer l.op.Unlock()
	if l.lost || l.released {
		return nil
	}
	rec := l.rec
	rec.Fence++
	rec.Released = true
	rec.Expires = l.s.now().UTC()
	if rec.Tick.After(rec.DoneTick) {
		rec.DoneTick = rec.Tick
	}
	err := l.s.putLease(ctx, l.sheet(), rec)
	if exists(err) {
		l.set(func() { l.lost = true })
		return nil
	}
	if err != nil {
		return err
	}
	l.set(func() { l.released = true })
	l.s.deleteLeases(ctx, l.sheet(), rec.Name, []uint64{rec.Fence - 2}, rec.Fence-1)
	return nil
}

func (l *Lease) sheet() string { return l.sheetName }

// set changes the fields Fence and Expires read; callers hold op.
func (l *Lease) set(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f()
}

// check returns ErrLeaseLost if the lease is gone or its expiry passed on
// this process's clock.
func (l *Lease) check() error {
	if l.lost || l.released {
		return fmt.Errorf("lease of sheet %q: %w", l.sheet(), audit.ErrLeaseLost)
	}
	if !time.Now().Before(l.expires) {
		return fmt.Errorf("lease of sheet %q expired before it was renewed: %w", l.sheet(), audit.ErrLeaseLost)
	}
	return nil
}

// topLease returns the newest lease record of sheet's lease name (nil if
// it never had one) and the fences listed.
func (s *Store) topLease(ctx context.Context, sheet, name string) (*leaseRecord, []uint64, error) {
	for attempt := 0; ; attempt++ {
		fences, err := s.listNumbered(ctx, leaseDir(sheet, name))
		if err != nil {
			return nil, nil, err
		}
		if len(fences) == 0 {
			return nil, nil, nil
		}
		top := fences[len(fences)-1]
		rec, err := s.readLease(ctx, sheet, name, top)
		if errors.Is(err, audit.ErrNotFound) && attempt < 3 {
			continue // deleted between list and read; list again
		}
		if err != nil {
			return nil, nil, err
		}
		return rec, fences, nil
	}
}

func (s *Store) readLease(ctx context.Context, sheet, name string, fence uint64) (*leaseRecord, error) {
	key := leaseKey(sheet, name, fence)
	rctx, cancel := s.req(ctx)
	data, err := s.bucket.ReadAll(rctx, key)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("read lease %q: %w", key, translate(err))
	}
	var rec leaseRecord
	if err := json.Unmarshal(data, &rec); err != nil || rec.Fence != fence {
		return nil, fmt.Errorf("lease %q is damaged (delete it if no sheetaudit runs): %w", key, audit.ErrInvalid)
	}
	return &rec, nil
}

func (s *Store) putLease(ctx context.Context, sheet string, rec leaseRecord) error {
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return fmt.Errorf("encode lease: %w", err)
	}
	return s.create(ctx, leaseKey(sheet, rec.Name, rec.Fence), append(data, '\n'))
}

// deleteLeases removes the listed lease objects below keep, best effort:
// only the newest matters, leftovers are removed by the next holder.
func (s *Store) deleteLeases(ctx context.Context, sheet, name string, fences []uint64, below uint64) {
	for _, f := range fences {
		if f == 0 || f >= below {
			continue
		}
		if err := s.delete(ctx, leaseKey(sheet, name, f)); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			s.log.Debug("delete old lease", zap.String("sheet", sheet), zap.Error(err))
		}
	}
}

// create writes a new object whole, failing with a FailedPrecondition
// code (or os.ErrExist) if it exists. Buckets get "if not exists" (S3
// If-None-Match, GCS ifGenerationMatch=0). A local folder gets a hard link
// from a synced temp file: gocloud's fileblob checks existence only within
// one process, while link(2) refuses an existing name atomically across
// processes.
func (s *Store) create(ctx context.Context, key string, data []byte) error {
	if s.dir == "" {
		return s.writeObject(ctx, key, "application/json", data, true)
	}
	path := filepath.Join(s.dir, filepath.FromSlash(key))
	dir := filepath.Dir(path)
	fail := func(err error) error {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("write %q: %w", key, err)
		}
		return fmt.Errorf("write %q: %w", key, translate(err))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fail(err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(f.Name(), path)
	}
	if err != nil {
		return fail(err)
	}
	return syncDir(dir)
}

// listNumbered returns the numbers of the objects directly in dir named
// <20 digits>.json, ascending.
func (s *Store) listNumbered(ctx context.Context, dir string) ([]uint64, error) {
	keys, err := s.listKeys(ctx, dir)
	if err != nil {
		return nil, err
	}
	var out []uint64
	for _, key := range keys {
		name, ok := strings.CutSuffix(strings.TrimPrefix(key, dir), ".json")
		if !ok || len(name) != 20 {
			continue
		}
		if n, err := strconv.ParseUint(name, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	// Zero-padded names list in numeric order.
	return out, nil
}

func leaseNameRE(name string) bool {
	if name == "" || len(name) > 32 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func leaseDir(sheet, name string) string { return sheetPrefix + sheet + "/leases/" + name + "/" }
func leaseKey(sheet, name string, fence uint64) string {
	return leaseDir(sheet, name) + fmt.Sprintf("%020d.json", fence)
}

// FencedState returns the sheet's state store bound to this lease; see
// FencedState.
func (l *Lease) State() *FencedState { return &FencedState{l: l} }

// FencedState is an audit.StateStore whose writes carry the lease's
// fencing number (FORMAT.md, "State"): each save is a new object named by
// fence and sequence, readers take the highest name, and the first load
// under a new fence seals the state at that fence, so a holder that
// stalled past its expiry and writes later is shadowed by every newer
// holder. Saves are refused once the lease is lost or expired.
type FencedState struct{ l *Lease }

var _ audit.StateStore = (*FencedState)(nil)

// LoadState implements audit.StateStore for the lease's sheet.
func (f *FencedState) LoadState(ctx context.Context, sheet string) (audit.State, error) {
	l := f.l
	if sheet != l.sheet() {
		return audit.State{}, fmt.Errorf("state of sheet %q through the lease of sheet %q: %w", sheet, l.sheet(), audit.ErrInvalid)
	}
	st, top, err := l.s.loadState(ctx, sheet)
	if err != nil {
		return audit.State{}, err
	}
	l.op.Lock()
	defer l.op.Unlock()
	if top.fence >= l.rec.Fence || l.sealed == l.rec.Fence {
		return st, nil
	}
	// Seal: from now on no write of an older fence is the newest state.
	if err := l.saveLocked(ctx, st); err != nil {
		return audit.State{}, err
	}
	l.sealed = l.rec.Fence
	return st, nil
}

// SaveState implements audit.StateStore for the lease's sheet. It returns
// an error wrapping audit.ErrLeaseLost when the lease is gone, before or
// (detected right after writing) during the save.
func (f *FencedState) SaveState(ctx context.Context, sheet string, st audit.State) error {
	l := f.l
	if sheet != l.sheet() {
		return fmt.Errorf("state of sheet %q through the lease of sheet %q: %w", sheet, l.sheet(), audit.ErrInvalid)
	}
	l.op.Lock()
	err := l.saveLocked(ctx, st)
	name := l.rec.Name
	l.op.Unlock()
	if err != nil {
		return err
	}
	top, _, err := l.s.topLease(ctx, sheet, name)
	if err != nil {
		return err
	}
	if top != nil && top.Holder != l.s.holder {
		l.op.Lock()
		l.set(func() { l.lost = true })
		l.op.Unlock()
		return fmt.Errorf("save state of sheet %q: instance %s took the lease over; this write is superseded: %w", sheet, top.Holder, audit.ErrLeaseLost)
	}
	return nil
}

func (l *Lease) saveLocked(ctx context.Context, st audit.State) error {
	if err := l.check(); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode state of sheet %q: %w", l.sheet(), err)
	}
	l.set(func() { l.seq++ })
	key := fencedStateKey(l.sheet(), l.rec.Fence, l.seq)
	if err := l.s.create(ctx, key, append(data, '\n')); err != nil {
		if exists(err) {
			return fmt.Errorf("save state %q: the name is taken, so another instance holds this fence: %w", key, audit.ErrLeaseLost)
		}
		return err
	}
	return nil
}

// stateName is the position of a state object: fence, then sequence.
type stateName struct {
	fence uint64
	seq   int
	key   string
}

func fencedStateDir(sheet string) string { return sheetPrefix + sheet + "/state/" }
func fencedStateKey(sheet string, fence uint64, seq int) string {
	return fencedStateDir(sheet) + fmt.Sprintf("%020d-%06d.json", fence, seq)
}

// states lists the sheet's state objects, oldest first.
func (s *Store) states(ctx context.Context, sheet string) ([]stateName, error) {
	dir := fencedStateDir(sheet)
	keys, err := s.listKeys(ctx, dir)
	if err != nil {
		return nil, err
	}
	var out []stateName
	for _, key := range keys {
		name, ok := strings.CutSuffix(strings.TrimPrefix(key, dir), ".json")
		if !ok || len(name) != 27 || name[20] != '-' {
			continue
		}
		fence, err1 := strconv.ParseUint(name[:20], 10, 64)
		seq, err2 := strconv.Atoi(name[21:])
		if err1 == nil && err2 == nil {
			out = append(out, stateName{fence: fence, seq: seq, key: key})
		}
	}
	return out, nil
}

// loadState reads the newest state object (or the state.json of stores
// written before leases) and returns its position.
func (s *Store) loadState(ctx context.Context, sheet string) (audit.State, stateName, error) {
	names, err := s.states(ctx, sheet)
	if err != nil {
		return audit.State{}, stateName{}, err
	}
	key := stateKey(sheet)
	var top stateName
	if len(names) > 0 {
		top = names[len(names)-1]
		key = top.key
	}
	rctx, cancel := s.req(ctx)
	data, err := s.bucket.ReadAll(rctx, key)
	cancel()
	if gcerrors.Code(err) == gcerrors.NotFound && len(names) == 0 {
		return audit.State{}, top, nil
	}
	if err != nil {
		return audit.State{}, top, fmt.Errorf("read state %q: %w", key, translate(err))
	}
	var st audit.State
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&st); err != nil {
		return audit.State{}, top, fmt.Errorf("state %q is not valid JSON (delete it to start the change log over): %v: %w", key, err, audit.ErrInvalid)
	}
	if len(names) > 1 {
		// Older positions are shadowed; keep the one before the newest.
		for _, n := range names[:len(names)-2] {
			if err := s.delete(ctx, n.key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
				s.log.Debug("delete old state", zap.String("sheet", sheet), zap.Error(err))
			}
		}
	}
	return st, top, nil
}

// exists reports whether err is an exclusive create finding the name taken.
func exists(err error) bool {
	return gcerrors.Code(err) == gcerrors.FailedPrecondition || errors.Is(err, os.ErrExist)
}
