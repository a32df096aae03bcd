package cognito

import (
	"context"
	"errors"
	"testing"

	"cognate/internal/api"
)

// signInFixture makes a pool, a client allowing every flow and a confirmed
// user, and starts an SRP sign-in whose challenge the fuzzer answers.
func signInFixture(t testing.TB, s *Service) (clientID string, challenge map[string]string) {
	ctx := context.Background()
	p, err := s.CreateUserPool(ctx, &api.CreateUserPoolInput{PoolName: new("fuzz")})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateUserPoolClient(ctx, &api.CreateUserPoolClientInput{UserPoolId: p.UserPool.Id, ClientName: new("app"),
		ExplicitAuthFlows: []api.ExplicitAuthFlowsType{api.ExplicitAuthFlowsTypeAllowUserSrpAuth, api.ExplicitAuthFlowsTypeAllowUserPasswordAuth, api.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AdminCreateUser(ctx, &api.AdminCreateUserInput{UserPoolId: p.UserPool.Id, Username: new("alice"), MessageAction: api.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AdminSetUserPassword(ctx, &api.AdminSetUserPasswordInput{UserPoolId: p.UserPool.Id, Username: new("alice"), Password: new("Correct-Horse-42"), Permanent: new(true)}); err != nil {
		t.Fatal(err)
	}
	init, err := s.InitiateAuth(ctx, &api.InitiateAuthInput{ClientId: c.UserPoolClient.ClientId, AuthFlow: api.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": "02"}})
	if err != nil {
		t.Fatal(err)
	}
	return *c.UserPoolClient.ClientId, init.ChallengeParameters
}

// FuzzRespondToAuthChallenge answers challenges with arbitrary values: every
// answer must be refused with a Cognito error, never a panic, an internal
// error or tokens.
func FuzzRespondToAuthChallenge(f *testing.F) {
	s, _ := newTestService(f)
	clientID, challenge := signInFixture(f, s)
	block := challenge["SECRET_BLOCK"]
	f.Add("PASSWORD_VERIFIER", "alice", block, "c2lnbmF0dXJl", "Tue Dec 1 20:05:09 UTC 2026", "", "")
	f.Add("PASSWORD_VERIFIER", "alice", block, "", "Tue Dec 01 20:05:09 UTC 2026", "", "")
	f.Add("PASSWORD_VERIFIER", "", "!!", "%%%", "yesterday", "", "x")
	f.Add("NEW_PASSWORD_REQUIRED", "alice", "", "", "", "New-Password-1", block)
	f.Add("SMS_MFA", "alice", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, challengeName, username, secretBlock, signature, timestamp, newPassword, session string) {
		ctx := context.Background()
		out, err := s.RespondToAuthChallenge(ctx, &api.RespondToAuthChallengeInput{
			ClientId: &clientID, ChallengeName: api.ChallengeNameType(challengeName), Session: &session,
			ChallengeResponses: map[string]string{"USERNAME": username, "PASSWORD_CLAIM_SECRET_BLOCK": secretBlock,
				"PASSWORD_CLAIM_SIGNATURE": signature, "TIMESTAMP": timestamp, "NEW_PASSWORD": newPassword},
		})
		var apiErr api.Error
		if err == nil || !errors.As(err, &apiErr) {
			t.Fatalf("answer accepted or not refused with a Cognito error: %+v, %v", out, err)
		}
		if _, internal := err.(*api.InternalErrorException); internal {
			t.Fatalf("internal error: %v", err)
		}
	})
}

// FuzzPoolOfToken: any string may come as an access token.
func FuzzPoolOfToken(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwOi8veC91cy1lYXN0LTFfYWJjIn0.c2ln")
	f.Add("a.b.c")
	f.Add("....")
	f.Fuzz(func(t *testing.T, token string) {
		if id, ok := poolOfToken(token); ok && id == "" {
			t.Fatalf("poolOfToken(%q) found an empty pool ID", token)
		}
	})
}
