package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"cognate/internal/store"
)

// test is one subtest of the suite: it gets a fresh, empty store.
type test struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// Run runs the suite. open must return a fresh, empty store, closed by a
// t.Cleanup it registers; the subtests call it in parallel.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []test{
		{"UserPoolCRUD", testUserPoolCRUD},
		{"UserPoolErrors", testUserPoolErrors},
		{"ClientCRUD", testClientCRUD},
		{"ClientErrors", testClientErrors},
		{"ClientSecrets", testClientSecrets},
		{"PoolGeneration", testPoolGeneration},
		{"AccessKeys", testAccessKeys},
		{"RoundTrip", testRoundTrip},
		{"DeleteUserPoolCascades", testDeleteUserPoolCascades},
		{"Pagination", testPagination},
		{"PaginationUnderConcurrentInserts", testPaginationUnderConcurrentInserts},
		{"RaceCreateUserPool", testRaceCreateUserPool},
		{"RaceCreateClient", testRaceCreateClient},
		{"UpdateRollsBack", testUpdateRollsBack},
		{"ConcurrentUpdatesCommitApart", testConcurrentUpdatesCommitApart},
		{"ReadYourWrites", testReadYourWrites},
		{"RefusedWriteKeepsTxUsable", testRefusedWriteKeepsTxUsable},
		{"UpdateRetries", testUpdateRetries},
		{"UpdateIsSerializable", testUpdateIsSerializable},
		{"ContextCanceled", testContextCanceled},
	}
	for _, tt := range slices.Concat(tests, userTests, authTests, codeTests, importTests) {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, open(t))
		})
	}
}

// base is a timestamp with a sub-millisecond part, which the store drops.
var base = time.Date(2026, 3, 4, 5, 6, 7, 891_234_567, time.UTC)

func at(seconds int) time.Time { return base.Add(time.Duration(seconds) * time.Second) }

func newPool(id string) store.UserPool {
	return store.UserPool{ID: id, Name: "pool " + id, CreatedAt: at(0), UpdatedAt: at(1), Config: []byte(`{"pool":"` + id + `"}`)}
}

func newClient(poolID, id string) store.Client {
	return store.Client{PoolID: poolID, ID: id, Name: "client " + id, CreatedAt: at(2), UpdatedAt: at(3), Config: []byte(`{"client":"` + id + `"}`)}
}

func newSecret(c store.Client, id string, created time.Time) store.ClientSecret {
	return store.ClientSecret{PoolID: c.PoolID, ClientID: c.ID, ID: id, Value: []byte("sealed " + id), CreatedAt: created}
}

func newAccessKey(id string) store.AccessKey {
	return store.AccessKey{ID: id, Secret: []byte("sealed " + id), CreatedAt: at(4)}
}

