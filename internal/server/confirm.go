package server

import (
	"errors"
	"html/template"
	"net/http"

	"cognate/internal/api"
)

var confirmPage = template.Must(template.New("confirm").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p></body></html>
`))

// confirmUser serves GET /confirmUser?client_id=…&user_name=…&confirmation_code=…,
// the link of a CONFIRM_WITH_LINK sign-up message: opening it confirms the
// user, as Cognito's hosted endpoint of the same name does.
func (s *Server) confirmUser(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	clientID, username, code := q.Get("client_id"), q.Get("user_name"), q.Get("confirmation_code")
	page := struct{ Title, Text string }{"Registration confirmed", "Your registration has been confirmed. You can now sign in."}
	status := http.StatusOK
	if clientID == "" || username == "" || code == "" {
		page, status = struct{ Title, Text string }{"Invalid link", "The link is incomplete: open the whole link from the message."}, http.StatusBadRequest
	} else if err := s.Service.ConfirmSignUpByLink(r.Context(), clientID, username, code); err != nil {
		var apiErr api.Error
		if !errors.As(err, &apiErr) {
			s.cfg.Logger.Error("confirming a sign-up by link failed", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		page, status = struct{ Title, Text string }{"Registration not confirmed", apiErr.ErrorMessage()}, http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	confirmPage.Execute(w, page)
}
