// Package sqlstore implements store.Store once, on database/sql, for every SQL
// backend. The SQL is written in the subset SQLite ≥ 3.35 and PostgreSQL share
// (? placeholders, ON CONFLICT, LIMIT); a Dialect carries the few real
// differences: placeholder syntax, how a transaction begins, driver error codes
// and the migration files.
//
// Writes that refuse (an ID already taken, a missing parent) are detected
// without raising a database error, using ON CONFLICT DO NOTHING and
// INSERT … SELECT … WHERE EXISTS, because PostgreSQL aborts a transaction on any
// error while SQLite does not: this way a refused write leaves the transaction
// usable on both. The dialects' error mapping still covers the races the
// database settles by itself.
package sqlstore
