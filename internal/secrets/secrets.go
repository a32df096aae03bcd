// Package secrets encrypts values at rest under the instance key (AES-256-GCM),
// so that a copy of the database alone reveals no password verifier, signing
// key or client secret. Each value is bound to what it belongs to through the
// additional data, so a ciphertext moved to another row does not decrypt.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the size of an instance key in bytes.
const KeySize = 32

// version prefixes every ciphertext so that the scheme can change later.
const version = 1

// Box seals and opens values under one instance key.
type Box struct {
	aead cipher.AEAD
	// derive is the HMAC key Derive works from, itself derived from the
	// instance key so that it is never the encryption key.
	derive []byte
}

// New returns a Box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("instance key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("cognate derived keys"))
	return &Box{aead: aead, derive: m.Sum(nil)}, nil
}

// Derive returns a 32-byte key for purpose, derived from the instance key:
// the same on every node that shares it.
func (b *Box) Derive(purpose string) []byte {
	m := hmac.New(sha256.New, b.derive)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Seal encrypts plaintext; aad names what the value belongs to.
func (b *Box) Seal(plaintext []byte, aad string) []byte {
	nonce := make([]byte, b.aead.NonceSize(), 1+b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	rand.Read(nonce)
	out := append([]byte{version}, nonce...)
	return b.aead.Seal(out, nonce, plaintext, []byte(aad))
}

// ErrUndecryptable means the value was sealed under another key or for
// another owner, or has been altered.
var ErrUndecryptable = errors.New("secrets: value cannot be decrypted with this instance key")

// Open decrypts a value sealed with the same aad.
func (b *Box) Open(sealed []byte, aad string) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != version {
		return nil, ErrUndecryptable
	}
	out, err := b.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(aad))
	if err != nil {
		return nil, ErrUndecryptable
	}
	return out, nil
}

// LoadOrCreateKeyFile reads a base64 instance key from path, creating the file
// with a new random key (mode 0600) when it does not exist. created reports
// whether a new key was written.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	raw, err := os.ReadFile(path)
	if err == nil {
		key, err := ParseKey(string(raw))
		if err != nil {
			return nil, false, fmt.Errorf("instance key file %s: %w", path, err)
		}
		return key, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	key = make([]byte, KeySize)
	rand.Read(key)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, err
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, false, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, false, err
	}
	return key, true, f.Close()
}

// ParseKey decodes a base64 instance key.
func ParseKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("an instance key is %d random bytes in base64 (for example the output of `head -c32 /dev/urandom | base64`)", KeySize)
	}
	return key, nil
}
