package cognito

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"cognate/internal/api"
	"cognate/internal/store"
)

// maxClientSecrets is how many secrets a client may hold at once: two, so that
// a secret can be rotated without downtime.
const maxClientSecrets = 2

// defaultListClients is the page size of ListUserPoolClients when the request
// names none: the largest the model allows.
const defaultListClients = 60

// Token validity bounds, in seconds: access and ID tokens live 5 minutes to a
// day, refresh tokens 60 minutes to 10 years.
const (
	minTokenValidity   = 5 * 60
	maxTokenValidity   = 24 * 60 * 60
	minRefreshValidity = 60 * 60
	maxRefreshValidity = 3650 * 24 * 60 * 60
)

// clientDoc is what the store keeps as a client's Config: the client as
// DescribeUserPoolClient shows it, less what the record and the secret rows
// hold. As in Cognito, settings the caller left out stay out: no
// ExplicitAuthFlows means ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH and
// ALLOW_REFRESH_TOKEN_AUTH; no PreventUserExistenceErrors means LEGACY; no
// Read/WriteAttributes means every attribute the client may see or change by
// default; no Access/IdTokenValidity means one hour.
type clientDoc struct {
	Client api.UserPoolClientType `json:"client"`
}

type client struct {
	rec store.Client
	doc clientDoc
	// secrets are the client's secrets when it was read with them
	// (clientByID), and secretsRead says so.
	secrets     []store.ClientSecret
	secretsRead bool
}

// clientSecrets returns the client's current secrets, read with it or now.
func (s *Service) clientSecrets(ctx context.Context, c *client) ([]store.ClientSecret, error) {
	if c.secretsRead {
		return c.secrets, nil
	}
	return s.store.ListClientSecrets(ctx, c.rec.PoolID, c.rec.ID)
}

func (s *Service) getClient(ctx context.Context, r store.Reader, poolID, clientID string) (*client, error) {
	rec, err := r.GetClient(ctx, poolID, clientID)
	if err != nil {
		return nil, notFound(err, &api.ResourceNotFoundException{Message: fmt.Sprintf(msgClientNotFound, clientID)})
	}
	return decodeClient(rec)
}

func decodeClient(rec store.Client) (*client, error) {
	c := &client{rec: rec}
	if err := json.Unmarshal(rec.Config, &c.doc); err != nil {
		return nil, fmt.Errorf("client %s: decode config: %w", rec.ID, err)
	}
	return c, nil
}

// poolClient reads a pool and one of its clients; an unknown pool is reported
// before an unknown client.
func (s *Service) poolClient(ctx context.Context, r store.Reader, poolID, clientID string) (*pool, *client, error) {
	p, err := s.getPool(ctx, r, poolID)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.getClient(ctx, r, poolID, clientID)
	if err != nil {
		return nil, nil, err
	}
	return p, c, nil
}

func (s *Service) saveClient(ctx context.Context, tx store.Tx, c *client) error {
	c.rec.UpdatedAt = s.now()
	raw, err := json.Marshal(c.doc)
	if err != nil {
		return err
	}
	c.rec.Config = raw
	return notFound(tx.UpdateClient(ctx, c.rec), &api.ResourceNotFoundException{Message: fmt.Sprintf(msgClientNotFound, c.rec.ID)})
}

// describeClient is the client as DescribeUserPoolClient answers it; secret is
// its current secret, "" for a public client.
func describeClient(c *client, secret string) *api.UserPoolClientType {
	out := c.doc.Client
	out.UserPoolId = new(c.rec.PoolID)
	out.ClientId = new(c.rec.ID)
	out.ClientName = new(c.rec.Name)
	out.CreationDate = api.Time(c.rec.CreatedAt)
	out.LastModifiedDate = api.Time(c.rec.UpdatedAt)
	if secret != "" {
		out.ClientSecret = new(secret)
	}
	return &out
}

