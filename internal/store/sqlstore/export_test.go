package sqlstore

import "cognate/internal/store"

// ListUsersQuery returns the SQL, in db's dialect, and the arguments of a
// ListUsers page, for tests to explain.
func (db *DB) ListUsersQuery(poolID string, f store.UserFilter, p store.UserPage) (string, []any, error) {
	q, args, err := userListing(poolID, f, p)
	if err != nil {
		return "", nil, err
	}
	return db.sql[q], args, nil
}

// ExistingUserKeysQuery returns the SQL, in db's dialect, and the arguments
// of ExistingUserKeys's query of a list of keys as long as lookupRows.
func (db *DB) ExistingUserKeysQuery(poolID string, keys []string) (string, []any) {
	args := []any{poolID}
	for _, k := range keys[:lookupRows] {
		args = append(args, k)
	}
	return db.rebind(lookupText(userKeysLookup, textValue, lookupRows)), args
}

// FindSignerQuery returns the SQL of FindSigner, in db's dialect, with the
// arguments that find name in the pool.
func (db *DB) FindSignerQuery(poolID, name string) (string, []any) {
	return db.sql[findSigner], []any{poolID, name, poolID, name, poolID}
}

// FindRefreshTokenQuery returns the SQL of FindRefreshToken, in db's
// dialect, with the arguments that find token id in the pool.
func (db *DB) FindRefreshTokenQuery(poolID, id string) (string, []any) {
	return db.sql[findRefreshToken], []any{poolID, id, poolID}
}

// FindAuthSessionQuery returns the SQL of FindAuthSession, in db's dialect,
// with the arguments that find session id in the pool.
func (db *DB) FindAuthSessionQuery(poolID, id string) (string, []any) {
	return db.sql[findAuthSession], []any{poolID, id, poolID}
}

// TokenFamilyQueries returns the SQL, in db's dialect, of the statements
// that look a user's token family up: FindAccessHolder's and
// DeleteTokenFamily's, with their arguments for (pool, user key, family).
func (db *DB) TokenFamilyQueries(poolID, userKey, family string) map[string][]any {
	return map[string][]any{
		db.sql[findAccessHolder]:  {family, poolID, userKey, poolID},
		db.sql[deleteTokenFamily]: {poolID, userKey, family},
	}
}