// update runs fn in s.Update and fails the test on an error.
func update(t *testing.T, s store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	ctx := t.Context()
	if err := s.Update(ctx, func(tx store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func create(t *testing.T, s store.Store, pools []store.UserPool, clients ...store.Client) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, p := range pools {
			if err := tx.CreateUserPool(ctx, p); err != nil {
				return err
			}
		}
		for _, c := range clients {
			if err := tx.CreateClient(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

// The store keeps times to the millisecond, in UTC, and may give back an
// empty blob as nil or as empty: canon makes a record as the store returns it.
func canon[T any](v T) T {
	ms := func(t *time.Time) { *t = t.Truncate(time.Millisecond).UTC() }
	blob := func(b *[]byte) {
		if len(*b) == 0 {
			*b = nil
		}
	}
	switch r := any(&v).(type) {
	case *store.UserPool:
		ms(&r.CreatedAt)
		ms(&r.UpdatedAt)
		blob(&r.Config)
	case *store.Client:
		ms(&r.CreatedAt)
		ms(&r.UpdatedAt)
		blob(&r.Config)
	case *store.ClientSecret:
		ms(&r.CreatedAt)
		blob(&r.Value)
	case *store.AccessKey:
		ms(&r.CreatedAt)
		blob(&r.Secret)
	case *store.User:
		ms(&r.CreatedAt)
		ms(&r.UpdatedAt)
		blob(&r.Attributes)
		blob(&r.Credential)
		blob(&r.Settings)
	case *store.SignInName:
	case *store.Signer:
		r.User, r.Groups = canon(r.User), canonAll(r.Groups)
	case *store.FoundRefreshToken:
		r.Token, r.Holder = canon(r.Token), canon(r.Holder)
	case *store.FoundAuthSession:
		r.Session, r.Holder = canon(r.Session), canon(r.Holder)
	case *store.Group:
		ms(&r.CreatedAt)
		ms(&r.UpdatedAt)
	case *store.Message:
		ms(&r.CreatedAt)
		ms(&r.NextAttempt)
	case *store.SigningKey:
		ms(&r.CreatedAt)
		ms(&r.RetiredAt)
		ms(&r.ExpiresAt)
		blob(&r.Private)
	case *store.AuthSession:
		ms(&r.CreatedAt)
		ms(&r.ExpiresAt)
		blob(&r.Data)
	case *store.RefreshToken:
		ms(&r.AuthTime)
		ms(&r.CreatedAt)
		ms(&r.ExpiresAt)
	case *store.AuthEvent:
		ms(&r.CreatedAt)
		blob(&r.Data)
	case *store.ImportJob:
		ms(&r.CreatedAt)
		ms(&r.StartedAt)
		ms(&r.CompletedAt)
		ms(&r.LeaseUntil)
	case *store.ImportRowResult:
	default:
		panic(fmt.Sprintf("canon: %T", v))
	}
	return v
}

func canonAll[T any](vs []T) []T {
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = canon(v)
	}
	return out
}

func check[T any](t *testing.T, what string, got T, err error, want T) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got, want := canon(got), canon(want); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func checkAll[T any](t *testing.T, what string, got []T, err error, want ...T) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got, want := canonAll(got), canonAll(want); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

func ids[T any](vs []T, id func(T) string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = id(v)
	}
	return out
}

func poolID(p store.UserPool) string { return p.ID }
func clientID(c store.Client) string { return c.ID }

func testUserPoolCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_crud")
	create(t, s, []store.UserPool{p})
	got, err := s.GetUserPool(ctx, p.ID)
	check(t, "GetUserPool", got, err, p)
	list, err := s.ListUserPools(ctx, store.Page{})
	checkAll(t, "ListUserPools", list, err, p)

	changed := p
	changed.Name, changed.UpdatedAt, changed.Config = "renamed", at(60), []byte(`{"changed":true}`)
	changed.CreatedAt = at(-60) // not the store's to change
	changed.Generation = 60     // nor this
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateUserPool(ctx, changed) })
	want := changed
	want.CreatedAt, want.Generation = p.CreatedAt, p.Generation+1
	got, err = s.GetUserPool(ctx, p.ID)
	check(t, "GetUserPool after UpdateUserPool", got, err, want)

	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteUserPool(ctx, p.ID) })
	_, err = s.GetUserPool(ctx, p.ID)
	wantErr(t, "GetUserPool after DeleteUserPool", err, store.ErrNotFound)
	list, err = s.ListUserPools(ctx, store.Page{})
	checkAll(t, "ListUserPools after DeleteUserPool", list, err)
}

func testUserPoolErrors(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_taken")
	create(t, s, []store.UserPool{p})

	_, err := s.GetUserPool(ctx, "us-east-1_missing")
	wantErr(t, "GetUserPool of a missing pool", err, store.ErrNotFound)

	other := newPool(p.ID)
	other.Name = "other"
	err = s.Update(ctx, func(tx store.Tx) error { return tx.CreateUserPool(ctx, other) })
	wantErr(t, "CreateUserPool with a taken ID", err, store.ErrConflict)
	got, err := s.GetUserPool(ctx, p.ID)
	check(t, "GetUserPool after the refused create", got, err, p)

	err = s.Update(ctx, func(tx store.Tx) error { return tx.UpdateUserPool(ctx, newPool("us-east-1_missing")) })
	wantErr(t, "UpdateUserPool of a missing pool", err, store.ErrNotFound)
	err = s.Update(ctx, func(tx store.Tx) error { return tx.DeleteUserPool(ctx, "us-east-1_missing") })
	wantErr(t, "DeleteUserPool of a missing pool", err, store.ErrNotFound)
}

func testClientCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	c := newClient(p.ID, "client1")
	// Clients are keyed by pool: the same ID in another pool is another client.
	same := newClient(q.ID, c.ID)
	same.Name = "in pool b"
	create(t, s, []store.UserPool{p, q}, c, same)

	got, err := s.GetClient(ctx, p.ID, c.ID)
	check(t, "GetClient", got, err, c)
	got, err = s.GetClient(ctx, q.ID, c.ID)
	check(t, "GetClient in the other pool", got, err, same)
	list, err := s.ListClients(ctx, p.ID, store.Page{})
	checkAll(t, "ListClients", list, err, c)

	changed := c
	changed.Name, changed.UpdatedAt, changed.Config = "renamed", at(60), []byte(`{"changed":true}`)
	changed.CreatedAt = at(-60) // not the store's to change
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateClient(ctx, changed) })
	want := changed
	want.CreatedAt = c.CreatedAt
	got, err = s.GetClient(ctx, p.ID, c.ID)
	check(t, "GetClient after UpdateClient", got, err, want)
	got, err = s.GetClient(ctx, q.ID, c.ID)
	check(t, "GetClient in the other pool after UpdateClient", got, err, same)

	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteClient(ctx, p.ID, c.ID) })
	_, err = s.GetClient(ctx, p.ID, c.ID)
	wantErr(t, "GetClient after DeleteClient", err, store.ErrNotFound)
	list, err = s.ListClients(ctx, p.ID, store.Page{})
	checkAll(t, "ListClients after DeleteClient", list, err)
	got, err = s.GetClient(ctx, q.ID, c.ID)
	check(t, "GetClient in the other pool after DeleteClient", got, err, same)
}

