package store

import (
	"context"
	"time"
)

// User is a user of a pool. Key is the username as the pool compares it
// (lower-cased in case-insensitive pools) and is unique in the pool; Username
// keeps the case it was created with. Attributes, Credential and Settings are
// documents the domain owns; the store keeps them opaque. The filterable
// fields are copies of attributes that ListUsers filters on, kept by the
// domain so that every filter is served by an index.
type User struct {
	PoolID     string
	Key        string
	Username   string
	Sub        string
	Status     string // UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, …
	Enabled    bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Attributes []byte
	// Credential is the sealed password verifier (nil: none).
	Credential []byte
	// Settings holds MFA preferences, temporary-password expiry and the like.
	Settings []byte

	Email             string
	PhoneNumber       string
	Name              string
	GivenName         string
	FamilyName        string
	PreferredUsername string
}

// SignInName is a name a user signs in with besides the username itself — a
// verified alias, or the email/phone of a pool that signs in by them — already
// normalized by the domain. A name belongs to one user of the pool at most.
type SignInName struct {
	PoolID  string
	Name    string
	UserKey string
	Kind    string // "email", "phone_number", "preferred_username"
}

// UserField names a field ListUsers can filter on.
type UserField string

const (
	FieldUsername          UserField = "username" // Key
	FieldEmail             UserField = "email"
	FieldPhoneNumber       UserField = "phone_number"
	FieldName              UserField = "name"
	FieldGivenName         UserField = "given_name"
	FieldFamilyName        UserField = "family_name"
	FieldPreferredUsername UserField = "preferred_username"
	FieldStatus            UserField = "status"  // Status
	FieldEnabled           UserField = "enabled" // Value "true" or "false"; Prefix not allowed
	FieldSub               UserField = "sub"
)

// UserFilter selects users whose Field equals Value, or starts with it when
// Prefix is set. The zero UserFilter selects every user, and so does an empty
// prefix (users without a value too). Values compare byte-wise.
type UserFilter struct {
	Field  UserField
	Value  string
	Prefix bool
}

// UserPage continues a listing after the last user of the previous page:
// its value of the filter's field (empty without a filter) and its Key; both
// empty start from the beginning (no user has an empty Key). Limit <= 0 is no
// limit. Rows come ordered by (field value, Key), so a page is an index range
// and a continuation never skips or repeats a user that existed throughout.
type UserPage struct {
	AfterValue string
	AfterKey   string
	Limit      int
}

