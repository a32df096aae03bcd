package tokens

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"

	"github.com/golang-jwt/jwt/v5"
)

// header is Cognito's JOSE header: kid then alg, and no typ. golang-jwt's own
// Token adds "typ":"JWT" and sorts the keys, so Sign builds the signing input
// itself and only borrows the library's RS256 signer.
type header struct {
	Kid string `json:"kid"`
	Alg string `json:"alg"`
}

// Sign returns the RS256 JWT of claims under k, with the header
// {"kid":k.ID,"alg":"RS256"}. Claims are serialized with encoding/json as
// given, so integers stay integers and slices become arrays.
func Sign(k Key, claims map[string]any) (string, error) {
	if k.Private == nil {
		return "", errors.New("tokens: key has no private key")
	}
	if k.ID == "" {
		return "", errors.New("tokens: key has no id")
	}
	h, err := json.Marshal(header{Kid: k.ID, Alg: jwt.SigningMethodRS256.Alg()})
	if err != nil {
		return "", fmt.Errorf("tokens: encode header: %w", err)
	}
	if claims == nil {
		claims = map[string]any{}
	}
	p, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("tokens: encode claims: %w", err)
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	sig, err := jwt.SigningMethodRS256.Sign(signing, k.Private)
	if err != nil {
		return "", fmt.Errorf("tokens: sign: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

type jwk struct {
	Alg string `json:"alg"`
	E   string `json:"e"`
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n"`
	Use string `json:"use"`
}

type jwks struct {
	Keys []jwk `json:"keys"`
}

// JWKS returns the JSON Web Key Set for keys in Cognito's shape:
// {"keys":[{"alg":"RS256","e":"AQAB","kid":"…","kty":"RSA","n":"…","use":"sig"}]},
// with n and e in base64url without padding, in the order given.
func JWKS(keys []PublicKey) ([]byte, error) {
	set := jwks{Keys: make([]jwk, 0, len(keys))}
	for i, k := range keys {
		if k.ID == "" {
			return nil, fmt.Errorf("tokens: JWKS key %d has no id", i)
		}
		if k.Key == nil || k.Key.N == nil || k.Key.E <= 0 {
			return nil, fmt.Errorf("tokens: JWKS key %s is incomplete", k.ID)
		}
		set.Keys = append(set.Keys, jwk{
			Alg: jwt.SigningMethodRS256.Alg(),
			E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.Key.E)).Bytes()),
			Kid: k.ID,
			Kty: "RSA",
			N:   base64.RawURLEncoding.EncodeToString(k.Key.N.Bytes()),
			Use: "sig",
		})
	}
	return json.Marshal(set)
}
