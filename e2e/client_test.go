package e2e_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"cognate/internal/cognatetest"
)

var (
	clientIDPattern     = regexp.MustCompile(`^[0-9a-z]{26}$`)
	clientSecretPattern = regexp.MustCompile(`^[0-9a-z]{51}$`)
)

// clientPool creates a pool whose schema has a required attribute, a custom
// attribute and a developer-only one, for the attribute permission rules.
func clientPool(t *testing.T, c *cip.Client) *string {
	t.Helper()
	return must[*cip.CreateUserPoolOutput](t)(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName: aws.String("clients"),
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("email"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
			{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString},
			{Name: aws.String("internal"), AttributeDataType: types.AttributeDataTypeString, DeveloperOnlyAttribute: aws.Bool(true)},
		},
	})).UserPool.Id
}

// newAppClient creates a client with default settings, with a secret when
// secret is true.
func newAppClient(t *testing.T, c *cip.Client, poolID *string, name string, secret bool) *types.UserPoolClientType {
	t.Helper()
	return must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: poolID, ClientName: aws.String(name), GenerateSecret: secret,
	})).UserPoolClient
}

func describeClient(t *testing.T, c *cip.Client, poolID, clientID *string) *types.UserPoolClientType {
	t.Helper()
	return must[*cip.DescribeUserPoolClientOutput](t)(c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: poolID, ClientId: clientID})).UserPoolClient
}

// checkDefaultSettings checks every setting of a client created or updated
// with none: what Cognito shows for such a client, and nothing more.
func checkDefaultSettings(t *testing.T, c *types.UserPoolClientType) {
	t.Helper()
	if c.RefreshTokenValidity != 30 || c.AccessTokenValidity != nil || c.IdTokenValidity != nil {
		t.Errorf("validity: refresh %d, access %v, id %v", c.RefreshTokenValidity, c.AccessTokenValidity, c.IdTokenValidity)
	}
	if u := c.TokenValidityUnits; u == nil || *u != (types.TokenValidityUnitsType{}) {
		t.Errorf("TokenValidityUnits = %+v, want {}", u)
	}
	if c.ExplicitAuthFlows != nil || c.ReadAttributes != nil || c.WriteAttributes != nil || c.SupportedIdentityProviders != nil {
		t.Errorf("flows %v, read %v, write %v, providers %v: want none", c.ExplicitAuthFlows, c.ReadAttributes, c.WriteAttributes, c.SupportedIdentityProviders)
	}
	if c.CallbackURLs != nil || c.LogoutURLs != nil || c.DefaultRedirectURI != nil || c.AllowedOAuthFlows != nil || c.AllowedOAuthScopes != nil {
		t.Errorf("OAuth settings: %v %v %v %v %v", c.CallbackURLs, c.LogoutURLs, c.DefaultRedirectURI, c.AllowedOAuthFlows, c.AllowedOAuthScopes)
	}
	if c.AllowedOAuthFlowsUserPoolClient == nil || *c.AllowedOAuthFlowsUserPoolClient {
		t.Errorf("AllowedOAuthFlowsUserPoolClient = %v, want false", c.AllowedOAuthFlowsUserPoolClient)
	}
	if c.EnableTokenRevocation == nil || !*c.EnableTokenRevocation {
		t.Errorf("EnableTokenRevocation = %v, want true", c.EnableTokenRevocation)
	}
	if c.EnablePropagateAdditionalUserContextData == nil || *c.EnablePropagateAdditionalUserContextData {
		t.Errorf("EnablePropagateAdditionalUserContextData = %v, want false", c.EnablePropagateAdditionalUserContextData)
	}
	if aws.ToInt32(c.AuthSessionValidity) != 3 {
		t.Errorf("AuthSessionValidity = %v, want 3", c.AuthSessionValidity)
	}
	if c.PreventUserExistenceErrors != "" || c.AnalyticsConfiguration != nil || c.RefreshTokenRotation != nil {
		t.Errorf("PreventUserExistenceErrors %q, analytics %+v, rotation %+v: want none", c.PreventUserExistenceErrors, c.AnalyticsConfiguration, c.RefreshTokenRotation)
	}
}

