package outbox_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cognate/internal/outbox"
)

var secret = []byte("webhook secret")

// call is one request the webhook receiver got.
type call struct {
	Header  http.Header
	Body    []byte
	Payload outbox.WebhookPayload
}

// receiver is an SMS webhook endpoint that checks signatures as a real one
// would, and answers with the statuses it is given, then 204.
type receiver struct {
	t        *testing.T
	statuses []int
	mu       sync.Mutex
	calls    []call
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(r.Header.Get("X-Cognate-Signature")), []byte(want)) {
		rc.t.Errorf("signature %q does not verify", r.Header.Get("X-Cognate-Signature"))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var p outbox.WebhookPayload
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		rc.t.Errorf("payload %s: %v", body, err)
	}
	rc.mu.Lock()
	rc.calls = append(rc.calls, call{Header: r.Header.Clone(), Body: body, Payload: p})
	status := http.StatusNoContent
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	rc.mu.Unlock()
	if status >= 300 && status < 400 {
		w.Header().Set("Location", "/elsewhere")
	}
	w.WriteHeader(status)
	if status >= 400 {
		io.WriteString(w, "provider unavailable")
	}
}

func (rc *receiver) Calls() []call {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]call(nil), rc.calls...)
}

// TestWebhookRetriesUntil2xx: a 503 is retried after the backoff, and the
// retry is the same request (same body, signature and idempotency key).
func TestWebhookRetriesUntil2xx(t *testing.T) {
	rc := &receiver{t: t, statuses: []int{http.StatusServiceUnavailable, http.StatusBadRequest}}
	hook := httptest.NewServer(rc)
	defer hook.Close()

	st := newStore(t)
	clk := newClock()
	sender := &outbox.WebhookSender{URL: hook.URL + "/sms", Secret: secret, Now: clk.Now}
	w := &outbox.Worker{Store: st, Sender: outbox.Mediums{SMS: sender}, Now: clk.Now, Logger: quiet()}
	m := sms(clk.Now())
	m.Kind, m.Body = "invitation", "Your username is alice and temporary password is Xy9!abcd."
	enqueue(t, st, m)

	runOnce(t, w)
	got := stored(t, st, m)
	if got.Status != "pending" || got.Attempts != 1 || !strings.Contains(got.LastError, "503") || !strings.Contains(got.LastError, "provider unavailable") {
		t.Fatalf("after a 503: %+v", got)
	}
	clk.Advance(w.Retry(1))
	runOnce(t, w)
	if got := stored(t, st, m); got.Status != "pending" || got.Attempts != 2 || !strings.Contains(got.LastError, "400") {
		t.Fatalf("after a 400: %+v", got)
	}
	clk.Advance(w.Retry(2))
	runOnce(t, w)
	if got := stored(t, st, m); got.Status != "sent" || got.Attempts != 3 {
		t.Fatalf("after a 204: %+v", got)
	}

	calls := rc.Calls()
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	c := calls[0]
	want := outbox.WebhookPayload{ID: m.ID, PoolID: poolID, Kind: "invitation", PhoneNumber: "+15555550100", Message: m.Body,
		CreatedAt: m.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z07:00")}
	if c.Payload != want {
		t.Errorf("payload %+v, want %+v", c.Payload, want)
	}
	if c.Header.Get("Idempotency-Key") != m.ID || c.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", c.Header)
	}
	if ts, err := strconv.ParseInt(c.Header.Get("X-Cognate-Timestamp"), 10, 64); err != nil || ts != m.CreatedAt.Unix() {
		t.Errorf("X-Cognate-Timestamp %q, want %d", c.Header.Get("X-Cognate-Timestamp"), m.CreatedAt.Unix())
	}
	for _, retry := range calls[1:] {
		if string(retry.Body) != string(c.Body) || retry.Header.Get("Idempotency-Key") != m.ID ||
			retry.Header.Get("X-Cognate-Signature") != c.Header.Get("X-Cognate-Signature") {
			t.Errorf("a retry differs from the first call: %s %v", retry.Body, retry.Header)
		}
	}
	if sig := outbox.Sign(secret, c.Body); sig != c.Header.Get("X-Cognate-Signature") {
		t.Errorf("Sign = %q, header %q", sig, c.Header.Get("X-Cognate-Signature"))
	}
}

func TestWebhookFailures(t *testing.T) {
	m := sms(time.Now())
	t.Run("redirect", func(t *testing.T) {
		hook := httptest.NewServer(&receiver{t: t, statuses: []int{http.StatusFound}})
		defer hook.Close()
		err := (&outbox.WebhookSender{URL: hook.URL, Secret: secret}).Send(t.Context(), m)
		if err == nil || !strings.Contains(err.Error(), "302") || !strings.Contains(err.Error(), "sms-webhook-url") || outbox.IsPermanent(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		stop := make(chan struct{})
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-stop:
			case <-r.Context().Done():
			}
		}))
		defer hook.Close()
		defer close(stop)
		err := (&outbox.WebhookSender{URL: hook.URL, Secret: secret, Timeout: 100 * time.Millisecond}).Send(t.Context(), m)
		if err == nil || !strings.Contains(err.Error(), "did not answer in time") || outbox.IsPermanent(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("nothing listening", func(t *testing.T) {
		err := (&outbox.WebhookSender{URL: "http://" + closedPort(t) + "/sms", Secret: secret}).Send(t.Context(), m)
		if err == nil || !strings.Contains(err.Error(), "check sms-webhook-url") || outbox.IsPermanent(err) {
			t.Fatalf("err = %v", err)
		}
	})
}