func testClientErrors(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	c := newClient(p.ID, "client1")
	create(t, s, []store.UserPool{p}, c)

	_, err := s.GetClient(ctx, p.ID, "missing")
	wantErr(t, "GetClient of a missing client", err, store.ErrNotFound)
	_, err = s.GetClient(ctx, "us-east-1_missing", c.ID)
	wantErr(t, "GetClient in a missing pool", err, store.ErrNotFound)

	other := newClient(p.ID, c.ID)
	other.Name = "other"
	err = s.Update(ctx, func(tx store.Tx) error { return tx.CreateClient(ctx, other) })
	wantErr(t, "CreateClient with a taken ID", err, store.ErrConflict)
	got, err := s.GetClient(ctx, p.ID, c.ID)
	check(t, "GetClient after the refused create", got, err, c)

	err = s.Update(ctx, func(tx store.Tx) error { return tx.CreateClient(ctx, newClient("us-east-1_missing", "client2")) })
	wantErr(t, "CreateClient in a missing pool", err, store.ErrNotFound)
	err = s.Update(ctx, func(tx store.Tx) error { return tx.UpdateClient(ctx, newClient(p.ID, "missing")) })
	wantErr(t, "UpdateClient of a missing client", err, store.ErrNotFound)
	err = s.Update(ctx, func(tx store.Tx) error { return tx.DeleteClient(ctx, p.ID, "missing") })
	wantErr(t, "DeleteClient of a missing client", err, store.ErrNotFound)
}

func testClientSecrets(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	c := newClient(p.ID, "client1")
	create(t, s, []store.UserPool{p}, c)
	// Added newest first: the list is ordered by age, not by insertion or ID.
	newer, older := newSecret(c, "a-newer", at(20)), newSecret(c, "b-older", at(10))
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.AddClientSecret(ctx, newer); err != nil {
			return err
		}
		return tx.AddClientSecret(ctx, older)
	})
	list, err := s.ListClientSecrets(ctx, p.ID, c.ID)
	checkAll(t, "ListClientSecrets", list, err, older, newer)

	err = s.Update(ctx, func(tx store.Tx) error { return tx.AddClientSecret(ctx, newSecret(c, older.ID, at(30))) })
	wantErr(t, "AddClientSecret with a taken ID", err, store.ErrConflict)
	err = s.Update(ctx, func(tx store.Tx) error {
		return tx.AddClientSecret(ctx, newSecret(newClient(p.ID, "missing"), "s", at(30)))
	})
	wantErr(t, "AddClientSecret to a missing client", err, store.ErrNotFound)
	list, err = s.ListClientSecrets(ctx, p.ID, "missing")
	checkAll(t, "ListClientSecrets of a missing client", list, err)

	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteClientSecret(ctx, p.ID, c.ID, older.ID) })
	list, err = s.ListClientSecrets(ctx, p.ID, c.ID)
	checkAll(t, "ListClientSecrets after DeleteClientSecret", list, err, newer)
	err = s.Update(ctx, func(tx store.Tx) error { return tx.DeleteClientSecret(ctx, p.ID, c.ID, older.ID) })
	wantErr(t, "DeleteClientSecret of a missing secret", err, store.ErrNotFound)

	// Deleting the client deletes its secrets: a new client of the same ID has none.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.DeleteClient(ctx, p.ID, c.ID); err != nil {
			return err
		}
		return tx.CreateClient(ctx, c)
	})
	list, err = s.ListClientSecrets(ctx, p.ID, c.ID)
	checkAll(t, "ListClientSecrets of a re-created client", list, err)
}