func TestCreateUserPoolClient_Defaults(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		pool := aws.String(newPool(t, s.Client, "defaults"))
		c := newAppClient(t, s.Client, pool, "web", false)
		if !clientIDPattern.MatchString(aws.ToString(c.ClientId)) {
			t.Errorf("ClientId %q is not 26 lowercase alphanumerics", aws.ToString(c.ClientId))
		}
		if aws.ToString(c.UserPoolId) != *pool || aws.ToString(c.ClientName) != "web" || c.ClientSecret != nil {
			t.Errorf("pool %q, name %q, secret %v", aws.ToString(c.UserPoolId), aws.ToString(c.ClientName), c.ClientSecret)
		}
		if c.CreationDate == nil || c.LastModifiedDate == nil || !c.CreationDate.Equal(*c.LastModifiedDate) {
			t.Errorf("dates %v, %v", c.CreationDate, c.LastModifiedDate)
		}
		checkDefaultSettings(t, c)

		d := describeClient(t, s.Client, pool, c.ClientId)
		checkDefaultSettings(t, d)
		if aws.ToString(d.ClientId) != aws.ToString(c.ClientId) || aws.ToString(d.ClientName) != "web" || d.ClientSecret != nil || !d.CreationDate.Equal(*c.CreationDate) {
			t.Errorf("describe = %+v", d)
		}
		secrets := must[*cip.ListUserPoolClientSecretsOutput](t)(s.Client.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: pool, ClientId: c.ClientId}))
		if len(secrets.ClientSecrets) != 0 || secrets.NextToken != nil {
			t.Errorf("a public client has secrets: %+v", secrets)
		}
	})
}

func TestCreateUserPoolClient_GenerateSecret(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		pool := aws.String(newPool(t, s.Client, "secret"))
		c := newAppClient(t, s.Client, pool, "server", true)
		secret := aws.ToString(c.ClientSecret)
		if !clientSecretPattern.MatchString(secret) {
			t.Fatalf("ClientSecret %q is not 51 lowercase alphanumerics", secret)
		}
		if got := aws.ToString(describeClient(t, s.Client, pool, c.ClientId).ClientSecret); got != secret {
			t.Errorf("DescribeUserPoolClient secret %q, want %q", got, secret)
		}
		list := must[*cip.ListUserPoolClientSecretsOutput](t)(s.Client.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: pool, ClientId: c.ClientId}))
		if len(list.ClientSecrets) != 1 {
			t.Fatalf("secrets = %+v", list.ClientSecrets)
		}
		d := list.ClientSecrets[0]
		if !regexp.MustCompile(`^`+aws.ToString(c.ClientId)+`--[0-9]+$`).MatchString(aws.ToString(d.ClientSecretId)) || d.ClientSecretValue != nil || d.ClientSecretCreateDate == nil {
			t.Errorf("secret descriptor = %+v", d)
		}

		// A secret of the caller's choosing.
		custom := "my_own_secret_0123456789abcdef"
		c = must[*cip.CreateUserPoolClientOutput](t)(s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: pool, ClientName: aws.String("custom"), ClientSecret: aws.String(custom),
		})).UserPoolClient
		if aws.ToString(c.ClientSecret) != custom || aws.ToString(describeClient(t, s.Client, pool, c.ClientId).ClientSecret) != custom {
			t.Errorf("custom secret not kept: %q", aws.ToString(c.ClientSecret))
		}
	})
}

// fullClient is a CreateUserPoolClient request that sets every setting.
func fullClient(pool *string) *cip.CreateUserPoolClientInput {
	return &cip.CreateUserPoolClientInput{
		UserPoolId:           pool,
		ClientName:           aws.String("full"),
		GenerateSecret:       true,
		RefreshTokenValidity: 10,
		AccessTokenValidity:  aws.Int32(30),
		IdTokenValidity:      aws.Int32(45),
		TokenValidityUnits: &types.TokenValidityUnitsType{
			AccessToken: types.TimeUnitsTypeMinutes, IdToken: types.TimeUnitsTypeMinutes, RefreshToken: types.TimeUnitsTypeDays,
		},
		ReadAttributes:  []string{"email", "email_verified", "custom:tier", "dev:custom:internal"},
		WriteAttributes: []string{"email", "name", "custom:tier"},
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth, types.ExplicitAuthFlowsTypeAllowUserAuth,
		},
		SupportedIdentityProviders: []string{"COGNITO"},
		CallbackURLs:               []string{"https://app.example.com/cb", "http://localhost:3000/cb", "http://127.0.0.1:8080/cb", "http://[::1]/cb", "myapp://cb"},
		LogoutURLs:                 []string{"https://app.example.com/bye"},
		DefaultRedirectURI:         aws.String("https://app.example.com/cb"),
		AllowedOAuthFlows:          []types.OAuthFlowType{types.OAuthFlowTypeCode, types.OAuthFlowTypeImplicit},
		AllowedOAuthScopes:         []string{"openid", "email", "aws.cognito.signin.user.admin"},

		AllowedOAuthFlowsUserPoolClient: true,
		AnalyticsConfiguration: &types.AnalyticsConfigurationType{
			ApplicationId: aws.String("d70b2ba36a8c4dc5a04a0451a31a1e12"), RoleArn: aws.String("arn:aws:iam::123456789012:role/analytics"),
			ExternalId: aws.String("ext"), UserDataShared: true,
		},
		PreventUserExistenceErrors:               types.PreventUserExistenceErrorTypesEnabled,
		EnableTokenRevocation:                    aws.Bool(false),
		EnablePropagateAdditionalUserContextData: aws.Bool(true),
		AuthSessionValidity:                      aws.Int32(10),
		RefreshTokenRotation:                     &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(20)},
	}
}

