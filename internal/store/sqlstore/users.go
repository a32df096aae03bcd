package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"cognate/internal/store"
)

func scanUser(s scanner) (store.User, error) {
	var d userDest
	err := s.Scan(d.fields()...)
	return d.user(), err
}

// userDest receives a user's columns in userColumns' order, NULLs (a LEFT
// JOIN's missing user) included.
type userDest struct {
	poolID, key, username, sub, status                   sql.NullString
	enabled                                              sql.NullBool
	created, updated                                     sql.NullInt64
	attributes, credential, settings                     []byte
	email, phone, name, givenName, familyName, preferred sql.NullString
}

func (d *userDest) fields() []any {
	return []any{&d.poolID, &d.key, &d.username, &d.sub, &d.status, &d.enabled, &d.created, &d.updated,
		&d.attributes, &d.credential, &d.settings,
		&d.email, &d.phone, &d.name, &d.givenName, &d.familyName, &d.preferred}
}

func (d *userDest) user() store.User {
	return store.User{PoolID: d.poolID.String, Key: d.key.String, Username: d.username.String, Sub: d.sub.String,
		Status: d.status.String, Enabled: d.enabled.Bool,
		CreatedAt: fromMillis(d.created.Int64), UpdatedAt: fromMillis(d.updated.Int64),
		Attributes: d.attributes, Credential: d.credential, Settings: d.settings,
		Email: d.email.String, PhoneNumber: d.phone.String, Name: d.name.String, GivenName: d.givenName.String,
		FamilyName: d.familyName.String, PreferredUsername: d.preferred.String}
}

// appendUser appends a user's values in userColumns' order.
func appendUser(args []any, u store.User) []any {
	return append(args, u.PoolID, u.Key, u.Username, u.Sub, u.Status, u.Enabled, millis(u.CreatedAt), millis(u.UpdatedAt),
		blob(u.Attributes), nullBlob(u.Credential), blob(u.Settings),
		u.Email, u.PhoneNumber, u.Name, u.GivenName, u.FamilyName, u.PreferredUsername)
}

