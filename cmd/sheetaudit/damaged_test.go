package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sheetaudit/sheetaudit/audit"
)

// TestDamagedManifestGoesOn: one damaged manifest, the newest and the one
// the Change Log stands on, is reported by every command that lists
// versions, and none of them stops; the next cycle goes on from the
// newest intact version.
func TestDamagedManifestGoesOn(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	v1 := ts.cycle(t)
	ts.set(t, "客户", clientsV2)
	v2 := ts.cycle(t)
	manifest := filepath.Join(ts.store, "sheets", "clients", "manifests", v2+".json")
	if err := os.WriteFile(manifest, []byte(`{"format": 1, "sheet": "cli`), 0o600); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := ts.cli(t, "snapshots", "list")
	if code != exitFailed || !strings.Contains(out, v1) || !strings.Contains(errOut, v2) || strings.Contains(errOut, "pruned") {
		t.Errorf("snapshots list with a damaged manifest: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d listing %s and naming %s", code, out, errOut, exitFailed, v1, v2)
	}
	if code, out, errOut := ts.cli(t, "status"); code != exitOK || !strings.Contains(out, v1) {
		t.Errorf("status with a damaged manifest: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if code, out, errOut := ts.cli(t, "history", "C00001"); code != exitOK || !strings.Contains(out, v1) {
		t.Errorf("history with a damaged manifest: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	ts.set(t, "客户", clientsV1)
	if code, out, errOut := ts.cli(t, "run", "--once"); code != exitOK {
		t.Errorf("run --once over a damaged logged version: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	review := flatten(ts.get(t, "Needs Review"))
	if !strings.Contains(review, v2) {
		t.Errorf("Needs Review does not name the damaged version %s:\n%s", v2, review)
	}
}

// TestUnwritableState: when the state cannot be written, run --once exits
// 2 with the store's hint (not raw driver text), and status stops showing
// the last recorded "ok".
func TestUnwritableState(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	ts.cycle(t)
	state := filepath.Join(ts.store, "sheets", "clients", "state")
	// A file where the state folder goes: every write into it fails, even
	// for root.
	if err := os.RemoveAll(state); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(state, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ts.set(t, "客户", clientsV2)
	code, out, errOut := ts.cli(t, "run", "--once")
	if code != exitCantRun || !strings.Contains(errOut, "state") || !strings.Contains(errOut, "check the store") {
		t.Errorf("run --once with an unwritable state: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d with the store's hint", code, out, errOut, exitCantRun)
	}
}

// TestStatusUnrecordedOutcome: a version newer than the last recorded
// cycle means a later cycle could not record its outcome; status must not
// show the old "ok".
func TestStatusUnrecordedOutcome(t *testing.T) {
	ts := xlsxSheet(t, clientsV1, "")
	ts.cycle(t)
	st := openTestStore(t, ts)
	// What a cycle that stored its version but could not write the state
	// leaves behind.
	if _, err := st.Put(context.Background(), &audit.Snapshot{Sheet: "clients", HeaderRow: 1, Key: []string{"客户编号"}, Values: clientsV2, Time: time.Now().Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	out := ts.mustCLI(t, "status")
	if !strings.Contains(out, "unknown") || strings.Contains(out, " ok ") {
		t.Errorf("status after an unrecorded cycle:\n%s\nwant unknown, not ok", out)
	}
}
