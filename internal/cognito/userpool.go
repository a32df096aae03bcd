package cognito

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"

	"cognate/internal/api"
	"cognate/internal/store"
)

// poolDoc is what the store keeps as a pool's Config: the pool as
// DescribeUserPool shows it (less what is derived on the way out) and the MFA
// settings that only GetUserPoolMfaConfig shows.
type poolDoc struct {
	Pool             api.UserPoolType                `json:"pool"`
	SoftwareTokenMfa *api.SoftwareTokenMfaConfigType `json:"softwareTokenMfa,omitempty"`
	EmailMfa         *api.EmailMfaConfigType         `json:"emailMfa,omitempty"`
	WebAuthn         *api.WebAuthnConfigurationType  `json:"webAuthn,omitempty"`
	SigningCert      *signingCert                    `json:"signingCert,omitempty"`
}

type pool struct {
	rec store.UserPool
	doc poolDoc
}

// getPool loads a pool. Its decoded settings may be shared with other
// requests: callers that change them use getPoolForUpdate.
func (s *Service) getPool(ctx context.Context, r store.Reader, id string) (*pool, error) {
	rec, err := r.GetUserPool(ctx, id)
	if err != nil {
		return nil, notFound(err, &api.ResourceNotFoundException{Message: fmt.Sprintf(msgPoolNotFound, id)})
	}
	return s.sharedPool(rec)
}

// sharedPool decodes a pool as read, with settings that may be shared with
// other requests. Decoding the settings costs more than reading them; the
// cache is only used when the stored document is byte for byte the one
// decoded before, so a change made on any node is seen at once.
func (s *Service) sharedPool(rec store.UserPool) (*pool, error) {
	if c, ok := s.pools.Load(rec.ID); ok && bytes.Equal(c.(*pool).rec.Config, rec.Config) {
		doc := c.(*pool).doc
		if c.(*pool).rec.Generation != rec.Generation {
			// The same settings at a new generation (a client changed):
			// knownPool's copy moves to it.
			s.pools.Store(rec.ID, &pool{rec: rec, doc: doc})
		}
		return &pool{rec: rec, doc: doc}, nil
	}
	p, err := decodePool(rec)
	if err != nil {
		return nil, err
	}
	s.pools.Store(rec.ID, p)
	return &pool{rec: rec, doc: p.doc}, nil
}

// knownPool is this node's copy of a pool, as the last read of it left it,
// with settings shared with other requests. A caller checks it against the
// pool's generation in a read of its own.
func (s *Service) knownPool(id string) (*pool, bool) {
	c, ok := s.pools.Load(id)
	if !ok {
		return nil, false
	}
	return &pool{rec: c.(*pool).rec, doc: c.(*pool).doc}, true
}

// getPoolForUpdate loads a pool with settings of its own to change.
func (s *Service) getPoolForUpdate(ctx context.Context, tx store.Tx, id string) (*pool, error) {
	rec, err := tx.GetUserPool(ctx, id)
	if err != nil {
		return nil, notFound(err, &api.ResourceNotFoundException{Message: fmt.Sprintf(msgPoolNotFound, id)})
	}
	return decodePool(rec)
}

func decodePool(rec store.UserPool) (*pool, error) {
	p := &pool{rec: rec}
	if err := json.Unmarshal(rec.Config, &p.doc); err != nil {
		return nil, fmt.Errorf("pool %s: decode config: %w", rec.ID, err)
	}
	return p, nil
}

func (s *Service) savePool(ctx context.Context, tx store.Tx, p *pool) error {
	p.rec.UpdatedAt = s.now()
	p.rec.Name = api.Value(p.doc.Pool.Name)
	raw, err := json.Marshal(p.doc)
	if err != nil {
		return err
	}
	p.rec.Config = raw
	return notFound(tx.UpdateUserPool(ctx, p.rec), &api.ResourceNotFoundException{Message: fmt.Sprintf(msgPoolNotFound, p.rec.ID)})
}

