// Package outbox delivers the messages the domain writes to the outbox table
// (invitations, codes) through a sender. The message is written in the same
// transaction as the change that caused it; delivery happens afterwards, so a
// crash between the two loses nothing.
//
// Delivery is at least once: a worker leases a batch of due messages in one
// transaction, sends them outside it and then records each outcome. A worker
// that dies mid-batch leaves leases that expire, and the messages are sent
// again. Every email carries a Message-ID derived from the message's ID, and
// every webhook call an Idempotency-Key, so that a receiver can drop the
// duplicate a crash between sending and recording may cause.
//
// The store has no column of its own for when a message was sent: once a
// message is "sent" or "failed" its NextAttempt is unused, and the worker
// keeps the time of the outcome there.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"cognate/internal/store"
)

// Statuses of a message.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// Defaults of the Worker's settings.
const (
	DefaultInterval    = time.Second
	DefaultBatch       = 16
	DefaultConcurrency = 4
	DefaultLease       = time.Minute
	DefaultSendTimeout = 10 * time.Second
	DefaultMaxAttempts = 10
	DefaultBackoff     = 5 * time.Second
	DefaultMaxBackoff  = time.Hour
)

// maxErrorLen bounds what LastError keeps of a failure.
const maxErrorLen = 1000

// Sender delivers one message. It must be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m store.Message) error
}

// PermanentError marks a failure that another attempt cannot fix (the
// receiving server refused the recipient, say): the message fails at once.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a PermanentError.
func Permanent(err error) error { return &PermanentError{Err: err} }

// IsPermanent reports whether err, or an error it wraps, is permanent.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// MessageID is the email Message-ID of an outbox message (without the angle
// brackets): the same on every attempt, so that duplicates can be recognised.
func MessageID(m store.Message) string { return m.ID + "@cognate" }

// LogSender "delivers" by writing the message to the log: what a developer
// running Cognate locally wants to see.
type LogSender struct {
	Logger *slog.Logger
}

func (s LogSender) Send(ctx context.Context, m store.Message) error {
	s.Logger.InfoContext(ctx, "message", "medium", m.Medium, "to", m.Destination, "subject", m.Subject, "body", m.Body, "pool", m.PoolID, "kind", m.Kind)
	return nil
}

// Mediums sends each message through the sender for its medium.
type Mediums struct {
	Email Sender
	SMS   Sender
}

func (s Mediums) Send(ctx context.Context, m store.Message) error {
	var to Sender
	switch m.Medium {
	case "EMAIL":
		to = s.Email
	case "SMS":
		to = s.SMS
	}
	if to == nil {
		return Permanent(fmt.Errorf("no sender for medium %q", m.Medium))
	}
	return to.Send(ctx, m)
}

// Worker polls the outbox and hands due messages to the sender.
//
// Zero settings take the Default* values. The lease must outlast a batch:
// the worker sends at most Concurrency messages at once, each within
// SendTimeout, and does not start a send its lease would not cover.
type Worker struct {
	Store  store.Store
	Sender Sender
	// Now is the clock of leases and backoff (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger

	Interval    time.Duration // between polls when the outbox is idle
	Batch       int           // messages leased per transaction
	Concurrency int           // sends in flight at once
	Lease       time.Duration // how long a claim keeps other workers off a message
	SendTimeout time.Duration // bound on one send
	MaxAttempts int           // attempts before a message is "failed"
	Backoff     time.Duration // wait after the first failure, doubled after each
	MaxBackoff  time.Duration // cap on the wait
}

