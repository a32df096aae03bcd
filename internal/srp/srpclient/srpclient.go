// Package srpclient is a Cognito USER_SRP_AUTH client for tests. It follows
// amazon-cognito-identity-js (AuthenticationHelper, CognitoUser and
// DateHelper) step by step, with hex strings where that code has them and
// none of package srp's code, so that the server is never checked against
// itself.
package srpclient

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// initN is the RFC 5054 3072-bit prime, as AuthenticationHelper spells it.
const initN = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

var (
	bigN = mustHex(initN)
	bigG = mustHex("2")
	bigK = mustHex(hexHash(padHex(bigN) + padHex(bigG)))
)

// Client is one sign-in attempt: the random a and A = g^a mod N.
type Client struct {
	poolName string
	a, bigA  *big.Int
}

// New returns a client for the pool with a fresh 128-byte a, as
// generateRandomSmallA draws it.
func New(poolID string) (*Client, error) {
	a := make([]byte, 128)
	rand.Read(a)
	return NewWithSecret(poolID, a)
}

// NewWithSecret returns a client with the given big-endian a, for
// known-answer tests.
func NewWithSecret(poolID string, a []byte) (*Client, error) {
	parts := strings.Split(poolID, "_")
	if len(parts) < 2 || parts[1] == "" {
		return nil, fmt.Errorf("srpclient: invalid pool ID %q", poolID)
	}
	c := &Client{poolName: parts[1], a: new(big.Int).SetBytes(a)}
	c.bigA = new(big.Int).Exp(bigG, c.a, bigN)
	if new(big.Int).Mod(c.bigA, bigN).Sign() == 0 {
		return nil, errors.New("srpclient: illegal parameter, A mod N cannot be 0")
	}
	return c, nil
}

// A is SRP_A for InitiateAuth: A.toString(16).
func (c *Client) A() string { return c.bigA.Text(16) }

// Respond answers a PASSWORD_VERIFIER challenge as CognitoUser does, with
// now as the client's clock: it returns TIMESTAMP and
// PASSWORD_CLAIM_SIGNATURE.
func (c *Client) Respond(userIDForSRP, password, saltHex, srpBHex, secretBlockB64 string, now time.Time) (timestamp, signature string, err error) {
	serverB, err := parseHex(srpBHex)
	if err != nil {
		return "", "", fmt.Errorf("srpclient: SRP_B: %w", err)
	}
	salt, err := parseHex(saltHex)
	if err != nil {
		return "", "", fmt.Errorf("srpclient: SALT: %w", err)
	}
	secretBlock, err := base64.StdEncoding.DecodeString(secretBlockB64)
	if err != nil {
		return "", "", fmt.Errorf("srpclient: SECRET_BLOCK: %w", err)
	}
	hkdf, err := c.passwordAuthenticationKey(userIDForSRP, password, serverB, salt)
	if err != nil {
		return "", "", err
	}
	timestamp = nowString(now)
	mac := hmac.New(sha256.New, hkdf)
	mac.Write([]byte(c.poolName))
	mac.Write([]byte(userIDForSRP))
	mac.Write(secretBlock)
	mac.Write([]byte(timestamp))
	return timestamp, base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// passwordAuthenticationKey is getPasswordAuthenticationKey.
func (c *Client) passwordAuthenticationKey(username, password string, serverB, salt *big.Int) ([]byte, error) {
	if new(big.Int).Mod(serverB, bigN).Sign() == 0 {
		return nil, errors.New("srpclient: B cannot be zero")
	}
	u := mustHex(hexHash(padHex(c.bigA) + padHex(serverB)))
	if u.Sign() == 0 {
		return nil, errors.New("srpclient: U cannot be zero")
	}
	usernamePasswordHash := hash([]byte(c.poolName + username + ":" + password))
	x := mustHex(hexHash(padHex(salt) + usernamePasswordHash))

	// S = (B - k·g^x)^(a + u·x) mod N; Go's Exp, like jsbn's modPow,
	// takes a negative base modulo N.
	gx := new(big.Int).Exp(bigG, x, bigN)
	base := new(big.Int).Sub(serverB, new(big.Int).Mul(bigK, gx))
	exp := new(big.Int).Add(c.a, new(big.Int).Mul(u, x))
	s := new(big.Int).Exp(base, exp, bigN)
	s.Mod(s, bigN)

	return computeHKDF(mustDecode(padHex(s)), mustDecode(padHex(u))), nil
}

// computeHKDF is HKDF-SHA256 cut to its first block and 16 bytes, as
// amazon-cognito-identity-js writes it out.
func computeHKDF(ikm, salt []byte) []byte {
	extract := hmac.New(sha256.New, salt)
	extract.Write(ikm)
	prk := extract.Sum(nil)
	expand := hmac.New(sha256.New, prk)
	expand.Write([]byte("Caldera Derived Key"))
	expand.Write([]byte{1})
	return expand.Sum(nil)[:16]
}

// padHex is AuthenticationHelper.padHex for a non-negative number: the hex
// digits padded to even length, with "00" in front when the first digit has
// its high bit set.
func padHex(n *big.Int) string {
	s := n.Text(16)
	if len(s)%2 != 0 {
		s = "0" + s
	}
	if strings.ContainsRune("89abcdef", rune(s[0])) {
		s = "00" + s
	}
	return s
}

// hash is the hex SHA-256 of buf.
func hash(buf []byte) string {
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

// hexHash is the hex SHA-256 of the bytes hexStr spells.
func hexHash(hexStr string) string { return hash(mustDecode(hexStr)) }

var weekNames = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
var monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// nowString is DateHelper.getNowString: "ddd MMM D HH:mm:ss UTC YYYY".
func nowString(now time.Time) string {
	now = now.UTC()
	return fmt.Sprintf("%s %s %d %02d:%02d:%02d UTC %d",
		weekNames[now.Weekday()], monthNames[now.Month()-1], now.Day(),
		now.Hour(), now.Minute(), now.Second(), now.Year())
}

// parseHex reads a challenge parameter as new BigInteger(s, 16) does, for
// the non-negative values a server sends.
func parseHex(s string) (*big.Int, error) {
	if s == "" || strings.TrimLeft(s, "0123456789abcdefABCDEF") != "" {
		return nil, fmt.Errorf("not hex: %q", s)
	}
	return mustHex(s), nil
}

func mustHex(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("srpclient: bad hex " + s)
	}
	return n
}

func mustDecode(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