func checkFullClient(t *testing.T, in *cip.CreateUserPoolClientInput, c *types.UserPoolClientType) {
	t.Helper()
	if aws.ToString(c.ClientName) != "full" || !clientSecretPattern.MatchString(aws.ToString(c.ClientSecret)) {
		t.Errorf("name %q, secret %q", aws.ToString(c.ClientName), aws.ToString(c.ClientSecret))
	}
	if c.RefreshTokenValidity != 10 || aws.ToInt32(c.AccessTokenValidity) != 30 || aws.ToInt32(c.IdTokenValidity) != 45 || *c.TokenValidityUnits != *in.TokenValidityUnits {
		t.Errorf("validity %d/%v/%v %+v", c.RefreshTokenValidity, c.AccessTokenValidity, c.IdTokenValidity, c.TokenValidityUnits)
	}
	lists := []struct {
		name      string
		got, want []string
	}{
		{"ReadAttributes", c.ReadAttributes, in.ReadAttributes},
		{"WriteAttributes", c.WriteAttributes, in.WriteAttributes},
		{"SupportedIdentityProviders", c.SupportedIdentityProviders, in.SupportedIdentityProviders},
		{"CallbackURLs", c.CallbackURLs, in.CallbackURLs},
		{"LogoutURLs", c.LogoutURLs, in.LogoutURLs},
		{"AllowedOAuthScopes", c.AllowedOAuthScopes, in.AllowedOAuthScopes},
	}
	for _, l := range lists {
		if !slices.Equal(l.got, l.want) {
			t.Errorf("%s = %v, want %v", l.name, l.got, l.want)
		}
	}
	if !slices.Equal(c.ExplicitAuthFlows, in.ExplicitAuthFlows) || !slices.Equal(c.AllowedOAuthFlows, in.AllowedOAuthFlows) {
		t.Errorf("flows %v, OAuth flows %v", c.ExplicitAuthFlows, c.AllowedOAuthFlows)
	}
	if aws.ToString(c.DefaultRedirectURI) != "https://app.example.com/cb" || !aws.ToBool(c.AllowedOAuthFlowsUserPoolClient) {
		t.Errorf("default redirect %q, OAuth enabled %v", aws.ToString(c.DefaultRedirectURI), c.AllowedOAuthFlowsUserPoolClient)
	}
	if a := c.AnalyticsConfiguration; a == nil || aws.ToString(a.ApplicationId) != aws.ToString(in.AnalyticsConfiguration.ApplicationId) || aws.ToString(a.RoleArn) != aws.ToString(in.AnalyticsConfiguration.RoleArn) || aws.ToString(a.ExternalId) != "ext" || !a.UserDataShared {
		t.Errorf("analytics = %+v", a)
	}
	if c.PreventUserExistenceErrors != types.PreventUserExistenceErrorTypesEnabled || aws.ToBool(c.EnableTokenRevocation) || !aws.ToBool(c.EnablePropagateAdditionalUserContextData) {
		t.Errorf("existence errors %q, revocation %v, context data %v", c.PreventUserExistenceErrors, c.EnableTokenRevocation, c.EnablePropagateAdditionalUserContextData)
	}
	if aws.ToInt32(c.AuthSessionValidity) != 10 || c.RefreshTokenRotation == nil || c.RefreshTokenRotation.Feature != types.FeatureTypeEnabled || aws.ToInt32(c.RefreshTokenRotation.RetryGracePeriodSeconds) != 20 {
		t.Errorf("session validity %v, rotation %+v", c.AuthSessionValidity, c.RefreshTokenRotation)
	}
}

