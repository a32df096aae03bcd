package cognito

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cognate/internal/api"
	"cognate/internal/store"
	"cognate/internal/tokens"
)

// KeyOverlap is how long a retired signing key stays published: the longest
// an ID or access token can live, so that every token it signed can still be
// verified until it expires.
const KeyOverlap = maxTokenValidity * time.Second

func signingKeyAAD(poolID, kid string) string {
	return "pool/" + poolID + "/signing-key/" + kid
}

// openKey returns a stored signing key ready to use. Opening and parsing
// costs more than signing, so keys are kept once opened: a stored key never
// changes, only its retirement does.
func (s *Service) openKey(k store.SigningKey) (tokens.Key, error) {
	cacheKey := k.PoolID + "/" + k.ID
	if v, ok := s.keys.Load(cacheKey); ok {
		return v.(tokens.Key), nil
	}
	der, err := s.box.Open(k.Private, signingKeyAAD(k.PoolID, k.ID))
	if err != nil {
		return tokens.Key{}, fmt.Errorf("pool %s: open signing key %s: %w", k.PoolID, k.ID, err)
	}
	key, err := tokens.ParseKey(k.ID, der)
	if err != nil {
		return tokens.Key{}, fmt.Errorf("pool %s: signing key %s: %w", k.PoolID, k.ID, err)
	}
	s.keys.Store(cacheKey, key)
	return key, nil
}

// newSigningKey makes a key and seals it for the store. Key generation is
// slow, so callers run it outside their transaction.
func (s *Service) newSigningKey(poolID string) (store.SigningKey, error) {
	key, err := tokens.NewKey()
	if err != nil {
		return store.SigningKey{}, err
	}
	der, err := tokens.MarshalKey(key)
	if err != nil {
		return store.SigningKey{}, err
	}
	return store.SigningKey{PoolID: poolID, ID: key.ID, CreatedAt: s.now(),
		Private: s.box.Seal(der, signingKeyAAD(poolID, key.ID))}, nil
}

// keyListTTL is how long a node trusts the list of a pool's keys it read:
// a rotation made on another node signs there within this time (tokens
// signed meanwhile by the previous key stay valid, as that key stays
// published). Sign-ins and token checks then read no key rows.
const keyListTTL = 10 * time.Second

type keyList struct {
	at   time.Time
	keys []store.SigningKey
}

// listKeys returns the pool's keys, from this node's copy unless it is
// older than keyListTTL or fresh is set.
func (s *Service) listKeys(ctx context.Context, poolID string, fresh bool) ([]store.SigningKey, error) {
	if v, ok := s.keyLists.Load(poolID); ok && !fresh {
		if l := v.(keyList); s.now().Sub(l.at) < keyListTTL {
			return l.keys, nil
		}
	}
	keys, err := s.store.ListSigningKeys(ctx, poolID)
	if err != nil {
		return nil, err
	}
	s.keyLists.Store(poolID, keyList{at: s.now(), keys: keys})
	return keys, nil
}

// currentKey is the newest unretired key of the pool: the one that signs.
func currentKey(keys []store.SigningKey) (store.SigningKey, bool) {
	for i := len(keys) - 1; i >= 0; i-- {
		if keys[i].RetiredAt.IsZero() {
			return keys[i], true
		}
	}
	return store.SigningKey{}, false
}

// signingKey returns the key that signs the pool's tokens, making the pool's
// first key on first use. Of two nodes making one at once both keys are
// kept, and both are published; the newer signs.
func (s *Service) signingKey(ctx context.Context, poolID string) (tokens.Key, error) {
	keys, err := s.listKeys(ctx, poolID, false)
	if err != nil {
		return tokens.Key{}, err
	}
	if k, ok := currentKey(keys); ok {
		return s.openKey(k)
	}
	fresh, err := s.newSigningKey(poolID)
	if err != nil {
		return tokens.Key{}, err
	}
	var chosen store.SigningKey
	err = s.update(ctx, func(tx store.Tx) error {
		keys, err := tx.ListSigningKeys(ctx, poolID)
		if err != nil {
			return err
		}
		if k, ok := currentKey(keys); ok {
			chosen = k
			return nil
		}
		chosen = fresh
		return notFound(tx.AddSigningKey(ctx, fresh), &api.ResourceNotFoundException{Message: fmt.Sprintf(msgPoolNotFound, poolID)})
	})
	if err != nil {
		return tokens.Key{}, err
	}
	s.keyLists.Delete(poolID)
	return s.openKey(chosen)
}

