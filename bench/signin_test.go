package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"cognate/internal/cognatetest"
	"cognate/internal/server"
	"cognate/internal/srp"
	"cognate/internal/srp/srpclient"
	"cognate/internal/tokens"
)

// BenchmarkSignIn measures the sign-in flows over HTTP through the official
// SDK, on each backend, from signInClients concurrent clients:
// USER_PASSWORD_AUTH, USER_SRP_AUTH (InitiateAuth and the PASSWORD_VERIFIER
// answer, counted as one sign-in), REFRESH_TOKEN_AUTH and GetUser.
//
// Each flow is reported against a floor, the cryptography it cannot avoid
// run on all cores. The machines are shared, and their speed changes within
// a second: the flow runs in flowSlices slices, each followed by its floor
// for a quarter of its time, so that both are measured over the same
// stretches of time. A line's metrics are:
//
//	signins/s, req/s  the flow (SRP makes two requests per sign-in)
//	floor-ops/s       its floor: password: a verifier and two RS256
//	                  signatures; SRP: the server's B and claim check, the
//	                  client's A and answer (the client runs in this
//	                  process, on the same cores), and two signatures;
//	                  refresh: two signatures; GetUser: one verification
//	%floor            the flow as a percentage of its floor
//	%srv-floor        SRP: against the server's share of it alone
//	%floor+rt         against the floor plus, per request, a round trip
//	                  through the SDK that the server refuses before any
//	                  storage or cryptography
//	cpu-ms/op         CPU time per sign-in: the process (SDK and server);
//	db-cpu-ms/op      the PostgreSQL backends serving it
//	%floor-cpu        the floor's CPU time as a percentage of the flow's,
//	                  which the machine's load sways much less than rates
//	%cpu, floor-%cpu  the share of the machine's cores the flow and its
//	                  floor used: a flow that waits uses less than its floor
//
// The floor/… lines are the floors' parts, each on all cores. With
// -cpuprofile the floors are not run beside the flows (and the ratios are
// not reported), so that the profile holds the flows alone.
//
//	go test ./bench -run '^$' -bench SignIn -benchtime 3s -count 3 -timeout 30m
//
// COGNATE_BENCH_CLIENTS changes the number of clients (16).
func BenchmarkSignIn(b *testing.B) {
	c := newCryptoFixture(b)
	b.Run("floor", func(b *testing.B) { floorParts(b, c) })
	for _, backend := range cognatetest.Backends {
		b.Run(string(backend), func(b *testing.B) { signIn(b, backend, c) })
	}
}

// signInClients is the number of concurrent clients of the HTTP benchmarks.
func signInClients() int {
	if n, err := strconv.Atoi(os.Getenv("COGNATE_BENCH_CLIENTS")); err == nil && n > 0 {
		return n
	}
	return 16
}

const (
	// flowSlices is how many slices a flow runs in, each followed by its
	// floor.
	flowSlices     = 8
	signInPassword = "Correct-Horse-42"
	// signInUsers are signed in in turn, so that concurrent sign-ins are
	// of different users, as they are in production.
	signInUsers = 64
)

