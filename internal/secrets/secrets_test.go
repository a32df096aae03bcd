package secrets

import (
	"bytes"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed := b.Seal([]byte("verifier"), "pool/user")
	got, err := b.Open(sealed, "pool/user")
	if err != nil || string(got) != "verifier" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open(sealed, "pool/other"); err != ErrUndecryptable {
		t.Fatalf("other owner: %v", err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, KeySize))
	if _, err := other.Open(sealed, "pool/user"); err != ErrUndecryptable {
		t.Fatalf("other key: %v", err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := b.Open(sealed, "pool/user"); err != ErrUndecryptable {
		t.Fatalf("tampered: %v", err)
	}
	if _, err := b.Open(nil, ""); err != ErrUndecryptable {
		t.Fatalf("empty: %v", err)
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "instance.key")
	k1, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created || len(k1) != KeySize {
		t.Fatalf("create: %v %v", created, err)
	}
	k2, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("reload: %v %v", created, err)
	}
	if _, err := ParseKey("short"); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestDeriveIsStableAndSeparate(t *testing.T) {
	key := make([]byte, KeySize)
	a, _ := New(key)
	b, _ := New(key)
	if string(a.Derive("x")) != string(b.Derive("x")) {
		t.Error("the same key and purpose derived different keys")
	}
	if string(a.Derive("x")) == string(a.Derive("y")) {
		t.Error("two purposes derived the same key")
	}
	other := make([]byte, KeySize)
	other[0] = 1
	c, _ := New(other)
	if string(a.Derive("x")) == string(c.Derive("x")) {
		t.Error("two instance keys derived the same key")
	}
}
