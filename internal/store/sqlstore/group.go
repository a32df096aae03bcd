package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"

	"cognate/internal/store"
)

// maxGroup bounds how many writes share one transaction, so that the first
// of them does not wait on an unbounded queue.
const maxGroup = 64

// groupCommit runs the writes that queue for a database with one writer as
// few transactions: the write at the front of the queue begins one, runs
// itself and the writes queued behind it each in a savepoint, and commits
// them together. On SQLite a commit waits for the WAL's fsync, and a
// transaction holds the only writer while it waits for a core; sharing both
// among the writes that queue in the meantime lets sign-ins, which each
// write a row or two, go as fast as their cryptography rather than as fast
// as one writer commits.
//
// Each write sees the writes before it in its group, as it would had they
// committed one by one; one that fails is rolled back to its savepoint and
// changes nothing, and the others commit. No write returns before the group's
// commit has.
type groupCommit struct {
	db    *DB
	mu    sync.Mutex
	queue []*groupWrite // the writes waiting, the front one committing
}

type groupWrite struct {
	ctx context.Context
	fn  func(store.Tx) error
	// wake tells a write that it is at the front of the queue, or done.
	wake chan struct{}
	// Set by the front write before wake.
	done     bool
	err      error
	panicked any
}

// run runs fn in a transaction it may share with other writes.
func (g *groupCommit) run(ctx context.Context, fn func(store.Tx) error) error {
	w := &groupWrite{ctx: ctx, fn: fn, wake: make(chan struct{}, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	front := len(g.queue) == 1
	g.mu.Unlock()
	if !front {
		<-w.wake
	}
	if !w.done {
		g.lead()
	}
	if w.panicked != nil {
		panic(w.panicked)
	}
	return w.err
}

// lead commits the writes at the front of the queue, then wakes them and
// the write that is then at the front.
func (g *groupCommit) lead() {
	g.mu.Lock()
	group := slices.Clone(g.queue[:min(len(g.queue), maxGroup)])
	g.mu.Unlock()

	g.commit(group)

	g.mu.Lock()
	g.queue = slices.Delete(g.queue, 0, len(group))
	var next *groupWrite
	if len(g.queue) > 0 {
		next = g.queue[0]
	}
	g.mu.Unlock()
	for _, w := range group {
		w.done = true
		if w != group[0] {
			w.wake <- struct{}{}
		}
	}
	if next != nil {
		next.wake <- struct{}{}
	}
}

// commit runs a group's writes in one transaction, setting each one's err.
//
// The first write takes no savepoint: should it fail, the transaction holds
// nothing else yet, and is rolled back whole, and the others run in one of
// their own. A savepoint is not free on SQLite: every page first changed
// after it is copied to a journal, which cost a bulk insert nearly a third
// of its rate, and a large write is most often the first of its group, as
// the writes queue behind it while it runs.
func (g *groupCommit) commit(group []*groupWrite) {
	if len(group) == 1 {
		w := group[0]
		w.err = g.db.inTx(w.ctx, func(t *sql.Tx) error { return w.run(&tx{g.db.on(t)}) })
		return
	}
	// The transaction is the group's: no one write's context ends it.
	ctx := context.WithoutCancel(group[0].ctx)
	err := g.db.inTx(ctx, func(t *sql.Tx) error {
		shared := &tx{g.db.on(t)}
		if group[0].err = group[0].run(shared); group[0].err != nil {
			return errFirstWriteFailed
		}
		for _, w := range group[1:] {
			if w.err = w.ctx.Err(); w.err != nil {
				continue
			}
			if err := g.savepoint(ctx, t, "SAVEPOINT write"); err != nil {
				return err
			}
			if w.err = w.run(shared); w.err != nil {
				if err := g.savepoint(ctx, t, "ROLLBACK TO write"); err != nil {
					return err
				}
			}
			if err := g.savepoint(ctx, t, "RELEASE write"); err != nil {
				return err
			}
		}
		return nil
	})
	switch {
	case err == nil:
		return
	case errors.Is(err, errFirstWriteFailed):
		g.commit(group[1:])
		return
	}
	// The writes that succeeded did so in a transaction that did not
	// commit: each is tried again.
	for _, w := range group {
		if w.err == nil {
			w.err = fmt.Errorf("%w: a transaction shared with other writes failed: %w", store.ErrRetry, err)
		}
	}
}

func (g *groupCommit) savepoint(ctx context.Context, t *sql.Tx, stmt string) error {
	if _, err := t.ExecContext(ctx, stmt); err != nil {
		return g.db.fail(stmt, err)
	}
	return nil
}

// errFirstWriteFailed rolls back a group's transaction whose first write
// failed, before any other write ran in it.
var errFirstWriteFailed = errors.New("the first write of the group failed")

// run runs the write's fn in t. A write whose context ended while fn ran
// fails, as on a transaction of its own, so that nothing of it commits.
func (w *groupWrite) run(t store.Tx) error {
	if err := w.call(t); err != nil {
		return err
	}
	return w.ctx.Err()
}

// call runs the write's fn, turning a panic into an error that rolls its
// changes back; groupCommit.run panics again in the write's own goroutine.
func (w *groupWrite) call(t store.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			w.panicked = p
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return w.fn(t)
}