// floorParts measures each floor and its parts on all cores.
func floorParts(b *testing.B, c *cryptoFixture) {
	m := &meter{}
	for _, f := range []struct {
		name string
		op   func() error
	}{
		{"verifier", c.verifier},
		{"sign", func() error { _, err := tokens.Sign(c.key, c.idClaims); return err }},
		{"verify", c.verify},
		{"password", c.passwordLogin},
		{"srp-server", c.srpServer},
		{"srp-client", c.srpClient},
		{"srp", c.srpLogin},
		{"refresh", c.signTokens},
	} {
		b.Run(f.name, func(b *testing.B) {
			start := m.read()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := f.op(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			m.report(b, start)
		})
	}
	s := cognatetest.Start(b, cognatetest.SQLite)
	rt := roundTrip(benchClient(s, signInClients()))
	b.Run(fmt.Sprintf("roundtrip/clients=%d", signInClients()), func(b *testing.B) {
		start := m.read()
		parallel(b, signInClients(), rt)
		m.report(b, start)
	})
}

// roundTrip is a request the server answers after HTTP and JSON but before
// any storage or cryptography: GetUser with a malformed access token.
func roundTrip(c *cip.Client) func() error {
	in := &cip.GetUserInput{AccessToken: aws.String("malformed")}
	return func() error {
		if _, err := c.GetUser(context.Background(), in); err == nil {
			return errors.New("malformed access token accepted")
		}
		return nil
	}
}

// profiling reports whether the run writes a CPU profile: the floors are
// then not run beside the flows, so that the profile holds the flows alone.
func profiling() bool {
	f := flag.Lookup("test.cpuprofile")
	return f != nil && f.Value.String() != ""
}

// spinResult is what spin measured: ops done in took, using cpu of this
// process. Results of several spins add up.
type spinResult struct {
	ops       int64
	took, cpu time.Duration
}

func (r *spinResult) add(o spinResult) {
	r.ops, r.took, r.cpu = r.ops+o.ops, r.took+o.took, r.cpu+o.cpu
}

func (r spinResult) rate() float64 { return float64(r.ops) / r.took.Seconds() }

func (r spinResult) cpuPerOp() time.Duration { return r.cpu / time.Duration(max(r.ops, 1)) }

// share is the share of the machine's cores the ops used.
func (r spinResult) share() float64 {
	return r.cpu.Seconds() / r.took.Seconds() / float64(runtime.NumCPU())
}

// spin runs op from n goroutines for d.
func spin(d time.Duration, n int, op func() error) (spinResult, error) {
	m := &meter{}
	start := m.read()
	begin := time.Now()
	var ops atomic.Int64
	errs := make(chan error, n)
	for range n {
		go func() {
			for time.Since(begin) < d {
				if err := op(); err != nil {
					errs <- err
					return
				}
				ops.Add(1)
			}
			errs <- nil
		}()
	}
	var err error
	for range n {
		if e := <-errs; e != nil {
			err = e
		}
	}
	return spinResult{ops: ops.Load(), took: time.Since(begin), cpu: m.read().self - start.self}, err
}

// clients runs op n times from c goroutines (n at most).
func clients(b *testing.B, c, n int, op func() error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(c, n) {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := op(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// cryptoFixture holds what the floors compute with: a signing key, the
// claims of a real sign-in's tokens, a stored verifier and one SRP exchange
// whose answer checks.
type cryptoFixture struct {
	key                tokens.Key
	idClaims, acClaims map[string]any
	poolID, user       string
	salt, verifierB    []byte
	claim              *srp.Claim
	saltHex, bHex      string
	blockB64           string
	accessToken        string
}

func newCryptoFixture(b *testing.B) *cryptoFixture {
	b.Helper()
	key, err := tokens.NewKey()
	if err != nil {
		b.Fatal(err)
	}
	c := &cryptoFixture{key: key, poolID: "us-east-1_AbCdEfGhI", user: "user007", salt: srp.NewSalt()}
	c.idClaims, c.acClaims = tokenClaims("http://127.0.0.1:40000/"+c.poolID, "abcdefghijklmnopqrstuvwxyz", c.user)
	c.verifierB = srp.Verifier(srp.PoolName(c.poolID), c.user, signInPassword, c.salt)
	if c.accessToken, err = tokens.Sign(key, c.acClaims); err != nil {
		b.Fatal(err)
	}
	block := make([]byte, 64)
	rand.Read(block)
	c.saltHex, c.blockB64 = srp.FormatHex(c.salt), base64.StdEncoding.EncodeToString(block)
	claim, err := c.exchange()
	if err != nil {
		b.Fatal(err)
	}
	c.claim = claim
	c.bHex = srp.FormatHex(claim.B)
	return c
}

// tokenClaims are the ID and access token claims the server mints for a user
// with a verified email and no groups, on a client with revocation on.
func tokenClaims(iss, clientID, user string) (id, access map[string]any) {
	now := time.Now()
	sub, family, event := uuid.NewString(), uuid.NewString(), uuid.NewString()
	common := func() map[string]any {
		return map[string]any{"sub": sub, "iss": iss, "event_id": event, "auth_time": now.Unix(),
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": uuid.NewString(), "origin_jti": family}
	}
	id, access = common(), common()
	id["aud"], id["token_use"], id["cognito:username"] = clientID, "id", user
	id["email"], id["email_verified"] = user+"@example.com", true
	access["client_id"], access["token_use"], access["scope"], access["username"] = clientID, "access", "aws.cognito.signin.user.admin", user
	return id, access
}

// exchange is one whole SRP exchange in memory, both sides: the claim it
// returns is what the server checks.
func (c *cryptoFixture) exchange() (*srp.Claim, error) {
	cl, err := srpclient.New(c.poolID)
	if err != nil {
		return nil, err
	}
	A, err := srp.ParseHex(cl.A())
	if err == nil {
		err = srp.CheckA(A)
	}
	if err != nil {
		return nil, err
	}
	secret, B, err := srp.NewServerKey(c.verifierB)
	if err != nil {
		return nil, err
	}
	ts, sig, err := cl.Respond(c.user, signInPassword, c.saltHex, srp.FormatHex(B), c.blockB64, time.Now())
	if err != nil {
		return nil, err
	}
	rawSig, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return nil, err
	}
	block, _ := base64.StdEncoding.DecodeString(c.blockB64)
	claim := &srp.Claim{PoolName: srp.PoolName(c.poolID), UserID: c.user, Verifier: c.verifierB, A: A,
		SecretB: secret, B: B, SecretBlock: block, Timestamp: ts, Signature: rawSig}
	if ok, err := srp.CheckClaim(claim); err != nil || !ok {
		return nil, fmt.Errorf("SRP claim does not check: %v", err)
	}
	return claim, nil
}

// verifier is the password check: the server recomputes the verifier.
func (c *cryptoFixture) verifier() error {
	if !srp.CheckPassword(srp.PoolName(c.poolID), c.user, signInPassword, c.salt, c.verifierB) {
		return errors.New("password does not check")
	}
	return nil
}

// signTokens signs an ID and an access token, as every sign-in and refresh.
func (c *cryptoFixture) signTokens() error {
	if _, err := tokens.Sign(c.key, c.idClaims); err != nil {
		return err
	}
	_, err := tokens.Sign(c.key, c.acClaims)
	return err
}

// passwordLogin is USER_PASSWORD_AUTH's cryptography.
func (c *cryptoFixture) passwordLogin() error {
	if err := c.verifier(); err != nil {
		return err
	}
	return c.signTokens()
}

// srpServer is the server's share of USER_SRP_AUTH: B for the challenge,
// the check of the answer and the tokens.
func (c *cryptoFixture) srpServer() error {
	if _, _, err := srp.NewServerKey(c.verifierB); err != nil {
		return err
	}
	if ok, err := srp.CheckClaim(c.claim); err != nil || !ok {
		return fmt.Errorf("SRP claim does not check: %v", err)
	}
	return c.signTokens()
}

// srpClient is the client's share: A, then the answer to a challenge.
func (c *cryptoFixture) srpClient() error {
	cl, err := srpclient.New(c.poolID)
	if err != nil {
		return err
	}
	_ = cl.A()
	_, _, err = cl.Respond(c.user, signInPassword, c.saltHex, c.bHex, c.blockB64, time.Now())
	return err
}

// srpLogin is all of USER_SRP_AUTH's cryptography, both sides.
func (c *cryptoFixture) srpLogin() error {
	if _, err := c.exchange(); err != nil {
		return err
	}
	return c.signTokens()
}

// verify is GetUser's cryptography: the access token's signature.
func (c *cryptoFixture) verify() error {
	pub := &c.key.Private.PublicKey
	_, err := tokens.Verify(c.accessToken, func(string) (*rsa.PublicKey, bool) { return pub, true }, time.Now())
	return err
}

// signInFixture is a pool whose client allows the benchmarked flows, with
// signInUsers confirmed users and, for each, a refresh and an access token.
type signInFixture struct {
	c                *cip.Client
	poolID, clientID string
	users            []string
	refresh, access  []string
}

func newSignInFixture(b *testing.B, s *cognatetest.Server) *signInFixture {
	b.Helper()
	ctx := context.Background()
	f := &signInFixture{c: benchClient(s, signInClients())}
	pool, err := s.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("signin")})
	if err != nil {
		b.Fatal(err)
	}
	f.poolID = *pool.UserPool.Id
	client, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		b.Fatal(err)
	}
	f.clientID = *client.UserPoolClient.ClientId
	for i := range signInUsers {
		name := fmt.Sprintf("user%03d", i)
		_, err := s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.poolID, Username: &name,
			MessageAction: types.MessageActionTypeSuppress, TemporaryPassword: aws.String(signInPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")},
				{Name: aws.String("email_verified"), Value: aws.String("true")}}})
		if err != nil {
			b.Fatal(err)
		}
		_, err = s.Client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &f.poolID, Username: &name,
			Password: aws.String(signInPassword), Permanent: true})
		if err != nil {
			b.Fatal(err)
		}
		// The first sign-in of the day also records it on the user; the
		// benchmarks measure the ones after it.
		res, err := f.password(name)
		if err != nil {
			b.Fatal(err)
		}
		f.users = append(f.users, name)
		f.refresh = append(f.refresh, *res.RefreshToken)
		f.access = append(f.access, *res.AccessToken)
	}
	return f
}

