package snapshot

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
	"golang.org/x/sync/errgroup"
)

// Problem is one defect Verify found.
type Problem struct {
	// Object is the name of the object at fault, relative to the store.
	Object string `json:"object"`
	Sheet  string `json:"sheet,omitempty"`
	// Snapshot is the version affected (the oldest, if several are).
	Snapshot string `json:"snapshot,omitempty"`
	Message  string `json:"message"`
}

// String renders the problem as "object: message".
func (p Problem) String() string { return p.Object + ": " + p.Message }

// Verify re-reads every manifest of every sheet and checks that each chunk
// it references exists, and that each sheet's change log chain is intact. With full, it also reads every chunk, checks its
// hash and size, and rebuilds every version to check its content hash, so
// a clean full verify means every version can be restored. The error is for
// a store that cannot be read at all; everything else is a Problem.
func (s *Store) Verify(ctx context.Context, full bool) ([]Problem, error) {
	sheets, err := s.Sheets(ctx)
	if err != nil {
		return nil, err
	}
	var problems []Problem
	bySheet := make(map[string][]*Manifest)
	for _, sheet := range sheets {
		ms, ps, err := s.readAll(ctx, sheet)
		if err != nil {
			return nil, err
		}
		problems = append(problems, ps...)
		bySheet[sheet] = ms
		if _, err := s.LoadState(ctx, sheet); err != nil {
			problems = append(problems, Problem{Object: stateKey(sheet), Sheet: sheet, Message: err.Error()})
		}
		if _, p, err := s.VerifyChangelog(ctx, sheet); err != nil {
			return nil, err
		} else if p != nil {
			problems = append(problems, *p)
		}
	}
	if !full {
		ps, err := s.checkExist(ctx, sheets, bySheet)
		return append(problems, ps...), err
	}
	for _, sheet := range sheets {
		ps, err := s.rebuildAll(ctx, bySheet[sheet])
		if err != nil {
			return nil, err
		}
		problems = append(problems, ps...)
	}
	return problems, nil
}

// readAll reads the manifests of sheet, oldest first, turning unreadable
// ones into problems.
func (s *Store) readAll(ctx context.Context, sheet string) ([]*Manifest, []Problem, error) {
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
			return gctx.Err()
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	var problems []Problem
	for i, err := range errs {
		if err != nil {
			problems = append(problems, Problem{Object: manifestKey(sheet, ids[i]), Sheet: sheet, Snapshot: ids[i], Message: err.Error()})
		}
	}
	ms = slices.DeleteFunc(ms, func(m *Manifest) bool { return m == nil })
	sortManifests(ms)
	return ms, problems, nil
}

// checkExist reports referenced chunks that the bucket does not list.
func (s *Store) checkExist(ctx context.Context, sheets []string, bySheet map[string][]*Manifest) ([]Problem, error) {
	have, err := s.chunkObjects(ctx)
	if err != nil {
		return nil, err
	}
	type missing struct {
		sheet string
		by    []string
	}
	gone := make(map[string]*missing)
	var order []string
	for _, sheet := range sheets {
		for _, m := range bySheet[sheet] {
			for _, c := range m.objects() {
				key := chunkKey(c.SHA256)
				if _, ok := have[key]; ok {
					continue
				}
				g := gone[key]
				if g == nil {
					g = &missing{sheet: sheet}
					gone[key] = g
					order = append(order, key)
				}
				if !slices.Contains(g.by, m.ID) {
					g.by = append(g.by, m.ID)
				}
			}
		}
	}
	var problems []Problem
	for _, key := range order {
		g := gone[key]
		problems = append(problems, Problem{Object: key, Sheet: g.sheet, Snapshot: g.by[0],
			Message: "missing; needed by " + plural(len(g.by), "snapshot") + ": " + listSome(g.by)})
	}
	return problems, nil
}

