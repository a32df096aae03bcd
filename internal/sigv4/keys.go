package sigv4

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
)

// NewAccessKey makes an access key shaped like IAM's, so that tools which
// check the shape accept it: an ID of "AKIA" and 16 base32 characters (80
// random bits) and a secret of 40 base64 characters (240 random bits).
func NewAccessKey() (id, secret string) {
	idBytes := make([]byte, 10)
	secretBytes := make([]byte, 30)
	// crypto/rand.Read never fails.
	rand.Read(idBytes)
	rand.Read(secretBytes)
	return "AKIA" + base32.StdEncoding.EncodeToString(idBytes), base64.StdEncoding.EncodeToString(secretBytes)
}
