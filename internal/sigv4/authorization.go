package sigv4

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Algorithm is the signing algorithm of every AWS SDK's header signatures.
const Algorithm = "AWS4-HMAC-SHA256"

// terminator ends every SigV4 credential scope.
const terminator = "aws4_request"

// Authorization is a parsed SigV4 Authorization header.
type Authorization struct {
	AccessKeyID string
	// Date is the credential scope's day, YYYYMMDD.
	Date    string
	Region  string
	Service string
	// SignedHeaders are lowercase and sorted, as the client sent them.
	SignedHeaders []string
	// Signature is 64 lowercase hexadecimal digits.
	Signature string
}

// ParseAuthorization parses an Authorization header of the form
//
//	AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=<64 hex digits>
//
// refusing anything else with the *Error AWS would answer.
func ParseAuthorization(h string) (Authorization, error) {
	a, missing, err := parse(h)
	if err != nil {
		return Authorization{}, err
	}
	if len(missing) > 0 {
		return Authorization{}, errIncomplete(missing, false, h)
	}
	return a, nil
}

// parse returns the parameters h lacks, in AWS's order, without checking the
// others, so that the caller can report them together with a missing date as
// AWS does.
func parse(h string) (a Authorization, missing []string, err error) {
	params := map[string]string{}
	if rest, ok := strings.CutPrefix(h, Algorithm+" "); ok {
		// AWS splits on spaces as well as commas: "Credential= AKID/…" is an
		// empty Credential followed by a part without "=".
		for _, part := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			key, value, ok := strings.Cut(part, "=")
			if !ok {
				return a, nil, errNotKeyValue(part, h)
			}
			switch key {
			case "Credential", "SignedHeaders", "Signature":
			default:
				return a, nil, errMalformed(fmt.Sprintf("'%s' is not a parameter of %s.", key, Algorithm))
			}
			if _, dup := params[key]; dup {
				return a, nil, errMalformed(fmt.Sprintf("'%s' appears more than once.", key))
			}
			params[key] = value
		}
	}
	// Any other scheme (SigV2's "AWS id:sig", a bearer token) lacks all three,
	// which is how AWS answers it.
	for _, p := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[p] == "" {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return a, missing, nil
	}
	if err := a.setCredential(params["Credential"]); err != nil {
		return a, nil, err
	}
	if a.SignedHeaders, err = parseSignedHeaders(params["SignedHeaders"]); err != nil {
		return a, nil, err
	}
	if a.Signature = params["Signature"]; !isSignature(a.Signature) {
		return a, nil, errMalformed("the Signature must be 64 lowercase hexadecimal digits.")
	}
	return a, nil, nil
}

func (a *Authorization) setCredential(c string) error {
	parts := strings.Split(c, "/")
	if len(parts) != 5 || slices.Contains(parts, "") || !isKeyID(parts[0]) || !isDay(parts[1]) {
		return errMalformedCredential()
	}
	if !isRegion(parts[2]) {
		return errRegion(parts[2])
	}
	if parts[4] != terminator {
		return errTerminator(parts[4])
	}
	a.AccessKeyID, a.Date, a.Region, a.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

func parseSignedHeaders(s string) ([]string, error) {
	names := strings.Split(s, ";")
	for i, n := range names {
		// Sorted and unique is how every signer writes them; anything else
		// could not have been signed the way the recomputation signs.
		if !isLowerToken(n) || i > 0 && n <= names[i-1] {
			return nil, errMalformed("SignedHeaders must be lowercase header names, sorted and separated by ';'.")
		}
	}
	if !slices.Contains(names, "host") {
		return nil, errNotSigned("Host")
	}
	return names, nil
}

// isKeyID accepts what IAM allows and more (moto-style "test" keys), but
// nothing that could not be echoed back safely.
func isKeyID(s string) bool {
	if len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

func isDay(s string) bool {
	t, err := time.Parse("20060102", s)
	return err == nil && t.Format("20060102") == s
}

// isRegion keeps regions to the characters AWS uses, because the region goes
// into pool IDs ("<region>_<id>") and ARNs.
func isRegion(s string) bool {
	if len(s) > 50 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('a' <= s[i] && s[i] <= 'z' || '0' <= s[i] && s[i] <= '9' || s[i] == '-') {
			return false
		}
	}
	return true
}

// isLowerToken reports whether s is a lowercase HTTP header name (RFC 9110 token).
func isLowerToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

func isSignature(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}
