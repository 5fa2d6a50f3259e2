package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/zstd"
	"go.uber.org/zap"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
	"golang.org/x/sync/errgroup"

	"github.com/sheetaudit/sheetaudit/audit"
)

var (
	_ audit.Store      = (*Store)(nil)
	_ audit.StateStore = (*Store)(nil)
)

// Options tunes a Store. The zero value is usable.
type Options struct {
	Logger *zap.Logger
	// Now is the clock; nil means time.Now. Snapshot ids, the patch-vs-full
	// choice and prune's grace period read it.
	Now func() time.Time
	// Location is the time zone of retention's hours, days, weeks and
	// months; nil means UTC.
	Location *time.Location
	// GracePeriod protects unreferenced chunks younger than it from prune,
	// because a writer may have stored them for a manifest it has not
	// written yet. Zero means one hour.
	GracePeriod time.Duration
	// MaxPatches caps how many patches a version may stack on its base
	// before the next version is stored whole. Zero means 256; negative
	// disables patches (every version is a full chunk list).
	MaxPatches int
	// PatchBudget caps the stored size of a version's patches as a multiple
	// of its base's stored size. Zero means 2.
	PatchBudget float64
	// Concurrency is the number of objects read or written at once. Zero
	// means 8.
	Concurrency int
	// Holder is the instance id leases are taken under; empty means
	// NewHolderID("").
	Holder string
	// LeaseTTL is how long a lease lasts unless renewed; zero means
	// DefaultLeaseTTL. Holders renew every third of it.
	LeaseTTL time.Duration
	// RequestTimeout bounds each request to the bucket (one read, one
	// write, one page of a listing, opening the bucket), so a store that
	// never answers fails the command instead of hanging it. Zero means
	// DefaultRequestTimeout.
	RequestTimeout time.Duration
}

// DefaultRequestTimeout is the default Options.RequestTimeout: far above
// what one object of a few megabytes takes on any working link.
const DefaultRequestTimeout = time.Minute

// ErrStore marks every error the bucket itself returned (unreachable,
// timed out, missing bucket, permission, full disk), as opposed to a
// damaged object or a bad name: the command could not run, and its exit
// code says so. Errors that wrap it also wrap the audit sentinel of the
// case (ErrUnavailable, ErrNotFound, ErrPermission).
var ErrStore = errors.New("snapshot store")

// Store keeps sheet versions and cycle state in a bucket. It is safe for
// concurrent use, and several processes may share one bucket: objects are
// immutable or replaced whole, and every name is unique to its content.
type Store struct {
	bucket *blob.Bucket
	log    *zap.Logger
	now    func() time.Time
	loc    *time.Location
	grace  time.Duration
	maxP   int
	budget float64
	conc   int
	holder string
	// leaseTTL is the lease period; dir is the local folder of a file
	// store, whose exclusive creates use link(2) (see create).
	leaseTTL time.Duration
	dir      string
	// timeout is Options.RequestTimeout.
	timeout time.Duration
	enc     *zstd.Encoder
	dec     *zstd.Decoder

	mu sync.Mutex
	// last holds, per sheet, the newest version this Store read or wrote,
	// so Put after Latest diffs against it without loading it again.
	last map[string]*version

	// pending holds, per sheet, the serialisation Current made of a
	// snapshot that differs from the newest version, for the Put that
	// follows; Put takes it so the work is not done twice.
	pending map[string]*encodedSnap

	// chains caches each sheet's verified change log (changelog.go).
	chains chainCache

	// afterContent, when set, runs between a version's content and its
	// manifest: tests kill a writer there.
	afterContent func()
}

// encodedSnap is what Current learnt of a snapshot's serialisation.
type encodedSnap struct {
	snap *audit.Snapshot
	sum  gridSum
}

// encoded returns the gridSum of snap's values, taking the one Current
// made when it was for this very snapshot.
func (s *Store) encoded(snap *audit.Snapshot) gridSum {
	s.mu.Lock()
	e := s.pending[snap.Sheet]
	delete(s.pending, snap.Sheet)
	s.mu.Unlock()
	if e != nil && e.snap == snap {
		return e.sum
	}
	return sumRows(snap.Values)
}

// version is a loaded manifest with the hashes of its rows.
type version struct {
	m      *Manifest
	hashes []rowHash
}

