package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"cognate/internal/store"
)

// querier is what conn needs of a *sql.DB or a *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// conn runs the store's reads on a pool or in a transaction.
type conn struct {
	q querier
	// pool is the pool q is or belongs to, tx the transaction q is (nil on
	// a pool): the shared statements are prepared on pool.
	pool   *sql.DB
	tx     *sql.Tx
	stmts  *stmtCache
	sql    *statements
	mapErr func(error) error
	// rebind turns SQL built at run time (the bulk inserts) into the
	// dialect's.
	rebind func(string) string
	// bulkRows is Dialect.BulkRows.
	bulkRows int
}

// tx is a transaction's view: conn's reads plus the writes.
type tx struct{ conn }

var _ store.Tx = (*tx)(nil)

// fail wraps a database error with what was being done, as a store sentinel
// where one applies.
func (c *conn) fail(what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, c.mapErr(err))
}

type scanner interface{ Scan(dest ...any) error }

func get[T any](ctx context.Context, c *conn, what string, scan func(scanner) (T, error), q query, args ...any) (T, error) {
	v, err := scan(c.queryRow(ctx, q, args...))
	if err != nil {
		return v, c.fail(what, err)
	}
	return v, nil
}

func list[T any](ctx context.Context, c *conn, what string, scan func(scanner) (T, error), q query, args ...any) ([]T, error) {
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, c.fail(what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, c.fail(what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, c.fail(what, err)
	}
	return out, nil
}

// exec runs a write and returns how many rows it changed.
func (c *conn) exec(ctx context.Context, q query, args ...any) (int64, error) {
	res, err := c.execQuery(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// exists reports whether q, a SELECT 1, finds a row.
func (c *conn) exists(ctx context.Context, q query, args ...any) (bool, error) {
	var one int
	err := c.queryRow(ctx, q, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Timestamps are stored as epoch milliseconds in both dialects.
func millis(t time.Time) int64      { return t.UnixMilli() }
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// blob keeps a nil slice out of the NOT NULL blob columns.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// limit is a Page's LIMIT: non-positive means no limit.
func limit(p store.Page) int64 {
	if p.Limit <= 0 {
		return math.MaxInt64
	}
	return int64(p.Limit)
}

func scanUserPool(s scanner) (store.UserPool, error) {
	var p store.UserPool
	var created, updated int64
	err := s.Scan(poolFields(&p, &created, &updated)...)
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	return p, err
}

func poolFields(p *store.UserPool, created, updated *int64) []any {
	return []any{&p.ID, &p.Name, created, updated, &p.Config, &p.Generation}
}

func scanClient(s scanner) (store.Client, error) {
	var c store.Client
	var created, updated int64
	err := s.Scan(clientFields(&c, &created, &updated)...)
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	return c, err
}

func clientFields(c *store.Client, created, updated *int64) []any {
	return []any{&c.PoolID, &c.ID, &c.Name, created, updated, &c.Config}
}

// foundClientRow is a row of findClient: the client, its pool and one of
// its secrets, if it has any.
type foundClientRow struct {
	store.FoundClient
	secret *store.ClientSecret
}

func scanFoundClient(s scanner) (foundClientRow, error) {
	var r foundClientRow
	var times [4]int64
	var secretID sql.NullString
	var secretValue []byte
	var secretCreated sql.NullInt64
	fields := append(clientFields(&r.Client, &times[0], &times[1]), poolFields(&r.Pool, &times[2], &times[3])...)
	err := s.Scan(append(fields, &secretID, &secretValue, &secretCreated)...)
	r.Client.CreatedAt, r.Client.UpdatedAt = fromMillis(times[0]), fromMillis(times[1])
	r.Pool.CreatedAt, r.Pool.UpdatedAt = fromMillis(times[2]), fromMillis(times[3])
	if secretID.Valid {
		r.secret = &store.ClientSecret{PoolID: r.Client.PoolID, ClientID: r.Client.ID, ID: secretID.String,
			Value: secretValue, CreatedAt: fromMillis(secretCreated.Int64)}
	}
	return r, err
}

func scanClientSecret(s scanner) (store.ClientSecret, error) {
	var cs store.ClientSecret
	var created int64
	err := s.Scan(&cs.PoolID, &cs.ClientID, &cs.ID, &cs.Value, &created)
	cs.CreatedAt = fromMillis(created)
	return cs, err
}

func scanAccessKey(s scanner) (store.AccessKey, error) {
	var k store.AccessKey
	var created int64
	err := s.Scan(&k.ID, &k.Secret, &created)
	k.CreatedAt = fromMillis(created)
	return k, err
}

func (c *conn) GetUserPool(ctx context.Context, id string) (store.UserPool, error) {
	return get(ctx, c, fmt.Sprintf("get user pool %q", id), scanUserPool, getUserPool, id)
}

func (c *conn) ListUserPools(ctx context.Context, page store.Page) ([]store.UserPool, error) {
	return list(ctx, c, "list user pools", scanUserPool, listUserPools, page.After, limit(page))
}

func (c *conn) GetClient(ctx context.Context, poolID, clientID string) (store.Client, error) {
	return get(ctx, c, fmt.Sprintf("get client %q of pool %q", clientID, poolID), scanClient, getClient, poolID, clientID)
}

func (c *conn) FindClient(ctx context.Context, clientID string) (store.FoundClient, error) {
	what := fmt.Sprintf("find client %q", clientID)
	rows, err := list(ctx, c, what, scanFoundClient, findClient, clientID, clientID)
	if err != nil {
		return store.FoundClient{}, err
	}
	if len(rows) == 0 {
		return store.FoundClient{}, fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	found := rows[0].FoundClient
	for _, r := range rows {
		if r.secret != nil {
			found.Secrets = append(found.Secrets, *r.secret)
		}
	}
	return found, nil
}

func (c *conn) ListClients(ctx context.Context, poolID string, page store.Page) ([]store.Client, error) {
	return list(ctx, c, fmt.Sprintf("list clients of pool %q", poolID), scanClient, listClients, poolID, page.After, limit(page))
}

func (c *conn) ListClientSecrets(ctx context.Context, poolID, clientID string) ([]store.ClientSecret, error) {
	return list(ctx, c, fmt.Sprintf("list secrets of client %q", clientID), scanClientSecret, listClientSecrets, poolID, clientID)
}

func (c *conn) GetAccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	return get(ctx, c, fmt.Sprintf("get access key %q", id), scanAccessKey, getAccessKey, id)
}

func (c *conn) ListAccessKeys(ctx context.Context) ([]store.AccessKey, error) {
	return list(ctx, c, "list access keys", scanAccessKey, listAccessKeys)
}

// insert runs an ON CONFLICT DO NOTHING insert: inserting nothing means the
// key was taken.
func (t *tx) insert(ctx context.Context, what string, q query, args ...any) error {
	n, err := t.exec(ctx, q, args...)
	if err != nil {
		return t.fail(what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrConflict)
	}
	return nil
}

// insertChild runs an insert of a row that belongs to another, guarded by
// WHERE EXISTS: inserting nothing means that parent, a SELECT 1, finds
// nothing, or else that the key was taken.
func (t *tx) insertChild(ctx context.Context, what string, q query, args []any, parent query, parentArgs ...any) error {
	err := t.insert(ctx, what, q, args...)
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	found, ferr := t.exists(ctx, parent, parentArgs...)
	if ferr != nil {
		return t.fail(what, ferr)
	}
	if !found {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return err
}

// change runs an UPDATE or DELETE of one row, which must exist.
func (t *tx) change(ctx context.Context, what string, q query, args ...any) error {
	n, err := t.exec(ctx, q, args...)
	if err != nil {
		return t.fail(what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}

func (t *tx) CreateUserPool(ctx context.Context, p store.UserPool) error {
	return t.insert(ctx, fmt.Sprintf("create user pool %q", p.ID), insertUserPool,
		p.ID, p.Name, millis(p.CreatedAt), millis(p.UpdatedAt), blob(p.Config))
}

func (t *tx) UpdateUserPool(ctx context.Context, p store.UserPool) error {
	return t.change(ctx, fmt.Sprintf("update user pool %q", p.ID), updateUserPool,
		p.Name, millis(p.UpdatedAt), blob(p.Config), p.ID)
}

func (t *tx) DeleteUserPool(ctx context.Context, id string) error {
	return t.change(ctx, fmt.Sprintf("delete user pool %q", id), deleteUserPool, id)
}

func (t *tx) CreateClient(ctx context.Context, c store.Client) error {
	return t.insertChild(ctx, fmt.Sprintf("create client %q in pool %q", c.ID, c.PoolID), insertClient,
		[]any{c.PoolID, c.ID, c.Name, millis(c.CreatedAt), millis(c.UpdatedAt), blob(c.Config), c.PoolID},
		userPoolExists, c.PoolID)
}

func (t *tx) UpdateClient(ctx context.Context, c store.Client) error {
	what := fmt.Sprintf("update client %q of pool %q", c.ID, c.PoolID)
	return t.changePool(ctx, what, c.PoolID, t.change(ctx, what, updateClient,
		c.Name, millis(c.UpdatedAt), blob(c.Config), c.PoolID, c.ID))
}

func (t *tx) DeleteClient(ctx context.Context, poolID, clientID string) error {
	what := fmt.Sprintf("delete client %q of pool %q", clientID, poolID)
	return t.changePool(ctx, what, poolID, t.change(ctx, what, deleteClient, poolID, clientID))
}

func (t *tx) AddClientSecret(ctx context.Context, s store.ClientSecret) error {
	what := fmt.Sprintf("add secret %q to client %q", s.ID, s.ClientID)
	return t.changePool(ctx, what, s.PoolID, t.insertChild(ctx, what, insertClientSecret,
		[]any{s.PoolID, s.ClientID, s.ID, blob(s.Value), millis(s.CreatedAt), s.PoolID, s.ClientID},
		clientExists, s.PoolID, s.ClientID))
}

func (t *tx) DeleteClientSecret(ctx context.Context, poolID, clientID, secretID string) error {
	what := fmt.Sprintf("delete secret %q of client %q", secretID, clientID)
	return t.changePool(ctx, what, poolID, t.change(ctx, what, deleteClientSecret, poolID, clientID, secretID))
}

// changePool follows a write to one of a pool's clients: if it changed
// something (err is nil), the pool moves to its next generation.
func (t *tx) changePool(ctx context.Context, what, poolID string, err error) error {
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, nextGeneration, poolID); err != nil {
		return t.fail(what, err)
	}
	return nil
}

func (t *tx) CreateAccessKey(ctx context.Context, k store.AccessKey) error {
	return t.insert(ctx, fmt.Sprintf("create access key %q", k.ID), insertAccessKey,
		k.ID, blob(k.Secret), millis(k.CreatedAt))
}