func (f *signInFixture) password(name string) (*types.AuthenticationResultType, error) {
	out, err := f.c.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: &f.clientID,
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": signInPassword}})
	if err != nil {
		return nil, err
	}
	if out.AuthenticationResult == nil {
		return nil, fmt.Errorf("challenge %q instead of tokens", out.ChallengeName)
	}
	return out.AuthenticationResult, nil
}

// srp signs in with USER_SRP_AUTH, both round trips, as the SDK's users do
// with a client such as Amplify's.
func (f *signInFixture) srp(name string) error {
	ctx := context.Background()
	cl, err := srpclient.New(f.poolID)
	if err != nil {
		return err
	}
	init, err := f.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.clientID, AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": name, "SRP_A": cl.A()}})
	if err != nil {
		return err
	}
	p := init.ChallengeParameters
	ts, sig, err := cl.Respond(p["USER_ID_FOR_SRP"], signInPassword, p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], time.Now())
	if err != nil {
		return err
	}
	out, err := f.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &f.clientID,
		ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: init.Session, ChallengeResponses: map[string]string{
			"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
			"PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}})
	if err != nil {
		return err
	}
	if out.AuthenticationResult == nil {
		return fmt.Errorf("challenge %q instead of tokens", out.ChallengeName)
	}
	return nil
}

