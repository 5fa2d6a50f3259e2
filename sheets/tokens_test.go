package sheets

import (
	"context"
	"os"
	"testing"

	"github.com/sheetaudit/sheetaudit/sheets/sheetstest"
)

// TestTokensShared: Workbooks opened one after another with the same
// Tokens (a daemon's cycles) exchange one token; a Workbook with a
// replaced key file signs in anew.
func TestTokensShared(t *testing.T) {
	srv := startBook(t, sheetstest.Options{RequireAuth: true}, map[string][][]string{"Data": {{"id"}, {"1"}}})
	keyPath, _ := writeKey(t, srv.TokenURL())
	tokens := NewTokens()
	ctx := context.Background()
	read := func() {
		t.Helper()
		wb := openBook(t, srv, Options{CredentialsFile: keyPath, Tokens: tokens})
		if _, err := wb.ReadTab(ctx, "Data"); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		read()
	}
	if got := countKind(srv, "token"); got != 1 {
		t.Errorf("three Workbooks sharing Tokens exchanged %d tokens, want 1", got)
	}
	other, _ := writeKey(t, srv.TokenURL())
	js, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, js, 0o600); err != nil {
		t.Fatal(err)
	}
	read()
	if got := countKind(srv, "token"); got != 2 {
		t.Errorf("after the key was replaced, %d token exchanges; want 2", got)
	}
}