// Open opens the store at url: a plain path or file:///path (the folder is
// created on first use), s3://bucket/prefix?region=…&endpoint=…&use_path_style=true
// (any S3-compatible server), gs://bucket/prefix, or mem:// (empty, in
// memory, for tests). The program registers the drivers of the schemes it
// supports by importing them (cmd/sheetaudit imports all four); a scheme
// without a driver is an error naming it.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	u, err := bucketURL(url)
	if err != nil {
		return nil, err
	}
	timeout := opts.RequestTimeout
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	octx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	b, err := blob.OpenBucket(octx, u)
	if err != nil {
		return nil, fmt.Errorf("open store %q (check the store: setting and the bucket's credentials): %w", url, translate(err))
	}
	if strings.HasPrefix(u, "s3://") || strings.HasPrefix(u, "gs://") {
		// Buckets are opened lazily: without this, a missing bucket reads
		// as an empty store until the first write fails.
		ok, err := b.IsAccessible(octx)
		if err == nil && !ok {
			err = fmt.Errorf("bucket does not exist or these credentials cannot see it: %w", audit.ErrNotFound)
		}
		if err != nil {
			_ = b.Close()
			return nil, fmt.Errorf("open store %q (check the bucket name, the endpoint and the credentials): %w", url, translate(err))
		}
	}
	s := New(b, opts)
	s.dir = fileDir(u)
	return s, nil
}

// fileDir returns the folder of a file:// bucket URL, or "".
func fileDir(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	return filepath.FromSlash(u.Path)
}

