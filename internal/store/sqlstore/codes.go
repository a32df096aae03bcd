package sqlstore

import (
	"context"
	"fmt"

	"cognate/internal/store"
)

func scanCode(s scanner) (store.Code, error) {
	var c store.Code
	var created, expires int64
	err := s.Scan(&c.PoolID, &c.UserKey, &c.Purpose, &c.Hash, &c.Destination, &c.Value, &created, &expires, &c.Attempts)
	c.CreatedAt, c.ExpiresAt = fromMillis(created), fromMillis(expires)
	return c, err
}

// Codes are named by their user and purpose in errors, never by their hash.

func (c *conn) GetCode(ctx context.Context, poolID, userKey, purpose string) (store.Code, error) {
	return get(ctx, c, fmt.Sprintf("get %s code of user %q in pool %q", purpose, userKey, poolID), scanCode, getCode,
		poolID, userKey, purpose)
}

func (t *tx) PutCode(ctx context.Context, c store.Code) error {
	// The upsert changes a row unless the WHERE EXISTS finds no user: no row
	// changed is ErrNotFound, as change reports it.
	return t.change(ctx, fmt.Sprintf("put %s code of user %q in pool %q", c.Purpose, c.UserKey, c.PoolID), putCode,
		c.PoolID, c.UserKey, c.Purpose, blob(c.Hash), c.Destination, c.Value, millis(c.CreatedAt), millis(c.ExpiresAt),
		int64(c.Attempts), c.PoolID, c.UserKey)
}

func (t *tx) SetCodeAttempts(ctx context.Context, poolID, userKey, purpose string, attempts int) error {
	return t.change(ctx, fmt.Sprintf("set attempts of %s code of user %q in pool %q", purpose, userKey, poolID), setCodeAttempts,
		int64(attempts), poolID, userKey, purpose)
}

func (t *tx) DeleteCode(ctx context.Context, poolID, userKey, purpose string) error {
	// As with DeleteAuthSession, of two transactions using one code the second
	// deletes nothing, at once or when Update runs it again.
	return t.change(ctx, fmt.Sprintf("delete %s code of user %q in pool %q", purpose, userKey, poolID), deleteCode,
		poolID, userKey, purpose)
}
