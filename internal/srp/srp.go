// Package srp holds the server side of Cognito's variant of SRP-6a: the
// 3072-bit group of RFC 5054 with g = 2, k = H(N | g), x = H(salt |
// H(poolName | username | ":" | password)), as amazon-cognito-identity-js and
// Amplify compute them. Cognate stores only the salt and the verifier
// g^x mod N of a password. A sign-in sends B = k·v + g^b (NewServerKey) and
// checks the client's HMAC, keyed by HKDF of S = (A·v^u)^b with
// u = H(A | B), over the pool name, user, secret block and timestamp
// (CheckClaim).
package srp

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"math/big"
	"strings"
)

// nHex is the 3072-bit prime of RFC 5054 (RFC 3526 group 15).
const nHex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
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
	// N is the group's prime and G its generator.
	N, _ = new(big.Int).SetString(nHex, 16)
	G    = big.NewInt(2)
)

// SaltSize is the size of the random salt of a new verifier.
const SaltSize = 16

// NewSalt returns a random salt.
func NewSalt() []byte {
	s := make([]byte, SaltSize)
	rand.Read(s)
	return s
}

// PoolName is the part of a pool ID after the region, which Cognito's SRP
// hashes into every verifier.
func PoolName(poolID string) string {
	_, name, ok := strings.Cut(poolID, "_")
	if !ok {
		return poolID
	}
	return name
}

// Verifier returns g^x mod N for the password, as big-endian bytes.
func Verifier(poolName, username, password string, salt []byte) []byte {
	return gExp(x(poolName, username, password, salt)).Bytes()
}

// CheckPassword recomputes the verifier and compares it in constant time.
func CheckPassword(poolName, username, password string, salt, verifier []byte) bool {
	return subtle.ConstantTimeCompare(Verifier(poolName, username, password, salt), verifier) == 1
}

func x(poolName, username, password string, salt []byte) *big.Int {
	inner := sha256.Sum256([]byte(poolName + username + ":" + password))
	h := sha256.New()
	h.Write(padHex(salt))
	h.Write(inner[:])
	return new(big.Int).SetBytes(h.Sum(nil))
}

// padHex is a big-endian value as amazon-cognito-identity-js hashes it: its
// hex form padded to even length, with a 00 byte in front when the high bit is
// set (so that it reads as a positive number). Zero is one 00 byte, as there.
func padHex(b []byte) []byte {
	if len(b) == 0 {
		return []byte{0}
	}
	i := 0
	for i < len(b)-1 && b[i] == 0 {
		i++
	}
	b = b[i:]
	if len(b) > 0 && b[0]&0x80 != 0 {
		return append([]byte{0}, b...)
	}
	return b
}
