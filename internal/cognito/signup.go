package cognito

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"cognate/internal/api"
	"cognate/internal/store"
)

// The operations by which users make and recover their own accounts.

// signUpCodeAttribute is where a sign-up confirmation code goes: the phone
// number if the pool verifies it automatically, else the email address;
// "" when the pool verifies neither (an administrator confirms the user).
func (p *pool) signUpCodeAttribute(attrs attributes) string {
	for _, attr := range []string{"phone_number", "email"} {
		if contains(p.doc.Pool.AutoVerifiedAttributes, api.VerifiedAttributeType(attr)) && attrs.get(attr) != "" {
			return attr
		}
	}
	return ""
}

// checkWritable refuses attributes the client may not write.
func (c *client) checkWritable(in []api.AttributeType) error {
	for _, a := range in {
		if !c.canWrite(api.Value(a.Name)) {
			return &api.NotAuthorizedException{Message: msgUnauthorizedAttribute}
		}
	}
	return nil
}

func (s *Service) SignUp(ctx context.Context, in *api.SignUpInput) (*api.SignUpOutput, error) {
	p, c, err := s.clientByID(ctx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	if err := s.checkSecretHash(ctx, c, api.Value(in.SecretHash), *in.Username); err != nil {
		return nil, err
	}
	if cfg := p.doc.Pool.AdminCreateUserConfig; cfg != nil && api.Value(cfg.AllowAdminCreateUserOnly) {
		return nil, &api.NotAuthorizedException{Message: msgSignUpNotPermitted}
	}
	if err := p.checkAttributeValues(in.UserAttributes, false); err != nil {
		return nil, err
	}
	if err := c.checkWritable(in.UserAttributes); err != nil {
		return nil, err
	}
	if err := p.checkPassword(api.Value(in.Password)); err != nil {
		return nil, err
	}
	sub := uuid.NewString()
	attrs := attributes{{Name: new("sub"), Value: new(sub)}}
	for _, a := range in.UserAttributes {
		attrs.set(api.Value(a.Name), api.Value(a.Value))
	}
	username, err := p.newUsername(*in.Username, sub, &attrs)
	if err != nil {
		return nil, err
	}
	if err := p.checkRequired(attrs); err != nil {
		return nil, err
	}
	now := s.now()
	u := store.User{PoolID: p.rec.ID, Key: p.nameKey(username), Username: username, Sub: sub,
		Status: statusUnconfirmed, Enabled: true, CreatedAt: now, UpdatedAt: now, Attributes: attrs.encode()}
	setFilterable(&u, attrs)
	if err := s.setPassword(p, &u, *in.Password, false); err != nil {
		return nil, err
	}
	out := &api.SignUpOutput{UserConfirmed: new(false), UserSub: new(sub)}
	err = s.update(ctx, func(tx store.Tx) error {
		if err := s.insertUser(ctx, tx, p, u, attrs, false); err != nil {
			return err
		}
		out.CodeDeliveryDetails = nil
		if attr := p.signUpCodeAttribute(attrs); attr != "" {
			d, err := s.sendCode(ctx, tx, p, u, codeFor{purpose: purposeSignUp, attr: attr, destination: attrs.get(attr), clientID: c.rec.ID})
			if err != nil {
				return err
			}
			out.CodeDeliveryDetails = d
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// selfServiceUser finds the user an unsigned self-service request names.
// With PreventUserExistenceErrors on, an unknown user is not reported:
// found is false and err nil, and the caller answers as it would for a
// user it cannot tell apart.
func (s *Service) selfServiceUser(ctx context.Context, c *client, p *pool, name string) (u store.User, found bool, err error) {
	u, err = s.findUser(ctx, s.store, p, name)
	var nf *api.UserNotFoundException
	if errors.As(err, &nf) && c.hidesUsers() {
		return u, false, nil
	}
	return u, err == nil, err
}

// selfServiceRequest resolves an unsigned self-service request: its client
// and pool, the user it names (see selfServiceUser) and the secret hash.
func (s *Service) selfServiceRequest(ctx context.Context, clientID, name, hash string) (*pool, *client, store.User, bool, error) {
	p, c, err := s.clientByID(ctx, clientID)
	if err != nil {
		return nil, nil, store.User{}, false, err
	}
	u, found, err := s.selfServiceUser(ctx, c, p, name)
	if err != nil {
		return nil, nil, u, false, err
	}
	if err := s.checkSecretHash(ctx, c, hash, name, u.Username); err != nil {
		return nil, nil, u, false, err
	}
	return p, c, u, found, nil
}

// decoyDelivery is the CodeDeliveryDetails shown for an unknown user when
// the client hides which users exist.
func decoyDelivery(name string) *api.CodeDeliveryDetailsType {
	dest := "***"
	if emailPattern.MatchString(name) {
		dest = maskDestination("EMAIL", name)
	}
	return &api.CodeDeliveryDetailsType{Destination: new(dest), DeliveryMedium: api.DeliveryMediumTypeEmail, AttributeName: new("email")}
}

func (s *Service) ConfirmSignUp(ctx context.Context, in *api.ConfirmSignUpInput) (*api.ConfirmSignUpOutput, error) {
	p, c, err := s.clientByID(ctx, *in.ClientId)
	if err != nil {
		return nil, err
	}
	if err := s.confirmSignUp(ctx, p, c, *in.Username, *in.ConfirmationCode, api.Value(in.SecretHash), api.Value(in.ForceAliasCreation), true); err != nil {
		return nil, err
	}
	return &api.ConfirmSignUpOutput{}, nil
}

// ConfirmSignUpByLink confirms a sign-up from the link of a
// CONFIRM_WITH_LINK message; the link is Cognate's own, so it carries no
// secret hash.
func (s *Service) ConfirmSignUpByLink(ctx context.Context, clientID, username, code string) error {
	p, c, err := s.clientByID(ctx, clientID)
	if err != nil {
		return err
	}
	return s.confirmSignUp(ctx, p, c, username, code, "", false, false)
}

func (s *Service) confirmSignUp(ctx context.Context, p *pool, c *client, name, code, hash string, forceAlias, checkHash bool) error {
	u, found, err := s.selfServiceUser(ctx, c, p, name)
	if err != nil {
		return err
	}
	if checkHash {
		if err := s.checkSecretHash(ctx, c, hash, name, u.Username); err != nil {
			return err
		}
	}
	if !found {
		return &api.CodeMismatchException{Message: msgCodeMismatch}
	}
	return s.updateWithCode(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, p.rec.ID, u.Key)
		if err != nil {
			return notFound(err, &api.UserNotFoundException{Message: msgUserNotFound})
		}
		if u.Status != statusUnconfirmed {
			return &api.NotAuthorizedException{Message: fmt.Sprintf(msgConfirmNotUnconfirmed, u.Status)}
		}
		sent, err := s.useCode(ctx, tx, p.rec.ID, u.Key, purposeSignUp, code)
		if err != nil {
			return err
		}
		attrs, err := decodeAttributes(u.Attributes)
		if err != nil {
			return err
		}
		// The code proves the address it went to.
		for _, attr := range []string{"email", "phone_number"} {
			if attrs.get(attr) != "" && attrs.get(attr) == sent.Destination {
				attrs.set(attr+"_verified", "true")
			}
		}
		u.Status = statusConfirmed
		u.Attributes = attrs.encode()
		u.UpdatedAt = s.now()
		setFilterable(&u, attrs)
		if err := s.claimNames(ctx, tx, p, u.Key, p.signInNames(u.Key, attrs), forceAlias); err != nil {
			return err
		}
		return tx.UpdateUser(ctx, u)
	})
}

func (s *Service) ResendConfirmationCode(ctx context.Context, in *api.ResendConfirmationCodeInput) (*api.ResendConfirmationCodeOutput, error) {
	p, c, u, found, err := s.selfServiceRequest(ctx, *in.ClientId, *in.Username, api.Value(in.SecretHash))
	if err != nil {
		return nil, err
	}
	if !found {
		return &api.ResendConfirmationCodeOutput{CodeDeliveryDetails: decoyDelivery(*in.Username)}, nil
	}
	var details *api.CodeDeliveryDetailsType
	err = s.update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, p.rec.ID, u.Key)
		if err != nil {
			return notFound(err, &api.UserNotFoundException{Message: msgUserNotFound})
		}
		if u.Status != statusUnconfirmed {
			return invalidParameter(msgUserAlreadyConfirmed)
		}
		attrs, err := decodeAttributes(u.Attributes)
		if err != nil {
			return err
		}
		attr := p.signUpCodeAttribute(attrs)
		if attr == "" {
			for _, a := range []string{"email", "phone_number"} {
				if attrs.get(a) != "" {
					attr = a
					break
				}
			}
		}
		if attr == "" {
			return invalidParameter(msgNoCodeDestination)
		}
		details, err = s.sendCode(ctx, tx, p, u, codeFor{purpose: purposeSignUp, attr: attr, destination: attrs.get(attr), clientID: c.rec.ID})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &api.ResendConfirmationCodeOutput{CodeDeliveryDetails: details}, nil
}

// recoveryAdminOnly reports whether only an administrator may reset
// passwords in the pool.
func (p *pool) recoveryAdminOnly() bool {
	r := p.doc.Pool.AccountRecoverySetting
	if r == nil {
		return false
	}
	for _, m := range r.RecoveryMechanisms {
		if m.Name == api.RecoveryOptionNameTypeAdminOnly {
			return true
		}
	}
	return false
}

func (s *Service) ForgotPassword(ctx context.Context, in *api.ForgotPasswordInput) (*api.ForgotPasswordOutput, error) {
	p, _, u, found, err := s.selfServiceRequest(ctx, *in.ClientId, *in.Username, api.Value(in.SecretHash))
	if err != nil {
		return nil, err
	}
	if !found {
		return &api.ForgotPasswordOutput{CodeDeliveryDetails: decoyDelivery(*in.Username)}, nil
	}
	if p.recoveryAdminOnly() {
		return nil, &api.NotAuthorizedException{Message: msgResetNotAllowed}
	}
	var details *api.CodeDeliveryDetailsType
	err = s.update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, p.rec.ID, u.Key)
		if err != nil {
			return notFound(err, &api.UserNotFoundException{Message: msgUserNotFound})
		}
		if !u.Enabled {
			return &api.NotAuthorizedException{Message: msgUserDisabled}
		}
		attrs, err := decodeAttributes(u.Attributes)
		if err != nil {
			return err
		}
		attr := p.recoveryAttribute(attrs)
		if attr == "" {
			return invalidParameter(msgNoRecoveryDestination)
		}
		details, err = s.sendCode(ctx, tx, p, u, codeFor{purpose: purposeReset, attr: attr, destination: attrs.get(attr)})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &api.ForgotPasswordOutput{CodeDeliveryDetails: details}, nil
}

// ConfirmForgotPassword sets a new password with the code ForgotPassword or
// AdminResetUserPassword sent; a user who had to reset is confirmed.
func (s *Service) ConfirmForgotPassword(ctx context.Context, in *api.ConfirmForgotPasswordInput) (*api.ConfirmForgotPasswordOutput, error) {
	p, _, u, found, err := s.selfServiceRequest(ctx, *in.ClientId, *in.Username, api.Value(in.SecretHash))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, &api.CodeMismatchException{Message: msgCodeMismatch}
	}
	if err := p.checkPassword(*in.Password); err != nil {
		return nil, err
	}
	err = s.updateWithCode(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, p.rec.ID, u.Key)
		if err != nil {
			return notFound(err, &api.UserNotFoundException{Message: msgUserNotFound})
		}
		if _, err := s.useCode(ctx, tx, p.rec.ID, u.Key, purposeReset, *in.ConfirmationCode); err != nil {
			return err
		}
		if u.Status == statusResetRequired || u.Status == statusForceChangePassword {
			u.Status = statusConfirmed
		}
		if err := s.setPassword(p, &u, *in.Password, false); err != nil {
			return err
		}
		st, err := decodeSettings(u.Settings)
		if err != nil {
			return err
		}
		st.FailedSignIns, st.LastFailedSignIn = 0, nil
		u.Settings = st.encode()
		u.UpdatedAt = s.now()
		return tx.UpdateUser(ctx, u)
	})
	if err != nil {
		return nil, err
	}
	return &api.ConfirmForgotPasswordOutput{}, nil
}
