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

const mod = "github.com/sheetaudit/sheetaudit"

// goPackage is what the import rule needs of `go list -json`.
type goPackage struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Deps         []string
	Standard     bool
}

func goList(t *testing.T, args ...string) []goPackage {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	out, err := exec.Command("go", append([]string{"list", "-e", "-json"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
	}
	var pkgs []goPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
}

// topOf returns the first path element of an import of this module, and
// whether imp is one.
func topOf(imp string) (string, bool) {
	rest, own := strings.CutPrefix(imp, mod+"/")
	if !own {
		return "", false
	}
	top, _, _ := strings.Cut(rest, "/")
	return top, true
}

func thirdParty(imp string) bool {
	_, own := topOf(imp)
	return !own && imp != mod && strings.Contains(strings.SplitN(imp, "/", 2)[0], ".")
}

// auditMayUse reports whether audit (code and tests) may depend on a third
// party package: zap (and what it pulls) and, in tests, go-cmp.
func auditMayUse(imp string) bool {
	return strings.HasPrefix(imp, "go.uber.org/") || strings.HasPrefix(imp, "github.com/google/go-cmp")
}

// TestImportRule keeps the layering of STYLE.md true, for code and tests
// alike: audit imports only the standard library and zap; the adapters and
// the use-case packages import audit (and the stdlib-only atomicfile) but
// never each other nor config; only cmd/sheetaudit ties everything
// together.
func TestImportRule(t *testing.T) {
	adapters := []string{"sheets", "xlsx", "snapshot", "daemon", "config", "mail", "restore", "export", "chat", "report", "holidays"}
	for _, p := range goList(t, mod+"/...") {
		top, _ := topOf(p.ImportPath)
		check := func(imports []string, test bool) {
			for _, imp := range imports {
				impTop, own := topOf(imp)
				switch {
				case top == "atomicfile":
					if !test && (own || thirdParty(imp)) {
						t.Errorf("%s imports %s: atomicfile imports the standard library only", p.ImportPath, imp)
					}
				case top == "audit":
					// A test may use the pure table generator of the
					// benchmarks; TestTestDeps checks what that pulls in.
					if own && impTop != "audit" && !(test && imp == mod+"/bench/gen") || thirdParty(imp) && !auditMayUse(imp) {
						t.Errorf("%s imports %s: audit may import only the standard library, zap and itself", p.ImportPath, imp)
					}
				case top == "snapshot" && !test && strings.HasPrefix(imp, "gocloud.dev/blob/") && strings.HasSuffix(imp, "blob"):
					t.Errorf("%s imports the store driver %s: cmd/sheetaudit chooses the drivers", p.ImportPath, imp)
				case slices.Contains(adapters, top):
					if own && impTop != top && impTop != "audit" && impTop != "atomicfile" {
						t.Errorf("%s imports %s: adapters import audit only, never each other or config", p.ImportPath, imp)
					}
				}
			}
		}
		check(p.Imports, false)
		check(p.TestImports, true)
		check(p.XTestImports, true)
	}
}

// TestTestDeps checks what audit's tests link, not only what they import:
// a helper they use must not pull in a backend (excelize, the Google
// client, gocloud) behind the rule's back.
func TestTestDeps(t *testing.T) {
	for _, p := range goList(t, "-deps", "-test", mod+"/audit/...") {
		if thirdParty(p.ImportPath) && !auditMayUse(p.ImportPath) {
			t.Errorf("audit's tests link %s: audit and its tests may depend on the standard library, zap and go-cmp only", p.ImportPath)
		}
	}
}
