package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	gsheets "google.golang.org/api/sheets/v4"

	"github.com/sheetaudit/sheetaudit/xlsx"
)

// syncBuffer is a strings.Builder safe for a writer and a poller.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestEmulatorCommand serves a CSV file, edits it through the real client
// and checks that --save writes the edited spreadsheet on exit.
func TestEmulatorCommand(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "clients.csv")
	if err := os.WriteFile(csvPath, []byte("客户编号,客户名称\nC00001,华为\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(dir, "after.xlsx")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"emulator", "--addr", "127.0.0.1:0", "--load", csvPath, "--save", saved}, func(string) string { return "" }, &stdout, &stderr)
	}()
	endpointRE := regexp.MustCompile(`serving on (http://127\.0\.0\.1:\d+/)`)
	var endpoint string
	for deadline := time.Now().Add(10 * time.Second); endpoint == "" && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if m := endpointRE.FindStringSubmatch(stdout.String()); m != nil {
			endpoint = m[1]
		}
	}
	if endpoint == "" {
		cancel()
		t.Fatalf("no endpoint printed; stdout %q stderr %q", stdout.String(), stderr.String())
	}
	svc, err := gsheets.NewService(ctx, option.WithEndpoint(endpoint), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Spreadsheets.Values.Get("clients", "clients!A1:B2").Do()
	if err != nil || len(got.Values) != 2 || got.Values[1][1] != "华为" {
		t.Fatalf("values.get = %+v, %v", got, err)
	}
	_, err = svc.Spreadsheets.Values.Update("clients", "clients!B2", &gsheets.ValueRange{Values: [][]any{{"华为技术"}}}).ValueInputOption("RAW").Do()
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("emulator exit %d; stderr %s", code, stderr.String())
	}
	wb, err := xlsx.Open(saved, xlsx.Options{})
	if err != nil {
		t.Fatalf("saved workbook: %v", err)
	}
	tab, err := wb.ReadTab(context.Background(), "clients")
	if err != nil || tab.Values[1][1] != "华为技术" {
		t.Errorf("saved tab = %v, %v; want the edit", tab, err)
	}
}

// TestBinaryLinksNoTestPackages keeps test-only code out of the production
// binary: the emulator command uses sheets/sheetstest/emulator, never the
// sheetstest helpers that link testing and net/http/httptest.
func TestBinaryLinksNoTestPackages(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		switch p {
		case "testing", "net/http/httptest", "github.com/sheetaudit/sheetaudit/sheets/sheetstest":
			t.Errorf("the sheetaudit binary links %s; the command must use sheets/sheetstest/emulator", p)
		}
	}
}

// serviceAccountJSON makes a service-account key whose token_uri is the
// emulator's token endpoint.
func serviceAccountJSON(t *testing.T, email, tokenURI string) []byte {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "p", "private_key_id": "k1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": email, "client_id": "1", "token_uri": tokenURI,
	})
	return js
}

