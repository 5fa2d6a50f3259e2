package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

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