// Group is a group of a pool. Precedence is nil when unset.
type Group struct {
	PoolID      string
	Name        string
	Description string
	RoleARN     string
	Precedence  *int32
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Message is one message in the outbox: an invitation or a code on its way to
// a user. ID is unique and sorts in creation order.
type Message struct {
	ID          string
	PoolID      string
	UserKey     string
	CreatedAt   time.Time
	Kind        string // "invitation", "verification", "reset", …
	Medium      string // "EMAIL" or "SMS"
	Destination string
	Subject     string
	Body        string
	// From and ReplyTo shape an email's envelope, from the pool's email
	// configuration ("" for the sender's default, and for SMS).
	From        string
	ReplyTo     string
	Code        string
	Status      string // "pending", "sent", "failed"
	Attempts    int
	NextAttempt time.Time
	LastError   string
}

// Signer is what a sign-in reads of the user a name signs in, in one read
// (FindSigner).
type Signer struct {
	// User is the user whose username, or else whose sign-in name, the name
	// is; Found is false when there is none.
	User  User
	Found bool
	// Groups are the groups the user is in, ordered by Name.
	Groups []Group
	// Generation is the pool's (see UserPool).
	Generation int64
}

// AccessHolder is what the check of an access token reads of its user
// (FindAccessHolder).
type AccessHolder struct {
	// User is the user of the key; Found is false when there is none.
	User  User
	Found bool
	// Live is true when a refresh token of the user's family is left.
	Live bool
	// Generation is the pool's (see UserPool).
	Generation int64
}

// UserReader reads users, groups and the outbox.
type UserReader interface {
	// FindAccessHolder reads the user of a key, whether a refresh token of
	// the user's family is left (expired or not), and the pool's generation,
	// in one read; ErrNotFound if the pool does not exist.
	FindAccessHolder(ctx context.Context, poolID, key, family string) (AccessHolder, error)
	// FindSigner resolves a name as GetUser and then FindUserBySignInName
	// would, and reads the user's groups and the pool's generation with it,
	// in one read; ErrNotFound if the pool does not exist.
	FindSigner(ctx context.Context, poolID, name string) (Signer, error)
	// GetUser returns ErrNotFound if no user of the pool has the key.
	GetUser(ctx context.Context, poolID, key string) (User, error)
	// FindUserBySignInName returns the user a sign-in name belongs to, in one
	// indexed lookup; ErrNotFound if none.
	FindUserBySignInName(ctx context.Context, poolID, name string) (User, error)
	// ListSignInNames returns a user's sign-in names ordered by Name.
	ListSignInNames(ctx context.Context, poolID, userKey string) ([]SignInName, error)
	// ListUsers returns the pool's users matching filter, ordered by
	// (field value, Key), after page. An unknown field, an enabled value
	// other than "true" or "false" or a prefix of enabled is an error.
	ListUsers(ctx context.Context, poolID string, filter UserFilter, page UserPage) ([]User, error)
	// CountUsers returns the number of users in the pool.
	CountUsers(ctx context.Context, poolID string) (int64, error)

	GetGroup(ctx context.Context, poolID, name string) (Group, error)
	// ListGroups returns the pool's groups ordered by Name, after page.After.
	ListGroups(ctx context.Context, poolID string, page Page) ([]Group, error)
	// ListGroupsForUser returns the groups a user is in, ordered by Name.
	ListGroupsForUser(ctx context.Context, poolID, userKey string, page Page) ([]Group, error)
	// ListUsersInGroup returns a group's members ordered by Key.
	ListUsersInGroup(ctx context.Context, poolID, group string, page Page) ([]User, error)

	// ListMessages returns the messages to a user, newest first (by ID);
	// limit <= 0 is no limit.
	ListMessages(ctx context.Context, poolID, userKey string, limit int) ([]Message, error)
	// CountMessagesTo counts the pool's messages to a destination created
	// after since.
	CountMessagesTo(ctx context.Context, poolID, destination string, since time.Time) (int, error)
}

// UserWriter changes users, groups and the outbox.
type UserWriter interface {
	// CreateUser inserts the user and its sign-in names (whose PoolID and
	// UserKey are taken from u); ErrConflict if the key, the sub or any name
	// is taken, ErrNotFound if the pool does not exist.
	CreateUser(ctx context.Context, u User, names []SignInName) error
	// CreateUsers inserts many users and their names at once: the bulk path of
	// imports and benchmarks. A name may belong to a user of the batch or of
	// the pool. ErrConflict if any key, sub or name is taken (or given
	// twice), ErrNotFound if a pool or a name's user does not exist; either
	// way nothing of the batch is inserted.
	CreateUsers(ctx context.Context, users []User, names []SignInName) error
	// UpdateUser replaces everything but PoolID, Key, Username, Sub and
	// CreatedAt; ErrNotFound if absent.
	UpdateUser(ctx context.Context, u User) error
	// DeleteUser removes the user with its sign-in names and group
	// memberships; ErrNotFound if absent.
	DeleteUser(ctx context.Context, poolID, key string) error
	// SetSignInNames replaces a user's sign-in names (whose PoolID and
	// UserKey are taken from the arguments); ErrConflict if one belongs to
	// another user, ErrNotFound if the user does not exist.
	SetSignInNames(ctx context.Context, poolID, userKey string, names []SignInName) error
	// DeleteSignInName frees a name, whoever holds it (ForceAliasCreation);
	// no error if nobody does.
	DeleteSignInName(ctx context.Context, poolID, name string) error

	// CreateGroup returns ErrConflict if the name is taken, ErrNotFound if the
	// pool does not exist.
	CreateGroup(ctx context.Context, g Group) error
	// UpdateGroup replaces Description, RoleARN, Precedence and UpdatedAt;
	// ErrNotFound if absent.
	UpdateGroup(ctx context.Context, g Group) error
	// DeleteGroup removes the group and its memberships; ErrNotFound if absent.
	DeleteGroup(ctx context.Context, poolID, name string) error
	// AddUserToGroup is idempotent; ErrNotFound if the user or group is absent.
	AddUserToGroup(ctx context.Context, poolID, group, userKey string) error
	// RemoveUserFromGroup is idempotent.
	RemoveUserFromGroup(ctx context.Context, poolID, group, userKey string) error

	// EnqueueMessage adds a message to the outbox; ErrConflict if the ID is
	// taken, ErrNotFound if the pool does not exist. Messages outlive their
	// user, not their pool.
	EnqueueMessage(ctx context.Context, m Message) error
	// ClaimMessages returns up to limit pending messages whose NextAttempt is
	// not after now, the longest due first, for a sender to deliver. It
	// changes nothing: the sender records its claim with UpdateMessage in
	// the same transaction (moving NextAttempt, say), and of two senders
	// claiming at once one then retries and no longer sees the message.
	ClaimMessages(ctx context.Context, now time.Time, limit int) ([]Message, error)
	// UpdateMessage records a delivery attempt: Status, Attempts, NextAttempt
	// and LastError; ErrNotFound if absent.
	UpdateMessage(ctx context.Context, m Message) error
}
