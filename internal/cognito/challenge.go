package cognito

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"cognate/internal/api"
	"cognate/internal/srp"
	"cognate/internal/store"
)

// srpClockSkew is how far a PASSWORD_VERIFIER's TIMESTAMP may be from the
// server's clock: the same window AWS gives signed requests.
const srpClockSkew = 15 * time.Minute

// secretBlockSize is the size of an SRP challenge's SECRET_BLOCK, which
// names its session.
const secretBlockSize = 64

// passwordAuth is USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH: the
// password is sent as is and checked against the stored verifier.
func (s *Service) passwordAuth(ctx context.Context, req authRequest) (authStep, error) {
	name, err := required(req.params, "USERNAME")
	if err != nil {
		return authStep{}, err
	}
	password, err := required(req.params, "PASSWORD")
	if err != nil {
		return authStep{}, err
	}
	signer, err := s.lookUpSigner(ctx, req, name)
	if err != nil {
		return authStep{}, err
	}
	u := signer.User
	if err := s.checkSecretHash(ctx, req.client, req.params["SECRET_HASH"], name, u.Username); err != nil {
		return authStep{}, err
	}
	if !signer.Found {
		spendPasswordCheck(req.pool.rec.ID, name, password)
		return authStep{}, req.client.unknownUser()
	}
	if err := s.checkCanSignIn(u); err != nil {
		return authStep{}, err
	}
	ok, upgrade, err := s.passwordMatches(req.pool, u, password)
	if err != nil {
		return authStep{}, err
	}
	if !ok {
		return authStep{}, s.recordFailure(ctx, req.pool, u.Key, "")
	}
	if upgrade {
		if err := s.upgradePassword(ctx, req.pool, u.Key, password); err != nil {
			return authStep{}, err
		}
	}
	return s.completeSignIn(ctx, req, signer, "")
}

// srpAuth is USER_SRP_AUTH's first step: it answers the client's A with the
// salt, B and a SECRET_BLOCK that names the session of the PASSWORD_VERIFIER
// challenge.
func (s *Service) srpAuth(ctx context.Context, req authRequest) (authStep, error) {
	name, err := required(req.params, "USERNAME")
	if err != nil {
		return authStep{}, err
	}
	aHex, err := required(req.params, "SRP_A")
	if err != nil {
		return authStep{}, err
	}
	A, err := srp.ParseHex(aHex)
	if err == nil {
		err = srp.CheckA(A)
	}
	if err != nil {
		return authStep{}, invalidParameter(msgInvalidSRPA)
	}
	signer, err := s.lookUpSigner(ctx, req, name)
	if err != nil {
		return authStep{}, err
	}
	u, found := signer.User, signer.Found
	if err := s.checkSecretHash(ctx, req.client, req.params["SECRET_HASH"], name, u.Username); err != nil {
		return authStep{}, err
	}
	if !found && !req.client.hidesUsers() {
		return authStep{}, &api.UserNotFoundException{Message: msgUserNotFound}
	}
	if found {
		if err := s.checkCanSignIn(u); err != nil {
			return authStep{}, err
		}
	}
	cred, hasPassword, err := s.userCredential(req.pool, u)
	if err != nil {
		return authStep{}, err
	}
	if !found || !hasPassword || !cred.native() {
		// A challenge like any other, whose answer can only fail: the
		// salt is derived from the name so that asking twice gives the
		// same one, as it would for a real user.
		cred = credential{Salt: s.decoySalt(req.pool.rec.ID, name), Verifier: srp.Verifier("", "", "", []byte{1})}
	}
	b, B, err := srp.NewServerKey(cred.Verifier)
	if err != nil {
		return authStep{}, err
	}
	block := make([]byte, secretBlockSize)
	rand.Read(block)
	blockB64 := base64.StdEncoding.EncodeToString(block)
	username := u.Username
	if !found {
		username = name
	}
	if found {
		// A user without a verifier SRP can use (none, or an imported
		// hash that only a password sign-in can check) gets a session
		// all the same, whose answer fails as a wrong password does.
		err = s.newSession(ctx, s.store.CreateAuthSession, req, u, blockB64, sessionDoc{
			Challenge: api.ChallengeNameTypePasswordVerifier,
			SRP:       &srpSession{A: A, B: B, Secret: b},
		})
		if err != nil {
			return authStep{}, err
		}
	}
	return authStep{challenge: api.ChallengeNameTypePasswordVerifier, params: map[string]string{
		"SALT":            srp.FormatHex(cred.Salt),
		"SRP_B":           srp.FormatHex(B),
		"SECRET_BLOCK":    blockB64,
		"USERNAME":        username,
		"USER_ID_FOR_SRP": username,
	}}, nil
}

