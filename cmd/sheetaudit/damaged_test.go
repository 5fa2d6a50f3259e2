package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
