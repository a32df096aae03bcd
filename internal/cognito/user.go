package cognito

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"cognate/internal/api"
	"cognate/internal/store"
)

// User statuses, as Cognito names them.
const (
	statusUnconfirmed         = "UNCONFIRMED"
	statusConfirmed           = "CONFIRMED"
	statusForceChangePassword = "FORCE_CHANGE_PASSWORD"
	statusResetRequired       = "RESET_REQUIRED"
)

// userType is a user as the list and create operations show it.
func userType(u store.User, only []string) (api.UserType, error) {
	attrs, err := decodeAttributes(u.Attributes)
	if err != nil {
		return api.UserType{}, err
	}
	settings, err := decodeSettings(u.Settings)
	if err != nil {
		return api.UserType{}, err
	}
	return api.UserType{
		Username:             new(u.Username),
		Attributes:           attrs.only(only),
		UserCreateDate:       api.Time(u.CreatedAt),
		UserLastModifiedDate: api.Time(u.UpdatedAt),
		Enabled:              new(u.Enabled),
		UserStatus:           api.UserStatusType(u.Status),
		MFAOptions:           settings.MFAOptions,
	}, nil
}

// poolUser loads the pool and the user a request addresses, in r.
func (s *Service) poolUser(ctx context.Context, r store.Reader, poolID, name string) (*pool, store.User, error) {
	p, err := s.getPool(ctx, r, poolID)
	if err != nil {
		return nil, store.User{}, err
	}
	u, err := s.findUser(ctx, r, p, name)
	return p, u, err
}

// changeUser runs fn on the addressed user in one transaction and saves it,
// with its sign-in names recomputed from its attributes.
func (s *Service) changeUser(ctx context.Context, poolID, name string, fn func(tx store.Tx, p *pool, u *store.User, attrs *attributes) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		p, u, err := s.poolUser(ctx, tx, poolID, name)
		if err != nil {
			return err
		}
		attrs, err := decodeAttributes(u.Attributes)
		if err != nil {
			return err
		}
		if err := fn(tx, p, &u, &attrs); err != nil {
			return err
		}
		u.Attributes = attrs.encode()
		u.UpdatedAt = s.now()
		setFilterable(&u, attrs)
		return notFound(tx.UpdateUser(ctx, u), &api.UserNotFoundException{Message: msgUserNotFound})
	})
}

// newUsername decides the stored username and the sign-in attribute a
// request's Username stands for: in pools that sign in by email or phone, the
// username is the user's sub and the given name becomes that attribute.
func (p *pool) newUsername(requested, sub string, attrs *attributes) (string, error) {
	byEmail, byPhone := p.signsInWith("email"), p.signsInWith("phone_number")
	isEmail, isPhone := emailPattern.MatchString(requested), phonePattern.MatchString(requested)
	switch {
	case byEmail || byPhone:
		switch {
		case byEmail && isEmail:
			attrs.set("email", requested)
		case byPhone && isPhone:
			attrs.set("phone_number", requested)
		case byEmail && byPhone:
			return "", invalidParameter(msgUsernameMustBeEmailOrPhone)
		case byEmail:
			return "", invalidParameter(msgUsernameMustBeEmail)
		default:
			return "", invalidParameter(msgUsernameMustBePhone)
		}
		return sub, nil
	case p.hasAlias("email") && isEmail:
		return "", invalidParameter(msgUsernameNotEmail)
	case p.hasAlias("phone_number") && isPhone:
		return "", invalidParameter(msgUsernameNotPhone)
	}
	return requested, nil
}

