package e2e_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"cognate/internal/cognatetest"
	"cognate/internal/server"
)

// racers is how many requests race, half on each node.
const racers = 16

// twoNodes starts two servers on one PostgreSQL schema, sharing an instance
// key and a public URL (the issuer of their tokens), as two nodes of one
// deployment behind one address.
func twoNodes(t *testing.T) (*cognatetest.Server, *cognatetest.Server) {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	a := cognatetest.Start(t, cognatetest.Postgres, func(c *server.Config) { c.InstanceKey = base64.StdEncoding.EncodeToString(key) })
	cfg := a.Config
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	b := cognatetest.StartConfig(t, cfg)
	return a, b
}

// race runs call(i) for i in [0, racers) at once, even i on node a and odd on
// node b, and returns each call's error.
func race(a, b *cognatetest.Server, call func(c *cip.Client, i int) error) []error {
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		c := a.Client
		if i%2 == 1 {
			c = b.Client
		}
		wg.Go(func() {
			<-start
			errs[i] = call(c, i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// tally counts the successes and checks that every failure is the error code.
func tally(t *testing.T, errs []error, code string) (winners []int) {
	t.Helper()
	for i, err := range errs {
		var apiErr smithy.APIError
		switch {
		case err == nil:
			winners = append(winners, i)
		case errors.As(err, &apiErr) && apiErr.ErrorCode() == code:
		default:
			t.Errorf("racer %d: %v, want success or %s", i, err, code)
		}
	}
	return winners
}

func TestAdminCreateUser_RaceAcrossNodes(t *testing.T) {
	a, b := twoNodes(t)
	pool := newPool(t, a.Client, "race")
	for round := range 3 {
		username := fmt.Sprintf("contested-%d", round)
		errs := race(a, b, func(c *cip.Client, i int) error {
			_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
				UserPoolId: &pool, Username: &username, MessageAction: types.MessageActionTypeSuppress,
				UserAttributes: userAttrs("given_name", fmt.Sprint(i)),
			})
			return err
		})
		winners := tally(t, errs, "UsernameExistsException")
		if len(winners) != 1 {
			t.Fatalf("round %d: %d requests created %s, want exactly one", round, len(winners), username)
		}
		// Both nodes see the winner's user.
		for _, node := range []*cognatetest.Server{a, b} {
			u := getUser(t, node.Client, pool, username)
			wantAttr(t, u.UserAttributes, "given_name", fmt.Sprint(winners[0]), true)
		}
	}
	if n := describePool(t, b.Client, pool).EstimatedNumberOfUsers; n != 3 {
		t.Errorf("EstimatedNumberOfUsers = %d, want 3", n)
	}
}

func TestAdminUpdateUserAttributes_AliasRaceAcrossNodes(t *testing.T) {
	a, b := twoNodes(t)
	pool := aliasPool(t, a.Client)
	for i := range racers {
		createUser(t, a.Client, pool, fmt.Sprintf("user%02d", i), "email", fmt.Sprintf("own%02d@example.com", i))
	}
	for round := range 3 {
		shared := fmt.Sprintf("shared%d@example.com", round)
		errs := race(a, b, func(c *cip.Client, i int) error {
			_, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
				UserPoolId: &pool, Username: aws.String(fmt.Sprintf("user%02d", i)),
				UserAttributes: userAttrs("email", shared, "email_verified", "true"),
			})
			return err
		})
		winners := tally(t, errs, "AliasExistsException")
		if len(winners) != 1 {
			t.Fatalf("round %d: %d users claimed %s, want exactly one", round, len(winners), shared)
		}
		winner := fmt.Sprintf("user%02d", winners[0])
		for _, node := range []*cognatetest.Server{a, b} {
			if got := aws.ToString(getUser(t, node.Client, pool, shared).Username); got != winner {
				t.Errorf("round %d: %s resolves to %s, want %s", round, shared, got, winner)
			}
			// The losers' changes were not applied at all.
			list := must[*cip.ListUsersOutput](t)(node.Client.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &pool, Filter: aws.String(`email = "` + shared + `"`)}))
			if len(list.Users) != 1 || aws.ToString(list.Users[0].Username) != winner {
				t.Errorf("round %d: users with email %s: %v, want [%s]", round, shared, userNames(list.Users), winner)
			}
		}
	}
}

