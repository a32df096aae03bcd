package sqlstore

import "strings"

// query names a statement of the shared SQL.
type query int

const (
	getUserPool query = iota
	listUserPools
	insertUserPool
	updateUserPool
	nextGeneration
	deleteUserPool
	userPoolExists

	getClient
	findClient
	listClients
	insertClient
	updateClient
	deleteClient
	clientExists

	listClientSecrets
	insertClientSecret
	deleteClientSecret

	getAccessKey
	listAccessKeys
	insertAccessKey

	getUser
	findUserBySignInName
	findSigner
	findAccessHolder
	countUsers
	insertUser
	updateUser
	deleteUser
	userExists

	listSignInNames
	signInNameOwner
	insertSignInName
	deleteSignInNames
	deleteSignInName

	getGroup
	listGroups
	listGroupsForUser
	listUsersInGroup
	insertGroup
	updateGroup
	deleteGroup
	groupExists
	insertGroupMember
	deleteGroupMember

	insertMessage
	listMessages
	countMessagesTo
	claimMessages
	updateMessage
	messageExists

	listSigningKeys
	insertSigningKey
	retireSigningKey
	deleteExpiredSigningKeys

	findAuthSession
	insertAuthSession
	deleteAuthSession
	deleteExpiredAuthSessions

	getRefreshToken
	findRefreshToken
	insertRefreshToken
	setRefreshTokenExpiry
	deleteTokenFamily
	deleteUserTokens
	deleteExpiredRefreshTokens
	redeemAuthSession

	listAuthEvents
	listAuthEventsBefore
	insertAuthEvent

	getCode
	putCode
	setCodeAttempts
	deleteCode

	getImportJob
	listImportJobs
	insertImportJob
	updateImportJob
	importJobExists
	runnableImportJobs
	getImportChunk
	putImportChunk
	deleteImportChunks
	listImportRowResults

	createMigrationsTable
	listMigrations
	insertMigration

	// The ListUsers queries, one per listing, follow; listings.go writes them.
	firstListing
	numQueries = firstListing + query(numListings)
)

