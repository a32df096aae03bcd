package e2e_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"cognate/internal/cognatetest"
	"cognate/internal/srp/srpclient"
)

const password = "Correct-Horse-42"

// allFlows lets a client use every flow these tests exercise.
var allFlows = []types.ExplicitAuthFlowsType{
	types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
	types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
}

// signInPool creates a pool with a client allowing every flow, and a
// confirmed user "alice" with an email and the test password.
func signInPool(t *testing.T, c *cip.Client, opts ...func(*cip.CreateUserPoolClientInput)) (poolID, clientID string) {
	t.Helper()
	poolID = newPool(t, c, "signin")
	in := &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("app"), ExplicitAuthFlows: allFlows}
	for _, o := range opts {
		o(in)
	}
	clientID = aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, in)).UserPoolClient.ClientId)
	createSignInUser(t, c, poolID, "alice", password, true, "email", "alice@example.com")
	return poolID, clientID
}

// createSignInUser creates a user with a permanent or temporary password
// and attributes given as name, value pairs.
func createSignInUser(t *testing.T, c *cip.Client, poolID, name, pw string, permanent bool, kv ...string) {
	t.Helper()
	must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: &name,
		MessageAction: types.MessageActionTypeSuppress, UserAttributes: userAttrs(kv...), TemporaryPassword: aws.String(pw)}))
	if permanent {
		must[*cip.AdminSetUserPasswordOutput](t)(c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: &name, Password: &pw, Permanent: true}))
	}
}

func passwordAuth(c *cip.Client, clientID, name, pw string) (*cip.InitiateAuthOutput, error) {
	return c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": pw}})
}

// srpAuth signs in with USER_SRP_AUTH through the independent test client,
// both round trips; params are added to both requests (SECRET_HASH), and
// between runs between them.
func srpAuth(t *testing.T, c *cip.Client, poolID, clientID, name, pw string, params map[string]string, between ...func()) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	cl, err := srpclient.New(poolID)
	if err != nil {
		t.Fatal(err)
	}
	auth := map[string]string{"USERNAME": name, "SRP_A": cl.A()}
	for k, v := range params {
		auth[k] = v
	}
	init, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: auth})
	if err != nil {
		return nil, err
	}
	if init.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("challenge %q, want PASSWORD_VERIFIER", init.ChallengeName)
	}
	for _, f := range between {
		f()
	}
	p := init.ChallengeParameters
	ts, sig, err := cl.Respond(p["USER_ID_FOR_SRP"], pw, p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	answer := map[string]string{"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
		"PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}
	for k, v := range params {
		answer[k] = v
	}
	return c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID,
		ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: answer, Session: init.Session})
}