func secretAAD(poolID, clientID, secretID string) string {
	return "pool/" + poolID + "/client/" + clientID + "/secret/" + secretID
}

// currentSecret is the newest of a client's secrets, the one Describe shows:
// during a rotation that is the secret being rotated in.
func (s *Service) currentSecret(secrets []store.ClientSecret) (string, error) {
	if len(secrets) == 0 {
		return "", nil
	}
	sec := secrets[len(secrets)-1]
	value, err := s.box.Open(sec.Value, secretAAD(sec.PoolID, sec.ClientID, sec.ID))
	if err != nil {
		return "", fmt.Errorf("client %s: open secret %s: %w", sec.ClientID, sec.ID, err)
	}
	return string(value), nil
}

// addSecret stores a new secret after the existing ones. Its ID is
// "<client ID>--<creation time in epoch milliseconds>", as Cognito's are; the
// time is moved past the newest secret's so that IDs never collide.
func (s *Service) addSecret(ctx context.Context, tx store.Tx, poolID, clientID, value string, existing []store.ClientSecret) (store.ClientSecret, error) {
	at := s.now()
	if n := len(existing); n > 0 && !at.After(existing[n-1].CreatedAt) {
		at = existing[n-1].CreatedAt.Add(time.Millisecond)
	}
	id := fmt.Sprintf("%s--%d", clientID, at.UnixMilli())
	sec := store.ClientSecret{PoolID: poolID, ClientID: clientID, ID: id, CreatedAt: at,
		Value: s.box.Seal([]byte(value), secretAAD(poolID, clientID, id))}
	if err := tx.AddClientSecret(ctx, sec); err != nil {
		return sec, fmt.Errorf("client %s: add secret: %w", clientID, err)
	}
	return sec, nil
}

// clientSettingsOf copies the settings a CreateUserPoolClient or
// UpdateUserPoolClient request shares with UserPoolClientType: their members
// have the same names. What the record holds is left out.
func clientSettingsOf(in any) (api.UserPoolClientType, error) {
	var c api.UserPoolClientType
	raw, err := json.Marshal(in)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, err
	}
	c.UserPoolId, c.ClientId, c.ClientName, c.ClientSecret = nil, nil, nil, nil
	return c, nil
}

