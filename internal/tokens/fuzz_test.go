package tokens

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// FuzzVerify feeds arbitrary strings to Verify: it must not panic, must
// classify every failure under exactly one sentinel, and must return claims
// only on success.
func FuzzVerify(f *testing.F) {
	a, _ := testKeys(f)
	tok := signed(f, a, testClaims())
	seg := segments(f, tok)
	enc := base64.RawURLEncoding.EncodeToString
	f.Add(tok)
	f.Add(tok[:len(tok)/2])
	f.Add(tok[:len(tok)-1])
	f.Add(seg[0] + "." + seg[1] + ".")
	f.Add(enc([]byte(`{"kid":"`+a.ID+`","alg":"none"}`)) + "." + seg[1] + ".")
	f.Add(enc([]byte(`{"kid":"`+a.ID+`","alg":"HS256"}`)) + "." + seg[1] + "." + seg[2])
	f.Add(enc([]byte(`{"kid":["x"],"alg":"RS256"}`)) + "." + enc([]byte(`{"exp":"soon"}`)) + "." + seg[2])
	f.Add(enc([]byte(`{"kid":"`+a.ID+`","alg":"RS256","crit":["b64"]}`)) + "." + enc([]byte(`null`)) + "." + seg[2])
	f.Add("")
	f.Add("..")
	f.Add("garbage")
	f.Add("\x00\xff.\xfe.")
	f.Add(strings.Repeat(".", 10))
	f.Add(strings.Repeat("A", MaxTokenSize+1))
	keys := lookup(a)
	sentinels := []error{ErrMalformed, ErrUnknownKey, ErrBadSignature, ErrExpired, ErrNotYetValid}
	f.Fuzz(func(t *testing.T, in string) {
		claims, err := Verify(in, keys, testNow)
		if err == nil {
			if claims == nil {
				t.Fatal("nil claims without an error")
			}
			return
		}
		if claims != nil {
			t.Fatalf("claims returned with error %v", err)
		}
		n := 0
		for _, s := range sentinels {
			if errors.Is(err, s) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("error %v matches %d sentinels", err, n)
		}
	})
}
