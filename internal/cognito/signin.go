package cognito

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"cognate/internal/api"
	"cognate/internal/passhash"
	"cognate/internal/srp"
	"cognate/internal/store"
)

// Lockout after failed passwords, as Cognito does it: from the fifth failure
// in a row the user is locked out for a second, doubling with each further
// failure up to about fifteen minutes; attempts while locked out are refused
// without being counted; fifteen minutes without a failure start the count
// again.
const (
	lockoutFreeFailures = 5
	lockoutMax          = 15 * time.Minute
	lockoutReset        = 15 * time.Minute
)

// lockedUntil is when the user may try a password again (zero: now).
func (st userSettings) lockedUntil(now time.Time) time.Time {
	if st.LastFailedSignIn == nil || now.Sub(*st.LastFailedSignIn) > lockoutReset || st.FailedSignIns < lockoutFreeFailures {
		return time.Time{}
	}
	lock := lockoutMax
	if n := st.FailedSignIns - lockoutFreeFailures; n < 10 {
		lock = min(time.Second<<n, lockoutMax)
	}
	return st.LastFailedSignIn.Add(lock)
}

// checkCanSignIn refuses a sign-in before any password is looked at: a
// disabled user, a user who must reset the password, a user locked out.
func (s *Service) checkCanSignIn(u store.User) error {
	if !u.Enabled {
		return &api.NotAuthorizedException{Message: msgUserDisabled}
	}
	if u.Status == statusResetRequired {
		return &api.PasswordResetRequiredException{Message: msgPasswordResetRequired}
	}
	st, err := decodeSettings(u.Settings)
	if err != nil {
		return err
	}
	if s.now().Before(st.lockedUntil(s.now())) {
		return &api.NotAuthorizedException{Message: msgPasswordAttemptsExceeded}
	}
	return nil
}

// userCredential opens the user's stored verifier; ok is false when the
// user has no password.
func (s *Service) userCredential(p *pool, u store.User) (credential, bool, error) {
	if u.Credential == nil {
		return credential{}, false, nil
	}
	raw, err := s.box.Open(u.Credential, credentialAAD(p.rec.ID, u.Key))
	if err != nil {
		return credential{}, false, err
	}
	var c credential
	return c, true, json.Unmarshal(raw, &c)
}

// passwordMatches recomputes the verifier of password and compares it with
// the stored one in constant time. An imported credential is checked its
// own way, and upgrade then says it should be replaced by a verifier.
func (s *Service) passwordMatches(p *pool, u store.User, password string) (ok, upgrade bool, err error) {
	c, has, err := s.userCredential(p, u)
	if err != nil || !has {
		return false, false, err
	}
	if c.Imported != "" {
		h, err := passhash.Parse(c.Imported)
		if err != nil {
			return false, false, fmt.Errorf("user %s: imported password hash: %w", u.Key, err)
		}
		ok := h.Verify(password)
		return ok, ok, nil
	}
	poolName, username := srp.PoolName(p.rec.ID), u.Username
	if c.SRPPool != "" || c.SRPUser != "" {
		poolName, username = c.SRPPool, c.SRPUser
	}
	ok = srp.CheckPassword(poolName, username, password, c.Salt, c.Verifier)
	return ok, ok && !c.native(), nil
}

// upgradePassword replaces an imported credential by a verifier of this
// pool, once the password it hid is known.
func (s *Service) upgradePassword(ctx context.Context, p *pool, userKey, password string) error {
	return s.update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, p.rec.ID, userKey)
		if err != nil {
			return notFound(err, &api.UserNotFoundException{Message: msgUserNotFound})
		}
		st, err := decodeSettings(u.Settings)
		if err != nil {
			return err
		}
		if err := s.setPassword(p, &u, password, false); err != nil {
			return err
		}
		// setPassword starts the settings afresh for a new password; an
		// upgrade keeps them (a temporary password's expiry included).
		u.Settings = st.encode()
		return tx.UpdateUser(ctx, u)
	})
}

