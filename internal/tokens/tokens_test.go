package tokens

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	testKeysOnce sync.Once
	testKeyA     Key
	testKeyB     Key
)

// testKeys returns two keys shared by the whole test binary; RSA key
// generation is too slow to repeat per test.
func testKeys(tb testing.TB) (Key, Key) {
	tb.Helper()
	testKeysOnce.Do(func() {
		var err error
		if testKeyA, err = NewKey(); err != nil {
			panic(err)
		}
		if testKeyB, err = NewKey(); err != nil {
			panic(err)
		}
	})
	return testKeyA, testKeyB
}

func lookup(keys ...Key) func(string) (*rsa.PublicKey, bool) {
	m := map[string]*rsa.PublicKey{}
	for _, k := range keys {
		m[k.ID] = &k.Private.PublicKey
	}
	return func(kid string) (*rsa.PublicKey, bool) {
		pub, ok := m[kid]
		return pub, ok
	}
}

var testNow = time.Unix(1700000000, 0)

func testClaims() map[string]any {
	return map[string]any{
		"sub":            "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		"iss":            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
		"client_id":      "abcdefghijklmnopqrstuvwxyz",
		"token_use":      "access",
		"scope":          "aws.cognito.signin.user.admin",
		"cognito:groups": []string{"admins", "users"},
		"auth_time":      testNow.Unix(),
		"iat":            testNow.Unix(),
		"exp":            testNow.Add(time.Hour).Unix(),
		"jti":            "11111111-2222-3333-4444-555555555555",
		"username":       "alice",
	}
}

func signed(t testing.TB, k Key, claims map[string]any) string {
	t.Helper()
	tok, err := Sign(k, claims)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func segments(t testing.TB, tok string) [3]string {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments", len(parts))
	}
	return [3]string{parts[0], parts[1], parts[2]}
}

