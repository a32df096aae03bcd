package cognito

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"cognate/internal/api"
	"cognate/internal/store"
)

// authRequest is a sign-in or challenge answer, whichever operation carried it.
type authRequest struct {
	pool   *pool
	client *client
	admin  bool // AdminInitiateAuth / AdminRespondToAuthChallenge
	params map[string]string
	// copied is set when pool and client are this node's copy, which the
	// step checks at its first read (see signInStep).
	copied *copyCheck
}

// copyCheck is what a step learns of the copy of its client it ran on:
// current once its first read found the pool still at the copy's generation.
type copyCheck struct{ current bool }

// errStaleCopy stops a step that found its copy of the client stale.
var errStaleCopy = errors.New("the copy of the app client is stale")

// checkCopy compares the pool's generation, as the step's first read found
// it (err: that read's error), with that of the request's copy of the
// client; it returns errStaleCopy when they differ. A request on a client
// read afresh passes.
func (req authRequest) checkCopy(generation int64, err error) error {
	if req.copied == nil {
		return nil
	}
	if errors.Is(err, store.ErrNotFound) || err == nil && generation != req.pool.rec.Generation {
		return errStaleCopy
	}
	req.copied.current = err == nil
	return nil
}

// authStep is what a sign-in step answers: a challenge (with its session) or
// tokens.
type authStep struct {
	challenge api.ChallengeNameType
	params    map[string]string
	session   string
	result    *api.AuthenticationResultType
}

// knownClient is a node's copy of an app client, with its pool and secrets,
// as clientByID last read it.
type knownClient struct {
	pool   *pool
	client *client
}

// signInStep runs step, a sign-in step addressed to an app client by its ID
// alone, on this node's copy of the client when it has one, so that the
// step reads nothing but what it is about. Its first read must return the
// pool's generation (FindSigner, FindRefreshToken or FindAuthSession), which
// it passes to checkCopy, and it must change nothing before: when the pool
// has changed since the copy was read (on any node), or step fails before it
// could tell, step runs again on the client read afresh.
func (s *Service) signInStep(ctx context.Context, clientID string, step func(req authRequest) (authStep, error)) (authStep, error) {
	if known, ok := s.clients.Load(clientID); ok {
		k := known.(*knownClient)
		req := authRequest{pool: k.pool, client: k.client, copied: &copyCheck{}}
		out, err := step(req)
		if err == nil || req.copied.current {
			return out, err
		}
		s.clients.CompareAndDelete(clientID, known)
	}
	p, c, err := s.clientByID(ctx, clientID)
	if err != nil {
		return authStep{}, err
	}
	return step(authRequest{pool: p, client: c})
}

// clientByID finds an app client by its ID alone, as the unsigned operations
// address it, with its pool and secrets, and keeps it as the node's copy.
func (s *Service) clientByID(ctx context.Context, clientID string) (*pool, *client, error) {
	found, err := s.store.FindClient(ctx, clientID)
	if err != nil {
		return nil, nil, notFound(err, &api.ResourceNotFoundException{Message: fmt.Sprintf(msgClientNotFound, clientID)})
	}
	p, err := s.sharedPool(found.Pool)
	if err != nil {
		return nil, nil, err
	}
	c, err := decodeClient(found.Client)
	if err != nil {
		return nil, nil, err
	}
	c.secrets, c.secretsRead = found.Secrets, true
	s.clients.Store(clientID, &knownClient{pool: p, client: c})
	return p, c, nil
}

