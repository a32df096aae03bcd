package main

import (
	"bytes"
	"context"
	"flag"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cognate/internal/api"
	"cognate/internal/server"
)

func TestLayering(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cognate.json")
	os.WriteFile(file, []byte(`{"addr":"127.0.0.1:1111","region":"eu-west-1","accountID":"111111111111","dev":true}`), 0o600)
	t.Setenv("COGNATE_REGION", "ap-south-1")
	t.Setenv("COGNATE_ADDR", "127.0.0.1:2222")

	var cfg server.Config
	var configFile, level string
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	flags(fs, &cfg, &configFile, &level)
	if err := fs.Parse([]string{"--config", file, "--addr", "127.0.0.1:3333"}); err != nil {
		t.Fatal(err)
	}
	if err := layer(fs, &cfg, configFile); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:3333" || cfg.Region != "ap-south-1" || cfg.AccountID != "111111111111" || !cfg.Dev {
		t.Fatalf("flag > variable > file not respected: %+v", cfg)
	}
}

func TestConfigFileRefusesUnknownKeys(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cognate.json")
	os.WriteFile(file, []byte(`{"adress":"127.0.0.1:1"}`), 0o600)
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"serve", "--config", file}, &stderr)
	if err == nil || !strings.Contains(err.Error(), `unknown field "adress"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestBadConfigurationSaysWhatToChange(t *testing.T) {
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--database-url", "mysql://x", "--account-id", "12"}, &stderr)
	if err == nil || !strings.Contains(err.Error(), "only postgres:// or postgresql:// URLs") || !strings.Contains(err.Error(), "use 12 digits") {
		t.Fatalf("err = %v", err)
	}
}

func TestMessagingLayering(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cognate.json")
	os.WriteFile(file, []byte(`{"smtpHost":"smtp.file.example","smtpPort":2525,"smtpTLS":"none","smtpFrom":"file@example.com",
		"smtpUsername":"file-user","smsWebhookURL":"https://sms.file.example/send","smsWebhookSecret":"file-secret"}`), 0o600)
	t.Setenv("COGNATE_SMTP_PASSWORD", "env-password")
	t.Setenv("COGNATE_SMTP_TLS", "tls")
	t.Setenv("COGNATE_SMS_WEBHOOK_SECRET", "env-secret")

	var cfg server.Config
	var configFile, level string
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	flags(fs, &cfg, &configFile, &level)
	if err := fs.Parse([]string{"--config", file, "--smtp-host", "smtp.flag.example"}); err != nil {
		t.Fatal(err)
	}
	if err := layer(fs, &cfg, configFile); err != nil {
		t.Fatal(err)
	}
	type messaging struct {
		host     string
		port     int
		tls      string
		username string
		password string
		from     string
		url      string
		secret   string
	}
	want := messaging{"smtp.flag.example", 2525, "tls", "file-user", "env-password", "file@example.com", "https://sms.file.example/send", "env-secret"}
	got := messaging{cfg.SMTPHost, cfg.SMTPPort, cfg.SMTPTLS, cfg.SMTPUsername, cfg.SMTPPassword, cfg.SMTPFrom, cfg.SMSWebhookURL, cfg.SMSWebhookSecret}
	if got != want {
		t.Fatalf("flag > variable > file not respected:\n got %+v\nwant %+v", got, want)
	}

	var stderr bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--smtp-host", "smtp.example.com"}, &stderr)
	if err == nil || !strings.Contains(err.Error(), "smtp-from is required when smtp-host is set") {
		t.Fatalf("err = %v", err)
	}
}

// syncBuffer lets the test read the log while the server writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
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

// TestServeStartsAndStops starts the real command, waits until it answers,
// then stops it as SIGTERM would, and checks it exits cleanly and quickly.
func TestServeStartsAndStops(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- run(ctx, []string{"serve", "--addr", addr, "--data-dir", t.TempDir()}, &logs) }()

	var up bool
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			up = resp.StatusCode == http.StatusOK
			break
		}
	}
	if !up {
		t.Fatalf("server did not come up:\n%s", logs.String())
	}
	t.Logf("ready after %v", time.Since(start))
	if !strings.Contains(logs.String(), "created an administrator access key") {
		t.Errorf("first start did not say where the administrator key is:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `msg="outbox senders" email=log sms=log`) {
		t.Errorf("start did not say that messages are logged:\n%s", logs.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestKeysRotate(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	srv, err := server.Open(ctx, server.Config{DataDir: dir, PublicURL: "http://127.0.0.1:9229"})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := srv.Service.CreateUserPool(ctx, &api.CreateUserPoolInput{PoolName: new("rotate")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := *pool.UserPool.Id
	srv.Close()

	var stderr bytes.Buffer
	if err := run(ctx, []string{"keys", "rotate", "--data-dir", dir, "--pool", poolID}, &stderr); err != nil {
		t.Fatalf("rotate: %v\n%s", err, stderr.String())
	}
	srv, err = server.Open(ctx, server.Config{DataDir: dir, PublicURL: "http://127.0.0.1:9229"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	keys, err := srv.Store().ListSigningKeys(ctx, poolID)
	if err != nil || len(keys) != 1 {
		t.Fatalf("signing keys after a rotation: %d, %v", len(keys), err)
	}

	err = run(ctx, []string{"keys", "rotate", "--data-dir", dir}, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--pool is required") {
		t.Fatalf("without --pool: %v", err)
	}
	err = run(ctx, []string{"keys", "rotate", "--data-dir", dir, "--pool", "us-east-1_nosuchpoo"}, &stderr)
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("unknown pool: %v", err)
	}
}

func TestUsersImportExport(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	srv, err := server.Open(ctx, server.Config{DataDir: dir, PublicURL: "http://127.0.0.1:9229"})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := srv.Service.CreateUserPool(ctx, &api.CreateUserPoolInput{PoolName: new("cli")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := *pool.UserPool.Id
	srv.Close()

	file := filepath.Join(dir, "users.csv")
	os.WriteFile(file, []byte("email,name,cognito:username\na@example.com,Ann,ann\nnot-an-email,Bob,bob\nc@example.com,Cid,cid\n"), 0o600)
	var stdout, stderr bytes.Buffer
	err = importUsers(ctx, []string{"--data-dir", dir, "--pool", poolID, file}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, stderr.String())
	}
	if out := stdout.String(); !strings.Contains(out, "2 imported, 0 skipped, 1 failed") || !strings.Contains(out, "line 3 bob: Failed Invalid email address format.") {
		t.Errorf("import summary:\n%s", out)
	}

	out := filepath.Join(dir, "export.csv")
	if err := exportUsers(ctx, []string{"--data-dir", dir, "--pool", poolID, "--out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("export: %v", err)
	}
	exported, _ := os.ReadFile(out)
	if lines := strings.Count(string(exported), "\n"); lines != 3 || !strings.Contains(string(exported), "Ann") {
		t.Errorf("export:\n%s", exported)
	}

	err = importUsers(ctx, []string{"--data-dir", dir, file}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("import without --pool: %v", err)
	}
}
