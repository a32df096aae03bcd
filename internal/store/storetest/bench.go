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
