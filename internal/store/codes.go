package store

import (
	"context"
	"time"
)

// Code is a one-time code sent to a user: to confirm a sign-up, reset a
// password or verify an attribute. A user holds at most one code per
// Purpose; a new one replaces the old. Hash is a keyed hash of the code (the
// code itself is never stored). Value is what the code confirms when it is
// not already in the user's attributes: a new email address or phone number
// waiting for verification before it replaces the old one.
type Code struct {
	PoolID      string
	UserKey     string
	Purpose     string // "signup", "reset", "verify:email", "verify:phone_number"
	Hash        []byte
	Destination string
	Value       string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	// Attempts counts wrong submissions of this code.
	Attempts int
}

// CodeReader reads one-time codes.
type CodeReader interface {
	// GetCode returns the user's code of the purpose; ErrNotFound if none.
	// It does not look at ExpiresAt.
	GetCode(ctx context.Context, poolID, userKey, purpose string) (Code, error)
}

// CodeWriter changes one-time codes. A user's codes are deleted with it.
type CodeWriter interface {
	// PutCode stores c, replacing the user's code of the same purpose;
	// ErrNotFound if the user does not exist.
	PutCode(ctx context.Context, c Code) error
	// SetCodeAttempts records wrong submissions; ErrNotFound if absent.
	SetCodeAttempts(ctx context.Context, poolID, userKey, purpose string, attempts int) error
	// DeleteCode uses a code up: ErrNotFound if it is already gone, so of
	// two transactions submitting one code only one gets past it.
	DeleteCode(ctx context.Context, poolID, userKey, purpose string) error
}