func (w *Worker) now() time.Time {
	if w.Now == nil {
		return time.Now()
	}
	return w.Now()
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.Default()
	}
	return w.Logger
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Retry is the wait before the next attempt after the given number of failed
// attempts: Backoff, doubled each time, at most MaxBackoff.
func (w *Worker) Retry(attempts int) time.Duration {
	d, limit := orDefault(w.Backoff, DefaultBackoff), orDefault(w.MaxBackoff, DefaultMaxBackoff)
	for i := 1; i < attempts && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// Run delivers until ctx ends. A full batch is followed by the next one at
// once; otherwise the worker waits Interval before polling again.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(orDefault(w.Interval, DefaultInterval))
	defer t.Stop()
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.logger().WarnContext(ctx, "outbox delivery failed; will retry", "err", err)
		}
		if ctx.Err() != nil {
			return
		}
		if err == nil && n == orDefault(w.Batch, DefaultBatch) {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce leases a batch of due messages, sends them and records each
// outcome. It returns how many messages it leased.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	lease := orDefault(w.Lease, DefaultLease)
	var batch []store.Message
	var leasedAt time.Time
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		leasedAt = time.Now()
		now := w.now()
		msgs, err := tx.ClaimMessages(ctx, now, orDefault(w.Batch, DefaultBatch))
		if err != nil {
			return err
		}
		batch = batch[:0]
		for _, m := range msgs {
			m.Attempts++
			m.NextAttempt = now.Add(lease)
			if err := tx.UpdateMessage(ctx, m); err != nil {
				return err
			}
			batch = append(batch, m)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("lease messages: %w", err)
	}
	if len(batch) == 0 {
		return 0, nil
	}

	// Sends stop well before the lease ends, measured on the real clock
	// (contexts know no other), so that no other worker can lease a message
	// while it is still being sent.
	deadline := leasedAt.Add(lease - lease/6)
	sendTimeout := orDefault(w.SendTimeout, DefaultSendTimeout)
	sem := make(chan struct{}, orDefault(w.Concurrency, DefaultConcurrency))
	var wg sync.WaitGroup
	errs := make([]error, len(batch))
	for i, m := range batch {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		if time.Until(deadline) < sendTimeout/2 {
			// Too late to start: the lease expires and the message is
			// tried again then.
			w.logger().WarnContext(ctx, "outbox batch outlasted its lease; the rest waits for the lease to expire",
				"unsent", len(batch)-i, "lease", lease)
			<-sem
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = w.deliver(ctx, m, min(sendTimeout, time.Until(deadline)))
		})
	}
	wg.Wait()
	return len(batch), errors.Join(errs...)
}

// deliver sends one leased message and records the outcome; the error is
// only for failing to record it.
func (w *Worker) deliver(ctx context.Context, m store.Message, timeout time.Duration) error {
	sendCtx, cancel := context.WithTimeout(ctx, timeout)
	sendErr := w.Sender.Send(sendCtx, m)
	cancel()
	if sendErr != nil && ctx.Err() != nil {
		// Shutting down: the failure is the shutdown's, not the
		// destination's. The lease expires and the message is tried again.
		return nil
	}
	leased := m
	now := w.now()
	switch {
	case sendErr == nil:
		m.Status, m.NextAttempt, m.LastError = StatusSent, now, ""
	case IsPermanent(sendErr) || m.Attempts >= orDefault(w.MaxAttempts, DefaultMaxAttempts):
		m.Status, m.NextAttempt, m.LastError = StatusFailed, now, truncate(sendErr.Error(), maxErrorLen)
	default:
		m.Status, m.NextAttempt, m.LastError = StatusPending, now.Add(w.Retry(m.Attempts)), truncate(sendErr.Error(), maxErrorLen)
	}
	log := w.logger().With("id", m.ID, "medium", m.Medium, "kind", m.Kind, "pool", m.PoolID, "attempt", m.Attempts)
	switch m.Status {
	case StatusSent:
		log.DebugContext(ctx, "message sent")
	case StatusFailed:
		log.ErrorContext(ctx, "message not delivered; giving up", "err", sendErr)
	default:
		log.WarnContext(ctx, "message not delivered; will retry", "err", sendErr, "retry_in", m.NextAttempt.Sub(now))
	}

	// The outcome is recorded even when shutdown begins meanwhile: a sent
	// message left leased would be sent again.
	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := w.Store.Update(recordCtx, func(tx store.Tx) error {
		cur, found, err := findMessage(recordCtx, tx, leased)
		if err != nil || !found {
			return err // the pool, and its outbox, is gone
		}
		if cur.Status != StatusPending || cur.Attempts != leased.Attempts {
			// The lease ran out and another worker has the message now:
			// its outcome is the one to keep.
			log.WarnContext(ctx, "outcome not recorded: the message was leased again meanwhile", "status", cur.Status, "attempts", cur.Attempts)
			return nil
		}
		return tx.UpdateMessage(recordCtx, m)
	})
	if err != nil {
		return fmt.Errorf("record the outcome of message %s (%s): %w", m.ID, m.Status, err)
	}
	return nil
}

// findMessage reads a message's current state back. The store looks messages
// up by user only, through an index, and a user has few.
func findMessage(ctx context.Context, tx store.Tx, m store.Message) (store.Message, bool, error) {
	msgs, err := tx.ListMessages(ctx, m.PoolID, m.UserKey, 0)
	if err != nil {
		return store.Message{}, false, err
	}
	for _, cur := range msgs {
		if cur.ID == m.ID {
			return cur, true, nil
		}
	}
	return store.Message{}, false, nil
}

// truncate cuts s to at most n bytes, on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}
