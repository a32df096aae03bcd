package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"cognate/internal/store"
)

// BenchmarkCreateUsers loads b.N users into one pool through CreateUsers,
// batch users per transaction, so that ns/op is the time per user;
// -benchtime 1000000x loads a million. Users have an email, a random sub
// (as the domain's are) and names, as an import's would; with names set,
// each also gets its email as a sign-in name. It also reports users/s.
//
//	go test ./internal/store/sqlite -run '^$' -bench CreateUsers -benchtime 1000000x
func BenchmarkCreateUsers(b *testing.B, s store.Store, batch int, names bool) {
	ctx := context.Background()
	pool := newPool("us-east-1_bench")
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.CreateUserPool(ctx, pool) }); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	attributes := []byte(`{"email_verified":"true","locale":"en-GB","custom:plan":"basic"}`)
	credential := make([]byte, 96)
	b.ResetTimer()
	for start := 0; start < b.N; start += batch {
		b.StopTimer()
		users := make([]store.User, min(batch, b.N-start))
		var signIn []store.SignInName
		for i := range users {
			n := start + i
			key := fmt.Sprintf("user%08d", n)
			u := store.User{PoolID: pool.ID, Key: key, Username: key, Sub: uuid.NewString(),
				Status: "CONFIRMED", Enabled: true, CreatedAt: now, UpdatedAt: now,
				Attributes: attributes, Credential: credential, Settings: []byte(`{}`),
				Email: key + "@example.com", GivenName: fmt.Sprintf("Given%d", n%1000), FamilyName: fmt.Sprintf("Family%d", n%5000)}
			users[i] = u
			if names {
				signIn = append(signIn, store.SignInName{PoolID: pool.ID, Name: u.Email, UserKey: key, Kind: "email"})
			}
		}
		b.StartTimer()
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.CreateUsers(ctx, users, signIn) }); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "users/s")
}

// BenchmarkExistingUserKeys looks up batches of batch keys in a pool of size
// users, half of them taken, as an import checks each batch of its CSV, so
// that ns/op is the time per batch. With names set, it looks up sign-in
// names (every user's email) with ExistingSignInNames instead. It also
// reports keys/s.
//
//	go test ./internal/store/sqlite -run '^$' -bench ExistingUserKeys
func BenchmarkExistingUserKeys(b *testing.B, s store.Store, size, batch int, names bool) {
	ctx := context.Background()
	pool := newPool("us-east-1_bench")
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.CreateUserPool(ctx, pool) }); err != nil {
		b.Fatal(err)
	}
	key := func(n int) string { return fmt.Sprintf("user%08d", n) }
	now := time.Now()
	const load = 10_000
	for start := 0; start < size; start += load {
		users := make([]store.User, min(load, size-start))
		signIn := make([]store.SignInName, len(users))
		for i := range users {
			k := key(start + i)
			users[i] = store.User{PoolID: pool.ID, Key: k, Username: k, Sub: uuid.NewString(), Status: "CONFIRMED",
				Enabled: true, CreatedAt: now, UpdatedAt: now, Attributes: []byte(`{}`), Settings: []byte(`{}`),
				Email: k + "@example.com"}
			signIn[i] = store.SignInName{PoolID: pool.ID, Name: users[i].Email, UserKey: k, Kind: "email"}
		}
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.CreateUsers(ctx, users, signIn) }); err != nil {
			b.Fatal(err)
		}
	}
	// Every batch is another spread of the pool: even places taken, odd
	// ones not.
	batches := make([][]string, 64)
	for n := range batches {
		batches[n] = make([]string, batch)
		for i := range batch {
			k := key((n*batch + i) * 7919 % size)
			if i%2 == 1 {
				k = "absent-" + k
			}
			if names {
				k += "@example.com"
			}
			batches[n][i] = k
		}
	}
	lookup := s.ExistingUserKeys
	if names {
		lookup = s.ExistingSignInNames
	}
	b.ResetTimer()
	for n := range b.N {
		found, err := lookup(ctx, pool.ID, batches[n%len(batches)])
		if err != nil {
			b.Fatal(err)
		}
		if len(found) != batch/2 {
			b.Fatalf("%d of %d found, want %d", len(found), batch, batch/2)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "keys/s")
}
