package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"cognate/internal/store"
)

// mapError maps PostgreSQL's SQLSTATE codes onto the store's sentinels.
func mapError(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	var sentinel error
	switch pgErr.Code {
	case "23505": // unique_violation
		sentinel = store.ErrConflict
	case "23503": // foreign_key_violation: the row an insert refers to is missing
		sentinel = store.ErrNotFound
	case "40001", "40P01": // serialization_failure, deadlock_detected
		sentinel = store.ErrRetry
	case "53200": // out_of_memory: under load, serializable transactions
		// can exhaust the server's shared table of read/write conflicts
		// ("not enough elements in RWConflictPool"); it frees as they end.
		sentinel = store.ErrRetry
	default:
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}
