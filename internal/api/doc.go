// Package api is Cognate's view of the Cognito User Pools API, generated from
// the AWS model: request and response types, the error shapes, the operation
// table, the Service interface and the model's validation rules.
//
// Files ending in _gen.go are written by internal/gen; the rest is the small
// hand-written support they rely on. Identifiers keep the model's names exactly
// (UserPoolId, not UserPoolID) so that they can be matched against AWS's
// documentation and the AWS SDKs; this is the one place where Go's initialism
// convention is set aside.
package api
