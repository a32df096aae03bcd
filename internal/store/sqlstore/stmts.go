package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// stmtCache holds the shared statements prepared on each pool, so that a
// connection parses a statement once rather than at every run (on SQLite the
// parsing was a sixth of a sign-in's CPU). database/sql prepares a Stmt on
// each connection that runs it and reuses it there, in transactions too.
// They are prepared when the store opens: preparing on a pool needs a free
// connection, which SQLite's one writer would not have inside a transaction.
type stmtCache struct {
	mu    sync.Mutex
	pools map[*sql.DB]*[numQueries]*sql.Stmt
}

// prepare prepares every shared statement on each pool.
func (c *stmtCache) prepare(ctx context.Context, texts *statements, pools ...*sql.DB) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pools = map[*sql.DB]*[numQueries]*sql.Stmt{}
	for _, pool := range pools {
		if c.pools[pool] != nil {
			continue
		}
		stmts := new([numQueries]*sql.Stmt)
		c.pools[pool] = stmts
		for q, text := range texts {
			if text == "" || query(q) == createMigrationsTable {
				continue
			}
			s, err := pool.PrepareContext(ctx, text)
			if err != nil {
				return fmt.Errorf("prepare %q: %w", text, err)
			}
			stmts[q] = s
		}
	}
	return nil
}

func (c *stmtCache) get(pool *sql.DB, q query) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if stmts := c.pools[pool]; stmts != nil {
		return stmts[q]
	}
	return nil
}

// close closes every prepared statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, stmts := range c.pools {
		for _, s := range stmts {
			if s != nil {
				s.Close()
			}
		}
	}
	c.pools = nil
}

// stmt returns shared statement q ready to run on the conn: prepared on its
// pool, and bound to its transaction when it has one; nil before the
// statements are prepared (while migrating).
func (c *conn) stmt(ctx context.Context, q query) *sql.Stmt {
	s := c.stmts.get(c.pool, q)
	if s != nil && c.tx != nil {
		return c.tx.StmtContext(ctx, s)
	}
	return s
}

func (c *conn) queryRow(ctx context.Context, q query, args ...any) *sql.Row {
	if s := c.stmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.q.QueryRowContext(ctx, c.sql[q], args...)
}

func (c *conn) query(ctx context.Context, q query, args ...any) (*sql.Rows, error) {
	if s := c.stmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.q.QueryContext(ctx, c.sql[q], args...)
}

func (c *conn) execQuery(ctx context.Context, q query, args ...any) (sql.Result, error) {
	if s := c.stmt(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return c.q.ExecContext(ctx, c.sql[q], args...)
}
