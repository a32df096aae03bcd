// Package bench holds Cognate's benchmarks. Figures are reported beside a floor
// measured in the same run, because the machines they run on are shared.
//
//	go test ./bench -run '^$' -bench . -benchtime 3s
package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"cognate/internal/cognatetest"
)

var concurrency = []int{1, 16}

// BenchmarkDescribeUserPool measures DescribeUserPool over HTTP through the
// official SDK (SigV4 signed and verified), per backend and number of
// concurrent clients. Its floor, BenchmarkFloor, is the same signed round trip
// to an operation that touches no storage.
func BenchmarkDescribeUserPool(b *testing.B) {
	for _, backend := range cognatetest.Backends {
		s := cognatetest.Start(b, backend)
		out, err := s.Client.CreateUserPool(context.Background(), &cip.CreateUserPoolInput{PoolName: aws.String("bench")})
		if err != nil {
			b.Fatal(err)
		}
		in := &cip.DescribeUserPoolInput{UserPoolId: out.UserPool.Id}
		client := benchClient(s, slices.Max(concurrency))
		for _, c := range concurrency {
			b.Run(fmt.Sprintf("%s/clients=%d", backend, c), func(b *testing.B) {
				parallel(b, c, func() error {
					_, err := client.DescribeUserPool(context.Background(), in)
					return err
				})
			})
		}
	}
}

// BenchmarkFloor is a signed request the server verifies and dispatches but
// answers without storage: GetUserPoolMfaConfig for a malformed pool ID fails
// validation after authentication.
func BenchmarkFloor(b *testing.B) {
	s := cognatetest.Start(b, cognatetest.SQLite)
	in := &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String("malformed")}
	client := benchClient(s, slices.Max(concurrency))
	for _, c := range concurrency {
		b.Run(fmt.Sprintf("clients=%d", c), func(b *testing.B) {
			parallel(b, c, func() error {
				if _, err := client.GetUserPoolMfaConfig(context.Background(), in); err == nil {
					return fmt.Errorf("malformed pool ID accepted")
				}
				return nil
			})
		})
	}
}

// benchClient is s's SDK client keeping an idle connection for each of conns
// concurrent clients: http.DefaultTransport keeps two per host, and the other
// clients would open a connection for nearly every request (the storage-free
// round trip of sixteen clients ran 1.1–1.6× slower).
func benchClient(s *cognatetest.Server, conns int, opts ...func(*cip.Options)) *cip.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = conns, conns
	keep := func(o *cip.Options) { o.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: t} }
	return cip.New(s.Client.Options(), append([]func(*cip.Options){keep}, opts...)...)
}

// sizes are the small and large sizes a benchmark compares, the large
// replaced by the environment variable env when it holds a positive number
// (and the small then no larger than it; one size when they are equal).
func sizes(env string, small, large int) []int {
	if n, err := strconv.Atoi(os.Getenv(env)); err == nil && n > 0 {
		large, small = n, min(small, n)
	}
	if small == large {
		return []int{large}
	}
	return []int{small, large}
}

// parallel runs op b.N times from about c goroutines (one exactly when c is
// 1) and reports requests per second.
func parallel(b *testing.B, c int, op func() error) {
	b.ResetTimer()
	defer func() { b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s") }()
	if c == 1 {
		for range b.N {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	// RunParallel starts SetParallelism × GOMAXPROCS goroutines.
	b.SetParallelism((c + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
