package srp

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"math/big"
	"strings"
	"time"
)

var (
	// ErrInvalidA is a client public value A that is zero modulo N (or that
	// makes u zero), which would make the session key independent of the
	// password: a bad parameter, to be told apart from a wrong password.
	ErrInvalidA = errors.New("srp: SRP_A is zero modulo N")
	// ErrMalformed is a value that cannot be what it claims to be: bad hex,
	// or server state (verifier, b, B) outside the group.
	ErrMalformed = errors.New("srp: malformed value")
)

// SecretSize is the size of the server's secret b: 256 bits, the security
// level of the 3072-bit group, keeps g^b cheap without weakening it.
const SecretSize = 32

// MaxHexLen bounds a hex value on the wire: a 3072-bit number is 768 digits,
// and anything much longer only costs arithmetic.
const MaxHexLen = 1024

// info is HKDF's info string, fixed by Cognito.
const info = "Caldera Derived Key"

// k = H(padHex(N) | padHex(g)), the multiplier of SRP-6a.
var k = func() *big.Int {
	h := sha256.New()
	h.Write(padHex(N.Bytes()))
	h.Write(padHex(G.Bytes()))
	return new(big.Int).SetBytes(h.Sum(nil))
}()

// NewServerKey returns a random secret b and the public value
// B = (k·v + g^b) mod N that a PASSWORD_VERIFIER challenge sends as SRP_B.
// The caller keeps b (and B) until the challenge is answered.
func NewServerKey(verifier []byte) (b, B []byte, err error) {
	v, ok := groupElement(verifier)
	if !ok {
		return nil, nil, ErrMalformed
	}
	for {
		b = make([]byte, SecretSize)
		rand.Read(b)
		if B = publicB(v, new(big.Int).SetBytes(b)); B != nil {
			return b, B, nil
		}
	}
}

// publicB returns (k·v + g^b) mod N, or nil when b is zero or B would be
// zero mod N, which a client must refuse.
func publicB(v, b *big.Int) []byte {
	if b.Sign() == 0 {
		return nil
	}
	B := new(big.Int).Mul(k, v)
	B.Add(B, gExp(b))
	if B.Mod(B, N).Sign() == 0 {
		return nil
	}
	return B.Bytes()
}

// Claim is a PASSWORD_VERIFIER answer together with the server state it is
// checked against. The salt plays no part: only the client needs it for x.
type Claim struct {
	PoolName    string // the pool ID after "_"
	UserID      string // USER_ID_FOR_SRP, as sent in the challenge
	Verifier    []byte // g^x mod N, big-endian
	A           []byte // SRP_A, from the client
	SecretB     []byte // b, from NewServerKey
	B           []byte // SRP_B, from NewServerKey
	SecretBlock []byte // PASSWORD_CLAIM_SECRET_BLOCK, base64-decoded
	Timestamp   string // TIMESTAMP, exactly as the client sent and signed it
	Signature   []byte // PASSWORD_CLAIM_SIGNATURE, base64-decoded
}