// testPoolGeneration: every write that changes what FindClient returns
// moves the pool's generation forward, and a refused one does not.
func testPoolGeneration(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	c := newClient(p.ID, "client1")
	create(t, s, []store.UserPool{p, q}, c, newClient(q.ID, "client2"))
	generation := func(poolID string) int64 {
		t.Helper()
		pool, err := s.GetUserPool(ctx, poolID)
		if err != nil {
			t.Fatal(err)
		}
		return pool.Generation
	}
	last, other := generation(p.ID), generation(q.ID)
	found, err := s.FindClient(ctx, c.ID)
	if err != nil || found.Pool.Generation != last {
		t.Fatalf("FindClient: the pool's generation is %d (%v), want %d", found.Pool.Generation, err, last)
	}
	sec := newSecret(c, "s1", at(10))
	missing := newClient(p.ID, "missing")
	type write = func(ctx context.Context, tx store.Tx) error
	for _, w := range []struct {
		what           string
		write, refused write
	}{
		{"UpdateUserPool", func(ctx context.Context, tx store.Tx) error { return tx.UpdateUserPool(ctx, p) }, nil},
		{"UpdateClient", func(ctx context.Context, tx store.Tx) error { return tx.UpdateClient(ctx, c) },
			func(ctx context.Context, tx store.Tx) error { return tx.UpdateClient(ctx, missing) }},
		{"AddClientSecret", func(ctx context.Context, tx store.Tx) error { return tx.AddClientSecret(ctx, sec) },
			func(ctx context.Context, tx store.Tx) error { return tx.AddClientSecret(ctx, sec) }},
		{"DeleteClientSecret", func(ctx context.Context, tx store.Tx) error { return tx.DeleteClientSecret(ctx, p.ID, c.ID, sec.ID) },
			func(ctx context.Context, tx store.Tx) error { return tx.DeleteClientSecret(ctx, p.ID, c.ID, sec.ID) }},
		{"DeleteClient", func(ctx context.Context, tx store.Tx) error { return tx.DeleteClient(ctx, p.ID, c.ID) },
			func(ctx context.Context, tx store.Tx) error { return tx.DeleteClient(ctx, p.ID, c.ID) }},
	} {
		update(t, s, w.write)
		if g := generation(p.ID); g <= last {
			t.Fatalf("after %s the pool's generation is %d, was %d", w.what, g, last)
		}
		last = generation(p.ID)
		if w.refused == nil {
			continue
		}
		update(t, s, func(ctx context.Context, tx store.Tx) error {
			if err := w.refused(ctx, tx); err == nil {
				t.Errorf("a %s to refuse: no error", w.what)
			}
			return nil
		})
		if generation(p.ID) != last {
			t.Fatalf("a refused %s moved the pool's generation", w.what)
		}
	}
	if g := generation(q.ID); g != other {
		t.Fatalf("the other pool's generation moved from %d to %d", other, g)
	}
}

func testAccessKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	k1, k2 := newAccessKey("AKIA1"), newAccessKey("AKIA2")
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.CreateAccessKey(ctx, k2); err != nil {
			return err
		}
		return tx.CreateAccessKey(ctx, k1)
	})
	got, err := s.GetAccessKey(ctx, k1.ID)
	check(t, "GetAccessKey", got, err, k1)
	list, err := s.ListAccessKeys(ctx)
	checkAll(t, "ListAccessKeys", list, err, k1, k2)

	_, err = s.GetAccessKey(ctx, "AKIAMISSING")
	wantErr(t, "GetAccessKey of a missing key", err, store.ErrNotFound)
	other := newAccessKey(k1.ID)
	other.Secret = []byte("other")
	err = s.Update(ctx, func(tx store.Tx) error { return tx.CreateAccessKey(ctx, other) })
	wantErr(t, "CreateAccessKey with a taken ID", err, store.ErrConflict)
	got, err = s.GetAccessKey(ctx, k1.ID)
	check(t, "GetAccessKey after the refused create", got, err, k1)
}

// testRoundTrip stores values a careless encoding would change.
func testRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	p := newPool("us-east-1_blob")
	p.Name = "Ünïcødé 名前 😀 \u0301 '; DROP TABLE user_pools; --"
	p.Config = every
	p.CreatedAt = time.Date(1969, 12, 31, 23, 59, 59, 999_000_000, time.UTC) // before the epoch
	p.UpdatedAt = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)                // past int64 nanoseconds
	empty := newPool("us-east-1_empty")
	empty.Config = nil
	k := newAccessKey("AKIAEMPTY")
	k.Secret = []byte{}
	create(t, s, []store.UserPool{p, empty})
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateAccessKey(ctx, k) })

	got, err := s.GetUserPool(ctx, p.ID)
	check(t, "GetUserPool", got, err, p)
	got, err = s.GetUserPool(ctx, empty.ID)
	check(t, "GetUserPool with an empty config", got, err, empty)
	gotKey, err := s.GetAccessKey(ctx, k.ID)
	check(t, "GetAccessKey with an empty secret", gotKey, err, k)
}

