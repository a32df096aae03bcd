package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"time"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"

	"cognate/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// busyTimeout bounds how long a connection waits for a lock another process
// holds before it reports SQLITE_BUSY, which Update then retries.
const busyTimeout = 5 * time.Second

var busyPragma = "PRAGMA busy_timeout = " + strconv.FormatInt(busyTimeout.Milliseconds(), 10)

// Open opens (creating it if needed) and migrates the database file at path.
//
// All writes go through one connection, so that transactions queue in the
// process instead of failing with SQLITE_BUSY, and begin with BEGIN IMMEDIATE
// so that a transaction that reads before it writes cannot fail to upgrade
// its lock. Reads outside a transaction use a pool of query-only connections,
// which WAL lets run beside the writer.
func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
	name := (&url.URL{Scheme: "file", OmitHost: true, Path: path}).String()
	write, err := driver.Open(name+"?_txlock=immediate", func(c *sqlite3.Conn) error {
		// synchronous=FULL syncs the WAL on every commit: a write is durable
		// when Update returns. The writer's page cache is 128 MiB rather than
		// 2 MiB, and it checkpoints the WAL into the database every 64 Ki
		// pages (256 MiB) rather than 1,000: a batch of users changes pages
		// of every index, the random subs' everywhere, and both settings
		// spare rereading and rewriting them. Loading a million users 10,000
		// per transaction took 61 s with the defaults, 42 s with these (and
		// 44 s and 31 s 100,000 per transaction). After a checkpoint the WAL
		// file is cut back to 64 MiB.
		err := c.Exec(busyPragma + "; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON" +
			"; PRAGMA cache_size = -131072; PRAGMA wal_autocheckpoint = 65536; PRAGMA journal_size_limit = 67108864")
		if err != nil {
			return err
		}
		return wal(c)
	})
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	// Open the writer first, so WAL mode is on before any reader connects.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, err
	}
	read, err := driver.Open(name, func(c *sqlite3.Conn) error {
		return c.Exec(busyPragma + "; PRAGMA query_only = ON")
	})
	if err != nil {
		write.Close()
		return nil, err
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	return sqlstore.New(ctx, dialect, write, read)
}

// wal switches the database to WAL mode, and fails where the file system
// cannot have it (SQLite then keeps its old mode without an error). The switch
// needs an exclusive lock and reports SQLITE_BUSY at once, without waiting
// for busy_timeout, when two processes open a new file together: it is tried
// again until busyTimeout has passed.
func wal(c *sqlite3.Conn) error {
	deadline := time.Now().Add(busyTimeout)
	for {
		mode, err := switchToWAL(c)
		switch {
		case errors.Is(err, sqlite3.BUSY) && time.Now().Before(deadline):
			time.Sleep(10 * time.Millisecond)
		case err != nil:
			return err
		case mode != "wal":
			return fmt.Errorf("journal_mode is %q: the file system does not support WAL mode", mode)
		default:
			return nil
		}
	}
}

// switchToWAL returns the journal mode the database is in after the switch.
func switchToWAL(c *sqlite3.Conn) (string, error) {
	stmt, _, err := c.Prepare("PRAGMA journal_mode = WAL")
	if err != nil {
		return "", err
	}
	defer stmt.Close()
	if !stmt.Step() {
		return "", stmt.Err()
	}
	return stmt.ColumnText(0), nil
}

var dialect = sqlstore.Dialect{
	Name:      "SQLite",
	TxOptions: sql.TxOptions{}, // BEGIN IMMEDIATE, set on the writer by _txlock
	MapError:  mapError,
	// One row per INSERT of the bulk path. In a transaction, a statement
	// that inserts several rows first copies every page it changes to a
	// statement journal, in case it must undo itself; a one-row insert
	// needs none. Prepared once and run per user, one-row inserts loaded
	// 28,000 users/s where 1,000-row ones loaded 24,000.
	BulkRows:   1,
	Migrations: migrationFiles,
}
