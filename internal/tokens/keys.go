package tokens

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
)

// KeyBits is the size of the RSA keys NewKey makes, as Cognito's.
const KeyBits = 2048

// Key is a signing key and the kid that names it in token headers and in the
// JWKS.
type Key struct {
	ID      string
	Private *rsa.PrivateKey
}

// PublicKey is the public half of a Key, as published in the JWKS.
type PublicKey struct {
	ID  string
	Key *rsa.PublicKey
}

// Public returns the public half of k.
func (k Key) Public() PublicKey {
	if k.Private == nil {
		return PublicKey{ID: k.ID}
	}
	return PublicKey{ID: k.ID, Key: &k.Private.PublicKey}
}

// NewKey makes an RSA-2048 key with a random kid (base64url of 32 random
// bytes, like Cognito's).
func NewKey() (Key, error) {
	priv, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return Key{}, fmt.Errorf("tokens: generate key: %w", err)
	}
	priv.Precompute()
	return Key{ID: newKeyID(), Private: priv}, nil
}

func newKeyID() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// MarshalKey returns the PKCS#8 DER form of k's private key. The kid is not
// part of it; the caller stores the kid beside the (encrypted) bytes.
func MarshalKey(k Key) ([]byte, error) {
	if k.Private == nil {
		return nil, errors.New("tokens: key has no private key")
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		return nil, fmt.Errorf("tokens: marshal key: %w", err)
	}
	return der, nil
}

// ParseKey rebuilds a Key from its kid and the PKCS#8 bytes MarshalKey made.
// The key comes back with its CRT values precomputed, so that signing with it
// does not redo that work on every token.
func ParseKey(id string, pkcs8 []byte) (Key, error) {
	if id == "" {
		return Key{}, errors.New("tokens: empty key id")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(pkcs8)
	if err != nil {
		return Key{}, fmt.Errorf("tokens: parse key %s: %w", id, err)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return Key{}, fmt.Errorf("tokens: key %s is %T, not RSA", id, parsed)
	}
	if bits := priv.N.BitLen(); bits < KeyBits {
		return Key{}, fmt.Errorf("tokens: key %s has %d bits, want at least %d", id, bits, KeyBits)
	}
	// Precompute is a no-op when the parser already did it; either way the
	// key that leaves here signs at full CRT speed.
	priv.Precompute()
	if err := priv.Validate(); err != nil {
		return Key{}, fmt.Errorf("tokens: key %s: %w", id, err)
	}
	return Key{ID: id, Private: priv}, nil
}
