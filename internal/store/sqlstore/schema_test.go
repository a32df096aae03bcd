package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cognate/internal/store/postgres"
	"cognate/internal/store/postgres/pgtest"
	"cognate/internal/store/sqlite"
)

// TestSchemasMatch migrates a database of each dialect and compares what
// introspection finds in them: tables, columns, keys, indexes and foreign keys.
func TestSchemasMatch(t *testing.T) {
	ctx := t.Context()
	pgURL := pgtest.URL(t)
	pg, err := postgres.Open(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	path := filepath.Join(t.TempDir(), "cognate.db")
	lite, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()

	// The backends' own drivers, registered by their packages, read the schemas.
	pgDB, err := sql.Open("pgx", pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pgDB.Close()
	liteDB, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer liteDB.Close()

	pgSchema := describePostgres(t, ctx, pgDB)
	liteSchema := describeSQLite(t, ctx, liteDB)
	if !slices.Equal(pgSchema, liteSchema) {
		t.Errorf("the schemas differ\nPostgreSQL:\n\t%s\nSQLite:\n\t%s",
			strings.Join(pgSchema, "\n\t"), strings.Join(liteSchema, "\n\t"))
	}
	if !slices.Contains(pgSchema, "table schema_migrations") || len(pgSchema) < 10 {
		t.Fatalf("introspection found too little:\n\t%s", strings.Join(pgSchema, "\n\t"))
	}

	// Keys compare byte-wise on PostgreSQL, as on SQLite, only under COLLATE "C".
	for _, col := range query(t, ctx, pgDB, `
		SELECT DISTINCT t.relname || '.' || a.attname
		FROM pg_index x
		JOIN pg_class t ON t.oid = x.indrelid
		JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (x.indkey)
		LEFT JOIN pg_collation c ON c.oid = a.attcollation
		WHERE t.relnamespace = current_schema()::regnamespace
		AND a.atttypid = 'text'::regtype AND c.collname IS DISTINCT FROM 'C'`) {
		t.Errorf(`PostgreSQL key column %s is not COLLATE "C"`, col)
	}
}

// types maps each dialect's column types onto one name.
var types = map[string]string{
	"TEXT": "text", "text": "text",
	"BIGINT": "bigint", "bigint": "bigint",
	"BLOB": "bytes", "bytea": "bytes",
	"BOOLEAN": "boolean", "boolean": "boolean",
}

// query returns the rows of a query of one column, or of several that it
// joins with spaces.
func query(t *testing.T, ctx context.Context, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join(vals, " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func column(table, name, typ string, notNull bool) string {
	s := fmt.Sprintf("column %s.%s %s", table, name, types[typ])
	if types[typ] == "" {
		s += " unknown type " + typ
	}
	if notNull {
		s += " not null"
	}
	return s
}

func describeSQLite(t *testing.T, ctx context.Context, db *sql.DB) []string {
	var out []string
	for _, table := range query(t, ctx, db, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`) {
		out = append(out, "table "+table)
		var pk []string
		rows, err := db.QueryContext(ctx, `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY pk`, table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name, typ string
			var notNull bool
			var pkOrder int
			if err := rows.Scan(&name, &typ, &notNull, &pkOrder); err != nil {
				t.Fatal(err)
			}
			out = append(out, column(table, name, typ, notNull))
			if pkOrder > 0 {
				pk = append(pk, name)
			}
		}
		rows.Close()
		out = append(out, fmt.Sprintf("primary key %s (%s)", table, strings.Join(pk, ", ")))

		for _, idx := range query(t, ctx, db, `SELECT name || ' ' || "unique" FROM pragma_index_list(?) WHERE origin != 'pk'`, table) {
			name, unique, _ := strings.Cut(idx, " ")
			cols := query(t, ctx, db, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, name)
			if strings.HasPrefix(name, "sqlite_autoindex_") {
				name = "(constraint)" // SQLite names UNIQUE constraints' indexes itself
			}
			out = append(out, index(table, name, unique == "1", cols))
		}
		for _, fk := range query(t, ctx, db, `
			SELECT ?, "table", group_concat("from", ','), group_concat("to", ','), on_delete
			FROM (SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq) GROUP BY id`, table, table) {
			out = append(out, foreignKey(fk))
		}
	}
	slices.Sort(out)
	return out
}

func index(table, name string, unique bool, cols []string) string {
	kind := "index"
	if unique {
		kind = "unique index"
	}
	return fmt.Sprintf("%s %s %s (%s)", kind, table, name, strings.Join(cols, ", "))
}

// foreignKey formats a row of table, parent table, columns, parent columns
// (both joined by commas) and ON DELETE action.
func foreignKey(row string) string {
	f := strings.SplitN(row, " ", 5)
	return fmt.Sprintf("foreign key %s (%s) references %s (%s) on delete %s", f[0], f[2], f[1], f[3], strings.ToLower(f[4]))
}

func describePostgres(t *testing.T, ctx context.Context, db *sql.DB) []string {
	var out []string
	for _, table := range query(t, ctx, db, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`) {
		out = append(out, "table "+table)
	}
	for _, col := range query(t, ctx, db, `SELECT table_name, column_name, data_type, is_nullable
		FROM information_schema.columns WHERE table_schema = current_schema()`) {
		f := strings.Fields(col)
		out = append(out, column(f[0], f[1], f[2], f[3] == "NO"))
	}
	for _, idx := range query(t, ctx, db, `
		SELECT t.relname, i.relname, x.indisprimary, x.indisunique,
			(SELECT string_agg(a.attname, ',' ORDER BY k.ord)
			 FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
			 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum),
			EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype = 'u')
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class t ON t.oid = x.indrelid
		WHERE t.relnamespace = current_schema()::regnamespace`) {
		f := strings.Fields(idx)
		table, name, primary, unique, cols, constraint := f[0], f[1], f[2] == "true", f[3] == "true", strings.Split(f[4], ","), f[5] == "true"
		switch {
		case primary:
			out = append(out, fmt.Sprintf("primary key %s (%s)", table, strings.Join(cols, ", ")))
		case constraint:
			out = append(out, index(table, "(constraint)", unique, cols))
		default:
			out = append(out, index(table, name, unique, cols))
		}
	}
	for _, fk := range query(t, ctx, db, `
		SELECT cl.relname, rf.relname,
			(SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY AS k(n, ord)
			 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n),
			(SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY AS k(n, ord)
			 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n),
			CASE c.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
				WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END
		FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid
		JOIN pg_class rf ON rf.oid = c.confrelid
		WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`) {
		out = append(out, foreignKey(fk))
	}
	slices.Sort(out)
	return out
}
