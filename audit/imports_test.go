package audit_test

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestImportRule keeps the layering of STYLE.md true: audit imports only the
// standard library and zap; the adapters import audit but never each other
// nor config; only cmd/sheetaudit ties everything together.
func TestImportRule(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	const mod = "github.com/sheetaudit/sheetaudit"
	cmd := exec.Command("go", "list", "-e", "-json", mod+"/...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	adapters := []string{"sheets", "xlsx", "snapshot", "daemon", "config", "mail", "chat", "report", "holidays"}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Imports    []string
			Standard   bool
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, mod), "/")
		top, _, _ := strings.Cut(rel, "/")
		for _, imp := range p.Imports {
			own := strings.HasPrefix(imp, mod+"/")
			impTop, _, _ := strings.Cut(strings.TrimPrefix(imp, mod+"/"), "/")
			switch {
			case top == "audit":
				if own && impTop != "audit" || !own && strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") && !strings.HasPrefix(imp, "go.uber.org/") && !strings.HasPrefix(imp, "github.com/google/go-cmp") {
					t.Errorf("%s imports %s: audit may import only the standard library, zap and itself", p.ImportPath, imp)
				}
			case slices.Contains(adapters, top):
				if own && impTop != top && impTop != "audit" {
					t.Errorf("%s imports %s: adapters import audit only, never each other or config", p.ImportPath, imp)
				}
			}
		}
	}
}
