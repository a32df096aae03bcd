package api

import "context"

// RequestInfo is what the HTTP edge learned about a request that the domain
// needs: the region of the caller's credential scope (or the configured one),
// the access key that signed it, the request ID for logs, and the address
// the request came from.
type RequestInfo struct {
	Region      string
	AccessKeyID string
	RequestID   string
	SourceIP    string
}

type requestInfoKey struct{}

// WithRequestInfo returns ctx carrying info.
func WithRequestInfo(ctx context.Context, info RequestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, info)
}

// RequestInfoFrom returns the RequestInfo that ctx carries, or the zero value.
func RequestInfoFrom(ctx context.Context) RequestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(RequestInfo)
	return info
}
