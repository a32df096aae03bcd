package store

import (
	"context"
	"time"
)

// SigningKey is one of a pool's token signing keys. Private is the PKCS#8
// private key, sealed by the domain before it reaches the store. A key signs
// while it is the pool's newest unretired key; once retired it stays
// published (in the JWKS) until ExpiresAt, when no token it signed is still
// valid. Zero RetiredAt and ExpiresAt: not retired.
type SigningKey struct {
	PoolID    string
	ID        string // the JWT "kid"
	CreatedAt time.Time
	RetiredAt time.Time
	ExpiresAt time.Time
	Private   []byte
}

// AuthSession is the state of a sign-in between a challenge and its answer.
// ID is a hash of the opaque session string the client holds, never the
// string itself. Data is a document the domain owns.
type AuthSession struct {
	PoolID    string
	ID        string
	ClientID  string
	UserKey   string
	CreatedAt time.Time
	ExpiresAt time.Time
	Data      []byte
}

// RefreshToken is an issued refresh token. ID is a hash of the opaque token
// the client holds. Family is the origin_jti shared by every token of one
// sign-in (refresh tokens replaced by rotation, and the ID and access tokens
// they minted): revoking a sign-in removes its family, and an access token is
// honoured only while its family has a token left.
type RefreshToken struct {
	PoolID    string
	ID        string
	Family    string
	ClientID  string
	UserKey   string
	AuthTime  time.Time
	CreatedAt time.Time
	ExpiresAt time.Time
}

// AuthEvent is a sign-in or other authentication event of a user. ID is unique
// and sorts in creation order; Data is a document the domain owns.
type AuthEvent struct {
	PoolID    string
	UserKey   string
	ID        string
	CreatedAt time.Time
	Data      []byte
}

// FoundRefreshToken is a refresh token as a refresh reads it
// (FindRefreshToken).
type FoundRefreshToken struct {
	Token RefreshToken
	// Found is false when the pool has no token of the ID.
	Found bool
	// Holder is the token's user with the groups it is in (Found false
	// when the user is gone), and the pool's generation.
	Holder Signer
}

// FoundAuthSession is an auth session as a challenge answer reads it
// (FindAuthSession).
type FoundAuthSession struct {
	Session AuthSession
	// Found is false when the pool has no session of the ID.
	Found bool
	// Holder is the session's user with the groups it is in (Found false
	// when the user is gone), and the pool's generation.
	Holder Signer
}

// AuthReader reads what sign-in keeps.
type AuthReader interface {
	// ListSigningKeys returns the pool's signing keys, oldest first (by
	// CreatedAt, then ID).
	ListSigningKeys(ctx context.Context, poolID string) ([]SigningKey, error)

	// FindAuthSession reads a session with what a challenge answer needs
	// besides, in one read: its user with the user's groups, and the pool's
	// generation. It does not look at ExpiresAt; ErrNotFound if the pool
	// does not exist.
	FindAuthSession(ctx context.Context, poolID, id string) (FoundAuthSession, error)

	// GetRefreshToken returns ErrNotFound if no token of the pool has the ID.
	// It does not look at ExpiresAt.
	GetRefreshToken(ctx context.Context, poolID, id string) (RefreshToken, error)
	// FindRefreshToken reads a refresh token with what a refresh needs
	// besides, in one read: its user with the user's groups, and the pool's
	// generation. It does not look at ExpiresAt; ErrNotFound if the pool
	// does not exist.
	FindRefreshToken(ctx context.Context, poolID, id string) (FoundRefreshToken, error)

	// ListAuthEvents returns a user's events newest first (by ID), those whose
	// ID sorts before page.After when it is set.
	ListAuthEvents(ctx context.Context, poolID, userKey string, page Page) ([]AuthEvent, error)
}

// AuthWriter changes what sign-in keeps. Everything here belongs to a pool
// (deleted with it) and, but signing keys, to a user (deleted with it).
type AuthWriter interface {
	// AddSigningKey returns ErrConflict if the ID is taken, ErrNotFound if
	// the pool does not exist.
	AddSigningKey(ctx context.Context, k SigningKey) error
	// RetireSigningKey sets RetiredAt and ExpiresAt; ErrNotFound if absent.
	RetireSigningKey(ctx context.Context, poolID, id string, retiredAt, expiresAt time.Time) error
	// DeleteExpiredSigningKeys removes retired keys whose ExpiresAt is before now.
	DeleteExpiredSigningKeys(ctx context.Context, poolID string, now time.Time) error

	// CreateAuthSession returns ErrConflict if the ID is taken, ErrNotFound if
	// the user does not exist.
	CreateAuthSession(ctx context.Context, s AuthSession) error
	// DeleteAuthSession makes a session single-use: ErrNotFound if it is
	// already gone, so of two transactions answering one challenge only one
	// gets past it.
	DeleteAuthSession(ctx context.Context, poolID, id string) error

	// CreateRefreshToken returns ErrConflict if the ID is taken, ErrNotFound
	// if the user does not exist.
	CreateRefreshToken(ctx context.Context, t RefreshToken) error
	// SetRefreshTokenExpiry moves a token's ExpiresAt (rotation's grace
	// period); ErrNotFound if absent.
	SetRefreshTokenExpiry(ctx context.Context, poolID, id string, expiresAt time.Time) error
	// DeleteTokenFamily removes every refresh token of the user's family; no
	// error if there is none.
	DeleteTokenFamily(ctx context.Context, poolID, userKey, family string) error
	// DeleteUserTokens removes every refresh token of the user (global sign-out).
	DeleteUserTokens(ctx context.Context, poolID, userKey string) error

	// AddAuthEvent returns ErrConflict if the ID is taken, ErrNotFound if the
	// user does not exist.
	AddAuthEvent(ctx context.Context, e AuthEvent) error

	// DeleteExpiredAuth removes sessions and refresh tokens of every pool
	// whose ExpiresAt is before now, at most limit of each (limit <= 0 is no
	// limit), and returns how many it removed.
	DeleteExpiredAuth(ctx context.Context, now time.Time, limit int) (int, error)
}
