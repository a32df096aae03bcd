package server

import (
	"encoding/json"
	"errors"
	"net/http"

	"cognate/internal/cognito"
)

// jwks serves GET /{poolId}/.well-known/jwks.json: the keys that verify the
// pool's tokens, as Cognito publishes them under the issuer.
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	body, err := s.Service.JWKS(r.Context(), r.PathValue("poolId"))
	if err != nil {
		s.wellKnownError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(body)
}

// openIDConfiguration serves GET /{poolId}/.well-known/openid-configuration.
func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	doc, err := s.Service.OpenIDConfiguration(r.Context(), r.PathValue("poolId"))
	if err != nil {
		s.wellKnownError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(doc)
}

func (s *Server) wellKnownError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, cognito.ErrPoolNotFound) {
		http.Error(w, "no such user pool", http.StatusNotFound)
		return
	}
	s.cfg.Logger.Error("well-known endpoint failed", "path", r.URL.Path, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}
