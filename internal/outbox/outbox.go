// Package outbox delivers the messages the domain writes to the outbox table
// (invitations, codes) through a sender. The message is written in the same
// transaction as the change that caused it; delivery happens afterwards, so a
// crash between the two loses nothing.
package outbox

import (
	"context"
	"log/slog"
	"time"

	"cognate/internal/store"
)

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, m store.Message) error
}

// LogSender "delivers" by writing the message to the log: what a developer
// running Cognate locally wants to see.
type LogSender struct {
	Logger *slog.Logger
}

func (s LogSender) Send(ctx context.Context, m store.Message) error {
	s.Logger.InfoContext(ctx, "message", "medium", m.Medium, "to", m.Destination, "subject", m.Subject, "body", m.Body, "pool", m.PoolID, "kind", m.Kind)
	return nil
}

// Worker polls the outbox and hands pending messages to the sender.
type Worker struct {
	Store    store.Store
	Sender   Sender
	Now      func() time.Time
	Interval time.Duration
	Logger   *slog.Logger
}

// Run delivers until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		if err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.Logger.WarnContext(ctx, "outbox delivery failed; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce claims a batch of due messages, marks them sent in the same
// transaction, and then sends them: each message is handed to the sender at
// most once, even with several nodes polling.
func (w *Worker) RunOnce(ctx context.Context) error {
	var batch []store.Message
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		msgs, err := tx.ClaimMessages(ctx, w.Now(), 100)
		if err != nil {
			return err
		}
		batch = batch[:0]
		for _, m := range msgs {
			m.Status = "sent"
			m.Attempts++
			if err := tx.UpdateMessage(ctx, m); err != nil {
				return err
			}
			batch = append(batch, m)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range batch {
		if err := w.Sender.Send(ctx, m); err != nil {
			w.Logger.WarnContext(ctx, "message not delivered", "id", m.ID, "err", err)
		}
	}
	return nil
}