// signIn runs the HTTP benchmarks on one backend.
func signIn(b *testing.B, backend cognatetest.Backend, c *cryptoFixture) {
	app := "cognate-bench-" + uuid.NewString()[:8]
	s := cognatetest.Start(b, backend, func(c *server.Config) {
		if c.DatabaseURL != "" {
			c.DatabaseURL = withParam(b, c.DatabaseURL, "application_name", app)
		}
	})
	// The server runs on as many Ps as 'cognate serve' gives it.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(server.Procs(s.Config)))
	m := &meter{}
	if backend == cognatetest.Postgres {
		m = newMeter(b, s.Config.DatabaseURL, app)
	}
	f := newSignInFixture(b, s)
	rt := roundTrip(f.c)
	ctx := context.Background()
	procs := runtime.GOMAXPROCS(0)
	var next atomic.Int64
	// turn is the next user's index: each is signed in in turn.
	turn := func() int { return int(next.Add(1) % signInUsers) }
	// run measures op, requests HTTP requests, against its floor (and SRP's
	// server share, and the round trip). The machine's speed changes within
	// a second, so the flow runs in slices, each followed by the floors for
	// a quarter of its time (at least 25 ms): the ratios compare flow and
	// floor over the same stretches of the machine's time.
	run := func(name string, requests int, floor, server, op func() error) {
		b.Run(fmt.Sprintf("%s/clients=%d", name, signInClients()), func(b *testing.B) {
			var flow usage
			var fl, srv, trip spinResult
			spinFor := func(r *spinResult, d time.Duration, n int, op func() error) {
				got, err := spin(d, n, op)
				if err != nil {
					b.Fatal(err)
				}
				r.add(got)
			}
			b.ResetTimer()
			per := max(1, (b.N+flowSlices-1)/flowSlices)
			for done := 0; done < b.N; done += per {
				start, began := m.read(), b.Elapsed()
				b.StartTimer()
				clients(b, signInClients(), min(per, b.N-done), op)
				b.StopTimer()
				flow.add(m.since(start))
				if profiling() {
					continue
				}
				d := max((b.Elapsed()-began)/4, 25*time.Millisecond)
				spinFor(&fl, d, procs, floor)
				if server != nil {
					spinFor(&srv, d, procs, server)
				}
				spinFor(&trip, d, signInClients(), rt)
			}
			rate := float64(b.N) / b.Elapsed().Seconds()
			flow.report(b, m, b.N, b.Elapsed())
			b.ReportMetric(float64(requests)*rate, "req/s")
			if name != "GetUser" {
				b.ReportMetric(rate, "signins/s")
			}
			if profiling() {
				return
			}
			b.ReportMetric(fl.rate(), "floor-ops/s")
			b.ReportMetric(100*fl.share(), "floor-%cpu")
			b.ReportMetric(100*rate/fl.rate(), "%floor")
			b.ReportMetric(100*fl.cpuPerOp().Seconds()/flow.total().Seconds()*float64(b.N), "%floor-cpu")
			if server != nil {
				b.ReportMetric(100*rate/srv.rate(), "%srv-floor")
			}
			// Both take the same cores: their times per op add.
			b.ReportMetric(100*rate*(1/fl.rate()+float64(requests)/trip.rate()), "%floor+rt")
		})
	}
	run("USER_PASSWORD_AUTH", 1, c.passwordLogin, nil, func() error {
		_, err := f.password(f.users[turn()])
		return err
	})
	run("USER_SRP_AUTH", 2, c.srpLogin, c.srpServer, func() error { return f.srp(f.users[turn()]) })
	run("REFRESH_TOKEN_AUTH", 1, c.signTokens, nil, func() error {
		out, err := f.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &f.clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": f.refresh[turn()]}})
		if err == nil && out.AuthenticationResult == nil {
			err = errors.New("refresh without tokens")
		}
		return err
	})
	run("GetUser", 1, c.verify, nil, func() error {
		_, err := f.c.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(f.access[turn()])})
		return err
	})
}