// claims decodes a JWT's payload (the signature is checked in other tests).
func claims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func header(t *testing.T, token string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(raw, &m)
	return m
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func wantKeys(t *testing.T, what string, m map[string]any, want ...string) {
	t.Helper()
	got := map[string]bool{}
	for k := range m {
		got[k] = true
	}
	for _, k := range want {
		if !got[k] {
			t.Errorf("%s lacks %q (has %v)", what, k, keysOf(m))
		}
		delete(got, k)
	}
	for k := range got {
		t.Errorf("%s has unexpected claim %q", what, k)
	}
}

func TestInitiateAuth_UserPassword_Tokens(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		poolID, clientID := signInPool(t, c)
		must[*cip.CreateGroupOutput](t)(c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("admins"), Precedence: aws.Int32(1), RoleArn: aws.String("arn:aws:iam::123456789012:role/admin")}))
		must[*cip.CreateGroupOutput](t)(c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("users"), Precedence: aws.Int32(5), RoleArn: aws.String("arn:aws:iam::123456789012:role/user")}))
		for _, g := range []string{"users", "admins"} {
			must[*cip.AdminAddUserToGroupOutput](t)(c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: aws.String("alice"), GroupName: aws.String(g)}))
		}

		out := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "alice", password))
		res := out.AuthenticationResult
		if res == nil || out.ChallengeName != "" {
			t.Fatalf("want tokens, got challenge %q", out.ChallengeName)
		}
		if res.ExpiresIn != 3600 || aws.ToString(res.TokenType) != "Bearer" || aws.ToString(res.RefreshToken) == "" {
			t.Errorf("result: expires %d, type %q, refresh %q", res.ExpiresIn, aws.ToString(res.TokenType), aws.ToString(res.RefreshToken))
		}
		iss := s.Config.PublicURL + "/" + poolID
		user := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("alice")}))
		var sub string
		for _, a := range user.UserAttributes {
			if aws.ToString(a.Name) == "sub" {
				sub = aws.ToString(a.Value)
			}
		}

		id := claims(t, aws.ToString(res.IdToken))
		wantKeys(t, "ID token", id, "sub", "iss", "aud", "token_use", "cognito:username", "auth_time", "exp", "iat",
			"jti", "origin_jti", "event_id", "email", "cognito:groups", "cognito:roles", "cognito:preferred_role")
		access := claims(t, aws.ToString(res.AccessToken))
		wantKeys(t, "access token", access, "sub", "iss", "client_id", "token_use", "scope", "username", "auth_time",
			"exp", "iat", "jti", "origin_jti", "event_id", "cognito:groups")
		for _, tok := range []map[string]any{id, access} {
			if tok["sub"] != sub || tok["iss"] != iss || tok["origin_jti"] != id["origin_jti"] || tok["event_id"] != id["event_id"] {
				t.Errorf("claims %v: want sub %s and iss %s, shared origin_jti and event_id", tok, sub, iss)
			}
			if exp, iat := tok["exp"].(float64), tok["iat"].(float64); exp-iat != 3600 {
				t.Errorf("exp - iat = %v", exp-iat)
			}
		}
		if id["aud"] != clientID || id["token_use"] != "id" || id["cognito:username"] != "alice" || id["email"] != "alice@example.com" {
			t.Errorf("ID token claims: %v", id)
		}
		if access["client_id"] != clientID || access["token_use"] != "access" || access["username"] != "alice" || access["scope"] != "aws.cognito.signin.user.admin" {
			t.Errorf("access token claims: %v", access)
		}
		if g, _ := json.Marshal(id["cognito:groups"]); string(g) != `["admins","users"]` {
			t.Errorf("cognito:groups = %s, want by precedence", g)
		}
		if id["cognito:preferred_role"] != "arn:aws:iam::123456789012:role/admin" {
			t.Errorf("cognito:preferred_role = %v", id["cognito:preferred_role"])
		}
		if h := header(t, aws.ToString(res.IdToken)); h["alg"] != "RS256" || h["kid"] == nil {
			t.Errorf("header %v", h)
		}

		got := must[*cip.GetUserOutput](t)(c.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken}))
		if aws.ToString(got.Username) != "alice" {
			t.Errorf("GetUser: %s", aws.ToString(got.Username))
		}
		// Sign-in by a verified alias needs a pool with aliases; by the
		// username in another case is refused in a case-sensitive pool.
		_, err := passwordAuth(c, clientID, "ALICE", password)
		wantErr(t, err, "UserNotFoundException", "User does not exist.")
	})
}

func TestInitiateAuth_Errors(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		poolID, clientID := signInPool(t, c)

		_, err := passwordAuth(c, clientID, "alice", "wrong-password")
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
		_, err = passwordAuth(c, clientID, "nobody", password)
		wantErr(t, err, "UserNotFoundException", "User does not exist.")
		_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "alice"}})
		wantErr(t, err, "InvalidParameterException", "Missing required parameter PASSWORD")
		_, err = passwordAuth(c, "nosuchclient0000000000000a", "alice", password)
		wantErr(t, err, "ResourceNotFoundException", "")
		_, err = c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password}})
		wantErr(t, err, "InvalidParameterException", "Auth flow not enabled for this client")

		// A client that allows only SRP refuses password sign-ins.
		srpOnly := aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("srp"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth}})).UserPoolClient.ClientId)
		_, err = passwordAuth(c, srpOnly, "alice", password)
		wantErr(t, err, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
		_, err = c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &srpOnly, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password}})
		wantErr(t, err, "InvalidParameterException", "Auth flow not enabled for this client")

		// Disabled, unconfirmed-by-reset and the like.
		must[*cip.AdminDisableUserOutput](t)(c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &poolID, Username: aws.String("alice")}))
		_, err = passwordAuth(c, clientID, "alice", password)
		wantErr(t, err, "NotAuthorizedException", "User is disabled.")
		must[*cip.AdminEnableUserOutput](t)(c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: &poolID, Username: aws.String("alice")}))

		createSignInUser(t, c, poolID, "reset", password, true, "email", "r@example.com", "email_verified", "true")
		must[*cip.AdminResetUserPasswordOutput](t)(c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("reset")}))
		_, err = passwordAuth(c, clientID, "reset", password)
		wantErr(t, err, "PasswordResetRequiredException", "Password reset required for the user")

		// With PreventUserExistenceErrors, an unknown user is a wrong password.
		hiding := aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("hide"),
			ExplicitAuthFlows: allFlows, PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})).UserPoolClient.ClientId)
		_, err = passwordAuth(c, hiding, "nobody", password)
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
		_, err = srpAuth(t, c, poolID, hiding, "nobody", password, nil)
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	})
}

