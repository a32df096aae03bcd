// Package server is the composition root: it opens the store, builds the domain
// service and mounts the HTTP edges (the Cognito API, health endpoints) on one
// mux with request logging, and shuts down gracefully.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"cognate/internal/api"
	"cognate/internal/awsjson"
	"cognate/internal/cognito"
	"cognate/internal/iam"
	"cognate/internal/outbox"
	"cognate/internal/secrets"
	"cognate/internal/sigv4"
	"cognate/internal/store"
	"cognate/internal/store/postgres"
	"cognate/internal/store/sqlite"
)

// Config is the server's configuration; cmd/cognate fills it from flags,
// COGNATE_* variables and an optional config file.
type Config struct {
	Addr        string `json:"addr"`
	DataDir     string `json:"dataDir"`
	DatabaseURL string `json:"databaseURL"`
	Region      string `json:"region"`
	AccountID   string `json:"accountID"`
	PublicURL   string `json:"publicURL"`
	Dev         bool   `json:"dev"`
	// AccessKeys are administrator keys, "ID:SECRET" pairs separated by commas.
	AccessKeys string `json:"accessKeys"`
	// InstanceKeyFile holds the base64 key that encrypts secrets at rest;
	// default <DataDir>/instance.key, created on first start.
	InstanceKeyFile string `json:"instanceKeyFile"`
	// InstanceKey, when set, is the base64 key itself (for nodes that share it).
	InstanceKey string `json:"instanceKey"`

	// SMTP delivers email when SMTPHost is set; otherwise emails are logged.
	SMTPHost string `json:"smtpHost"`
	SMTPPort int    `json:"smtpPort"` // default 587, or 465 with SMTPTLS "tls"
	// SMTPTLS is "starttls" (the default), "tls" or "none".
	SMTPTLS      string `json:"smtpTLS"`
	SMTPUsername string `json:"smtpUsername"`
	SMTPPassword string `json:"smtpPassword"`
	// SMTPFrom is the From of emails whose pool sets none, and the envelope
	// sender of all.
	SMTPFrom string `json:"smtpFrom"`
	// SMSWebhookURL receives SMS messages as signed JSON POSTs when set;
	// otherwise they are logged.
	SMSWebhookURL    string `json:"smsWebhookURL"`
	SMSWebhookSecret string `json:"smsWebhookSecret"`
	// SMTPTLSConfig verifies the SMTP server (default: the system's roots).
	SMTPTLSConfig *tls.Config `json:"-"`

	Logger *slog.Logger     `json:"-"`
	Now    func() time.Time `json:"-"`
}

// Defaults fills what was left empty.
func (c *Config) Defaults() {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:9229"
	}
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.AccountID == "" {
		c.AccountID = "000000000000"
	}
	if c.InstanceKeyFile == "" {
		c.InstanceKeyFile = filepath.Join(c.DataDir, "instance.key")
	}
	if c.SMTPTLS == "" {
		c.SMTPTLS = outbox.SMTPStartTLS
	}
	if c.SMTPPort == 0 {
		c.SMTPPort = 587
		if c.SMTPTLS == outbox.SMTPTLS {
			c.SMTPPort = 465
		}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate says what to change when the configuration cannot work.
func (c *Config) Validate() error {
	var errs []error
	if c.DatabaseURL != "" && !isPostgresURL(c.DatabaseURL) {
		errs = append(errs, fmt.Errorf("database URL %q: only postgres:// or postgresql:// URLs are supported; leave it empty to use the embedded SQLite store in the data directory", redactURL(c.DatabaseURL)))
	}
	if !regionPattern(c.Region) {
		errs = append(errs, fmt.Errorf("region %q: use an AWS-style region name such as us-east-1", c.Region))
	}
	if len(c.AccountID) != 12 || strings.Trim(c.AccountID, "0123456789") != "" {
		errs = append(errs, fmt.Errorf("account ID %q: use 12 digits, such as 000000000000", c.AccountID))
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("public URL %q: use the base URL clients reach Cognate at, such as https://auth.example.com", c.PublicURL))
		}
	}
	if _, err := iam.ParseStatic(c.AccessKeys); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.validateSMTP()...)
	errs = append(errs, c.validateSMSWebhook()...)
	return errors.Join(errs...)
}