func testDeleteUserPoolCascades(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_gone"), newPool("us-east-1_kept")
	c1, c2, kept := newClient(p.ID, "c1"), newClient(p.ID, "c2"), newClient(q.ID, "c1")
	create(t, s, []store.UserPool{p, q}, c1, c2, kept)
	keptSecret := newSecret(kept, "s", at(10))
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, sec := range []store.ClientSecret{newSecret(c1, "s", at(10)), newSecret(c2, "s", at(10)), keptSecret} {
			if err := tx.AddClientSecret(ctx, sec); err != nil {
				return err
			}
		}
		return nil
	})

	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteUserPool(ctx, p.ID) })
	clients, err := s.ListClients(ctx, p.ID, store.Page{})
	checkAll(t, "ListClients of the deleted pool", clients, err)
	_, err = s.GetClient(ctx, p.ID, c1.ID)
	wantErr(t, "GetClient of the deleted pool", err, store.ErrNotFound)

	// A new pool of the same ID starts empty: nothing of the old one is left.
	create(t, s, []store.UserPool{p}, c1)
	secrets, err := s.ListClientSecrets(ctx, p.ID, c1.ID)
	checkAll(t, "ListClientSecrets of a re-created pool's client", secrets, err)

	got, err := s.GetClient(ctx, q.ID, kept.ID)
	check(t, "GetClient of the other pool", got, err, kept)
	secrets, err = s.ListClientSecrets(ctx, q.ID, kept.ID)
	checkAll(t, "ListClientSecrets of the other pool", secrets, err, keptSecret)
}

// idChars puts upper case, digits, '-' and '_' around lower case, so that a
// collation other than byte order would sort them differently.
const idChars = "ABYZabyz019-_"

func randomID(r *rand.Rand, prefix string) string {
	b := []byte(prefix)
	for range 6 {
		b = append(b, idChars[r.IntN(len(idChars))])
	}
	return string(b)
}

// pages reads a whole listing in pages of size, checking each page's length.
func pages[T any](t *testing.T, size int, key func(T) string, list func(store.Page) ([]T, error)) []T {
	t.Helper()
	var all []T
	after := ""
	for {
		page, err := list(store.Page{After: after, Limit: size})
		if err != nil {
			t.Fatalf("list after %q: %v", after, err)
		}
		if len(page) > size {
			t.Fatalf("list after %q: %d rows, want at most %d", after, len(page), size)
		}
		all = append(all, page...)
		if len(page) < size {
			return all
		}
		after = key(page[len(page)-1])
	}
}

func testPagination(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := rand.New(rand.NewPCG(1, 2))
	var pools []store.UserPool
	var want []string
	seen := map[string]bool{}
	for len(pools) < 30 {
		id := randomID(r, "us-east-1_")
		if !seen[id] {
			seen[id] = true
			pools = append(pools, newPool(id))
			want = append(want, id)
		}
	}
	other := newPool("us-east-1_other")
	var clients []store.Client
	var wantClients []string
	for i, p := range pools[:12] {
		id := fmt.Sprintf("%s%02d", string(idChars[i]), i)
		clients = append(clients, newClient(pools[0].ID, id))
		wantClients = append(wantClients, id)
		// Clients of another pool must not appear in the listing.
		clients = append(clients, newClient(other.ID, p.ID))
	}
	create(t, s, append(pools, other), clients...)
	want = append(want, other.ID)
	slices.Sort(want) // byte-wise, as the store orders keys
	slices.Sort(wantClients)

	for _, size := range []int{1, 7, 31, 100} {
		got := pages(t, size, poolID, func(p store.Page) ([]store.UserPool, error) { return s.ListUserPools(ctx, p) })
		if g := ids(got, poolID); !slices.Equal(g, want) {
			t.Fatalf("ListUserPools in pages of %d:\n got %q\nwant %q", size, g, want)
		}
		gotClients := pages(t, size, clientID, func(p store.Page) ([]store.Client, error) { return s.ListClients(ctx, pools[0].ID, p) })
		if g := ids(gotClients, clientID); !slices.Equal(g, wantClients) {
			t.Fatalf("ListClients in pages of %d:\n got %q\nwant %q", size, g, wantClients)
		}
	}
	all, err := s.ListUserPools(ctx, store.Page{})
	if g := ids(all, poolID); err != nil || !slices.Equal(g, want) {
		t.Fatalf("ListUserPools without a limit: %q, %v", g, err)
	}
	// After need not be a stored key: this one sorts between want[10] and want[11].
	after := want[10] + "-"
	tail, err := s.ListUserPools(ctx, store.Page{After: after, Limit: 3})
	if g := ids(tail, poolID); err != nil || !slices.Equal(g, want[11:14]) {
		t.Fatalf("ListUserPools after %q: %q, %v; want %q", after, g, err, want[11:14])
	}
}

