// Package store defines the storage interface that the domain (internal/cognito)
// owns, the records it stores and the sentinel errors every backend returns.
// Backends live in sub-packages and are proven by storetest's conformance suite.
// They keep the records' times to the millisecond, and return them in UTC.
package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors. Backends map their driver's codes onto these; the domain turns
// them into the Cognito error that fits the operation.
var (
	// ErrNotFound: the addressed record does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a uniqueness constraint refused the write.
	ErrConflict = errors.New("store: conflict")
	// ErrRetry: the transaction lost a race (serialization failure, busy database)
	// and may succeed if run again. Update retries on it by itself.
	ErrRetry = errors.New("store: retry")
)

// UserPool is a user pool. Config is the pool's description as the domain
// serializes it (JSON); the store keeps it opaque.
//
// Generation counts the changes to the pool and to its clients and their
// secrets: the store moves it forward with every write that changes what
// FindClient returns (UpdateUserPool, UpdateClient, DeleteClient,
// AddClientSecret, DeleteClientSecret), in the same transaction. A copy of
// a client read at one generation is therefore current for as long as the
// pool is at that generation, on any node. The store ignores the field in
// the records it is given.
type UserPool struct {
	ID         string
	Name       string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Config     []byte
	Generation int64
}

// Client is an app client of a user pool. Config is opaque to the store.
type Client struct {
	PoolID    string
	ID        string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Config    []byte
}

// ClientSecret is one of an app client's secrets (a client may hold two while
// rotating). Value is encrypted by the domain before it reaches the store.
type ClientSecret struct {
	PoolID    string
	ClientID  string
	ID        string
	Value     []byte
	CreatedAt time.Time
}

// FoundClient is an app client as FindClient reads it: with its pool, and
// its secrets in ListClientSecrets' order.
type FoundClient struct {
	Client  Client
	Pool    UserPool
	Secrets []ClientSecret
}

// AccessKey is an administrator's AWS-style access key. Secret is encrypted by the
// caller before it reaches the store.
type AccessKey struct {
	ID        string
	Secret    []byte
	CreatedAt time.Time
}

// Page asks for at most Limit records whose key sorts after After ("" = from
// the start; Limit <= 0 = no limit). Keys compare byte-wise, so a page that
// starts after the previous page's last key skips and repeats nothing that
// existed when listing began, however rows come and go meanwhile.
type Page struct {
	After string
	Limit int
}

// Reader is the read side, usable inside and outside a transaction.
type Reader interface {
	UserReader
	AuthReader
	CodeReader
	ImportReader
	GetUserPool(ctx context.Context, id string) (UserPool, error)
	// ListUserPools returns pools ordered by ID, after page.After.
	ListUserPools(ctx context.Context, page Page) ([]UserPool, error)

	GetClient(ctx context.Context, poolID, clientID string) (Client, error)
	// FindClient finds a client by its ID alone, as the operations that
	// users call address it, with its pool and secrets, in one read. The
	// domain makes client IDs unique across pools; should two pools share
	// one, either may be returned.
	FindClient(ctx context.Context, clientID string) (FoundClient, error)
	// ListClients returns a pool's clients ordered by ID, after page.After.
	ListClients(ctx context.Context, poolID string, page Page) ([]Client, error)
	// ListClientSecrets returns a client's secrets, oldest first.
	ListClientSecrets(ctx context.Context, poolID, clientID string) ([]ClientSecret, error)

	GetAccessKey(ctx context.Context, id string) (AccessKey, error)
	ListAccessKeys(ctx context.Context) ([]AccessKey, error)
}

// Writer is the write side, only available inside Update (but for the few
// writes Store offers on their own). A write refused with ErrConflict or
// ErrNotFound changes nothing and leaves the transaction usable: fn may go
// on and commit.
type Writer interface {
	UserWriter
	AuthWriter
	CodeWriter
	ImportWriter
	// CreateUserPool returns ErrConflict if the ID is taken.
	CreateUserPool(ctx context.Context, p UserPool) error
	// UpdateUserPool replaces Name, UpdatedAt and Config; ErrNotFound if absent.
	UpdateUserPool(ctx context.Context, p UserPool) error
	// DeleteUserPool removes the pool and everything that belongs to it
	// (clients, secrets); ErrNotFound if absent.
	DeleteUserPool(ctx context.Context, id string) error

	// CreateClient returns ErrConflict if the ID is taken and ErrNotFound if the
	// pool does not exist.
	CreateClient(ctx context.Context, c Client) error
	// UpdateClient replaces Name, UpdatedAt and Config; ErrNotFound if absent.
	UpdateClient(ctx context.Context, c Client) error
	// DeleteClient removes the client and its secrets; ErrNotFound if absent.
	DeleteClient(ctx context.Context, poolID, clientID string) error

	// AddClientSecret returns ErrConflict if the secret ID is taken and
	// ErrNotFound if the client does not exist.
	AddClientSecret(ctx context.Context, s ClientSecret) error
	// DeleteClientSecret returns ErrNotFound if absent.
	DeleteClientSecret(ctx context.Context, poolID, clientID, secretID string) error

	// CreateAccessKey returns ErrConflict if the ID is taken.
	CreateAccessKey(ctx context.Context, k AccessKey) error
}

// Tx is a transaction's view: reads see its own writes.
type Tx interface {
	Reader
	Writer
}

// Store is a storage backend.
type Store interface {
	Reader
	// Update runs fn in one transaction and commits if fn returns nil.
	//
	// fn may be called more than once: the backend runs it again when the
	// transaction loses a race (ErrRetry). fn must therefore have no effects
	// outside tx, and must not keep state from a previous attempt. fn must not
	// call Update: a backend with a single writer would wait for itself.
	// Such a backend may run fn on another goroutine, in a transaction it
	// shares with other calls' fns; each commits or rolls back as its own
	// would, and Update returns once fn's writes are durable.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// CreateRefreshToken and CreateAuthSession are Tx's, as writes of their
	// own outside any Update: the only write of most sign-in steps, which a
	// backend may make one statement with no transaction around it. The row
	// is durable on return.
	CreateRefreshToken(ctx context.Context, t RefreshToken) error
	CreateAuthSession(ctx context.Context, s AuthSession) error
	// RedeemAuthSession uses up a session and stores the refresh token its
	// answer issued, together, outside any Update: ErrNotFound if the
	// session is gone (used by another answer, or with its user), an error
	// of CreateRefreshToken's otherwise, and then nothing has changed. A
	// backend may make it one statement.
	RedeemAuthSession(ctx context.Context, poolID, sessionID string, t RefreshToken) error
	Close() error
}
