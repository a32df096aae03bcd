// Package storetest is the conformance suite every store.Store backend passes:
// a backend is correct when Run passes on it. The suite checks behaviour the
// domain relies on and no backend detail: the sentinel errors each method
// documents, pagination order, atomicity and isolation of Update, races that
// the database must settle, and context cancellation.
package storetest