func withParam(b *testing.B, raw, name, value string) string {
	u, err := url.Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set(name, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// meter reads the CPU time this process has used and, on PostgreSQL, the
// database backends serving it (found by their application_name). A rate
// on a shared machine depends on what else runs there; CPU time per
// operation much less so.
type meter struct {
	conn *pgx.Conn
	app  string
}

func newMeter(b *testing.B, dbURL, app string) *meter {
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close(context.Background()) })
	return &meter{conn: conn, app: app}
}

// reading is the CPU time used so far by the process and by each backend.
type reading struct {
	self time.Duration
	db   map[int]time.Duration
}

func (m *meter) read() reading {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	r := reading{self: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), db: map[int]time.Duration{}}
	if m.conn == nil {
		return r
	}
	rows, err := m.conn.Query(context.Background(),
		"SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()", m.app)
	if err != nil {
		return r
	}
	pids, _ := pgx.CollectRows(rows, pgx.RowTo[int])
	for _, pid := range pids {
		r.db[pid] = procCPU(pid)
	}
	return r
}

// procCPU is the CPU time a process on this machine has used, from
// /proc/PID/stat (utime and stime, in clock ticks of 1/100 s).
func procCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command, which is in parentheses.
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// usage is CPU time used: by this process, and by the database backends
// serving it.
type usage struct{ self, db time.Duration }

func (u *usage) add(o usage) { u.self, u.db = u.self+o.self, u.db+o.db }

func (u usage) total() time.Duration { return u.self + u.db }

// since is the CPU time used since start. Backends that connected since
// start count from zero.
func (m *meter) since(start reading) usage {
	now := m.read()
	u := usage{self: now.self - start.self}
	for pid, t := range now.db {
		u.db += t - start.db[pid]
	}
	return u
}

// report reports the CPU time per op since start, the process's and the
// database's, and the share of the machine they took.
func (m *meter) report(b *testing.B, start reading) {
	m.since(start).report(b, m, b.N, b.Elapsed())
}

// report reports u as the CPU time of n ops that took elapsed: per op, the
// process's and the database's, and the share of the machine they took.
func (u usage) report(b *testing.B, m *meter, n int, elapsed time.Duration) {
	perOp := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 / float64(n) }
	b.ReportMetric(perOp(u.self), "cpu-ms/op")
	if m.conn != nil {
		b.ReportMetric(perOp(u.db), "db-cpu-ms/op")
	}
	b.ReportMetric(100*u.total().Seconds()/elapsed.Seconds()/float64(runtime.NumCPU()), "%cpu")
}
