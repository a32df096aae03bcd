package outbox_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"cognate/internal/store"
	"cognate/internal/store/postgres"
	"cognate/internal/store/postgres/pgtest"
	"cognate/internal/store/sqlite"
)

const poolID = "us-east-1_outbox"

// clock is a settable clock, to the millisecond as the stores keep times.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func openSQLite(t testing.TB, path string) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func openPostgres(t testing.TB, url string) store.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newStore opens a SQLite store in a temporary directory with one pool.
func newStore(t testing.TB) store.Store {
	t.Helper()
	st := openSQLite(t, filepath.Join(t.TempDir(), "cognate.db"))
	createPool(t, st)
	return st
}

// onTwoNodes runs f, for SQLite and (when it answers) PostgreSQL, with two
// stores on one database, as two nodes of a deployment have.
func onTwoNodes(t *testing.T, f func(t *testing.T, a, b store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "cognate.db")
		a := openSQLite(t, file)
		createPool(t, a)
		f(t, a, openSQLite(t, file))
	})
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.URL(t)
		a := openPostgres(t, url)
		createPool(t, a)
		f(t, a, openPostgres(t, url))
	})
}

func createPool(t testing.TB, st store.Store) {
	t.Helper()
	err := st.Update(context.Background(), func(tx store.Tx) error {
		now := time.Now()
		return tx.CreateUserPool(context.Background(), store.UserPool{ID: poolID, Name: "outbox", CreatedAt: now, UpdatedAt: now, Config: []byte(`{}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
}

var seq struct {
	sync.Mutex
	n int
}

// email returns a pending email to alice, due at now.
func email(now time.Time) store.Message {
	seq.Lock()
	seq.n++
	n := seq.n
	seq.Unlock()
	return store.Message{
		ID: fmt.Sprintf("0190aaaa-0000-7000-8000-%012d", n), PoolID: poolID, UserKey: "alice", CreatedAt: now,
		Kind: "verification", Medium: "EMAIL", Destination: "alice@example.com",
		Subject: "Your verification code", Body: "Your verification code is 123456.", Code: "123456",
		Status: "pending", NextAttempt: now,
	}
}

func sms(now time.Time) store.Message {
	m := email(now)
	m.Medium, m.Destination, m.Subject = "SMS", "+15555550100", ""
	return m
}

func enqueue(t testing.TB, st store.Store, msgs ...store.Message) {
	t.Helper()
	err := st.Update(context.Background(), func(tx store.Tx) error {
		for _, m := range msgs {
			if err := tx.EnqueueMessage(context.Background(), m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// stored reads a message back from the store.
func stored(t testing.TB, st store.Store, m store.Message) store.Message {
	t.Helper()
	msgs, err := st.ListMessages(context.Background(), m.PoolID, m.UserKey, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, cur := range msgs {
		if cur.ID == m.ID {
			return cur
		}
	}
	t.Fatalf("message %s is not in the outbox", m.ID)
	return store.Message{}
}

// selfSigned returns a server certificate for 127.0.0.1 and localhost, and a
// pool that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "cognate test SMTP"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, roots
}

// received is one message as the SMTP server got it.
type received struct {
	From string
	To   []string
	Data []byte
	User string // who authenticated ("" if nobody)
	TLS  bool   // whether the connection was encrypted
}

// mailServer is the receiving side: a real SMTP server on 127.0.0.1.
type mailServer struct {
	Addr string
	Host string
	Port int

	// Settings, fixed before the first connection.
	Users     map[string]string // required credentials (nil: no AUTH)
	TLSConfig *tls.Config       // offered with STARTTLS, or from the start with Implicit
	Implicit  bool
	// Reject refuses RCPT TO of an address with the error.
	Reject map[string]*smtp.SMTPError

	mu       sync.Mutex
	messages []received
	srv      *smtp.Server
}

// startMailServer listens on addr ("127.0.0.1:0" for any port).
func startMailServer(t testing.TB, addr string, configure func(*mailServer)) *mailServer {
	t.Helper()
	m := &mailServer{}
	if configure != nil {
		configure(m)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if m.Implicit {
		ln = tls.NewListener(ln, m.TLSConfig)
	}
	m.Addr = ln.Addr().String()
	host, port, _ := net.SplitHostPort(m.Addr)
	m.Host = host
	fmt.Sscan(port, &m.Port)

	m.srv = smtp.NewServer(smtp.BackendFunc(m.newSession))
	m.srv.Domain = "localhost"
	m.srv.ReadTimeout, m.srv.WriteTimeout = 10*time.Second, 10*time.Second
	m.srv.ErrorLog = quietLog{}
	if !m.Implicit {
		m.srv.TLSConfig = m.TLSConfig
	}
	go m.srv.Serve(ln)
	t.Cleanup(m.Close)
	return m
}

func (m *mailServer) Close() { m.srv.Close() }

func (m *mailServer) Messages() []received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]received(nil), m.messages...)
}

func (m *mailServer) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{srv: m, conn: c}, nil
}

type session struct {
	srv  *mailServer
	conn *smtp.Conn
	user string
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string {
	if s.srv.Users == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if want, ok := s.srv.Users[username]; !ok || want != password {
			return smtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.Users != nil && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := s.srv.Reject[to]; err != nil {
		return err
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	s.srv.messages = append(s.srv.messages, received{From: s.from, To: s.to, Data: data, User: s.user, TLS: isTLS})
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

type quietLog struct{}

func (quietLog) Printf(string, ...any) {}
func (quietLog) Println(...any)        {}

// closedPort returns an address on 127.0.0.1 where nothing listens, so that
// connections are refused, until a server is started there.
func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func splitAddr(t testing.TB, addr string) (string, int) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	fmt.Sscan(port, &n)
	return host, n
}

// listenSilently returns an address that accepts connections and never
// says anything.
func listenSilently(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}
