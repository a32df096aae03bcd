package srp

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"cognate/internal/srp/srpclient"
)

// katCase is one exchange computed by amazon-cognito-identity-js itself
// (testdata/cognito-js.js); hex values are as BigInteger.toString(16) gives.
type katCase struct {
	Name        string `json:"name"`
	PoolID      string `json:"poolId"`
	UserID      string `json:"userId"`
	Password    string `json:"password"`
	Salt        string `json:"salt"`
	SmallA      string `json:"a"`
	SmallB      string `json:"b"`
	Verifier    string `json:"verifier"`
	A           string `json:"A"`
	B           string `json:"B"`
	U           string `json:"u"`
	K           string `json:"k"`
	SecretBlock string `json:"secretBlock"`
	Timestamp   string `json:"timestamp"`
	Signature   string `json:"signature"`
}

func mustParseHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := ParseHex(s)
	if err != nil {
		t.Fatalf("ParseHex(%q): %v", s, err)
	}
	return b
}

func hexNumber(t testing.TB, s string) *big.Int {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("bad hex %q", s)
	}
	return n
}

func TestKnownAnswers(t *testing.T) {
	raw, err := os.ReadFile("testdata/cognito-js.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []katCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if k.Cmp(hexNumber(t, c.K)) != 0 {
				t.Fatalf("k = %x, want %s", k, c.K)
			}
			poolName := PoolName(c.PoolID)
			v := Verifier(poolName, c.UserID, c.Password, mustParseHex(t, c.Salt))
			if new(big.Int).SetBytes(v).Cmp(hexNumber(t, c.Verifier)) != 0 {
				t.Fatalf("verifier = %x, want %s", v, c.Verifier)
			}
			b := mustParseHex(t, c.SmallB)
			B := publicB(new(big.Int).SetBytes(v), new(big.Int).SetBytes(b))
			if FormatHex(B) != FormatHex(mustParseHex(t, c.B)) {
				t.Fatalf("B = %x, want %s", B, c.B)
			}
			u := sha256.Sum256(append(padHex(mustParseHex(t, c.A)), padHex(B)...))
			if fmt.Sprintf("%x", u) != c.U {
				t.Fatalf("u = %x, want %s", u, c.U)
			}
			block, _ := base64.StdEncoding.DecodeString(c.SecretBlock)
			sig, _ := base64.StdEncoding.DecodeString(c.Signature)
			claim := &Claim{PoolName: poolName, UserID: c.UserID, Verifier: v, A: mustParseHex(t, c.A),
				SecretB: b, B: B, SecretBlock: block, Timestamp: c.Timestamp, Signature: sig}
			if ok, err := CheckClaim(claim); !ok || err != nil {
				t.Fatalf("CheckClaim = %v, %v", ok, err)
			}

			// The test client gives the same answers as the JS one.
			cl, err := srpclient.NewWithSecret(c.PoolID, mustParseHex(t, c.SmallA))
			if err != nil {
				t.Fatal(err)
			}
			if cl.A() != c.A {
				t.Fatalf("client A = %s, want %s", cl.A(), c.A)
			}
			now, err := ParseTimestamp(c.Timestamp)
			if err != nil {
				t.Fatal(err)
			}
			ts, sigB64, err := cl.Respond(c.UserID, c.Password, c.Salt, c.B, c.SecretBlock, now)
			if err != nil || ts != c.Timestamp || sigB64 != c.Signature {
				t.Fatalf("client = %q, %q, %v; want %q, %q", ts, sigB64, err, c.Timestamp, c.Signature)
			}
		})
	}
}