// describe is the pool as DescribeUserPool answers it; users is the pool's
// user count.
func (s *Service) describe(p *pool, users int64) *api.UserPoolType {
	out := p.doc.Pool
	out.Id = new(p.rec.ID)
	out.Name = new(p.rec.Name)
	out.Arn = new(s.poolARN(p.rec.ID))
	out.CreationDate = api.Time(p.rec.CreatedAt)
	out.LastModifiedDate = api.Time(p.rec.UpdatedAt)
	out.EstimatedNumberOfUsers = new(int32(min(users, math.MaxInt32)))
	return &out
}

// settingsOf copies the settings a CreateUserPool or UpdateUserPool request
// shares with UserPoolType: their members have the same names.
func settingsOf(in any) (api.UserPoolType, error) {
	var p api.UserPoolType
	raw, err := json.Marshal(in)
	if err != nil {
		return p, err
	}
	return p, json.Unmarshal(raw, &p)
}

func (s *Service) CreateUserPool(ctx context.Context, in *api.CreateUserPoolInput) (*api.CreateUserPoolOutput, error) {
	settings, err := settingsOf(in)
	if err != nil {
		return nil, err
	}
	settings.Name = in.PoolName
	settings.AliasAttributes = in.AliasAttributes
	settings.UsernameAttributes = in.UsernameAttributes
	settings.UsernameConfiguration = in.UsernameConfiguration
	if len(in.AliasAttributes) > 0 && len(in.UsernameAttributes) > 0 {
		return nil, invalidParameter(msgUsernameAndAliasBoth)
	}
	if settings.SchemaAttributes, err = buildSchema(in.Schema); err != nil {
		return nil, err
	}
	if err := fillPoolDefaults(&settings, nil); err != nil {
		return nil, err
	}
	doc := poolDoc{Pool: settings}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	now := s.now()
	rec := store.UserPool{ID: newPoolID(s.region(ctx)), Name: *in.PoolName, CreatedAt: now, UpdatedAt: now, Config: raw}
	err = s.update(ctx, func(tx store.Tx) error { return tx.CreateUserPool(ctx, rec) })
	if err != nil {
		return nil, fmt.Errorf("create user pool: %w", err)
	}
	return &api.CreateUserPoolOutput{UserPool: s.describe(&pool{rec: rec, doc: doc}, 0)}, nil
}

func (s *Service) DescribeUserPool(ctx context.Context, in *api.DescribeUserPoolInput) (*api.DescribeUserPoolOutput, error) {
	p, err := s.getPool(ctx, s.store, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	users, err := s.store.CountUsers(ctx, p.rec.ID)
	if err != nil {
		return nil, err
	}
	return &api.DescribeUserPoolOutput{UserPool: s.describe(p, users)}, nil
}

func (s *Service) ListUserPools(ctx context.Context, in *api.ListUserPoolsInput) (*api.ListUserPoolsOutput, error) {
	rows, next, err := listPage(in.NextToken, int(*in.MaxResults), func(p store.UserPool) string { return p.ID },
		func(page store.Page) ([]store.UserPool, error) { return s.store.ListUserPools(ctx, page) })
	if err != nil {
		return nil, err
	}
	out := &api.ListUserPoolsOutput{UserPools: []api.UserPoolDescriptionType{}, NextToken: next}
	for _, rec := range rows {
		var doc poolDoc
		if err := json.Unmarshal(rec.Config, &doc); err != nil {
			return nil, fmt.Errorf("pool %s: decode config: %w", rec.ID, err)
		}
		out.UserPools = append(out.UserPools, api.UserPoolDescriptionType{
			Id:               new(rec.ID),
			Name:             new(rec.Name),
			LambdaConfig:     doc.Pool.LambdaConfig,
			CreationDate:     api.Time(rec.CreatedAt),
			LastModifiedDate: api.Time(rec.UpdatedAt),
		})
	}
	return out, nil
}

// UpdateUserPool replaces the pool's settings with the request's: as in
// Cognito, a setting the request leaves out returns to its default. What cannot
// change after creation (schema, sign-in names) is kept.
func (s *Service) UpdateUserPool(ctx context.Context, in *api.UpdateUserPoolInput) (*api.UpdateUserPoolOutput, error) {
	settings, err := settingsOf(in)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		p, err := s.getPoolForUpdate(ctx, tx, *in.UserPoolId)
		if err != nil {
			return err
		}
		next := settings
		old := p.doc.Pool
		next.Name = old.Name
		if in.PoolName != nil {
			next.Name = in.PoolName
		}
		next.SchemaAttributes = old.SchemaAttributes
		next.AliasAttributes = old.AliasAttributes
		next.UsernameAttributes = old.UsernameAttributes
		next.UsernameConfiguration = old.UsernameConfiguration
		next.Domain = old.Domain
		next.CustomDomain = old.CustomDomain
		if in.UserPoolTags == nil {
			next.UserPoolTags = old.UserPoolTags // tags have their own operations
		}
		if err := fillPoolDefaults(&next, &p.doc); err != nil {
			return err
		}
		p.doc.Pool = next
		return s.savePool(ctx, tx, p)
	})
	if err != nil {
		return nil, err
	}
	return &api.UpdateUserPoolOutput{}, nil
}

