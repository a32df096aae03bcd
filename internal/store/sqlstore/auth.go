package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"cognate/internal/store"
)

// nullMillis stores a zero time as NULL: a signing key not yet retired.
func nullMillis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return millis(t)
}

// fromNullMillis gives NULL back as the zero time.
func fromNullMillis(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return fromMillis(ms.Int64)
}

func scanSigningKey(s scanner) (store.SigningKey, error) {
	var k store.SigningKey
	var created int64
	var retired, expires sql.NullInt64
	err := s.Scan(&k.PoolID, &k.ID, &created, &retired, &expires, &k.Private)
	k.CreatedAt, k.RetiredAt, k.ExpiresAt = fromMillis(created), fromNullMillis(retired), fromNullMillis(expires)
	return k, err
}

func scanRefreshToken(s scanner) (store.RefreshToken, error) {
	var r store.RefreshToken
	var authTime, created, expires int64
	err := s.Scan(&r.PoolID, &r.ID, &r.Family, &r.ClientID, &r.UserKey, &authTime, &created, &expires)
	r.AuthTime, r.CreatedAt, r.ExpiresAt = fromMillis(authTime), fromMillis(created), fromMillis(expires)
	return r, err
}

// refreshTokenDest receives a refresh token's columns in
// refreshTokenColumns' order, NULLs (the pool's row of findRefreshToken)
// included.
type refreshTokenDest struct {
	poolID, id, family, clientID, userKey sql.NullString
	authTime, created, expires            sql.NullInt64
}

func (d *refreshTokenDest) fields() []any {
	return []any{&d.poolID, &d.id, &d.family, &d.clientID, &d.userKey, &d.authTime, &d.created, &d.expires}
}

func (d *refreshTokenDest) token() store.RefreshToken {
	return store.RefreshToken{PoolID: d.poolID.String, ID: d.id.String, Family: d.family.String, ClientID: d.clientID.String,
		UserKey: d.userKey.String, AuthTime: fromMillis(d.authTime.Int64), CreatedAt: fromMillis(d.created.Int64),
		ExpiresAt: fromMillis(d.expires.Int64)}
}

// authSessionDest receives an auth session's columns in
// authSessionColumns' order, NULLs (the pool's row of findAuthSession)
// included.
type authSessionDest struct {
	poolID, id, clientID, userKey sql.NullString
	created, expires              sql.NullInt64
	data                          []byte
}

func (d *authSessionDest) fields() []any {
	return []any{&d.poolID, &d.id, &d.clientID, &d.userKey, &d.created, &d.expires, &d.data}
}

func (d *authSessionDest) session() store.AuthSession {
	return store.AuthSession{PoolID: d.poolID.String, ID: d.id.String, ClientID: d.clientID.String, UserKey: d.userKey.String,
		CreatedAt: fromMillis(d.created.Int64), ExpiresAt: fromMillis(d.expires.Int64), Data: d.data}
}

func scanAuthEvent(s scanner) (store.AuthEvent, error) {
	var e store.AuthEvent
	var created int64
	err := s.Scan(&e.PoolID, &e.UserKey, &e.ID, &created, &e.Data)
	e.CreatedAt = fromMillis(created)
	return e, err
}

func (c *conn) ListSigningKeys(ctx context.Context, poolID string) ([]store.SigningKey, error) {
	return list(ctx, c, fmt.Sprintf("list signing keys of pool %q", poolID), scanSigningKey, listSigningKeys, poolID)
}

func (c *conn) GetRefreshToken(ctx context.Context, poolID, id string) (store.RefreshToken, error) {
	return get(ctx, c, fmt.Sprintf("get refresh token of pool %q", poolID), scanRefreshToken, getRefreshToken, poolID, id)
}

func (c *conn) FindRefreshToken(ctx context.Context, poolID, id string) (store.FoundRefreshToken, error) {
	var d refreshTokenDest
	token, found, holder, err := findHeld(ctx, c, fmt.Sprintf("find a refresh token of pool %q", poolID),
		findRefreshToken, poolID, id, d.fields(), d.token)
	return store.FoundRefreshToken{Token: token, Found: found, Holder: holder}, err
}

func (c *conn) FindAuthSession(ctx context.Context, poolID, id string) (store.FoundAuthSession, error) {
	var d authSessionDest
	session, found, holder, err := findHeld(ctx, c, fmt.Sprintf("find an auth session of pool %q", poolID),
		findAuthSession, poolID, id, d.fields(), d.session)
	return store.FoundAuthSession{Session: session, Found: found, Holder: holder}, err
}

