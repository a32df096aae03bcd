// Package pgtest gives each test a PostgreSQL database of its own: a fresh
// schema on the server that COGNATE_TEST_DATABASE_URL names, or on the local
// default, dropped when the test ends. Tests that use it may run in parallel.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// EnvURL names the server the tests run on. When it is set, they require
	// it; when not, they use DefaultURL if something answers there.
	EnvURL = "COGNATE_TEST_DATABASE_URL"
	// DefaultURL is the local server of a development machine.
	DefaultURL = "postgres://127.0.0.1:5432/test?sslmode=disable"

	startCommand = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
	timeout      = 30 * time.Second
)

// absent remembers that the default server did not answer, so that later
// tests skip without waiting for it again.
var absent struct {
	sync.Mutex
	err error
}

// URL returns a postgres:// URL whose search_path is a new, empty schema,
// dropped (with everything in it) when t and its subtests end.
//
// When COGNATE_TEST_DATABASE_URL is set and its server cannot be reached, the
// test fails with the command that starts PostgreSQL; when the variable is
// unset and the default server does not answer, the test is skipped with a
// message saying how to run it.
func URL(t testing.TB) string {
	t.Helper()
	base, required := os.LookupEnv(EnvURL)
	if base == "" {
		base, required = DefaultURL, false
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s=%q: want a postgres:// URL", EnvURL, base)
	}
	if !required {
		absent.Lock()
		err := absent.err
		absent.Unlock()
		if err != nil {
			skip(t, err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		if required {
			t.Fatalf("PostgreSQL at %s (from %s) is unreachable: %v\nStart it with: %s",
				u.Redacted(), EnvURL, err, startCommand)
		}
		skip(t, err)
	}
	defer conn.Close(ctx)

	var random [8]byte
	rand.Read(random[:])
	schema := "t_" + hex.EncodeToString(random[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s on %s: %v", schema, u.Redacted(), err)
	}
	t.Cleanup(func() { drop(t, base, schema) })

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// skip skips t, saying why and what to do the first time only.
func skip(t testing.TB, err error) {
	t.Helper()
	absent.Lock()
	told := absent.err != nil
	absent.err = err
	absent.Unlock()
	if told {
		t.Skipf("SKIPPING: PostgreSQL does not answer at %s (see the first skipped test)", DefaultURL)
	}
	t.Skipf("SKIPPING PostgreSQL tests: nothing answers at %s (%v); start it with `%s`, or set %s, to run them",
		DefaultURL, err, startCommand, EnvURL)
}

// drop removes the schema once the test, and the stores it opened (whose
// Cleanups run first), are done with it.
func drop(t testing.TB, base, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Errorf("drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		t.Errorf("drop schema %s: %v", schema, err)
	}
}
