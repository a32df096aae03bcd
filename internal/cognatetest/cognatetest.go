// Package cognatetest starts real Cognate servers for tests, on SQLite or
// PostgreSQL, and hands out the official aws-sdk-go-v2 Cognito client pointed
// at them.
package cognatetest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"cognate/internal/server"
	"cognate/internal/store/postgres/pgtest"
)

// The administrator key every test server accepts.
const (
	AccessKeyID     = "AKIACOGNATETEST00001"
	SecretAccessKey = "cognate/test/secret/access/key/000000000"
	Region          = "us-east-1"
)

// Backend names a storage backend.
type Backend string

const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Backends are all storage backends, in the order tests run them.
var Backends = []Backend{SQLite, Postgres}

// Server is a running Cognate server.
type Server struct {
	URL    string
	Client *cip.Client
	Config server.Config
	srv    *server.Server
	done   chan error
}

// Option adjusts a test server's configuration.
type Option func(*server.Config)

// Dev starts the server in development mode (any signature accepted).
func Dev() Option { return func(c *server.Config) { c.Dev = true } }

// FirstStart starts the server without configured keys, as a new installation
// starts: it creates an administrator key and writes its credentials file.
func FirstStart() Option { return func(c *server.Config) { c.AccessKeys = "" } }

// Clock injects the server's clock.
func Clock(now func() time.Time) Option { return func(c *server.Config) { c.Now = now } }

// ManualClock is a clock a test moves forward; give its Now to Clock.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a clock that starts at the real time.
func NewManualClock() *ManualClock { return &ManualClock{now: time.Now()} }

func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Start starts a server on a fresh store of the backend; it stops at the end of
// the test. On PostgreSQL each call gets its own schema.
func Start(t testing.TB, backend Backend, opts ...Option) *Server {
	t.Helper()
	cfg := server.Config{
		Addr:       "127.0.0.1:0",
		DataDir:    filepath.Join(t.TempDir(), "data"),
		Region:     Region,
		AccountID:  "123456789012",
		AccessKeys: AccessKeyID + ":" + SecretAccessKey,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if backend == Postgres {
		cfg.DatabaseURL = pgtest.URL(t)
	}
	for _, o := range opts {
		o(&cfg)
	}
	return StartConfig(t, cfg)
}

// StartConfig starts a server with cfg as it is; a second server with the same
// DatabaseURL (and InstanceKey) is a second node of one deployment.
func StartConfig(t testing.TB, cfg server.Config) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + ln.Addr().String()
	}
	srv, err := server.Open(context.Background(), cfg)
	if err != nil {
		ln.Close()
		t.Fatalf("start cognate: %v", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), Config: cfg, srv: srv, done: make(chan error, 1)}
	go func() { s.done <- srv.Serve(ln) }()
	s.Client = s.NewClient(AccessKeyID, SecretAccessKey)
	t.Cleanup(s.Stop)
	return s
}

// Stop shuts the server down; calling it twice is harmless.
func (s *Server) Stop() {
	if s.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.srv.Shutdown(ctx)
	<-s.done
	s.srv.Close()
	s.srv = nil
}

// Restart stops the server and starts a new one on the same storage.
func (s *Server) Restart(t testing.TB) *Server {
	t.Helper()
	s.Stop()
	cfg := s.Config
	cfg.Addr = "127.0.0.1:0"
	cfg.PublicURL = ""
	return StartConfig(t, cfg)
}

// Inner is the running server.Server, for tests that need its store.
func (s *Server) Inner() *server.Server { return s.srv }

// NewClient returns an SDK client signing with the given key. It keeps the
// SDK's default retries, as users run it: they retry the connection that Go's
// transport occasionally closes under a fast server (net.ErrClosed), which
// the SDK treats as retryable; no Cognito error that a test expects is.
func (s *Server) NewClient(accessKeyID, secret string) *cip.Client {
	return cip.New(cip.Options{
		BaseEndpoint: aws.String(s.URL),
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, secret, ""),
		HTTPClient:   &http.Client{Timeout: 30 * time.Second},
	})
}

// ForEachBackend runs fn as a subtest on a fresh server of each backend.
func ForEachBackend(t *testing.T, fn func(t *testing.T, s *Server), opts ...Option) {
	t.Helper()
	for _, b := range Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			fn(t, Start(t, b, opts...))
		})
	}
}