func (s *Service) CreateUserPoolClient(ctx context.Context, in *api.CreateUserPoolClientInput) (*api.CreateUserPoolClientOutput, error) {
	settings, err := clientSettingsOf(in)
	if err != nil {
		return nil, err
	}
	if api.Value(in.GenerateSecret) && in.ClientSecret != nil {
		return nil, invalidParameter(msgGenerateAndCustomSecret)
	}
	var out *api.UserPoolClientType
	err = s.update(ctx, func(tx store.Tx) error {
		p, err := s.getPool(ctx, tx, *in.UserPoolId)
		if err != nil {
			return err
		}
		secret := api.Value(in.ClientSecret)
		if api.Value(in.GenerateSecret) {
			secret = newClientSecret()
		}
		doc := clientDoc{Client: settings}
		if err := checkClient(p, &doc.Client, secret != "", "creating"); err != nil {
			return err
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		now := s.now()
		c := &client{doc: doc, rec: store.Client{PoolID: p.rec.ID, ID: newClientID(), Name: *in.ClientName, CreatedAt: now, UpdatedAt: now, Config: raw}}
		if err := tx.CreateClient(ctx, c.rec); err != nil {
			return fmt.Errorf("create client: %w", err)
		}
		if secret != "" {
			if _, err := s.addSecret(ctx, tx, p.rec.ID, c.rec.ID, secret, nil); err != nil {
				return err
			}
		}
		out = describeClient(c, secret)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.CreateUserPoolClientOutput{UserPoolClient: out}, nil
}

func (s *Service) DescribeUserPoolClient(ctx context.Context, in *api.DescribeUserPoolClientInput) (*api.DescribeUserPoolClientOutput, error) {
	_, c, err := s.poolClient(ctx, s.store, *in.UserPoolId, *in.ClientId)
	if err != nil {
		return nil, err
	}
	secrets, err := s.store.ListClientSecrets(ctx, c.rec.PoolID, c.rec.ID)
	if err != nil {
		return nil, err
	}
	secret, err := s.currentSecret(secrets)
	if err != nil {
		return nil, err
	}
	return &api.DescribeUserPoolClientOutput{UserPoolClient: describeClient(c, secret)}, nil
}

func (s *Service) ListUserPoolClients(ctx context.Context, in *api.ListUserPoolClientsInput) (*api.ListUserPoolClientsOutput, error) {
	p, err := s.getPool(ctx, s.store, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	limit := defaultListClients
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	rows, next, err := listPage(in.NextToken, limit, func(c store.Client) string { return c.ID },
		func(page store.Page) ([]store.Client, error) { return s.store.ListClients(ctx, p.rec.ID, page) })
	if err != nil {
		return nil, err
	}
	out := &api.ListUserPoolClientsOutput{UserPoolClients: []api.UserPoolClientDescription{}, NextToken: next}
	for _, rec := range rows {
		out.UserPoolClients = append(out.UserPoolClients, api.UserPoolClientDescription{
			ClientId:   new(rec.ID),
			UserPoolId: new(rec.PoolID),
			ClientName: new(rec.Name),
		})
	}
	return out, nil
}

// UpdateUserPoolClient replaces the client's settings with the request's: as
// in Cognito, a setting the request leaves out returns to its default. The
// name is kept when the request has none, and the secrets have their own
// operations.
func (s *Service) UpdateUserPoolClient(ctx context.Context, in *api.UpdateUserPoolClientInput) (*api.UpdateUserPoolClientOutput, error) {
	settings, err := clientSettingsOf(in)
	if err != nil {
		return nil, err
	}
	var out *api.UserPoolClientType
	err = s.update(ctx, func(tx store.Tx) error {
		p, c, err := s.poolClient(ctx, tx, *in.UserPoolId, *in.ClientId)
		if err != nil {
			return err
		}
		secrets, err := tx.ListClientSecrets(ctx, c.rec.PoolID, c.rec.ID)
		if err != nil {
			return err
		}
		c.doc.Client = settings
		if err := checkClient(p, &c.doc.Client, len(secrets) > 0, "updating"); err != nil {
			return err
		}
		if in.ClientName != nil {
			c.rec.Name = *in.ClientName
		}
		if err := s.saveClient(ctx, tx, c); err != nil {
			return err
		}
		secret, err := s.currentSecret(secrets)
		if err != nil {
			return err
		}
		out = describeClient(c, secret)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.UpdateUserPoolClientOutput{UserPoolClient: out}, nil
}

func (s *Service) DeleteUserPoolClient(ctx context.Context, in *api.DeleteUserPoolClientInput) (*api.DeleteUserPoolClientOutput, error) {
	err := s.update(ctx, func(tx store.Tx) error {
		if _, err := s.getPool(ctx, tx, *in.UserPoolId); err != nil {
			return err
		}
		err := tx.DeleteClient(ctx, *in.UserPoolId, *in.ClientId)
		return notFound(err, &api.ResourceNotFoundException{Message: fmt.Sprintf(msgClientNotFound, *in.ClientId)})
	})
	if err != nil {
		return nil, err
	}
	return &api.DeleteUserPoolClientOutput{}, nil
}

// AddUserPoolClientSecret gives a confidential client a second secret to
// rotate to. The value is only returned when Cognate made it: a caller who
// chose the secret already knows it.
func (s *Service) AddUserPoolClientSecret(ctx context.Context, in *api.AddUserPoolClientSecretInput) (*api.AddUserPoolClientSecretOutput, error) {
	var out *api.ClientSecretDescriptorType
	err := s.update(ctx, func(tx store.Tx) error {
		_, c, err := s.poolClient(ctx, tx, *in.UserPoolId, *in.ClientId)
		if err != nil {
			return err
		}
		secrets, err := tx.ListClientSecrets(ctx, c.rec.PoolID, c.rec.ID)
		if err != nil {
			return err
		}
		switch {
		case len(secrets) == 0:
			return invalidParameter(msgClientHasNoSecret, c.rec.ID)
		case len(secrets) >= maxClientSecrets:
			return &api.LimitExceededException{Message: fmt.Sprintf(msgTooManyClientSecrets, maxClientSecrets)}
		}
		value := api.Value(in.ClientSecret)
		if in.ClientSecret == nil {
			value = newClientSecret()
		}
		sec, err := s.addSecret(ctx, tx, c.rec.PoolID, c.rec.ID, value, secrets)
		if err != nil {
			return err
		}
		out = secretDescriptor(sec)
		if in.ClientSecret == nil {
			out.ClientSecretValue = new(value)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.AddUserPoolClientSecretOutput{ClientSecretDescriptor: out}, nil
}

func secretDescriptor(sec store.ClientSecret) *api.ClientSecretDescriptorType {
	return &api.ClientSecretDescriptorType{ClientSecretId: new(sec.ID), ClientSecretCreateDate: api.Time(sec.CreatedAt)}
}

// ListUserPoolClientSecrets never shows the values, and has no second page:
// a client has at most two secrets.
func (s *Service) ListUserPoolClientSecrets(ctx context.Context, in *api.ListUserPoolClientSecretsInput) (*api.ListUserPoolClientSecretsOutput, error) {
	_, c, err := s.poolClient(ctx, s.store, *in.UserPoolId, *in.ClientId)
	if err != nil {
		return nil, err
	}
	secrets, err := s.store.ListClientSecrets(ctx, c.rec.PoolID, c.rec.ID)
	if err != nil {
		return nil, err
	}
	out := &api.ListUserPoolClientSecretsOutput{ClientSecrets: []api.ClientSecretDescriptorType{}}
	for _, sec := range secrets {
		out.ClientSecrets = append(out.ClientSecrets, *secretDescriptor(sec))
	}
	return out, nil
}

// DeleteUserPoolClientSecret ends a rotation. The last secret cannot go: a
// confidential client does not become a public one.
func (s *Service) DeleteUserPoolClientSecret(ctx context.Context, in *api.DeleteUserPoolClientSecretInput) (*api.DeleteUserPoolClientSecretOutput, error) {
	err := s.update(ctx, func(tx store.Tx) error {
		_, c, err := s.poolClient(ctx, tx, *in.UserPoolId, *in.ClientId)
		if err != nil {
			return err
		}
		secrets, err := tx.ListClientSecrets(ctx, c.rec.PoolID, c.rec.ID)
		if err != nil {
			return err
		}
		switch {
		case !slices.ContainsFunc(secrets, func(sec store.ClientSecret) bool { return sec.ID == *in.ClientSecretId }):
			return &api.ResourceNotFoundException{Message: fmt.Sprintf(msgClientSecretNotFound, *in.ClientSecretId)}
		case len(secrets) == 1:
			return invalidParameter(msgLastClientSecret)
		}
		return tx.DeleteClientSecret(ctx, c.rec.PoolID, c.rec.ID, *in.ClientSecretId)
	})
	if err != nil {
		return nil, err
	}
	return &api.DeleteUserPoolClientSecretOutput{}, nil
}

// checkClient completes a client's settings with Cognito's defaults and checks
// them against each other and the pool. verb ("creating" or "updating") goes
// into the attribute messages, which Cognito words per operation.
func checkClient(p *pool, c *api.UserPoolClientType, hasSecret bool, verb string) error {
	fillClientDefaults(c)
	if err := checkAuthFlows(p, c.ExplicitAuthFlows); err != nil {
		return err
	}
	if err := checkTokenValidity(c); err != nil {
		return err
	}
	if err := checkClientAttributes(p, c, verb); err != nil {
		return err
	}
	if api.Value(c.EnablePropagateAdditionalUserContextData) && !hasSecret {
		return invalidParameter(msgContextDataNeedsSecret)
	}
	for _, idp := range c.SupportedIdentityProviders {
		// Identity providers of the pool are not supported yet, so COGNITO
		// is the only one that exists.
		if idp != "COGNITO" {
			return invalidParameter(msgProviderNotFound, idp, p.rec.ID)
		}
	}
	for _, list := range [][]string{c.CallbackURLs, c.LogoutURLs} {
		for _, u := range list {
			if err := checkRedirectURL(u); err != nil {
				return err
			}
		}
	}
	if c.DefaultRedirectURI != nil && !contains(c.CallbackURLs, *c.DefaultRedirectURI) {
		return invalidParameter(msgDefaultRedirectNotCallback)
	}
	return checkOAuth(c, hasSecret)
}

func fillClientDefaults(c *api.UserPoolClientType) {
	// Cognito turns a refresh token validity of 0 into the default too.
	if api.Value(c.RefreshTokenValidity) == 0 {
		c.RefreshTokenValidity = new(int32(30))
	}
	if c.TokenValidityUnits == nil {
		c.TokenValidityUnits = &api.TokenValidityUnitsType{}
	}
	if c.AllowedOAuthFlowsUserPoolClient == nil {
		c.AllowedOAuthFlowsUserPoolClient = new(false)
	}
	if c.EnableTokenRevocation == nil {
		c.EnableTokenRevocation = new(true)
	}
	if c.EnablePropagateAdditionalUserContextData == nil {
		c.EnablePropagateAdditionalUserContextData = new(false)
	}
	if c.AuthSessionValidity == nil {
		c.AuthSessionValidity = new(int32(3))
	}
	if r := c.RefreshTokenRotation; r != nil && r.RetryGracePeriodSeconds == nil {
		r.RetryGracePeriodSeconds = new(int32(0))
	}
}

func checkAuthFlows(p *pool, flows []api.ExplicitAuthFlowsType) error {
	legacy, current := false, false
	for _, f := range flows {
		switch f {
		case api.ExplicitAuthFlowsTypeAdminNoSrpAuth, api.ExplicitAuthFlowsTypeCustomAuthFlowOnly, api.ExplicitAuthFlowsTypeUserPasswordAuth:
			legacy = true
		default:
			current = true
		}
	}
	if legacy && current {
		return invalidParameter(msgMixedAuthFlows)
	}
	if contains(flows, api.ExplicitAuthFlowsTypeAllowUserAuth) && p.doc.Pool.UserPoolTier == api.UserPoolTierTypeLite {
		return &api.FeatureUnavailableInTierException{Message: msgUserAuthNeedsTier}
	}
	return nil
}

// validitySeconds is a token validity in seconds; an empty unit is the
// token's default unit.
func validitySeconds(v int32, unit, defaultUnit api.TimeUnitsType) int64 {
	if unit == "" {
		unit = defaultUnit
	}
	scale := map[api.TimeUnitsType]int64{
		api.TimeUnitsTypeSeconds: 1,
		api.TimeUnitsTypeMinutes: 60,
		api.TimeUnitsTypeHours:   60 * 60,
		api.TimeUnitsTypeDays:    24 * 60 * 60,
	}[unit]
	return int64(v) * scale
}

func checkTokenValidity(c *api.UserPoolClientType) error {
	u := c.TokenValidityUnits
	checks := []struct {
		v        *int32
		unit     api.TimeUnitsType
		def      api.TimeUnitsType
		min, max int64
	}{
		{c.AccessTokenValidity, u.AccessToken, api.TimeUnitsTypeHours, minTokenValidity, maxTokenValidity},
		{c.IdTokenValidity, u.IdToken, api.TimeUnitsTypeHours, minTokenValidity, maxTokenValidity},
		{c.RefreshTokenValidity, u.RefreshToken, api.TimeUnitsTypeDays, minRefreshValidity, maxRefreshValidity},
	}
	for _, ch := range checks {
		if ch.v == nil {
			continue
		}
		if s := validitySeconds(*ch.v, ch.unit, ch.def); s < ch.min || s > ch.max {
			return invalidParameter(msgInvalidTokenValidity)
		}
	}
	return nil
}

// unwritableAttributes are kept by Cognito itself, so no client may write them.
var unwritableAttributes = map[string]bool{"sub": true, "email_verified": true, "phone_number_verified": true}

// checkClientAttributes checks the client's attribute permissions against the
// pool's schema. A client that names its writable attributes must be able to
// write every required one, or sign-up through it could never succeed.
func checkClientAttributes(p *pool, c *api.UserPoolClientType, verb string) error {
	schema := map[string]api.SchemaAttributeType{}
	for _, a := range p.doc.Pool.SchemaAttributes {
		schema[api.Value(a.Name)] = a
	}
	for _, name := range c.ReadAttributes {
		if _, ok := schema[name]; !ok {
			return invalidParameter(msgInvalidReadAttributes, verb)
		}
	}
	if c.WriteAttributes == nil {
		return nil
	}
	for _, name := range c.WriteAttributes {
		a, ok := schema[name]
		if !ok || unwritableAttributes[name] || api.Value(a.DeveloperOnlyAttribute) {
			return invalidParameter(msgInvalidWriteAttributes, verb)
		}
	}
	for name, a := range schema {
		if api.Value(a.Required) && !unwritableAttributes[name] && !contains(c.WriteAttributes, name) {
			return invalidParameter(msgInvalidWriteAttributes, verb)
		}
	}
	return nil
}

// checkRedirectURL applies Cognito's rules to callback and sign-out URLs: an
// absolute URI without a fragment, over HTTPS unless it points at this
// machine. Other schemes (myapp://) are for native apps and allowed.
func checkRedirectURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || strings.Contains(raw, "#") {
		return invalidParameter(msgInvalidRedirectURL, raw)
	}
	if u.Scheme == "http" {
		switch u.Hostname() {
		case "localhost", "127.0.0.1", "::1":
		default:
			return invalidParameter(msgRedirectURLNotHTTPS, raw)
		}
	}
	return nil
}

// standardScopes are the OAuth scopes every pool has; others belong to
// resource servers.
var standardScopes = map[string]bool{"phone": true, "email": true, "openid": true, "profile": true, "aws.cognito.signin.user.admin": true}

func checkOAuth(c *api.UserPoolClientType, hasSecret bool) error {
	flows := c.AllowedOAuthFlows
	credentials := contains(flows, api.OAuthFlowTypeClientCredentials)
	browser := contains(flows, api.OAuthFlowTypeCode) || contains(flows, api.OAuthFlowTypeImplicit)
	switch {
	case credentials && browser:
		return &api.InvalidOAuthFlowException{Message: msgClientCredentialsAlone}
	case credentials && !hasSecret:
		return &api.InvalidOAuthFlowException{Message: msgClientCredentialsNeedsSecret}
	case browser && len(c.CallbackURLs) == 0:
		return &api.InvalidOAuthFlowException{Message: msgCallbackURLsRequired}
	case api.Value(c.AllowedOAuthFlowsUserPoolClient) && (len(flows) == 0 || len(c.AllowedOAuthScopes) == 0):
		return invalidParameter(msgOAuthNeedsFlowsAndScopes)
	}
	for _, scope := range c.AllowedOAuthScopes {
		switch {
		// Resource servers are not supported yet, so no custom scope exists.
		case !standardScopes[scope]:
			return &api.ScopeDoesNotExistException{Message: fmt.Sprintf(msgScopeNotFound, scope)}
		case credentials:
			return &api.InvalidOAuthFlowException{Message: fmt.Sprintf(msgScopeNotForClientCredentials, scope)}
		}
	}
	return nil
}
