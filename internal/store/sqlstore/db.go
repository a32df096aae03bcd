package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"cognate/internal/store"
)

// Update gives up after maxAttempts transactions that lost a race; between
// attempts it waits a jittered delay that doubles from firstBackoff up to
// maxBackoff, so that racers do not meet again at once.
const (
	maxAttempts  = 10
	firstBackoff = 2 * time.Millisecond
	maxBackoff   = 100 * time.Millisecond
)

// DB is a store.Store on a SQL database.
type DB struct {
	conn    // reads outside a transaction, on the read pool
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	group   *groupCommit // nil unless Dialect.GroupCommit
	onClose []func() error
}

var _ store.Store = (*DB)(nil)

// New returns a DB on open handles, once it has migrated the database.
// Update's transactions run on write and reads outside them on read, which may
// be the same pool. The DB owns the handles: Close, or a failed New, closes
// them.
func New(ctx context.Context, d Dialect, write, read *sql.DB) (*DB, error) {
	db := &DB{dialect: d, write: write, read: read}
	db.conn = conn{q: read, pool: read, stmts: &stmtCache{}, sql: rebindAll(d), mapErr: d.MapError, rebind: d.rebind, bulkRows: max(1, d.BulkRows)}
	if d.GroupCommit {
		db.group = &groupCommit{db: db}
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate the %s database: %w", d.Name, err)
	}
	if err := db.stmts.prepare(ctx, db.sql, write, read); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare the %s statements: %w", d.Name, err)
	}
	return db, nil
}

// on is db's conn on another querier: the write pool or a transaction on it.
func (db *DB) on(q querier) conn {
	c := db.conn
	c.q, c.pool, c.tx = q, db.write, nil
	if t, ok := q.(*sql.Tx); ok {
		c.tx = t
	}
	return c
}

// OnClose has Close call f before it closes the handles: a backend stops
// there what it runs beside them.
func (db *DB) OnClose(f func() error) { db.onClose = append(db.onClose, f) }

// Close closes the database handles.
func (db *DB) Close() error {
	var errs []error
	for _, f := range db.onClose {
		errs = append(errs, f())
	}
	db.stmts.close()
	if db.read == db.write {
		return errors.Join(append(errs, db.write.Close())...)
	}
	return errors.Join(append(errs, db.write.Close(), db.read.Close())...)
}

// Update runs fn in one transaction, and again when the transaction loses a
// race, up to maxAttempts times.
func (db *DB) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	if db.group != nil {
		return db.retry(ctx, func() error { return db.group.run(ctx, fn) })
	}
	return db.retry(ctx, func() error {
		return db.inTx(ctx, func(t *sql.Tx) error {
			return fn(&tx{db.on(t)})
		})
	})
}

func (db *DB) CreateRefreshToken(ctx context.Context, t store.RefreshToken) error {
	return db.alone(ctx, func(w store.Writer) error { return w.CreateRefreshToken(ctx, t) })
}

func (db *DB) CreateAuthSession(ctx context.Context, s store.AuthSession) error {
	return db.alone(ctx, func(w store.Writer) error { return w.CreateAuthSession(ctx, s) })
}

func (db *DB) RedeemAuthSession(ctx context.Context, poolID, sessionID string, t store.RefreshToken) error {
	if db.group != nil {
		return db.Update(ctx, func(tx store.Tx) error {
			if err := tx.DeleteAuthSession(ctx, poolID, sessionID); err != nil {
				return err
			}
			return tx.CreateRefreshToken(ctx, t)
		})
	}
	what := fmt.Sprintf("redeem an auth session of user %q in pool %q", t.UserKey, poolID)
	c := db.on(db.write)
	return db.retry(ctx, func() error {
		n, err := c.exec(ctx, redeemAuthSession, poolID, sessionID,
			t.PoolID, t.ID, t.Family, t.ClientID, t.UserKey, millis(t.AuthTime), millis(t.CreatedAt), millis(t.ExpiresAt))
		if err != nil {
			return db.fail(what, err)
		}
		if n == 0 {
			return fmt.Errorf("%s: %w", what, store.ErrNotFound)
		}
		return nil
	})
}

// alone runs write, one statement, on its own: without a transaction around
// it, but where writes share the single writer's transactions (group commit).
func (db *DB) alone(ctx context.Context, write func(store.Writer) error) error {
	if db.group != nil {
		return db.Update(ctx, func(tx store.Tx) error { return write(tx) })
	}
	return db.retry(ctx, func() error { return write(&tx{db.on(db.write)}) })
}

// retry calls f until it returns anything but store.ErrRetry.
func (db *DB) retry(ctx context.Context, f func() error) error {
	backoff := firstBackoff
	for attempt := 1; ; attempt++ {
		err := f()
		if !errors.Is(err, store.ErrRetry) {
			return err
		}
		if attempt == maxAttempts {
			return fmt.Errorf("gave up after %d attempts: %w", attempt, err)
		}
		timer := time.NewTimer(backoff/2 + rand.N(backoff/2))
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("%w while retrying: %w", ctx.Err(), err)
		case <-timer.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// inTx runs f in a transaction on the write pool and commits if f returns nil.
func (db *DB) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	t, err := db.write.BeginTx(ctx, &db.dialect.TxOptions)
	if err != nil {
		return db.fail("begin", err)
	}
	// A no-op after Commit; otherwise it ends the transaction, also when f
	// panics, which would else hold SQLite's only writer connection for good.
	defer t.Rollback()
	if err := f(t); err != nil {
		return err
	}
	if err := t.Commit(); err != nil {
		return db.fail("commit", err)
	}
	return nil
}