func TestInitiateAuth_Lockout(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		_, clientID := signInPool(t, c)
		for i := range 5 {
			_, err := passwordAuth(c, clientID, "alice", "wrong")
			wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
			_ = i
		}
		// The fifth failure locks the user out for a second, even for the
		// right password.
		_, err := passwordAuth(c, clientID, "alice", password)
		wantErr(t, err, "NotAuthorizedException", "Password attempts exceeded")
	}, cognatetest.Clock(clock))
}

func TestInitiateAuth_SRP(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		poolID, clientID := signInPool(t, c)
		out, err := srpAuth(t, c, poolID, clientID, "alice", password, nil)
		if err != nil {
			t.Fatal(err)
		}
		if out.AuthenticationResult == nil || claims(t, aws.ToString(out.AuthenticationResult.AccessToken))["username"] != "alice" {
			t.Fatalf("SRP sign-in: %+v", out)
		}
		_, err = srpAuth(t, c, poolID, clientID, "alice", "wrong-password", nil)
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
		_, err = srpAuth(t, c, poolID, clientID, "nobody", password, nil)
		wantErr(t, err, "UserNotFoundException", "User does not exist.")

		// A session answers once.
		cl, _ := srpclient.New(poolID)
		init := must[*cip.InitiateAuthOutput](t)(c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserSrpAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": cl.A()}}))
		p := init.ChallengeParameters
		ts, sig, _ := cl.Respond(p["USER_ID_FOR_SRP"], password, p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], time.Now())
		answer := &cip.RespondToAuthChallengeInput{ClientId: &clientID, ChallengeName: types.ChallengeNameTypePasswordVerifier,
			ChallengeResponses: map[string]string{"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}}
		must[*cip.RespondToAuthChallengeOutput](t)(c.RespondToAuthChallenge(ctx, answer))
		_, err = c.RespondToAuthChallenge(ctx, answer)
		wantErr(t, err, "NotAuthorizedException", "Invalid session for the user.")

		_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserSrpAuth,
			AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": "0"}})
		wantErr(t, err, "InvalidParameterException", "")
	})
}

