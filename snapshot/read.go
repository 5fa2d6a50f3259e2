package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.uber.org/zap"
	"gocloud.dev/gcerrors"
	"golang.org/x/sync/errgroup"

	"github.com/sheetaudit/sheetaudit/audit"
)

// Latest implements audit.Store.
func (s *Store) Latest(ctx context.Context, sheet string) (*audit.Snapshot, error) {
	if err := checkSheet(sheet); err != nil {
		return nil, err
	}
	m, err := s.latestManifest(ctx, sheet)
	if err != nil {
		return nil, err
	}
	snap, _, err := s.load(ctx, m, nil, nil)
	return snap, err
}

// Load implements audit.Store.
func (s *Store) Load(ctx context.Context, sheet, id string) (*audit.Snapshot, error) {
	m, err := s.Manifest(ctx, sheet, id)
	if err != nil {
		return nil, err
	}
	snap, _, err := s.load(ctx, m, nil, nil)
	return snap, err
}

var _ audit.SharingLoader = (*Store)(nil)

// LoadSharing implements audit.SharingLoader: Load, with every row equal to
// a row of the same grid of cur being that row of cur. Rows are matched by
// their hash and confirmed byte for byte, and the loaded version is checked
// against its manifest as Load checks it, so the result holds exactly
// what Load would return; only the unchanged rows are not decoded and held
// a second time.
func (s *Store) LoadSharing(ctx context.Context, sheet, id string, cur *audit.Snapshot) (*audit.Snapshot, error) {
	m, err := s.Manifest(ctx, sheet, id)
	if err != nil {
		return nil, err
	}
	snap, _, err := s.load(ctx, m, cur, nil)
	return snap, err
}

// Manifest returns the manifest of one version.
func (s *Store) Manifest(ctx context.Context, sheet, id string) (*Manifest, error) {
	if err := checkSheet(sheet); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	return s.readManifest(ctx, sheet, id)
}

func (s *Store) readManifest(ctx context.Context, sheet, id string) (*Manifest, error) {
	key := manifestKey(sheet, id)
	rctx, cancel := s.req(ctx)
	data, err := s.bucket.ReadAll(rctx, key)
	cancel()
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("snapshot %s of sheet %q does not exist (see sheetaudit snapshots list): %w", id, sheet, audit.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest %q: %w", key, translate(err))
	}
	return parseManifest(data, key)
}

// List returns the versions of sheet, oldest first. A manifest that cannot
// be read or parsed is left out and logged (once per List) rather than
// failing the listing: one damaged object must not hide the other versions
// from `snapshots list`, `status`, `history` and the staleness history.
// Listings that must see every damaged manifest use ListProblems.
func (s *Store) List(ctx context.Context, sheet string) ([]audit.SnapshotInfo, error) {
	list, problems, err := s.ListProblems(ctx, sheet)
	if err != nil {
		return nil, err
	}
	for _, p := range problems {
		s.log.Warn("snapshot left out of the listing: its manifest is damaged",
			zap.String("sheet", sheet), zap.String("snapshot", p.Snapshot), zap.String("problem", p.Message),
			zap.String("hint", damagedHint))
	}
	return list, nil
}

// damagedHint is what an operator does about a damaged manifest.
const damagedHint = "run sheetaudit snapshots verify --full; the other versions are intact, and deleting the damaged manifest drops only that version"