// sharedSQL is every statement, written once with ? placeholders. Inserts say
// ON CONFLICT DO NOTHING and check the parent with WHERE EXISTS so that a
// refused insert changes no row instead of raising an error (see doc.go). The
// WHERE clause of INSERT … SELECT also keeps SQLite from reading ON CONFLICT as
// part of the SELECT.
var sharedSQL = [numQueries]string{
	getUserPool:    `SELECT ` + poolColumns + ` FROM user_pools WHERE id = ?`,
	listUserPools:  `SELECT ` + poolColumns + ` FROM user_pools WHERE id > ? ORDER BY id LIMIT ?`,
	insertUserPool: `INSERT INTO user_pools (id, name, created_at, updated_at, config) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
	updateUserPool: `UPDATE user_pools SET name = ?, updated_at = ?, config = ?, generation = generation + 1 WHERE id = ?`,
	nextGeneration: `UPDATE user_pools SET generation = generation + 1 WHERE id = ?`,
	deleteUserPool: `DELETE FROM user_pools WHERE id = ?`,
	userPoolExists: `SELECT 1 FROM user_pools WHERE id = ?`,

	getClient: `SELECT pool_id, id, name, created_at, updated_at, config FROM clients WHERE pool_id = ? AND id = ?`,
	// One row per secret, or one with NULL secret columns; the subquery
	// picks one pool should two share the client ID.
	findClient: `SELECT c.pool_id, c.id, c.name, c.created_at, c.updated_at, c.config,
		` + prefixed("p", poolColumns) + `, s.id, s.value, s.created_at
		FROM clients c JOIN user_pools p ON p.id = c.pool_id
		LEFT JOIN client_secrets s ON s.pool_id = c.pool_id AND s.client_id = c.id
		WHERE c.id = ? AND c.pool_id = (SELECT pool_id FROM clients WHERE id = ? LIMIT 1)
		ORDER BY s.created_at, s.id`,
	listClients: `SELECT pool_id, id, name, created_at, updated_at, config FROM clients WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?`,
	insertClient: `INSERT INTO clients (pool_id, id, name, created_at, updated_at, config)
		SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM user_pools WHERE id = ?)
		ON CONFLICT DO NOTHING`,
	updateClient: `UPDATE clients SET name = ?, updated_at = ?, config = ? WHERE pool_id = ? AND id = ?`,
	deleteClient: `DELETE FROM clients WHERE pool_id = ? AND id = ?`,
	clientExists: `SELECT 1 FROM clients WHERE pool_id = ? AND id = ?`,

	listClientSecrets: `SELECT pool_id, client_id, id, value, created_at FROM client_secrets
		WHERE pool_id = ? AND client_id = ? ORDER BY created_at, id`,
	insertClientSecret: `INSERT INTO client_secrets (pool_id, client_id, id, value, created_at)
		SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM clients WHERE pool_id = ? AND id = ?)
		ON CONFLICT DO NOTHING`,
	deleteClientSecret: `DELETE FROM client_secrets WHERE pool_id = ? AND client_id = ? AND id = ?`,

	getAccessKey:    `SELECT id, secret, created_at FROM access_keys WHERE id = ?`,
	listAccessKeys:  `SELECT id, secret, created_at FROM access_keys ORDER BY id`,
	insertAccessKey: `INSERT INTO access_keys (id, secret, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,

	getUser: `SELECT ` + userColumns + ` FROM users WHERE pool_id = ? AND key = ?`,
	findUserBySignInName: `SELECT ` + prefixed("u", userColumns) + ` FROM sign_in_names n
		JOIN users u ON u.pool_id = n.pool_id AND u.key = n.user_key
		WHERE n.pool_id = ? AND n.name = ?`,
	// The user the name is the username of (via 0) or else the sign-in name
	// of (via 1), once per group the user is in, then the pool's generation
	// (via 2). Each part is index lookups: a branch finds its user, then the
	// user's groups. The group columns are NULL for a user in no group; the
	// rows come in no particular order.
	findSigner: `SELECT 0 AS via, CAST(NULL AS BIGINT) AS generation, ` + prefixed("u", userColumns) + `, ` + aliased("g", groupColumns, groupAliases) + `
		FROM users u
		LEFT JOIN group_members m ON m.pool_id = u.pool_id AND m.user_key = u.key
		LEFT JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
		WHERE u.pool_id = ? AND u.key = ?
		UNION ALL
		SELECT 1, CAST(NULL AS BIGINT), ` + prefixed("u", userColumns) + `, ` + aliased("g", groupColumns, groupAliases) + `
		FROM sign_in_names n
		JOIN users u ON u.pool_id = n.pool_id AND u.key = n.user_key
		LEFT JOIN group_members m ON m.pool_id = u.pool_id AND m.user_key = u.key
		LEFT JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
		WHERE n.pool_id = ? AND n.name = ?
		UNION ALL
		SELECT 2, generation, ` + nulls(userColumns+", "+groupColumns) + ` FROM user_pools WHERE id = ?`,
	// The user (via 0) with whether its family lives, then the pool's
	// generation (via 2): two index lookups and a third for the family.
	findAccessHolder: `SELECT 0 AS via, CAST(NULL AS BIGINT) AS generation, ` + prefixed("u", userColumns) + `,
			EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.pool_id = u.pool_id AND t.user_key = u.key AND t.family = ?) AS live
		FROM users u WHERE u.pool_id = ? AND u.key = ?
		UNION ALL
		SELECT 2, generation, ` + nulls(userColumns) + `, NULL FROM user_pools WHERE id = ?`,
	countUsers: `SELECT count(*) FROM users WHERE pool_id = ?`,
	insertUser: `INSERT INTO users (` + userColumns + `)
		SELECT ` + placeholders(userColumns) + ` WHERE EXISTS (SELECT 1 FROM user_pools WHERE id = ?)
		ON CONFLICT DO NOTHING`,
	updateUser: `UPDATE users SET status = ?, enabled = ?, updated_at = ?, attributes = ?, credential = ?, settings = ?,
		email = ?, phone_number = ?, name = ?, given_name = ?, family_name = ?, preferred_username = ?
		WHERE pool_id = ? AND key = ?`,
	deleteUser: `DELETE FROM users WHERE pool_id = ? AND key = ?`,
	userExists: `SELECT 1 FROM users WHERE pool_id = ? AND key = ?`,

	listSignInNames:   `SELECT ` + signInNameColumns + ` FROM sign_in_names WHERE pool_id = ? AND user_key = ? ORDER BY name`,
	signInNameOwner:   `SELECT user_key FROM sign_in_names WHERE pool_id = ? AND name = ?`,
	insertSignInName:  `INSERT INTO sign_in_names (` + signInNameColumns + `) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
	deleteSignInNames: `DELETE FROM sign_in_names WHERE pool_id = ? AND user_key = ?`,
	deleteSignInName:  `DELETE FROM sign_in_names WHERE pool_id = ? AND name = ?`,

	getGroup:   `SELECT ` + groupColumns + ` FROM groups WHERE pool_id = ? AND name = ?`,
	listGroups: `SELECT ` + groupColumns + ` FROM groups WHERE pool_id = ? AND name > ? ORDER BY name LIMIT ?`,
	listGroupsForUser: `SELECT ` + prefixed("g", groupColumns) + ` FROM group_members m
		JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
		WHERE m.pool_id = ? AND m.user_key = ? AND m.group_name > ? ORDER BY m.group_name LIMIT ?`,
	listUsersInGroup: `SELECT ` + prefixed("u", userColumns) + ` FROM group_members m
		JOIN users u ON u.pool_id = m.pool_id AND u.key = m.user_key
		WHERE m.pool_id = ? AND m.group_name = ? AND m.user_key > ? ORDER BY m.user_key LIMIT ?`,
	insertGroup: `INSERT INTO groups (` + groupColumns + `)
		SELECT ` + placeholders(groupColumns) + ` WHERE EXISTS (SELECT 1 FROM user_pools WHERE id = ?)
		ON CONFLICT DO NOTHING`,
	updateGroup: `UPDATE groups SET description = ?, role_arn = ?, precedence = ?, updated_at = ? WHERE pool_id = ? AND name = ?`,
	deleteGroup: `DELETE FROM groups WHERE pool_id = ? AND name = ?`,
	groupExists: `SELECT 1 FROM groups WHERE pool_id = ? AND name = ?`,
	insertGroupMember: `INSERT INTO group_members (pool_id, group_name, user_key)
		SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM groups WHERE pool_id = ? AND name = ?)
		AND EXISTS (SELECT 1 FROM users WHERE pool_id = ? AND key = ?)
		ON CONFLICT DO NOTHING`,
	deleteGroupMember: `DELETE FROM group_members WHERE pool_id = ? AND group_name = ? AND user_key = ?`,

	insertMessage: `INSERT INTO outbox (` + messageColumns + `)
		SELECT ` + placeholders(messageColumns) + ` WHERE EXISTS (SELECT 1 FROM user_pools WHERE id = ?)
		ON CONFLICT DO NOTHING`,
	listMessages:    `SELECT ` + messageColumns + ` FROM outbox WHERE pool_id = ? AND user_key = ? ORDER BY id DESC LIMIT ?`,
	countMessagesTo: `SELECT COUNT(*) FROM outbox WHERE pool_id = ? AND destination = ? AND created_at > ?`,
	claimMessages: `SELECT ` + messageColumns + ` FROM outbox WHERE status = 'pending' AND next_attempt <= ?
		ORDER BY next_attempt, id LIMIT ?`,
	updateMessage: `UPDATE outbox SET status = ?, attempts = ?, next_attempt = ?, last_error = ? WHERE id = ?`,
	messageExists: `SELECT 1 FROM outbox WHERE id = ?`,

	listSigningKeys: `SELECT ` + signingKeyColumns + ` FROM signing_keys WHERE pool_id = ? ORDER BY created_at, id`,
	insertSigningKey: `INSERT INTO signing_keys (` + signingKeyColumns + `)
		SELECT ` + placeholders(signingKeyColumns) + ` WHERE EXISTS (SELECT 1 FROM user_pools WHERE id = ?)
		ON CONFLICT DO NOTHING`,
	retireSigningKey:         `UPDATE signing_keys SET retired_at = ?, expires_at = ? WHERE pool_id = ? AND id = ?`,
	deleteExpiredSigningKeys: `DELETE FROM signing_keys WHERE pool_id = ? AND retired_at IS NOT NULL AND expires_at < ?`,

	findAuthSession: heldRow("auth_sessions", authSessionColumns),
	insertAuthSession: `INSERT INTO auth_sessions (` + authSessionColumns + `)
		SELECT ` + placeholders(authSessionColumns) + ` WHERE EXISTS (SELECT 1 FROM users WHERE pool_id = ? AND key = ?)
		ON CONFLICT DO NOTHING`,
	deleteAuthSession: `DELETE FROM auth_sessions WHERE pool_id = ? AND id = ?`,
	// DELETE … LIMIT is an optional build of SQLite and absent from
	// PostgreSQL: the limit goes in a subquery.
	deleteExpiredAuthSessions: `DELETE FROM auth_sessions WHERE (pool_id, id) IN (
		SELECT pool_id, id FROM auth_sessions WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,

	getRefreshToken:  `SELECT ` + refreshTokenColumns + ` FROM refresh_tokens WHERE pool_id = ? AND id = ?`,
	findRefreshToken: heldRow("refresh_tokens", refreshTokenColumns),
	insertRefreshToken: `INSERT INTO refresh_tokens (` + refreshTokenColumns + `)
		SELECT ` + placeholders(refreshTokenColumns) + ` WHERE EXISTS (SELECT 1 FROM users WHERE pool_id = ? AND key = ?)
		ON CONFLICT DO NOTHING`,
	setRefreshTokenExpiry: `UPDATE refresh_tokens SET expires_at = ? WHERE pool_id = ? AND id = ?`,
	// One statement of PostgreSQL's (SQLite has no DELETE in WITH, and runs
	// the two writes in its group commit instead): no row if the session
	// was gone. A taken token ID or a missing user fails the statement on
	// its constraint, undoing the DELETE.
	redeemAuthSession: `WITH used AS (DELETE FROM auth_sessions WHERE pool_id = ? AND id = ? RETURNING id)
		INSERT INTO refresh_tokens (` + refreshTokenColumns + `) SELECT ` + placeholders(refreshTokenColumns) + ` FROM used`,
	deleteTokenFamily: `DELETE FROM refresh_tokens WHERE pool_id = ? AND user_key = ? AND family = ?`,
	deleteUserTokens:  `DELETE FROM refresh_tokens WHERE pool_id = ? AND user_key = ?`,
	deleteExpiredRefreshTokens: `DELETE FROM refresh_tokens WHERE (pool_id, id) IN (
		SELECT pool_id, id FROM refresh_tokens WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,

	listAuthEvents: `SELECT ` + authEventColumns + ` FROM auth_events
		WHERE pool_id = ? AND user_key = ? ORDER BY id DESC LIMIT ?`,
	listAuthEventsBefore: `SELECT ` + authEventColumns + ` FROM auth_events
		WHERE pool_id = ? AND user_key = ? AND id < ? ORDER BY id DESC LIMIT ?`,
	insertAuthEvent: `INSERT INTO auth_events (` + authEventColumns + `)
		SELECT ` + placeholders(authEventColumns) + ` WHERE EXISTS (SELECT 1 FROM users WHERE pool_id = ? AND key = ?)
		ON CONFLICT DO NOTHING`,

	getCode: `SELECT ` + codeColumns + ` FROM codes WHERE pool_id = ? AND user_key = ? AND purpose = ?`,
	// PutCode's upsert: a new code replaces the user's code of its purpose,
	// so only a missing user leaves it without a row.
	putCode: `INSERT INTO codes (` + codeColumns + `)
		SELECT ` + placeholders(codeColumns) + ` WHERE EXISTS (SELECT 1 FROM users WHERE pool_id = ? AND key = ?)
		ON CONFLICT (pool_id, user_key, purpose) DO UPDATE SET hash = excluded.hash,
		destination = excluded.destination, value = excluded.value, created_at = excluded.created_at,
		expires_at = excluded.expires_at, attempts = excluded.attempts`,
	setCodeAttempts: `UPDATE codes SET attempts = ? WHERE pool_id = ? AND user_key = ? AND purpose = ?`,
	deleteCode:      `DELETE FROM codes WHERE pool_id = ? AND user_key = ? AND purpose = ?`,

	getImportJob:   `SELECT ` + importJobColumns + ` FROM import_jobs WHERE pool_id = ? AND id = ?`,
	listImportJobs: `SELECT ` + importJobColumns + ` FROM import_jobs WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?`,
	insertImportJob: `INSERT INTO import_jobs (` + importJobColumns + `)
		SELECT ` + placeholders(importJobColumns) + ` WHERE EXISTS (SELECT 1 FROM user_pools WHERE id = ?)
		ON CONFLICT DO NOTHING`,
	updateImportJob: `UPDATE import_jobs SET status = ?, started_at = ?, completed_at = ?, message = ?,
		imported = ?, skipped = ?, failed = ?, size = ?, next_offset = ?, next_line = ?, lease_owner = ?, lease_until = ?
		WHERE pool_id = ? AND id = ?`,
	importJobExists: `SELECT 1 FROM import_jobs WHERE pool_id = ? AND id = ?`,
	// The statuses are literals, so that the planner ranges over them in
	// import_jobs_runnable whatever the plan.
	runnableImportJobs: `SELECT ` + importJobColumns + ` FROM import_jobs
		WHERE status IN ('InProgress', 'Pending', 'Stopping') AND (lease_until IS NULL OR lease_until < ?)
		ORDER BY created_at, pool_id, id LIMIT ?`,
	getImportChunk: `SELECT data FROM import_chunks WHERE pool_id = ? AND job_id = ? AND seq = ?`,
	// As putCode: a chunk sent again replaces the old one, so only a missing
	// job leaves it without a row.
	putImportChunk: `INSERT INTO import_chunks (pool_id, job_id, seq, data)
		SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM import_jobs WHERE pool_id = ? AND id = ?)
		ON CONFLICT (pool_id, job_id, seq) DO UPDATE SET data = excluded.data`,
	deleteImportChunks: `DELETE FROM import_chunks WHERE pool_id = ? AND job_id = ?`,
	listImportRowResults: `SELECT ` + importRowResultColumns + ` FROM import_row_results
		WHERE pool_id = ? AND job_id = ? AND line > ? ORDER BY line LIMIT ?`,

	createMigrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT NOT NULL PRIMARY KEY,
		applied_at BIGINT NOT NULL)`,
	listMigrations:  `SELECT version FROM schema_migrations`,
	insertMigration: `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?) ON CONFLICT DO NOTHING`,
}