// bucketURL maps a store setting onto a gocloud.dev URL. Local folders get
// temp files beside their targets (a rename across file systems fails) and
// no attribute sidecars; s3 and gs paths become the bucket prefix.
func bucketURL(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("store location is empty; set store: to a folder or a bucket URL: %w", audit.ErrInvalid)
	}
	if !strings.Contains(s, "://") {
		abs, err := filepath.Abs(s)
		if err != nil {
			return "", fmt.Errorf("store folder %q: %w", s, err)
		}
		s = (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("store URL %q: %v: %w", s, err, audit.ErrInvalid)
	}
	q := u.Query()
	switch u.Scheme {
	case "file":
		for k, v := range map[string]string{"create_dir": "true", "no_tmp_dir": "true", "metadata": "skip"} {
			if !q.Has(k) {
				q.Set(k, v)
			}
		}
	case "s3", "gs":
		if p := strings.Trim(u.Path, "/"); p != "" {
			if q.Has("prefix") {
				return "", fmt.Errorf("store URL %q has both a path and prefix=; use one: %w", s, audit.ErrInvalid)
			}
			q.Set("prefix", p+"/")
			u.Path = ""
		}
	case "mem":
		return s, nil
	default:
		return "", fmt.Errorf("store URL %q: scheme %q is not supported; use a folder, file://, s3://, gs:// or mem://: %w", s, u.Scheme, audit.ErrInvalid)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// New returns a store on bucket, which it closes on Close.
func New(bucket *blob.Bucket, opts Options) *Store {
	s := &Store{
		bucket: bucket, log: opts.Logger, now: opts.Now, loc: opts.Location,
		grace: opts.GracePeriod, maxP: opts.MaxPatches, budget: opts.PatchBudget, conc: opts.Concurrency,
		last:    make(map[string]*version),
		pending: make(map[string]*encodedSnap),
	}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.loc == nil {
		s.loc = time.UTC
	}
	if s.grace <= 0 {
		s.grace = time.Hour
	}
	if s.maxP == 0 {
		s.maxP = 256
	}
	if s.budget <= 0 {
		s.budget = 2
	}
	if s.conc <= 0 {
		s.conc = 8
	}
	s.holder, s.leaseTTL = opts.Holder, opts.LeaseTTL
	if s.holder == "" {
		s.holder = NewHolderID("")
	}
	if s.leaseTTL <= 0 {
		s.leaseTTL = DefaultLeaseTTL
	}
	if s.timeout = opts.RequestTimeout; s.timeout <= 0 {
		s.timeout = DefaultRequestTimeout
	}
	// Options that cannot fail; errors here would be programming errors.
	s.enc, _ = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(false))
	s.dec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
	return s
}

// Close releases the codecs and closes the bucket.
func (s *Store) Close() error {
	s.dec.Close()
	_ = s.enc.Close()
	if err := s.bucket.Close(); err != nil {
		return fmt.Errorf("close store bucket: %w", err)
	}
	return nil
}

// Put implements audit.Store. The version's content objects are written
// before its manifest, so a crash leaves the version whole or absent.
func (s *Store) Put(ctx context.Context, snap *audit.Snapshot) (audit.SnapshotInfo, error) {
	if err := checkSheet(snap.Sheet); err != nil {
		return audit.SnapshotInfo{}, err
	}
	t := snap.Time
	if t.IsZero() {
		t = s.now()
	}
	sum := s.encoded(snap)
	m := &Manifest{
		Format: 1, Sheet: snap.Sheet, Time: t.UTC(), Meta: snap.Meta,
		HeaderRow: snap.HeaderRow, Key: snap.Key, Rows: len(snap.Values),
		RawBytes: sum.size, ContentSHA256: hex.EncodeToString(sum.sum[:]),
	}
	if h := snap.HeaderRow; h >= 1 && h <= len(snap.Values) {
		m.Header = snap.Values[h-1]
	}
	for i, r := range snap.Values {
		m.Columns = max(m.Columns, len(r))
		if i >= snap.HeaderRow && !blankRow(r) {
			m.DataRows++
		}
	}
	hashes := sum.hashes

	parent, err := s.parent(ctx, snap, hashes)
	if err != nil {
		return audit.SnapshotInfo{}, err
	}
	var written atomic.Int64 // bytes of chunks this Put actually wrote
	switch ok, err := s.patch(ctx, m, parent, hashes, snap.Values, &written); {
	case err != nil:
		return audit.SnapshotInfo{}, err
	case !ok:
		if err := s.writeFull(ctx, m, snap.Values, &written); err != nil {
			return audit.SnapshotInfo{}, err
		}
	}
	if snap.Formulas != nil {
		if m.Formulas, err = s.writeGrid(ctx, snap.Formulas, &written); err != nil {
			return audit.SnapshotInfo{}, err
		}
		m.Format = max(m.Format, formatFormulas)
	}
	if snap.Typed != nil {
		if m.Typed, err = s.writeGrid(ctx, snap.Typed, &written); err != nil {
			return audit.SnapshotInfo{}, err
		}
		m.Format = max(m.Format, formatTyped)
	}
	for _, c := range m.objects() {
		m.StoredBytes += c.Stored
	}
	if s.afterContent != nil {
		s.afterContent()
	}
	if err := s.writeManifest(ctx, m); err != nil {
		return audit.SnapshotInfo{}, err
	}
	s.remember(&version{m: m, hashes: hashes})
	s.log.Debug("snapshot written", zap.String("sheet", m.Sheet), zap.String("snapshot", m.ID),
		zap.Int("chunks", len(m.Chunks)), zap.Int("patches", len(m.Patches)), zap.Int64("bytes", m.StoredBytes))
	info := m.Info()
	info.Written = written.Load()
	info.Deduplicated = max(0, m.StoredBytes-info.Written)
	return info, nil
}

// parent returns the newest version of snap's sheet with its row hashes,
// or nil. A version not remembered is loaded sharing snap's rows (whose
// hashes are hashes), so only the rows that differ are decoded.
func (s *Store) parent(ctx context.Context, snap *audit.Snapshot, hashes []rowHash) (*version, error) {
	sheet := snap.Sheet
	m, err := s.latestManifest(ctx, sheet)
	if errors.Is(err, audit.ErrNotFound) || errors.Is(err, audit.ErrInvalid) {
		return nil, nil // none, or none readable: store this one whole
	}
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	v := s.last[sheet]
	s.mu.Unlock()
	if v != nil && v.m.ID == m.ID {
		return v, nil
	}
	if s.maxP < 0 {
		return &version{m: m}, nil
	}
	_, v, err = s.load(ctx, m, snap, hashes)
	switch {
	case errors.Is(err, audit.ErrInvalid) || errors.Is(err, audit.ErrNotFound):
		// A damaged newest version must not stop new ones: store this one
		// whole, depending on nothing of it.
		s.log.Warn("newest snapshot unreadable; storing a full version", zap.String("sheet", sheet),
			zap.String("snapshot", m.ID), zap.Error(err))
		return &version{m: m}, nil
	case err != nil:
		return nil, fmt.Errorf("read newest snapshot %s to store the next one as a patch: %w", m.ID, err)
	}
	return v, nil
}

// patch stores m as parent plus a patch when that is cheap enough, and
// reports whether it did.
func (s *Store) patch(ctx context.Context, m *Manifest, parent *version, hashes []rowHash, rows [][]string, written *atomic.Int64) (bool, error) {
	if parent == nil {
		return false, nil
	}
	pm := parent.m
	if parent.hashes != nil && pm.ContentSHA256 == m.ContentSHA256 {
		// Same content as a version read back intact: the same objects,
		// nothing new to store.
		m.Chunks, m.BaseRows, m.BaseSHA256 = pm.Chunks, pm.BaseRows, pm.BaseSHA256
		m.Patches, m.Parent = pm.Patches, pm.ID
		return true, nil
	}
	if parent.hashes == nil || s.maxP < 0 || len(pm.Patches) >= s.maxP {
		return false, nil
	}
	raw := encodePatch(len(parent.hashes), len(hashes), diffRows(parent.hashes, hashes), rows)
	z := s.enc.EncodeAll(raw, nil)
	var base, stacked int64
	for _, c := range pm.Chunks {
		base += c.Stored
	}
	for _, c := range pm.Patches {
		stacked += c.Stored
	}
	if int64(len(z)) > base/2 || float64(stacked+int64(len(z))) > s.budget*float64(base) {
		return false, nil
	}
	sum := sha256.Sum256(raw)
	ref := ChunkRef{SHA256: hex.EncodeToString(sum[:]), Raw: int64(len(raw)), Rows: m.Rows}
	stored, _, err := s.putChunk(ctx, ref.SHA256, raw, z, nil, written)
	if err != nil {
		return false, err
	}
	ref.Stored = stored
	m.Chunks, m.BaseRows, m.BaseSHA256 = pm.Chunks, pm.BaseRows, pm.BaseSHA256
	m.Patches, m.Parent = append(slices.Clip(pm.Patches), ref), pm.ID
	return true, nil
}

// writeFull stores the version's rows as content-defined chunks.
func (s *Store) writeFull(ctx context.Context, m *Manifest, rows [][]string, written *atomic.Int64) error {
	m.BaseRows, m.BaseSHA256, m.Patches = m.Rows, m.ContentSHA256, nil
	var err error
	m.Chunks, _, err = s.writeChunks(ctx, rows, false, written)
	return err
}

// writeGrid stores an extra grid of the version (formulas, typed values)
// as chunks of its own and describes them. Such grids change rarely, so
// their chunks are mostly the previous version's; no patches are made.
func (s *Store) writeGrid(ctx context.Context, grid [][]string, written *atomic.Int64) (*GridContent, error) {
	refs, sum, err := s.writeChunks(ctx, grid, true, written)
	if err != nil {
		return nil, err
	}
	return &GridContent{Rows: len(grid), RawBytes: sum.size, ContentSHA256: hex.EncodeToString(sum.sum[:]), Chunks: refs}, nil
}

// writeChunks serialises rows one at a time into content-defined chunks,
// stores the missing ones (up to s.conc at once) and returns their
// references in order, never empty but nil. With digest it also returns
// the serialisation's SHA-256 and length (gridSum without row hashes).
func (s *Store) writeChunks(ctx context.Context, rows [][]string, digest bool, written *atomic.Int64) ([]ChunkRef, gridSum, error) {
	refs := []ChunkRef{}
	var stored []*int64
	var sum gridSum
	var h hash.Hash
	if digest {
		h = sha256.New()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.conc)
	// At most s.conc chunks are in flight; their buffers (content and
	// compressed) are reused for the next ones.
	raws, zs := newBufPool(s.conc+1), newBufPool(s.conc+1)
	c := chunker{alloc: raws.get, emit: func(raw []byte, n int) error {
		if err := gctx.Err(); err != nil {
			return err
		}
		sha := sha256.Sum256(raw)
		refs = append(refs, ChunkRef{SHA256: hex.EncodeToString(sha[:]), Raw: int64(len(raw)), Rows: n})
		size := new(int64)
		stored = append(stored, size)
		key := refs[len(refs)-1].SHA256
		g.Go(func() error {
			var err error
			var z []byte
			*size, z, err = s.putChunk(gctx, key, raw, nil, zs.get(), written)
			zs.put(z)
			raws.put(raw)
			return err
		})
		return nil
	}}
	var buf []byte
	var err error
	for _, r := range rows {
		buf = appendRow(buf[:0], r)
		if h != nil {
			h.Write(buf)
			sum.size += int64(len(buf))
		}
		if err = c.row(buf); err != nil {
			break
		}
	}
	if err == nil {
		err = c.finish()
	}
	if werr := g.Wait(); werr != nil || err != nil {
		return nil, gridSum{}, errors.Join(werr, err)
	}
	for i, n := range stored {
		refs[i].Stored = *n
	}
	if h != nil {
		h.Sum(sum.sum[:0])
	}
	return refs, sum, nil
}

// putChunk stores raw under its hash unless the object is there and fresh,
// and returns its stored size. An existing chunk older than half the grace
// period is written again: it may be unreferenced and about to be swept
// by a prune that does not yet see this version's manifest, and a fresh
// ModTime keeps it out of that prune's reach.
//
// z is raw compressed, or nil to compress it here into zbuf[:0]; the
// buffer compressed into comes back for reuse.
func (s *Store) putChunk(ctx context.Context, sha string, raw, z, zbuf []byte, written *atomic.Int64) (int64, []byte, error) {
	key := chunkKey(sha)
	rctx, cancel := s.req(ctx)
	a, err := s.bucket.Attributes(rctx, key)
	cancel()
	switch {
	case err == nil && s.now().Sub(a.ModTime) < s.grace/2:
		return a.Size, zbuf, nil
	case err != nil && gcerrors.Code(err) != gcerrors.NotFound:
		return 0, zbuf, fmt.Errorf("check chunk %q: %w", key, translate(err))
	}
	if z == nil {
		z = s.enc.EncodeAll(raw, slices.Grow(zbuf[:0], len(raw)/2))
		zbuf = z
	}
	if err := s.writeObject(ctx, key, "application/zstd", z, false); err != nil {
		return 0, zbuf, err
	}
	written.Add(int64(len(z)))
	return int64(len(z)), zbuf, nil
}

// bufPool keeps a few byte buffers for reuse.
type bufPool chan []byte

func newBufPool(n int) bufPool { return make(bufPool, n) }

// get returns an empty buffer, nil when none is kept.
func (p bufPool) get() []byte {
	select {
	case b := <-p:
		return b[:0]
	default:
		return nil
	}
}

// put keeps b unless the pool is full.
func (p bufPool) put(b []byte) {
	if cap(b) == 0 {
		return
	}
	select {
	case p <- b:
	default:
	}
}

// writeManifest names m and writes it without replacing any manifest:
// the id is the version's second and content hash, with a counter when
// another version of the same second and hash prefix holds it.
func (s *Store) writeManifest(ctx context.Context, m *Manifest) error {
	base := m.Time.Format(idTimeLayout) + "-" + m.ContentSHA256[:8]
	for n := 1; n < 10000; n++ {
		m.ID = base
		if n > 1 {
			m.ID += "-" + strconv.Itoa(n)
		}
		data, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return fmt.Errorf("encode manifest %s: %w", m.ID, err)
		}
		key := manifestKey(m.Sheet, m.ID)
		err = s.writeObject(ctx, key, "application/json", append(data, '\n'), true)
		if gcerrors.Code(err) != gcerrors.FailedPrecondition {
			return err
		}
		// Taken. By this very version (a retried Put, or a second writer
		// that read the same tab in the same second)? Then it is stored.
		if other, err := s.readManifest(ctx, m.Sheet, m.ID); err == nil && other.ContentSHA256 == m.ContentSHA256 &&
			other.gridsSHA256() == m.gridsSHA256() {
			*m = *other
			return nil
		}
	}
	return fmt.Errorf("no free snapshot id for %s: %w", base, audit.ErrUnavailable)
}

