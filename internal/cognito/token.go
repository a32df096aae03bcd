package cognito

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"cognate/internal/api"
	"cognate/internal/store"
	"cognate/internal/tokens"
)

// adminScope is the scope of access tokens from the API's sign-in flows: it
// lets the user call the self-service operations.
const adminScope = "aws.cognito.signin.user.admin"

// refreshGCDelay keeps an expired refresh token's row for as long as an
// access token it minted may live, because an access token is honoured only
// while its family has a row.
const refreshGCDelay = KeyOverlap

// randomToken returns n random bytes, base64url-encoded: sessions and refresh
// tokens, opaque to clients.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenID is how the store knows a session or refresh token: its hash, so
// that a copy of the database holds no usable token.
func tokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *Service) publicBase() string {
	return strings.TrimRight(s.cfg.PublicURL, "/")
}

// issuer is the iss claim of the pool's tokens.
func (s *Service) issuer(poolID string) string {
	return s.publicBase() + "/" + poolID
}

// validity returns a client's ID, access and refresh token lifetimes.
func (c *client) validity() (id, access, refresh time.Duration) {
	d := c.doc.Client
	u := d.TokenValidityUnits
	if u == nil {
		u = &api.TokenValidityUnitsType{}
	}
	seconds := func(v *int32, unit, def api.TimeUnitsType, fallback int32) time.Duration {
		n := fallback
		if v != nil && *v != 0 {
			n = *v
		}
		return time.Duration(validitySeconds(n, unit, def)) * time.Second
	}
	return seconds(d.IdTokenValidity, u.IdToken, api.TimeUnitsTypeHours, 1),
		seconds(d.AccessTokenValidity, u.AccessToken, api.TimeUnitsTypeHours, 1),
		seconds(d.RefreshTokenValidity, u.RefreshToken, api.TimeUnitsTypeDays, 30)
}

func (c *client) revocationEnabled() bool {
	return api.Value(c.doc.Client.EnableTokenRevocation)
}

// canRead reports whether the client may read an attribute, which decides
// whether it appears in ID tokens.
func (c *client) canRead(name string) bool {
	return c.doc.Client.ReadAttributes == nil || contains(c.doc.Client.ReadAttributes, name)
}

// signIn is one authentication: what the tokens minted for it share.
type signIn struct {
	Family   string // origin_jti
	AuthTime time.Time
	EventID  string
}