// spendPasswordCheck does the work of a password check for a user who does
// not exist, so that the answer takes as long as for a wrong password.
func spendPasswordCheck(poolID, name, password string) {
	srp.CheckPassword(srp.PoolName(poolID), name, password, make([]byte, srp.SaltSize), nil)
}

// recordEvent keeps a sign-in event for AdminListUserAuthEvents. As in
// Cognito, events are kept only while the pool's threat protection
// (UserPoolAddOns) is on, which also spares the other pools a write per
// sign-in.
func (s *Service) recordEvent(ctx context.Context, tx store.Tx, p *pool, userKey, id string, passed bool) error {
	if !p.threatProtection() {
		return nil
	}
	response, outcome := api.EventResponseTypePass, api.ChallengeResponseSuccess
	if !passed {
		response, outcome = api.EventResponseTypeFail, api.ChallengeResponseFailure
	}
	doc := api.AuthEventType{
		EventType:          api.EventTypeSignin,
		EventResponse:      response,
		EventRisk:          &api.EventRiskType{RiskDecision: api.RiskDecisionTypeNorisk, CompromisedCredentialsDetected: new(false)},
		ChallengeResponses: []api.ChallengeResponseType{{ChallengeName: api.ChallengeNamePassword, ChallengeResponse: outcome}},
	}
	if ip := api.RequestInfoFrom(ctx).SourceIP; ip != "" {
		doc.EventContextData = &api.EventContextDataType{IpAddress: new(ip)}
	}
	raw, _ := json.Marshal(doc)
	return tx.AddAuthEvent(ctx, store.AuthEvent{PoolID: p.rec.ID, UserKey: userKey, ID: eventID(s.now(), id), CreatedAt: s.now(), Data: raw})
}

// threatProtection reports whether the pool's AdvancedSecurityMode is on.
func (p *pool) threatProtection() bool {
	a := p.doc.Pool.UserPoolAddOns
	return a != nil && a.AdvancedSecurityMode != "" && a.AdvancedSecurityMode != api.AdvancedSecurityModeTypeOff
}

// eventID sorts events in creation order: the time, then the event's UUID.
func eventID(at time.Time, id string) string {
	return at.UTC().Format("20060102T150405.000Z") + "-" + id
}

