package sqlstore

import (
	"database/sql"
	"io/fs"
)

// Dialect is what differs between the SQL databases sqlstore runs on.
type Dialect struct {
	// Name is the database's name, for error messages.
	Name string
	// Rebind turns the shared SQL, written with ? placeholders, into the
	// dialect's; nil keeps it as it is. It is applied once per statement when
	// the DB is built, never per call.
	Rebind func(query string) string
	// TxOptions begin every transaction: the isolation that makes Update's
	// transactions serializable on this database.
	TxOptions sql.TxOptions
	// MapError maps a driver error onto store.ErrConflict, store.ErrNotFound
	// or store.ErrRetry, wrapping the original; other errors come back as
	// they are.
	MapError func(error) error
	// BulkRows is how many rows one INSERT of the bulk path (CreateUsers)
	// writes: 1 if zero. At most 1927 keeps a batch of users under SQLite's
	// 32766 parameters per statement, and 3855 under PostgreSQL's 65535.
	BulkRows int
	// GroupCommit shares one transaction among the writes that queue for
	// a database with a single writer (see groupCommit).
	GroupCommit bool
	// Migrations holds the NNNN_snake_name.sql files, in its directory
	// migrations.
	Migrations fs.FS
}

func (d Dialect) rebind(query string) string {
	if d.Rebind == nil {
		return query
	}
	return d.Rebind(query)
}
