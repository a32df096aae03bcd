package cognito

import (
	"context"
	"errors"
	"fmt"

	"cognate/internal/api"
	"cognate/internal/store"
)

// The operations by which a user, with an access token, changes their own
// attributes and account.

// tokenClient is the app client an access token was issued to; a deleted
// client's tokens are no longer honoured.
func (s *Service) tokenClient(ctx context.Context, p *pool, claims accessClaims) (*client, error) {
	c, err := s.getClient(ctx, s.store, p.rec.ID, claims.ClientID)
	var nf *api.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil, &api.NotAuthorizedException{Message: msgInvalidAccessToken}
	}
	return c, err
}

// verifiable reports whether attr is verified with a code.
func verifiable(attr string) bool { return attr == "email" || attr == "phone_number" }

// verifiesBeforeUpdate reports whether the pool keeps an attribute's old
// value until the new one is verified.
func (p *pool) verifiesBeforeUpdate(attr string) bool {
	u := p.doc.Pool.UserAttributeUpdateSettings
	return u != nil && contains(u.AttributesRequireVerificationBeforeUpdate, api.VerifiedAttributeType(attr))
}

func (p *pool) autoVerifies(attr string) bool {
	return contains(p.doc.Pool.AutoVerifiedAttributes, api.VerifiedAttributeType(attr))
}

