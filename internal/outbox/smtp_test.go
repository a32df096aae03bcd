package outbox_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"cognate/internal/outbox"
)

// parsed is a received email, headers decoded.
type parsed struct {
	Header mail.Header
	Body   string
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("received an unreadable message: %v\n%s", err, data)
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return parsed{Header: msg.Header, Body: strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")}
}

func (p parsed) get(t *testing.T, name string) string {
	t.Helper()
	v, err := new(mime.WordDecoder).DecodeHeader(p.Header.Get(name))
	if err != nil {
		t.Fatalf("header %s: %v", name, err)
	}
	return v
}

func address(t *testing.T, h string) string {
	t.Helper()
	a, err := mail.ParseAddress(h)
	if err != nil {
		t.Fatalf("address %q: %v", h, err)
	}
	return a.String()
}

// TestSMTPDelivers sends through a server that requires STARTTLS and PLAIN
// authentication (with a self-signed certificate the sender is told to
// trust) and checks what arrives.
func TestSMTPDelivers(t *testing.T) {
	cert, roots := selfSigned(t)
	srv := startMailServer(t, "127.0.0.1:0", func(m *mailServer) {
		m.Users = map[string]string{"cognate": "s3cret"}
		m.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	})
	sender, err := outbox.NewSMTPSender(outbox.SMTPConfig{
		Host: srv.Host, Port: srv.Port, TLS: outbox.SMTPStartTLS,
		Username: "cognate", Password: "s3cret", From: "Cognate <no-reply@cognate.example>",
		TLSConfig: &tls.Config{RootCAs: roots},
	})
	if err != nil {
		t.Fatal(err)
	}

	m := email(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	m.From = "Example Pool <pool@example.com>"
	m.ReplyTo = "help@example.com"
	m.Subject = "Ihr Bestätigungscode"
	m.Body = "Your verification code is 123456.\nÜberprüfen Sie ihn bitte."
	if err := sender.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	plain := email(m.CreatedAt) // no From of its own: the default applies
	if err := sender.Send(t.Context(), plain); err != nil {
		t.Fatal(err)
	}

	got := srv.Messages()
	if len(got) != 2 {
		t.Fatalf("%d messages arrived, want 2", len(got))
	}
	r := got[0]
	if !r.TLS || r.User != "cognate" {
		t.Errorf("session: TLS %v, user %q; want STARTTLS and PLAIN as cognate", r.TLS, r.User)
	}
	if r.From != "no-reply@cognate.example" || len(r.To) != 1 || r.To[0] != "alice@example.com" {
		t.Errorf("envelope: MAIL FROM %q, RCPT TO %q", r.From, r.To)
	}
	p := parse(t, r.Data)
	for name, want := range map[string]string{
		"From":           `"Example Pool" <pool@example.com>`,
		"To":             "<alice@example.com>",
		"Reply-To":       "<help@example.com>",
		"Subject":        m.Subject,
		"Message-Id":     "<" + m.ID + "@cognate>",
		"Auto-Submitted": "auto-generated",
	} {
		got := p.get(t, name)
		if name == "From" || name == "To" || name == "Reply-To" {
			got = address(t, got)
		}
		if got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if date, err := p.Header.Date(); err != nil || !date.Equal(m.CreatedAt) {
		t.Errorf("Date: %v (%v), want the message's creation time %v", date, err, m.CreatedAt)
	}
	if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain", ct)
	}
	if p.Body != m.Body {
		t.Errorf("body %q, want %q", p.Body, m.Body)
	}
	if bytes.Contains(r.Data, []byte("Envelope-From")) {
		t.Errorf("the envelope sender leaked into the headers:\n%s", r.Data)
	}

	p = parse(t, got[1].Data)
	if from := address(t, p.get(t, "From")); from != `"Cognate" <no-reply@cognate.example>` {
		t.Errorf("default From: %q", from)
	}
	if rt := p.Header.Get("Reply-To"); rt != "" {
		t.Errorf("Reply-To %q on a message that has none", rt)
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	cert, roots := selfSigned(t)
	srv := startMailServer(t, "127.0.0.1:0", func(m *mailServer) {
		m.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		m.Implicit = true
	})
	sender, err := outbox.NewSMTPSender(outbox.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: outbox.SMTPTLS,
		From: "no-reply@cognate.example", TLSConfig: &tls.Config{RootCAs: roots}})
	if err != nil {
		t.Fatal(err)
	}
	if err := sender.Send(t.Context(), email(time.Now())); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages(); len(got) != 1 || !got[0].TLS {
		t.Fatalf("received %+v, want one message over TLS", got)
	}
}

// TestSMTPErrorsSayWhatToCheck: each misconfiguration names the setting to
// look at, and only a recipient the server says does not exist is final.
func TestSMTPErrorsSayWhatToCheck(t *testing.T) {
	cert, roots := selfSigned(t)
	secured := startMailServer(t, "127.0.0.1:0", func(m *mailServer) {
		m.Users = map[string]string{"cognate": "s3cret"}
		m.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		m.Reject = map[string]*smtp.SMTPError{
			"nobody@example.com":  {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"},
			"foreign@example.org": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relaying denied"},
			"busy@example.com":    {Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"},
		}
	})
	plain := startMailServer(t, "127.0.0.1:0", nil) // no STARTTLS
	refused := closedPort(t)
	refusedHost, refusedPort := splitAddr(t, refused)

	good := outbox.SMTPConfig{Host: secured.Host, Port: secured.Port, Username: "cognate", Password: "s3cret",
		From: "no-reply@cognate.example", TLSConfig: &tls.Config{RootCAs: roots}, Timeout: 2 * time.Second}
	for _, tc := range []struct {
		name      string
		change    func(*outbox.SMTPConfig)
		to        string
		want      []string
		permanent bool
	}{
		{name: "wrong password", change: func(c *outbox.SMTPConfig) { c.Password = "wrong" },
			want: []string{"check smtp-username and smtp-password", "535"}},
		{name: "untrusted certificate", change: func(c *outbox.SMTPConfig) { c.TLSConfig = nil },
			want: []string{"check smtp-tls", "certificate"}},
		{name: "no STARTTLS offered", change: func(c *outbox.SMTPConfig) { c.Host, c.Port = plain.Host, plain.Port },
			want: []string{"check smtp-tls", "STARTTLS"}},
		{name: "TLS to a plain server", change: func(c *outbox.SMTPConfig) {
			c.Host, c.Port, c.TLS, c.Username = plain.Host, plain.Port, outbox.SMTPTLS, ""
		}, want: []string{"check smtp-tls"}},
		{name: "nothing listening", change: func(c *outbox.SMTPConfig) { c.Host, c.Port = refusedHost, refusedPort },
			want: []string{"check smtp-host and smtp-port", "refused"}},
		{name: "unknown host", change: func(c *outbox.SMTPConfig) { c.Host = "mail.invalid" },
			want: []string{"check smtp-host"}},
		{name: "no such user", to: "nobody@example.com", want: []string{"refused the recipient", "5.1.1"}, permanent: true},
		{name: "relaying denied", to: "foreign@example.org", want: []string{"refused the recipient", "5.7.1"}},
		{name: "temporary refusal", to: "busy@example.com", want: []string{"refused the recipient", "451"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			if tc.change != nil {
				tc.change(&cfg)
			}
			sender, err := outbox.NewSMTPSender(cfg)
			if err != nil {
				t.Fatal(err)
			}
			m := email(time.Now())
			if tc.to != "" {
				m.Destination = tc.to
			}
			err = sender.Send(t.Context(), m)
			if err == nil {
				t.Fatal("sent")
			}
			t.Log(err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if outbox.IsPermanent(err) != tc.permanent {
				t.Errorf("permanent = %v, want %v (%v)", outbox.IsPermanent(err), tc.permanent, err)
			}
		})
	}
}

func TestSMTPTimeout(t *testing.T) {
	// A listener that accepts and never speaks, as an implicit-TLS server
	// does to a client waiting for its greeting.
	silent := listenSilently(t)
	host, port := splitAddr(t, silent)
	sender, err := outbox.NewSMTPSender(outbox.SMTPConfig{Host: host, Port: port, From: "no-reply@cognate.example", Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = sender.Send(context.Background(), email(time.Now()))
	if err == nil || !strings.Contains(err.Error(), "did not answer within") || !strings.Contains(err.Error(), "smtp-tls tls") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the timeout took %s", d)
	}
}

func TestNewSMTPSenderChecksItsConfiguration(t *testing.T) {
	for _, cfg := range []outbox.SMTPConfig{
		{Port: 25, From: "a@example.com"},
		{Host: "mail.example.com", From: "not an address"},
		{Host: "mail.example.com", From: "a@example.com", TLS: "ssl"},
		{Host: "mail.example.com", From: "a@example.com", Port: 70000},
	} {
		if _, err := outbox.NewSMTPSender(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

// TestMessageIDIsStable: the Message-ID is the same on every attempt, so a
// receiver can drop the copy a crash between sending and recording causes.
func TestMessageIDIsStable(t *testing.T) {
	srv := startMailServer(t, "127.0.0.1:0", nil)
	sender, err := outbox.NewSMTPSender(outbox.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: outbox.SMTPNoTLS, From: "no-reply@cognate.example"})
	if err != nil {
		t.Fatal(err)
	}
	m := email(time.Now().Truncate(time.Second))
	for range 2 {
		if err := sender.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	got := srv.Messages()
	a, b := parse(t, got[0].Data), parse(t, got[1].Data)
	if a.Header.Get("Message-Id") != b.Header.Get("Message-Id") || a.Header.Get("Date") != b.Header.Get("Date") {
		t.Errorf("two attempts differ: %q %q / %q %q", a.Header.Get("Message-Id"), a.Header.Get("Date"), b.Header.Get("Message-Id"), b.Header.Get("Date"))
	}
	if want := "<" + outbox.MessageID(m) + ">"; a.Header.Get("Message-Id") != want {
		t.Errorf("Message-ID %q, want %q", a.Header.Get("Message-Id"), want)
	}
}