func TestCreateUserPoolClient_EverySettingEchoed(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		pool := clientPool(t, s.Client)
		in := fullClient(pool)
		created := must[*cip.CreateUserPoolClientOutput](t)(s.Client.CreateUserPoolClient(ctx, in)).UserPoolClient
		checkFullClient(t, in, created)
		checkFullClient(t, in, describeClient(t, s.Client, pool, created.ClientId))

		// Clients and their secrets survive a restart.
		s = s.Restart(t)
		d := describeClient(t, s.Client, pool, created.ClientId)
		checkFullClient(t, in, d)
		if aws.ToString(d.ClientSecret) != aws.ToString(created.ClientSecret) {
			t.Errorf("secret after restart %q, want %q", aws.ToString(d.ClientSecret), aws.ToString(created.ClientSecret))
		}

		// A rotation block without a grace period gets Cognito's 0.
		c := must[*cip.CreateUserPoolClientOutput](t)(s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: pool, ClientName: aws.String("rotation"), RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeDisabled},
		})).UserPoolClient
		if r := c.RefreshTokenRotation; r == nil || r.Feature != types.FeatureTypeDisabled || r.RetryGracePeriodSeconds == nil || *r.RetryGracePeriodSeconds != 0 {
			t.Errorf("rotation = %+v", r)
		}
	})
}

