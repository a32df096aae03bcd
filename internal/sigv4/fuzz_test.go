package sigv4

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var codes = []string{CodeMissingAuthenticationToken, CodeIncompleteSignature, CodeInvalidSignature, CodeUnrecognizedClient}

func FuzzParseAuthorization(f *testing.F) {
	for _, h := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + sig64,
		"AWS4-HMAC-SHA256 Signature=" + sig64 + ",SignedHeaders=host,Credential=local/20240229/eu-west-1/cognito-idp/aws4_request",
		"AWS4-HMAC-SHA256 Credential= AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=host;host, Signature=x, Signature=y",
		"AWS AKIDEXAMPLE:qaNdqGsI6bq4Hi+9Gzovwyjbh0E=",
		"Bearer eyJ0eXAiOiJKV1QifQ",
		"",
	} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseAuthorization(h)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !slices.Contains(codes, e.Code) || e.Message == "" {
				t.Fatalf("ParseAuthorization(%q): %#v", h, err)
			}
			return
		}
		if !isKeyID(a.AccessKeyID) || a.AccessKeyID == "" || !isDay(a.Date) || !isRegion(a.Region) || a.Region == "" ||
			a.Service == "" || !isSignature(a.Signature) || !slices.Contains(a.SignedHeaders, "host") || !slices.IsSorted(a.SignedHeaders) {
			t.Fatalf("ParseAuthorization(%q) = %+v", h, a)
		}
		// What was accepted, written the way the SDKs write it, reads back the same.
		again, err := ParseAuthorization(Algorithm + " Credential=" + strings.Join([]string{a.AccessKeyID, a.Date, a.Region, a.Service, terminator}, "/") +
			", SignedHeaders=" + strings.Join(a.SignedHeaders, ";") + ", Signature=" + a.Signature)
		if err != nil || !reflect.DeepEqual(again, a) {
			t.Fatalf("ParseAuthorization(%q) = %+v, but rewritten it gives %+v, %v", h, a, again, err)
		}
	})
}

// FuzzVerify varies the Authorization header, X-Amz-Date and body of a
// genuinely signed request: whatever verifies must be that request.
func FuzzVerify(f *testing.F) {
	signed := signedRequest{}.build(f)
	auth, date := signed.Header.Get("Authorization"), signed.Header.Get("X-Amz-Date")
	want, err := ParseAuthorization(auth)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(auth, date, payload)
	f.Add(strings.ReplaceAll(auth, ", ", ","), date, payload)
	f.Add(auth, "20261123T010000.5Z", payload)
	f.Add(strings.Replace(auth, "us-east-1", "eu-west-1", 1), date, []byte(`{}`))
	f.Add("", "", []byte(nil))
	v := &Verifier{Lookup: keys(map[string]string{keyID: secret}), Now: at(signedAt), Service: "cognito-idp"}
	f.Fuzz(func(t *testing.T, fuzzedAuth, fuzzedDate string, body []byte) {
		r := signed.Clone(signed.Context())
		r.Header.Set("Authorization", fuzzedAuth)
		r.Header.Set("X-Amz-Date", fuzzedDate)
		id, err := v.Verify(r, body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !slices.Contains(codes, e.Code) {
				t.Fatalf("Verify: %#v", err)
			}
			return
		}
		got, _ := ParseAuthorization(fuzzedAuth)
		if !reflect.DeepEqual(got, want) || fuzzedDate != date || !bytes.Equal(body, payload) || id != (Identity{keyID, "us-east-1"}) {
			t.Fatalf("verified a request that was not signed: %q %q %q", fuzzedAuth, fuzzedDate, body)
		}
	})
}
