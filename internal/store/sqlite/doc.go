// Package sqlite is the embedded storage backend: one SQLite file in WAL mode,
// written through a single connection and read through a pool, with every
// commit synced to disk before it returns. The SQL is sqlstore's; this package
// holds the connection settings, the error codes and the migrations.
package sqlite