// writeObject writes one object whole: blob writers publish on Close, and
// a writer whose context ends first publishes nothing. On local folders
// the file and its folder are also synced, because fileblob's rename alone
// does not survive a power cut.
func (s *Store) writeObject(ctx context.Context, key, contentType string, data []byte, ifNotExist bool) error {
	ctx, cancel := s.req(ctx)
	defer cancel()
	var f *os.File
	w, err := s.bucket.NewWriter(ctx, key, &blob.WriterOptions{
		ContentType: contentType,
		IfNotExist:  ifNotExist,
		BeforeWrite: func(as func(any) bool) error { as(&f); return nil },
	})
	if err != nil {
		return fmt.Errorf("write %q: %w", key, translate(err))
	}
	_, err = w.Write(data)
	if err == nil && f != nil {
		err = f.Sync()
	}
	if err != nil {
		cancel()
		_ = w.Close()
		return fmt.Errorf("write %q: %w", key, translate(err))
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write %q: %w", key, translate(err))
	}
	if f != nil {
		if err := syncDir(filepath.Dir(f.Name())); err != nil {
			return fmt.Errorf("write %q: %w", key, err)
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync folder %q: %w", dir, err)
	}
	return nil
}

// Sheets returns the names of the sheets that have a folder in the store.
func (s *Store) Sheets(ctx context.Context) ([]string, error) {
	it := s.bucket.List(&blob.ListOptions{Prefix: sheetPrefix, Delimiter: "/"})
	var out []string
	for {
		rctx, cancel := s.req(ctx)
		obj, err := it.Next(rctx)
		cancel()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("list %q: %w", sheetPrefix, translate(err))
		}
		name := strings.TrimSuffix(strings.TrimPrefix(obj.Key, sheetPrefix), "/")
		if !obj.IsDir || checkSheet(name) != nil {
			continue
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out, nil
}

// LoadState implements audit.StateStore: the newest state object, or the
// state.json of a store written before leases.
func (s *Store) LoadState(ctx context.Context, sheet string) (audit.State, error) {
	if err := checkSheet(sheet); err != nil {
		return audit.State{}, err
	}
	st, _, err := s.loadState(ctx, sheet)
	return st, err
}

// SaveState implements audit.StateStore without a lease: the state is
// written after the newest one, under its fence. Cycles that may run in
// several instances save through a Lease's FencedState instead.
func (s *Store) SaveState(ctx context.Context, sheet string, st audit.State) error {
	if err := checkSheet(sheet); err != nil {
		return err
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode state of sheet %q: %w", sheet, err)
	}
	for attempt := 0; ; attempt++ {
		names, err := s.states(ctx, sheet)
		if err != nil {
			return err
		}
		var fence uint64
		seq := 1
		if len(names) > 0 {
			top := names[len(names)-1]
			fence, seq = top.fence, top.seq+1
		}
		err = s.create(ctx, fencedStateKey(sheet, fence, seq), append(data, '\n'))
		if exists(err) && attempt < 5 {
			continue
		}
		return err
	}
}

// req returns the context of one bucket request: ctx bounded by the
// request timeout.
func (s *Store) req(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// listKeys returns the keys under dir, in name order, each listing request
// bounded by the store timeout. It is the store's one listing: on a local
// folder an object being written is a temporary file that its writer
// (another process, maybe) renames away, and the file driver can list it
// and then fail to stat it (NotFound). That says nothing about the store,
// so the listing is taken again, a few times at most.
func (s *Store) listKeys(ctx context.Context, dir string) ([]string, error) {
	for attempt := 1; ; attempt++ {
		var keys []string
		it := s.bucket.List(&blob.ListOptions{Prefix: dir})
		var err error
		for {
			var obj *blob.ListObject
			rctx, cancel := s.req(ctx)
			obj, err = it.Next(rctx)
			cancel()
			if err != nil {
				break
			}
			keys = append(keys, obj.Key)
		}
		if err == io.EOF {
			return keys, nil
		}
		if gcerrors.Code(err) == gcerrors.NotFound && attempt < 5 && ctx.Err() == nil {
			continue
		}
		return nil, fmt.Errorf("list %q: %w", dir, translate(err))
	}
}

// translate adds the audit sentinel that matches a bucket error's code, and
// ErrStore, so callers branch with errors.Is without knowing gocloud. A
// cancellation by the caller is passed on as it is.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	var sentinel error
	hint := ""
	switch gcerrors.Code(err) {
	case gcerrors.NotFound:
		sentinel = audit.ErrNotFound
	case gcerrors.PermissionDenied:
		sentinel, hint = audit.ErrPermission, "check the store's credentials and their permissions"
	case gcerrors.ResourceExhausted, gcerrors.Internal, gcerrors.Unknown:
		sentinel, hint = audit.ErrUnavailable, "check the store: setting, the network and free space"
	case gcerrors.DeadlineExceeded:
		sentinel, hint = audit.ErrUnavailable, "the store did not answer in time; check the network and the store: setting"
	case gcerrors.InvalidArgument:
		return fmt.Errorf("%w: %w", err, audit.ErrInvalid)
	case gcerrors.FailedPrecondition:
		return err // an IfNotExist write that found the object: not a failure
	default:
		if errors.Is(err, context.DeadlineExceeded) {
			sentinel, hint = audit.ErrUnavailable, "the store did not answer in time; check the network and the store: setting"
		} else {
			sentinel, hint = audit.ErrUnavailable, "check the store: setting and the network"
		}
	}
	if hint != "" {
		return fmt.Errorf("%w (%s): %w: %w", err, hint, sentinel, ErrStore)
	}
	return fmt.Errorf("%w: %w: %w", err, sentinel, ErrStore)
}

// blankRow reports whether a row holds nothing but white space, as
// audit.ParseTable judges blank rows.
func blankRow(r []string) bool {
	for _, c := range r {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