func (s *Service) DeleteUserPool(ctx context.Context, in *api.DeleteUserPoolInput) (*api.DeleteUserPoolOutput, error) {
	err := s.update(ctx, func(tx store.Tx) error {
		p, err := s.getPool(ctx, tx, *in.UserPoolId)
		if err != nil {
			return err
		}
		if p.doc.Pool.DeletionProtection == api.DeletionProtectionTypeActive {
			return invalidParameter(msgDeletionProtected, p.rec.ID)
		}
		return tx.DeleteUserPool(ctx, p.rec.ID)
	})
	if err != nil {
		return nil, notFound(err, &api.ResourceNotFoundException{Message: fmt.Sprintf(msgPoolNotFound, *in.UserPoolId)})
	}
	return &api.DeleteUserPoolOutput{}, nil
}

func (s *Service) AddCustomAttributes(ctx context.Context, in *api.AddCustomAttributesInput) (*api.AddCustomAttributesOutput, error) {
	err := s.update(ctx, func(tx store.Tx) error {
		p, err := s.getPoolForUpdate(ctx, tx, *in.UserPoolId)
		if err != nil {
			return err
		}
		schema, err := addCustom(p.doc.Pool.SchemaAttributes, in.CustomAttributes)
		if err != nil {
			return err
		}
		p.doc.Pool.SchemaAttributes = schema
		return s.savePool(ctx, tx, p)
	})
	if err != nil {
		return nil, err
	}
	return &api.AddCustomAttributesOutput{}, nil
}