func TestInitiateAuth_SecretHash(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		poolID, clientID := signInPool(t, c, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })
		secret := aws.ToString(must[*cip.DescribeUserPoolClientOutput](t)(c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID})).UserPoolClient.ClientSecret)
		hash := func(secret, name string) string {
			m := hmac.New(sha256.New, []byte(secret))
			m.Write([]byte(name + clientID))
			return base64.StdEncoding.EncodeToString(m.Sum(nil))
		}
		_, err := passwordAuth(c, clientID, "alice", password)
		wantErr(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+clientID)
		auth := func(h string) (*cip.InitiateAuthOutput, error) {
			return c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": password, "SECRET_HASH": h}})
		}
		_, err = auth(hash("not-the-secret", "alice"))
		wantErr(t, err, "NotAuthorizedException", "Unable to verify secret hash")
		out := must[*cip.InitiateAuthOutput](t)(auth(hash(secret, "alice")))

		// Refresh and SRP need it too; after a rotation both secrets work.
		_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(out.AuthenticationResult.RefreshToken)}})
		wantErr(t, err, "NotAuthorizedException", "Unable to verify secret hash")
		must[*cip.InitiateAuthOutput](t)(c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(out.AuthenticationResult.RefreshToken), "SECRET_HASH": hash(secret, "alice")}}))
		added := must[*cip.AddUserPoolClientSecretOutput](t)(c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: &poolID, ClientId: &clientID}))
		second := aws.ToString(added.ClientSecretDescriptor.ClientSecretValue)
		must[*cip.InitiateAuthOutput](t)(auth(hash(second, "alice")))
		must[*cip.InitiateAuthOutput](t)(auth(hash(secret, "alice")))
		if _, err := srpAuth(t, c, poolID, clientID, "alice", password, map[string]string{"SECRET_HASH": hash(second, "alice")}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRespondToAuthChallenge_NewPasswordRequired(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		poolID := aws.ToString(must[*cip.CreateUserPoolOutput](t)(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("np"),
			Schema: []types.SchemaAttributeType{{Name: aws.String("given_name"), Required: aws.Bool(true), Mutable: aws.Bool(true), AttributeDataType: types.AttributeDataTypeString}}})).UserPool.Id)
		clientID := aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("app"), ExplicitAuthFlows: allFlows})).UserPoolClient.ClientId)
		_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("bob"), MessageAction: types.MessageActionTypeSuppress,
			TemporaryPassword: aws.String("Temporary-Pass-1")})
		wantErr(t, err, "InvalidParameterException", "given_name")
		createSignInUser(t, c, poolID, "bob", "Temporary-Pass-1", false, "given_name", "Bob")

		out := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "bob", "Temporary-Pass-1"))
		if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || aws.ToString(out.Session) == "" {
			t.Fatalf("want NEW_PASSWORD_REQUIRED with a session, got %q", out.ChallengeName)
		}
		if out.ChallengeParameters["USER_ID_FOR_SRP"] != "bob" || out.ChallengeParameters["requiredAttributes"] != "[]" ||
			!strings.Contains(out.ChallengeParameters["userAttributes"], `"given_name":"Bob"`) {
			t.Errorf("challenge parameters %v", out.ChallengeParameters)
		}
		respond := func(pw string) (*cip.RespondToAuthChallengeOutput, error) {
			return c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID, Session: out.Session,
				ChallengeName:      types.ChallengeNameTypeNewPasswordRequired,
				ChallengeResponses: map[string]string{"USERNAME": "bob", "NEW_PASSWORD": pw, "userAttributes.family_name": "Builder"}})
		}
		_, err = respond("short")
		wantErr(t, err, "InvalidPasswordException", "Password does not conform to policy")
		done := must[*cip.RespondToAuthChallengeOutput](t)(respond("Brand-New-Pass-2"))
		if done.AuthenticationResult == nil || claims(t, aws.ToString(done.AuthenticationResult.IdToken))["family_name"] != "Builder" {
			t.Fatalf("want tokens with the new attribute, got %+v", done)
		}
		_, err = respond("Brand-New-Pass-3")
		wantErr(t, err, "NotAuthorizedException", "Invalid session for the user.")
		user := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("bob")}))
		if user.UserStatus != types.UserStatusTypeConfirmed {
			t.Errorf("status %s", user.UserStatus)
		}
		must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "bob", "Brand-New-Pass-2"))
		_, err = passwordAuth(c, clientID, "bob", "Temporary-Pass-1")
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	})
}