// testPaginationUnderConcurrentInserts pages through pools while another
// goroutine inserts more: every pool that existed at the start is listed once,
// and no pool twice.
func testPaginationUnderConcurrentInserts(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := rand.New(rand.NewPCG(3, 4))
	var initial []store.UserPool
	for i := range 40 {
		initial = append(initial, newPool(fmt.Sprintf("us-east-1_%s%03d", randomID(r, ""), i)))
	}
	create(t, s, initial)

	done := make(chan error)
	go func() {
		r := rand.New(rand.NewPCG(5, 6))
		for i := range 40 {
			p := newPool(fmt.Sprintf("us-east-1_%sx%03d", randomID(r, ""), i))
			if err := s.Update(ctx, func(tx store.Tx) error { return tx.CreateUserPool(ctx, p) }); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	got := ids(pages(t, 3, poolID, func(p store.Page) ([]store.UserPool, error) {
		time.Sleep(time.Millisecond) // let the inserts interleave with the pages
		return s.ListUserPools(ctx, p)
	}), poolID)
	if err := <-done; err != nil {
		t.Fatalf("concurrent insert: %v", err)
	}
	for i := 1; i < len(got); i++ {
		if got[i-1] >= got[i] {
			t.Fatalf("listing not strictly ordered: %q then %q", got[i-1], got[i])
		}
	}
	for _, p := range initial {
		if _, found := slices.BinarySearch(got, p.ID); !found {
			t.Fatalf("pool %q, present from the start, was skipped", p.ID)
		}
	}
}

// race runs f in two goroutines at once, rounds times, and checks that each
// time exactly one of them succeeds and the other gets store.ErrConflict.
func race(t *testing.T, rounds int, f func(round, racer int) error) {
	t.Helper()
	for round := range rounds {
		start := make(chan struct{})
		var errs [2]error
		var wg sync.WaitGroup
		for racer := range errs {
			wg.Go(func() {
				<-start
				errs[racer] = f(round, racer)
			})
		}
		close(start)
		wg.Wait()
		var won, lost int
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case errors.Is(err, store.ErrConflict):
				lost++
			default:
				t.Fatalf("round %d: unexpected error: %v", round, err)
			}
		}
		if won != 1 || lost != 1 {
			t.Fatalf("round %d: %d won and %d got ErrConflict, want 1 and 1 (errors %v)", round, won, lost, errs)
		}
	}
}

func testRaceCreateUserPool(t *testing.T, s store.Store) {
	ctx := t.Context()
	race(t, 10, func(round, racer int) error {
		p := newPool(fmt.Sprintf("us-east-1_race%d", round))
		p.Name = fmt.Sprintf("racer %d", racer)
		return s.Update(ctx, func(tx store.Tx) error {
			// Read first, as the domain does: both racers see no pool.
			if _, err := tx.GetUserPool(ctx, p.ID); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%w: pool exists (%v)", store.ErrConflict, err)
			}
			return tx.CreateUserPool(ctx, p)
		})
	})
	list, err := s.ListUserPools(ctx, store.Page{})
	if err != nil || len(list) != 10 {
		t.Fatalf("ListUserPools after the races: %d pools, %v; want 10", len(list), err)
	}
}

func testRaceCreateClient(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	race(t, 10, func(round, racer int) error {
		c := newClient(p.ID, fmt.Sprintf("race%d", round))
		c.Name = fmt.Sprintf("racer %d", racer)
		return s.Update(ctx, func(tx store.Tx) error { return tx.CreateClient(ctx, c) })
	})
}

