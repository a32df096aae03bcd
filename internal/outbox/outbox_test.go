package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"cognate/internal/outbox"
	"cognate/internal/store"
)

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func smtpTo(t *testing.T, addr string) *outbox.SMTPSender {
	t.Helper()
	host, port := splitAddr(t, addr)
	s, err := outbox.NewSMTPSender(outbox.SMTPConfig{Host: host, Port: port, TLS: outbox.SMTPNoTLS,
		From: "no-reply@cognate.example", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func runOnce(t *testing.T, w *outbox.Worker) int {
	t.Helper()
	n, err := w.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRetryBacksOffExponentially(t *testing.T) {
	w := &outbox.Worker{}
	for attempts, want := range map[int]time.Duration{
		1: 5 * time.Second, 2: 10 * time.Second, 3: 20 * time.Second, 9: 1280 * time.Second,
		10: 2560 * time.Second, 11: time.Hour, 100: time.Hour,
	} {
		if got := w.Retry(attempts); got != want {
			t.Errorf("Retry(%d) = %s, want %s", attempts, got, want)
		}
	}
	w = &outbox.Worker{Backoff: time.Second, MaxBackoff: 3 * time.Second}
	if got := w.Retry(3); got != 3*time.Second {
		t.Errorf("Retry(3) with a 3 s cap = %s", got)
	}
}

// TestServerDownThenBack: the mail server refuses connections at first and
// comes back later; the message is retried with backoff, arrives exactly
// once, and the outbox shows the attempts and then "sent".
func TestServerDownThenBack(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	addr := closedPort(t)
	w := &outbox.Worker{Store: st, Sender: outbox.Mediums{Email: smtpTo(t, addr)}, Now: clk.Now, Logger: quiet()}
	m := email(clk.Now())
	enqueue(t, st, m)

	for attempt, wait := range []time.Duration{5 * time.Second, 10 * time.Second} {
		if n := runOnce(t, w); n != 1 {
			t.Fatalf("attempt %d: leased %d messages", attempt+1, n)
		}
		got := stored(t, st, m)
		if got.Status != "pending" || got.Attempts != attempt+1 || !strings.Contains(got.LastError, "connection refused") ||
			!got.NextAttempt.Equal(clk.Now().Add(wait)) {
			t.Fatalf("after attempt %d: %s, %d attempts, next in %s, error %q; want pending, next in %s",
				attempt+1, got.Status, got.Attempts, got.NextAttempt.Sub(clk.Now()), got.LastError, wait)
		}
		if n := runOnce(t, w); n != 0 {
			t.Fatalf("a message in backoff was leased")
		}
		clk.Advance(wait)
	}

	srv := startMailServer(t, addr, nil)
	if n := runOnce(t, w); n != 1 {
		t.Fatalf("leased %d messages once the server is back", n)
	}
	got := stored(t, st, m)
	if got.Status != "sent" || got.Attempts != 3 || got.LastError != "" || !got.NextAttempt.Equal(clk.Now()) {
		t.Fatalf("after delivery: %+v; want sent after 3 attempts, with the time it was sent", got)
	}
	clk.Advance(24 * time.Hour)
	if n := runOnce(t, w); n != 0 {
		t.Fatalf("a sent message was leased again")
	}
	if msgs := srv.Messages(); len(msgs) != 1 {
		t.Fatalf("%d copies arrived, want 1", len(msgs))
	}
}

// TestDeliversThePoolsEnvelope: the From and Reply-To the domain stored with
// the message reach the recipient.
func TestDeliversThePoolsEnvelope(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	srv := startMailServer(t, "127.0.0.1:0", nil)
	w := &outbox.Worker{Store: st, Sender: outbox.Mediums{Email: smtpTo(t, srv.Addr)}, Now: clk.Now, Logger: quiet()}
	m := email(clk.Now())
	m.From, m.ReplyTo = "Example Pool <pool@example.com>", "help@example.com"
	enqueue(t, st, m)
	runOnce(t, w)
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages arrived", len(got))
	}
	p := parse(t, got[0].Data)
	if from, replyTo := address(t, p.get(t, "From")), address(t, p.get(t, "Reply-To")); from != `"Example Pool" <pool@example.com>` || replyTo != "<help@example.com>" {
		t.Errorf("From %q, Reply-To %q", from, replyTo)
	}
	if got[0].From != "no-reply@cognate.example" {
		t.Errorf("envelope sender %q, want the configured default", got[0].From)
	}
}

// TestGivesUpAfterMaxAttempts: a destination that never answers ends
// "failed" after the tenth attempt, having waited 5 s, 10 s, 20 s … between.
func TestGivesUpAfterMaxAttempts(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	w := &outbox.Worker{Store: st, Sender: outbox.Mediums{Email: smtpTo(t, closedPort(t))}, Now: clk.Now, Logger: quiet()}
	m := email(clk.Now())
	enqueue(t, st, m)
	var waits []time.Duration
	for attempt := 1; attempt <= outbox.DefaultMaxAttempts; attempt++ {
		if n := runOnce(t, w); n != 1 {
			t.Fatalf("attempt %d: leased %d messages", attempt, n)
		}
		got := stored(t, st, m)
		if got.Attempts != attempt {
			t.Fatalf("attempt %d recorded as %d", attempt, got.Attempts)
		}
		if attempt == outbox.DefaultMaxAttempts {
			if got.Status != "failed" || !strings.Contains(got.LastError, "check smtp-host and smtp-port") {
				t.Fatalf("after the last attempt: %s, %q", got.Status, got.LastError)
			}
			break
		}
		if got.Status != "pending" {
			t.Fatalf("attempt %d: status %s", attempt, got.Status)
		}
		wait := got.NextAttempt.Sub(clk.Now())
		waits = append(waits, wait)
		clk.Advance(wait)
	}
	want := []time.Duration{5, 10, 20, 40, 80, 160, 320, 640, 1280}
	for i := range want {
		want[i] *= time.Second
	}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	clk.Advance(48 * time.Hour)
	if n := runOnce(t, w); n != 0 {
		t.Fatal("a failed message was leased again")
	}
}

// TestRecipientUnknownFailsAtOnce: retrying cannot help a mailbox the server
// says does not exist.
func TestRecipientUnknownFailsAtOnce(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	srv := startMailServer(t, "127.0.0.1:0", func(m *mailServer) {
		m.Reject = map[string]*smtp.SMTPError{"alice@example.com": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}}
	})
	w := &outbox.Worker{Store: st, Sender: outbox.Mediums{Email: smtpTo(t, srv.Addr)}, Now: clk.Now, Logger: quiet()}
	m := email(clk.Now())
	enqueue(t, st, m)
	runOnce(t, w)
	if got := stored(t, st, m); got.Status != "failed" || got.Attempts != 1 || !strings.Contains(got.LastError, "No such user") {
		t.Fatalf("%+v; want failed after one attempt", got)
	}
}

// TestMediums: each medium goes to its own sender; one without a sender
// fails rather than waiting forever.
func TestMediums(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	emails, texts := &recorder{}, &recorder{}
	w := &outbox.Worker{Store: st, Sender: outbox.Mediums{Email: emails, SMS: texts}, Now: clk.Now, Logger: quiet()}
	e, s, fax := email(clk.Now()), sms(clk.Now()), email(clk.Now())
	fax.Medium = "FAX"
	enqueue(t, st, e, s, fax)
	runOnce(t, w)
	if emails.ids() != e.ID || texts.ids() != s.ID {
		t.Errorf("emails %q, SMS %q", emails.ids(), texts.ids())
	}
	if got := stored(t, st, fax); got.Status != "failed" || !strings.Contains(got.LastError, `no sender for medium "FAX"`) {
		t.Errorf("fax: %+v", got)
	}
}

// TestCrashedWorkerLeaseExpires: a worker that leased a message and died
// before recording anything leaves it to be sent once the lease expires.
func TestCrashedWorkerLeaseExpires(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := email(clk.Now())
	enqueue(t, st, m)
	// What the crashed worker left: the lease, and nothing else.
	err := st.Update(t.Context(), func(tx store.Tx) error {
		claimed, err := tx.ClaimMessages(t.Context(), clk.Now(), 10)
		if err != nil || len(claimed) != 1 {
			return fmt.Errorf("claimed %d: %v", len(claimed), err)
		}
		c := claimed[0]
		c.Attempts, c.NextAttempt = c.Attempts+1, clk.Now().Add(outbox.DefaultLease)
		return tx.UpdateMessage(t.Context(), c)
	})
	if err != nil {
		t.Fatal(err)
	}

	sent := &recorder{}
	w := &outbox.Worker{Store: st, Sender: sent, Now: clk.Now, Logger: quiet()}
	clk.Advance(outbox.DefaultLease - time.Second)
	if n := runOnce(t, w); n != 0 {
		t.Fatal("a leased message was leased again before its lease expired")
	}
	clk.Advance(time.Second)
	if n := runOnce(t, w); n != 1 {
		t.Fatal("the expired lease was not taken over")
	}
	if got := stored(t, st, m); got.Status != "sent" || got.Attempts != 2 || sent.ids() != m.ID {
		t.Fatalf("%+v, sent %q", got, sent.ids())
	}
}

// TestStaleOutcomeIsDropped: a worker whose lease ran out while it was
// sending does not overwrite the outcome of the worker that took over.
func TestStaleOutcomeIsDropped(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := email(clk.Now())
	enqueue(t, st, m)

	release := make(chan struct{})
	started := make(chan struct{})
	slow := senderFunc(func(ctx context.Context, _ store.Message) error {
		close(started)
		<-release
		return errors.New("timed out, as far as this worker knows")
	})
	a := &outbox.Worker{Store: st, Sender: slow, Now: clk.Now, Logger: quiet()}
	done := make(chan error)
	go func() {
		_, err := a.RunOnce(context.Background())
		done <- err
	}()
	<-started

	clk.Advance(outbox.DefaultLease)
	b := &outbox.Worker{Store: st, Sender: &recorder{}, Now: clk.Now, Logger: quiet()}
	if n := runOnce(t, b); n != 1 {
		t.Fatal("the expired lease was not taken over")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := stored(t, st, m); got.Status != "sent" || got.Attempts != 2 || got.LastError != "" {
		t.Fatalf("%+v; want the second worker's outcome", got)
	}
}

// TestShutdownLeavesTheMessageForLater: a send cut short by shutdown is not
// a failure of the destination; the message is sent after the lease.
func TestShutdownLeavesTheMessageForLater(t *testing.T) {
	st := newStore(t)
	clk := newClock()
	m := email(clk.Now())
	enqueue(t, st, m)
	ctx, cancel := context.WithCancel(t.Context())
	w := &outbox.Worker{Store: st, Now: clk.Now, Logger: quiet(), Sender: senderFunc(func(ctx context.Context, _ store.Message) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	})}
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := stored(t, st, m); got.Status != "pending" || got.LastError != "" || !got.NextAttempt.Equal(clk.Now().Add(outbox.DefaultLease)) {
		t.Fatalf("%+v; want it leased still, with no error", got)
	}
}

// TestTwoWorkersDeliverEachMessageOnce: two nodes polling one database
// never send a message twice, nor two at the same time.
func TestTwoWorkersDeliverEachMessageOnce(t *testing.T) {
	onTwoNodes(t, func(t *testing.T, a, b store.Store) {
		const total = 60
		now := time.Now()
		var msgs []store.Message
		for range total {
			msgs = append(msgs, email(now))
		}
		enqueue(t, a, msgs...)

		srv := startMailServer(t, "127.0.0.1:0", nil)
		rec := &recorder{next: smtpTo(t, srv.Addr)}
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		for _, st := range []store.Store{a, b} {
			w := &outbox.Worker{Store: st, Sender: rec, Logger: quiet(), Batch: 4, Concurrency: 2, Interval: time.Millisecond}
			wg.Go(func() { w.Run(ctx) })
		}
		deadline := time.Now().Add(30 * time.Second)
		for rec.count() < total && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		wg.Wait()

		if err := rec.problem(); err != nil {
			t.Fatal(err)
		}
		if n := rec.count(); n != total {
			t.Fatalf("%d of %d messages sent", n, total)
		}
		for _, m := range msgs {
			if got := stored(t, b, m); got.Status != "sent" || got.Attempts != 1 {
				t.Fatalf("message %s: %s after %d attempts", m.ID, got.Status, got.Attempts)
			}
		}
		arrived := map[string]int{}
		for _, r := range srv.Messages() {
			arrived[parse(t, r.Data).Header.Get("Message-Id")]++
		}
		for _, m := range msgs {
			if n := arrived["<"+outbox.MessageID(m)+">"]; n != 1 {
				t.Errorf("message %s arrived %d times", m.ID, n)
			}
		}
	})
}

type senderFunc func(context.Context, store.Message) error

func (f senderFunc) Send(ctx context.Context, m store.Message) error { return f(ctx, m) }

// recorder is a sender that notes what it sends, and whether any message was
// sent twice, or by two workers at once, and then hands it to next (if set).
type recorder struct {
	next outbox.Sender

	mu       sync.Mutex
	sent     []string
	inFlight map[string]bool
	seen     map[string]bool
	err      error
}

func (r *recorder) Send(ctx context.Context, m store.Message) error {
	r.mu.Lock()
	if r.inFlight == nil {
		r.inFlight, r.seen = map[string]bool{}, map[string]bool{}
	}
	switch {
	case r.inFlight[m.ID]:
		r.err = errors.Join(r.err, fmt.Errorf("message %s sent by two workers at once", m.ID))
	case r.seen[m.ID]:
		r.err = errors.Join(r.err, fmt.Errorf("message %s sent twice", m.ID))
	}
	r.inFlight[m.ID], r.seen[m.ID] = true, true
	r.mu.Unlock()
	var err error
	if r.next != nil {
		err = r.next.Send(ctx, m)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.inFlight, m.ID)
	if err != nil {
		delete(r.seen, m.ID)
		return err
	}
	r.sent = append(r.sent, m.ID)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent)
}

func (r *recorder) ids() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.sent, ",")
}

func (r *recorder) problem() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}