// nullBlob stores a nil slice as NULL, so that it comes back nil.
func nullBlob(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

func scanSignInName(s scanner) (store.SignInName, error) {
	var n store.SignInName
	err := s.Scan(&n.PoolID, &n.Name, &n.UserKey, &n.Kind)
	return n, err
}

func scanGroup(s scanner) (store.Group, error) {
	var d groupDest
	err := s.Scan(d.fields()...)
	return d.group(), err
}

// groupDest receives a group's columns in groupColumns' order, NULLs (a
// LEFT JOIN's missing group) included.
type groupDest struct {
	poolID, name, description, roleARN sql.NullString
	precedence, created, updated       sql.NullInt64
}

func (d *groupDest) fields() []any {
	return []any{&d.poolID, &d.name, &d.description, &d.roleARN, &d.precedence, &d.created, &d.updated}
}

func (d *groupDest) group() store.Group {
	g := store.Group{PoolID: d.poolID.String, Name: d.name.String, Description: d.description.String,
		RoleARN: d.roleARN.String, CreatedAt: fromMillis(d.created.Int64), UpdatedAt: fromMillis(d.updated.Int64)}
	if d.precedence.Valid {
		p := int32(d.precedence.Int64)
		g.Precedence = &p
	}
	return g
}

func precedence(p *int32) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

func scanMessage(s scanner) (store.Message, error) {
	var m store.Message
	var created, next int64
	err := s.Scan(&m.ID, &m.PoolID, &m.UserKey, &created, &m.Kind, &m.Medium, &m.Destination, &m.Subject, &m.Body,
		&m.From, &m.ReplyTo, &m.Code, &m.Status, &m.Attempts, &next, &m.LastError)
	m.CreatedAt, m.NextAttempt = fromMillis(created), fromMillis(next)
	return m, err
}

// rowLimit is a bare limit's LIMIT: non-positive means no limit.
func rowLimit(n int) int64 {
	if n <= 0 {
		return math.MaxInt64
	}
	return int64(n)
}

func (c *conn) GetUser(ctx context.Context, poolID, key string) (store.User, error) {
	return get(ctx, c, fmt.Sprintf("get user %q of pool %q", key, poolID), scanUser, getUser, poolID, key)
}

func (c *conn) FindUserBySignInName(ctx context.Context, poolID, name string) (store.User, error) {
	return get(ctx, c, fmt.Sprintf("find the user signing in as %q in pool %q", name, poolID), scanUser,
		findUserBySignInName, poolID, name)
}

func (c *conn) FindSigner(ctx context.Context, poolID, name string) (store.Signer, error) {
	what := fmt.Sprintf("find the user signing in as %q in pool %q", name, poolID)
	rows, err := c.query(ctx, findSigner, poolID, name, poolID, name, poolID)
	if err != nil {
		return store.Signer{}, c.fail(what, err)
	}
	found, err := readHolders(rows, nil, nil)
	if err != nil {
		return store.Signer{}, c.fail(what, err)
	}
	if !found.pool {
		return store.Signer{}, fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	// The username's user, else the sign-in name's.
	signer := found.users[0]
	if !signer.Found {
		signer = found.users[1]
	}
	signer.Generation = found.generation
	return signer, nil
}

func (c *conn) FindAccessHolder(ctx context.Context, poolID, key, family string) (store.AccessHolder, error) {
	what := fmt.Sprintf("find user %q of pool %q with token family %q", key, poolID, family)
	rows, err := c.query(ctx, findAccessHolder, family, poolID, key, poolID)
	if err != nil {
		return store.AccessHolder{}, c.fail(what, err)
	}
	defer rows.Close()
	var h store.AccessHolder
	pool := false
	for rows.Next() {
		var via int
		var generation sql.NullInt64
		var u userDest
		var live sql.NullBool
		if err := rows.Scan(append(append([]any{&via, &generation}, u.fields()...), &live)...); err != nil {
			return store.AccessHolder{}, c.fail(what, err)
		}
		if via == 2 {
			pool, h.Generation = true, generation.Int64
			continue
		}
		h.User, h.Found, h.Live = u.user(), true, live.Bool
	}
	if err := rows.Err(); err != nil {
		return store.AccessHolder{}, c.fail(what, err)
	}
	if !pool {
		return store.AccessHolder{}, fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return h, nil
}

// holders is what readHolders read.
type holders struct {
	users      [2]store.Signer // of rows via 0 and 1, without the generation
	generation int64
	pool       bool // the pool's row came
}

// readHolders reads and closes the rows of findSigner and findRefreshToken:
// via and the pool's generation, then the columns extra scans into (row,
// if set, is called with the via of each row once it is scanned), a user's
// and a group's. Rows via 0 and 1 are a user, once per group it is in (or once
// with NULL group columns); the row via 2 is the pool's. The users' groups
// are sorted by name.
func readHolders(rows *sql.Rows, extra []any, row func(via int)) (holders, error) {
	defer rows.Close()
	var h holders
	for rows.Next() {
		var via int
		var generation sql.NullInt64
		var u userDest
		var g groupDest
		dest := append(append(append([]any{&via, &generation}, extra...), u.fields()...), g.fields()...)
		if err := rows.Scan(dest...); err != nil {
			return h, err
		}
		if row != nil {
			row(via)
		}
		switch {
		case via == 2:
			h.pool, h.generation = true, generation.Int64
		case u.key.Valid:
			h.users[via].User, h.users[via].Found = u.user(), true
			if g.name.Valid {
				h.users[via].Groups = append(h.users[via].Groups, g.group())
			}
		}
	}
	for i := range h.users {
		slices.SortFunc(h.users[i].Groups, func(a, b store.Group) int { return strings.Compare(a.Name, b.Name) })
	}
	return h, rows.Err()
}

func (c *conn) ListSignInNames(ctx context.Context, poolID, userKey string) ([]store.SignInName, error) {
	return list(ctx, c, fmt.Sprintf("list sign-in names of user %q", userKey), scanSignInName, listSignInNames, poolID, userKey)
}

func (c *conn) ListUsers(ctx context.Context, poolID string, filter store.UserFilter, page store.UserPage) ([]store.User, error) {
	what := fmt.Sprintf("list users of pool %q", poolID)
	q, args, err := userListing(poolID, filter, page)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return list(ctx, c, what, scanUser, q, args...)
}

func (c *conn) CountUsers(ctx context.Context, poolID string) (int64, error) {
	return get(ctx, c, fmt.Sprintf("count users of pool %q", poolID),
		func(s scanner) (n int64, err error) { return n, s.Scan(&n) }, countUsers, poolID)
}

func (c *conn) GetGroup(ctx context.Context, poolID, name string) (store.Group, error) {
	return get(ctx, c, fmt.Sprintf("get group %q of pool %q", name, poolID), scanGroup, getGroup, poolID, name)
}

func (c *conn) ListGroups(ctx context.Context, poolID string, page store.Page) ([]store.Group, error) {
	return list(ctx, c, fmt.Sprintf("list groups of pool %q", poolID), scanGroup, listGroups, poolID, page.After, limit(page))
}

func (c *conn) ListGroupsForUser(ctx context.Context, poolID, userKey string, page store.Page) ([]store.Group, error) {
	return list(ctx, c, fmt.Sprintf("list groups of user %q", userKey), scanGroup, listGroupsForUser,
		poolID, userKey, page.After, limit(page))
}

func (c *conn) ListUsersInGroup(ctx context.Context, poolID, group string, page store.Page) ([]store.User, error) {
	return list(ctx, c, fmt.Sprintf("list users in group %q", group), scanUser, listUsersInGroup,
		poolID, group, page.After, limit(page))
}

func (c *conn) ListMessages(ctx context.Context, poolID, userKey string, n int) ([]store.Message, error) {
	return list(ctx, c, fmt.Sprintf("list messages to user %q", userKey), scanMessage, listMessages,
		poolID, userKey, rowLimit(n))
}

func (c *conn) CountMessagesTo(ctx context.Context, poolID, destination string, since time.Time) (int, error) {
	return get(ctx, c, fmt.Sprintf("count messages to %q", destination),
		func(s scanner) (n int, err error) { return n, s.Scan(&n) }, countMessagesTo, poolID, destination, millis(since))
}

func (t *tx) CreateUser(ctx context.Context, u store.User, names []store.SignInName) error {
	what := fmt.Sprintf("create user %q in pool %q", u.Key, u.PoolID)
	args := append(appendUser(make([]any, 0, 18), u), u.PoolID)
	if err := t.insertChild(ctx, what, insertUser, args, userPoolExists, u.PoolID); err != nil {
		return err
	}
	for _, n := range names {
		inserted, err := t.exec(ctx, insertSignInName, u.PoolID, n.Name, u.Key, n.Kind)
		if err == nil && inserted == 1 {
			continue
		}
		// Refused: take the user back, and with it the names inserted so far.
		if _, derr := t.exec(ctx, deleteUser, u.PoolID, u.Key); derr != nil {
			return t.fail(what, errors.Join(err, derr))
		}
		if err != nil {
			return t.fail(what, err)
		}
		return fmt.Errorf("%s: sign-in name %q: %w", what, n.Name, store.ErrConflict)
	}
	return nil
}

func (t *tx) UpdateUser(ctx context.Context, u store.User) error {
	return t.change(ctx, fmt.Sprintf("update user %q of pool %q", u.Key, u.PoolID), updateUser,
		u.Status, u.Enabled, millis(u.UpdatedAt), blob(u.Attributes), nullBlob(u.Credential), blob(u.Settings),
		u.Email, u.PhoneNumber, u.Name, u.GivenName, u.FamilyName, u.PreferredUsername, u.PoolID, u.Key)
}

func (t *tx) DeleteUser(ctx context.Context, poolID, key string) error {
	return t.change(ctx, fmt.Sprintf("delete user %q of pool %q", key, poolID), deleteUser, poolID, key)
}

func (t *tx) SetSignInNames(ctx context.Context, poolID, userKey string, names []store.SignInName) error {
	what := fmt.Sprintf("set the sign-in names of user %q in pool %q", userKey, poolID)
	// Every check comes before the first change, so that a refusal changes
	// nothing.
	found, err := t.exists(ctx, userExists, poolID, userKey)
	if err != nil {
		return t.fail(what, err)
	}
	if !found {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n.Name] {
			return fmt.Errorf("%s: sign-in name %q given twice: %w", what, n.Name, store.ErrConflict)
		}
		seen[n.Name] = true
		owner, err := get(ctx, &t.conn, what, func(s scanner) (k string, err error) { return k, s.Scan(&k) },
			signInNameOwner, poolID, n.Name)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case owner != userKey:
			return fmt.Errorf("%s: sign-in name %q belongs to another user: %w", what, n.Name, store.ErrConflict)
		}
	}
	if _, err := t.exec(ctx, deleteSignInNames, poolID, userKey); err != nil {
		return t.fail(what, err)
	}
	for _, n := range names {
		// The checks leave one way to insert nothing: another transaction
		// took the name since, which SQLite's single writer rules out and
		// PostgreSQL reports as a serialization failure.
		if err := t.insert(ctx, what, insertSignInName, poolID, n.Name, userKey, n.Kind); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) DeleteSignInName(ctx context.Context, poolID, name string) error {
	if _, err := t.exec(ctx, deleteSignInName, poolID, name); err != nil {
		return t.fail(fmt.Sprintf("delete sign-in name %q of pool %q", name, poolID), err)
	}
	return nil
}

func (t *tx) CreateGroup(ctx context.Context, g store.Group) error {
	return t.insertChild(ctx, fmt.Sprintf("create group %q in pool %q", g.Name, g.PoolID), insertGroup,
		[]any{g.PoolID, g.Name, g.Description, g.RoleARN, precedence(g.Precedence), millis(g.CreatedAt), millis(g.UpdatedAt), g.PoolID},
		userPoolExists, g.PoolID)
}

func (t *tx) UpdateGroup(ctx context.Context, g store.Group) error {
	return t.change(ctx, fmt.Sprintf("update group %q of pool %q", g.Name, g.PoolID), updateGroup,
		g.Description, g.RoleARN, precedence(g.Precedence), millis(g.UpdatedAt), g.PoolID, g.Name)
}

func (t *tx) DeleteGroup(ctx context.Context, poolID, name string) error {
	return t.change(ctx, fmt.Sprintf("delete group %q of pool %q", name, poolID), deleteGroup, poolID, name)
}

func (t *tx) AddUserToGroup(ctx context.Context, poolID, group, userKey string) error {
	what := fmt.Sprintf("add user %q to group %q of pool %q", userKey, group, poolID)
	n, err := t.exec(ctx, insertGroupMember, poolID, group, userKey, poolID, group, poolID, userKey)
	if err != nil {
		return t.fail(what, err)
	}
	if n == 1 {
		return nil
	}
	// Nothing inserted: the user is a member already, or one of the two is
	// missing.
	for _, parent := range []struct {
		q   query
		key string
	}{{groupExists, group}, {userExists, userKey}} {
		found, err := t.exists(ctx, parent.q, poolID, parent.key)
		if err != nil {
			return t.fail(what, err)
		}
		if !found {
			return fmt.Errorf("%s: %w", what, store.ErrNotFound)
		}
	}
	return nil
}

func (t *tx) RemoveUserFromGroup(ctx context.Context, poolID, group, userKey string) error {
	if _, err := t.exec(ctx, deleteGroupMember, poolID, group, userKey); err != nil {
		return t.fail(fmt.Sprintf("remove user %q from group %q of pool %q", userKey, group, poolID), err)
	}
	return nil
}

func (t *tx) EnqueueMessage(ctx context.Context, m store.Message) error {
	return t.insertChild(ctx, fmt.Sprintf("enqueue message %q", m.ID), insertMessage,
		[]any{m.ID, m.PoolID, m.UserKey, millis(m.CreatedAt), m.Kind, m.Medium, m.Destination, m.Subject, m.Body,
			m.From, m.ReplyTo, m.Code, m.Status, int64(m.Attempts), millis(m.NextAttempt), m.LastError, m.PoolID},
		userPoolExists, m.PoolID)
}

func (t *tx) ClaimMessages(ctx context.Context, now time.Time, n int) ([]store.Message, error) {
	return list(ctx, &t.conn, "claim messages", scanMessage, claimMessages, millis(now), rowLimit(n))
}

func (t *tx) UpdateMessage(ctx context.Context, m store.Message) error {
	return t.change(ctx, fmt.Sprintf("update message %q", m.ID), updateMessage,
		m.Status, int64(m.Attempts), millis(m.NextAttempt), m.LastError, m.ID)
}

// CreateUsers writes the users, then their names, Dialect.BulkRows rows per
// INSERT … ON CONFLICT DO NOTHING RETURNING, prepared once per call. Checks
// before the first write rule out every refusal but a conflict: the pools
// exist, and so does the user of each name outside the batch. A conflict
// shows as a row missing from what RETURNING gives back; CreateUsers then
// deletes the rows it inserted, so that, as for every write, a refusal
// changes nothing and the transaction goes on. It takes no savepoint: on
// SQLite, one makes every later change first copy the page it changes to a
// journal, and cost nearly a third of the bulk rate.
func (t *tx) CreateUsers(ctx context.Context, users []store.User, names []store.SignInName) error {
	const what = "create users"
	if err := t.checkBatch(ctx, users, names); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	done, partial, err := bulkInsert(ctx, t, userRows, users)
	if err == nil {
		var doneNames int
		doneNames, partial, err = bulkInsert(ctx, t, nameRows, names)
		if errors.Is(err, store.ErrConflict) {
			partial = append(partial, ids(nameRows, names[:doneNames])...)
			if derr := deleteRows(ctx, t, nameRows, partial); derr != nil {
				return t.fail(what, errors.Join(err, derr))
			}
			partial, done = nil, len(users)
		}
	}
	if errors.Is(err, store.ErrConflict) {
		if derr := deleteRows(ctx, t, userRows, append(partial, ids(userRows, users[:done])...)); derr != nil {
			return t.fail(what, errors.Join(err, derr))
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// checkBatch returns store.ErrNotFound if a pool of the batch is missing, or
// the user of a name, which may be in the batch or in the pool already.
func (t *tx) checkBatch(ctx context.Context, users []store.User, names []store.SignInName) error {
	pools := map[string]bool{}
	for _, u := range users {
		pools[u.PoolID] = true
	}
	for pool := range pools {
		found, err := t.exists(ctx, userPoolExists, pool)
		if err != nil {
			return t.mapErr(err)
		}
		if !found {
			return fmt.Errorf("pool %q: %w", pool, store.ErrNotFound)
		}
	}
	if len(names) == 0 {
		return nil
	}
	batch := make(map[[2]string]bool, len(users))
	for _, u := range users {
		batch[[2]string{u.PoolID, u.Key}] = true
	}
	for _, n := range names {
		if batch[[2]string{n.PoolID, n.UserKey}] {
			continue
		}
		found, err := t.exists(ctx, userExists, n.PoolID, n.UserKey)
		if err != nil {
			return t.mapErr(err)
		}
		if !found {
			return fmt.Errorf("user %q of sign-in name %q: %w", n.UserKey, n.Name, store.ErrNotFound)
		}
		batch[[2]string{n.PoolID, n.UserKey}] = true
	}
	return nil
}

// rowID names a row by its primary key, pool_id and one more column.
type rowID [2]string

// table is what bulkInsert needs to know of a table.
type table[T any] struct {
	name, columns string
	key           string // the primary key's column besides pool_id
	args          func([]any, T) []any
	id            func(T) rowID
}

var (
	userRows = table[store.User]{name: "users", columns: userColumns, key: "key",
		args: appendUser, id: func(u store.User) rowID { return rowID{u.PoolID, u.Key} }}
	nameRows = table[store.SignInName]{name: "sign_in_names", columns: signInNameColumns, key: "name",
		args: func(args []any, n store.SignInName) []any { return append(args, n.PoolID, n.Name, n.UserKey, n.Kind) },
		id:   func(n store.SignInName) rowID { return rowID{n.PoolID, n.Name} }}
)

func ids[T any](tb table[T], rows []T) []rowID {
	out := make([]rowID, len(rows))
	for i, r := range rows {
		out[i] = tb.id(r)
	}
	return out
}

// bulkInsert inserts rows, t.bulkRows per statement. On a conflict it
// returns store.ErrConflict, how many rows (from the first) it inserted,
// and the IDs of the rows it inserted after them.
//
// A statement of one row says how many rows it inserted rather than which:
// on SQLite, RETURNING halves the rate of one-row inserts.
func bulkInsert[T any](ctx context.Context, t *tx, tb table[T], rows []T) (done int, partial []rowID, err error) {
	if len(rows) == 0 {
		return 0, nil, nil
	}
	text := func(n int) string {
		row := "(" + placeholders(tb.columns) + ")"
		text := "INSERT INTO " + tb.name + " (" + tb.columns + ") VALUES " +
			strings.Repeat(row+", ", n-1) + row + " ON CONFLICT DO NOTHING"
		if n > 1 {
			text += " RETURNING pool_id, " + tb.key
		}
		return t.rebind(text)
	}
	per := t.bulkRows
	var full *sql.Stmt
	if len(rows) >= per {
		if full, err = t.q.PrepareContext(ctx, text(per)); err != nil {
			return 0, nil, t.mapErr(err)
		}
		defer full.Close()
	}
	args := make([]any, 0, min(len(rows), per)*columnsOf(tb.columns))
	for done < len(rows) {
		chunk := rows[done:min(done+per, len(rows))]
		args = args[:0]
		for _, r := range chunk {
			args = tb.args(args, r)
		}
		stmt := full
		if len(chunk) < per {
			if stmt, err = t.q.PrepareContext(ctx, text(len(chunk))); err != nil {
				return done, nil, t.mapErr(err)
			}
			defer stmt.Close()
		}
		var inserted int
		if inserted, partial, err = insertChunk(ctx, stmt, len(chunk) > 1, args); err != nil {
			return done, nil, t.mapErr(err)
		}
		if inserted < len(chunk) {
			return done, partial, fmt.Errorf("%d of %d %s taken, or given twice: %w",
				len(chunk)-inserted, len(chunk), tb.name, store.ErrConflict)
		}
		done += len(chunk)
	}
	return done, nil, nil
}

// insertChunk runs one statement of bulkInsert and returns how many rows it
// inserted, and which if it says so.
func insertChunk(ctx context.Context, stmt *sql.Stmt, returning bool, args []any) (int, []rowID, error) {
	if !returning {
		res, err := stmt.ExecContext(ctx, args...)
		if err != nil {
			return 0, nil, err
		}
		n, err := res.RowsAffected()
		return int(n), nil, err
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var ids []rowID
	for rows.Next() {
		var id rowID
		if err := rows.Scan(&id[0], &id[1]); err != nil {
			return 0, nil, err
		}
		ids = append(ids, id)
	}
	return len(ids), ids, rows.Err()
}

// deleteRows deletes rows of a table by ID, t.bulkRows per statement.
func deleteRows[T any](ctx context.Context, t *tx, tb table[T], rows []rowID) error {
	for start := 0; start < len(rows); start += t.bulkRows {
		chunk := rows[start:min(start+t.bulkRows, len(rows))]
		args := make([]any, 0, 2*len(chunk))
		for _, id := range chunk {
			args = append(args, id[0], id[1])
		}
		text := "DELETE FROM " + tb.name + " WHERE (pool_id, " + tb.key + ") IN (" +
			strings.Repeat("(?, ?), ", len(chunk)-1) + "(?, ?))"
		if _, err := t.q.ExecContext(ctx, t.rebind(text), args...); err != nil {
			return t.mapErr(err)
		}
	}
	return nil
}
