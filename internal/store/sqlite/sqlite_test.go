package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"cognate/internal/store"
	"cognate/internal/store/sqlite"
	"cognate/internal/store/sqlstore"
	"cognate/internal/store/storetest"
)

func open(t testing.TB, path string) *sqlstore.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path)
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
			storetest.BenchmarkCreateUsers(b, open(b, filepath.Join(b.TempDir(), "cognate.db")), bench.batch, bench.names)
		})
	}
}

// BenchmarkExistingUserKeys measures an import's lookups of a batch of
// 1,000 keys (or sign-in names), half of them taken, in a pool of 100,000
// users.
func BenchmarkExistingUserKeys(b *testing.B) {
	for _, names := range []bool{false, true} {
		b.Run(fmt.Sprintf("names=%v", names), func(b *testing.B) {
			storetest.BenchmarkExistingUserKeys(b, open(b, filepath.Join(b.TempDir(), "cognate.db")), 100_000, 1000, names)
		})
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "cognate.db"))
	})
}

// TestPath opens a file whose path holds characters a file: URI escapes, or
// whose query the driver would cut the name at: the file is created under
// that name, and opened again by it.
func TestPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a b?c#d%20e")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cognate?mode=ro#x.db")
	ctx := t.Context()
	p := store.UserPool{ID: "us-east-1_path", Config: []byte("{}")}
	if err := open(t, path).Update(ctx, func(tx store.Tx) error { return tx.CreateUserPool(ctx, p) }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	if got, err := open(t, path).GetUserPool(ctx, p.ID); err != nil || got.ID != p.ID {
		t.Fatalf("GetUserPool: %+v, %v", got, err)
	}
}

// TestTwoProcesses opens one new file twice at once, as two processes would,
// and increments a counter through both: the file locks, not the in-process
// writer queue, keep the transactions apart, and no increment is lost.
func TestTwoProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cognate.db")
	var dbs [2]*sqlstore.DB
	var errs [2]error
	var wg sync.WaitGroup
	for i := range dbs {
		wg.Go(func() { dbs[i], errs[i] = sqlite.Open(context.Background(), path) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		t.Cleanup(func() { dbs[i].Close() })
	}

	ctx := t.Context()
	const id, increments = "us-east-1_counter", 20
	if err := dbs[0].Update(ctx, func(tx store.Tx) error {
		return tx.CreateUserPool(ctx, store.UserPool{ID: id, Config: []byte("0")})
	}); err != nil {
		t.Fatal(err)
	}
	for _, db := range dbs {
		wg.Go(func() {
			for range increments {
				err := db.Update(ctx, func(tx store.Tx) error {
					p, err := tx.GetUserPool(ctx, id)
					if err != nil {
						return err
					}
					n, _ := strconv.Atoi(string(p.Config))
					p.Config = []byte(strconv.Itoa(n + 1))
					return tx.UpdateUserPool(ctx, p)
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	p, err := dbs[1].GetUserPool(ctx, id)
	if err != nil || string(p.Config) != strconv.Itoa(2*increments) {
		t.Fatalf("counter is %q (%v), want %d", p.Config, err, 2*increments)
	}
}

// TestCheckpointsInBackground writes far less than the writer's own
// checkpoint threshold and finds the pages in the database file soon after:
// the checkpointer copied them out of the WAL.
func TestCheckpointsInBackground(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cognate.db")
	db := open(t, path)
	ctx := t.Context()
	if err := db.Update(ctx, func(tx store.Tx) error {
		for i := range 200 {
			if err := tx.CreateUserPool(ctx, store.UserPool{ID: fmt.Sprintf("us-east-1_p%03d", i), Config: make([]byte, 2000)}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The schema and 200 pools of 2 kB: well over 400 kB of pages.
	const want = 400 << 10
	deadline := time.Now().Add(10 * time.Second)
	for {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the database file is %d bytes 10 s after the write, want at least %d: nothing checkpointed the WAL", fi.Size(), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