// decoySalt is the salt shown for a user who does not exist.
func (s *Service) decoySalt(poolID, name string) []byte {
	m := hmac.New(sha256.New, s.box.Derive("srp decoy salt"))
	m.Write([]byte(poolID + "/" + name))
	return m.Sum(nil)[:srp.SaltSize]
}

// RespondToAuthChallenge runs on the node's copy of the client
// (signInStep): an answer's first read is of the session it names.
func (s *Service) RespondToAuthChallenge(ctx context.Context, in *api.RespondToAuthChallengeInput) (*api.RespondToAuthChallengeOutput, error) {
	step, err := s.signInStep(ctx, *in.ClientId, func(req authRequest) (authStep, error) {
		req.params = in.ChallengeResponses
		return s.respond(ctx, req, in.ChallengeName, api.Value(in.Session))
	})
	if err != nil {
		return nil, err
	}
	return &api.RespondToAuthChallengeOutput{ChallengeName: step.challenge, ChallengeParameters: step.params,
		Session: optional(step.session), AuthenticationResult: step.result}, nil
}

func (s *Service) AdminRespondToAuthChallenge(ctx context.Context, in *api.AdminRespondToAuthChallengeInput) (*api.AdminRespondToAuthChallengeOutput, error) {
	p, c, err := s.poolClient(ctx, s.store, *in.UserPoolId, *in.ClientId)
	if err != nil {
		return nil, err
	}
	step, err := s.respond(ctx, authRequest{pool: p, client: c, admin: true, params: in.ChallengeResponses}, in.ChallengeName, api.Value(in.Session))
	if err != nil {
		return nil, err
	}
	return &api.AdminRespondToAuthChallengeOutput{ChallengeName: step.challenge, ChallengeParameters: step.params,
		Session: optional(step.session), AuthenticationResult: step.result}, nil
}

func (s *Service) respond(ctx context.Context, req authRequest, challenge api.ChallengeNameType, session string) (authStep, error) {
	switch challenge {
	case api.ChallengeNameTypePasswordVerifier:
		return s.answerPasswordVerifier(ctx, req)
	case api.ChallengeNameTypeNewPasswordRequired:
		return s.answerNewPassword(ctx, req, session)
	}
	return authStep{}, invalidParameter(msgChallengeNotSupported, challenge)
}

// answerPasswordVerifier checks the client's proof that it knows the
// password: the session is the one its PASSWORD_CLAIM_SECRET_BLOCK names.
func (s *Service) answerPasswordVerifier(ctx context.Context, req authRequest) (authStep, error) {
	var values [4]string
	for i, name := range []string{"USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"} {
		v, err := required(req.params, name)
		if err != nil {
			return authStep{}, err
		}
		values[i] = v
	}
	name, blockB64, sigB64, timestamp := values[0], values[1], values[2], values[3]
	sess, doc, signer, err := s.openSession(ctx, req, blockB64, api.ChallengeNameTypePasswordVerifier)
	var na *api.NotAuthorizedException
	if errors.As(err, &na) && na.Message == msgInvalidSession && req.client.hidesUsers() {
		// Decoy challenges of unknown users have no session.
		return authStep{}, &api.NotAuthorizedException{Message: msgIncorrectCredentials}
	}
	if err != nil {
		return authStep{}, err
	}
	u := signer.User
	if err := s.checkSecretHash(ctx, req.client, req.params["SECRET_HASH"], name, u.Username); err != nil {
		return authStep{}, err
	}
	at, err := srp.ParseTimestamp(timestamp)
	if err != nil || at.Sub(s.now()).Abs() > srpClockSkew {
		return authStep{}, invalidParameter(msgInvalidTimestamp)
	}
	if err := s.checkCanSignIn(u); err != nil {
		return authStep{}, err
	}
	cred, _, err := s.userCredential(req.pool, u)
	if err != nil {
		return authStep{}, err
	}
	block, errBlock := base64.StdEncoding.DecodeString(blockB64)
	sig, errSig := base64.StdEncoding.DecodeString(sigB64)
	if errBlock != nil || errSig != nil || doc.SRP == nil {
		return authStep{}, s.recordFailure(ctx, req.pool, u.Key, sess.ID)
	}
	ok, err := srp.CheckClaim(&srp.Claim{
		PoolName: srp.PoolName(req.pool.rec.ID), UserID: u.Username, Verifier: cred.Verifier,
		A: doc.SRP.A, B: doc.SRP.B, SecretB: doc.SRP.Secret,
		SecretBlock: block, Timestamp: timestamp, Signature: sig,
	})
	if err != nil || !ok {
		return authStep{}, s.recordFailure(ctx, req.pool, u.Key, sess.ID)
	}
	return s.completeSignIn(ctx, req, signer, sess.ID)
}

