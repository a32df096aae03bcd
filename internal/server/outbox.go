package server

import (
	"encoding/json"
	"errors"
	"net/http"

	"cognate/internal/api"
	"cognate/internal/sigv4"
)

// adminEndpoint guards one of Cognate's own administrator endpoints: the
// request is SigV4-signed like administrator calls of the API, except in
// --dev mode, where it needs no signature at all so that curl can read it.
func (s *Server) adminEndpoint(v *sigv4.Verifier, h http.HandlerFunc) http.Handler {
	auth := authenticator(v)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.cfg.Dev {
			if _, _, err := auth(r, nil); err != nil {
				writeJSONError(w, err)
				return
			}
		}
		h(w, r)
	})
}

// writeJSON answers an administrator endpoint: the value, or the error as
// the API would (an error that is not Cognito's is logged with what failed).
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, what string, v any, err error) {
	if err != nil {
		var apiErr api.Error
		if !errors.As(err, &apiErr) {
			s.cfg.Logger.ErrorContext(r.Context(), what+" failed", "err", err)
		}
		writeJSONError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// outbox serves GET /_cognate/outbox?userPoolId=…&username=…: the messages
// sent to a user, newest first, so that tests and developers can read the
// codes they were sent, with how far delivery got (Status, Attempts,
// LastError, SentAt or NextAttempt).
func (s *Server) outbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	poolID, username := q.Get("userPoolId"), q.Get("username")
	if poolID == "" || username == "" {
		writeJSONError(w, &api.InvalidParameterException{Message: "userPoolId and username are required query parameters."})
		return
	}
	msgs, err := s.Service.Messages(r.Context(), poolID, username, 100)
	s.writeJSON(w, r, "outbox read", map[string]any{"Messages": msgs}, err)
}

func writeJSONError(w http.ResponseWriter, err error) {
	var apiErr api.Error
	if !errors.As(err, &apiErr) {
		apiErr = &api.InternalErrorException{Message: "Internal error."}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", apiErr.ErrorCode())
	w.WriteHeader(apiErr.HTTPStatus())
	json.NewEncoder(w).Encode(map[string]string{"__type": apiErr.ErrorCode(), "message": apiErr.ErrorMessage()})
}