// The columns of each table, in the order the scan functions read them.
const (
	poolColumns = `id, name, created_at, updated_at, config, generation`
	userColumns = `pool_id, key, username, sub, status, enabled, created_at, updated_at, attributes, credential, settings, ` +
		`email, phone_number, name, given_name, family_name, preferred_username`
	signInNameColumns = `pool_id, name, user_key, kind`
	groupColumns      = `pool_id, name, description, role_arn, precedence, created_at, updated_at`
	// groupAliases name groupColumns beside a user's columns.
	groupAliases = `group_pool_id, group_name, group_description, group_role_arn, group_precedence, ` +
		`group_created_at, group_updated_at`
	messageColumns = `id, pool_id, user_key, created_at, kind, medium, destination, subject, body, from_address, reply_to, ` +
		`code, status, attempts, next_attempt, last_error`
	signingKeyColumns   = `pool_id, id, created_at, retired_at, expires_at, private`
	authSessionColumns  = `pool_id, id, client_id, user_key, created_at, expires_at, data`
	refreshTokenColumns = `pool_id, id, family, client_id, user_key, auth_time, created_at, expires_at`
	authEventColumns    = `pool_id, user_key, id, created_at, data`
	codeColumns         = `pool_id, user_key, purpose, hash, destination, value, created_at, expires_at, attempts`
	importJobColumns    = `pool_id, id, name, status, created_at, started_at, completed_at, logs_role_arn, hash_algorithm, message, ` +
		`imported, skipped, failed, size, next_offset, next_line, lease_owner, lease_until`
	importRowResultColumns = `pool_id, job_id, line, username, outcome, reason`
)

