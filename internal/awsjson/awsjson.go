// Package awsjson is the wire edge of the Cognito API: AWS JSON 1.1 over
// `POST /`. It reads a request within limits, finds the operation from
// X-Amz-Target in the generated table, authenticates it, decodes and validates
// the body, calls the service and writes the response or the AWS-shaped error.
// It is the one place that turns errors into what a client sees.
package awsjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"runtime/debug"
	"strings"

	"cognate/internal/api"

	"github.com/google/uuid"
)

// DefaultMaxBody bounds a request body; Cognito's largest inputs (branding
// assets, long templates) stay well below it.
const DefaultMaxBody = 4 << 20

// ContentType is the media type of requests and responses.
const ContentType = "application/x-amz-json-1.1"

// Authenticator checks a signed request and returns the region of its credential
// scope and the access key that signed it. Its errors must be api.Error values:
// they are shown to the client as they are.
type Authenticator func(r *http.Request, body []byte) (region, accessKeyID string, err error)

// Handler serves the Cognito API.
type Handler struct {
	Service api.Service
	// Authenticate verifies operations the model marks as signed.
	Authenticate Authenticator
	// RegionOf returns the region a request's credential scope names, if any,
	// for operations that need no signature.
	RegionOf func(r *http.Request) string
	// Region is used when a request names none.
	Region  string
	Logger  *slog.Logger
	MaxBody int64
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := uuid.NewString() // the shape of AWS request IDs
	w.Header().Set("x-amzn-RequestId", reqID)
	out, err := h.serve(r, reqID)
	if err != nil {
		h.writeError(w, r, reqID, err)
		return
	}
	body, err := json.Marshal(out)
	if err != nil {
		h.writeError(w, r, reqID, fmt.Errorf("encode response: %w", err))
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}

func (h *Handler) serve(r *http.Request, reqID string) (out any, err error) {
	if r.Method != http.MethodPost {
		return nil, &api.ProtocolError{Code: "UnknownOperationException", Message: "The Cognito API is served by POST / with an X-Amz-Target header.", Status: http.StatusBadRequest}
	}
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, api.TargetPrefix+".")
	op := api.Operations[name]
	if !ok || op == nil {
		return nil, &api.ProtocolError{Code: "UnknownOperationException", Message: fmt.Sprintf("Unknown operation %q: X-Amz-Target must be %s.<Operation>.", target, api.TargetPrefix), Status: http.StatusBadRequest}
	}
	body, err := h.readBody(r)
	if err != nil {
		return nil, err
	}

	info := api.RequestInfo{Region: h.Region, RequestID: reqID, SourceIP: sourceIP(r)}
	if op.Signed {
		region, keyID, err := h.Authenticate(r, body)
		if err != nil {
			return nil, err
		}
		info.AccessKeyID = keyID
		if region != "" {
			info.Region = region
		}
	} else if h.RegionOf != nil {
		if region := h.RegionOf(r); region != "" {
			info.Region = region
		}
	}

	in := op.NewInput()
	if err := decode(body, in); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	ctx := api.WithRequestInfo(r.Context(), info)
	return h.call(ctx, op, in)
}

// call runs the operation; a panic becomes an internal error, not a dead
// connection.
func (h *Handler) call(ctx context.Context, op *api.Operation, in api.Input) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in %s: %v\n%s", op.Name, p, debug.Stack())
		}
	}()
	out, err = op.Call(ctx, h.Service, in)
	if err == nil && isNil(out) {
		out = struct{}{}
	}
	return out, err
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

func (h *Handler) readBody(r *http.Request) ([]byte, error) {
	max := h.MaxBody
	if max <= 0 {
		max = DefaultMaxBody
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, &api.ProtocolError{Code: "SerializationException", Message: "The request body could not be read.", Status: http.StatusBadRequest}
	}
	if int64(len(body)) > max {
		return nil, &api.ProtocolError{Code: "SerializationException", Message: fmt.Sprintf("The request body is larger than %d bytes.", max), Status: http.StatusRequestEntityTooLarge}
	}
	return body, nil
}

// decode reads one JSON object into in. An empty body is an empty object, as
// the SDKs send for operations without parameters.
func decode(body []byte, in api.Input) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(in); err != nil {
		return serializationError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &api.ProtocolError{Code: "SerializationException", Message: "The request body must hold exactly one JSON object.", Status: http.StatusBadRequest}
	}
	return nil
}

func serializationError(err error) error {
	var typeErr *json.UnmarshalTypeError
	msg := "The request body is not valid JSON."
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		msg = fmt.Sprintf("The value of %s has the wrong type: expected %s, got a JSON %s.", typeErr.Field, typeErr.Type, typeErr.Value)
	case errors.As(err, &typeErr):
		msg = fmt.Sprintf("The request body must be a JSON object, got a JSON %s.", typeErr.Value)
	case strings.Contains(err.Error(), "timestamp"):
		msg = "Timestamps must be epoch seconds as a JSON number."
	}
	return &api.ProtocolError{Code: "SerializationException", Message: msg, Status: http.StatusBadRequest}
}

// writeError writes the AWS error envelope. Only api.Error values reach the
// client as they are; anything else is logged with the request ID and answered
// with a fixed InternalErrorException.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, reqID string, err error) {
	var apiErr api.Error
	if !errors.As(err, &apiErr) {
		h.logger().ErrorContext(r.Context(), "internal error", "request_id", reqID, "target", r.Header.Get("X-Amz-Target"), "err", err)
		apiErr = &api.InternalErrorException{Message: "Internal error. The server log has the details under request ID " + reqID + "."}
	}
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message,omitempty"`
	}{apiErr.ErrorCode(), apiErr.ErrorMessage()})
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("x-amzn-ErrorType", apiErr.ErrorCode())
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(apiErr.HTTPStatus())
	w.Write(body)
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

// sourceIP is the address the request came from, as sign-in events record it.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
