package sqlite

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"cognate/internal/store"
)

// mapError maps SQLite's result codes onto the store's sentinels. The driver
// turns extended result codes on, so a constraint error says which constraint.
func mapError(err error) error {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return err
	}
	var sentinel error
	switch code := e.Code(); {
	case code == sqlite3.SQLITE_CONSTRAINT_UNIQUE, code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		sentinel = store.ErrConflict
	case code == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		// The row an insert refers to is missing (deletes cascade).
		sentinel = store.ErrNotFound
	case code&0xff == sqlite3.SQLITE_BUSY:
		// Another process held the database past busy_timeout (any
		// SQLITE_BUSY, extended codes such as BUSY_SNAPSHOT included).
		sentinel = store.ErrRetry
	default:
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}