// Tokens minted on one node are accepted, refreshed and revoked on the
// other, and a challenge issued by one is answered on the other, exactly once.
func TestSignIn_AcrossNodes(t *testing.T) {
	a, b := twoNodes(t)
	poolID, clientID := signInPool(t, a.Client)

	res := must[*cip.InitiateAuthOutput](t)(passwordAuth(a.Client, clientID, "alice", password)).AuthenticationResult
	must[*cip.GetUserOutput](t)(b.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken}))
	refreshed := must[*cip.InitiateAuthOutput](t)(b.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID,
		AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken)}})).AuthenticationResult
	must[*cip.GetUserOutput](t)(a.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: refreshed.AccessToken}))
	must[*cip.RevokeTokenOutput](t)(b.Client.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: &clientID, Token: res.RefreshToken}))
	for _, tok := range []*string{res.AccessToken, refreshed.AccessToken} {
		_, err := a.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: tok})
		wantErr(t, err, "NotAuthorizedException", "Access Token has been revoked")
	}

	// Racing answers to one NEW_PASSWORD_REQUIRED challenge on both nodes:
	// one wins, the others find the session used up.
	createSignInUser(t, a.Client, poolID, "bob", "Temporary-Pass-1", false)
	challenge := must[*cip.InitiateAuthOutput](t)(passwordAuth(a.Client, clientID, "bob", "Temporary-Pass-1"))
	errs := race(a, b, func(c *cip.Client, i int) error {
		_, err := c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID, Session: challenge.Session,
			ChallengeName:      types.ChallengeNameTypeNewPasswordRequired,
			ChallengeResponses: map[string]string{"USERNAME": "bob", "NEW_PASSWORD": fmt.Sprintf("Racer-Pass-%02d", i)}})
		return err
	})
	if winners := tally(t, errs, "NotAuthorizedException"); len(winners) != 1 {
		t.Fatalf("%d answers to one challenge succeeded", len(winners))
	}
}

// A node signs in on its copy of the app client, and sees at once what
// another node changes: flows, validity, secrets, the pool, the client's
// existence.
func TestSignIn_ClientChangesAcrossNodes(t *testing.T) {
	a, b := twoNodes(t)
	clientChanges(t, a, b)
}

// On one node, on either backend, the node's own changes apply at once too.
func TestSignIn_ClientChanges(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) { clientChanges(t, s, s) })
}

// clientChanges changes clients and the pool through a and signs in
// through b after each change.
func clientChanges(t *testing.T, a, b *cognatetest.Server) {
	poolID, clientID := signInPool(t, a.Client)
	signIn := func() (*cip.InitiateAuthOutput, error) { return passwordAuth(b.Client, clientID, "alice", password) }
	srp := func(params map[string]string) error {
		_, err := srpAuth(t, b.Client, poolID, clientID, "alice", password, params)
		return err
	}
	must[*cip.InitiateAuthOutput](t)(signIn())
	update := func(change func(in *cip.UpdateUserPoolClientInput)) {
		t.Helper()
		in := &cip.UpdateUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID, ExplicitAuthFlows: allFlows}
		change(in)
		must[*cip.UpdateUserPoolClientOutput](t)(a.Client.UpdateUserPoolClient(ctx, in))
	}

	update(func(in *cip.UpdateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth}
	})
	_, err := signIn()
	wantErr(t, err, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
	update(func(in *cip.UpdateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth}
	})
	res := must[*cip.InitiateAuthOutput](t)(signIn()).AuthenticationResult
	err = srp(nil)
	wantErr(t, err, "InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client")
	refresh := func() (*cip.InitiateAuthOutput, error) {
		return b.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken)}})
	}
	_, err = refresh()
	wantErr(t, err, "InvalidParameterException", "REFRESH_TOKEN_AUTH flow not enabled for this client")
	update(func(in *cip.UpdateUserPoolClientInput) {})
	must[*cip.InitiateAuthOutput](t)(refresh())

	update(func(in *cip.UpdateUserPoolClientInput) {
		in.AccessTokenValidity, in.TokenValidityUnits = aws.Int32(10), &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes}
	})
	if got := must[*cip.InitiateAuthOutput](t)(refresh()).AuthenticationResult.ExpiresIn; got != 600 {
		t.Fatalf("ExpiresIn %d of a refresh after the validity changed on the other node, want 600", got)
	}
	update(func(in *cip.UpdateUserPoolClientInput) {
		in.AccessTokenValidity, in.TokenValidityUnits = aws.Int32(20), &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes}
	})
	if got := must[*cip.InitiateAuthOutput](t)(signIn()).AuthenticationResult.ExpiresIn; got != 1200 {
		t.Fatalf("ExpiresIn %d after the validity changed on the other node, want 1200", got)
	}
	// A challenge answered after a change made on the other node.
	answered := must[*cip.RespondToAuthChallengeOutput](t)(srpAuth(t, b.Client, poolID, clientID, "alice", password, nil, func() {
		update(func(in *cip.UpdateUserPoolClientInput) {
			in.AccessTokenValidity, in.TokenValidityUnits = aws.Int32(30), &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes}
		})
	}))
	if got := answered.AuthenticationResult.ExpiresIn; got != 1800 {
		t.Fatalf("ExpiresIn %d of a challenge answered after the validity changed on the other node, want 1800", got)
	}

	// Of a client with a secret, a secret added is accepted at once, and a
	// deleted one refused.
	confidential := must[*cip.CreateUserPoolClientOutput](t)(a.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID,
		ClientName: aws.String("confidential"), ExplicitAuthFlows: allFlows, GenerateSecret: true})).UserPoolClient
	withSecret := func(secret string) (*cip.InitiateAuthOutput, error) {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte("alice" + aws.ToString(confidential.ClientId)))
		return b.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: confidential.ClientId, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password, "SECRET_HASH": base64.StdEncoding.EncodeToString(m.Sum(nil))}})
	}
	first := aws.ToString(confidential.ClientSecret)
	must[*cip.InitiateAuthOutput](t)(withSecret(first))
	added := must[*cip.AddUserPoolClientSecretOutput](t)(a.Client.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: &poolID, ClientId: confidential.ClientId}))
	must[*cip.InitiateAuthOutput](t)(withSecret(aws.ToString(added.ClientSecretDescriptor.ClientSecretValue)))
	secrets := must[*cip.ListUserPoolClientSecretsOutput](t)(a.Client.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: &poolID, ClientId: confidential.ClientId}))
	for _, sec := range secrets.ClientSecrets {
		if aws.ToString(sec.ClientSecretId) != aws.ToString(added.ClientSecretDescriptor.ClientSecretId) {
			must[*cip.DeleteUserPoolClientSecretOutput](t)(a.Client.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: &poolID,
				ClientId: confidential.ClientId, ClientSecretId: sec.ClientSecretId}))
		}
	}
	_, err = withSecret(first)
	wantErr(t, err, "NotAuthorizedException", "Unable to verify secret hash")

	must[*cip.DeleteUserPoolClientOutput](t)(a.Client.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID}))
	_, err = refresh()
	wantErr(t, err, "ResourceNotFoundException", "User pool client "+clientID+" does not exist.")
	_, err = signIn()
	wantErr(t, err, "ResourceNotFoundException", "User pool client "+clientID+" does not exist.")

	// A deleted pool takes its clients along.
	clientID = aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(a.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID,
		ClientName: aws.String("again"), ExplicitAuthFlows: allFlows})).UserPoolClient.ClientId)
	must[*cip.InitiateAuthOutput](t)(signIn())
	must[*cip.DeleteUserPoolOutput](t)(a.Client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &poolID}))
	_, err = signIn()
	wantErr(t, err, "ResourceNotFoundException", "User pool client "+clientID+" does not exist.")
}

