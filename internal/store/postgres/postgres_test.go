package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"cognate/internal/store"
	"cognate/internal/store/postgres"
	"cognate/internal/store/postgres/pgtest"
	"cognate/internal/store/sqlstore"
	"cognate/internal/store/storetest"
)

func open(t testing.TB, url string) *sqlstore.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkCreateUsers measures the bulk path, per user: -benchtime
// 1000000x loads a million users in each sub-benchmark.
func BenchmarkCreateUsers(b *testing.B) {
	for _, bench := range []struct {
		batch int
		names bool
	}{{10_000, false}, {10_000, true}, {100_000, false}} {
		b.Run(fmt.Sprintf("batch=%d/names=%v", bench.batch, bench.names), func(b *testing.B) {
			storetest.BenchmarkCreateUsers(b, open(b, pgtest.URL(b)), bench.batch, bench.names)
		})
	}
}

// BenchmarkExistingUserKeys measures an import's lookups of a batch of
// 1,000 keys (or sign-in names), half of them taken, in a pool of 100,000
// users.
func BenchmarkExistingUserKeys(b *testing.B) {
	for _, names := range []bool{false, true} {
		b.Run(fmt.Sprintf("names=%v", names), func(b *testing.B) {
			storetest.BenchmarkExistingUserKeys(b, open(b, pgtest.URL(b)), 100_000, 1000, names)
		})
	}
}

func TestConformance(t *testing.T) {
	pgtest.URL(t) // skips (or fails) once here rather than in every subtest
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, pgtest.URL(t)) })
}

// TestConcurrentOpen opens one new database from several processes' worth of
// stores at once: each migration is applied once and every Open succeeds.
func TestConcurrentOpen(t *testing.T) {
	url := pgtest.URL(t)
	const n = 4
	dbs := make([]*sqlstore.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = postgres.Open(context.Background(), url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		t.Cleanup(func() { dbs[i].Close() })
	}

	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var rows, versions int
	if err := conn.QueryRow(t.Context(), "SELECT count(*), count(DISTINCT version) FROM schema_migrations").Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || rows != versions {
		t.Fatalf("schema_migrations has %d rows for %d versions", rows, versions)
	}

	ctx := t.Context()
	for i, db := range dbs {
		id := fmt.Sprintf("us-east-1_%d", i)
		if err := db.Update(ctx, func(tx store.Tx) error { return tx.CreateUserPool(ctx, store.UserPool{ID: id}) }); err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
	}
	if pools, err := dbs[0].ListUserPools(ctx, store.Page{}); err != nil || len(pools) != n {
		t.Fatalf("ListUserPools: %d pools, %v; want %d", len(pools), err, n)
	}
}
