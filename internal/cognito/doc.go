// Package cognito is the domain: it implements api.Service with Cognito's rules,
// one file per area (user pools, app clients, …), on top of the store.Store
// interface it owns. It chooses every error a client sees and its wording
// (messages.go); it knows nothing of HTTP.
package cognito
