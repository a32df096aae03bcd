package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"time"
)

// migrationName is NNNN_snake_name.sql; NNNN is the version.
var migrationName = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

type migration struct {
	version int64
	name    string
	sql     string
}

// migrations lists the files of fsys's directory migrations in version order, and refuses
// a stray file or a repeated version.
func migrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			return nil, fmt.Errorf("migration %q: want a file named NNNN_snake_name.sql", e.Name())
		}
		version, _ := strconv.ParseInt(m[1], 10, 64)
		if n := len(ms); n > 0 && ms[n-1].version == version {
			return nil, fmt.Errorf("migrations %q and %q have the same version", ms[n-1].name, e.Name())
		}
		body, err := fs.ReadFile(fsys, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: version, name: e.Name(), sql: string(body)})
	}
	return ms, nil
}

// migrate applies the migrations the database lacks, each in its own
// transaction. Two processes may migrate one database at once: see apply.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations(db.dialect.Migrations)
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, db.sql[createMigrationsTable])
	if err != nil {
		// PostgreSQL reports a table that another process created at the
		// same moment as an error (a unique violation in its catalog, or
		// "already exists") rather than skipping it; a second try finds it.
		_, err = db.write.ExecContext(ctx, db.sql[createMigrationsTable])
	}
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	c := db.on(db.write)
	versions, err := list(ctx, &c, "list applied migrations",
		func(s scanner) (v int64, err error) { return v, s.Scan(&v) }, listMigrations)
	if err != nil {
		return err
	}
	applied := make(map[int64]bool, len(versions))
	for _, v := range versions {
		applied[v] = true
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if err := db.retry(ctx, func() error { return db.apply(ctx, m) }); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// apply runs one migration in a transaction that first records its version.
// That row is the lock: a second process applying the same migration waits
// for it, then inserts nothing (or, on PostgreSQL, loses a serialization race
// and retries) and leaves the migration to the first. It needs no advisory
// lock, which CockroachDB lacks.
func (db *DB) apply(ctx context.Context, m migration) error {
	return db.inTx(ctx, func(t *sql.Tx) error {
		res, err := t.ExecContext(ctx, db.sql[insertMigration], m.version, time.Now().UnixMilli())
		if err != nil {
			return db.fail("record the version", err)
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err // n == 0: applied by another process
		}
		if _, err := t.ExecContext(ctx, m.sql); err != nil {
			return db.fail("apply", err)
		}
		return nil
	})
}
