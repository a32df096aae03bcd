package cognito

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"time"

	"cognate/internal/api"
	"cognate/internal/store"
)

// One-time codes: what each confirms, how long it lasts, how often it may
// be tried and sent.
const (
	purposeSignUp = "signup"
	purposeReset  = "reset"
	// purposeVerify is followed by the attribute it verifies.
	purposeVerify = "verify:"

	signUpCodeTTL = 24 * time.Hour
	resetCodeTTL  = time.Hour
	verifyCodeTTL = 24 * time.Hour

	// maxCodeAttempts wrong submissions use a code up.
	maxCodeAttempts = 5
	// codesPerWindow codes may be sent to a user in codeWindow.
	codesPerWindow = 5
	codeWindow     = time.Hour
)

func codeTTL(purpose string) time.Duration {
	switch purpose {
	case purposeSignUp:
		return signUpCodeTTL
	case purposeReset:
		return resetCodeTTL
	}
	return verifyCodeTTL
}

// codeHash is how a code is kept: an HMAC under a key derived from the
// instance key, bound to its user and purpose, so that the store alone
// cannot be used to guess six digits offline.
func (s *Service) codeHash(poolID, userKey, purpose, code string) []byte {
	m := hmac.New(sha256.New, s.box.Derive("one-time codes"))
	fmt.Fprintf(m, "%s\x00%s\x00%s\x00%s", poolID, userKey, purpose, code)
	return m.Sum(nil)
}

// checkSendRate refuses a new code when the user, or the address it would
// go to, was sent codesPerWindow messages in the last codeWindow: one user
// cannot be flooded, nor one address through many users.
func (s *Service) checkSendRate(ctx context.Context, tx store.Tx, poolID, userKey, destination string) error {
	recent, err := tx.ListMessages(ctx, poolID, userKey, codesPerWindow)
	if err != nil {
		return err
	}
	if len(recent) == codesPerWindow && s.now().Sub(recent[len(recent)-1].CreatedAt) < codeWindow {
		return &api.LimitExceededException{Message: msgAttemptLimit}
	}
	n, err := tx.CountMessagesTo(ctx, poolID, destination, s.now().Add(-codeWindow))
	if err != nil {
		return err
	}
	if n >= codesPerWindow {
		return &api.LimitExceededException{Message: msgAttemptLimit}
	}
	return nil
}

// codeFor says what a code is for: its purpose, the attribute (email or
// phone_number) and address it goes to, the value it will confirm when that
// is not in the attributes yet, and the app client that asked (which a
// confirmation link names).
type codeFor struct {
	purpose, attr, destination, value, clientID string
}

// messageKind is the outbox's name for the messages of a purpose.
func messageKind(purpose string) string {
	if purpose == purposeSignUp || purpose == purposeReset {
		return purpose
	}
	return "verification"
}

// sendCode makes a code, keeps its hash and sends it, all in tx.
func (s *Service) sendCode(ctx context.Context, tx store.Tx, p *pool, u store.User, f codeFor) (*api.CodeDeliveryDetailsType, error) {
	if err := s.checkSendRate(ctx, tx, p.rec.ID, u.Key, f.destination); err != nil {
		return nil, err
	}
	code := newCode()
	now := s.now()
	err := tx.PutCode(ctx, store.Code{PoolID: p.rec.ID, UserKey: u.Key, Purpose: f.purpose,
		Hash: s.codeHash(p.rec.ID, u.Key, f.purpose, code), Destination: f.destination, Value: f.value,
		CreatedAt: now, ExpiresAt: now.Add(codeTTL(f.purpose))})
	if err != nil {
		return nil, notFound(err, &api.UserNotFoundException{Message: msgUserNotFound})
	}
	link := ""
	if f.purpose == purposeSignUp && f.clientID != "" {
		link = s.confirmLink(f.clientID, u.Username, code)
	}
	d := p.codeMessage(messageKind(f.purpose), f.attr, f.destination, u.Username, code, link)
	if err := s.enqueue(ctx, tx, p.rec.ID, u.Key, []delivery{d}); err != nil {
		return nil, err
	}
	return codeDeliveryDetails(d, f.attr), nil
}

// confirmLink is the URL a CONFIRM_WITH_LINK message carries: opening it
// confirms the sign-up, as Cognito's /confirmUser does.
func (s *Service) confirmLink(clientID, username, code string) string {
	q := url.Values{"client_id": {clientID}, "user_name": {username}, "confirmation_code": {code}}
	return s.publicBase() + "/confirmUser?" + q.Encode()
}

// codeMismatch ends a transaction in which a wrong code was submitted: the
// transaction rolls back, and the failed attempt is then recorded on its own
// (see updateWithCode).
type codeMismatch struct {
	poolID, userKey, purpose string
	attempts                 int
}

func (e *codeMismatch) Error() string { return "wrong code for " + e.purpose }

// useCode checks a submitted code and uses it up, in tx.
func (s *Service) useCode(ctx context.Context, tx store.Tx, poolID, userKey, purpose, code string) (store.Code, error) {
	c, err := tx.GetCode(ctx, poolID, userKey, purpose)
	if errors.Is(err, store.ErrNotFound) {
		return c, &api.CodeMismatchException{Message: msgCodeMismatch}
	}
	if err != nil {
		return c, err
	}
	if c.Attempts >= maxCodeAttempts {
		return c, &api.LimitExceededException{Message: msgAttemptLimit}
	}
	if !hmac.Equal(c.Hash, s.codeHash(poolID, userKey, purpose, code)) {
		return c, &codeMismatch{poolID: poolID, userKey: userKey, purpose: purpose, attempts: c.Attempts + 1}
	}
	if !c.ExpiresAt.After(s.now()) {
		return c, &api.ExpiredCodeException{Message: msgCodeExpired}
	}
	if err := tx.DeleteCode(ctx, poolID, userKey, purpose); err != nil {
		return c, notFound(err, &api.CodeMismatchException{Message: msgCodeMismatch})
	}
	return c, nil
}

// updateWithCode runs fn, which submits a code with useCode, in one
// transaction; a wrong code is then counted against the code in a second.
func (s *Service) updateWithCode(ctx context.Context, fn func(tx store.Tx) error) error {
	err := s.update(ctx, fn)
	var m *codeMismatch
	if !errors.As(err, &m) {
		return err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		err := tx.SetCodeAttempts(ctx, m.poolID, m.userKey, m.purpose, m.attempts)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	return &api.CodeMismatchException{Message: msgCodeMismatch}
}