func TestCreateUserPoolClient_InvalidParameters(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		pool := clientPool(t, s.Client)
		in := func(change func(*cip.CreateUserPoolClientInput)) *cip.CreateUserPoolClientInput {
			r := &cip.CreateUserPoolClientInput{UserPoolId: pool, ClientName: aws.String("bad")}
			change(r)
			return r
		}
		const invalid, oauth = "InvalidParameterException", "InvalidOAuthFlowException"
		cases := []struct {
			name      string
			in        *cip.CreateUserPoolClientInput
			code, msg string
		}{
			{"name too long", in(func(r *cip.CreateUserPoolClientInput) { r.ClientName = aws.String(strings.Repeat("a", 129)) }), invalid,
				"1 validation error detected: Value '" + strings.Repeat("a", 129) + "' at 'clientName' failed to satisfy constraint: Member must have length less than or equal to 128"},
			{"short session", in(func(r *cip.CreateUserPoolClientInput) { r.AuthSessionValidity = aws.Int32(2) }), invalid,
				"Member must have value greater than or equal to 3"},
			{"legacy and new flows", in(func(r *cip.CreateUserPoolClientInput) {
				r.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowUserSrpAuth}
			}), invalid, "ExplicitAuthFlows cannot combine ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY or USER_PASSWORD_AUTH with values that begin with ALLOW_."},
			{"access token under 5 minutes", in(func(r *cip.CreateUserPoolClientInput) {
				r.AccessTokenValidity = aws.Int32(4)
				r.TokenValidityUnits = &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes}
			}), invalid, "Invalid range for token validity."},
			{"ID token over a day", in(func(r *cip.CreateUserPoolClientInput) { r.IdTokenValidity = aws.Int32(25) }), invalid, "Invalid range for token validity."},
			{"refresh token under an hour", in(func(r *cip.CreateUserPoolClientInput) {
				r.RefreshTokenValidity = 59
				r.TokenValidityUnits = &types.TokenValidityUnitsType{RefreshToken: types.TimeUnitsTypeMinutes}
			}), invalid, "Invalid range for token validity."},
			{"refresh token over 10 years", in(func(r *cip.CreateUserPoolClientInput) { r.RefreshTokenValidity = 3651 }), invalid, "Invalid range for token validity."},
			{"unknown read attribute", in(func(r *cip.CreateUserPoolClientInput) { r.ReadAttributes = []string{"email", "custom:nope"} }), invalid,
				"Invalid read attributes specified while creating a client"},
			{"write email_verified", in(func(r *cip.CreateUserPoolClientInput) { r.WriteAttributes = []string{"email", "email_verified"} }), invalid,
				"Invalid write attributes specified while creating a client"},
			{"write developer-only", in(func(r *cip.CreateUserPoolClientInput) { r.WriteAttributes = []string{"email", "dev:custom:internal"} }), invalid,
				"Invalid write attributes specified while creating a client"},
			{"write without a required attribute", in(func(r *cip.CreateUserPoolClientInput) { r.WriteAttributes = []string{"name"} }), invalid,
				"Invalid write attributes specified while creating a client"},
			{"generated and custom secret", in(func(r *cip.CreateUserPoolClientInput) {
				r.GenerateSecret = true
				r.ClientSecret = aws.String("my_own_secret_0123456789abcdef")
			}), invalid, "You cannot specify both GenerateSecret as true and a ClientSecret."},
			{"context data without secret", in(func(r *cip.CreateUserPoolClientInput) { r.EnablePropagateAdditionalUserContextData = aws.Bool(true) }), invalid,
				"EnablePropagateAdditionalUserContextData can only be enabled for a client with a client secret."},
			{"unknown provider", in(func(r *cip.CreateUserPoolClientInput) { r.SupportedIdentityProviders = []string{"COGNITO", "Google"} }), invalid,
				"The provider Google does not exist for User Pool " + *pool},
			{"http callback", in(func(r *cip.CreateUserPoolClientInput) { r.CallbackURLs = []string{"http://app.example.com/cb"} }), invalid,
				"http://app.example.com/cb cannot use the HTTP protocol."},
			{"http logout", in(func(r *cip.CreateUserPoolClientInput) { r.LogoutURLs = []string{"http://192.168.1.50/bye"} }), invalid,
				"http://192.168.1.50/bye cannot use the HTTP protocol."},
			{"relative callback", in(func(r *cip.CreateUserPoolClientInput) { r.CallbackURLs = []string{"/cb"} }), invalid,
				"/cb is not a valid redirect URI: it must be absolute and have no fragment."},
			{"callback with fragment", in(func(r *cip.CreateUserPoolClientInput) { r.CallbackURLs = []string{"https://app.example.com/#cb"} }), invalid,
				"https://app.example.com/#cb is not a valid redirect URI"},
			{"default redirect not a callback", in(func(r *cip.CreateUserPoolClientInput) {
				r.CallbackURLs = []string{"https://app.example.com/cb"}
				r.DefaultRedirectURI = aws.String("https://app.example.com/other")
			}), invalid, "DefaultRedirectURI must be one of the CallbackURLs."},
			{"client credentials with code", in(func(r *cip.CreateUserPoolClientInput) {
				r.GenerateSecret = true
				r.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials, types.OAuthFlowTypeCode}
				r.CallbackURLs = []string{"https://app.example.com/cb"}
			}), oauth, "client_credentials flow can not be selected along with code flow or implicit flow."},
			{"client credentials without secret", in(func(r *cip.CreateUserPoolClientInput) {
				r.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}
			}), oauth, "client_credentials flow can not be selected if client does not have a client secret."},
			{"code without callbacks", in(func(r *cip.CreateUserPoolClientInput) {
				r.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeCode}
			}), oauth, "CallbackUrls can not be empty when code flow or implicit flow is selected"},
			{"OAuth without scopes", in(func(r *cip.CreateUserPoolClientInput) {
				r.AllowedOAuthFlowsUserPoolClient = true
				r.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeCode}
				r.CallbackURLs = []string{"https://app.example.com/cb"}
			}), invalid, "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."},
			{"unknown scope", in(func(r *cip.CreateUserPoolClientInput) {
				r.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeCode}
				r.CallbackURLs = []string{"https://app.example.com/cb"}
				r.AllowedOAuthScopes = []string{"openid", "api/read"}
			}), "ScopeDoesNotExistException", "Invalid scope requested: api/read"},
			{"standard scope with client credentials", in(func(r *cip.CreateUserPoolClientInput) {
				r.GenerateSecret = true
				r.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}
				r.AllowedOAuthScopes = []string{"openid"}
			}), oauth, "openid is not supported with client_credentials flow"},
		}
		for _, c := range cases {
			_, err := s.Client.CreateUserPoolClient(ctx, c.in)
			if err == nil {
				t.Errorf("%s: accepted", c.name)
				continue
			}
			t.Run(c.name, func(t *testing.T) { wantErr(t, err, c.code, c.msg) })
		}
		// Nothing was created by the refused requests.
		list := must[*cip.ListUserPoolClientsOutput](t)(s.Client.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pool}))
		if len(list.UserPoolClients) != 0 {
			t.Errorf("refused requests created %d clients", len(list.UserPoolClients))
		}

		// Choice-based sign-in needs the Essentials plan or better.
		lite := must[*cip.CreateUserPoolOutput](t)(s.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("lite"), UserPoolTier: types.UserPoolTierTypeLite})).UserPool.Id
		_, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: lite, ClientName: aws.String("choice"), ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserAuth},
		})
		wantErr(t, err, "FeatureUnavailableInTierException", "ALLOW_USER_AUTH requires the Essentials or Plus feature plan.")
	})
}