// requiredAttributePrefix marks attributes in NEW_PASSWORD_REQUIRED's
// parameters and answers.
const requiredAttributePrefix = "userAttributes."

// newPasswordChallenge asks a user with a temporary password for a new one,
// listing the required attributes the user still lacks. session, if set,
// is the session the password answered, used up here.
func (s *Service) newPasswordChallenge(ctx context.Context, req authRequest, u store.User, session string) (authStep, error) {
	attrs, err := decodeAttributes(u.Attributes)
	if err != nil {
		return authStep{}, err
	}
	missing := []string{}
	for _, a := range req.pool.doc.Pool.SchemaAttributes {
		if n := api.Value(a.Name); api.Value(a.Required) && !attrs.has(n) {
			missing = append(missing, requiredAttributePrefix+n)
		}
	}
	shown := map[string]string{}
	for _, a := range attrs {
		if n := api.Value(a.Name); n != "sub" && req.client.canRead(n) {
			shown[n] = api.Value(a.Value)
		}
	}
	missingJSON, _ := json.Marshal(missing)
	shownJSON, _ := json.Marshal(shown)
	token := randomToken(96)
	doc := sessionDoc{Challenge: api.ChallengeNameTypeNewPasswordRequired}
	if session == "" {
		err = s.newSession(ctx, s.store.CreateAuthSession, req, u, token, doc)
	} else {
		err = s.update(ctx, func(tx store.Tx) error {
			if err := useSession(ctx, tx, req.pool, session); err != nil {
				return err
			}
			return s.newSession(ctx, tx.CreateAuthSession, req, u, token, doc)
		})
	}
	if err != nil {
		return authStep{}, err
	}
	return authStep{challenge: api.ChallengeNameTypeNewPasswordRequired, session: token, params: map[string]string{
		"USER_ID_FOR_SRP":    u.Username,
		"requiredAttributes": string(missingJSON),
		"userAttributes":     string(shownJSON),
	}}, nil
}

// canWrite reports whether the client may set an attribute.
func (c *client) canWrite(name string) bool {
	if unwritableAttributes[name] {
		return false
	}
	return c.doc.Client.WriteAttributes == nil || slices.Contains(c.doc.Client.WriteAttributes, name)
}

// answerNewPassword sets the permanent password of a user with a temporary
// one (and the attributes given with it), then signs the user in.
func (s *Service) answerNewPassword(ctx context.Context, req authRequest, session string) (authStep, error) {
	password, err := required(req.params, "NEW_PASSWORD")
	if err != nil {
		return authStep{}, err
	}
	sess, _, signer, err := s.openSession(ctx, req, session, api.ChallengeNameTypeNewPasswordRequired)
	if err != nil {
		return authStep{}, err
	}
	if err := s.checkSecretHash(ctx, req.client, req.params["SECRET_HASH"], req.params["USERNAME"], signer.User.Username); err != nil {
		return authStep{}, err
	}
	if err := req.pool.checkPassword(password); err != nil {
		return authStep{}, err
	}
	var given []api.AttributeType
	for k, v := range req.params {
		name, ok := strings.CutPrefix(k, requiredAttributePrefix)
		if !ok {
			continue
		}
		if !req.client.canWrite(name) {
			return authStep{}, invalidParameter(msgNewPasswordAttribute, name)
		}
		given = append(given, api.AttributeType{Name: new(name), Value: new(v)})
	}
	slices.SortFunc(given, func(a, b api.AttributeType) int { return strings.Compare(*a.Name, *b.Name) })
	if err := req.pool.checkAttributeValues(given, false); err != nil {
		return authStep{}, err
	}
	return s.issue(ctx, req, signer, sess.ID, func(tx store.Tx, u *store.User) error {
		if u.Status != statusForceChangePassword {
			return &api.NotAuthorizedException{Message: msgInvalidSession}
		}
		attrs, err := decodeAttributes(u.Attributes)
		if err != nil {
			return err
		}
		for _, a := range given {
			attrs.set(*a.Name, *a.Value)
		}
		if err := req.pool.checkRequired(attrs); err != nil {
			return err
		}
		if err := s.claimNames(ctx, tx, req.pool, u.Key, req.pool.signInNames(u.Key, attrs), false); err != nil {
			return err
		}
		u.Attributes = attrs.encode()
		u.Status = statusConfirmed
		u.UpdatedAt = s.now()
		setFilterable(u, attrs)
		return s.setPassword(req.pool, u, password, false)
	})
}
