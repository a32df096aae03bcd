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