// rebuildAll rebuilds every version of one sheet, oldest first. A version
// that extends the previous one by patches only applies the new patches,
// so a long history costs one read of each object, not one per version.
func (s *Store) rebuildAll(ctx context.Context, ms []*Manifest) ([]Problem, error) {
	var problems []Problem
	bad := make(map[string]bool) // chunk keys already reported
	var prev *Manifest
	var rows [][]string
	read := func(m *Manifest, refs []ChunkRef) ([][]byte, bool, error) {
		raws := make([][]byte, len(refs))
		errs := make([]error, len(refs))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(s.conc)
		for i, c := range refs {
			g.Go(func() error {
				raws[i], errs[i] = s.readChunk(gctx, c)
				return gctx.Err()
			})
		}
		if err := g.Wait(); err != nil {
			return nil, false, err
		}
		ok := true
		for i, err := range errs {
			if err == nil {
				continue
			}
			ok = false
			if key := chunkKey(refs[i].SHA256); !bad[key] {
				bad[key] = true
				problems = append(problems, Problem{Object: key, Sheet: m.Sheet, Snapshot: m.ID, Message: chunkMessage(err)})
			}
		}
		return raws, ok, nil
	}
	checked := make(map[string]bool) // extra grids' chunk lists rebuilt already
	for _, m := range ms {
		for _, g := range m.grids() {
			f := g.content
			if f == nil || checked[chunkList(f.Chunks)] {
				continue
			}
			raws, ok, rerr := read(m, f.Chunks)
			if rerr != nil {
				return nil, rerr
			}
			if ok {
				if _, err := decodeGrid(g, raws); err != nil {
					problems = append(problems, Problem{Object: manifestKey(m.Sheet, m.ID), Sheet: m.Sheet, Snapshot: m.ID, Message: err.Error()})
				} else {
					checked[chunkList(f.Chunks)] = true
				}
			}
		}
		var err error
		from := 0
		if prev == nil || !extends(m, prev) {
			raws, ok, rerr := read(m, m.Chunks)
			if rerr != nil {
				return nil, rerr
			}
			prev, rows = nil, nil
			if !ok {
				continue
			}
			if rows, err = decodeBase(m, raws); err != nil {
				problems = append(problems, Problem{Object: manifestKey(m.Sheet, m.ID), Sheet: m.Sheet, Snapshot: m.ID, Message: err.Error()})
				continue
			}
		} else {
			from = len(prev.Patches)
		}
		raws, ok, rerr := read(m, m.Patches[from:])
		if rerr != nil {
			return nil, rerr
		}
		prev = nil
		if !ok {
			continue
		}
		if rows, err = applyPatches(rows, m.Patches[from:], raws); err == nil {
			err = checkContent(m, rows)
		}
		if err != nil {
			problems = append(problems, Problem{Object: manifestKey(m.Sheet, m.ID), Sheet: m.Sheet, Snapshot: m.ID, Message: err.Error()})
			continue
		}
		prev = m
	}
	return problems, nil
}

// chunkList names a list of chunks by their hashes.
func chunkList(refs []ChunkRef) string {
	var b strings.Builder
	for _, c := range refs {
		b.WriteString(c.SHA256)
	}
	return b.String()
}

// extends reports whether m is prev plus zero or more patches.
func extends(m, prev *Manifest) bool {
	return m.BaseSHA256 == prev.BaseSHA256 && slices.Equal(m.Chunks, prev.Chunks) &&
		len(m.Patches) >= len(prev.Patches) && slices.Equal(m.Patches[:len(prev.Patches)], prev.Patches)
}

// chunkMessage drops the object name from a chunk error: the problem
// carries it.
func chunkMessage(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, `.zst" `); i >= 0 {
		msg = msg[i+len(`.zst" `):]
	}
	return msg
}

// chunkObjects lists the chunk objects with their attributes.
func (s *Store) chunkObjects(ctx context.Context) (map[string]*blob.ListObject, error) {
	it := s.bucket.List(&blob.ListOptions{Prefix: chunkPrefix})
	out := make(map[string]*blob.ListObject)
	for {
		rctx, cancel := s.req(ctx)
		obj, err := it.Next(rctx)
		cancel()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			if gcerrors.Code(err) == gcerrors.NotFound {
				return out, nil
			}
			return nil, fmt.Errorf("list %q: %w", chunkPrefix, translate(err))
		}
		out[obj.Key] = obj
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func listSome(ids []string) string {
	const most = 5
	if len(ids) <= most {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:most], ", ") + fmt.Sprintf(" and %d more", len(ids)-most)
}