func TestRefresh_Revoke_GlobalSignOut(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		poolID, clientID := signInPool(t, c)
		first := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "alice", password)).AuthenticationResult
		refresh := func(token *string) (*cip.InitiateAuthOutput, error) {
			return c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
				AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(token)}})
		}
		again := must[*cip.InitiateAuthOutput](t)(refresh(first.RefreshToken)).AuthenticationResult
		if again.RefreshToken != nil {
			t.Error("REFRESH_TOKEN_AUTH returned a new refresh token")
		}
		a, b := claims(t, aws.ToString(first.IdToken)), claims(t, aws.ToString(again.IdToken))
		if a["origin_jti"] != b["origin_jti"] || a["auth_time"] != b["auth_time"] || a["jti"] == b["jti"] {
			t.Errorf("refreshed tokens: origin_jti %v/%v, auth_time %v/%v, jti %v/%v", a["origin_jti"], b["origin_jti"], a["auth_time"], b["auth_time"], a["jti"], b["jti"])
		}
		_, err := refresh(aws.String("not-a-token"))
		wantErr(t, err, "NotAuthorizedException", "Invalid Refresh Token")

		// RevokeToken ends that sign-in: its refresh token and the access
		// tokens minted from it; another sign-in is unaffected.
		other := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "alice", password)).AuthenticationResult
		must[*cip.RevokeTokenOutput](t)(c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: &clientID, Token: first.RefreshToken}))
		_, err = refresh(first.RefreshToken)
		wantErr(t, err, "NotAuthorizedException", "Invalid Refresh Token")
		_, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: again.AccessToken})
		wantErr(t, err, "NotAuthorizedException", "Access Token has been revoked")
		must[*cip.GetUserOutput](t)(c.GetUser(ctx, &cip.GetUserInput{AccessToken: other.AccessToken}))

		// GlobalSignOut ends every sign-in of the user.
		third := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "alice", password)).AuthenticationResult
		must[*cip.GlobalSignOutOutput](t)(c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: other.AccessToken}))
		for _, tok := range []*string{other.AccessToken, third.AccessToken} {
			_, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: tok})
			wantErr(t, err, "NotAuthorizedException", "Access Token has been revoked")
		}
		_, err = refresh(third.RefreshToken)
		wantErr(t, err, "NotAuthorizedException", "Invalid Refresh Token")

		fourth := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "alice", password)).AuthenticationResult
		must[*cip.AdminUserGlobalSignOutOutput](t)(c.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &poolID, Username: aws.String("alice")}))
		_, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: fourth.AccessToken})
		wantErr(t, err, "NotAuthorizedException", "Access Token has been revoked")

		_, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String("eyJhbGciOiJub25lIn0.e30.")})
		wantErr(t, err, "NotAuthorizedException", "Invalid Access Token")
		_, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: fourth.IdToken})
		wantErr(t, err, "NotAuthorizedException", "")
	})
}

func TestGetTokensFromRefreshToken_Rotation(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		_, clientID := signInPool(t, c, func(in *cip.CreateUserPoolClientInput) {
			in.RefreshTokenRotation = &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(0)}
		})
		first := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "alice", password)).AuthenticationResult
		out := must[*cip.GetTokensFromRefreshTokenOutput](t)(c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: &clientID, RefreshToken: first.RefreshToken}))
		next := aws.ToString(out.AuthenticationResult.RefreshToken)
		if next == "" || next == aws.ToString(first.RefreshToken) {
			t.Fatal("rotation returned no new refresh token")
		}
		_, err := c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: &clientID, RefreshToken: first.RefreshToken})
		wantErr(t, err, "NotAuthorizedException", "Refresh Token has expired")
		must[*cip.GetTokensFromRefreshTokenOutput](t)(c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: &clientID, RefreshToken: &next}))
	})
}

func TestChangePassword_SetUserSettings(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		_, clientID := signInPool(t, c)
		res := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "alice", password)).AuthenticationResult
		_, err := c.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: res.AccessToken, PreviousPassword: aws.String("wrong-one"), ProposedPassword: aws.String("Another-Pass-9")})
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
		_, err = c.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: res.AccessToken, PreviousPassword: aws.String(password), ProposedPassword: aws.String("short")})
		wantErr(t, err, "InvalidPasswordException", "")
		must[*cip.ChangePasswordOutput](t)(c.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: res.AccessToken, PreviousPassword: aws.String(password), ProposedPassword: aws.String("Another-Pass-9")}))
		must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "alice", "Another-Pass-9"))
		// The tokens of the session stay valid.
		must[*cip.GetUserOutput](t)(c.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken}))

		_, err = c.SetUserSettings(ctx, &cip.SetUserSettingsInput{AccessToken: res.AccessToken,
			MFAOptions: []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeSms, AttributeName: aws.String("phone_number")}}})
		wantErr(t, err, "InvalidParameterException", "")
		must[*cip.SetUserSettingsOutput](t)(c.SetUserSettings(ctx, &cip.SetUserSettingsInput{AccessToken: res.AccessToken, MFAOptions: []types.MFAOptionType{}}))
	})
}