func TestListUserPoolClients_Pagination(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		pool := aws.String(newPool(t, s.Client, "list"))
		other := aws.String(newPool(t, s.Client, "other"))
		newAppClient(t, s.Client, other, "elsewhere", false)
		created := map[string]bool{}
		for range 7 {
			created[aws.ToString(newAppClient(t, s.Client, pool, "app", false).ClientId)] = true
		}
		seen := map[string]bool{}
		var token *string
		for pages := 1; ; pages++ {
			out := must[*cip.ListUserPoolClientsOutput](t)(s.Client.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pool, MaxResults: aws.Int32(3), NextToken: token}))
			if len(out.UserPoolClients) > 3 {
				t.Fatalf("page of %d clients", len(out.UserPoolClients))
			}
			for _, c := range out.UserPoolClients {
				id := aws.ToString(c.ClientId)
				if seen[id] {
					t.Fatalf("client %s listed twice", id)
				}
				seen[id] = true
				if aws.ToString(c.UserPoolId) != *pool || aws.ToString(c.ClientName) != "app" {
					t.Errorf("description = %+v", c)
				}
			}
			// A client created while paging does not disturb the listing.
			if pages == 1 {
				newAppClient(t, s.Client, pool, "app", false)
			}
			if out.NextToken == nil {
				break
			}
			token = out.NextToken
		}
		for id := range created {
			if !seen[id] {
				t.Errorf("client %s not listed", id)
			}
		}
		// Without MaxResults one page holds them all.
		all := must[*cip.ListUserPoolClientsOutput](t)(s.Client.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pool}))
		if len(all.UserPoolClients) != 8 || all.NextToken != nil {
			t.Errorf("%d clients, token %v", len(all.UserPoolClients), all.NextToken)
		}
		_, err := s.Client.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pool, MaxResults: aws.Int32(61)})
		wantErr(t, err, "InvalidParameterException", "Member must have value less than or equal to 60")
		_, err = s.Client.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pool, NextToken: aws.String("!!!")})
		wantErr(t, err, "InvalidParameterException", "Invalid pagination token.")
	})
}

func TestUpdateUserPoolClient_ResetsOmittedSettings(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		pool := clientPool(t, s.Client)
		created := must[*cip.CreateUserPoolClientOutput](t)(s.Client.CreateUserPoolClient(ctx, fullClient(pool))).UserPoolClient
		flows := []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth}
		updated := must[*cip.UpdateUserPoolClientOutput](t)(s.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
			UserPoolId: pool, ClientId: created.ClientId, ExplicitAuthFlows: flows,
		})).UserPoolClient
		for _, c := range []*types.UserPoolClientType{updated, describeClient(t, s.Client, pool, created.ClientId)} {
			if !slices.Equal(c.ExplicitAuthFlows, flows) {
				t.Errorf("ExplicitAuthFlows = %v", c.ExplicitAuthFlows)
			}
			// Left out, so back to the defaults.
			c.ExplicitAuthFlows = nil
			checkDefaultSettings(t, c)
			// Not settings: kept.
			if aws.ToString(c.ClientName) != "full" || aws.ToString(c.ClientSecret) != aws.ToString(created.ClientSecret) || !c.CreationDate.Equal(*created.CreationDate) {
				t.Errorf("name %q, secret %q, created %v", aws.ToString(c.ClientName), aws.ToString(c.ClientSecret), c.CreationDate)
			}
			if c.LastModifiedDate.Before(*c.CreationDate) {
				t.Errorf("LastModifiedDate %v before CreationDate %v", c.LastModifiedDate, c.CreationDate)
			}
		}

		renamed := must[*cip.UpdateUserPoolClientOutput](t)(s.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
			UserPoolId: pool, ClientId: created.ClientId, ClientName: aws.String("renamed"),
			// A confidential client may use the client credentials grant.
			AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		})).UserPoolClient
		if aws.ToString(renamed.ClientName) != "renamed" || !slices.Equal(renamed.AllowedOAuthFlows, []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}) {
			t.Errorf("renamed = %+v", renamed)
		}
		list := must[*cip.ListUserPoolClientsOutput](t)(s.Client.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pool}))
		if len(list.UserPoolClients) != 1 || aws.ToString(list.UserPoolClients[0].ClientName) != "renamed" {
			t.Errorf("list = %+v", list.UserPoolClients)
		}

		// The same rules as at creation, in the update's words.
		public := newAppClient(t, s.Client, pool, "public", false)
		_, err := s.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: pool, ClientId: public.ClientId, WriteAttributes: []string{"name"}})
		wantErr(t, err, "InvalidParameterException", "Invalid write attributes specified while updating a client")
		_, err = s.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: pool, ClientId: public.ClientId, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}})
		wantErr(t, err, "InvalidOAuthFlowException", "client_credentials flow can not be selected if client does not have a client secret.")
		_, err = s.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: pool, ClientId: public.ClientId, ReadAttributes: []string{"custom:nope"}})
		wantErr(t, err, "InvalidParameterException", "Invalid read attributes specified while updating a client")
		// A refused update changes nothing.
		checkDefaultSettings(t, describeClient(t, s.Client, pool, public.ClientId))
	})
}

