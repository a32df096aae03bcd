package server

import (
	"encoding/json"
	"errors"
	"net/http"

	"cognate/internal/api"
	"cognate/internal/sigv4"
)

// outboxHandler serves GET /_cognate/outbox?userPoolId=…&username=…: the
// messages sent to a user, newest first, so that tests and developers can read
// the codes they were sent, with how far delivery got (Status, Attempts,
// LastError, SentAt or NextAttempt). It is an administrator's call
// (SigV4-signed, open in --dev mode, where it needs no signature at all so
// that curl can read it).
func (s *Server) outboxHandler(v *sigv4.Verifier) http.Handler {
	auth := authenticator(v)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.cfg.Dev {
			if _, _, err := auth(r, nil); err != nil {
				writeJSONError(w, err)
				return
			}
		}
		q := r.URL.Query()
		poolID, username := q.Get("userPoolId"), q.Get("username")
		if poolID == "" || username == "" {
			writeJSONError(w, &api.InvalidParameterException{Message: "userPoolId and username are required query parameters."})
			return
		}
		msgs, err := s.Service.Messages(r.Context(), poolID, username, 100)
		if err != nil {
			var apiErr api.Error
			if !errors.As(err, &apiErr) {
				s.cfg.Logger.ErrorContext(r.Context(), "outbox read failed", "err", err)
			}
			writeJSONError(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"Messages": msgs})
	})
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
