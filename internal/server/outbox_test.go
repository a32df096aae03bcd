package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"cognate/internal/api"
)

func TestValidateMessaging(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   []string // "" for valid
	}{
		{"logged by default", func(c *Config) {}, nil},
		{"smtp", func(c *Config) { c.SMTPHost, c.SMTPFrom = "smtp.example.com", "Example <no-reply@example.com>" }, nil},
		{"smtp with credentials", func(c *Config) {
			c.SMTPHost, c.SMTPFrom, c.SMTPUsername, c.SMTPPassword = "smtp.example.com", "no-reply@example.com", "u", "p"
		}, nil},
		{"plaintext credentials to a local relay", func(c *Config) {
			c.SMTPHost, c.SMTPFrom, c.SMTPTLS, c.SMTPUsername, c.SMTPPassword = "127.0.0.1", "no-reply@example.com", "none", "u", "p"
		}, nil},
		{"from missing", func(c *Config) { c.SMTPHost = "smtp.example.com" }, []string{"smtp-from is required when smtp-host is set"}},
		{"from unparseable", func(c *Config) { c.SMTPHost, c.SMTPFrom = "smtp.example.com", "no reply" }, []string{`smtp-from "no reply": use an email address`}},
		{"host missing", func(c *Config) { c.SMTPFrom, c.SMTPUsername = "no-reply@example.com", "u" },
			[]string{"smtp-from is set but smtp-host is not", "smtp-username is set but smtp-host is not"}},
		{"host with port", func(c *Config) { c.SMTPHost, c.SMTPFrom = "smtp.example.com:25", "a@example.com" }, []string{"port as smtp-port"}},
		{"bad port", func(c *Config) { c.SMTPHost, c.SMTPFrom, c.SMTPPort = "smtp.example.com", "a@example.com", 70000 }, []string{"smtp-port 70000"}},
		{"bad tls", func(c *Config) { c.SMTPHost, c.SMTPFrom, c.SMTPTLS = "smtp.example.com", "a@example.com", "ssl" }, []string{`smtp-tls "ssl": use starttls`}},
		{"password alone", func(c *Config) { c.SMTPHost, c.SMTPFrom, c.SMTPPassword = "smtp.example.com", "a@example.com", "p" }, []string{"smtp-password is set but smtp-username is not"}},
		{"plaintext credentials", func(c *Config) {
			c.SMTPHost, c.SMTPFrom, c.SMTPTLS, c.SMTPUsername = "smtp.example.com", "a@example.com", "none", "u"
		}, []string{"unencrypted: use smtp-tls starttls or tls"}},
		{"webhook", func(c *Config) { c.SMSWebhookURL, c.SMSWebhookSecret = "https://sms.example.com/send", "k" }, nil},
		{"webhook without secret", func(c *Config) { c.SMSWebhookURL = "https://sms.example.com/send" }, []string{"sms-webhook-secret is required"}},
		{"webhook not http", func(c *Config) { c.SMSWebhookURL, c.SMSWebhookSecret = "ftp://sms.example.com", "k" }, []string{"sms-webhook-url"}},
		{"secret alone", func(c *Config) { c.SMSWebhookSecret = "k" }, []string{"sms-webhook-secret is set but sms-webhook-url is not"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c Config
			tc.change(&c)
			c.Defaults()
			err := c.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
		})
	}
}

func TestDefaultSMTPPort(t *testing.T) {
	for tlsMode, want := range map[string]int{"": 587, "starttls": 587, "none": 587, "tls": 465} {
		c := Config{SMTPTLS: tlsMode}
		c.Defaults()
		if c.SMTPPort != want {
			t.Errorf("smtp-tls %q: port %d, want %d", tlsMode, c.SMTPPort, want)
		}
	}
}

