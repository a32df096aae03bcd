package outbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"cognate/internal/store"
)

// TLS modes of an SMTP connection.
const (
	SMTPStartTLS = "starttls" // plain connection upgraded with STARTTLS, which is required
	SMTPTLS      = "tls"      // TLS from the first byte ("SMTPS", usually port 465)
	SMTPNoTLS    = "none"     // no encryption at all
)

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Host string
	Port int
	// TLS is SMTPStartTLS (the default), SMTPTLS or SMTPNoTLS.
	TLS string
	// Username and Password, when Username is set, authenticate with PLAIN
	// or LOGIN (whichever the server offers, PLAIN first).
	Username string
	Password string
	// From is the default From address, and the envelope sender of every
	// message, so that bounces reach the operator whatever From a pool sets.
	From string
	// Timeout bounds a whole delivery: connecting, TLS, authentication and
	// the transfer (default 30 s).
	Timeout time.Duration
	// TLSConfig verifies the server (default: the system's roots and Host).
	TLSConfig *tls.Config
}

// SMTPSender delivers email through an SMTP server (a relay or a provider's
// submission endpoint), one connection per message.
type SMTPSender struct {
	cfg      SMTPConfig
	envelope string
}

// NewSMTPSender checks the configuration; nothing is dialled until Send.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if cfg.Host == "" {
		return nil, errors.New("SMTP host is empty")
	}
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("SMTP port %d: use 1 to 65535", cfg.Port)
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = SMTPStartTLS
	case SMTPStartTLS, SMTPTLS, SMTPNoTLS:
	default:
		return nil, fmt.Errorf("SMTP TLS mode %q: use starttls, tls or none", cfg.TLS)
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("SMTP From address %q: %w", cfg.From, err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.TLSConfig == nil {
		cfg.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	} else {
		cfg.TLSConfig = cfg.TLSConfig.Clone()
	}
	if cfg.TLSConfig.ServerName == "" {
		cfg.TLSConfig.ServerName = cfg.Host
	}
	return &SMTPSender{cfg: cfg, envelope: from.Address}, nil
}

// Addr is the server's host:port.
func (s *SMTPSender) Addr() string { return net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port)) }

// Describe says how the sender connects, without its credentials.
func (s *SMTPSender) Describe() []any {
	return []any{"smtp", s.Addr(), "smtp_tls", s.cfg.TLS, "smtp_auth", s.cfg.Username != "", "smtp_from", s.cfg.From}
}

func (s *SMTPSender) Send(ctx context.Context, m store.Message) error {
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	timeout := s.cfg.Timeout
	if d, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(d))
	}
	if timeout <= 0 {
		return context.DeadlineExceeded
	}
	opts := []mail.Option{
		mail.WithPort(s.cfg.Port),
		mail.WithTimeout(timeout),
		mail.WithTLSConfig(s.cfg.TLSConfig),
	}
	switch s.cfg.TLS {
	case SMTPStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case SMTPTLS:
		opts = append(opts, mail.WithSSL(), mail.WithTLSPolicy(mail.NoTLS))
	case SMTPNoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithOpportunisticSMTPAuth(mail.SMTPAuthPlain, mail.SMTPAuthLogin),
			mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	c, err := mail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("SMTP client for %s: %w", s.Addr(), err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return s.explain(err, m, timeout)
	}
	return nil
}

// message renders the email: the pool's From and Reply-To when it has them,
// a Message-ID and Date that stay the same on every attempt.
func (s *SMTPSender) message(m store.Message) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	from := s.cfg.From
	if m.From != "" {
		from = m.From
	}
	if err := msg.From(from); err != nil {
		return nil, Permanent(fmt.Errorf("From address %q: %w", from, err))
	}
	if err := msg.EnvelopeFrom(s.envelope); err != nil {
		return nil, fmt.Errorf("envelope sender %q: %w", s.envelope, err)
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return nil, Permanent(fmt.Errorf("Reply-To address %q: %w", m.ReplyTo, err))
		}
	}
	if err := msg.To(m.Destination); err != nil {
		return nil, Permanent(fmt.Errorf("recipient %q: %w", m.Destination, err))
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(MessageID(m))
	msg.SetDateWithValue(m.CreatedAt)
	// RFC 3834: tells vacation responders not to answer.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	return msg, nil
}

// explain turns go-mail's error into one that says what to check. A
// recipient the server knows does not exist is permanent; everything else
// may be the configuration or the network and is worth another attempt.
func (s *SMTPSender) explain(err error, m store.Message, timeout time.Duration) error {
	var (
		dnsErr  *net.DNSError
		opErr   *net.OpError
		sendErr *mail.SendError
	)
	switch {
	case errors.As(err, &sendErr) && sendErr.Reason == mail.ErrSMTPRcptTo:
		err = fmt.Errorf("SMTP server %s refused the recipient: %w", s.Addr(), err)
		switch code := sendErr.EnhancedStatusCode(); {
		case strings.HasPrefix(code, "5.1."):
			return Permanent(err)
		case strings.HasPrefix(code, "5.7."):
			return fmt.Errorf("%w (the server will not relay for this sender: check smtp-username and smtp-password, and smtp-from)", err)
		}
		return err
	case errors.As(err, &sendErr) && sendErr.Reason == mail.ErrSMTPMailFrom:
		return fmt.Errorf("SMTP server %s refused the sender %s: %w (check that smtp-from, and the pool's From address, are addresses the server lets you send from)", s.Addr(), s.envelope, err)
	case errors.As(err, &sendErr):
		return fmt.Errorf("SMTP server %s: %w", s.Addr(), err)
	case errors.As(err, &dnsErr):
		return fmt.Errorf("SMTP host %q: %w (check smtp-host)", s.cfg.Host, err)
	case isTLSError(err):
		return fmt.Errorf("TLS with SMTP server %s failed: %w (check smtp-tls: tls for a server that speaks TLS at once, usually on port 465; starttls for one that upgrades, usually on port 587; and that its certificate is valid for %s)", s.Addr(), err, s.cfg.Host)
	case isAuthError(err):
		return fmt.Errorf("SMTP server %s did not accept the credentials: %w (check smtp-username and smtp-password)", s.Addr(), err)
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return fmt.Errorf("connect to SMTP server %s: %w (check smtp-host and smtp-port, and that the server accepts connections from here)", s.Addr(), err)
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		hint := "check smtp-host and smtp-port"
		if s.cfg.TLS != SMTPTLS {
			hint += "; a server that expects TLS at once (usually port 465) says nothing until it gets it: use smtp-tls tls"
		}
		return fmt.Errorf("SMTP server %s did not answer within %s: %w (%s)", s.Addr(), timeout.Round(time.Millisecond), err, hint)
	}
	return fmt.Errorf("SMTP server %s: %w", s.Addr(), err)
}

func isTLSError(err error) bool {
	var (
		recordErr tls.RecordHeaderError
		alertErr  tls.AlertError
		verifyErr *tls.CertificateVerificationError
		authority x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	return errors.As(err, &recordErr) || errors.As(err, &alertErr) || errors.As(err, &verifyErr) ||
		errors.As(err, &authority) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		strings.Contains(err.Error(), "STARTTLS")
}

func isAuthError(err error) bool {
	return errors.Is(err, mail.ErrPlainAuthNotSupported) || errors.Is(err, mail.ErrLoginAuthNotSupported) ||
		errors.Is(err, mail.ErrNoSupportedAuthDiscovered) || strings.Contains(err.Error(), "SMTP AUTH")
}
