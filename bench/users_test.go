package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/uuid"

	"cognate/internal/cognatetest"
	"cognate/internal/store"
)

// scaleSizes are the pool sizes BenchmarkScale compares; COGNATE_BENCH_USERS
// replaces the largest (the default million takes a while to load).
func scaleSizes() []int {
	sizes := []int{10_000, 1_000_000}
	if n, err := strconv.Atoi(os.Getenv("COGNATE_BENCH_USERS")); err == nil && n > 0 {
		sizes[1] = n
	}
	return sizes
}

// BenchmarkScale loads a pool through the store's bulk path, then measures
// over HTTP: AdminGetUser, ListUsers with an `email ^=` filter, an unfiltered
// 60-row page, and AdminCreateUser. Filtered and unfiltered pages report
// p50/p99 latency; a page's cost must not grow with the pool.
//
//	go test ./bench -run '^$' -bench Scale -benchtime 2000x -timeout 60m
func BenchmarkScale(b *testing.B) {
	for _, backend := range cognatetest.Backends {
		for _, size := range scaleSizes() {
			b.Run(fmt.Sprintf("%s/users=%d", backend, size), func(b *testing.B) { scale(b, backend, size) })
		}
	}
}

// scale loads one pool and runs the measurements on it.
func scale(b *testing.B, backend cognatetest.Backend, size int) {
	s := cognatetest.Start(b, backend)
	poolID := loadPool(b, s, size)
	c := s.Client
	name := func(i int) string { return fmt.Sprintf("user%08d", i) }

	b.Run("AdminGetUser/clients=16", func(b *testing.B) {
		i := 0
		parallel(b, 16, func() error {
			i++
			_, err := c.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String(name(i * 7919 % size))})
			return err
		})
	})
	b.Run("ListUsers/email-prefix", func(b *testing.B) {
		latencies(b, func(i int) error {
			// A prefix matching ten users somewhere in the pool.
			p := name(i * 7919 % size)[:len(name(0))-1]
			out, err := c.ListUsers(context.Background(), &cip.ListUsersInput{UserPoolId: &poolID, Filter: aws.String(`email ^= "` + p + `"`), Limit: aws.Int32(60)})
			if err == nil && len(out.Users) == 0 {
				err = fmt.Errorf("prefix %s matched nobody", p)
			}
			return err
		})
	})
	token := secondPage(b, c, poolID)
	b.Run("ListUsers/page-of-60", func(b *testing.B) {
		latencies(b, func(int) error {
			out, err := c.ListUsers(context.Background(), &cip.ListUsersInput{UserPoolId: &poolID, Limit: aws.Int32(60), PaginationToken: token})
			if err == nil && len(out.Users) != 60 {
				err = fmt.Errorf("page of %d users", len(out.Users))
			}
			return err
		})
	})
	b.Run("AdminCreateUser/clients=16", func(b *testing.B) {
		n := 0
		parallel(b, 16, func() error {
			n++
			u := fmt.Sprintf("new-%d-%d", time.Now().UnixNano(), n)
			_, err := c.AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{
				UserPoolId: &poolID, Username: aws.String(u), MessageAction: types.MessageActionTypeSuppress,
				TemporaryPassword: aws.String("Temp-Passw0rd!"),
				UserAttributes:    []types.AttributeType{{Name: aws.String("email"), Value: aws.String(u + "@example.com")}},
			})
			return err
		})
	})
}

// loadPool creates a pool and bulk-loads size users into it, outside the timer.
func loadPool(b testing.TB, s *cognatetest.Server, size int) string {
	b.Helper()
	out, err := s.Client.CreateUserPool(context.Background(), &cip.CreateUserPoolInput{PoolName: aws.String("scale")})
	if err != nil {
		b.Fatal(err)
	}
	poolID := *out.UserPool.Id
	st := s.Inner().Store()
	start := time.Now()
	const batch = 10_000
	now := time.Now().UTC().Truncate(time.Millisecond)
	for lo := 0; lo < size; lo += batch {
		users := make([]store.User, 0, batch)
		for i := lo; i < min(lo+batch, size); i++ {
			username := fmt.Sprintf("user%08d", i)
			sub := uuid.NewString()
			email := username + "@example.com"
			attrs, _ := json.Marshal([]types.AttributeType{
				{Name: aws.String("sub"), Value: aws.String(sub)},
				{Name: aws.String("email"), Value: aws.String(email)},
				{Name: aws.String("given_name"), Value: aws.String("Given" + strconv.Itoa(i%1000))},
			})
			users = append(users, store.User{PoolID: poolID, Key: username, Username: username, Sub: sub,
				Status: "CONFIRMED", Enabled: true, CreatedAt: now, UpdatedAt: now, Attributes: attrs,
				Email: email, GivenName: "Given" + strconv.Itoa(i%1000)})
		}
		if err := st.Update(context.Background(), func(tx store.Tx) error { return tx.CreateUsers(context.Background(), users, nil) }); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("loaded %d users in %v (%.0f users/s)", size, time.Since(start).Round(time.Millisecond), float64(size)/time.Since(start).Seconds())
	return poolID
}

// secondPage is the pagination token of the pool's second page of 60.
func secondPage(b *testing.B, c *cip.Client, poolID string) *string {
	b.Helper()
	out, err := c.ListUsers(context.Background(), &cip.ListUsersInput{UserPoolId: &poolID, Limit: aws.Int32(60)})
	if err != nil {
		b.Fatal(err)
	}
	return out.PaginationToken
}

// latencies runs op b.N times one after another and reports p50 and p99.
func latencies(b *testing.B, op func(i int) error) {
	d := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(start))
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds()), "p99-µs")
}