func decodeSegment(t testing.TB, seg string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encodeSegment(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func TestRoundTrip(t *testing.T) {
	a, _ := testKeys(t)
	tok := signed(t, a, testClaims())
	got, err := Verify(tok, lookup(a), testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"sub":            "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		"iss":            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
		"client_id":      "abcdefghijklmnopqrstuvwxyz",
		"token_use":      "access",
		"scope":          "aws.cognito.signin.user.admin",
		"cognito:groups": []any{"admins", "users"},
		"auth_time":      float64(testNow.Unix()),
		"iat":            float64(testNow.Unix()),
		"exp":            float64(testNow.Add(time.Hour).Unix()),
		"jti":            "11111111-2222-3333-4444-555555555555",
		"username":       "alice",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("claims\n got %#v\nwant %#v", got, want)
	}
}

func TestHeaderIsCognitos(t *testing.T) {
	a, _ := testKeys(t)
	seg := segments(t, signed(t, a, testClaims()))
	got := string(decodeSegment(t, seg[0]))
	want := `{"kid":"` + a.ID + `","alg":"RS256"}`
	if got != want {
		t.Errorf("header %s, want %s", got, want)
	}
}

func TestClaimsSerialization(t *testing.T) {
	a, _ := testKeys(t)
	seg := segments(t, signed(t, a, testClaims()))
	payload := string(decodeSegment(t, seg[1]))
	for _, want := range []string{
		`"exp":1700003600`,
		`"iat":1700000000`,
		`"auth_time":1700000000`,
		`"cognito:groups":["admins","users"]`,
		`"token_use":"access"`,
	} {
		if !strings.Contains(payload, want) {
			t.Errorf("payload %s lacks %s", payload, want)
		}
	}
}

func TestSignRejects(t *testing.T) {
	a, _ := testKeys(t)
	if _, err := Sign(Key{ID: "x"}, testClaims()); err == nil {
		t.Error("signed without a private key")
	}
	if _, err := Sign(Key{Private: a.Private}, testClaims()); err == nil {
		t.Error("signed without a kid")
	}
	if _, err := Sign(a, map[string]any{"bad": make(chan int)}); err == nil {
		t.Error("signed an unencodable claim")
	}
}

func TestKeyMarshalRoundTrip(t *testing.T) {
	a, _ := testKeys(t)
	if len(a.ID) != 43 || strings.ContainsAny(a.ID, "+/=") {
		t.Errorf("kid %q is not base64url of 32 bytes", a.ID)
	}
	der, err := MarshalKey(a)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseKey(a.ID, der)
	if err != nil {
		t.Fatal(err)
	}
	if back.ID != a.ID || !back.Private.Equal(a.Private) {
		t.Fatal("parsed key differs from the marshalled one")
	}
	pc := back.Private.Precomputed
	if pc.Dp == nil || pc.Dq == nil || pc.Qinv == nil {
		t.Error("parsed key has no CRT values")
	}
	if _, err := Verify(signed(t, back, testClaims()), lookup(a), testNow); err != nil {
		t.Errorf("token signed by the parsed key: %v", err)
	}
}

func TestParseKeyRejects(t *testing.T) {
	a, _ := testKeys(t)
	der, err := MarshalKey(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseKey("", der); err == nil {
		t.Error("accepted an empty kid")
	}
	if _, err := ParseKey("k", []byte("garbage")); err == nil {
		t.Error("accepted garbage")
	}
	if _, err := ParseKey("k", der[:len(der)-1]); err == nil {
		t.Error("accepted truncated DER")
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseKey("k", ecDER); err == nil {
		t.Error("accepted an EC key")
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallDER, err := x509.MarshalPKCS8PrivateKey(small)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseKey("k", smallDER); err == nil {
		t.Error("accepted a 1024-bit key")
	}
	if _, err := MarshalKey(Key{ID: "k"}); err == nil {
		t.Error("marshalled a key without a private key")
	}
}

func TestNewKeyIDsDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := newKeyID()
		if seen[id] {
			t.Fatalf("kid %s repeated", id)
		}
		seen[id] = true
	}
}

func TestJWKS(t *testing.T) {
	a, b := testKeys(t)
	raw, err := JWKS([]PublicKey{a.Public(), b.Public()})
	if err != nil {
		t.Fatal(err)
	}
	prefix := `{"keys":[{"alg":"RS256","e":"AQAB","kid":"` + a.ID + `","kty":"RSA","n":"`
	if !bytes.HasPrefix(raw, []byte(prefix)) {
		t.Errorf("JWKS %s does not start with %s", raw, prefix)
	}
	if bytes.Contains(raw, []byte("=")) {
		t.Errorf("JWKS %s has base64 padding", raw)
	}

	var shape struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(raw, &shape); err != nil {
		t.Fatal(err)
	}
	if len(shape.Keys) != 2 {
		t.Fatalf("JWKS has %d keys", len(shape.Keys))
	}
	for i, k := range shape.Keys {
		var fields []string
		for f := range k {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		if got := strings.Join(fields, ","); got != "alg,e,kid,kty,n,use" {
			t.Errorf("key %d has fields %s", i, got)
		}
		if k["alg"] != "RS256" || k["kty"] != "RSA" || k["use"] != "sig" || k["e"] != "AQAB" {
			t.Errorf("key %d is %v", i, k)
		}
	}

	// Rebuild the public keys from the JWKS alone and verify with them.
	pubs := map[string]*rsa.PublicKey{}
	for _, k := range shape.Keys {
		n, err := base64.RawURLEncoding.Strict().DecodeString(k["n"])
		if err != nil {
			t.Fatal(err)
		}
		e, err := base64.RawURLEncoding.Strict().DecodeString(k["e"])
		if err != nil {
			t.Fatal(err)
		}
		if n[0] == 0 {
			t.Error("n has a leading zero byte")
		}
		pubs[k["kid"]] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	fromJWKS := func(kid string) (*rsa.PublicKey, bool) { p, ok := pubs[kid]; return p, ok }
	for _, k := range []Key{a, b} {
		if !pubs[k.ID].Equal(&k.Private.PublicKey) {
			t.Errorf("JWKS key %s differs from the signing key", k.ID)
		}
		if _, err := Verify(signed(t, k, testClaims()), fromJWKS, testNow); err != nil {
			t.Errorf("token of %s against the JWKS: %v", k.ID, err)
		}
	}
}

func TestJWKSEdges(t *testing.T) {
	raw, err := JWKS(nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"keys":[]}` {
		t.Errorf("empty JWKS is %s", raw)
	}
	a, _ := testKeys(t)
	if _, err := JWKS([]PublicKey{{Key: &a.Private.PublicKey}}); err == nil {
		t.Error("JWKS accepted a key without a kid")
	}
	if _, err := JWKS([]PublicKey{{ID: "k"}}); err == nil {
		t.Error("JWKS accepted a kid without a key")
	}
}

func wantErr(t *testing.T, what string, err, sentinel error) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Errorf("%s: got %v, want %v", what, err, sentinel)
	}
	for _, other := range []error{ErrMalformed, ErrUnknownKey, ErrBadSignature, ErrExpired, ErrNotYetValid} {
		if other != sentinel && errors.Is(err, other) {
			t.Errorf("%s: %v is also %v", what, err, other)
		}
	}
}

func TestTampered(t *testing.T) {
	a, b := testKeys(t)
	tok := signed(t, a, testClaims())
	seg := segments(t, tok)

	claims := testClaims()
	claims["username"] = "mallory"
	p, _ := json.Marshal(claims)
	forged := seg[0] + "." + encodeSegment(p) + "." + seg[2]
	_, err := Verify(forged, lookup(a), testNow)
	wantErr(t, "altered payload", err, ErrBadSignature)

	sig := decodeSegment(t, seg[2])
	sig[len(sig)/2] ^= 1
	_, err = Verify(seg[0]+"."+seg[1]+"."+encodeSegment(sig), lookup(a), testNow)
	wantErr(t, "altered signature", err, ErrBadSignature)

	_, err = Verify(seg[0]+"."+seg[1]+".", lookup(a), testNow)
	wantErr(t, "empty signature", err, ErrBadSignature)

	// Pointing the kid at another known key must not help.
	h := encodeSegment([]byte(`{"kid":"` + b.ID + `","alg":"RS256"}`))
	_, err = Verify(h+"."+seg[1]+"."+seg[2], lookup(a, b), testNow)
	wantErr(t, "kid switched to another key", err, ErrBadSignature)

	// A signature segment with non-zero trailing bits decodes to the same
	// bytes in lax base64; it is refused so a token has one spelling.
	last := seg[2][len(seg[2])-1]
	idx := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", last)
	alt := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[idx|1]
	if alt != last {
		_, err = Verify(tok[:len(tok)-1]+string(alt), lookup(a), testNow)
		wantErr(t, "non-canonical base64", err, ErrMalformed)
	}
}

func TestUnknownKey(t *testing.T) {
	a, b := testKeys(t)
	_, err := Verify(signed(t, a, testClaims()), lookup(b), testNow)
	wantErr(t, "kid of another pool", err, ErrUnknownKey)

	_, err = Verify(signed(t, a, testClaims()), func(string) (*rsa.PublicKey, bool) { return nil, true }, testNow)
	wantErr(t, "nil key", err, ErrUnknownKey)

	seg := segments(t, signed(t, a, testClaims()))
	h := encodeSegment([]byte(`{"alg":"RS256"}`))
	_, err = Verify(h+"."+seg[1]+"."+seg[2], lookup(a), testNow)
	wantErr(t, "no kid", err, ErrMalformed)
	h = encodeSegment([]byte(`{"kid":7,"alg":"RS256"}`))
	_, err = Verify(h+"."+seg[1]+"."+seg[2], lookup(a), testNow)
	wantErr(t, "numeric kid", err, ErrMalformed)
}

func TestAlgNone(t *testing.T) {
	a, _ := testKeys(t)
	seg := segments(t, signed(t, a, testClaims()))
	for _, alg := range []string{"none", "None", "NONE", "nOnE", ""} {
		h := encodeSegment([]byte(`{"kid":"` + a.ID + `","alg":"` + alg + `"}`))
		for _, sig := range []string{"", seg[2]} {
			_, err := Verify(h+"."+seg[1]+"."+sig, lookup(a), testNow)
			wantErr(t, "alg "+alg, err, ErrBadSignature)
		}
	}
	h := encodeSegment([]byte(`{"kid":"` + a.ID + `"}`))
	_, err := Verify(h+"."+seg[1]+"."+seg[2], lookup(a), testNow)
	wantErr(t, "no alg", err, ErrBadSignature)

	// As golang-jwt itself would produce it.
	tok := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims(testClaims()))
	tok.Header["kid"] = a.ID
	s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Verify(s, lookup(a), testNow)
	wantErr(t, "library alg none", err, ErrBadSignature)
}

// TestAlgConfusion signs HS256 tokens with every plausible serialization of
// the public key as the HMAC secret.
func TestAlgConfusion(t *testing.T) {
	a, _ := testKeys(t)
	pub := &a.Private.PublicKey
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := JWKS([]PublicKey{a.Public()})
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string][]byte{
		"PKIX PEM":  pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}),
		"PKCS1 PEM": pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)}),
		"PKIX DER":  pkix,
		"modulus":   pub.N.Bytes(),
		"JWKS":      jwks,
	}
	for name, secret := range secrets {
		for _, m := range []jwt.SigningMethod{jwt.SigningMethodHS256, jwt.SigningMethodHS384, jwt.SigningMethodHS512} {
			tok := jwt.NewWithClaims(m, jwt.MapClaims(testClaims()))
			tok.Header["kid"] = a.ID
			s, err := tok.SignedString(secret)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Verify(s, lookup(a), testNow)
			wantErr(t, m.Alg()+" with "+name, err, ErrBadSignature)
		}
	}
}

// TestOtherRSAAlgs signs with the right private key but a different
// algorithm; only RS256 is ours.
func TestOtherRSAAlgs(t *testing.T) {
	a, _ := testKeys(t)
	for _, m := range []jwt.SigningMethod{jwt.SigningMethodRS384, jwt.SigningMethodRS512, jwt.SigningMethodPS256, jwt.SigningMethodPS512} {
		tok := jwt.NewWithClaims(m, jwt.MapClaims(testClaims()))
		tok.Header["kid"] = a.ID
		s, err := tok.SignedString(a.Private)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Verify(s, lookup(a), testNow)
		wantErr(t, m.Alg(), err, ErrBadSignature)
	}
	// golang-jwt's own RS256 token (with typ) is still an RS256 token.
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(testClaims()))
	tok.Header["kid"] = a.ID
	s, err := tok.SignedString(a.Private)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(s, lookup(a), testNow); err != nil {
		t.Errorf("library RS256 token: %v", err)
	}
}

func TestLifetime(t *testing.T) {
	a, _ := testKeys(t)
	at := func(what string, mutate func(map[string]any), now time.Time, sentinel error) {
		t.Helper()
		c := testClaims()
		mutate(c)
		_, err := Verify(signed(t, a, c), lookup(a), now)
		if sentinel == nil {
			if err != nil {
				t.Errorf("%s: %v", what, err)
			}
			return
		}
		wantErr(t, what, err, sentinel)
	}
	exp := testNow.Add(time.Hour)
	keep := func(map[string]any) {}
	at("just before exp", keep, exp.Add(-time.Nanosecond), nil)
	at("at exp", keep, exp, ErrExpired)
	at("after exp", keep, exp.Add(time.Second), ErrExpired)
	at("long after exp", keep, exp.Add(365*24*time.Hour), ErrExpired)
	at("exp far in the future", func(c map[string]any) { c["exp"] = 1e300 }, testNow, nil)
	at("exp far in the past", func(c map[string]any) { c["exp"] = -1e300 }, testNow, ErrExpired)
	at("fractional exp, before", func(c map[string]any) { c["exp"] = float64(exp.Unix()) + 0.5 }, exp.Add(250*time.Millisecond), nil)
	at("fractional exp, after", func(c map[string]any) { c["exp"] = float64(exp.Unix()) + 0.5 }, exp.Add(750*time.Millisecond), ErrExpired)
	at("no exp", func(c map[string]any) { delete(c, "exp") }, testNow, ErrMalformed)
	at("string exp", func(c map[string]any) { c["exp"] = "1700003600" }, testNow, ErrMalformed)

	at("iat within leeway", func(c map[string]any) { c["iat"] = testNow.Add(Leeway).Unix() }, testNow, nil)
	at("iat beyond leeway", func(c map[string]any) { c["iat"] = testNow.Add(Leeway + time.Second).Unix() }, testNow, ErrNotYetValid)
	at("issued tomorrow", func(c map[string]any) { c["iat"] = testNow.Add(24 * time.Hour).Unix() }, testNow, ErrNotYetValid)
	at("no iat", func(c map[string]any) { delete(c, "iat") }, testNow, nil)
	at("null iat", func(c map[string]any) { c["iat"] = nil }, testNow, ErrMalformed)
	at("nbf beyond leeway", func(c map[string]any) { c["nbf"] = testNow.Add(time.Minute).Unix() }, testNow, ErrNotYetValid)
	at("nbf in the past", func(c map[string]any) { c["nbf"] = testNow.Add(-time.Minute).Unix() }, testNow, nil)
}

func TestMalformed(t *testing.T) {
	a, _ := testKeys(t)
	tok := signed(t, a, testClaims())
	seg := segments(t, tok)
	for name, in := range map[string]string{
		"empty":          "",
		"one segment":    seg[0],
		"two segments":   seg[0] + "." + seg[1],
		"four segments":  tok + "." + seg[2],
		"dots":           "..",
		"bad base64":     "!!." + seg[1] + "." + seg[2],
		"padded":         seg[0] + "=." + seg[1] + "." + seg[2],
		"header not obj": encodeSegment([]byte(`[]`)) + "." + seg[1] + "." + seg[2],
		"payload array":  seg[0] + "." + encodeSegment([]byte(`[1]`)) + "." + seg[2],
		"payload junk":   seg[0] + "." + encodeSegment([]byte(`{`)) + "." + seg[2],
		"truncated":      tok[:len(tok)/2],
		"whitespace":     " " + tok,
		"oversized":      tok + strings.Repeat("A", MaxTokenSize),
	} {
		_, err := Verify(in, lookup(a), testNow)
		wantErr(t, name, err, ErrMalformed)
	}

	// The size bound holds even for a genuine token.
	c := testClaims()
	c["padding"] = strings.Repeat("x", MaxTokenSize)
	_, err := Verify(signed(t, a, c), lookup(a), testNow)
	wantErr(t, "genuine but oversized", err, ErrMalformed)
}

func BenchmarkSign(b *testing.B) {
	k, _ := testKeys(b)
	claims := testClaims()
	for b.Loop() {
		if _, err := Sign(k, claims); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignUnprecomputed shows what ParseKey's Precompute saves: without
// the cached CRT values every signature rebuilds them.
func BenchmarkSignUnprecomputed(b *testing.B) {
	k, _ := testKeys(b)
	bare := Key{ID: k.ID, Private: &rsa.PrivateKey{PublicKey: k.Private.PublicKey, D: k.Private.D, Primes: k.Private.Primes}}
	claims := testClaims()
	for b.Loop() {
		if _, err := Sign(bare, claims); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	k, _ := testKeys(b)
	tok := signed(b, k, testClaims())
	keys := lookup(k)
	for b.Loop() {
		if _, err := Verify(tok, keys, testNow); err != nil {
			b.Fatal(err)
		}
	}
}