func (s *Service) AdminCreateUser(ctx context.Context, in *api.AdminCreateUserInput) (*api.AdminCreateUserOutput, error) {
	if in.MessageAction == api.MessageActionTypeResend {
		return s.resendInvitation(ctx, in)
	}
	var out api.UserType
	err := s.update(ctx, func(tx store.Tx) error {
		p, err := s.getPool(ctx, tx, *in.UserPoolId)
		if err != nil {
			return err
		}
		if err := p.checkAttributeValues(in.UserAttributes, true); err != nil {
			return err
		}
		sub := uuid.NewString()
		attrs := attributes{{Name: new("sub"), Value: new(sub)}}
		for _, a := range in.UserAttributes {
			attrs.set(api.Value(a.Name), api.Value(a.Value))
		}
		username, err := p.newUsername(*in.Username, sub, &attrs)
		if err != nil {
			return err
		}
		if err := p.checkRequired(attrs); err != nil {
			return err
		}
		password := api.Value(in.TemporaryPassword)
		if password == "" {
			password = p.generatePassword()
		} else if err := p.checkPassword(password); err != nil {
			return err
		}
		now := s.now()
		u := store.User{
			PoolID: p.rec.ID, Key: p.nameKey(username), Username: username, Sub: sub,
			Status: statusForceChangePassword, Enabled: true, CreatedAt: now, UpdatedAt: now,
			Attributes: attrs.encode(),
		}
		setFilterable(&u, attrs)
		if err := s.setPassword(p, &u, password, true); err != nil {
			return err
		}
		if err := s.insertUser(ctx, tx, p, u, attrs, api.Value(in.ForceAliasCreation)); err != nil {
			return err
		}
		if in.MessageAction != api.MessageActionTypeSuppress {
			if err := s.enqueue(ctx, tx, p.rec.ID, u.Key, p.invitations(username, password, attrs, in.DesiredDeliveryMediums)); err != nil {
				return err
			}
		}
		out, err = userType(u, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &api.AdminCreateUserOutput{User: &out}, nil
}

// insertUser stores a new user with its sign-in names; a taken username is
// a UsernameExistsException, a taken alias as claimNames says.
func (s *Service) insertUser(ctx context.Context, tx store.Tx, p *pool, u store.User, attrs attributes, forceAlias bool) error {
	if _, err := tx.GetUser(ctx, p.rec.ID, u.Key); err == nil {
		return &api.UsernameExistsException{Message: msgUserExists}
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := tx.CreateUser(ctx, u, nil); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return &api.UsernameExistsException{Message: msgUserExists}
		}
		return err
	}
	return s.claimNames(ctx, tx, p, u.Key, p.signInNames(u.Key, attrs), forceAlias)
}

// resendInvitation sends a new invitation with a new temporary password to a
// user who has not signed in yet.
func (s *Service) resendInvitation(ctx context.Context, in *api.AdminCreateUserInput) (*api.AdminCreateUserOutput, error) {
	var out api.UserType
	err := s.update(ctx, func(tx store.Tx) error {
		p, u, err := s.poolUser(ctx, tx, *in.UserPoolId, *in.Username)
		if err != nil {
			return err
		}
		if u.Status != statusForceChangePassword {
			return &api.UnsupportedUserStateException{Message: msgResendWrongStatus}
		}
		password := api.Value(in.TemporaryPassword)
		if password == "" {
			password = p.generatePassword()
		} else if err := p.checkPassword(password); err != nil {
			return err
		}
		if err := s.setPassword(p, &u, password, true); err != nil {
			return err
		}
		u.UpdatedAt = s.now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		attrs, err := decodeAttributes(u.Attributes)
		if err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, p.rec.ID, u.Key, p.invitations(u.Username, password, attrs, in.DesiredDeliveryMediums)); err != nil {
			return err
		}
		out, err = userType(u, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &api.AdminCreateUserOutput{User: &out}, nil
}

func (s *Service) AdminGetUser(ctx context.Context, in *api.AdminGetUserInput) (*api.AdminGetUserOutput, error) {
	_, u, err := s.poolUser(ctx, s.store, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	t, err := userType(u, nil)
	if err != nil {
		return nil, err
	}
	return &api.AdminGetUserOutput{
		Username: t.Username, UserAttributes: t.Attributes, UserCreateDate: t.UserCreateDate,
		UserLastModifiedDate: t.UserLastModifiedDate, Enabled: t.Enabled, UserStatus: t.UserStatus,
		MFAOptions: t.MFAOptions,
	}, nil
}

func (s *Service) AdminDeleteUser(ctx context.Context, in *api.AdminDeleteUserInput) (*api.AdminDeleteUserOutput, error) {
	err := s.update(ctx, func(tx store.Tx) error {
		_, u, err := s.poolUser(ctx, tx, *in.UserPoolId, *in.Username)
		if err != nil {
			return err
		}
		return notFound(tx.DeleteUser(ctx, u.PoolID, u.Key), &api.UserNotFoundException{Message: msgUserNotFound})
	})
	if err != nil {
		return nil, err
	}
	return &api.AdminDeleteUserOutput{}, nil
}

func (s *Service) setEnabled(ctx context.Context, poolID, name string, enabled bool) error {
	return s.changeUser(ctx, poolID, name, func(_ store.Tx, _ *pool, u *store.User, _ *attributes) error {
		u.Enabled = enabled
		return nil
	})
}

func (s *Service) AdminDisableUser(ctx context.Context, in *api.AdminDisableUserInput) (*api.AdminDisableUserOutput, error) {
	if err := s.setEnabled(ctx, *in.UserPoolId, *in.Username, false); err != nil {
		return nil, err
	}
	return &api.AdminDisableUserOutput{}, nil
}

func (s *Service) AdminEnableUser(ctx context.Context, in *api.AdminEnableUserInput) (*api.AdminEnableUserOutput, error) {
	if err := s.setEnabled(ctx, *in.UserPoolId, *in.Username, true); err != nil {
		return nil, err
	}
	return &api.AdminEnableUserOutput{}, nil
}

// AdminUpdateUserAttributes sets attributes. A changed email or phone number
// loses its verified flag unless the same call sets it.
func (s *Service) AdminUpdateUserAttributes(ctx context.Context, in *api.AdminUpdateUserAttributesInput) (*api.AdminUpdateUserAttributesOutput, error) {
	err := s.changeUser(ctx, *in.UserPoolId, *in.Username, func(tx store.Tx, p *pool, u *store.User, attrs *attributes) error {
		if err := p.checkAttributeValues(in.UserAttributes, true); err != nil {
			return err
		}
		if err := p.applyAttributes(attrs, in.UserAttributes); err != nil {
			return err
		}
		return s.claimNames(ctx, tx, p, u.Key, p.signInNames(u.Key, *attrs), false)
	})
	if err != nil {
		return nil, err
	}
	return &api.AdminUpdateUserAttributesOutput{}, nil
}

// applyAttributes sets checked attribute values: immutable attributes keep
// the value they have, and a changed email or phone number loses its
// verified flag unless the same change sets it. The result must still have
// every required attribute.
func (p *pool) applyAttributes(attrs *attributes, in []api.AttributeType) error {
	given := map[string]bool{}
	for _, a := range in {
		given[api.Value(a.Name)] = true
	}
	for _, a := range in {
		name, value := api.Value(a.Name), api.Value(a.Value)
		def, _ := p.schemaAttribute(name)
		if !api.Value(def.Mutable) && attrs.has(name) && attrs.get(name) != value {
			return invalidParameter(msgCannotModifyAttribute, name)
		}
		if (name == "email" || name == "phone_number") && attrs.get(name) != value && !given[name+"_verified"] && attrs.has(name+"_verified") {
			attrs.set(name+"_verified", "false")
		}
		attrs.set(name, value)
	}
	return p.checkRequired(*attrs)
}

func (s *Service) AdminDeleteUserAttributes(ctx context.Context, in *api.AdminDeleteUserAttributesInput) (*api.AdminDeleteUserAttributesOutput, error) {
	err := s.changeUser(ctx, *in.UserPoolId, *in.Username, func(tx store.Tx, p *pool, u *store.User, attrs *attributes) error {
		if err := p.removeAttributes(attrs, in.UserAttributeNames); err != nil {
			return err
		}
		return s.claimNames(ctx, tx, p, u.Key, p.signInNames(u.Key, *attrs), false)
	})
	if err != nil {
		return nil, err
	}
	return &api.AdminDeleteUserAttributesOutput{}, nil
}

// removeAttributes deletes attributes, refusing unknown, required and
// immutable ones; an email or phone number takes its verified flag along.
func (p *pool) removeAttributes(attrs *attributes, names []string) error {
	for _, name := range names {
		def, ok := p.schemaAttribute(name)
		switch {
		case !ok:
			return invalidParameter(msgAttributeNotInSchema, name)
		case name == "sub" || api.Value(def.Required):
			return invalidParameter(msgRequiredAttributeDelete, name)
		case !api.Value(def.Mutable):
			return invalidParameter(msgCannotModifyAttribute, name)
		}
		attrs.remove(name)
		if name == "email" || name == "phone_number" {
			attrs.remove(name + "_verified")
		}
	}
	return nil
}

// AdminSetUserPassword sets a permanent password (the user becomes CONFIRMED)
// or a temporary one (FORCE_CHANGE_PASSWORD).
func (s *Service) AdminSetUserPassword(ctx context.Context, in *api.AdminSetUserPasswordInput) (*api.AdminSetUserPasswordOutput, error) {
	err := s.changeUser(ctx, *in.UserPoolId, *in.Username, func(_ store.Tx, p *pool, u *store.User, _ *attributes) error {
		if err := p.checkPassword(*in.Password); err != nil {
			return err
		}
		permanent := api.Value(in.Permanent)
		u.Status = statusForceChangePassword
		if permanent {
			u.Status = statusConfirmed
		}
		return s.setPassword(p, u, *in.Password, !permanent)
	})
	if err != nil {
		return nil, err
	}
	return &api.AdminSetUserPasswordOutput{}, nil
}

func (s *Service) AdminConfirmSignUp(ctx context.Context, in *api.AdminConfirmSignUpInput) (*api.AdminConfirmSignUpOutput, error) {
	err := s.changeUser(ctx, *in.UserPoolId, *in.Username, func(_ store.Tx, _ *pool, u *store.User, _ *attributes) error {
		if u.Status != statusUnconfirmed {
			return &api.NotAuthorizedException{Message: fmt.Sprintf(msgConfirmNotUnconfirmed, u.Status)}
		}
		u.Status = statusConfirmed
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.AdminConfirmSignUpOutput{}, nil
}

// AdminResetUserPassword requires a new password at the next sign-in and
// sends a code to the user's verified email or phone number.
func (s *Service) AdminResetUserPassword(ctx context.Context, in *api.AdminResetUserPasswordInput) (*api.AdminResetUserPasswordOutput, error) {
	err := s.changeUser(ctx, *in.UserPoolId, *in.Username, func(tx store.Tx, p *pool, u *store.User, attrs *attributes) error {
		attr := p.recoveryAttribute(*attrs)
		if attr == "" {
			return invalidParameter(msgNoRecoveryDestination)
		}
		u.Status = statusResetRequired
		_, err := s.sendCode(ctx, tx, p, *u, codeFor{purpose: purposeReset, attr: attr, destination: attrs.get(attr)})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &api.AdminResetUserPasswordOutput{}, nil
}

// recoveryAttribute is the verified attribute a recovery code goes to,
// following the pool's AccountRecoverySetting (phone first when it has none,
// as Cognito's legacy behaviour is).
func (p *pool) recoveryAttribute(attrs attributes) string {
	order := []string{"phone_number", "email"}
	if r := p.doc.Pool.AccountRecoverySetting; r != nil {
		order = nil
		mechanisms := append([]api.RecoveryOptionType(nil), r.RecoveryMechanisms...)
		for priority := int32(1); priority <= 2; priority++ {
			for _, m := range mechanisms {
				if api.Value(m.Priority) != priority {
					continue
				}
				switch m.Name {
				case api.RecoveryOptionNameTypeVerifiedEmail:
					order = append(order, "email")
				case api.RecoveryOptionNameTypeVerifiedPhoneNumber:
					order = append(order, "phone_number")
				}
			}
		}
	}
	for _, attr := range order {
		if attrs.get(attr) != "" && attrs.get(attr+"_verified") == "true" {
			return attr
		}
	}
	return ""
}

// AdminSetUserSettings sets the legacy SMS MFA options.
func (s *Service) AdminSetUserSettings(ctx context.Context, in *api.AdminSetUserSettingsInput) (*api.AdminSetUserSettingsOutput, error) {
	err := s.changeUser(ctx, *in.UserPoolId, *in.Username, func(_ store.Tx, _ *pool, u *store.User, attrs *attributes) error {
		for _, o := range in.MFAOptions {
			if o.DeliveryMedium == api.DeliveryMediumTypeSms && attrs.get(api.Value(o.AttributeName)) == "" {
				return invalidParameter("Invalid MFA option: the user has no %s.", strings.ToLower(api.Value(o.AttributeName)))
			}
		}
		settings, err := decodeSettings(u.Settings)
		if err != nil {
			return err
		}
		settings.MFAOptions = in.MFAOptions
		u.Settings = settings.encode()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.AdminSetUserSettingsOutput{}, nil
}