func (s *Service) GetUserPoolMfaConfig(ctx context.Context, in *api.GetUserPoolMfaConfigInput) (*api.GetUserPoolMfaConfigOutput, error) {
	p, err := s.getPool(ctx, s.store, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	return mfaConfigOf(p), nil
}

func mfaConfigOf(p *pool) *api.GetUserPoolMfaConfigOutput {
	out := &api.GetUserPoolMfaConfigOutput{
		MfaConfiguration:              p.doc.Pool.MfaConfiguration,
		SoftwareTokenMfaConfiguration: p.doc.SoftwareTokenMfa,
		EmailMfaConfiguration:         p.doc.EmailMfa,
		WebAuthnConfiguration:         p.doc.WebAuthn,
	}
	if p.doc.Pool.SmsConfiguration != nil || p.doc.Pool.SmsAuthenticationMessage != nil {
		out.SmsMfaConfiguration = &api.SmsMfaConfigType{
			SmsAuthenticationMessage: p.doc.Pool.SmsAuthenticationMessage,
			SmsConfiguration:         p.doc.Pool.SmsConfiguration,
		}
	}
	if out.WebAuthnConfiguration == nil {
		out.WebAuthnConfiguration = &api.WebAuthnConfigurationType{UserVerification: api.UserVerificationTypePreferred}
	}
	return out
}

// SetUserPoolMfaConfig changes the MFA settings the request names and keeps
// the others.
func (s *Service) SetUserPoolMfaConfig(ctx context.Context, in *api.SetUserPoolMfaConfigInput) (*api.SetUserPoolMfaConfigOutput, error) {
	var out *api.GetUserPoolMfaConfigOutput
	err := s.update(ctx, func(tx store.Tx) error {
		p, err := s.getPoolForUpdate(ctx, tx, *in.UserPoolId)
		if err != nil {
			return err
		}
		if c := in.SmsMfaConfiguration; c != nil {
			p.doc.Pool.SmsAuthenticationMessage = c.SmsAuthenticationMessage
			if c.SmsConfiguration != nil {
				p.doc.Pool.SmsConfiguration = c.SmsConfiguration
			}
		}
		if in.SoftwareTokenMfaConfiguration != nil {
			p.doc.SoftwareTokenMfa = in.SoftwareTokenMfaConfiguration
		}
		if in.EmailMfaConfiguration != nil {
			if p.doc.Pool.UserPoolTier == api.UserPoolTierTypeLite {
				return invalidParameter(msgEmailMfaNeedsTier)
			}
			p.doc.EmailMfa = in.EmailMfaConfiguration
		}
		if in.WebAuthnConfiguration != nil {
			w := *in.WebAuthnConfiguration
			if w.UserVerification == "" {
				w.UserVerification = api.UserVerificationTypePreferred
			}
			p.doc.WebAuthn = &w
		}
		if in.MfaConfiguration != "" {
			p.doc.Pool.MfaConfiguration = in.MfaConfiguration
		}
		if p.doc.Pool.MfaConfiguration != api.UserPoolMfaTypeOff && !hasMfaFactor(&p.doc) {
			return invalidParameter(msgMfaNeedsSecondFactor)
		}
		out = mfaConfigOf(p)
		return s.savePool(ctx, tx, p)
	})
	if err != nil {
		return nil, err
	}
	return &api.SetUserPoolMfaConfigOutput{
		MfaConfiguration:              out.MfaConfiguration,
		SmsMfaConfiguration:           out.SmsMfaConfiguration,
		SoftwareTokenMfaConfiguration: out.SoftwareTokenMfaConfiguration,
		EmailMfaConfiguration:         out.EmailMfaConfiguration,
		WebAuthnConfiguration:         out.WebAuthnConfiguration,
	}, nil
}

func hasMfaFactor(d *poolDoc) bool {
	return d.Pool.SmsConfiguration != nil ||
		d.SoftwareTokenMfa != nil && api.Value(d.SoftwareTokenMfa.Enabled) ||
		d.EmailMfa != nil
}

// fillPoolDefaults completes a pool's settings the way Cognito does and checks
// the rules that span several settings. prev is the pool being updated, if any.
func fillPoolDefaults(p *api.UserPoolType, prev *poolDoc) error {
	if p.Policies == nil {
		p.Policies = &api.UserPoolPolicyType{}
	}
	pw := p.Policies.PasswordPolicy
	if pw == nil {
		pw = &api.PasswordPolicyType{RequireUppercase: new(true), RequireLowercase: new(true), RequireNumbers: new(true), RequireSymbols: new(true)}
		p.Policies.PasswordPolicy = pw
	}
	if pw.MinimumLength == nil {
		pw.MinimumLength = new(int32(8))
	}
	for _, b := range []**bool{&pw.RequireUppercase, &pw.RequireLowercase, &pw.RequireNumbers, &pw.RequireSymbols} {
		if *b == nil {
			*b = new(false)
		}
	}
	acu := p.AdminCreateUserConfig
	if acu == nil {
		acu = &api.AdminCreateUserConfigType{}
		p.AdminCreateUserConfig = acu
	}
	if acu.AllowAdminCreateUserOnly == nil {
		acu.AllowAdminCreateUserOnly = new(false)
	}
	switch {
	case pw.TemporaryPasswordValidityDays != nil && acu.UnusedAccountValidityDays != nil && *pw.TemporaryPasswordValidityDays != *acu.UnusedAccountValidityDays:
		return invalidParameter(msgUseTemporaryPasswordValidity)
	case pw.TemporaryPasswordValidityDays == nil && acu.UnusedAccountValidityDays != nil:
		pw.TemporaryPasswordValidityDays = new(*acu.UnusedAccountValidityDays)
	case pw.TemporaryPasswordValidityDays == nil:
		pw.TemporaryPasswordValidityDays = new(int32(7))
	}
	acu.UnusedAccountValidityDays = new(*pw.TemporaryPasswordValidityDays)

	if p.Policies.SignInPolicy == nil || len(p.Policies.SignInPolicy.AllowedFirstAuthFactors) == 0 {
		p.Policies.SignInPolicy = &api.SignInPolicyType{AllowedFirstAuthFactors: []api.AuthFactorType{api.AuthFactorTypePassword}}
	}
	if p.DeletionProtection == "" {
		p.DeletionProtection = api.DeletionProtectionTypeInactive
	}
	if p.LambdaConfig == nil {
		p.LambdaConfig = &api.LambdaConfigType{}
	}
	if p.MfaConfiguration == "" {
		p.MfaConfiguration = api.UserPoolMfaTypeOff
	}
	if p.UserPoolTier == "" {
		p.UserPoolTier = api.UserPoolTierTypeEssentials
	}
	if p.EmailConfiguration == nil {
		p.EmailConfiguration = &api.EmailConfigurationType{}
	}
	if p.EmailConfiguration.EmailSendingAccount == "" {
		p.EmailConfiguration.EmailSendingAccount = api.EmailSendingAccountTypeCognitoDefault
	}
	if p.EmailConfiguration.EmailSendingAccount == api.EmailSendingAccountTypeDeveloper && p.EmailConfiguration.SourceArn == nil {
		return invalidParameter(msgDeveloperEmailNeedsSource)
	}
	mirrorVerificationMessages(p)
	if p.UserAttributeUpdateSettings == nil {
		p.UserAttributeUpdateSettings = &api.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []api.VerifiedAttributeType{}}
	}
	for _, a := range p.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate {
		if !contains(p.AutoVerifiedAttributes, a) {
			return invalidParameter(msgVerifyBeforeUpdateNeedsAutoVerify, a)
		}
	}
	if p.MfaConfiguration != api.UserPoolMfaTypeOff {
		doc := poolDoc{Pool: *p}
		if prev != nil {
			doc.SoftwareTokenMfa, doc.EmailMfa = prev.SoftwareTokenMfa, prev.EmailMfa
		}
		if !hasMfaFactor(&doc) {
			return invalidParameter(msgMfaNeedsSms)
		}
	}
	if p.AccountRecoverySetting != nil {
		if err := checkRecovery(p.AccountRecoverySetting); err != nil {
			return err
		}
	}
	return nil
}

