package sqlite

import (
	"context"
	"database/sql"
	"net/url"
	"time"
)

// checkpointEvery is how often the checkpointer copies the WAL's new pages
// into the database file.
const checkpointEvery = 200 * time.Millisecond

// checkpointer copies committed pages from the WAL into the database file on
// a connection of its own, beside the writer rather than in its way. With
// only wal_autocheckpoint, the commit that takes the WAL past its threshold
// copies the whole WAL (256 MiB) before it returns, while every write queued
// behind it waits; in a million-user import the checkpoints were 4 s of the
// writer's 86 s on its one core. A PASSIVE checkpoint waits for no lock and
// makes no writer or reader wait, and once the WAL is all copied the next
// write transaction starts it again from the beginning. The writer's
// wal_autocheckpoint stays, for a WAL that grows faster than this copies it.
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	done chan struct{}
}

func startCheckpointer(path string) (*checkpointer, error) {
	db, err := openDB(path, url.Values{"_pragma": {busyPragma}})
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		// A checkpoint that fails has copied nothing wrong; the next tick
		// tries again, and the writer's own checkpoints still bound the WAL.
		c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
	}
}

// Close stops the checkpointer and closes its connection.
func (c *checkpointer) Close() error {
	close(c.stop)
	<-c.done
	return c.db.Close()
}