func testUpdateRollsBack(t *testing.T, s store.Store) {
	ctx := t.Context()
	kept, gone := newPool("us-east-1_kept"), newPool("us-east-1_gone")
	c := newClient(kept.ID, "c1")
	create(t, s, []store.UserPool{kept, gone}, c)

	boom := errors.New("boom")
	err := s.Update(ctx, func(tx store.Tx) error {
		changed := kept
		changed.Name = "changed"
		for _, err := range []error{
			tx.CreateUserPool(ctx, newPool("us-east-1_new")),
			tx.UpdateUserPool(ctx, changed),
			tx.DeleteUserPool(ctx, gone.ID),
			tx.CreateClient(ctx, newClient(kept.ID, "c2")),
			tx.DeleteClient(ctx, kept.ID, c.ID),
			tx.CreateAccessKey(ctx, newAccessKey("AKIANEW")),
		} {
			if err != nil {
				return err
			}
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update: got %v, want fn's error", err)
	}
	pools, err := s.ListUserPools(ctx, store.Page{})
	checkAll(t, "ListUserPools after the rollback", pools, err, gone, kept)
	clients, err := s.ListClients(ctx, kept.ID, store.Page{})
	checkAll(t, "ListClients after the rollback", clients, err, c)
	keys, err := s.ListAccessKeys(ctx)
	checkAll(t, "ListAccessKeys after the rollback", keys, err)
}

// A backend may run concurrent Updates in one transaction (SQLite's group
// commit): each still commits or rolls back on its own, sees the writes
// before it, and a panic reaches its own caller.
func testConcurrentUpdatesCommitApart(t *testing.T, s store.Store) {
	ctx := t.Context()
	taken := newPool("us-east-1_taken")
	create(t, s, []store.UserPool{taken})
	const writes = 60
	boom := errors.New("boom")
	// fate says what write i does after creating its pool: fail, panic,
	// be refused a write and go on, or just commit.
	fate := func(i int) string {
		switch {
		case i%3 == 0:
			return "fail"
		case i%7 == 0:
			return "panic"
		case i%5 == 0:
			return "refused"
		}
		return "commit"
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, writes)
	for i := range writes {
		wg.Go(func() {
			<-start
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("panicked: %v", p)
				}
			}()
			errs[i] = s.Update(ctx, func(tx store.Tx) error {
				p := newPool(fmt.Sprintf("us-east-1_w%02d", i))
				if err := tx.CreateUserPool(ctx, p); err != nil {
					return err
				}
				if _, err := tx.GetUserPool(ctx, p.ID); err != nil {
					return fmt.Errorf("own write not visible: %w", err)
				}
				switch fate(i) {
				case "fail":
					return boom
				case "panic":
					panic("write " + strconv.Itoa(i))
				case "refused":
					switch err := tx.CreateUserPool(ctx, taken); {
					case errors.Is(err, store.ErrRetry):
						return err
					case !errors.Is(err, store.ErrConflict):
						return fmt.Errorf("second create of %s: got %v, want ErrConflict", taken.ID, err)
					}
				}
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	want := []string{taken.ID}
	for i, err := range errs {
		switch fate(i) {
		case "fail":
			wantErr(t, fmt.Sprintf("write %d", i), err, boom)
		case "panic":
			if err == nil || err.Error() != fmt.Sprintf("panicked: write %d", i) {
				t.Errorf("write %d: got %v, want its own panic", i, err)
			}
		default:
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
			want = append(want, fmt.Sprintf("us-east-1_w%02d", i))
		}
	}
	pools, err := s.ListUserPools(ctx, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(pools, func(p store.UserPool) string { return p.ID }); !slices.Equal(got, want) {
		t.Errorf("pools committed:\n got %v\nwant %v", got, want)
	}
}

func testReadYourWrites(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	c := newClient(p.ID, "c1")
	sec := newSecret(c, "s1", at(10))
	k := newAccessKey("AKIA1")
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.CreateUserPool(ctx, p); err != nil {
			return err
		}
		got, err := tx.GetUserPool(ctx, p.ID)
		check(t, "GetUserPool in the tx", got, err, p)
		pools, err := tx.ListUserPools(ctx, store.Page{Limit: 10})
		checkAll(t, "ListUserPools in the tx", pools, err, p)
		// Outside the transaction its writes are not seen before it commits.
		if _, err := s.GetUserPool(ctx, p.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetUserPool outside the open tx: got %v, want ErrNotFound", err)
		}

		changed := p
		changed.Name = "changed"
		if err := tx.UpdateUserPool(ctx, changed); err != nil {
			return err
		}
		got, err = tx.GetUserPool(ctx, p.ID)
		changed.Generation++
		check(t, "GetUserPool in the tx after UpdateUserPool", got, err, changed)

		for _, err := range []error{tx.CreateClient(ctx, c), tx.AddClientSecret(ctx, sec), tx.CreateAccessKey(ctx, k)} {
			if err != nil {
				return err
			}
		}
		gotClient, err := tx.GetClient(ctx, p.ID, c.ID)
		check(t, "GetClient in the tx", gotClient, err, c)
		clients, err := tx.ListClients(ctx, p.ID, store.Page{Limit: 10})
		checkAll(t, "ListClients in the tx", clients, err, c)
		secrets, err := tx.ListClientSecrets(ctx, p.ID, c.ID)
		checkAll(t, "ListClientSecrets in the tx", secrets, err, sec)
		gotKey, err := tx.GetAccessKey(ctx, k.ID)
		check(t, "GetAccessKey in the tx", gotKey, err, k)
		keys, err := tx.ListAccessKeys(ctx)
		checkAll(t, "ListAccessKeys in the tx", keys, err, k)

		if err := tx.DeleteClient(ctx, p.ID, c.ID); err != nil {
			return err
		}
		if _, err := tx.GetClient(ctx, p.ID, c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetClient in the tx after DeleteClient: got %v, want ErrNotFound", err)
		}
		secrets, err = tx.ListClientSecrets(ctx, p.ID, c.ID)
		checkAll(t, "ListClientSecrets in the tx after DeleteClient", secrets, err)
		return nil
	})
	if _, err := s.GetUserPool(ctx, p.ID); err != nil {
		t.Fatalf("GetUserPool after commit: %v", err)
	}
}

// testRefusedWriteKeepsTxUsable: a write refused with ErrConflict or
// ErrNotFound changes nothing, and the transaction goes on.
func testRefusedWriteKeepsTxUsable(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	c := newClient(p.ID, "c1")
	create(t, s, []store.UserPool{p}, c)
	fresh := newPool("us-east-1_b")
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		wantErr(t, "CreateUserPool with a taken ID", tx.CreateUserPool(ctx, p), store.ErrConflict)
		wantErr(t, "CreateClient with a taken ID", tx.CreateClient(ctx, c), store.ErrConflict)
		wantErr(t, "CreateClient in a missing pool", tx.CreateClient(ctx, newClient("us-east-1_missing", "c")), store.ErrNotFound)
		wantErr(t, "AddClientSecret to a missing client", tx.AddClientSecret(ctx, newSecret(newClient(p.ID, "missing"), "s", at(0))), store.ErrNotFound)
		wantErr(t, "UpdateUserPool of a missing pool", tx.UpdateUserPool(ctx, fresh), store.ErrNotFound)
		return tx.CreateUserPool(ctx, fresh)
	})
	got, err := s.GetUserPool(ctx, fresh.ID)
	check(t, "GetUserPool of the pool created after refused writes", got, err, fresh)
}

func testUpdateRetries(t *testing.T, s store.Store) {
	ctx := t.Context()
	calls := 0
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		calls++
		if err := tx.CreateUserPool(ctx, newPool("us-east-1_attempt"+strconv.Itoa(calls))); err != nil {
			return err
		}
		if calls == 1 {
			return fmt.Errorf("lost a race: %w", store.ErrRetry)
		}
		return nil
	})
	if calls != 2 {
		t.Fatalf("fn called %d times, want 2", calls)
	}
	pools, err := s.ListUserPools(ctx, store.Page{})
	if g := ids(pools, poolID); err != nil || !slices.Equal(g, []string{"us-east-1_attempt2"}) {
		t.Fatalf("pools after a retried Update: %q, %v; want only the second attempt's", g, err)
	}

	calls = 0
	err = s.Update(ctx, func(tx store.Tx) error {
		calls++
		return store.ErrRetry
	})
	if !errors.Is(err, store.ErrRetry) || calls < 2 || calls > 100 {
		t.Fatalf("Update of an fn that always loses: %v after %d calls; want ErrRetry after a bounded number", err, calls)
	}
}