func TestDeleteUserPoolClient(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		pool := aws.String(newPool(t, s.Client, "delete"))
		gone := newAppClient(t, s.Client, pool, "gone", true)
		kept := newAppClient(t, s.Client, pool, "kept", false)
		must[*cip.DeleteUserPoolClientOutput](t)(s.Client.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: pool, ClientId: gone.ClientId}))

		msg := "User pool client " + aws.ToString(gone.ClientId) + " does not exist."
		_, err := s.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: pool, ClientId: gone.ClientId})
		wantErr(t, err, "ResourceNotFoundException", msg)
		_, err = s.Client.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: pool, ClientId: gone.ClientId})
		wantErr(t, err, "ResourceNotFoundException", msg)
		_, err = s.Client.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: pool, ClientId: gone.ClientId})
		wantErr(t, err, "ResourceNotFoundException", msg)

		list := must[*cip.ListUserPoolClientsOutput](t)(s.Client.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pool}))
		if len(list.UserPoolClients) != 1 || aws.ToString(list.UserPoolClients[0].ClientId) != aws.ToString(kept.ClientId) {
			t.Errorf("list = %+v", list.UserPoolClients)
		}
	})
}

func TestDeleteUserPool_DeletesClients(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		pool := aws.String(newPool(t, s.Client, "doomed"))
		other := aws.String(newPool(t, s.Client, "survivor"))
		doomed := newAppClient(t, s.Client, pool, "doomed", true)
		survivor := newAppClient(t, s.Client, other, "survivor", true)
		must[*cip.DeleteUserPoolOutput](t)(s.Client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: pool}))

		msg := "User pool " + *pool + " does not exist."
		_, err := s.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: pool, ClientId: doomed.ClientId})
		wantErr(t, err, "ResourceNotFoundException", msg)
		_, err = s.Client.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pool})
		wantErr(t, err, "ResourceNotFoundException", msg)

		// Another pool's clients are untouched.
		if d := describeClient(t, s.Client, other, survivor.ClientId); aws.ToString(d.ClientSecret) != aws.ToString(survivor.ClientSecret) {
			t.Errorf("survivor = %+v", d)
		}
	})
}

func TestUserPoolClient_ResourceNotFound(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		missingPool := aws.String("us-east-1_missing00")
		pool := aws.String(newPool(t, s.Client, "present"))
		client := newAppClient(t, s.Client, pool, "present", true).ClientId
		missingClient := aws.String("0123456789abcdefghijklmnop")

		for _, c := range []struct {
			pool, client *string
			msg          string
		}{
			{missingPool, client, "User pool us-east-1_missing00 does not exist."},
			{pool, missingClient, "User pool client 0123456789abcdefghijklmnop does not exist."},
		} {
			_, err := s.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: c.pool, ClientId: c.client})
			wantErr(t, err, "ResourceNotFoundException", c.msg)
			_, err = s.Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: c.pool, ClientId: c.client})
			wantErr(t, err, "ResourceNotFoundException", c.msg)
			_, err = s.Client.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: c.pool, ClientId: c.client})
			wantErr(t, err, "ResourceNotFoundException", c.msg)
			_, err = s.Client.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: c.pool, ClientId: c.client})
			wantErr(t, err, "ResourceNotFoundException", c.msg)
			_, err = s.Client.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: c.pool, ClientId: c.client})
			wantErr(t, err, "ResourceNotFoundException", c.msg)
			_, err = s.Client.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: c.pool, ClientId: c.client, ClientSecretId: aws.String("x--1")})
			wantErr(t, err, "ResourceNotFoundException", c.msg)
		}
		_, err := s.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: missingPool, ClientName: aws.String("x")})
		wantErr(t, err, "ResourceNotFoundException", "User pool us-east-1_missing00 does not exist.")
		_, err = s.Client.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: missingPool})
		wantErr(t, err, "ResourceNotFoundException", "User pool us-east-1_missing00 does not exist.")
	})
}

