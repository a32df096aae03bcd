// Package postgres is the storage backend for production and scale-out: the
// same schema as SQLite's in PostgreSQL's dialect, in portable SQL (no
// extensions, no advisory locks) so that CockroachDB and YugabyteDB can run it.
// The SQL is sqlstore's; this package holds the connection, the dialect, the
// error codes and the migrations.
package postgres
