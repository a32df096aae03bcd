package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// MaxSkew is how far X-Amz-Date may be from the server's clock either way, as
// on AWS.
const MaxSkew = 5 * time.Minute

const amzDateLayout = "20060102T150405Z"

// Verifier checks SigV4 signatures on requests to one service.
type Verifier struct {
	// Lookup returns the secret of an access key; ok is false for a key it
	// does not know.
	Lookup func(ctx context.Context, accessKeyID string) (secret string, ok bool, err error)
	Now    func() time.Time
	// Service is the signing name the credential scope must carry ("cognito-idp").
	Service string
	// AnySignature is development mode: the request must still be well formed
	// and consistent (header, date, scope, service), but any key and any
	// signature are accepted at any time, and Lookup is not called.
	AnySignature bool
}

// Identity is who signed a verified request, and for which region.
type Identity struct {
	AccessKeyID string
	Region      string
}

// Verify checks the signature of r, whose body has already been read into
// body. Refusals are *Error values; any other error comes from Lookup.
//
// Only header signatures with X-Amz-Date are taken, as every SDK sends them:
// not the Date header, which the SDK signer cannot reproduce, nor presigned
// query strings.
func (v *Verifier) Verify(r *http.Request, body []byte) (Identity, error) {
	auth := r.Header.Values("Authorization")
	switch {
	case len(auth) == 0:
		return Identity{}, errMissingToken()
	case len(auth) > 1:
		return Identity{}, errMalformed("the request has more than one Authorization header.")
	}
	a, missing, err := parse(auth[0])
	if err != nil {
		return Identity{}, err
	}
	stamps := r.Header.Values("X-Amz-Date")
	if len(missing) > 0 || len(stamps) == 0 {
		return Identity{}, errIncomplete(missing, len(stamps) == 0, auth[0])
	}
	t, err := time.Parse(amzDateLayout, stamps[0])
	// Parse alone would take fractional seconds, which the signer would then
	// drop from the X-Amz-Date it signs.
	if len(stamps) > 1 || err != nil || t.Format(amzDateLayout) != stamps[0] {
		return Identity{}, errBadDate(strings.Join(stamps, ", "))
	}
	// The signer always signs X-Amz-Date, so a signature without it cannot be
	// recomputed; and an unsigned X-Amz-Target would let a captured request be
	// replayed as another operation.
	if !slices.Contains(a.SignedHeaders, "x-amz-date") {
		return Identity{}, errNotSigned("X-Amz-Date")
	}
	if r.Header.Get("X-Amz-Target") != "" && !slices.Contains(a.SignedHeaders, "x-amz-target") {
		return Identity{}, errNotSigned("X-Amz-Target")
	}
	if day := t.Format("20060102"); a.Date != day {
		return Identity{}, errScopeDate(a.Date, day, stamps[0])
	}
	if a.Service != v.Service {
		return Identity{}, errService(v.Service)
	}
	id := Identity{AccessKeyID: a.AccessKeyID, Region: a.Region}
	if v.AnySignature {
		return id, nil
	}
	if err := checkSkew(t, v.Now()); err != nil {
		return Identity{}, err
	}
	secret, ok, err := v.Lookup(r.Context(), a.AccessKeyID)
	if err != nil {
		return Identity{}, fmt.Errorf("look up access key %s: %w", a.AccessKeyID, err)
	}
	if !ok {
		return Identity{}, errUnknownKey()
	}
	want, err := signature(r, body, a, t, secret)
	if err != nil {
		return Identity{}, err
	}
	if !hmac.Equal([]byte(want), []byte(a.Signature)) {
		return Identity{}, errMismatch()
	}
	return id, nil
}

// checkSkew compares whole seconds, as the messages show them.
func checkSkew(t, now time.Time) error {
	now = now.UTC().Truncate(time.Second)
	if limit := now.Add(-MaxSkew); t.Before(limit) {
		return errExpired(t.Format(amzDateLayout), limit.Format(amzDateLayout), now.Format(amzDateLayout))
	}
	if limit := now.Add(MaxSkew); t.After(limit) {
		return errNotYetCurrent(t.Format(amzDateLayout), limit.Format(amzDateLayout), now.Format(amzDateLayout))
	}
	return nil
}

// signature signs, with aws-sdk-go-v2's signer, a copy of r holding only what
// the client signed, and returns the copy's signature.
func signature(r *http.Request, body []byte, a Authorization, t time.Time, secret string) (string, error) {
	c := &http.Request{
		Method: r.Method,
		// With no scheme the signer keeps a port it would otherwise drop as
		// the scheme's default: the client signed the Host it sent.
		URL:    &url.URL{Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery},
		Host:   r.Host,
		Header: http.Header{},
	}
	for _, name := range a.SignedHeaders {
		switch name {
		case "host", "x-amz-date":
			// The signer writes these from Host and the signing time.
		case "content-length":
			// The signer signs Content-Length from ContentLength alone, and
			// only when it is positive; left at zero, it is not signed.
			c.ContentLength = r.ContentLength
		default:
			// Under lowercase keys, headers the signer leaves out when it
			// signs (User-Agent, X-Amzn-Trace-Id, Expect, Transfer-Encoding)
			// are still signed: its exclusion list matches canonical keys
			// only, and a client that did sign one must verify. A signed
			// header the request lacks stays out and the signatures differ.
			if values := r.Header.Values(name); len(values) > 0 {
				c.Header[name] = values
			}
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: a.AccessKeyID, SecretAccessKey: secret}
	// A new signer each time: its derived-key cache is keyed by access key ID
	// and day, not by secret, so a shared one would go on accepting a key's
	// old secret after the key was re-created with a new one.
	err := v4.NewSigner().SignHTTP(context.Background(), creds, c, hex.EncodeToString(sum[:]), a.Service, a.Region, t)
	if err != nil {
		return "", fmt.Errorf("recompute signature: %w", err)
	}
	_, sig, ok := strings.Cut(c.Header.Get("Authorization"), "Signature=")
	if !ok {
		return "", fmt.Errorf("recompute signature: the signer wrote no signature")
	}
	return sig, nil
}

// RegionOf returns the region of r's credential scope, or "" when r carries no
// well-formed Authorization header. It verifies nothing: it serves operations
// that need no signature but may carry one.
func RegionOf(r *http.Request) string {
	a, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return ""
	}
	return a.Region
}