// testUpdateIsSerializable: concurrent read-modify-write transactions lose no
// update (the backend retries those that lose a race).
func testUpdateIsSerializable(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_counter")
	p.Config = []byte("0")
	create(t, s, []store.UserPool{p})
	const workers, increments = 4, 3
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range increments {
				errs <- s.Update(ctx, func(tx store.Tx) error {
					cur, err := tx.GetUserPool(ctx, p.ID)
					if err != nil {
						return err
					}
					n, err := strconv.Atoi(string(cur.Config))
					if err != nil {
						return err
					}
					cur.Config = []byte(strconv.Itoa(n + 1))
					return tx.UpdateUserPool(ctx, cur)
				})
			}
		})
	}
	go func() { wg.Wait(); close(errs) }()
	for err := range errs {
		if err != nil {
			t.Fatalf("increment: %v", err)
		}
	}
	got, err := s.GetUserPool(ctx, p.ID)
	if err != nil || string(got.Config) != strconv.Itoa(workers*increments) {
		t.Fatalf("counter is %q (%v), want %d", got.Config, err, workers*increments)
	}
}

func testContextCanceled(t *testing.T, s store.Store) {
	p := newPool("us-east-1_a")
	c := newClient(p.ID, "c1")
	create(t, s, []store.UserPool{p}, c)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	reads := map[string]func() error{
		"GetUserPool":       func() error { _, err := s.GetUserPool(ctx, p.ID); return err },
		"ListUserPools":     func() error { _, err := s.ListUserPools(ctx, store.Page{}); return err },
		"GetClient":         func() error { _, err := s.GetClient(ctx, p.ID, c.ID); return err },
		"ListClients":       func() error { _, err := s.ListClients(ctx, p.ID, store.Page{}); return err },
		"ListClientSecrets": func() error { _, err := s.ListClientSecrets(ctx, p.ID, c.ID); return err },
		"GetAccessKey":      func() error { _, err := s.GetAccessKey(ctx, "AKIA1"); return err },
		"ListAccessKeys":    func() error { _, err := s.ListAccessKeys(ctx); return err },
		"Update": func() error {
			return s.Update(ctx, func(tx store.Tx) error { return tx.CreateUserPool(ctx, newPool("us-east-1_b")) })
		},
	}
	for name, f := range reads {
		wantErr(t, name+" with a canceled context", f(), context.Canceled)
	}

	// Canceled while fn runs: nothing is committed.
	ctx, cancel = context.WithCancel(t.Context())
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateUserPool(ctx, newPool("us-east-1_c")); err != nil {
			return err
		}
		cancel()
		return nil
	})
	if err == nil {
		t.Fatal("Update canceled before commit: no error")
	}
	pools, err := s.ListUserPools(t.Context(), store.Page{})
	checkAll(t, "ListUserPools after the canceled Updates", pools, err, p)
}