// publicKeys are the keys whose tokens may still be valid: the current ones
// and those retired less than KeyOverlap ago.
func (s *Service) publicKeys(ctx context.Context, poolID string, fresh bool) ([]tokens.PublicKey, error) {
	keys, err := s.listKeys(ctx, poolID, fresh)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []tokens.PublicKey
	for _, k := range keys {
		if !k.RetiredAt.IsZero() && !k.ExpiresAt.After(now) {
			continue
		}
		key, err := s.openKey(k)
		if err != nil {
			return nil, err
		}
		out = append(out, tokens.PublicKey{ID: key.ID, Key: &key.Private.PublicKey})
	}
	return out, nil
}

// RotateSigningKey retires the pool's signing keys and makes a new one that
// signs from now on. Retired keys stay in the JWKS until every token they
// signed has expired. It returns the new key's ID.
func (s *Service) RotateSigningKey(ctx context.Context, poolID string) (string, error) {
	if _, err := s.getPool(ctx, s.store, poolID); err != nil {
		return "", err
	}
	fresh, err := s.newSigningKey(poolID)
	if err != nil {
		return "", err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		keys, err := tx.ListSigningKeys(ctx, poolID)
		if err != nil {
			return err
		}
		now := s.now()
		for _, k := range keys {
			if k.RetiredAt.IsZero() {
				if err := tx.RetireSigningKey(ctx, poolID, k.ID, now, now.Add(KeyOverlap)); err != nil {
					return err
				}
			}
		}
		if err := tx.DeleteExpiredSigningKeys(ctx, poolID, now); err != nil {
			return err
		}
		return notFound(tx.AddSigningKey(ctx, fresh), &api.ResourceNotFoundException{Message: fmt.Sprintf(msgPoolNotFound, poolID)})
	})
	if err != nil {
		return "", err
	}
	s.keyLists.Delete(poolID)
	return fresh.ID, nil
}

// ErrPoolNotFound is what the well-known endpoints return for an unknown pool.
var ErrPoolNotFound = errors.New("user pool not found")

// JWKS is the pool's published key set, as /<poolId>/.well-known/jwks.json
// serves it.
func (s *Service) JWKS(ctx context.Context, poolID string) ([]byte, error) {
	if _, err := s.store.GetUserPool(ctx, poolID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrPoolNotFound
		}
		return nil, err
	}
	if _, err := s.signingKey(ctx, poolID); err != nil {
		return nil, err
	}
	keys, err := s.publicKeys(ctx, poolID, false)
	if err != nil {
		return nil, err
	}
	return tokens.JWKS(keys)
}

// OpenIDConfiguration is the pool's OpenID Connect discovery document.
func (s *Service) OpenIDConfiguration(ctx context.Context, poolID string) (map[string]any, error) {
	if _, err := s.store.GetUserPool(ctx, poolID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrPoolNotFound
		}
		return nil, err
	}
	iss := s.issuer(poolID)
	base := s.publicBase()
	return map[string]any{
		"issuer":                                iss,
		"jwks_uri":                              iss + "/.well-known/jwks.json",
		"authorization_endpoint":                base + "/oauth2/authorize",
		"token_endpoint":                        base + "/oauth2/token",
		"userinfo_endpoint":                     base + "/oauth2/userInfo",
		"revocation_endpoint":                   base + "/oauth2/revoke",
		"response_types_supported":              []string{"code", "token"},
		"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	}, nil
}
