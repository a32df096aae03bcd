package sigv4

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

const sig64 = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"

func TestParseAuthorization(t *testing.T) {
	valid := Authorization{
		AccessKeyID:   "AKIDEXAMPLE",
		Date:          "20261123",
		Region:        "us-east-1",
		Service:       "cognito-idp",
		SignedHeaders: []string{"content-type", "host", "x-amz-date", "x-amz-target"},
		Signature:     sig64,
	}
	for _, tc := range []struct {
		name, header string
		want         Authorization
		code, msg    string
	}{
		{name: "sdk form", want: valid,
			header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + sig64},
		{name: "no spaces, other order", want: valid,
			header: "AWS4-HMAC-SHA256 Signature=" + sig64 + ",SignedHeaders=content-type;host;x-amz-date;x-amz-target,Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request"},
		{name: "empty", header: "", code: CodeIncompleteSignature,
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization="},
		{name: "sigv2", header: "AWS AKIDEXAMPLE:qaNdqGsI6bq4Hi+9Gzovwyjbh0E=", code: CodeIncompleteSignature,
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS AKIDEXAMPLE:qaNdqGsI6bq4Hi+9Gzovwyjbh0E="},
		{name: "only credential", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request", code: CodeIncompleteSignature,
			msg: "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request"},
		{name: "empty signature", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=", code: CodeIncompleteSignature,
			msg: "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature="},
		{name: "space after equals", header: "AWS4-HMAC-SHA256 Credential= AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=" + sig64, code: CodeIncompleteSignature,
			msg: "'AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential= AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=" + sig64 + "'."},
		{name: "unknown parameter", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=" + sig64 + ", Extra=1", code: CodeIncompleteSignature,
			msg: "The authorization header is malformed; 'Extra' is not a parameter of AWS4-HMAC-SHA256."},
		{name: "duplicate parameter", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, SignedHeaders=host, Signature=" + sig64, code: CodeIncompleteSignature,
			msg: "The authorization header is malformed; 'SignedHeaders' appears more than once."},
		{name: "short credential", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/aws4_request, SignedHeaders=host, Signature=" + sig64, code: CodeIncompleteSignature,
			msg: `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`},
		{name: "empty key id", header: "AWS4-HMAC-SHA256 Credential=/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=" + sig64, code: CodeIncompleteSignature,
			msg: `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`},
		{name: "bad day", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261323/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=" + sig64, code: CodeIncompleteSignature,
			msg: `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`},
		{name: "bad region", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/US_EAST/cognito-idp/aws4_request, SignedHeaders=host, Signature=" + sig64, code: CodeInvalidSignature,
			msg: "Credential should be scoped to a valid region, not 'US_EAST'. "},
		{name: "bad terminator", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_requests, SignedHeaders=host, Signature=" + sig64, code: CodeInvalidSignature,
			msg: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requests'. "},
		{name: "host not signed", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=x-amz-date, Signature=" + sig64, code: CodeIncompleteSignature,
			msg: "'Host' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "unsorted headers", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=x-amz-date;host, Signature=" + sig64, code: CodeIncompleteSignature,
			msg: "The authorization header is malformed; SignedHeaders must be lowercase header names, sorted and separated by ';'."},
		{name: "uppercase header", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=Host, Signature=" + sig64, code: CodeIncompleteSignature,
			msg: "The authorization header is malformed; SignedHeaders must be lowercase header names, sorted and separated by ';'."},
		{name: "repeated header", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;host, Signature=" + sig64, code: CodeIncompleteSignature,
			msg: "The authorization header is malformed; SignedHeaders must be lowercase header names, sorted and separated by ';'."},
		{name: "empty header name", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=;host, Signature=" + sig64, code: CodeIncompleteSignature,
			msg: "The authorization header is malformed; SignedHeaders must be lowercase header names, sorted and separated by ';'."},
		{name: "short signature", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=" + sig64[1:], code: CodeIncompleteSignature,
			msg: "The authorization header is malformed; the Signature must be 64 lowercase hexadecimal digits."},
		{name: "uppercase signature", header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=" + strings.ToUpper(sig64), code: CodeIncompleteSignature,
			msg: "The authorization header is malformed; the Signature must be 64 lowercase hexadecimal digits."},
		{name: "other algorithm", header: "AWS4-HMAC-SHA512 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=" + sig64, code: CodeIncompleteSignature,
			msg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA512 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=" + sig64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAuthorization(tc.header)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("got %+v, want %+v", got, tc.want)
				}
				return
			}
			wantError(t, err, tc.code, tc.msg)
		})
	}
}

func TestRegionOf(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/eu-west-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=" + sig64, "eu-west-1"},
		// A bad signature is the verifier's business; the scope still names a region.
		{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/eu-west-1/other/aws4_request, SignedHeaders=host, Signature=" + sig64, "eu-west-1"},
		{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/EU/cognito-idp/aws4_request, SignedHeaders=host, Signature=" + sig64, ""},
		{"Bearer eyJraWQiOiJ0ZXN0In0", ""},
		{"", ""},
	} {
		r, _ := http.NewRequest("POST", "http://localhost/", nil)
		if tc.header != "" {
			r.Header.Set("Authorization", tc.header)
		}
		if got := RegionOf(r); got != tc.want {
			t.Errorf("RegionOf(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

func wantError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want %s: %s", err, code, msg)
	}
	if e.Code != code || e.Message != msg {
		t.Errorf("got\n\t%s: %q\nwant\n\t%s: %q", e.Code, e.Message, code, msg)
	}
}