// prefixed qualifies each of a list of columns with a table's alias.
func prefixed(alias, columns string) string {
	cols := strings.Split(columns, ", ")
	for i, c := range cols {
		cols[i] = alias + "." + c
	}
	return strings.Join(cols, ", ")
}

// heldRow is the SQL that reads the row of table, which has the columns
// columns, by pool and ID, with its user, once per group the user is in
// (via 0), then the pool's generation (via 2), as findSigner's rows; the
// user columns are NULL if the user is gone.
func heldRow(table, columns string) string {
	return `SELECT 0 AS via, CAST(NULL AS BIGINT) AS generation, ` + prefixed("t", columns) + `, ` +
		prefixed("u", userColumns) + `, ` + aliased("g", groupColumns, groupAliases) + `
		FROM ` + table + ` t
		LEFT JOIN users u ON u.pool_id = t.pool_id AND u.key = t.user_key
		LEFT JOIN group_members m ON m.pool_id = u.pool_id AND m.user_key = u.key
		LEFT JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
		WHERE t.pool_id = ? AND t.id = ?
		UNION ALL
		SELECT 2, generation, ` + nulls(columns+", "+userColumns+", "+groupColumns) + ` FROM user_pools WHERE id = ?`
}

// aliased is a list of columns, each prefixed by alias and renamed to the
// matching name of as.
func aliased(alias, columns, as string) string {
	cols, names := strings.Split(columns, ", "), strings.Split(as, ", ")
	for i, c := range cols {
		cols[i] = alias + "." + c + " AS " + names[i]
	}
	return strings.Join(cols, ", ")
}

// nulls is one NULL per column of a list, separated by commas.
func nulls(columns string) string {
	return strings.Repeat("NULL, ", strings.Count(columns, ",")) + "NULL"
}

// placeholders is one ? per column of a list, separated by commas.
func placeholders(columns string) string {
	return strings.Repeat("?, ", strings.Count(columns, ",")) + "?"
}

// statements is the shared SQL in one dialect.
type statements [numQueries]string

func rebindAll(d Dialect) *statements {
	var s statements
	for q, text := range sharedSQL {
		if d.GroupCommit && withoutGroupCommit[query(q)] {
			continue
		}
		s[q] = d.rebind(text)
	}
	return &s
}

// withoutGroupCommit are the statements that only a database without a
// single writer runs: one with it makes the same writes in a group commit.
var withoutGroupCommit = map[query]bool{redeemAuthSession: true}