func (c *Config) validateSMTP() []error {
	var errs []error
	if c.SMTPHost == "" {
		for name, v := range map[string]string{"smtp-username": c.SMTPUsername, "smtp-password": c.SMTPPassword, "smtp-from": c.SMTPFrom} {
			if v != "" {
				errs = append(errs, fmt.Errorf("%s is set but smtp-host is not: set smtp-host to the mail server to send through, or leave %s out to log emails instead", name, name))
			}
		}
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return errs
	}
	if strings.ContainsAny(c.SMTPHost, ":/ ") && net.ParseIP(c.SMTPHost) == nil {
		errs = append(errs, fmt.Errorf("smtp-host %q: give the host name or address alone, such as smtp.example.com, and the port as smtp-port", c.SMTPHost))
	}
	if c.SMTPPort < 1 || c.SMTPPort > 65535 {
		errs = append(errs, fmt.Errorf("smtp-port %d: use a port from 1 to 65535, usually 587 (starttls) or 465 (tls)", c.SMTPPort))
	}
	switch c.SMTPTLS {
	case outbox.SMTPStartTLS, outbox.SMTPTLS, outbox.SMTPNoTLS:
	default:
		errs = append(errs, fmt.Errorf("smtp-tls %q: use starttls (upgrade a plain connection, usually port 587), tls (TLS at once, usually port 465) or none", c.SMTPTLS))
	}
	if c.SMTPFrom == "" {
		errs = append(errs, errors.New("smtp-from is required when smtp-host is set: the address emails come from when their pool names none, such as no-reply@example.com"))
	} else if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
		errs = append(errs, fmt.Errorf("smtp-from %q: use an email address such as no-reply@example.com or \"Example <no-reply@example.com>\"", c.SMTPFrom))
	}
	if c.SMTPUsername == "" && c.SMTPPassword != "" {
		errs = append(errs, errors.New("smtp-password is set but smtp-username is not: set both to authenticate, or neither"))
	}
	if c.SMTPUsername != "" && c.SMTPTLS == outbox.SMTPNoTLS && !isLoopback(c.SMTPHost) {
		errs = append(errs, fmt.Errorf("smtp-username with smtp-tls none would send the password to %s unencrypted: use smtp-tls starttls or tls", c.SMTPHost))
	}
	return errs
}