// exchange runs a whole sign-in between the test client and the server
// functions and returns the claim the server checks.
func exchange(t testing.TB, cl *srpclient.Client, poolID, user, password string, salt []byte, secretBlock []byte, now time.Time) *Claim {
	t.Helper()
	poolName := PoolName(poolID)
	v := Verifier(poolName, user, password, salt)
	b, B, err := NewServerKey(v)
	if err != nil {
		t.Fatal(err)
	}
	A, err := ParseHex(cl.A())
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckA(A); err != nil {
		t.Fatal(err)
	}
	ts, sig, err := cl.Respond(user, password, FormatHex(salt), FormatHex(B), base64.StdEncoding.EncodeToString(secretBlock), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseTimestamp(ts); err != nil {
		t.Fatal(err)
	}
	sigBytes, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		t.Fatal(err)
	}
	return &Claim{PoolName: poolName, UserID: user, Verifier: v, A: A, SecretB: b, B: B,
		SecretBlock: secretBlock, Timestamp: ts, Signature: sigBytes}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func randomString(r []byte) string {
	alphabet := []rune("aZ09 :_-@.+ïü密码🔑\u00a0\u200d\"\\")
	var sb strings.Builder
	for _, c := range r {
		sb.WriteRune(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}

func TestRoundTrip(t *testing.T) {
	salts := [][]byte{
		{}, {0}, {0, 0}, {0x80}, {0x7f}, {0, 0x80, 1}, {0, 0, 0x7f, 0xff},
		bytes.Repeat([]byte{0xff}, 16), append([]byte{0}, randomBytes(15)...),
	}
	n := 40
	if testing.Short() {
		n = 8
	}
	for i := range n {
		salt := NewSalt()
		if i < len(salts) {
			salt = salts[i]
		}
		user := randomString(randomBytes(1 + i%20))
		password := randomString(randomBytes(i % 70))
		poolID := "us-east-1_" + strings.Repeat("Ab9", 1+i%5)
		cl, err := srpclient.New(poolID)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 97 * time.Hour)
		c := exchange(t, cl, poolID, user, password, salt, randomBytes(i%300), now)
		if ok, err := CheckClaim(c); !ok || err != nil {
			t.Fatalf("%d: user %q password %q salt %x: CheckClaim = %v, %v", i, user, password, salt, ok, err)
		}
	}
}

// TestPaddingEdges drives A, B and u through values with a leading zero byte
// or the high bit set, where padHex matters.
func TestPaddingEdges(t *testing.T) {
	const poolID = "eu-central-1_Edge"
	poolName := PoolName(poolID)
	v := Verifier(poolName, "edge", "pw", []byte{0x80})
	// Small secrets a give A = 2^a: 0x80 (padded with 00), 0x0100, a
	// 383-byte 0x01.., and a 384-byte 0x80...
	for _, a := range []int64{7, 8, 3064, 3071} {
		cl, err := srpclient.NewWithSecret(poolID, big.NewInt(a).Bytes())
		if err != nil {
			t.Fatal(err)
		}
		c := exchange(t, cl, poolID, "edge", "pw", []byte{0x80}, []byte("block"), time.Unix(0, 0))
		if ok, err := CheckClaim(c); !ok || err != nil {
			t.Fatalf("a = %d: CheckClaim = %v, %v", a, ok, err)
		}
	}
	cl, err := srpclient.New(poolID)
	if err != nil {
		t.Fatal(err)
	}
	A := mustParseHex(t, cl.A())
	found := map[string]bool{}
	for i := 0; i < 20000 && len(found) < 3; i++ {
		b, B, err := NewServerKey(v)
		if err != nil {
			t.Fatal(err)
		}
		u := sha256.Sum256(append(padHex(A), padHex(B)...))
		var kind string
		switch {
		case len(B) < 384 && !found["short B"]:
			kind = "short B"
		case B[0]&0x80 != 0 && !found["high B"]:
			kind = "high B"
		case u[0] == 0 && u[1] < 0x80 && !found["short u"]:
			kind = "short u"
		default:
			continue
		}
		found[kind] = true
		ts, sig, err := cl.Respond("edge", "pw", FormatHex([]byte{0x80}), FormatHex(B), "YmxvY2s=", time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		sigBytes, _ := base64.StdEncoding.DecodeString(sig)
		c := &Claim{PoolName: poolName, UserID: "edge", Verifier: v, A: A, SecretB: b, B: B,
			SecretBlock: []byte("block"), Timestamp: ts, Signature: sigBytes}
		if ok, err := CheckClaim(c); !ok || err != nil {
			t.Fatalf("%s: CheckClaim = %v, %v", kind, ok, err)
		}
	}
	if len(found) < 3 {
		t.Fatalf("found only %v", found)
	}
}

func TestCheckClaimRejects(t *testing.T) {
	const poolID = "us-west-2_Reject1"
	cl, err := srpclient.New(poolID)
	if err != nil {
		t.Fatal(err)
	}
	good := exchange(t, cl, poolID, "carol", "correct horse", NewSalt(), []byte("secret block"), time.Now())
	if ok, err := CheckClaim(good); !ok || err != nil {
		t.Fatalf("good claim: %v, %v", ok, err)
	}
	other := Verifier(good.PoolName, "carol", "wrong horse", NewSalt())
	otherB, _, _ := NewServerKey(good.Verifier)
	nBytes := N.Bytes()
	twoN := new(big.Int).Lsh(N, 1).Bytes()
	nPlus := new(big.Int).Add(N, big.NewInt(1)).Bytes()

	for _, tc := range []struct {
		name   string
		change func(c *Claim)
		err    error
	}{
		{"wrong password", func(c *Claim) { c.Verifier = other }, nil},
		{"wrong user", func(c *Claim) { c.UserID = "Carol" }, nil},
		{"wrong pool", func(c *Claim) { c.PoolName = "Reject2" }, nil},
		{"wrong secret block", func(c *Claim) { c.SecretBlock = []byte("secret blocK") }, nil},
		{"no secret block", func(c *Claim) { c.SecretBlock = nil }, nil},
		{"wrong timestamp", func(c *Claim) { c.Timestamp = FormatTimestamp(time.Now().Add(time.Hour)) }, nil},
		{"padded timestamp", func(c *Claim) { c.Timestamp = strings.Replace(c.Timestamp, " ", "  ", 1) }, nil},
		{"wrong b", func(c *Claim) { c.SecretB = otherB }, nil},
		{"wrong B", func(c *Claim) { c.B = append([]byte{}, c.B...); c.B[len(c.B)-1] ^= 1 }, nil},
		{"truncated signature", func(c *Claim) { c.Signature = c.Signature[:31] }, nil},
		{"flipped signature", func(c *Claim) { c.Signature = append([]byte{}, c.Signature...); c.Signature[0] ^= 0x80 }, nil},
		{"no signature", func(c *Claim) { c.Signature = nil }, nil},
		{"A = 1", func(c *Claim) { c.A = []byte{1} }, nil},
		{"A = N + 1", func(c *Claim) { c.A = nPlus }, nil},
		{"A = 0", func(c *Claim) { c.A = []byte{0} }, ErrInvalidA},
		{"A empty", func(c *Claim) { c.A = nil }, ErrInvalidA},
		{"A = N", func(c *Claim) { c.A = nBytes }, ErrInvalidA},
		{"A = 2N", func(c *Claim) { c.A = twoN }, ErrInvalidA},
		{"A too long", func(c *Claim) { c.A = append(make([]byte, 600), 1) }, ErrMalformed},
		{"verifier empty", func(c *Claim) { c.Verifier = nil }, ErrMalformed},
		{"verifier = N", func(c *Claim) { c.Verifier = nBytes }, ErrMalformed},
		{"B = 0", func(c *Claim) { c.B = []byte{0} }, ErrMalformed},
		{"B = N", func(c *Claim) { c.B = nBytes }, ErrMalformed},
		{"b empty", func(c *Claim) { c.SecretB = nil }, ErrMalformed},
		{"b too long", func(c *Claim) { c.SecretB = make([]byte, SecretSize+1); c.SecretB[0] = 1 }, ErrMalformed},
	} {
		c := *good
		tc.change(&c)
		ok, err := CheckClaim(&c)
		if ok || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("%s: CheckClaim = %v, %v; want false, %v", tc.name, ok, err, tc.err)
		}
	}
	if ok, err := CheckClaim(good); !ok || err != nil {
		t.Fatalf("the good claim was changed: %v, %v", ok, err)
	}
}

func TestNewServerKey(t *testing.T) {
	v := Verifier("p", "u", "pw", NewSalt())
	b1, B1, err := NewServerKey(v)
	if err != nil {
		t.Fatal(err)
	}
	b2, B2, _ := NewServerKey(v)
	if len(b1) != SecretSize || bytes.Equal(b1, b2) || bytes.Equal(B1, B2) {
		t.Fatal("server keys are not fresh")
	}
	// B = k·v + g^b mod N, by math/big alone.
	want := new(big.Int).Mul(k, new(big.Int).SetBytes(v))
	want.Add(want, new(big.Int).Exp(G, new(big.Int).SetBytes(b1), N)).Mod(want, N)
	if want.Cmp(new(big.Int).SetBytes(B1)) != 0 {
		t.Fatal("B is not k·v + g^b")
	}
	for _, bad := range [][]byte{nil, {0}, N.Bytes(), new(big.Int).Add(N, big.NewInt(5)).Bytes()} {
		if _, _, err := NewServerKey(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("NewServerKey(%x): %v", bad, err)
		}
	}
	if publicB(big.NewInt(1), big.NewInt(0)) != nil {
		t.Error("b = 0 is accepted")
	}
	// A verifier with k·v = -g mod N would make B zero for b = 1.
	bad := new(big.Int).ModInverse(k, N)
	bad.Mul(bad, big.NewInt(-2)).Mod(bad, N)
	if publicB(bad, big.NewInt(1)) != nil {
		t.Error("zero B is accepted")
	}
	if publicB(bad, big.NewInt(2)) == nil {
		t.Error("B for b = 2 is refused")
	}
}

func TestCheckA(t *testing.T) {
	for _, tc := range []struct {
		a   []byte
		err error
	}{
		{nil, ErrInvalidA}, {[]byte{0, 0}, ErrInvalidA}, {N.Bytes(), ErrInvalidA},
		{new(big.Int).Mul(N, big.NewInt(3)).Bytes(), ErrInvalidA},
		{[]byte{1}, nil}, {new(big.Int).Sub(N, big.NewInt(1)).Bytes(), nil},
		{make([]byte, MaxHexLen/2+1), ErrMalformed},
	} {
		if err := CheckA(tc.a); err != tc.err {
			t.Errorf("CheckA(%x) = %v, want %v", tc.a, err, tc.err)
		}
	}
}

func TestParseHex(t *testing.T) {
	for s, want := range map[string][]byte{
		"0": {0}, "00": {0}, "f": {0xf}, "F": {0xf}, "abc": {0xa, 0xbc}, "ABcd": {0xab, 0xcd},
		"0080": {0, 0x80}, "123456789abcdef": {1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef},
		strings.Repeat("f", MaxHexLen): bytes.Repeat([]byte{0xff}, MaxHexLen/2),
	} {
		got, err := ParseHex(s)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("ParseHex(%q) = %x, %v; want %x", s, got, err, want)
		}
	}
	for _, s := range []string{
		"", "0x12", "-12", "+12", " 12", "12 ", "1 2", "g", "12z", "é", "\x00", "1_2",
		strings.Repeat("0", MaxHexLen+1),
	} {
		if got, err := ParseHex(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseHex(%q) = %x, %v", s, got, err)
		}
	}
}

func TestFormatHex(t *testing.T) {
	for _, tc := range []struct {
		b    []byte
		want string
	}{
		{nil, "00"}, {[]byte{0, 0}, "00"}, {[]byte{0xab, 0xcd}, "abcd"}, {[]byte{0, 0, 1}, "01"},
		{[]byte{0, 0x80, 0}, "8000"}, {[]byte{0xf}, "0f"},
	} {
		if got := FormatHex(tc.b); got != tc.want {
			t.Errorf("FormatHex(%x) = %q, want %q", tc.b, got, tc.want)
		}
	}
}

func TestTimestamp(t *testing.T) {
	at := time.Date(2026, 12, 1, 20, 5, 9, 0, time.UTC)
	if got := FormatTimestamp(at); got != "Tue Dec 1 20:05:09 UTC 2026" {
		t.Errorf("FormatTimestamp = %q", got)
	}
	if got := FormatTimestamp(at.In(time.FixedZone("X", -5*3600))); got != "Tue Dec 1 20:05:09 UTC 2026" {
		t.Errorf("FormatTimestamp in another zone = %q", got)
	}
	if got := FormatTimestamp(time.Date(2027, 1, 31, 3, 4, 5, 0, time.UTC)); got != "Sun Jan 31 03:04:05 UTC 2027" {
		t.Errorf("FormatTimestamp = %q", got)
	}
	for _, s := range []string{"Tue Dec 1 20:05:09 UTC 2026", "Tue Dec 01 20:05:09 UTC 2026"} {
		got, err := ParseTimestamp(s)
		if err != nil || !got.Equal(at) || got.Location() != time.UTC {
			t.Errorf("ParseTimestamp(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{
		"", "Tue Dec 1 20:05:09 GMT 2026", "Tue Dec 1 20:05:09 2026", "2026-12-01T20:05:09Z",
		"Tue Dec 32 20:05:09 UTC 2026", "Tue Dec 1 24:05:09 UTC 2026", "Tue Dec 001 20:05:09 UTC 2026",
		"Tue Dec 1 20:05:09 UTC 2026 ", "Xyz Dec 1 20:05:09 UTC 2026", "Tue Dec 1 20:5:09 UTC 2026",
	} {
		if got, err := ParseTimestamp(s); err == nil {
			t.Errorf("ParseTimestamp(%q) = %v", s, got)
		}
	}
	// The test client's own formatting, and the server's, agree.
	cl, err := srpclient.New("us-east-1_T")
	if err != nil {
		t.Fatal(err)
	}
	v := Verifier("T", "u", "p", []byte{1})
	_, B, _ := NewServerKey(v)
	for i := range 40 {
		now := time.Unix(int64(i)*86400*17+int64(i)*3607, 0)
		ts, _, err := cl.Respond("u", "p", "01", FormatHex(B), "", now)
		if err != nil || ts != FormatTimestamp(now) {
			t.Fatalf("client %q, server %q, %v", ts, FormatTimestamp(now), err)
		}
		if got, err := ParseTimestamp(ts); err != nil || !got.Equal(now) {
			t.Fatalf("ParseTimestamp(%q) = %v, %v", ts, got, err)
		}
	}
}

func FuzzParseHex(f *testing.F) {
	for _, s := range []string{"", "0", "abc", "ABCDEF0123", "0x1", "zz", "-1", strings.Repeat("9", MaxHexLen)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseHex(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) || b != nil {
				t.Fatalf("ParseHex(%q) = %x, %v", s, b, err)
			}
			return
		}
		want, ok := new(big.Int).SetString(s, 16)
		if !ok || strings.ContainsAny(s, "_+-xX") || len(s) > MaxHexLen || len(b) != (len(s)+1)/2 {
			t.Fatalf("ParseHex(%q) = %x, but it is not hex", s, b)
		}
		if new(big.Int).SetBytes(b).Cmp(want) != 0 {
			t.Fatalf("ParseHex(%q) = %x", s, b)
		}
		back, err := ParseHex(FormatHex(b))
		if err != nil || new(big.Int).SetBytes(back).Cmp(want) != 0 {
			t.Fatalf("FormatHex(%x) = %q does not parse back", b, FormatHex(b))
		}
	})
}

func FuzzCheckClaim(f *testing.F) {
	const poolID = "us-east-1_Fuzz"
	cl, err := srpclient.New(poolID)
	if err != nil {
		f.Fatal(err)
	}
	c := exchange(f, cl, poolID, "fuzz", "pw", []byte{0x80, 1}, []byte("block"), time.Unix(1e9, 0))
	add := func(A, b, B, v []byte) {
		f.Add(c.UserID, A, b, B, v, c.SecretBlock, c.Timestamp, c.Signature)
	}
	add(c.A, c.SecretB, c.B, c.Verifier)
	add(c.A, nil, nil, nil)
	add([]byte{}, c.SecretB, c.B, c.Verifier)
	add(N.Bytes(), c.SecretB, c.B, c.Verifier)
	add(c.A, []byte{0}, c.B, c.Verifier)
	add(c.A, c.SecretB, []byte{1}, []byte{1})
	add([]byte{1}, []byte{1}, []byte{1}, []byte{1})
	f.Fuzz(func(t *testing.T, user string, A, b, B, v, block []byte, ts string, sig []byte) {
		// Empty server state stands for the genuine one, so that the
		// fuzzer reaches the arithmetic with the client's values.
		if len(b) == 0 {
			b = c.SecretB
		}
		if len(B) == 0 {
			B = c.B
		}
		if len(v) == 0 {
			v = c.Verifier
		}
		claim := &Claim{PoolName: c.PoolName, UserID: user, Verifier: v, A: A, SecretB: b, B: B,
			SecretBlock: block, Timestamp: ts, Signature: sig}
		ok, err := CheckClaim(claim)
		if err != nil && err != ErrInvalidA && err != ErrMalformed {
			t.Fatalf("CheckClaim: unexpected error %v", err)
		}
		if ok && err != nil {
			t.Fatal("valid with an error")
		}
		same := user == c.UserID && bytes.Equal(A, c.A) && bytes.Equal(b, c.SecretB) && bytes.Equal(B, c.B) &&
			bytes.Equal(v, c.Verifier) && bytes.Equal(block, c.SecretBlock) && ts == c.Timestamp && bytes.Equal(sig, c.Signature)
		if same && !ok {
			t.Fatal("the genuine claim fails")
		}
	})
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"Tue Dec 1 20:05:09 UTC 2026", "Tue Dec 01 20:05:09 UTC 2026", "", "Mon Jan 2 15:04:05 MST 2006"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, err := ParseTimestamp(s)
		if err != nil {
			return
		}
		back, err := ParseTimestamp(FormatTimestamp(at))
		if err != nil || !back.Equal(at) {
			t.Fatalf("%q: %v does not round-trip: %v, %v", s, at, back, err)
		}
	})
}
