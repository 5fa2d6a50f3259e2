package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// A daemon whose sheets have no schedule says so at start rather than
// idling silently.
func TestRunSaysUnscheduled(t *testing.T) {
	dir := t.TempDir()
	writeBook(t, dir, map[string][][]string{"客户": clientsV1})
	cfg := writeConfig(t, dir, "{xlsx: "+filepath.Join(dir, "book.xlsx")+"}")
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // start, say what there is to say, and stop
	var stdout, stderr bytes.Buffer
	run(ctx, []string{"run", "--config", cfg}, func(string) string { return "" }, &stdout, &stderr)
	if !strings.Contains(stderr.String(), "no sheet has a schedule") || !strings.Contains(stderr.String(), "run --once") {
		t.Errorf("run with unscheduled sheets, stderr:\n%s", stderr.String())
	}
}
