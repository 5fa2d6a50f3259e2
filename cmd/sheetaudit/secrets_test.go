package main

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Secrets in the formats they really have. None is real.
const (
	smtpUser     = "audit@corp.cn"
	smtpPassword = "Zx9!hunter2-Smtp"
	accessToken  = "ya29.a0AfB_byDq3Jk4Lm9Np0Qr5St8Uv1Wx2Yz3Ab4Cd5Ef6Gh7Ij8Kl9Mn"
	keyID        = "3f9a2c4e8b1d7a6f5e0c9b8a7d6e5f4a3b2c1d0e"
	awsSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// leakKey writes a service-account key of the real format (a fresh RSA key)
// whose token_uri is tokenURL, and returns its path and the secret forms to
// look for in output.
func leakKey(t *testing.T, tokenURL string) (string, []string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	js, err := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "audit-test", "private_key_id": keyID, "private_key": pemKey,
		"client_email": "auditor@audit-test.iam.gserviceaccount.com", "client_id": "1234567890", "token_uri": tokenURL,
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(path, js, 0o600); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(pemKey, "\n")
	return path, []string{keyID, lines[1], lines[len(lines)/2]}
}

// echoSMTP is an SMTP server that repeats each AUTH line in its refusal,
// with the password decoded, as a careless server does.
func echoSMTP(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				fmt.Fprint(c, "220 localhost ESMTP\r\n")
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					line = strings.TrimRight(line, "\r\n")
					switch cmd := strings.ToUpper(strings.Fields(line + " x")[0]); cmd {
					case "EHLO", "HELO":
						fmt.Fprint(c, "250-localhost\r\n250 AUTH PLAIN LOGIN\r\n")
					case "AUTH":
						f := strings.Fields(line)
						dec, _ := base64.StdEncoding.DecodeString(f[len(f)-1])
						pw := dec[strings.LastIndexByte(string(dec), 0)+1:]
						fmt.Fprintf(c, "535 5.7.8 %s rejected: password %s is wrong\r\n", line, pw)
					case "QUIT":
						fmt.Fprint(c, "221 bye\r\n")
						return
					default:
						fmt.Fprint(c, "250 ok\r\n")
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

// TestNoSecretInAnyOutput feeds real-format secrets through every failure
// path (an SMTP server echoing AUTH, a Google API echoing the bearer token,
// a store echoing its credentials) and scans everything sheetaudit writes:
// stdout and stderr with console and JSON logs at debug level, status, the
// report files and every file of the store (the state it records).
func TestNoSecretInAnyOutput(t *testing.T) {
	s3Env(t)
	t.Setenv("AWS_SECRET_ACCESS_KEY", awsSecret)

	// Google: a token endpoint that hands out a bearer token, and an API
	// that refuses every call, echoing the Authorization header.
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token": %q, "token_type": "Bearer", "expires_in": 3600}`, accessToken)
	}))
	t.Cleanup(tokens.Close)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		msg := "caller " + r.Header.Get("Authorization") + " may not read; access_token=" + accessToken
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": 403, "message": msg, "status": "PERMISSION_DENIED"}})
	}))
	t.Cleanup(api.Close)
	keyFile, keyForms := leakKey(t, tokens.URL+"/token")

	// A store that refuses every request, echoing the request's
	// Authorization header and the secret it should never have seen.
	s3 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>signature for %s with secret %s does not match</Message></Error>`,
			r.Header.Get("Authorization"), awsSecret)
	}))
	t.Cleanup(s3.Close)

	smtpAddr := echoSMTP(t)
	plain := base64.StdEncoding.EncodeToString([]byte("\x00" + smtpUser + "\x00" + smtpPassword))
	secrets := append([]string{smtpPassword, plain, accessToken, awsSecret}, keyForms...)

	dir := t.TempDir()
	book := writeBook(t, dir, map[string][][]string{"客户": {
		{"客户编号", "客户名称", "负责人", "销售进展", "最后跟进日期"},
		{"C00001", "华为", "张三", "商务谈判", time.Now().AddDate(0, 0, -40).Format("2006-01-02")},
	}})
	common := `timezone: Asia/Shanghai
report:
  email: {smtp: "` + smtpAddr + `", from: audit@corp.cn, to: [boss@corp.cn], username: ` + smtpUser + `, password: "${SMTP_PASSWORD}", starttls: false}
`
	xlsxSheet := `  - name: clients
    source: {xlsx: ` + book + `}
    tab: 客户
    key: [客户编号]
    staleness: {date_column: 最后跟进日期, owner_column: 负责人, stage_column: 销售进展, default: 30d}
`
	googleSheet := `  - name: online
    source: {google: {spreadsheet_id: "1LeakTestSheet00", credentials_file: ` + keyFile + `, endpoint: "` + api.URL + `"}}
    tab: 客户
    key: [客户编号]
`
	write := func(name, store, sheets string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("store: \""+store+"\"\n"+common+"sheets:\n"+sheets), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	local := write("local.yaml", "./store", xlsxSheet+googleSheet)
	remote := write("remote.yaml", s3URL("audit", s3.URL), xlsxSheet)
	env := map[string]string{"SMTP_PASSWORD": smtpPassword, "AWS_SECRET_ACCESS_KEY": awsSecret}
	out := filepath.Join(dir, "reports")

	runs := [][]string{
		{"run", "--once", "--config", local},
		{"status", "--config", local},
		{"status", "--config", local, "--format", "json"},
		{"report", "--sheet", "clients", "--out", out, "--config", local},
		{"run", "--once", "--config", remote},
		{"snapshots", "list", "--config", remote},
		{"status", "--config", remote},
	}
	for _, format := range []string{"json", "console"} {
		for _, args := range runs {
			args := append(append([]string(nil), args...), "--log-level", "debug", "--log-format", format)
			code, stdout, stderr := sheetaudit(t, env, args...)
			if code == exitOK && args[0] == "run" {
				t.Errorf("%v succeeded; every path here should fail", args)
			}
			for _, s := range secrets {
				for name, text := range map[string]string{"stdout": stdout, "stderr": stderr} {
					if strings.Contains(text, s) {
						t.Errorf("%v: %s (%s logs) holds secret %q:\n%s", args, name, format, s, text)
					}
				}
			}
		}
	}
	// Every file sheetaudit wrote: the state it records, the reports.
	var files int
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == keyFile || strings.HasSuffix(path, ".xlsx") || strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, s := range secrets {
			if strings.Contains(string(data), s) {
				t.Errorf("%s holds secret %q", path, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Error("no file was written; the scan saw nothing")
	}
	// The failure paths were really taken.
	_, _, stderr := sheetaudit(t, env, "report", "--sheet", "clients", "--config", local)
	_, _, gerr := sheetaudit(t, env, "run", "--once", "--sheet", "online", "--config", local)
	if !strings.Contains(stderr, "535") || !strings.Contains(gerr, "PERMISSION_DENIED") && !strings.Contains(gerr, "permission") {
		t.Errorf("the failures did not happen as planned:\nreport: %s\nrun: %s", stderr, gerr)
	}
}
