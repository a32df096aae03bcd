package sigv4

import (
	"regexp"
	"testing"
)

func TestNewAccessKey(t *testing.T) {
	idShape := regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`)
	secretShape := regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
	seen := map[string]bool{}
	for range 100 {
		id, secret := NewAccessKey()
		if !idShape.MatchString(id) || !secretShape.MatchString(secret) {
			t.Fatalf("NewAccessKey() = %q, %q: not shaped like an IAM key", id, secret)
		}
		if seen[id] || seen[secret] {
			t.Fatalf("NewAccessKey() repeated itself: %q, %q", id, secret)
		}
		seen[id], seen[secret] = true, true
	}
}

// A new key must be usable at once: its ID parses and its secret signs.
func TestNewAccessKey_Verifies(t *testing.T) {
	id, secret := NewAccessKey()
	r := signedRequest{secret: secret}.build(t)
	r.Header.Set("Authorization", regexp.MustCompile(`Credential=[^/]+`).ReplaceAllString(r.Header.Get("Authorization"), "Credential="+id))
	v := &Verifier{Lookup: keys(map[string]string{id: secret}), Now: at(signedAt), Service: "cognito-idp"}
	got, err := v.Verify(r, payload)
	if err != nil || got.AccessKeyID != id {
		t.Fatalf("Verify: %+v, %v", got, err)
	}
}
