package tokens

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MaxTokenSize bounds the tokens Verify will look at. Cognito's own tokens are
// a few KiB even with many groups; anything larger is refused before any
// decoding is spent on it.
const MaxTokenSize = 16 << 10

// Leeway is how far in the future iat (and nbf, if present) may be, to absorb
// clock skew between the servers that sign and verify. exp gets no leeway.
const Leeway = 5 * time.Second

// The errors Verify returns wrap exactly one of these.
var (
	// ErrMalformed means the input is not a well-formed JWT: wrong shape, bad
	// base64 or JSON, no string kid, oversized, or lifetime claims that are
	// missing (exp) or not numbers.
	ErrMalformed = errors.New("tokens: malformed token")
	// ErrUnknownKey means the token names a kid the key function does not
	// know.
	ErrUnknownKey = errors.New("tokens: unknown signing key")
	// ErrBadSignature means the signature does not verify, or the token uses
	// an algorithm other than RS256 (none, HS256, …), which can never carry a
	// signature of ours.
	ErrBadSignature = errors.New("tokens: invalid signature")
	// ErrExpired means the signature is good but exp has passed.
	ErrExpired = errors.New("tokens: token has expired")
	// ErrNotYetValid means the signature is good but iat (or nbf) is later
	// than now plus Leeway.
	ErrNotYetValid = errors.New("tokens: token is not valid yet")
)

// parser accepts RS256 only and checks no claims: Verify does the lifetime
// checks itself so that exp is strict and only iat/nbf get the leeway. Strict
// decoding refuses non-canonical base64, so each signature has one spelling.
var parser = jwt.NewParser(
	jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
	jwt.WithStrictDecoding(),
	jwt.WithoutClaimsValidation(),
)

// Verify checks token's RS256 signature with the key its kid names and its
// lifetime against now, and returns its claims as encoding/json decodes them
// (numbers are float64). Signature is checked before lifetime, so ErrExpired
// and ErrNotYetValid are only reported for tokens that are genuinely ours.
// The caller checks iss, token_use, client_id and the like.
func Verify(token string, key func(kid string) (*rsa.PublicKey, bool), now time.Time) (map[string]any, error) {
	if len(token) > MaxTokenSize {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, MaxTokenSize)
	}
	claims := jwt.MapClaims{}
	// The library wraps the key function's error in its own; keeping ours
	// aside returns it with its detail and sentinel intact.
	var keyErr error
	_, err := parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, ok := t.Header["kid"].(string)
		if !ok {
			keyErr = fmt.Errorf("%w: no kid in header", ErrMalformed)
			return nil, keyErr
		}
		pub, ok := key(kid)
		if !ok || pub == nil || pub.N == nil {
			keyErr = fmt.Errorf("%w: %q", ErrUnknownKey, kid)
			return nil, keyErr
		}
		return pub, nil
	})
	switch {
	case keyErr != nil:
		return nil, keyErr
	case errors.Is(err, jwt.ErrTokenMalformed):
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		// Unverifiable is a missing or unregistered alg; a registered but
		// disallowed one (none, HS256, RS384, …) arrives as SignatureInvalid.
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := checkLifetime(claims, now); err != nil {
		return nil, err
	}
	return map[string]any(claims), nil
}

func checkLifetime(claims jwt.MapClaims, now time.Time) error {
	exp, ok, err := numericClaim(claims, "exp")
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: no exp", ErrMalformed)
	}
	late := now.Add(Leeway)
	for _, name := range []string{"iat", "nbf"} {
		v, ok, err := numericClaim(claims, name)
		if err != nil {
			return err
		}
		if ok && v.After(late) {
			return fmt.Errorf("%w: %s is %d, now is %d", ErrNotYetValid, name, v.Unix(), now.Unix())
		}
	}
	if !now.Before(exp) {
		return fmt.Errorf("%w: exp is %d, now is %d", ErrExpired, exp.Unix(), now.Unix())
	}
	return nil
}

// maxSeconds clamps NumericDates to a range float64 holds exactly and
// time.Time holds without overflow; it is some 285 million years either way.
const maxSeconds = 1 << 53

func numericClaim(claims jwt.MapClaims, name string) (time.Time, bool, error) {
	raw, ok := claims[name]
	if !ok {
		return time.Time{}, false, nil
	}
	v, ok := raw.(float64)
	if !ok {
		return time.Time{}, false, fmt.Errorf("%w: %s is %T, not a number", ErrMalformed, name, raw)
	}
	v = math.Max(-maxSeconds, math.Min(maxSeconds, v))
	sec := math.Floor(v)
	return time.Unix(int64(sec), int64((v-sec)*1e9)), true, nil
}