func TestAdminListUserAuthEvents(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		poolID, clientID := signInPool(t, c)
		list := &cip.AdminListUserAuthEventsInput{UserPoolId: &poolID, Username: aws.String("alice")}
		_, err := c.AdminListUserAuthEvents(ctx, list)
		wantErr(t, err, "UserPoolAddOnNotEnabledException", "")
		// As in Cognito, events are kept while threat protection is on.
		must[*cip.UpdateUserPoolOutput](t)(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID,
			UserPoolAddOns: &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeAudit}}))
		must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "alice", password))
		passwordAuth(c, clientID, "alice", "wrong")
		out := must[*cip.AdminListUserAuthEventsOutput](t)(c.AdminListUserAuthEvents(ctx, list))
		if len(out.AuthEvents) != 2 || out.AuthEvents[0].EventResponse != types.EventResponseTypeFail || out.AuthEvents[1].EventResponse != types.EventResponseTypePass {
			t.Fatalf("events, newest first: %+v", out.AuthEvents)
		}
		if e := out.AuthEvents[1]; e.EventType != types.EventTypeSignIn || aws.ToString(e.EventId) == "" || e.CreationDate == nil {
			t.Errorf("event %+v", e)
		}
		page := must[*cip.AdminListUserAuthEventsOutput](t)(c.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: &poolID, Username: aws.String("alice"), MaxResults: aws.Int32(1)}))
		if len(page.AuthEvents) != 1 || page.NextToken == nil {
			t.Fatalf("first page %+v", page)
		}
	})
}

func TestWellKnown_JWKS(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		poolID, clientID := signInPool(t, c)
		res := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "alice", password)).AuthenticationResult
		get := func(path string) (int, map[string]any) {
			resp, err := http.Get(s.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			var m map[string]any
			json.Unmarshal(body, &m)
			return resp.StatusCode, m
		}
		code, jwks := get("/" + poolID + "/.well-known/jwks.json")
		keys, _ := jwks["keys"].([]any)
		if code != 200 || len(keys) != 1 {
			t.Fatalf("jwks: %d %v", code, jwks)
		}
		if k := keys[0].(map[string]any); k["kid"] != header(t, aws.ToString(res.IdToken))["kid"] || k["alg"] != "RS256" || k["kty"] != "RSA" || k["use"] != "sig" {
			t.Errorf("key %v", k)
		}
		code, conf := get("/" + poolID + "/.well-known/openid-configuration")
		if code != 200 || conf["issuer"] != s.Config.PublicURL+"/"+poolID || conf["jwks_uri"] != s.Config.PublicURL+"/"+poolID+"/.well-known/jwks.json" {
			t.Errorf("openid-configuration: %d %v", code, conf)
		}
		if code, _ := get("/us-east-1_doesNotEx/.well-known/jwks.json"); code != 404 {
			t.Errorf("unknown pool: %d", code)
		}

		// After a rotation new tokens carry the new key; the old key stays
		// published, and tokens it signed still work.
		kid := must[string](t)(s.Inner().Service.RotateSigningKey(ctx, poolID))
		fresh := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "alice", password)).AuthenticationResult
		if header(t, aws.ToString(fresh.AccessToken))["kid"] != kid {
			t.Error("new tokens are not signed with the new key")
		}
		if _, jwks := get("/" + poolID + "/.well-known/jwks.json"); len(jwks["keys"].([]any)) != 2 {
			t.Errorf("after rotation: %v", jwks)
		}
		must[*cip.GetUserOutput](t)(c.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken}))
	})
}

func TestSignIn_Expiry(t *testing.T) {
	for _, backend := range cognatetest.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			clk := cognatetest.NewManualClock()
			signInExpiry(t, cognatetest.Start(t, backend, cognatetest.Clock(clk.Now)), clk)
		})
	}
}

