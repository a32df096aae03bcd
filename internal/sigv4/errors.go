package sigv4

import (
	"fmt"
	"strings"
)

// Error is a refused request, worded as AWS words it: clients and people
// searching for the message both rely on the wording.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// The error codes AWS answers signature problems with.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	CodeIncompleteSignature        = "IncompleteSignatureException"
	CodeInvalidSignature           = "InvalidSignatureException"
	CodeUnrecognizedClient         = "UnrecognizedClientException"
)

// The messages below are AWS's own where AWS's is known, down to the odd
// trailing space of the credential-scope ones. Where it is not known they
// borrow the shape of the nearest AWS message: S3's "The authorization header
// is malformed; …", or "'Host' must be a 'SignedHeader' …" for other headers.

func errMissingToken() *Error {
	return &Error{CodeMissingAuthenticationToken, "Missing Authentication Token"}
}

// errIncomplete lists what the request lacks, one sentence each, and echoes the
// header, as AWS does.
func errIncomplete(missing []string, noDate bool, header string) *Error {
	var b strings.Builder
	for _, p := range missing {
		fmt.Fprintf(&b, "Authorization header requires '%s' parameter. ", p)
	}
	if noDate {
		b.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	b.WriteString("Authorization=" + header)
	return &Error{CodeIncompleteSignature, b.String()}
}

func errNotKeyValue(part, header string) *Error {
	return &Error{CodeIncompleteSignature, fmt.Sprintf("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", part, header)}
}

func errMalformed(detail string) *Error {
	return &Error{CodeIncompleteSignature, "The authorization header is malformed; " + detail}
}

func errMalformedCredential() *Error {
	return errMalformed(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`)
}

func errNotSigned(header string) *Error {
	return &Error{CodeIncompleteSignature, fmt.Sprintf("'%s' must be a 'SignedHeader' in the AWS Authorization.", header)}
}

func errBadDate(value string) *Error {
	return &Error{CodeIncompleteSignature, fmt.Sprintf("X-Amz-Date must be one UTC time stamp of the form YYYYMMDD'T'HHMMSS'Z', such as 20150830T123600Z, not '%s'.", value)}
}

func errRegion(region string) *Error {
	return &Error{CodeInvalidSignature, fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. ", region)}
}

func errTerminator(term string) *Error {
	return &Error{CodeInvalidSignature, fmt.Sprintf("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ", term)}
}

func errService(want string) *Error {
	return &Error{CodeInvalidSignature, fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", want)}
}

func errScopeDate(scope, date, stamp string) *Error {
	return &Error{CodeInvalidSignature, fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", scope, date, stamp)}
}

func errExpired(stamp, limit, now string) *Error {
	return &Error{CodeInvalidSignature, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 5 min.)", stamp, limit, now)}
}

func errNotYetCurrent(stamp, limit, now string) *Error {
	return &Error{CodeInvalidSignature, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 5 min.)", stamp, limit, now)}
}

func errUnknownKey() *Error {
	return &Error{CodeUnrecognizedClient, "The security token included in the request is invalid."}
}

func errMismatch() *Error {
	return &Error{CodeInvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
}