// allowsFlow reports whether the client's ExplicitAuthFlows allow a flow,
// given by its ALLOW_ name. The legacy names allow their own flow, and SRP
// and refresh are always allowed alongside them, as in Cognito.
func (c *client) allowsFlow(flow api.ExplicitAuthFlowsType) bool {
	flows := c.doc.Client.ExplicitAuthFlows
	if len(flows) == 0 {
		flows = []api.ExplicitAuthFlowsType{api.ExplicitAuthFlowsTypeAllowUserSrpAuth,
			api.ExplicitAuthFlowsTypeAllowCustomAuth, api.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	}
	if contains(flows, flow) {
		return true
	}
	legacy := map[api.ExplicitAuthFlowsType]api.ExplicitAuthFlowsType{
		api.ExplicitAuthFlowsTypeAllowUserPasswordAuth:      api.ExplicitAuthFlowsTypeUserPasswordAuth,
		api.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth: api.ExplicitAuthFlowsTypeAdminNoSrpAuth,
		api.ExplicitAuthFlowsTypeAllowCustomAuth:            api.ExplicitAuthFlowsTypeCustomAuthFlowOnly,
	}
	if old, ok := legacy[flow]; ok && contains(flows, old) {
		return true
	}
	isLegacy := false
	for _, f := range flows {
		switch f {
		case api.ExplicitAuthFlowsTypeUserPasswordAuth, api.ExplicitAuthFlowsTypeAdminNoSrpAuth, api.ExplicitAuthFlowsTypeCustomAuthFlowOnly:
			isLegacy = true
		}
	}
	return isLegacy && (flow == api.ExplicitAuthFlowsTypeAllowUserSrpAuth || flow == api.ExplicitAuthFlowsTypeAllowRefreshTokenAuth)
}

// secretHash is Cognito's SECRET_HASH: base64(HMAC-SHA256(secret, username ‖ clientID)).
func secretHash(secret []byte, username, clientID string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(username))
	m.Write([]byte(clientID))
	return m.Sum(nil)
}

// checkSecretHash checks SECRET_HASH for a client with a secret, against any
// of its current secrets, computed over any of the names given (the name the
// client signed in with, or the user's username).
func (s *Service) checkSecretHash(ctx context.Context, c *client, given string, names ...string) error {
	secrets, err := s.clientSecrets(ctx, c)
	if err != nil || len(secrets) == 0 {
		return err
	}
	fail := &api.NotAuthorizedException{Message: fmt.Sprintf(msgSecretHashMismatch, c.rec.ID)}
	want, err := base64.StdEncoding.DecodeString(given)
	if given == "" || err != nil {
		return fail
	}
	for _, sec := range secrets {
		value, err := s.box.Open(sec.Value, secretAAD(sec.PoolID, sec.ClientID, sec.ID))
		if err != nil {
			return fmt.Errorf("client %s: open secret %s: %w", sec.ClientID, sec.ID, err)
		}
		for _, name := range names {
			if name != "" && hmac.Equal(secretHash(value, name, c.rec.ID), want) {
				return nil
			}
		}
	}
	return fail
}

func required(params map[string]string, name string) (string, error) {
	v := params[name]
	if v == "" {
		return "", invalidParameter(msgMissingAuthParameter, name)
	}
	return v, nil
}

// InitiateAuth runs on the node's copy of the client (signInStep): each
// flow's first read is of the user signing in, or of the refresh token, or
// it fails before any read.
func (s *Service) InitiateAuth(ctx context.Context, in *api.InitiateAuthInput) (*api.InitiateAuthOutput, error) {
	step, err := s.signInStep(ctx, *in.ClientId, func(req authRequest) (authStep, error) {
		req.params = in.AuthParameters
		return s.initiate(ctx, req, in.AuthFlow)
	})
	if err != nil {
		return nil, err
	}
	return &api.InitiateAuthOutput{ChallengeName: step.challenge, ChallengeParameters: step.params,
		Session: optional(step.session), AuthenticationResult: step.result}, nil
}

