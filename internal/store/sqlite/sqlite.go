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

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"cognate/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// busyTimeout bounds how long a connection waits for a lock another process
// holds before it reports SQLITE_BUSY, which Update then retries.
const busyTimeout = 5 * time.Second

var busyPragma = "busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")"

// Open opens (creating it if needed) and migrates the database file at path.
//
// All writes go through one connection, so that transactions queue in the
// process instead of failing with SQLITE_BUSY, and begin with BEGIN IMMEDIATE
// so that a transaction that reads before it writes cannot fail to upgrade
// its lock. Reads outside a transaction use a pool of query-only connections,
// which WAL lets run beside the writer.
func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
	// The driver applies each _pragma, in order, to every connection it
	// opens. synchronous=FULL syncs the WAL on every commit: a write is
	// durable when Update returns. The writer's page cache is 128 MiB rather
	// than 2 MiB, and it checkpoints the WAL into the database every 64 Ki
	// pages (256 MiB) rather than 1,000: a batch of users changes pages of
	// every index, the random subs' everywhere, and both settings spare
	// rereading and rewriting them. Loading a million users 10,000 per
	// transaction took 61 s with the defaults, 42 s with these (and 44 s and
	// 31 s 100,000 per transaction). After a checkpoint the WAL file is cut
	// back to 64 MiB.
	write, err := openDB(path, url.Values{
		"_txlock": {"immediate"},
		"_pragma": {busyPragma, "synchronous(FULL)", "foreign_keys(ON)",
			"cache_size(-131072)", "wal_autocheckpoint(65536)", "journal_size_limit(67108864)"},
	})
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	// Switch to WAL through the writer first, so that WAL mode is on before
	// any reader connects. The mode is kept in the file, so once is enough.
	if err := wal(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	read, err := openDB(path, url.Values{"_pragma": {busyPragma, "query_only(ON)"}})
	if err != nil {
		write.Close()
		return nil, err
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	db, err := sqlstore.New(ctx, dialect, write, read)
	if err != nil {
		return nil, err
	}
	c, err := startCheckpointer(path)
	if err != nil {
		db.Close()
		return nil, err
	}
	db.OnClose(c.Close)
	return db, nil
}

// openDB returns a handle on the file at path whose connections the driver
// opens with the parameters params. The path goes into a file: URI, escaped,
// so that spaces, '?' and '#' in it stay part of the name.
func openDB(path string, params url.Values) (*sql.DB, error) {
	name := &url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: params.Encode()}
	connector, err := sqlite.NewConnector(name.String())
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(connector), nil
}

// wal switches the database to WAL mode, and fails where the file system
// cannot have it (SQLite then keeps its old mode without an error). The switch
// needs an exclusive lock and reports SQLITE_BUSY at once, without waiting
// for busy_timeout, when two processes open a new file together: it is tried
// again until busyTimeout has passed.
func wal(ctx context.Context, db *sql.DB) error {
	c, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	deadline := time.Now().Add(busyTimeout)
	for {
		var mode string
		err := c.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		switch {
		case isBusy(err) && time.Now().Before(deadline):
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
		case err != nil:
			return err
		case mode != "wal":
			return fmt.Errorf("journal_mode is %q: the file system does not support WAL mode", mode)
		default:
			return nil
		}
	}
}

// isBusy reports whether err is SQLITE_BUSY or one of its extended codes.
func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
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
	BulkRows:    1,
	GroupCommit: true, // one writer: the writes that queue for it share its commits
	Migrations:  migrationFiles,
}
