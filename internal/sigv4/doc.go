// Package sigv4 checks AWS Signature Version 4 on administrators' requests:
// it parses the Authorization header and X-Amz-Date strictly, checks the
// credential scope and the clock, and recomputes the signature with
// aws-sdk-go-v2's own signer over exactly the headers the client signed, so
// that every AWS SDK, the AWS CLI and boto3 verify without canonicalization
// written by hand here. The comparison is constant-time.
//
// Refusals are *Error values carrying the error code and the wording AWS
// answers with; the protocol edge serializes them. The package also makes new
// access keys in AWS's shape. It knows which secret belongs to a key only
// through the lookup function it is given.
package sigv4
