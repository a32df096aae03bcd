package postgres

import (
	"context"
	"database/sql"
	"embed"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"cognate/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// maxConns bounds each process's connections: several nodes share the server's
// max_connections, and more concurrent serializable transactions only mean
// more of them retried.
const maxConns = 10

// Open connects to the database at url (postgres://…) and migrates it. Query
// parameters the driver does not know are sent to the server as run-time
// parameters: search_path=name puts the tables in that schema.
//
// pgx serves through database/sql (its stdlib adapter) rather than pgxpool so
// that sqlstore has one code path, scanning included, for both backends; what
// pgxpool would save is small beside a network round trip.
func Open(ctx context.Context, url string) (*sqlstore.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return sqlstore.New(ctx, dialect, db, db)
}

var dialect = sqlstore.Dialect{
	Name:   "PostgreSQL",
	Rebind: rebind,
	// SERIALIZABLE rather than READ COMMITTED: Update's functions read, then
	// write what they read (a pool's configuration, whether a name is free).
	// Serializable transactions behave as if run one at a time, as they are on
	// SQLite's single writer, so the domain is written against one model and
	// the conformance suite holds both backends to it. The price is
	// serialization failures under contention, which Update retries; it is
	// also CockroachDB's default.
	TxOptions: sql.TxOptions{Isolation: sql.LevelSerializable},
	MapError:  mapError,
	// Rows per INSERT of the bulk path: one round trip per thousand users.
	BulkRows:   1000,
	Migrations: migrationFiles,
}

// rebind numbers the shared SQL's ? placeholders $1, $2, …, leaving quoted
// strings and identifiers alone.
func rebind(query string) string {
	var b strings.Builder
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0 // a doubled quote reopens at once: same result
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