// recordFailure counts a wrong password against the user, in its own
// transaction (the failure must stick whatever the caller does next), and
// returns the error the sign-in answers. session, if set, is used up.
func (s *Service) recordFailure(ctx context.Context, p *pool, userKey, session string) error {
	err := s.update(ctx, func(tx store.Tx) error {
		if session != "" {
			if err := tx.DeleteAuthSession(ctx, p.rec.ID, session); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		u, err := tx.GetUser(ctx, p.rec.ID, userKey)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		st, err := decodeSettings(u.Settings)
		if err != nil {
			return err
		}
		now := s.now()
		if st.LastFailedSignIn == nil || now.Sub(*st.LastFailedSignIn) > lockoutReset {
			st.FailedSignIns = 0
		}
		st.FailedSignIns++
		st.LastFailedSignIn = &now
		u.Settings = st.encode()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return s.recordEvent(ctx, tx, p, u.Key, uuid.NewString(), false)
	})
	if err != nil {
		return err
	}
	return &api.NotAuthorizedException{Message: msgIncorrectCredentials}
}

// completeSignIn is the step after a correct password: a challenge if the
// user's status asks for one, else tokens. session, if set, is the session
// the password answered, used up here.
func (s *Service) completeSignIn(ctx context.Context, req authRequest, signer store.Signer, session string) (authStep, error) {
	u := signer.User
	// refuse uses up the session, if any, of a sign-in that ends in err.
	refuse := func(err error) (authStep, error) {
		if session != "" {
			if err := s.update(ctx, func(tx store.Tx) error { return useSession(ctx, tx, req.pool, session) }); err != nil {
				return authStep{}, err
			}
		}
		return authStep{}, err
	}
	switch u.Status {
	case statusUnconfirmed:
		return refuse(&api.UserNotConfirmedException{Message: msgUserNotConfirmed})
	case statusForceChangePassword:
		st, err := decodeSettings(u.Settings)
		if err != nil {
			return authStep{}, err
		}
		if st.TemporaryPasswordExpires != nil && !s.now().Before(*st.TemporaryPasswordExpires) {
			return refuse(&api.NotAuthorizedException{Message: msgTemporaryPasswordExpired})
		}
		return s.newPasswordChallenge(ctx, req, u, session)
	}
	return s.issue(ctx, req, signer, session, nil)
}

// useSession uses up the session a challenge answer named, if any: of two
// answers to one challenge, only one gets past it.
func useSession(ctx context.Context, tx store.Tx, p *pool, session string) error {
	if session == "" {
		return nil
	}
	err := tx.DeleteAuthSession(ctx, p.rec.ID, session)
	if errors.Is(err, store.ErrNotFound) {
		return &api.NotAuthorizedException{Message: msgInvalidSession}
	}
	return err
}

// issue finishes a sign-in with tokens for the user and the groups it was
// read with. Most sign-ins store their refresh token, having used up the
// session they answered if any, in one write of its own; the others write
// in one transaction: it uses up the session, runs change (which may
// change the user), clears the failure count, keeps the sign-in time,
// stores the refresh token and records the event. The tokens are signed
// after the write, outside any transaction.
func (s *Service) issue(ctx context.Context, req authRequest, signer store.Signer, session string, change func(tx store.Tx, u *store.User) error) (authStep, error) {
	u := signer.User
	in := signIn{Family: uuid.NewString(), AuthTime: s.now(), EventID: uuid.NewString()}
	// The sign-in time is kept to the day (what a monthly-active-users
	// count needs), so that a user's sign-ins do not each rewrite it.
	day := in.AuthTime.Truncate(24 * time.Hour)
	stale := func(u store.User) (userSettings, bool, error) {
		st, err := decodeSettings(u.Settings)
		return st, st.FailedSignIns != 0 || st.LastSignIn == nil || st.LastSignIn.Before(day), err
	}
	_, wasStale, err := stale(u)
	if err != nil {
		return authStep{}, err
	}
	var refresh string
	alone := change == nil && !wasStale && !req.pool.threatProtection()
	switch {
	case alone && session == "":
		refresh, err = s.newRefreshToken(ctx, s.store.CreateRefreshToken, req.client, u, in)
	case alone:
		refresh, err = s.newRefreshToken(ctx, func(ctx context.Context, t store.RefreshToken) error {
			err := s.store.RedeemAuthSession(ctx, req.pool.rec.ID, session, t)
			if errors.Is(err, store.ErrNotFound) {
				return &api.NotAuthorizedException{Message: msgInvalidSession}
			}
			return err
		}, req.client, u, in)
	default:
		err = s.update(ctx, func(tx store.Tx) error {
			if err := useSession(ctx, tx, req.pool, session); err != nil {
				return err
			}
			fresh := u
			if change != nil || wasStale {
				// Only a sign-in that changes the user reads it again,
				// in the transaction; the others just add their rows.
				var err error
				if fresh, err = tx.GetUser(ctx, req.pool.rec.ID, u.Key); err != nil {
					return notFound(err, &api.UserNotFoundException{Message: msgUserNotFound})
				}
				if change != nil {
					if err := change(tx, &fresh); err != nil {
						return err
					}
				}
				st, _, err := stale(fresh)
				if err != nil {
					return err
				}
				st.FailedSignIns, st.LastFailedSignIn, st.LastSignIn = 0, nil, &day
				fresh.Settings = st.encode()
				if err := tx.UpdateUser(ctx, fresh); err != nil {
					return err
				}
			}
			u = fresh
			var err error
			if refresh, err = s.newRefreshToken(ctx, tx.CreateRefreshToken, req.client, fresh, in); err != nil {
				return err
			}
			return s.recordEvent(ctx, tx, req.pool, fresh.Key, in.EventID, true)
		})
	}
	if err != nil {
		return authStep{}, err
	}
	idToken, accessToken, err := s.mintTokens(ctx, req.pool, req.client, u, signer.Groups, in)
	if err != nil {
		return authStep{}, err
	}
	return authStep{result: authResult(req.client, idToken, accessToken, refresh)}, nil
}

// sessionDoc is what an auth session keeps between a challenge and its
// answer, sealed under the instance key (it holds the server's SRP secret).
type sessionDoc struct {
	Challenge api.ChallengeNameType `json:"challenge"`
	Admin     bool                  `json:"admin,omitempty"`
	SRP       *srpSession           `json:"srp,omitempty"`
}

type srpSession struct {
	A []byte `json:"a"`
	B []byte `json:"B"`
	// Secret is the server's secret exponent b.
	Secret []byte `json:"b"`
}

func sessionAAD(poolID, id string) string {
	return "pool/" + poolID + "/session/" + id
}

// newSession stores, with create (a transaction's CreateAuthSession, or
// the store's), a session for the user's next challenge; token is what the
// client holds.
func (s *Service) newSession(ctx context.Context, create func(context.Context, store.AuthSession) error, req authRequest, u store.User, token string, doc sessionDoc) error {
	doc.Admin = req.admin
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	id := tokenID(token)
	now := s.now()
	validity := time.Duration(api.Value(req.client.doc.Client.AuthSessionValidity)) * time.Minute
	if validity == 0 {
		validity = 3 * time.Minute
	}
	err = create(ctx, store.AuthSession{PoolID: req.pool.rec.ID, ID: id, ClientID: req.client.rec.ID,
		UserKey: u.Key, CreatedAt: now, ExpiresAt: now.Add(validity), Data: s.box.Seal(raw, sessionAAD(req.pool.rec.ID, id))})
	return notFound(err, &api.UserNotFoundException{Message: msgUserNotFound})
}

// openSession finds the session a challenge answer names, with its user and
// the user's groups: the answer's first read (see signInStep). It does not
// use it up: the answer's transaction does, so that of two answers to one
// challenge only one succeeds.
func (s *Service) openSession(ctx context.Context, req authRequest, token string, challenge api.ChallengeNameType) (store.AuthSession, sessionDoc, store.Signer, error) {
	invalid := &api.NotAuthorizedException{Message: msgInvalidSession}
	var doc sessionDoc
	if token == "" {
		return store.AuthSession{}, doc, store.Signer{}, invalid
	}
	found, err := s.store.FindAuthSession(ctx, req.pool.rec.ID, tokenID(token))
	if err := req.checkCopy(found.Holder.Generation, err); err != nil {
		return found.Session, doc, store.Signer{}, err
	}
	sess := found.Session
	if errors.Is(err, store.ErrNotFound) || err == nil && (!found.Found || sess.ClientID != req.client.rec.ID) {
		return sess, doc, store.Signer{}, invalid
	}
	if err != nil {
		return sess, doc, store.Signer{}, err
	}
	if !sess.ExpiresAt.After(s.now()) {
		return sess, doc, store.Signer{}, &api.NotAuthorizedException{Message: msgSessionExpired}
	}
	raw, err := s.box.Open(sess.Data, sessionAAD(sess.PoolID, sess.ID))
	if err != nil {
		return sess, doc, store.Signer{}, err
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return sess, doc, store.Signer{}, err
	}
	if doc.Challenge != challenge || doc.Admin != req.admin || !found.Holder.Found {
		return sess, doc, store.Signer{}, invalid
	}
	return sess, doc, found.Holder, nil
}
