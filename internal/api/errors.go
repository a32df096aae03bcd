package api

import (
	"context"
	"fmt"
)

// Error is an error that reaches the client as an AWS error: its code is the
// `__type`, its message the `message`.
type Error interface {
	error
	ErrorCode() string
	ErrorMessage() string
	HTTPStatus() int
}

// ProtocolError is an error of the AWS protocol itself, outside the model's error
// shapes: unknown operations, undecodable bodies, signature failures.
type ProtocolError struct {
	Code    string
	Message string
	Status  int
}

func (e *ProtocolError) Error() string        { return e.Code + ": " + e.Message }
func (e *ProtocolError) ErrorCode() string    { return e.Code }
func (e *ProtocolError) ErrorMessage() string { return e.Message }
func (e *ProtocolError) HTTPStatus() int      { return e.Status }

func unsupported(op string) error {
	return &UnsupportedOperationException{Message: fmt.Sprintf("Cognate does not implement %s yet.", op)}
}

// Input is a request of one operation.
type Input interface {
	Validate() error
}

// Operation is one row of the operation table.
type Operation struct {
	Name string
	// Signed is true when the caller must sign the request with SigV4
	// (an administrator's call); false for the operations the model marks noAuth.
	Signed bool
	// Errors are the error shapes the model allows the operation to return.
	Errors   []string
	NewInput func() Input
	Call     func(ctx context.Context, s Service, in Input) (any, error)
}

// Value returns *p, or the zero value when p is nil.
func Value[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