// UpdateUserAttributes sets the attributes the client may write. A changed
// email or phone number the pool verifies gets a code; with
// AttributesRequireVerificationBeforeUpdate the old value stays until the
// code confirms the new one, otherwise the new value is set unverified.
func (s *Service) UpdateUserAttributes(ctx context.Context, in *api.UpdateUserAttributesInput) (*api.UpdateUserAttributesOutput, error) {
	p, u, claims, err := s.authenticateClaims(ctx, s.store, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	c, err := s.tokenClient(ctx, p, claims)
	if err != nil {
		return nil, err
	}
	if err := p.checkAttributeValues(in.UserAttributes, false); err != nil {
		return nil, err
	}
	if err := c.checkWritable(in.UserAttributes); err != nil {
		return nil, err
	}
	out := &api.UpdateUserAttributesOutput{}
	err = s.changeUser(ctx, p.rec.ID, u.Username, func(tx store.Tx, p *pool, u *store.User, attrs *attributes) error {
		out.CodeDeliveryDetailsList = nil
		var now, later []api.AttributeType
		for _, a := range in.UserAttributes {
			name, value := api.Value(a.Name), api.Value(a.Value)
			if verifiable(name) && value != attrs.get(name) && p.verifiesBeforeUpdate(name) && attrs.get(name+"_verified") == "true" {
				later = append(later, a)
				continue
			}
			now = append(now, a)
		}
		// set replaces values rather than changing them, so a shallow
		// copy keeps the values from before.
		before := append(attributes(nil), (*attrs)...)
		if err := p.applyAttributes(attrs, now); err != nil {
			return err
		}
		if err := s.claimNames(ctx, tx, p, u.Key, p.signInNames(u.Key, *attrs), false); err != nil {
			return err
		}
		send := func(attr, dest, pending string) error {
			d, err := s.sendCode(ctx, tx, p, *u, codeFor{purpose: purposeVerify + attr, attr: attr, destination: dest, value: pending})
			if err == nil {
				out.CodeDeliveryDetailsList = append(out.CodeDeliveryDetailsList, *d)
			}
			return err
		}
		for _, a := range now {
			if name := api.Value(a.Name); verifiable(name) && p.autoVerifies(name) && attrs.get(name) != "" && attrs.get(name) != before.get(name) {
				if err := send(name, attrs.get(name), ""); err != nil {
					return err
				}
			}
		}
		for _, a := range later {
			if err := send(api.Value(a.Name), api.Value(a.Value), api.Value(a.Value)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetUserAttributeVerificationCode sends a code for the user's email or
// phone number (or for the new value waiting to replace it).
func (s *Service) GetUserAttributeVerificationCode(ctx context.Context, in *api.GetUserAttributeVerificationCodeInput) (*api.GetUserAttributeVerificationCodeOutput, error) {
	p, u, err := s.authenticate(ctx, s.store, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	attr := *in.AttributeName
	if !verifiable(attr) {
		return nil, invalidParameter(msgAttributeNotVerified, attr)
	}
	var details *api.CodeDeliveryDetailsType
	err = s.update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, p.rec.ID, u.Key)
		if err != nil {
			return notFound(err, &api.UserNotFoundException{Message: msgUserNotFound})
		}
		attrs, err := decodeAttributes(u.Attributes)
		if err != nil {
			return err
		}
		dest, pending := attrs.get(attr), ""
		if prev, err := tx.GetCode(ctx, p.rec.ID, u.Key, purposeVerify+attr); err == nil && prev.Value != "" {
			dest, pending = prev.Value, prev.Value
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if dest == "" {
			return invalidParameter(msgNoAttributeToVerify, attr)
		}
		details, err = s.sendCode(ctx, tx, p, u, codeFor{purpose: purposeVerify + attr, attr: attr, destination: dest, value: pending})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &api.GetUserAttributeVerificationCodeOutput{CodeDeliveryDetails: details}, nil
}

// VerifyUserAttribute marks the email or phone number verified with the code
// that was sent to it, first putting a pending new value in place.
func (s *Service) VerifyUserAttribute(ctx context.Context, in *api.VerifyUserAttributeInput) (*api.VerifyUserAttributeOutput, error) {
	p, u, err := s.authenticate(ctx, s.store, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	attr := *in.AttributeName
	if !verifiable(attr) {
		return nil, invalidParameter(msgAttributeNotVerified, attr)
	}
	err = s.updateWithCode(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, p.rec.ID, u.Key)
		if err != nil {
			return notFound(err, &api.UserNotFoundException{Message: msgUserNotFound})
		}
		sent, err := s.useCode(ctx, tx, p.rec.ID, u.Key, purposeVerify+attr, *in.Code)
		if err != nil {
			return err
		}
		attrs, err := decodeAttributes(u.Attributes)
		if err != nil {
			return err
		}
		if sent.Value != "" {
			attrs.set(attr, sent.Value)
		}
		if attrs.get(attr) != sent.Destination {
			// The attribute changed since the code was sent to it.
			return &api.CodeMismatchException{Message: msgCodeMismatch}
		}
		attrs.set(attr+"_verified", "true")
		u.Attributes = attrs.encode()
		u.UpdatedAt = s.now()
		setFilterable(&u, attrs)
		if err := s.claimNames(ctx, tx, p, u.Key, p.signInNames(u.Key, attrs), false); err != nil {
			return err
		}
		return tx.UpdateUser(ctx, u)
	})
	if err != nil {
		return nil, err
	}
	return &api.VerifyUserAttributeOutput{}, nil
}

func (s *Service) DeleteUserAttributes(ctx context.Context, in *api.DeleteUserAttributesInput) (*api.DeleteUserAttributesOutput, error) {
	p, u, claims, err := s.authenticateClaims(ctx, s.store, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	c, err := s.tokenClient(ctx, p, claims)
	if err != nil {
		return nil, err
	}
	for _, name := range in.UserAttributeNames {
		if !c.canWrite(name) {
			return nil, &api.NotAuthorizedException{Message: msgUnauthorizedAttribute}
		}
	}
	err = s.changeUser(ctx, p.rec.ID, u.Username, func(tx store.Tx, p *pool, u *store.User, attrs *attributes) error {
		if err := p.removeAttributes(attrs, in.UserAttributeNames); err != nil {
			return err
		}
		return s.claimNames(ctx, tx, p, u.Key, p.signInNames(u.Key, *attrs), false)
	})
	if err != nil {
		return nil, err
	}
	return &api.DeleteUserAttributesOutput{}, nil
}

// DeleteUser deletes the user the access token belongs to, with everything
// that is theirs.
func (s *Service) DeleteUser(ctx context.Context, in *api.DeleteUserInput) (*api.DeleteUserOutput, error) {
	p, u, err := s.authenticate(ctx, s.store, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		return notFound(tx.DeleteUser(ctx, p.rec.ID, u.Key), &api.UserNotFoundException{Message: msgUserNotFound})
	})
	if err != nil {
		return nil, fmt.Errorf("delete user: %w", err)
	}
	return &api.DeleteUserOutput{}, nil
}
