package outbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cognate/internal/store"
)

// Headers of a webhook call.
const (
	SignatureHeader   = "X-Cognate-Signature" // "sha256=" + hex HMAC-SHA256 of the body
	TimestampHeader   = "X-Cognate-Timestamp" // Unix seconds when the call was made
	IdempotencyHeader = "Idempotency-Key"     // the message ID, the same on every attempt
)

// WebhookSender hands SMS messages to an HTTP endpoint that sends them (a
// small service in front of Twilio, SNS or a modem): Cognate need not know
// the provider, and the receiver can check that the call is Cognate's.
type WebhookSender struct {
	URL    string
	Secret []byte
	// Client makes the calls; nil is one with Timeout and no redirects.
	Client *http.Client
	// Timeout bounds one call when Client is nil (default 10 s).
	Timeout time.Duration
	Now     func() time.Time
}

// WebhookPayload is the JSON body of a webhook call.
type WebhookPayload struct {
	ID          string `json:"id"`
	PoolID      string `json:"poolId"`
	Kind        string `json:"kind"`
	PhoneNumber string `json:"phoneNumber"`
	Message     string `json:"message"`
	CreatedAt   string `json:"createdAt"` // RFC 3339, UTC
}

// Sign returns the signature header value of body under secret; receivers
// compare it in constant time (hmac.Equal).
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Describe says where the sender posts, without the URL's query or
// credentials, which may carry secrets.
func (s *WebhookSender) Describe() []any { return []any{"sms_webhook", s.where()} }

func (s *WebhookSender) where() string {
	u, err := url.Parse(s.URL)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Scheme + "://" + u.Host + u.Path
}

func (s *WebhookSender) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &http.Client{
		Timeout: timeout,
		// A redirect would resend the message somewhere the operator did
		// not configure; it is reported instead.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (s *WebhookSender) Send(ctx context.Context, m store.Message) error {
	body, err := json.Marshal(WebhookPayload{
		ID: m.ID, PoolID: m.PoolID, Kind: m.Kind, PhoneNumber: m.Destination, Message: m.Body,
		CreatedAt: m.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
	})
	if err != nil {
		return Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("SMS webhook URL %q: %w (check sms-webhook-url)", s.URL, err)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Cognate")
	req.Header.Set(SignatureHeader, Sign(s.Secret, body))
	req.Header.Set(TimestampHeader, strconv.FormatInt(now().Unix(), 10))
	req.Header.Set(IdempotencyHeader, m.ID)
	resp, err := s.client().Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) && uerr.Timeout() {
			return fmt.Errorf("SMS webhook %s did not answer in time: %w", s.where(), err)
		}
		return fmt.Errorf("SMS webhook %s: %w (check sms-webhook-url, and that the receiver is up)", s.where(), err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	detail := truncate(strings.TrimSpace(string(snippet)), 200)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return fmt.Errorf("SMS webhook %s answered %s, to %q: point sms-webhook-url at the final address", s.where(), resp.Status, resp.Header.Get("Location"))
	}
	if detail != "" {
		return fmt.Errorf("SMS webhook %s answered %s: %s", s.where(), resp.Status, detail)
	}
	return fmt.Errorf("SMS webhook %s answered %s", s.where(), resp.Status)
}