// CheckClaim reports whether c's signature is the one only a client that
// knows the password can compute. It returns ErrInvalidA for an A that must
// be refused, ErrMalformed for server state outside the group, and false
// without an error for a wrong password (or any other wrong input).
func CheckClaim(c *Claim) (bool, error) {
	if err := CheckA(c.A); err != nil {
		return false, err
	}
	v, okV := groupElement(c.Verifier)
	_, okB := groupElement(c.B)
	b := new(big.Int).SetBytes(c.SecretB)
	if !okV || !okB || b.Sign() == 0 || len(c.SecretB) > SecretSize {
		return false, ErrMalformed
	}
	// u = H(padHex(A) | padHex(B)), of A as the client sent it.
	hu := sha256.New()
	hu.Write(padHex(c.A))
	hu.Write(padHex(c.B))
	u := new(big.Int).SetBytes(hu.Sum(nil))
	if u.Sign() == 0 {
		return false, ErrInvalidA
	}

	// S = (A · v^u)^b mod N.
	a := new(big.Int).SetBytes(c.A)
	if a.Cmp(N) >= 0 {
		a.Mod(a, N)
	}
	s := new(big.Int).Exp(v, u, N)
	mulMod(s, s, a)
	s.Exp(s, b, N)

	// K = HKDF(ikm padHex(S), salt padHex(u)): u as a number, so a hash
	// that starts with a zero byte loses it, as in Amplify and the Java SDK
	// (amazon-cognito-identity-js before its padHex rewrite kept it).
	// Sixteen bytes of HKDF are the single HMAC round the clients compute.
	key, err := hkdf.Key(sha256.New, padHex(s.Bytes()), padHex(u.Bytes()), info, 16)
	if err != nil {
		return false, err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(c.PoolName))
	mac.Write([]byte(c.UserID))
	mac.Write(c.SecretBlock)
	mac.Write([]byte(c.Timestamp))
	return hmac.Equal(mac.Sum(nil), c.Signature), nil
}

// CheckA returns ErrInvalidA when the client's public value is zero modulo
// N, so that an InitiateAuth can refuse it before issuing a challenge, and
// ErrMalformed when it is longer than any hex value accepted on the wire.
func CheckA(A []byte) error {
	if len(A) > MaxHexLen/2 {
		return ErrMalformed
	}
	a := new(big.Int).SetBytes(A)
	if a.Cmp(N) >= 0 {
		a.Mod(a, N)
	}
	if a.Sign() == 0 {
		return ErrInvalidA
	}
	return nil
}

// groupElement parses a big-endian value that must lie in 1..N-1.
func groupElement(b []byte) (*big.Int, bool) {
	x := new(big.Int).SetBytes(b)
	return x, x.Sign() > 0 && x.Cmp(N) < 0
}

// ParseHex decodes a hex value from the wire (SRP_A). Clients send a
// number's hex digits in either case and of either parity, so an odd length
// is read as having a leading zero; anything else that is not hex, the empty
// string, and values longer than MaxHexLen digits are ErrMalformed.
func ParseHex(s string) ([]byte, error) {
	if len(s) == 0 || len(s) > MaxHexLen {
		return nil, ErrMalformed
	}
	out := make([]byte, (len(s)+1)/2)
	odd := len(s) % 2
	for i := range len(s) {
		n, ok := nibble(s[i])
		if !ok {
			return nil, ErrMalformed
		}
		if (i+odd)%2 == 0 {
			out[(i+odd)/2] = n << 4
		} else {
			out[(i+odd)/2] |= n
		}
	}
	return out, nil
}

func nibble(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// FormatHex encodes a big-endian number for the wire (SRP_B, SALT) in
// lowercase hex without leading zero bytes, as the number it is: clients
// parse it as a number, and those that hash the digits they were given
// would otherwise disagree about a leading zero byte. The length stays even
// for clients that decode it to bytes; zero is "00".
func FormatHex(b []byte) string {
	i := 0
	for i < len(b)-1 && b[i] == 0 {
		i++
	}
	b = b[i:]
	if len(b) == 0 {
		return "00"
	}
	const digits = "0123456789abcdef"
	var sb strings.Builder
	sb.Grow(2 * len(b))
	for _, c := range b {
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&0xf])
	}
	return sb.String()
}

// timestampLayout is the TIMESTAMP of amazon-cognito-identity-js: the day of
// the month is not padded. Go's parser reads "2" as one or two digits, so a
// zero-padded day (some other clients) parses too.
const timestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

// FormatTimestamp formats t as a Cognito client's TIMESTAMP.
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format(timestampLayout)
}

// ParseTimestamp parses a TIMESTAMP, with the day of the month padded or
// not, so that the server can refuse a claim signed too far from its clock.
// The weekday must be a weekday name but, as with Go's parser, need not
// match the date.
func ParseTimestamp(s string) (time.Time, error) {
	return time.Parse(timestampLayout, s)
}