// TestOutboxShowsDelivery: an invitation goes out through the configured
// SMTP server, and GET /_cognate/outbox shows it sent; with the server gone,
// the next one shows the failed attempt and when it is tried again.
func TestOutboxShowsDelivery(t *testing.T) {
	mail := startMailServer(t)
	var logs bytes.Buffer
	host, port, _ := net.SplitHostPort(mail.addr)
	portN, _ := strconv.Atoi(port)
	srv, err := Open(t.Context(), Config{
		DataDir: t.TempDir(), Dev: true,
		SMTPHost: host, SMTPPort: portN, SMTPTLS: "none", SMTPFrom: "no-reply@cognate.example",
		SMTPUsername: "relay-user", SMTPPassword: "relay-password-123",
		SMSWebhookURL: "https://sms.example.com/send?token=abc", SMSWebhookSecret: "webhook-secret-456",
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, want := range []string{"email=smtp", "smtp=" + mail.addr, "smtp_tls=none", "smtp_auth=true", "sms=webhook", "sms_webhook=https://sms.example.com/send"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("start log does not say %q:\n%s", want, logs.String())
		}
	}
	for _, secret := range []string{"relay-password-123", "webhook-secret-456", "token=abc"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log shows %q:\n%s", secret, logs.String())
		}
	}

	ctx := t.Context()
	pool, err := srv.Service.CreateUserPool(ctx, &api.CreateUserPoolInput{PoolName: new("outbox"),
		EmailConfiguration: &api.EmailConfigurationType{
			EmailSendingAccount: api.EmailSendingAccountTypeDeveloper,
			SourceArn:           new("arn:aws:ses:us-east-1:000000000000:identity/example.com"),
			From:                new("Example <no-reply@example.com>"), ReplyToEmailAddress: new("help@example.com"),
		}})
	if err != nil {
		t.Fatal(err)
	}
	invite := func(name string) {
		t.Helper()
		_, err := srv.Service.AdminCreateUser(ctx, &api.AdminCreateUserInput{
			UserPoolId: pool.UserPool.Id, Username: new(name),
			UserAttributes:         []api.AttributeType{{Name: new("email"), Value: new(name + "@example.com")}},
			DesiredDeliveryMediums: []api.DeliveryMediumType{api.DeliveryMediumTypeEmail},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.worker.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	outbox := func(name string) map[string]any {
		t.Helper()
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/_cognate/outbox?userPoolId="+*pool.UserPool.Id+"&username="+name, nil))
		var out struct{ Messages []map[string]any }
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Messages) != 1 {
			t.Fatalf("outbox of %s: %d %s", name, rec.Code, rec.Body)
		}
		return out.Messages[0]
	}

	invite("alice")
	m := outbox("alice")
	if m["Status"] != "sent" || m["Attempts"] != 1.0 || m["SentAt"] == nil || m["LastError"] != nil || m["NextAttempt"] != nil {
		t.Errorf("alice's invitation: %v", m)
	}
	if got := mail.messages(); len(got) != 1 || !strings.Contains(got[0], "To: <alice@example.com>") ||
		!strings.Contains(got[0], `From: "Example" <no-reply@example.com>`) || !strings.Contains(got[0], "Reply-To: <help@example.com>") {
		t.Errorf("the mail server got %q", got)
	}

	mail.close()
	invite("bob")
	m = outbox("bob")
	if m["Status"] != "pending" || m["Attempts"] != 1.0 || m["SentAt"] != nil || m["NextAttempt"] == nil ||
		!strings.Contains(m["LastError"].(string), "connection refused") {
		t.Errorf("bob's invitation: %v", m)
	}
}

// testMailServer is a minimal SMTP server that keeps what it receives.
type testMailServer struct {
	addr string
	srv  *smtp.Server
	mu   sync.Mutex
	got  []string
}

func startMailServer(t *testing.T) *testMailServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &testMailServer{addr: ln.Addr().String()}
	m.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &testSession{m: m}, nil }))
	m.srv.Domain = "localhost"
	m.srv.AllowInsecureAuth = true
	m.srv.ReadTimeout, m.srv.WriteTimeout = 10*time.Second, 10*time.Second
	go m.srv.Serve(ln)
	t.Cleanup(m.close)
	return m
}

func (m *testMailServer) close() { m.srv.Close() }

func (m *testMailServer) messages() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.got...)
}

type testSession struct{ m *testMailServer }

func (s *testSession) AuthMechanisms() []string { return []string{"PLAIN"} }
func (s *testSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "relay-user" || pass != "relay-password-123" {
			return smtp.ErrAuthFailed
		}
		return nil
	}), nil
}
func (s *testSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *testSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *testSession) Reset()                               {}
func (s *testSession) Logout() error                        { return nil }
func (s *testSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.got = append(s.m.got, string(b))
	return err
}