// findHeld runs q, a heldRow query, for the row id of the pool: fields
// receive the row's columns, and row makes them the record. It returns the
// record, whether there is one, and its holder.
func findHeld[T any](ctx context.Context, c *conn, what string, q query, poolID, id string, fields []any, row func() T) (T, bool, store.Signer, error) {
	var record T
	var found bool
	rows, err := c.query(ctx, q, poolID, id, poolID)
	if err != nil {
		return record, false, store.Signer{}, c.fail(what, err)
	}
	h, err := readHolders(rows, fields, func(via int) {
		if via == 0 {
			record, found = row(), true
		}
	})
	if err != nil {
		return record, false, store.Signer{}, c.fail(what, err)
	}
	if !h.pool {
		return record, false, store.Signer{}, fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	holder := h.users[0]
	holder.Generation = h.generation
	return record, found, holder, nil
}

func (c *conn) ListAuthEvents(ctx context.Context, poolID, userKey string, page store.Page) ([]store.AuthEvent, error) {
	what := fmt.Sprintf("list auth events of user %q", userKey)
	if page.After == "" {
		return list(ctx, c, what, scanAuthEvent, listAuthEvents, poolID, userKey, limit(page))
	}
	return list(ctx, c, what, scanAuthEvent, listAuthEventsBefore, poolID, userKey, page.After, limit(page))
}

func (t *tx) AddSigningKey(ctx context.Context, k store.SigningKey) error {
	return t.insertChild(ctx, fmt.Sprintf("add signing key %q to pool %q", k.ID, k.PoolID), insertSigningKey,
		[]any{k.PoolID, k.ID, millis(k.CreatedAt), nullMillis(k.RetiredAt), nullMillis(k.ExpiresAt), blob(k.Private), k.PoolID},
		userPoolExists, k.PoolID)
}

func (t *tx) RetireSigningKey(ctx context.Context, poolID, id string, retiredAt, expiresAt time.Time) error {
	return t.change(ctx, fmt.Sprintf("retire signing key %q of pool %q", id, poolID), retireSigningKey,
		nullMillis(retiredAt), nullMillis(expiresAt), poolID, id)
}

func (t *tx) DeleteExpiredSigningKeys(ctx context.Context, poolID string, now time.Time) error {
	if _, err := t.exec(ctx, deleteExpiredSigningKeys, poolID, millis(now)); err != nil {
		return t.fail(fmt.Sprintf("delete expired signing keys of pool %q", poolID), err)
	}
	return nil
}

// Sessions and refresh tokens are named by their pool alone in errors: their
// IDs are hashes of what the client holds, of no use to a reader of a log.

func (t *tx) CreateAuthSession(ctx context.Context, s store.AuthSession) error {
	return t.insertChild(ctx, fmt.Sprintf("create auth session of user %q in pool %q", s.UserKey, s.PoolID), insertAuthSession,
		[]any{s.PoolID, s.ID, s.ClientID, s.UserKey, millis(s.CreatedAt), millis(s.ExpiresAt), blob(s.Data), s.PoolID, s.UserKey},
		userExists, s.PoolID, s.UserKey)
}

func (t *tx) DeleteAuthSession(ctx context.Context, poolID, id string) error {
	// Of two transactions deleting the session, the second deletes nothing
	// (SQLite's single writer) or loses a serialization race (PostgreSQL) and
	// then, run again by Update, deletes nothing.
	return t.change(ctx, fmt.Sprintf("delete auth session of pool %q", poolID), deleteAuthSession, poolID, id)
}

func (t *tx) CreateRefreshToken(ctx context.Context, r store.RefreshToken) error {
	return t.insertChild(ctx, fmt.Sprintf("create refresh token of user %q in pool %q", r.UserKey, r.PoolID), insertRefreshToken,
		[]any{r.PoolID, r.ID, r.Family, r.ClientID, r.UserKey, millis(r.AuthTime), millis(r.CreatedAt), millis(r.ExpiresAt),
			r.PoolID, r.UserKey},
		userExists, r.PoolID, r.UserKey)
}

func (t *tx) SetRefreshTokenExpiry(ctx context.Context, poolID, id string, expiresAt time.Time) error {
	return t.change(ctx, fmt.Sprintf("set the expiry of a refresh token of pool %q", poolID), setRefreshTokenExpiry,
		millis(expiresAt), poolID, id)
}

func (t *tx) DeleteTokenFamily(ctx context.Context, poolID, userKey, family string) error {
	if _, err := t.exec(ctx, deleteTokenFamily, poolID, userKey, family); err != nil {
		return t.fail(fmt.Sprintf("delete token family %q of user %q in pool %q", family, userKey, poolID), err)
	}
	return nil
}

func (t *tx) DeleteUserTokens(ctx context.Context, poolID, userKey string) error {
	if _, err := t.exec(ctx, deleteUserTokens, poolID, userKey); err != nil {
		return t.fail(fmt.Sprintf("delete refresh tokens of user %q in pool %q", userKey, poolID), err)
	}
	return nil
}

func (t *tx) AddAuthEvent(ctx context.Context, e store.AuthEvent) error {
	return t.insertChild(ctx, fmt.Sprintf("add auth event %q to user %q in pool %q", e.ID, e.UserKey, e.PoolID), insertAuthEvent,
		[]any{e.PoolID, e.UserKey, e.ID, millis(e.CreatedAt), blob(e.Data), e.PoolID, e.UserKey},
		userExists, e.PoolID, e.UserKey)
}

func (t *tx) DeleteExpiredAuth(ctx context.Context, now time.Time, limit int) (int, error) {
	var total int64
	for _, q := range []query{deleteExpiredAuthSessions, deleteExpiredRefreshTokens} {
		n, err := t.exec(ctx, q, millis(now), rowLimit(limit))
		if err != nil {
			return 0, t.fail("delete expired auth sessions and refresh tokens", err)
		}
		total += n
	}
	return int(total), nil
}
