package cognito

import (
	"context"
	"errors"
	"strings"
	"testing"

	"cognate/internal/api"
)

// FuzzRender: any template renders without panicking, and no placeholder
// of Cognito's survives.
func FuzzRender(f *testing.F) {
	f.Add("Your code is {####}.", "alice", "123456", "https://x/confirmUser?a=b")
	f.Add("{username} {####} {##Verify Email##} {##", "a{####}b", "{username}", "")
	f.Add("{##{##nested##}##}", "", "", "link")
	f.Fuzz(func(t *testing.T, template, username, code, link string) {
		out := render(template, username, code)
		if strings.Contains(template, "{####}") && !strings.Contains(out, code) {
			t.Fatalf("render(%q) = %q lost the code", template, out)
		}
		linked := renderLink(template, link)
		if linkPlaceholder.MatchString(template) && !strings.Contains(linked, link) {
			t.Fatalf("renderLink(%q) = %q lost the link", template, linked)
		}
	})
}

// FuzzConfirmSignUp submits arbitrary codes: only the code that was sent
// confirms the user; anything else is a Cognito error, never a panic or an
// internal error.
func FuzzConfirmSignUp(f *testing.F) {
	s, st := newTestService(f)
	ctx := context.Background()
	p, err := s.CreateUserPool(ctx, &api.CreateUserPoolInput{PoolName: new("fuzz"),
		AutoVerifiedAttributes: []api.VerifiedAttributeType{api.VerifiedAttributeTypeEmail}})
	if err != nil {
		f.Fatal(err)
	}
	c, err := s.CreateUserPoolClient(ctx, &api.CreateUserPoolClientInput{UserPoolId: p.UserPool.Id, ClientName: new("app")})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := s.SignUp(ctx, &api.SignUpInput{ClientId: c.UserPoolClient.ClientId, Username: new("alice"),
		Password: new("Correct-Horse-42"), UserAttributes: []api.AttributeType{{Name: new("email"), Value: new("a@example.com")}}}); err != nil {
		f.Fatal(err)
	}
	msgs, err := st.ListMessages(ctx, *p.UserPool.Id, "alice", 1)
	if err != nil || len(msgs) != 1 {
		f.Fatalf("no code sent: %v", err)
	}
	sent := msgs[0].Code
	f.Add("000000")
	f.Add("")
	f.Add("12345\x00")
	f.Add(strings.Repeat("9", 2048))
	f.Fuzz(func(t *testing.T, code string) {
		_, err := s.ConfirmSignUp(ctx, &api.ConfirmSignUpInput{ClientId: c.UserPoolClient.ClientId, Username: new("alice"), ConfirmationCode: &code})
		if err == nil {
			if code != sent {
				t.Fatalf("code %q confirmed the user; the code sent was %q", code, sent)
			}
			return
		}
		var apiErr api.Error
		if !errors.As(err, &apiErr) {
			t.Fatalf("not a Cognito error: %v", err)
		}
		if _, internal := err.(*api.InternalErrorException); internal {
			t.Fatalf("internal error: %v", err)
		}
	})
}