// mirrorVerificationMessages keeps the legacy top-level verification messages
// and VerificationMessageTemplate in step, as Cognito shows both.
func mirrorVerificationMessages(p *api.UserPoolType) {
	t := p.VerificationMessageTemplate
	if t == nil {
		t = &api.VerificationMessageTemplateType{}
		p.VerificationMessageTemplate = t
	}
	pairs := []struct{ top, tmpl **string }{
		{&p.EmailVerificationMessage, &t.EmailMessage},
		{&p.EmailVerificationSubject, &t.EmailSubject},
		{&p.SmsVerificationMessage, &t.SmsMessage},
	}
	for _, pair := range pairs {
		switch {
		case *pair.tmpl == nil && *pair.top != nil:
			*pair.tmpl = *pair.top
		case *pair.top == nil && *pair.tmpl != nil:
			*pair.top = *pair.tmpl
		}
	}
	if t.DefaultEmailOption == "" {
		t.DefaultEmailOption = api.DefaultEmailOptionTypeConfirmWithCode
	}
}

func checkRecovery(r *api.AccountRecoverySettingType) error {
	seenName := map[api.RecoveryOptionNameType]bool{}
	seenPriority := map[int32]bool{}
	for _, m := range r.RecoveryMechanisms {
		if seenName[m.Name] || seenPriority[api.Value(m.Priority)] {
			return invalidParameter(msgRecoveryDuplicate)
		}
		seenName[m.Name] = true
		seenPriority[api.Value(m.Priority)] = true
	}
	if seenName[api.RecoveryOptionNameTypeAdminOnly] && len(r.RecoveryMechanisms) > 1 {
		return invalidParameter(msgRecoveryAdminOnlyAlone)
	}
	return nil
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