// ListProblems is List that also returns the damaged manifests it left
// out, each as a Problem naming the object and what is wrong with it.
func (s *Store) ListProblems(ctx context.Context, sheet string) ([]audit.SnapshotInfo, []Problem, error) {
	if err := checkSheet(sheet); err != nil {
		return nil, nil, err
	}
	ids, err := s.ids(ctx, sheet)
	if err != nil {
		return nil, nil, err
	}
	ms := make([]*Manifest, len(ids))
	errs := make([]error, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.conc)
	for i, id := range ids {
		g.Go(func() error {
			ms[i], errs[i] = s.readManifest(gctx, sheet, id)
			switch {
			case errors.Is(errs[i], audit.ErrInvalid) || errors.Is(errs[i], audit.ErrNotFound):
				return nil // damaged, or removed since the listing
			default:
				return errs[i] // the store itself failed: no listing
			}
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	var problems []Problem
	for i, err := range errs {
		if errors.Is(err, audit.ErrInvalid) {
			problems = append(problems, Problem{Object: manifestKey(sheet, ids[i]), Sheet: sheet, Snapshot: ids[i], Message: err.Error()})
		}
	}
	ms = slices.DeleteFunc(ms, func(m *Manifest) bool { return m == nil })
	sortManifests(ms)
	out := make([]audit.SnapshotInfo, len(ms))
	for i, m := range ms {
		out[i] = m.Info()
	}
	return out, problems, nil
}

// manifests reads every manifest of sheet, oldest first.
func (s *Store) manifests(ctx context.Context, sheet string) ([]*Manifest, error) {
	if err := checkSheet(sheet); err != nil {
		return nil, err
	}
	ids, err := s.ids(ctx, sheet)
	if err != nil {
		return nil, err
	}
	ms := make([]*Manifest, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.conc)
	for i, id := range ids {
		g.Go(func() error {
			m, err := s.readManifest(gctx, sheet, id)
			ms[i] = m
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sortManifests(ms)
	return ms, nil
}

func sortManifests(ms []*Manifest) {
	slices.SortFunc(ms, func(a, b *Manifest) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// ids lists the snapshot ids of sheet in name order. Names that are not
// manifests (a writer's temp file) are skipped.
func (s *Store) ids(ctx context.Context, sheet string) ([]string, error) {
	dir := manifestDir(sheet)
	keys, err := s.listKeys(ctx, dir)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, key := range keys {
		id, ok := strings.CutSuffix(strings.TrimPrefix(key, dir), ".json")
		if ok && checkID(id) == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// latestManifest returns the newest intact manifest of sheet. Ids sort by
// their second; only versions of the newest second are read to break the
// tie. A damaged manifest (ErrInvalid) is logged and passed over, so the
// cycle goes on from the newest version it can read instead of stopping.
func (s *Store) latestManifest(ctx context.Context, sheet string) (*Manifest, error) {
	ids, err := s.ids(ctx, sheet)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("sheet %q has no snapshot yet: %w", sheet, audit.ErrNotFound)
	}
	var damaged error
	for end := len(ids); end > 0; {
		second, _ := idTime(ids[end-1])
		var ms []*Manifest
		i := end - 1
		for ; i >= 0; i-- {
			if t, _ := idTime(ids[i]); !t.Equal(second) {
				break
			}
			m, err := s.readManifest(ctx, sheet, ids[i])
			switch {
			case errors.Is(err, audit.ErrInvalid):
				s.log.Warn("newest snapshot's manifest is damaged; using an older version", zap.String("sheet", sheet),
					zap.String("snapshot", ids[i]), zap.Error(err), zap.String("hint", damagedHint))
				damaged = err
				continue
			case errors.Is(err, audit.ErrNotFound):
				continue // removed since the listing
			case err != nil:
				return nil, err
			}
			ms = append(ms, m)
		}
		if len(ms) > 0 {
			sortManifests(ms)
			return ms[len(ms)-1], nil
		}
		end = i + 1
	}
	if damaged != nil {
		return nil, fmt.Errorf("sheet %q has no readable snapshot: %w", sheet, damaged)
	}
	return nil, fmt.Errorf("sheet %q has no snapshot yet: %w", sheet, audit.ErrNotFound)
}

// load reads a version's content, checking every object and the result
// against the manifest's hashes. Objects are read in order, s.conc at a
// time, and each row is decoded on its own, so a load holds the rows it
// returns and a few objects, never the whole serialisation. With cur, a
// row equal to a row of the same grid of cur is that row (LoadSharing);
// curHashes are the row hashes of cur's values when known, else nil.
func (s *Store) load(ctx context.Context, m *Manifest, cur *audit.Snapshot, curHashes []rowHash) (*audit.Snapshot, *version, error) {
	var share [3]*sharer
	if cur != nil {
		if curHashes == nil {
			curHashes = s.curHashes(cur)
		}
		share[0] = newSharer(cur.Values, curHashes)
		if m.Formulas != nil && cur.Formulas != nil {
			share[1] = newSharer(cur.Formulas, sumRows(cur.Formulas).hashes)
		}
		if m.Typed != nil && cur.Typed != nil {
			share[2] = newSharer(cur.Typed, sumRows(cur.Typed).hashes)
		}
	}
	rows, hashes, err := s.loadValues(ctx, m, &rowMaker{share: share[0]})
	if err != nil {
		return nil, nil, err
	}
	var formulas, typed [][]string
	if formulas, err = s.loadGrid(ctx, m, extraGrid{"formula", m.Formulas}, &rowMaker{share: share[1]}); err != nil {
		return nil, nil, err
	}
	if typed, err = s.loadGrid(ctx, m, extraGrid{"typed", m.Typed}, &rowMaker{share: share[2]}); err != nil {
		return nil, nil, err
	}
	v := &version{m: m, hashes: hashes}
	s.remember(v)
	return &audit.Snapshot{
		ID: m.ID, Sheet: m.Sheet, Time: m.Time, Meta: m.Meta,
		HeaderRow: m.HeaderRow, Key: m.Key, Values: rows, Formulas: formulas, Typed: typed,
	}, v, nil
}

// curHashes returns the row hashes of cur's values, taking those Current
// computed when they were for this very snapshot.
func (s *Store) curHashes(cur *audit.Snapshot) []rowHash {
	s.mu.Lock()
	e := s.pending[cur.Sheet]
	s.mu.Unlock()
	if e != nil && e.snap == cur {
		return e.sum.hashes
	}
	return sumRows(cur.Values).hashes
}

// corruptError marks an object's content that does not decode or does not
// match the manifest, as opposed to an object that could not be read.
type corruptError struct{ err error }

func (e corruptError) Error() string { return e.err.Error() }
func (e corruptError) Unwrap() error { return e.err }

// streamObjects reads the content objects refs, up to s.conc at a time
// ahead of fn, and hands each one's checked content to fn in order. fn
// must not keep raw: its buffer is reused for a later object. A read error
// is returned as it is; fn's errors come back as corruptError.
func (s *Store) streamObjects(ctx context.Context, refs []ChunkRef, fn func(i int, raw []byte) error) error {
	if len(refs) == 0 {
		return nil
	}
	type slot struct {
		buf  *objectBuf
		raw  []byte
		err  error
		done chan struct{}
	}
	slots := make([]slot, len(refs))
	for i := range slots {
		slots[i].done = make(chan struct{})
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// free holds the buffers of the objects not in flight: taking one is
	// the right to read one more object ahead.
	free := make(chan *objectBuf, s.conc)
	for range s.conc {
		free <- &objectBuf{}
	}
	go func() {
		for i, c := range refs {
			var b *objectBuf
			select {
			case b = <-free:
			case <-ctx.Done():
				for j := i; j < len(refs); j++ {
					slots[j].err = ctx.Err()
					close(slots[j].done)
				}
				return
			}
			go func() {
				slots[i].buf = b
				slots[i].raw, slots[i].err = s.readChunkInto(ctx, c, b)
				close(slots[i].done)
			}()
		}
	}()
	for i := range refs {
		<-slots[i].done
		raw, err := slots[i].raw, slots[i].err
		if err != nil {
			return err
		}
		if err := fn(i, raw); err != nil {
			return corruptError{err}
		}
		slots[i].raw = nil
		free <- slots[i].buf
	}
	return nil
}

// objectBuf holds the buffers one object is read into: its stored
// (compressed) bytes and its content.
type objectBuf struct {
	z, raw []byte
}

// loadValues reads a version's rows (its base chunks, then its patches)
// and checks them, returning the rows and their hashes.
func (s *Store) loadValues(ctx context.Context, m *Manifest, mk *rowMaker) ([][]string, []rowHash, error) {
	rows, got, _, err := s.readChunks(ctx, m.Chunks, m.BaseRows, mk)
	if err == nil {
		if got != m.BaseSHA256 || len(rows) != m.BaseRows {
			err = corruptError{fmt.Errorf("its chunks make %d rows with SHA-256 %s, manifest says %d rows with %s", len(rows), got, m.BaseRows, m.BaseSHA256)}
		}
	}
	if err == nil {
		err = s.streamObjects(ctx, m.Patches, func(i int, raw []byte) error {
			c := m.Patches[i]
			var err error
			if rows, err = applyPatchWith(rows, raw, mk); err != nil {
				return fmt.Errorf("patch %q: %w", chunkKey(c.SHA256), err)
			}
			if len(rows) != c.Rows {
				return fmt.Errorf("patch %q makes %d rows, manifest says %d", chunkKey(c.SHA256), len(rows), c.Rows)
			}
			return nil
		})
	}
	var hashes []rowHash
	if err == nil {
		chk := newContentCheck(len(rows))
		for _, r := range rows {
			chk.add(r)
		}
		if sum := chk.sum(); hex.EncodeToString(sum[:]) != m.ContentSHA256 || len(rows) != m.Rows {
			err = corruptError{fmt.Errorf("content has %d rows with SHA-256 %x, manifest says %d rows with %s", len(rows), sum, m.Rows, m.ContentSHA256)}
		}
		hashes = chk.hashes
	}
	var bad corruptError
	switch {
	case errors.As(err, &bad):
		return nil, nil, fmt.Errorf("snapshot %s of sheet %q is corrupt: %w (run sheetaudit snapshots verify --full): %w",
			m.ID, m.Sheet, bad.err, audit.ErrInvalid)
	case err != nil:
		return nil, nil, fmt.Errorf("snapshot %s of sheet %q: %w", m.ID, m.Sheet, err)
	}
	return rows, hashes, nil
}

// readChunks decodes chunks in order into rows (room for want of them),
// checking each against the row count the manifest gives it, and returns
// the rows with the SHA-256 (hex) and size of the chunks' bytes, for the
// caller to check against the manifest's whole.
func (s *Store) readChunks(ctx context.Context, chunks []ChunkRef, want int, mk *rowMaker) ([][]string, string, int64, error) {
	h := sha256.New()
	rows := make([][]string, 0, want)
	var size int64
	err := s.streamObjects(ctx, chunks, func(i int, raw []byte) error {
		c := chunks[i]
		h.Write(raw)
		size += int64(len(raw))
		n := len(rows)
		var err error
		if rows, err = mk.rows(raw, rows); err != nil {
			return fmt.Errorf("chunk %q: %w", chunkKey(c.SHA256), err)
		}
		if len(rows)-n != c.Rows {
			return fmt.Errorf("chunk %q holds %d rows, manifest says %d", chunkKey(c.SHA256), len(rows)-n, c.Rows)
		}
		return nil
	})
	return rows, hex.EncodeToString(h.Sum(nil)), size, err
}

// loadGrid reads an extra grid of a version (formulas, typed values),
// checking every chunk and the whole against the manifest: nil when it was
// not captured, an empty grid when it was and held nothing.
func (s *Store) loadGrid(ctx context.Context, m *Manifest, g extraGrid, mk *rowMaker) ([][]string, error) {
	f := g.content
	if f == nil {
		return nil, nil
	}
	rows, got, size, err := s.readChunks(ctx, f.Chunks, f.Rows, mk)
	if err == nil {
		if got != f.ContentSHA256 || len(rows) != f.Rows || size != f.RawBytes {
			err = corruptError{fmt.Errorf("its %s chunks make %d rows with SHA-256 %s, manifest says %d rows with %s", g.name, len(rows), got, f.Rows, f.ContentSHA256)}
		}
	}
	var bad corruptError
	switch {
	case errors.As(err, &bad):
		return nil, fmt.Errorf("%s grid of snapshot %s of sheet %q is corrupt: %w (run sheetaudit snapshots verify --full): %w",
			g.name, m.ID, m.Sheet, bad.err, audit.ErrInvalid)
	case err != nil:
		return nil, fmt.Errorf("%s grid of snapshot %s of sheet %q: %w", g.name, m.ID, m.Sheet, err)
	}
	return rows, nil
}

// decodeGrid decodes the chunks of an extra grid (whose contents are raws)
// and checks them against the manifest.
func decodeGrid(g extraGrid, raws [][]byte) ([][]string, error) {
	f := g.content
	h := sha256.New()
	rows := make([][]string, 0, f.Rows)
	var size int64
	for i, c := range f.Chunks {
		h.Write(raws[i])
		size += int64(len(raws[i]))
		r, err := decodeRows(raws[i])
		if err != nil {
			return nil, fmt.Errorf("chunk %q: %w", chunkKey(c.SHA256), err)
		}
		if len(r) != c.Rows {
			return nil, fmt.Errorf("chunk %q holds %d rows, manifest says %d", chunkKey(c.SHA256), len(r), c.Rows)
		}
		rows = append(rows, r...)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.ContentSHA256 || len(rows) != f.Rows || size != f.RawBytes {
		return nil, fmt.Errorf("its %s chunks make %d rows with SHA-256 %s, manifest says %d rows with %s", g.name, len(rows), got, f.Rows, f.ContentSHA256)
	}
	return rows, nil
}

// decodeBase decodes the chunks of m's base and checks them against the
// manifest.
func decodeBase(m *Manifest, raws [][]byte) ([][]string, error) {
	h := sha256.New()
	rows := make([][]string, 0, m.BaseRows)
	for i, c := range m.Chunks {
		h.Write(raws[i])
		r, err := decodeRows(raws[i])
		if err != nil {
			return nil, fmt.Errorf("chunk %q: %w", chunkKey(c.SHA256), err)
		}
		if len(r) != c.Rows {
			return nil, fmt.Errorf("chunk %q holds %d rows, manifest says %d", chunkKey(c.SHA256), len(r), c.Rows)
		}
		rows = append(rows, r...)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != m.BaseSHA256 || len(rows) != m.BaseRows {
		return nil, fmt.Errorf("its chunks make %d rows with SHA-256 %s, manifest says %d rows with %s", len(rows), got, m.BaseRows, m.BaseSHA256)
	}
	return rows, nil
}

// applyPatches applies patches (whose contents are raws) to rows in order.
func applyPatches(rows [][]string, patches []ChunkRef, raws [][]byte) ([][]string, error) {
	for i, c := range patches {
		var err error
		if rows, err = applyPatch(rows, raws[i]); err != nil {
			return nil, fmt.Errorf("patch %q: %w", chunkKey(c.SHA256), err)
		}
		if len(rows) != c.Rows {
			return nil, fmt.Errorf("patch %q makes %d rows, manifest says %d", chunkKey(c.SHA256), len(rows), c.Rows)
		}
	}
	return rows, nil
}

// checkContent checks rows against m's content hash.
func checkContent(m *Manifest, rows [][]string) error {
	chk := newContentCheck(0)
	chk.hashes = nil
	for _, r := range rows {
		chk.add(r)
	}
	if sum := chk.sum(); hex.EncodeToString(sum[:]) != m.ContentSHA256 || len(rows) != m.Rows {
		return fmt.Errorf("content has %d rows with SHA-256 %x, manifest says %d rows with %s", len(rows), sum, m.Rows, m.ContentSHA256)
	}
	return nil
}

// readChunkInto is readChunk reading into b's buffers, which it grows as
// needed; the content returned is b.raw.
func (s *Store) readChunkInto(ctx context.Context, c ChunkRef, b *objectBuf) ([]byte, error) {
	key := chunkKey(c.SHA256)
	rctx, cancel := s.req(ctx)
	defer cancel()
	r, err := s.bucket.NewReader(rctx, key, nil)
	if err == nil {
		b.z = slices.Grow(b.z[:0], int(r.Size()))[:r.Size()]
		_, err = io.ReadFull(r, b.z)
		if cerr := r.Close(); err == nil {
			err = cerr
		}
	}
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("chunk %q is missing (run sheetaudit snapshots verify): %w", key, audit.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read chunk %q: %w", key, translate(err))
	}
	raw, err := s.checkChunkInto(key, c, b.z, slices.Grow(b.raw[:0], int(c.Raw)))
	if raw != nil {
		b.raw = raw
	}
	return raw, err
}

// readChunk reads one content object and checks its size and hash.
func (s *Store) readChunk(ctx context.Context, c ChunkRef) ([]byte, error) {
	key := chunkKey(c.SHA256)
	rctx, cancel := s.req(ctx)
	z, err := s.bucket.ReadAll(rctx, key)
	cancel()
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("chunk %q is missing (run sheetaudit snapshots verify): %w", key, audit.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read chunk %q: %w", key, translate(err))
	}
	return s.checkChunk(key, c, z)
}

func (s *Store) checkChunk(key string, c ChunkRef, z []byte) ([]byte, error) {
	return s.checkChunkInto(key, c, z, make([]byte, 0, c.Raw))
}

// checkChunkInto is checkChunk decoding into dst[:0].
func (s *Store) checkChunkInto(key string, c ChunkRef, z, dst []byte) ([]byte, error) {
	// The stored size is not checked: a chunk rewritten by another release
	// may compress differently and still hold the same content.
	raw, err := s.dec.DecodeAll(z, dst[:0])
	if err != nil {
		return nil, fmt.Errorf("chunk %q is corrupt: %v: %w", key, err, audit.ErrInvalid)
	}
	if sum := sha256.Sum256(raw); int64(len(raw)) != c.Raw || hex.EncodeToString(sum[:]) != c.SHA256 {
		return nil, fmt.Errorf("chunk %q is corrupt: content has SHA-256 %x (%d bytes), want its name (%d bytes): %w",
			key, sum, len(raw), c.Raw, audit.ErrInvalid)
	}
	return raw, nil
}

// remember keeps v as the newest known version of its sheet.
func (s *Store) remember(v *version) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.last[v.m.Sheet]; old == nil || !v.m.Time.Before(old.m.Time) {
		s.last[v.m.Sheet] = v
	}
}