// TestEmulatorCommandLikeGoogle runs the command as a new user would, with
// credentials and quotas: no token is refused, an unshared spreadsheet is a
// 403, a shared one reads, and the 61st read in a minute is Google's 429.
func TestEmulatorCommandLikeGoogle(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "clients.csv")
	if err := os.WriteFile(csvPath, []byte("客户编号,客户名称\nC00001,华为\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"emulator", "--addr", "127.0.0.1:0", "--require-auth", "--load", csvPath,
			"--share", "reader@p.iam.gserviceaccount.com:reader"}, func(string) string { return "" }, &stdout, &stderr)
	}()
	endpointRE := regexp.MustCompile(`serving on (http://127\.0\.0\.1:\d+/)`)
	var endpoint string
	for deadline := time.Now().Add(10 * time.Second); endpoint == "" && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if m := endpointRE.FindStringSubmatch(stdout.String()); m != nil {
			endpoint = m[1]
		}
	}
	if endpoint == "" {
		t.Fatalf("no endpoint printed; stdout %q stderr %q", stdout.String(), stderr.String())
	}
	client := func(email string) *gsheets.Service {
		t.Helper()
		svc, err := gsheets.NewService(ctx, option.WithEndpoint(endpoint),
			option.WithAuthCredentialsJSON(option.ServiceAccount, serviceAccountJSON(t, email, endpoint+"token")))
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	code := func(err error) int {
		var ge *googleapi.Error
		if errors.As(err, &ge) {
			return ge.Code
		}
		return 0
	}

	// No token: a write is 401 UNAUTHENTICATED, as Google answers.
	resp, err := http.Post(endpoint+"v4/spreadsheets/clients/values/A1:append?valueInputOption=RAW", "application/json", strings.NewReader(`{"values":[["x"]]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(body), `"UNAUTHENTICATED"`) {
		t.Errorf("no token: %d %s", resp.StatusCode, body)
	}

	// A service account the sheet is not shared with: 403.
	_, err = client("stranger@p.iam.gserviceaccount.com").Spreadsheets.Values.Get("clients", "A1:B2").Do()
	if code(err) != 403 || !strings.Contains(err.Error(), "The caller does not have permission") {
		t.Errorf("unshared read: %v", err)
	}

	// Shared as reader: reads work, writes are 403, and the 61st read of
	// the minute is a 429 with Google's quota body.
	reader := client("reader@p.iam.gserviceaccount.com")
	if _, err := reader.Spreadsheets.Values.Update("clients", "A1", &gsheets.ValueRange{Values: [][]any{{"x"}}}).ValueInputOption("RAW").Do(); code(err) != 403 {
		t.Errorf("reader's write: %v", err)
	}
	// (Up to 121 reads: the quota refills when the minute turns, which may
	// happen mid-loop.)
	var quotaErr error
	for i := 0; i < 121 && quotaErr == nil; i++ {
		_, quotaErr = reader.Spreadsheets.Values.Get("clients", "A1:B2").Do()
		if quotaErr != nil && i < 58 {
			t.Fatalf("read %d: %v", i+1, quotaErr)
		}
	}
	var ge *googleapi.Error
	if !errors.As(quotaErr, &ge) || ge.Code != 429 || !strings.Contains(ge.Message, "Read requests per minute per user") ||
		!strings.Contains(string(ge.Body), `"quota_limit_value":"60"`) || ge.Header.Get("Retry-After") != "" {
		t.Errorf("61 reads: %v", quotaErr)
	}
	cancel()
	if c := <-done; c != exitOK {
		t.Fatalf("emulator exit %d; stderr %s", c, stderr.String())
	}
}

// TestEmulatorCommandFleet serves a folder of spreadsheets with a shortened
// quota window, as the fleet benchmark does: every spreadsheet is served
// and shared, and the quota refills when the short window turns.
func TestEmulatorCommandFleet(t *testing.T) {
	dir := t.TempDir()
	for _, id := range []string{"fleet-1", "fleet-2"} {
		if err := os.MkdirAll(filepath.Join(dir, id), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, id, "客户.csv"), []byte("客户编号\n"+id+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"emulator", "--addr", "127.0.0.1:0", "--load-dir", dir, "--quota-window", "2s",
			"--share", "sa@p.iam.gserviceaccount.com"}, func(string) string { return "" }, &stdout, &stderr)
	}()
	endpointRE := regexp.MustCompile(`serving on (http://127\.0\.0\.1:\d+/)`)
	var endpoint string
	for deadline := time.Now().Add(10 * time.Second); endpoint == "" && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if m := endpointRE.FindStringSubmatch(stdout.String()); m != nil {
			endpoint = m[1]
		}
	}
	if endpoint == "" {
		t.Fatalf("no endpoint printed; stdout %q stderr %q", stdout.String(), stderr.String())
	}
	if out := stdout.String(); !strings.Contains(out, "loaded 2 spreadsheets") || !strings.Contains(out, "quota window 2s") {
		t.Errorf("stdout %q", out)
	}
	svc, err := gsheets.NewService(ctx, option.WithEndpoint(endpoint),
		option.WithAuthCredentialsJSON(option.ServiceAccount, serviceAccountJSON(t, "sa@p.iam.gserviceaccount.com", endpoint+"token")))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"fleet-1", "fleet-2"} {
		vr, err := svc.Spreadsheets.Values.Get(id, "客户!A2").Do()
		if err != nil || len(vr.Values) != 1 || vr.Values[0][0] != id {
			t.Errorf("%s: %v %v", id, vr, err)
		}
	}
	// 60 reads a 2-second window: reading on past the quota meets a 429
	// (unless the machine cannot send 30 reads a second), and once the
	// window turns reads work again.
	var quotaErr error
	for i := 0; i < 2000 && quotaErr == nil; i++ {
		_, quotaErr = svc.Spreadsheets.Values.Get("fleet-1", "A1").Do()
	}
	var ge *googleapi.Error
	if !errors.As(quotaErr, &ge) || ge.Code != 429 {
		t.Fatalf("reads past the quota: %v", quotaErr)
	}
	var refillErr error = quotaErr
	for deadline := time.Now().Add(10 * time.Second); refillErr != nil && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		_, refillErr = svc.Spreadsheets.Values.Get("fleet-1", "A1").Do()
	}
	if refillErr != nil {
		t.Errorf("reads after the window turned: %v", refillErr)
	}
	cancel()
	if c := <-done; c != exitOK {
		t.Fatalf("emulator exit %d; stderr %s", c, stderr.String())
	}
}
