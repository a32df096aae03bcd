// Package iam knows the administrators' access keys: the ones given in
// configuration and the ones stored (encrypted) in the database, including the
// key Cognate creates on first start so that a new installation is usable and
// safe at once.
package iam

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cognate/internal/secrets"
	"cognate/internal/store"
)

// Keys looks up access key secrets.
type Keys struct {
	store  store.Store
	box    *secrets.Box
	static map[string]string
}

// New returns the key set: static keys from configuration ("ID:SECRET") are
// consulted first, then the store.
func New(st store.Store, box *secrets.Box, static map[string]string) *Keys {
	return &Keys{store: st, box: box, static: static}
}

// ParseStatic parses "ID:SECRET[,ID:SECRET…]" as given in COGNATE_ACCESS_KEYS.
func ParseStatic(s string) (map[string]string, error) {
	keys := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		id, secret, ok := strings.Cut(pair, ":")
		if !ok || id == "" || secret == "" {
			return nil, fmt.Errorf("access key %q must be written ACCESS_KEY_ID:SECRET_ACCESS_KEY", redact(pair))
		}
		keys[id] = secret
	}
	return keys, nil
}

func redact(pair string) string {
	id, _, _ := strings.Cut(pair, ":")
	return id + ":…"
}

func aad(id string) string { return "access_key/" + id }

// Secret returns the secret of an access key; ok is false for an unknown key.
func (k *Keys) Secret(ctx context.Context, id string) (secret string, ok bool, err error) {
	if s, ok := k.static[id]; ok {
		return s, true, nil
	}
	key, err := k.store.GetAccessKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	plain, err := k.box.Open(key.Secret, aad(id))
	if err != nil {
		return "", false, fmt.Errorf("access key %s: %w (is this the instance key the database was created with?)", id, err)
	}
	return string(plain), true, nil
}

// EnsureAdminKey creates an administrator key when the store holds none and no
// static key is configured, and writes it as an AWS shared-credentials file at
// path (profile "cognate"). created reports whether it did.
func (k *Keys) EnsureAdminKey(ctx context.Context, path string, newKey func() (id, secret string), now time.Time) (created bool, err error) {
	if len(k.static) > 0 {
		return false, nil
	}
	existing, err := k.store.ListAccessKeys(ctx)
	if err != nil || len(existing) > 0 {
		return false, err
	}
	id, secret := newKey()
	err = k.store.Update(ctx, func(tx store.Tx) error {
		return tx.CreateAccessKey(ctx, store.AccessKey{ID: id, Secret: k.box.Seal([]byte(secret), aad(id)), CreatedAt: now})
	})
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return true, err
	}
	content := fmt.Sprintf("# Cognate administrator key. Use it with: AWS_SHARED_CREDENTIALS_FILE=%s AWS_PROFILE=cognate\n[cognate]\naws_access_key_id = %s\naws_secret_access_key = %s\n", path, id, secret)
	return true, os.WriteFile(path, []byte(content), 0o600)
}