// groupClaims are the cognito:groups claim, groups by precedence (then
// name), and with roles the cognito:roles and cognito:preferred_role claims
// of ID tokens: the roles of the groups, and that of the group with the
// lowest precedence that has one.
func groupClaims(groups []store.Group, claims map[string]any, roles bool) {
	if len(groups) == 0 {
		return
	}
	slices.SortStableFunc(groups, func(a, b store.Group) int {
		pa, pb := int64(1<<40), int64(1<<40)
		if a.Precedence != nil {
			pa = int64(*a.Precedence)
		}
		if b.Precedence != nil {
			pb = int64(*b.Precedence)
		}
		if pa != pb {
			if pa < pb {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	names := make([]string, len(groups))
	var arns []string
	for i, g := range groups {
		names[i] = g.Name
		if g.RoleARN != "" && !slices.Contains(arns, g.RoleARN) {
			arns = append(arns, g.RoleARN)
		}
	}
	claims["cognito:groups"] = names
	if roles && len(arns) > 0 {
		claims["cognito:roles"] = arns
		claims["cognito:preferred_role"] = arns[0]
	}
}

// attributeClaim is an attribute's value as ID tokens carry it: the verified
// flags are booleans, updated_at a number, address an object; everything
// else (custom attributes included) a string.
func attributeClaim(name, value string) any {
	switch name {
	case "email_verified", "phone_number_verified":
		return value == "true"
	case "updated_at":
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			return n
		}
	case "address":
		return map[string]string{"formatted": value}
	}
	return value
}

// mintTokens signs an ID and an access token for the user's sign-in.
func (s *Service) mintTokens(ctx context.Context, p *pool, c *client, u store.User, groups []store.Group, in signIn) (idToken, accessToken string, err error) {
	key, err := s.signingKey(ctx, p.rec.ID)
	if err != nil {
		return "", "", err
	}
	attrs, err := decodeAttributes(u.Attributes)
	if err != nil {
		return "", "", err
	}
	now := s.now()
	idTTL, accessTTL, _ := c.validity()
	common := func(ttl time.Duration, roles bool) map[string]any {
		m := map[string]any{
			"sub":       u.Sub,
			"iss":       s.issuer(p.rec.ID),
			"event_id":  in.EventID,
			"auth_time": in.AuthTime.Unix(),
			"iat":       now.Unix(),
			"exp":       now.Add(ttl).Unix(),
		}
		if c.revocationEnabled() {
			m["jti"] = uuid.NewString()
			m["origin_jti"] = in.Family
		}
		groupClaims(slices.Clone(groups), m, roles)
		return m
	}

	id := common(idTTL, true)
	id["aud"] = c.rec.ID
	id["token_use"] = "id"
	id["cognito:username"] = u.Username
	for _, a := range attrs {
		name := api.Value(a.Name)
		if name == "sub" || !c.canRead(name) {
			continue
		}
		id[name] = attributeClaim(name, api.Value(a.Value))
	}

	access := common(accessTTL, false)
	access["client_id"] = c.rec.ID
	access["token_use"] = "access"
	access["scope"] = adminScope
	access["username"] = u.Username

	if idToken, err = tokens.Sign(key, id); err != nil {
		return "", "", err
	}
	if accessToken, err = tokens.Sign(key, access); err != nil {
		return "", "", err
	}
	return idToken, accessToken, nil
}

// authResult is the AuthenticationResult of a sign-in or refresh; refresh is
// empty when no new refresh token was issued.
func authResult(c *client, idToken, accessToken, refresh string) *api.AuthenticationResultType {
	_, accessTTL, _ := c.validity()
	out := &api.AuthenticationResultType{
		IdToken:     new(idToken),
		AccessToken: new(accessToken),
		ExpiresIn:   new(int32(accessTTL / time.Second)),
		TokenType:   new("Bearer"),
	}
	if refresh != "" {
		out.RefreshToken = new(refresh)
	}
	return out
}

// newRefreshToken stores a refresh token of the sign-in with create (a
// transaction's CreateRefreshToken, or the store's) and returns it.
func (s *Service) newRefreshToken(ctx context.Context, create func(context.Context, store.RefreshToken) error, c *client, u store.User, in signIn) (string, error) {
	_, _, ttl := c.validity()
	token := randomToken(48)
	now := s.now()
	err := create(ctx, store.RefreshToken{PoolID: c.rec.PoolID, ID: tokenID(token), Family: in.Family,
		ClientID: c.rec.ID, UserKey: u.Key, AuthTime: in.AuthTime, CreatedAt: now, ExpiresAt: now.Add(ttl)})
	if err != nil {
		return "", notFound(err, &api.UserNotFoundException{Message: msgUserNotFound})
	}
	return token, nil
}

// refresh mints new ID and access tokens from a refresh token of the client,
// with the same origin_jti and auth_time. With rotate, it also issues a new
// refresh token of the same family, and the old one lasts only the client's
// grace period. check authenticates the client for the user the token
// belongs to. Without rotation nothing is written: a refresh only reads,
// and its first read is the one a copy of the client is checked at.
func (s *Service) refresh(ctx context.Context, req authRequest, token string, rotate bool, check func(u store.User) error) (*api.AuthenticationResultType, error) {
	p, c := req.pool, req.client
	valid := func(r store.Reader, first bool) (store.RefreshToken, store.Signer, error) {
		grant, err := r.FindRefreshToken(ctx, p.rec.ID, tokenID(token))
		if first {
			if err := req.checkCopy(grant.Holder.Generation, err); err != nil {
				return grant.Token, grant.Holder, err
			}
		}
		rt, holder := grant.Token, grant.Holder
		if errors.Is(err, store.ErrNotFound) || err == nil && (!grant.Found || rt.ClientID != c.rec.ID) {
			return rt, holder, &api.NotAuthorizedException{Message: msgInvalidRefreshToken}
		}
		if err != nil {
			return rt, holder, err
		}
		if !rt.ExpiresAt.After(s.now()) {
			return rt, holder, &api.NotAuthorizedException{Message: msgRefreshTokenExpired}
		}
		if !holder.Found {
			return rt, holder, &api.NotAuthorizedException{Message: msgRefreshTokenRevoked}
		}
		return rt, holder, nil
	}
	rt, signer, err := valid(s.store, true)
	if err != nil {
		return nil, err
	}
	u := signer.User
	// The client is authenticated outside any transaction: a check that
	// read through the store while holding one could wait for itself.
	if err := check(u); err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, &api.NotAuthorizedException{Message: msgUserDisabled}
	}
	var newToken string
	if rotate {
		err = s.update(ctx, func(tx store.Tx) error {
			rt, signer, err = valid(tx, false)
			if err != nil {
				return err
			}
			u = signer.User
			grace := time.Duration(api.Value(c.doc.Client.RefreshTokenRotation.RetryGracePeriodSeconds)) * time.Second
			if err := tx.SetRefreshTokenExpiry(ctx, p.rec.ID, rt.ID, minTime(rt.ExpiresAt, s.now().Add(grace))); err != nil {
				return err
			}
			newToken, err = s.newRefreshToken(ctx, tx.CreateRefreshToken, c, u, signIn{Family: rt.Family, AuthTime: rt.AuthTime})
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	idToken, accessToken, err := s.mintTokens(ctx, p, c, u, signer.Groups, signIn{Family: rt.Family, AuthTime: rt.AuthTime, EventID: uuid.NewString()})
	if err != nil {
		return nil, err
	}
	return authResult(c, idToken, accessToken, newToken), nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// rotates reports whether the client has refresh token rotation on.
func (c *client) rotates() bool {
	r := c.doc.Client.RefreshTokenRotation
	return r != nil && r.Feature == api.FeatureTypeEnabled
}

// checkClientSecret checks a secret given as is (GetTokensFromRefreshToken,
// RevokeToken) against each of the client's current secrets.
func (s *Service) checkClientSecret(ctx context.Context, c *client, given string, fail error) error {
	secrets, err := s.clientSecrets(ctx, c)
	if err != nil {
		return err
	}
	if len(secrets) == 0 {
		return nil
	}
	for _, sec := range secrets {
		value, err := s.box.Open(sec.Value, secretAAD(sec.PoolID, sec.ClientID, sec.ID))
		if err != nil {
			return fmt.Errorf("client %s: open secret %s: %w", sec.ClientID, sec.ID, err)
		}
		if given != "" && subtle.ConstantTimeCompare(value, []byte(given)) == 1 {
			return nil
		}
	}
	return fail
}

func (s *Service) GetTokensFromRefreshToken(ctx context.Context, in *api.GetTokensFromRefreshTokenInput) (*api.GetTokensFromRefreshTokenOutput, error) {
	p, c, err := s.clientByID(ctx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	if !c.allowsFlow(api.ExplicitAuthFlowsTypeAllowRefreshTokenAuth) {
		return nil, invalidParameter(msgFlowNotEnabled, api.AuthFlowTypeRefreshTokenAuth)
	}
	if err := s.checkClientSecret(ctx, c, api.Value(in.ClientSecret), &api.NotAuthorizedException{Message: fmt.Sprintf(msgClientSecretMismatch, c.rec.ID)}); err != nil {
		return nil, err
	}
	res, err := s.refresh(ctx, authRequest{pool: p, client: c}, *in.RefreshToken, c.rotates(), func(store.User) error { return nil })
	if err != nil {
		return nil, err
	}
	return &api.GetTokensFromRefreshTokenOutput{AuthenticationResult: res}, nil
}

func (s *Service) RevokeToken(ctx context.Context, in *api.RevokeTokenInput) (*api.RevokeTokenOutput, error) {
	p, c, err := s.clientByID(ctx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	if !c.revocationEnabled() {
		return nil, &api.UnsupportedOperationException{Message: msgRevocationDisabled}
	}
	if err := s.checkClientSecret(ctx, c, api.Value(in.ClientSecret), &api.UnauthorizedException{Message: fmt.Sprintf(msgClientSecretMismatch, c.rec.ID)}); err != nil {
		return nil, err
	}
	if strings.Count(*in.Token, ".") == 2 {
		return nil, &api.UnsupportedTokenTypeException{Message: msgUnsupportedTokenType}
	}
	err = s.update(ctx, func(tx store.Tx) error {
		rt, err := tx.GetRefreshToken(ctx, p.rec.ID, tokenID(*in.Token))
		if errors.Is(err, store.ErrNotFound) {
			// As RFC 7009 asks: an unknown or already revoked token
			// is not an error.
			return nil
		}
		if err != nil {
			return err
		}
		if rt.ClientID != c.rec.ID {
			return &api.UnauthorizedException{Message: msgRevokeWrongClient}
		}
		return tx.DeleteTokenFamily(ctx, p.rec.ID, rt.UserKey, rt.Family)
	})
	if err != nil {
		return nil, err
	}
	return &api.RevokeTokenOutput{}, nil
}

// accessClaims are the claims of an access token Cognate checks.
type accessClaims struct {
	Sub       string `json:"sub"`
	Iss       string `json:"iss"`
	ClientID  string `json:"client_id"`
	TokenUse  string `json:"token_use"`
	Scope     string `json:"scope"`
	Username  string `json:"username"`
	OriginJTI string `json:"origin_jti"`
}

// poolOfToken reads the pool a token claims to come from, before its
// signature is checked, to know whose keys to check it with.
func poolOfToken(token string) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(token) > 16<<10 {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false
	}
	var claims struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return "", false
	}
	i := strings.LastIndexByte(claims.Iss, '/')
	if i < 0 || i == len(claims.Iss)-1 {
		return "", false
	}
	return claims.Iss[i+1:], true
}

// authenticate checks an access token as the self-service operations need it:
// signed by its pool, not expired, an access token with the admin scope,
// not revoked, of a user that exists and is enabled.
func (s *Service) authenticate(ctx context.Context, r store.Reader, token string) (*pool, store.User, error) {
	p, u, _, err := s.authenticateClaims(ctx, r, token)
	return p, u, err
}

// authenticateClaims is authenticate, also returning the token's claims.
func (s *Service) authenticateClaims(ctx context.Context, r store.Reader, token string) (*pool, store.User, accessClaims, error) {
	invalid := &api.NotAuthorizedException{Message: msgInvalidAccessToken}
	poolID, ok := poolOfToken(token)
	if !ok {
		return nil, store.User{}, accessClaims{}, invalid
	}
	// The pool's settings as this node last read them, checked by the read
	// of the user below; else read now.
	p, copied := s.knownPool(poolID)
	getPool := func() (err error) {
		p, err = s.getPool(ctx, r, poolID)
		var nf *api.ResourceNotFoundException
		if errors.As(err, &nf) {
			return invalid
		}
		return err
	}
	if !copied {
		if err := getPool(); err != nil {
			return nil, store.User{}, accessClaims{}, err
		}
	}
	var lookupErr error
	raw, err := tokens.Verify(token, func(kid string) (*rsa.PublicKey, bool) {
		// A kid this node has not seen may be a key made or rotated in
		// on another node: look again before refusing it.
		for _, fresh := range []bool{false, true} {
			keys, err := s.publicKeys(ctx, poolID, fresh)
			if err != nil {
				lookupErr = err
				return nil, false
			}
			for _, k := range keys {
				if k.ID == kid {
					return k.Key, true
				}
			}
		}
		return nil, false
	}, s.now())
	if lookupErr != nil {
		return nil, store.User{}, accessClaims{}, lookupErr
	}
	switch {
	case errors.Is(err, tokens.ErrExpired):
		return nil, store.User{}, accessClaims{}, &api.NotAuthorizedException{Message: msgAccessTokenExpired}
	case err != nil:
		return nil, store.User{}, accessClaims{}, invalid
	}
	claims, ok := accessClaimsOf(raw)
	if !ok || claims.Iss != s.issuer(poolID) || claims.TokenUse != "access" {
		return nil, store.User{}, accessClaims{}, invalid
	}
	if !slices.Contains(strings.Fields(claims.Scope), adminScope) {
		return nil, store.User{}, accessClaims{}, &api.NotAuthorizedException{Message: msgAccessTokenScope}
	}
	holder, err := r.FindAccessHolder(ctx, poolID, p.nameKey(claims.Username), claims.OriginJTI)
	if copied && (errors.Is(err, store.ErrNotFound) || err == nil && holder.Generation != p.rec.Generation) {
		if err := getPool(); err != nil {
			return nil, store.User{}, accessClaims{}, err
		}
		holder, err = r.FindAccessHolder(ctx, poolID, p.nameKey(claims.Username), claims.OriginJTI)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.User{}, accessClaims{}, invalid
	}
	if err != nil {
		return nil, store.User{}, accessClaims{}, err
	}
	u := holder.User
	if !holder.Found || u.Sub != claims.Sub || claims.OriginJTI != "" && !holder.Live {
		return nil, store.User{}, accessClaims{}, &api.NotAuthorizedException{Message: msgAccessTokenRevoked}
	}
	if !u.Enabled {
		return nil, store.User{}, accessClaims{}, &api.NotAuthorizedException{Message: msgUserDisabled}
	}
	return p, u, claims, nil
}

// accessClaimsOf takes the claims Cognate checks out of a verified token's;
// ok is false when one of them is not a string.
func accessClaimsOf(raw map[string]any) (c accessClaims, ok bool) {
	ok = true
	for name, dst := range map[string]*string{"sub": &c.Sub, "iss": &c.Iss, "client_id": &c.ClientID, "token_use": &c.TokenUse,
		"scope": &c.Scope, "username": &c.Username, "origin_jti": &c.OriginJTI} {
		if v, present := raw[name]; present {
			*dst, ok = v.(string)
			if !ok {
				return c, false
			}
		}
	}
	return c, true
}

func (s *Service) GlobalSignOut(ctx context.Context, in *api.GlobalSignOutInput) (*api.GlobalSignOutOutput, error) {
	p, u, err := s.authenticate(ctx, s.store, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := s.update(ctx, func(tx store.Tx) error { return tx.DeleteUserTokens(ctx, p.rec.ID, u.Key) }); err != nil {
		return nil, err
	}
	return &api.GlobalSignOutOutput{}, nil
}

func (s *Service) AdminUserGlobalSignOut(ctx context.Context, in *api.AdminUserGlobalSignOutInput) (*api.AdminUserGlobalSignOutOutput, error) {
	err := s.update(ctx, func(tx store.Tx) error {
		p, u, err := s.poolUser(ctx, tx, *in.UserPoolId, *in.Username)
		if err != nil {
			return err
		}
		return tx.DeleteUserTokens(ctx, p.rec.ID, u.Key)
	})
	if err != nil {
		return nil, err
	}
	return &api.AdminUserGlobalSignOutOutput{}, nil
}