func signInExpiry(t *testing.T, s *cognatetest.Server, clk *cognatetest.ManualClock) {
	c := s.Client
	poolID, clientID := signInPool(t, c, func(in *cip.CreateUserPoolClientInput) {
		in.AccessTokenValidity, in.RefreshTokenValidity = aws.Int32(5), 60
		in.TokenValidityUnits = &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes, RefreshToken: types.TimeUnitsTypeMinutes}
	})
	// Administrator calls are signed with the real time: all of them
	// come before the clock moves.
	createSignInUser(t, c, poolID, "bob", "Temporary-Pass-1", false)
	res := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "alice", password)).AuthenticationResult
	if res.ExpiresIn != 300 {
		t.Errorf("ExpiresIn %d, want 300", res.ExpiresIn)
	}
	clk.Advance(6 * time.Minute)
	_, err := c.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken})
	wantErr(t, err, "NotAuthorizedException", "Access Token has expired")
	fresh := must[*cip.InitiateAuthOutput](t)(c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken)}})).AuthenticationResult
	must[*cip.GetUserOutput](t)(c.GetUser(ctx, &cip.GetUserInput{AccessToken: fresh.AccessToken}))
	clk.Advance(time.Hour)
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken)}})
	wantErr(t, err, "NotAuthorizedException", "Refresh Token has expired")

	// A challenge's session lasts the client's AuthSessionValidity
	// (3 minutes by default).
	challenge := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "bob", "Temporary-Pass-1"))
	clk.Advance(4 * time.Minute)
	_, err = c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID, Session: challenge.Session,
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ChallengeResponses: map[string]string{"USERNAME": "bob", "NEW_PASSWORD": "Brand-New-Pass-2"}})
	wantErr(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")

	// A temporary password lasts the pool's TemporaryPasswordValidityDays.
	clk.Advance(8 * 24 * time.Hour)
	_, err = passwordAuth(c, clientID, "bob", "Temporary-Pass-1")
	wantErr(t, err, "NotAuthorizedException", "Temporary password has expired and must be reset by an administrator.")

	// The lockout lifts: a second after the fifth failure, the right
	// password works again.
	for range 5 {
		passwordAuth(c, clientID, "alice", "wrong")
	}
	_, err = passwordAuth(c, clientID, "alice", password)
	wantErr(t, err, "NotAuthorizedException", "Password attempts exceeded")
	clk.Advance(1100 * time.Millisecond)
	must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "alice", password))
}

func TestInitiateAuth_SignInNames(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		newClient := func(poolID string) string {
			return aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID,
				ClientName: aws.String("app"), ExplicitAuthFlows: allFlows})).UserPoolClient.ClientId)
		}

		// Email as the username: the user is stored under its sub, which
		// the tokens name, and signs in by email with either flow.
		byEmail := aws.ToString(must[*cip.CreateUserPoolOutput](t)(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("by-email"),
			UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})).UserPool.Id)
		clientID := newClient(byEmail)
		createSignInUser(t, c, byEmail, "carol@example.com", password, true)
		res := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "carol@example.com", password)).AuthenticationResult
		id := claims(t, aws.ToString(res.IdToken))
		if id["cognito:username"] != id["sub"] || id["email"] != "carol@example.com" {
			t.Errorf("ID token of an email-as-username pool: %v", id)
		}
		if _, err := srpAuth(t, c, byEmail, clientID, "carol@example.com", password, nil); err != nil {
			t.Fatal(err)
		}

		// Aliases: a verified email and a preferred username sign in,
		// an unverified email does not; case-insensitive pools ignore case.
		aliases := aws.ToString(must[*cip.CreateUserPoolOutput](t)(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("aliases"),
			AliasAttributes:       []types.AliasAttributeType{types.AliasAttributeTypeEmail, types.AliasAttributeTypePreferredUsername},
			UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}})).UserPool.Id)
		clientID = newClient(aliases)
		createSignInUser(t, c, aliases, "dave", password, true, "email", "dave@example.com", "email_verified", "true", "preferred_username", "davey")
		createSignInUser(t, c, aliases, "erin", password, true, "email", "erin@example.com")
		for _, name := range []string{"dave", "DAVE", "dave@example.com", "Davey"} {
			out := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, name, password))
			if u := claims(t, aws.ToString(out.AuthenticationResult.AccessToken))["username"]; u != "dave" {
				t.Errorf("signing in as %q gave username %v", name, u)
			}
		}
		if _, err := srpAuth(t, c, aliases, clientID, "dave@example.com", password, nil); err != nil {
			t.Fatal(err)
		}
		_, err := passwordAuth(c, clientID, "erin@example.com", password)
		wantErr(t, err, "UserNotFoundException", "")
	})
}