func (c *Config) validateSMSWebhook() []error {
	if c.SMSWebhookURL == "" {
		if c.SMSWebhookSecret != "" {
			return []error{errors.New("sms-webhook-secret is set but sms-webhook-url is not: set sms-webhook-url to the endpoint that sends SMS, or leave the secret out to log SMS messages instead")}
		}
		return nil
	}
	var errs []error
	u, err := url.Parse(c.SMSWebhookURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("sms-webhook-url %q: use an http:// or https:// URL, such as https://sms.example.com/send", redactURL(c.SMSWebhookURL)))
	}
	if c.SMSWebhookSecret == "" {
		errs = append(errs, errors.New("sms-webhook-secret is required when sms-webhook-url is set: the key the receiver checks X-Cognate-Signature with (generate one with: openssl rand -hex 32)"))
	}
	return errs
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func regionPattern(r string) bool {
	if r == "" || len(r) > 32 {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func isPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}

// Server is a running Cognate.
type Server struct {
	cfg     Config
	store   store.Store
	Service *cognito.Service
	handler http.Handler
	http    *http.Server
	worker  *outbox.Worker
	stop    context.CancelFunc
	stopped chan struct{}
	// AdminCredentialsFile is where the administrator key created on first
	// start was written ("" when none was created).
	AdminCredentialsFile string
}

// Open opens the store (running migrations), loads the instance key and
// prepares the handlers. Call Serve to accept connections and Close at the end.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	key, err := instanceKey(cfg)
	if err != nil {
		return nil, err
	}
	box, err := secrets.New(key)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	keys := iam.New(st, box, mustStatic(cfg.AccessKeys))
	s := &Server{cfg: cfg, store: st}
	credsPath := filepath.Join(cfg.DataDir, "admin-credentials")
	created, err := keys.EnsureAdminKey(ctx, credsPath, sigv4.NewAccessKey, cfg.Now())
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("create the administrator key: %w", err)
	}
	if created {
		s.AdminCredentialsFile = credsPath
	}

	s.Service = cognito.New(st, box, cognito.Config{Region: cfg.Region, AccountID: cfg.AccountID, PublicURL: cfg.PublicURL, Now: cfg.Now})
	verifier := &sigv4.Verifier{
		Lookup:       keys.Secret,
		Now:          cfg.Now,
		Service:      "cognito-idp",
		AnySignature: cfg.Dev,
	}
	api := &awsjson.Handler{
		Service:      s.Service,
		Authenticate: authenticator(verifier),
		RegionOf:     sigv4.RegionOf,
		Region:       cfg.Region,
		Logger:       cfg.Logger,
	}
	mux := http.NewServeMux()
	mux.Handle("/{$}", api)
	mux.Handle("GET /_cognate/outbox", s.adminEndpoint(verifier, s.outbox))
	mux.HandleFunc("PUT /_cognate/import/{poolId}/{jobId}", s.importUpload)
	mux.Handle("GET /_cognate/import/{poolId}/{jobId}/report", s.adminEndpoint(verifier, s.importReport))
	mux.HandleFunc("GET /{poolId}/.well-known/jwks.json", s.jwks)
	mux.HandleFunc("GET /{poolId}/.well-known/openid-configuration", s.openIDConfiguration)
	mux.HandleFunc("GET /confirmUser", s.confirmUser)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.ready)
	s.handler = logRequests(cfg.Logger, mux)
	sender, err := senders(cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	s.worker = &outbox.Worker{Store: st, Sender: sender, Now: cfg.Now, Interval: time.Second, Logger: cfg.Logger}
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// senders picks each medium's sender from the configuration and logs which
// are active (never their credentials).
func senders(cfg Config) (outbox.Sender, error) {
	logged := outbox.LogSender{Logger: cfg.Logger}
	route := outbox.Mediums{Email: logged, SMS: logged}
	email, sms := []any{"email", "log"}, []any{"sms", "log"}
	if cfg.SMTPHost != "" {
		smtp, err := outbox.NewSMTPSender(outbox.SMTPConfig{
			Host: cfg.SMTPHost, Port: cfg.SMTPPort, TLS: cfg.SMTPTLS,
			Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, From: cfg.SMTPFrom,
			TLSConfig: cfg.SMTPTLSConfig,
		})
		if err != nil {
			return nil, err
		}
		route.Email = smtp
		email = append([]any{"email", "smtp"}, smtp.Describe()...)
	}
	if cfg.SMSWebhookURL != "" {
		hook := &outbox.WebhookSender{URL: cfg.SMSWebhookURL, Secret: []byte(cfg.SMSWebhookSecret), Now: cfg.Now}
		route.SMS = hook
		sms = append([]any{"sms", "webhook"}, hook.Describe()...)
	}
	cfg.Logger.Info("outbox senders", append(email, sms...)...)
	return route, nil
}

func mustStatic(s string) map[string]string {
	keys, _ := iam.ParseStatic(s) // checked by Validate
	return keys
}

func instanceKey(cfg Config) ([]byte, error) {
	if cfg.InstanceKey != "" {
		return secrets.ParseKey(cfg.InstanceKey)
	}
	key, created, err := secrets.LoadOrCreateKeyFile(cfg.InstanceKeyFile)
	if err != nil {
		return nil, fmt.Errorf("instance key: %w", err)
	}
	if created {
		cfg.Logger.Info("created a new instance key; back it up: secrets in the database cannot be read without it", "file", cfg.InstanceKeyFile)
	}
	return key, nil
}

func openStore(ctx context.Context, cfg Config) (store.Store, error) {
	if cfg.DatabaseURL != "" {
		st, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL at %s: %w", redactURL(cfg.DatabaseURL), err)
		}
		return st, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(cfg.DataDir, "cognate.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	return st, nil
}

// authenticator adapts the SigV4 verifier to the API edge: its errors become
// the protocol errors AWS answers with.
func authenticator(v *sigv4.Verifier) awsjson.Authenticator {
	return func(r *http.Request, body []byte) (string, string, error) {
		id, err := v.Verify(r, body)
		if err != nil {
			var se *sigv4.Error
			if errors.As(err, &se) {
				status := http.StatusBadRequest
				if se.Code == "MissingAuthenticationTokenException" {
					status = http.StatusForbidden
				}
				return "", "", &api.ProtocolError{Code: se.Code, Message: se.Message, Status: status}
			}
			return "", "", err
		}
		return id.Region, id.AccessKeyID, nil
	}
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.store.ListAccessKeys(ctx); err != nil {
		http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	ctx, stop := context.WithCancel(context.Background())
	s.stop, s.stopped = stop, make(chan struct{})
	go func() {
		defer close(s.stopped)
		var wg sync.WaitGroup
		wg.Go(func() { s.collectExpired(ctx) })
		wg.Go(func() { s.runImports(ctx) })
		s.worker.Run(ctx)
		wg.Wait()
	}()
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// collectExpired removes expired sessions and refresh tokens every minute
// until ctx ends, in bounded batches so that no transaction grows large.
func (s *Server) collectExpired(ctx context.Context) {
	const batch = 1000
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for {
			n, err := s.Service.CollectExpired(ctx, batch)
			if err != nil {
				if ctx.Err() == nil {
					s.cfg.Logger.Warn("removing expired sessions and refresh tokens failed; retrying in a minute", "err", err)
				}
				break
			}
			if n < batch {
				break
			}
		}
	}
}

// Shutdown stops accepting connections and waits for in-flight requests.
// The outbox worker stops after its current batch.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if s.stop != nil {
		s.stop()
		<-s.stopped
	}
	return err
}

// Close releases the store.
func (s *Server) Close() error { return s.store.Close() }

// Store is the server's store (for tests and commands).
func (s *Server) Store() store.Store { return s.store }
