package cognito

import (
	"crypto/rand"
	"math/big"
)

const (
	base62     = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	lowerAlnum = "0123456789abcdefghijklmnopqrstuvwxyz"
)

// randomString draws n characters uniformly from alphabet.
func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

// newPoolID is "<region>_<9 base62 characters>", as Cognito's pool IDs are.
func newPoolID(region string) string { return region + "_" + randomString(base62, 9) }

// newClientID is 26 lowercase alphanumerics, as Cognito's app client IDs are.
func newClientID() string { return randomString(lowerAlnum, 26) }

// newClientSecret is 51 lowercase alphanumerics, as Cognito's client secrets are.
func newClientSecret() string { return randomString(lowerAlnum, 51) }