// A node checks access tokens on its copy of the pool, and sees at once a
// pool changed on another node.
func TestAccessToken_PoolChangesAcrossNodes(t *testing.T) {
	a, b := twoNodes(t)
	poolChanges(t, a, b)
}

// On one node, on either backend, the node's own changes apply at once too.
func TestAccessToken_PoolChanges(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) { poolChanges(t, s, s) })
}

// poolChanges changes the pool through a and checks an access token
// through b after each change.
func poolChanges(t *testing.T, a, b *cognatetest.Server) {
	poolID, clientID := signInPool(t, a.Client)
	token := must[*cip.InitiateAuthOutput](t)(passwordAuth(a.Client, clientID, "alice", password)).AuthenticationResult.AccessToken
	must[*cip.GetUserOutput](t)(b.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: token}))

	must[*cip.AddCustomAttributesOutput](t)(a.Client.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: &poolID,
		CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}}}))
	must[*cip.UpdateUserAttributesOutput](t)(b.Client.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: token,
		UserAttributes: userAttrs("custom:tier", "gold")}))
	got := must[*cip.GetUserOutput](t)(b.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: token}))
	if !slices.ContainsFunc(got.UserAttributes, func(a types.AttributeType) bool {
		return aws.ToString(a.Name) == "custom:tier" && aws.ToString(a.Value) == "gold"
	}) {
		t.Fatalf("custom:tier not set: %v", got.UserAttributes)
	}

	// A client changed on the other node moves the pool's generation without
	// changing its settings: the token is still good.
	must[*cip.UpdateUserPoolClientOutput](t)(a.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: &poolID,
		ClientId: &clientID, ExplicitAuthFlows: allFlows, ClientName: aws.String("renamed")}))
	must[*cip.GetUserOutput](t)(b.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: token}))

	must[*cip.DeleteUserPoolOutput](t)(a.Client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &poolID}))
	_, err := b.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: token})
	wantErr(t, err, "NotAuthorizedException", "Invalid Access Token")
}
