package sqlite

import (
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"cognate/internal/store"
)

// mapError maps SQLite's result codes onto the store's sentinels.
func mapError(err error) error {
	var sentinel error
	switch {
	case errors.Is(err, sqlite3.CONSTRAINT_UNIQUE), errors.Is(err, sqlite3.CONSTRAINT_PRIMARYKEY):
		sentinel = store.ErrConflict
	case errors.Is(err, sqlite3.CONSTRAINT_FOREIGNKEY):
		// The row an insert refers to is missing (deletes cascade).
		sentinel = store.ErrNotFound
	case errors.Is(err, sqlite3.BUSY):
		// Another process held the database past busy_timeout.
		sentinel = store.ErrRetry
	default:
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}