func (s *Service) AdminInitiateAuth(ctx context.Context, in *api.AdminInitiateAuthInput) (*api.AdminInitiateAuthOutput, error) {
	p, c, err := s.poolClient(ctx, s.store, *in.UserPoolId, *in.ClientId)
	if err != nil {
		return nil, err
	}
	step, err := s.initiate(ctx, authRequest{pool: p, client: c, admin: true, params: in.AuthParameters}, in.AuthFlow)
	if err != nil {
		return nil, err
	}
	return &api.AdminInitiateAuthOutput{ChallengeName: step.challenge, ChallengeParameters: step.params,
		Session: optional(step.session), AuthenticationResult: step.result}, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// initiate starts a flow. Each flow is allowed by the client's
// ExplicitAuthFlows and by the operation: the password flows are each
// reserved to one of InitiateAuth and AdminInitiateAuth.
func (s *Service) initiate(ctx context.Context, req authRequest, flow api.AuthFlowType) (authStep, error) {
	notEnabled := func() error {
		if req.admin {
			return invalidParameter(msgAdminFlowNotEnabled)
		}
		return invalidParameter(msgFlowNotEnabled, flow)
	}
	switch flow {
	case api.AuthFlowTypeUserPasswordAuth:
		if req.admin || !req.client.allowsFlow(api.ExplicitAuthFlowsTypeAllowUserPasswordAuth) {
			return authStep{}, notEnabled()
		}
		return s.passwordAuth(ctx, req)
	case api.AuthFlowTypeAdminUserPasswordAuth, api.AuthFlowTypeAdminNoSrpAuth:
		if !req.admin || !req.client.allowsFlow(api.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth) {
			return authStep{}, notEnabled()
		}
		return s.passwordAuth(ctx, req)
	case api.AuthFlowTypeUserSrpAuth:
		if !req.client.allowsFlow(api.ExplicitAuthFlowsTypeAllowUserSrpAuth) {
			return authStep{}, notEnabled()
		}
		return s.srpAuth(ctx, req)
	case api.AuthFlowTypeRefreshTokenAuth, api.AuthFlowTypeRefreshToken:
		if !req.client.allowsFlow(api.ExplicitAuthFlowsTypeAllowRefreshTokenAuth) {
			return authStep{}, notEnabled()
		}
		return s.refreshAuth(ctx, req)
	case api.AuthFlowTypeCustomAuth:
		if !req.client.allowsFlow(api.ExplicitAuthFlowsTypeAllowCustomAuth) {
			return authStep{}, notEnabled()
		}
		return authStep{}, invalidParameter(msgCustomAuthNoTrigger)
	case api.AuthFlowTypeUserAuth:
		if !req.client.allowsFlow(api.ExplicitAuthFlowsTypeAllowUserAuth) {
			return authStep{}, notEnabled()
		}
		return authStep{}, invalidParameter(msgFlowNotSupported, flow)
	}
	return authStep{}, invalidParameter(msgFlowNotSupported, flow)
}

func (s *Service) refreshAuth(ctx context.Context, req authRequest) (authStep, error) {
	token, err := required(req.params, "REFRESH_TOKEN")
	if err != nil {
		return authStep{}, err
	}
	hash, given := req.params["SECRET_HASH"], req.params["USERNAME"]
	res, err := s.refresh(ctx, req, token, false, func(u store.User) error {
		names := []string{u.Username}
		if given != "" {
			if holder, err := s.findUser(ctx, s.store, req.pool, given); err == nil && holder.Key == u.Key {
				names = append(names, given)
			}
		}
		return s.checkSecretHash(ctx, req.client, hash, names...)
	})
	if err != nil {
		return authStep{}, err
	}
	return authStep{result: res}, nil
}

// lookUpSigner finds the user a sign-in names, with the groups the user is
// in: the step's first read of the pool's users (see signInStep). An
// unknown user is not an error (Signer.Found is false): the caller answers
// as the client's PreventUserExistenceErrors asks.
func (s *Service) lookUpSigner(ctx context.Context, req authRequest, name string) (store.Signer, error) {
	found, err := s.store.FindSigner(ctx, req.pool.rec.ID, req.pool.nameKey(name))
	if err := req.checkCopy(found.Generation, err); err != nil {
		return found, err
	}
	return found, notFound(err, &api.ResourceNotFoundException{Message: fmt.Sprintf(msgClientNotFound, req.client.rec.ID)})
}

// hidesUsers reports whether the client answers for an unknown user as for a
// wrong password.
func (c *client) hidesUsers() bool {
	return c.doc.Client.PreventUserExistenceErrors == api.PreventUserExistenceErrorTypesEnabled
}

// unknownUser is the error for a sign-in of a user that does not exist.
func (c *client) unknownUser() error {
	if c.hidesUsers() {
		return &api.NotAuthorizedException{Message: msgIncorrectCredentials}
	}
	return &api.UserNotFoundException{Message: msgUserNotFound}
}
