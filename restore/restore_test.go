package restore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sheetaudit/sheetaudit/audit"
	"github.com/sheetaudit/sheetaudit/audit/audittest"
	"github.com/sheetaudit/sheetaudit/restore"
)

var (
	v1 = [][]string{{"客户编号", "客户名称"}, {"C1", "华为"}, {"C2", "腾讯"}}
	v2 = [][]string{{"客户编号", "客户名称"}, {"C1", "华为技术"}, {"C2", "腾讯"}}
)

// setup stores v1 and v2 and leaves v2 in the live tab.
func setup(t *testing.T) (*audittest.Workbook, *audittest.Store, *audittest.Clock) {
	t.Helper()
	ctx := context.Background()
	clock := audittest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	store := audittest.NewStore()
	for _, v := range [][][]string{v1, v2} {
		if _, err := store.Put(ctx, &audit.Snapshot{Sheet: "clients", Time: clock.Now(), HeaderRow: 1, Key: []string{"客户编号"}, Values: v}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
	}
	return audittest.NewWorkbook(map[string][][]string{"客户": v2}), store, clock
}

func options(id string) restore.Options {
	return restore.Options{Sheet: "clients", Tab: "客户", HeaderRow: 1, Key: []string{"客户编号"}, Snapshot: id, InPlace: true}
}

func TestRestoreInPlaceResult(t *testing.T) {
	wb, store, clock := setup(t)
	r := &restore.Restorer{Workbook: wb, Store: store, Now: clock.Now}
	res, err := r.Restore(context.Background(), options("s1"))
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if res.Mode != restore.InPlace || res.Safety != "s2" || res.Restored != "s3" || len(res.Changes) != 1 {
		t.Errorf("Restore = mode %q, safety %q, restored %q, %d changes; want in place, s2, s3, 1", res.Mode, res.Safety, res.Restored, len(res.Changes))
	}
	if diff := cmp.Diff(&restore.Undo{Sheet: "clients", Snapshot: "s2"}, res.Undo); diff != "" {
		t.Errorf("Undo mismatch (-want +got):\n%s", diff)
	}
	got, _ := wb.ReadTab(context.Background(), "客户")
	if diff := cmp.Diff(v1, got.Values); diff != "" {
		t.Errorf("tab after restore mismatch (-want +got):\n%s", diff)
	}
}

func TestRestoreGuard(t *testing.T) {
	wb, store, clock := setup(t)
	wb.Set("客户", [][]string{{"客户编号", "客户名称"}, {"C1", "华为技术"}, {"C2", "腾讯控股"}})
	r := &restore.Restorer{Workbook: wb, Store: store, Now: clock.Now}
	res, err := r.Restore(context.Background(), options("s1"))
	if !errors.Is(err, restore.ErrChanged) {
		t.Fatalf("Restore over an unsaved edit: err = %v, want ErrChanged", err)
	}
	if res.Base != "s2" || res.Safety != "" || res.Undo != nil || len(store.Snapshots("clients")) != 2 {
		t.Errorf("refused restore: base %q safety %q undo %v, %d versions; want s2, none, nil, 2", res.Base, res.Safety, res.Undo, len(store.Snapshots("clients")))
	}
}

// garbling writes every value it is given with a suffix, as a backend that
// formats a date serial its own way would.
type garbling struct{ *audittest.Workbook }

func (g garbling) ReplaceTab(ctx context.Context, title string, rows [][]string) error {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = append([]string(nil), r...)
		if i > 0 && len(out[i]) > 1 {
			out[i][1] += "?"
		}
	}
	return g.Workbook.ReplaceTab(ctx, title, out)
}

func TestRestoreReadBackDifferent(t *testing.T) {
	wb, store, clock := setup(t)
	r := &restore.Restorer{Workbook: garbling{wb}, Store: store, Now: clock.Now}
	res, err := r.Restore(context.Background(), options("s1"))
	if !errors.Is(err, restore.ErrReadBack) {
		t.Fatalf("Restore on a backend that changes what it writes: err = %v, want ErrReadBack", err)
	}
	if res.Restored == "" {
		t.Errorf("Restored is empty: the tab as it reads back must still be stored")
	}
}