func TestAddUserPoolClientSecret_Rotation(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		pool := aws.String(newPool(t, s.Client, "rotation"))
		c := newAppClient(t, s.Client, pool, "server", true)
		listSecrets := func() []types.ClientSecretDescriptorType {
			t.Helper()
			out := must[*cip.ListUserPoolClientSecretsOutput](t)(s.Client.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: pool, ClientId: c.ClientId}))
			for _, d := range out.ClientSecrets {
				if d.ClientSecretValue != nil {
					t.Errorf("ListUserPoolClientSecrets shows the value of %s", aws.ToString(d.ClientSecretId))
				}
			}
			return out.ClientSecrets
		}
		first := listSecrets()[0]

		added := must[*cip.AddUserPoolClientSecretOutput](t)(s.Client.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: pool, ClientId: c.ClientId})).ClientSecretDescriptor
		second := aws.ToString(added.ClientSecretValue)
		if !clientSecretPattern.MatchString(second) || second == aws.ToString(c.ClientSecret) || added.ClientSecretCreateDate == nil {
			t.Fatalf("added = %+v", added)
		}
		if !strings.HasPrefix(aws.ToString(added.ClientSecretId), aws.ToString(c.ClientId)+"--") {
			t.Errorf("ClientSecretId %q is not <client ID>--<time>", aws.ToString(added.ClientSecretId))
		}
		both := listSecrets()
		if len(both) != 2 || aws.ToString(both[0].ClientSecretId) != aws.ToString(first.ClientSecretId) || aws.ToString(both[1].ClientSecretId) != aws.ToString(added.ClientSecretId) {
			t.Fatalf("secrets = %+v", both)
		}
		// Describe shows the secret being rotated in.
		if got := aws.ToString(describeClient(t, s.Client, pool, c.ClientId).ClientSecret); got != second {
			t.Errorf("DescribeUserPoolClient secret %q, want the newest %q", got, second)
		}

		_, err := s.Client.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: pool, ClientId: c.ClientId})
		wantErr(t, err, "LimitExceededException", "A user pool client can have at most 2 client secrets.")

		must[*cip.DeleteUserPoolClientSecretOutput](t)(s.Client.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: pool, ClientId: c.ClientId, ClientSecretId: first.ClientSecretId}))
		left := listSecrets()
		if len(left) != 1 || aws.ToString(left[0].ClientSecretId) != aws.ToString(added.ClientSecretId) {
			t.Fatalf("after delete: %+v", left)
		}
		if got := aws.ToString(describeClient(t, s.Client, pool, c.ClientId).ClientSecret); got != second {
			t.Errorf("DescribeUserPoolClient secret %q, want %q", got, second)
		}
		_, err = s.Client.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: pool, ClientId: c.ClientId, ClientSecretId: added.ClientSecretId})
		wantErr(t, err, "InvalidParameterException", "You cannot delete the last remaining client secret of a user pool client.")
		_, err = s.Client.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: pool, ClientId: c.ClientId, ClientSecretId: first.ClientSecretId})
		wantErr(t, err, "ResourceNotFoundException", "Client secret "+aws.ToString(first.ClientSecretId)+" does not exist.")

		// A secret the caller chose is not echoed back, but is the client's.
		custom := "rotated_in_by_hand_0123456789"
		added = must[*cip.AddUserPoolClientSecretOutput](t)(s.Client.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: pool, ClientId: c.ClientId, ClientSecret: aws.String(custom)})).ClientSecretDescriptor
		if added.ClientSecretValue != nil || added.ClientSecretId == nil {
			t.Errorf("custom secret descriptor = %+v", added)
		}
		s = s.Restart(t)
		if got := aws.ToString(describeClient(t, s.Client, pool, c.ClientId).ClientSecret); got != custom {
			t.Errorf("DescribeUserPoolClient secret after restart %q, want %q", got, custom)
		}

		// A public client has no secret to rotate.
		public := newAppClient(t, s.Client, pool, "public", false)
		_, err = s.Client.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: pool, ClientId: public.ClientId})
		wantErr(t, err, "InvalidParameterException", "User pool client "+aws.ToString(public.ClientId)+" does not have a client secret.")
	})
}
