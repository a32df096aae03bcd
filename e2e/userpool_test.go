package e2e_test

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"cognate/internal/cognatetest"
)

func TestCreateUserPool_Defaults(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		before := time.Now().Add(-time.Second)
		out := must[*cip.CreateUserPoolOutput](t)(s.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("defaults")}))
		p := out.UserPool
		id := aws.ToString(p.Id)
		if !regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`).MatchString(id) {
			t.Errorf("pool ID %q is not <region>_<9 base62>", id)
		}
		if got, want := aws.ToString(p.Arn), "arn:aws:cognito-idp:us-east-1:123456789012:userpool/"+id; got != want {
			t.Errorf("Arn = %q, want %q", got, want)
		}
		if p.CreationDate == nil || p.CreationDate.Before(before) || p.LastModifiedDate == nil {
			t.Errorf("dates: %v %v", p.CreationDate, p.LastModifiedDate)
		}
		pw := p.Policies.PasswordPolicy
		if aws.ToInt32(pw.MinimumLength) != 8 || !pw.RequireUppercase || !pw.RequireLowercase || !pw.RequireNumbers || !pw.RequireSymbols || pw.TemporaryPasswordValidityDays != 7 {
			t.Errorf("password policy = %+v", pw)
		}
		if p.DeletionProtection != types.DeletionProtectionTypeInactive || p.MfaConfiguration != types.UserPoolMfaTypeOff || p.UserPoolTier != types.UserPoolTierTypeEssentials {
			t.Errorf("deletion protection %q, mfa %q, tier %q", p.DeletionProtection, p.MfaConfiguration, p.UserPoolTier)
		}
		if p.LambdaConfig == nil || p.EmailConfiguration == nil || p.EmailConfiguration.EmailSendingAccount != types.EmailSendingAccountTypeCognitoDefault {
			t.Errorf("lambda %v, email configuration %+v", p.LambdaConfig, p.EmailConfiguration)
		}
		if p.VerificationMessageTemplate == nil || p.VerificationMessageTemplate.DefaultEmailOption != types.DefaultEmailOptionTypeConfirmWithCode {
			t.Errorf("verification template = %+v", p.VerificationMessageTemplate)
		}
		if a := p.AdminCreateUserConfig; a == nil || a.AllowAdminCreateUserOnly || a.UnusedAccountValidityDays != 7 {
			t.Errorf("admin create user config = %+v", a)
		}
		if p.EstimatedNumberOfUsers != 0 {
			t.Errorf("EstimatedNumberOfUsers = %d", p.EstimatedNumberOfUsers)
		}
		var names []string
		for _, a := range p.SchemaAttributes {
			names = append(names, aws.ToString(a.Name))
		}
		want := "sub name given_name family_name middle_name nickname preferred_username profile picture website email email_verified gender birthdate zoneinfo locale phone_number phone_number_verified address updated_at"
		if strings.Join(names, " ") != want {
			t.Errorf("schema = %v", names)
		}
		sub := p.SchemaAttributes[0]
		if aws.ToBool(sub.Mutable) || !aws.ToBool(sub.Required) || aws.ToString(sub.StringAttributeConstraints.MinLength) != "1" {
			t.Errorf("sub = %+v", sub)
		}
		desc := must[*cip.DescribeUserPoolOutput](t)(s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: p.Id}))
		if aws.ToString(desc.UserPool.Name) != "defaults" || len(desc.UserPool.SchemaAttributes) != 20 {
			t.Errorf("describe = %+v", desc.UserPool)
		}
	})
}

// fullPool is a CreateUserPool request that sets every setting.
func fullPool() *cip.CreateUserPoolInput {
	return &cip.CreateUserPoolInput{
		PoolName: aws.String("full"),
		Policies: &types.UserPoolPolicyType{
			PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(12), RequireUppercase: true, RequireNumbers: true, TemporaryPasswordValidityDays: 3},
		},
		DeletionProtection:     types.DeletionProtectionTypeActive,
		LambdaConfig:           &types.LambdaConfigType{PreSignUp: aws.String("arn:aws:lambda:us-east-1:123456789012:function:pre")},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail, types.AliasAttributeTypePreferredUsername},
		VerificationMessageTemplate: &types.VerificationMessageTemplateType{
			EmailMessage: aws.String("Your code is {####}"), EmailSubject: aws.String("Code"),
			EmailMessageByLink: aws.String("Click {##here##}"), DefaultEmailOption: types.DefaultEmailOptionTypeConfirmWithLink,
		},
		SmsAuthenticationMessage: aws.String("Auth {####}"),
		UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{
			AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		},
		MfaConfiguration:    types.UserPoolMfaTypeOptional,
		DeviceConfiguration: &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: true},
		EmailConfiguration: &types.EmailConfigurationType{
			EmailSendingAccount: types.EmailSendingAccountTypeDeveloper,
			SourceArn:           aws.String("arn:aws:ses:us-east-1:123456789012:identity/example.com"),
			From:                aws.String("Example <no-reply@example.com>"),
			ReplyToEmailAddress: aws.String("help@example.com"),
		},
		SmsConfiguration: &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::123456789012:role/sms"), ExternalId: aws.String("ext")},
		UserPoolTags:     map[string]string{"team": "identity"},
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{
			AllowAdminCreateUserOnly: true,
			InviteMessageTemplate:    &types.MessageTemplateType{EmailMessage: aws.String("Hi {username}, {####}"), EmailSubject: aws.String("Welcome")},
		},
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("email"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
			{Name: aws.String("department"), AttributeDataType: types.AttributeDataTypeString, StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("1"), MaxLength: aws.String("64")}},
			{Name: aws.String("level"), AttributeDataType: types.AttributeDataTypeNumber, NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("1"), MaxValue: aws.String("10")}, Mutable: aws.Bool(false)},
			{Name: aws.String("internal"), AttributeDataType: types.AttributeDataTypeBoolean, DeveloperOnlyAttribute: aws.Bool(true)},
		},
		UserPoolAddOns:        &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeAudit},
		UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
		AccountRecoverySetting: &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
			{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)},
		}},
		UserPoolTier: types.UserPoolTierTypePlus,
	}
}

func TestCreateUserPool_EverySettingEchoed(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		in := fullPool()
		id := must[*cip.CreateUserPoolOutput](t)(s.Client.CreateUserPool(ctx, in)).UserPool.Id
		checkFullPool(t, must[*cip.DescribeUserPoolOutput](t)(s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})).UserPool)

		// Pools survive a restart.
		s = s.Restart(t)
		checkFullPool(t, must[*cip.DescribeUserPoolOutput](t)(s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})).UserPool)
	})
}

func checkFullPool(t *testing.T, p *types.UserPoolType) {
	t.Helper()
	pw := p.Policies.PasswordPolicy
	if aws.ToInt32(pw.MinimumLength) != 12 || !pw.RequireUppercase || pw.RequireLowercase || !pw.RequireNumbers || pw.RequireSymbols || pw.TemporaryPasswordValidityDays != 3 {
		t.Errorf("password policy = %+v", pw)
	}
	if p.DeletionProtection != types.DeletionProtectionTypeActive || aws.ToString(p.LambdaConfig.PreSignUp) == "" {
		t.Errorf("deletion protection %q, lambda %+v", p.DeletionProtection, p.LambdaConfig)
	}
	if len(p.AliasAttributes) != 2 || len(p.AutoVerifiedAttributes) != 1 {
		t.Errorf("aliases %v, auto-verified %v", p.AliasAttributes, p.AutoVerifiedAttributes)
	}
	v := p.VerificationMessageTemplate
	if aws.ToString(v.EmailMessage) != "Your code is {####}" || v.DefaultEmailOption != types.DefaultEmailOptionTypeConfirmWithLink || aws.ToString(v.EmailMessageByLink) != "Click {##here##}" {
		t.Errorf("verification template = %+v", v)
	}
	if aws.ToString(p.EmailVerificationMessage) != "Your code is {####}" || aws.ToString(p.EmailVerificationSubject) != "Code" {
		t.Errorf("legacy verification message %q / %q", aws.ToString(p.EmailVerificationMessage), aws.ToString(p.EmailVerificationSubject))
	}
	if aws.ToString(p.SmsAuthenticationMessage) != "Auth {####}" || p.MfaConfiguration != types.UserPoolMfaTypeOptional {
		t.Errorf("sms auth %q, mfa %q", aws.ToString(p.SmsAuthenticationMessage), p.MfaConfiguration)
	}
	if len(p.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate) != 1 || !p.DeviceConfiguration.ChallengeRequiredOnNewDevice {
		t.Errorf("update settings %+v, devices %+v", p.UserAttributeUpdateSettings, p.DeviceConfiguration)
	}
	if e := p.EmailConfiguration; e.EmailSendingAccount != types.EmailSendingAccountTypeDeveloper || aws.ToString(e.From) != "Example <no-reply@example.com>" || aws.ToString(e.ReplyToEmailAddress) != "help@example.com" {
		t.Errorf("email configuration = %+v", e)
	}
	if aws.ToString(p.SmsConfiguration.ExternalId) != "ext" || p.UserPoolTags["team"] != "identity" {
		t.Errorf("sms %+v, tags %v", p.SmsConfiguration, p.UserPoolTags)
	}
	if a := p.AdminCreateUserConfig; !a.AllowAdminCreateUserOnly || aws.ToString(a.InviteMessageTemplate.EmailSubject) != "Welcome" || a.UnusedAccountValidityDays != 3 {
		t.Errorf("admin create user config = %+v", a)
	}
	attrs := map[string]types.SchemaAttributeType{}
	for _, a := range p.SchemaAttributes {
		attrs[aws.ToString(a.Name)] = a
	}
	if !aws.ToBool(attrs["email"].Required) {
		t.Errorf("email not required: %+v", attrs["email"])
	}
	if d := attrs["custom:department"]; aws.ToString(d.StringAttributeConstraints.MaxLength) != "64" || !aws.ToBool(d.Mutable) {
		t.Errorf("custom:department = %+v", d)
	}
	if l := attrs["custom:level"]; aws.ToBool(l.Mutable) || aws.ToString(l.NumberAttributeConstraints.MaxValue) != "10" {
		t.Errorf("custom:level = %+v", l)
	}
	if i := attrs["dev:custom:internal"]; !aws.ToBool(i.DeveloperOnlyAttribute) {
		t.Errorf("dev:custom:internal = %+v", i)
	}
	if p.UserPoolAddOns.AdvancedSecurityMode != types.AdvancedSecurityModeTypeAudit || aws.ToBool(p.UsernameConfiguration.CaseSensitive) {
		t.Errorf("add-ons %+v, username configuration %+v", p.UserPoolAddOns, p.UsernameConfiguration)
	}
	if len(p.AccountRecoverySetting.RecoveryMechanisms) != 1 || p.UserPoolTier != types.UserPoolTierTypePlus {
		t.Errorf("recovery %+v, tier %q", p.AccountRecoverySetting, p.UserPoolTier)
	}
}

func TestCreateUserPool_InvalidParameters(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		cases := []struct {
			name string
			in   *cip.CreateUserPoolInput
			msg  string
		}{
			{"name too long", &cip.CreateUserPoolInput{PoolName: aws.String(strings.Repeat("a", 129))}, "Member must have length less than or equal to 128"},
			{"username and alias", &cip.CreateUserPoolInput{PoolName: aws.String("p"), AliasAttributes: []types.AliasAttributeType{"email"}, UsernameAttributes: []types.UsernameAttributeType{"email"}}, "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."},
			{"required custom", &cip.CreateUserPoolInput{PoolName: aws.String("p"), Schema: []types.SchemaAttributeType{{Name: aws.String("x"), AttributeDataType: "String", Required: aws.Bool(true)}}}, "Required custom attributes are not supported currently."},
			{"bad enum", &cip.CreateUserPoolInput{PoolName: aws.String("p"), MfaConfiguration: "SOMETIMES"}, "Member must satisfy enum value set: [OFF, ON, OPTIONAL]"},
			{"mfa without factor", &cip.CreateUserPoolInput{PoolName: aws.String("p"), MfaConfiguration: types.UserPoolMfaTypeOn}, "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"},
			{"message without code", &cip.CreateUserPoolInput{PoolName: aws.String("p"), EmailVerificationMessage: aws.String("no code")}, "Member must satisfy regular expression pattern"},
			{"password too short", &cip.CreateUserPoolInput{PoolName: aws.String("p"), Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(2)}}}, "Member must have value greater than or equal to 6"},
		}
		for _, c := range cases {
			_, err := s.Client.CreateUserPool(ctx, c.in)
			if err == nil {
				t.Errorf("%s: accepted", c.name)
				continue
			}
			wantErr(t, err, "InvalidParameterException", c.msg)
		}
		// Nothing was created by the refused requests.
		list := must[*cip.ListUserPoolsOutput](t)(s.Client.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)}))
		if len(list.UserPools) != 0 {
			t.Errorf("refused requests created %d pools", len(list.UserPools))
		}
	})
}

func TestResourceNotFound(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		missing := aws.String("us-east-1_missing00")
		_, err := s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: missing})
		wantErr(t, err, "ResourceNotFoundException", "User pool us-east-1_missing00 does not exist.")
		_, err = s.Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: missing})
		wantErr(t, err, "ResourceNotFoundException", "does not exist")
		_, err = s.Client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: missing})
		wantErr(t, err, "ResourceNotFoundException", "does not exist")
		_, err = s.Client.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: missing})
		wantErr(t, err, "ResourceNotFoundException", "does not exist")
		_, err = s.Client.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_missing00")})
		wantErr(t, err, "ResourceNotFoundException", "does not exist")
	})
}

func TestListUserPools_Pagination(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		created := map[string]bool{}
		for i := 0; i < 7; i++ {
			created[newPool(t, s.Client, "pool")] = true
		}
		seen := map[string]bool{}
		var token *string
		pages := 0
		for {
			out := must[*cip.ListUserPoolsOutput](t)(s.Client.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(3), NextToken: token}))
			pages++
			for _, p := range out.UserPools {
				if seen[aws.ToString(p.Id)] {
					t.Fatalf("pool %s listed twice", aws.ToString(p.Id))
				}
				seen[aws.ToString(p.Id)] = true
				if p.CreationDate == nil || aws.ToString(p.Name) != "pool" {
					t.Errorf("description = %+v", p)
				}
			}
			// A pool created while paging does not disturb the listing.
			if pages == 1 {
				newPool(t, s.Client, "pool")
			}
			if out.NextToken == nil {
				break
			}
			token = out.NextToken
		}
		for id := range created {
			if !seen[id] {
				t.Errorf("pool %s not listed", id)
			}
		}
		_, err := s.Client.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(61)})
		wantErr(t, err, "InvalidParameterException", "Member must have value less than or equal to 60")
		_, err = s.Client.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(5), NextToken: aws.String("!!!")})
		wantErr(t, err, "InvalidParameterException", "")
	})
}

func TestUpdateUserPool_ResetsOmittedSettings(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		in := fullPool()
		in.DeletionProtection = types.DeletionProtectionTypeInactive
		id := must[*cip.CreateUserPoolOutput](t)(s.Client.CreateUserPool(ctx, in)).UserPool.Id
		must[*cip.UpdateUserPoolOutput](t)(s.Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
			UserPoolId:             id,
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypePhoneNumber},
			PoolName:               aws.String("renamed"),
		}))
		p := must[*cip.DescribeUserPoolOutput](t)(s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})).UserPool
		if aws.ToString(p.Name) != "renamed" || len(p.AutoVerifiedAttributes) != 1 || p.AutoVerifiedAttributes[0] != types.VerifiedAttributeTypePhoneNumber {
			t.Errorf("name %q, auto-verified %v", aws.ToString(p.Name), p.AutoVerifiedAttributes)
		}
		// Left out, so back to the defaults.
		if aws.ToInt32(p.Policies.PasswordPolicy.MinimumLength) != 8 || p.MfaConfiguration != types.UserPoolMfaTypeOff || p.AdminCreateUserConfig.AllowAdminCreateUserOnly {
			t.Errorf("not reset: policy %+v, mfa %q, admin %+v", p.Policies.PasswordPolicy, p.MfaConfiguration, p.AdminCreateUserConfig)
		}
		if p.EmailConfiguration.EmailSendingAccount != types.EmailSendingAccountTypeCognitoDefault || p.VerificationMessageTemplate.DefaultEmailOption != types.DefaultEmailOptionTypeConfirmWithCode {
			t.Errorf("not reset: email %+v, template %+v", p.EmailConfiguration, p.VerificationMessageTemplate)
		}
		// Fixed at creation, so kept.
		if len(p.AliasAttributes) != 2 || aws.ToBool(p.UsernameConfiguration.CaseSensitive) || len(p.SchemaAttributes) != 23 {
			t.Errorf("immutable settings changed: aliases %v, username %+v, %d attributes", p.AliasAttributes, p.UsernameConfiguration, len(p.SchemaAttributes))
		}
		if p.UserPoolTags["team"] != "identity" {
			t.Errorf("tags lost: %v", p.UserPoolTags)
		}
		if !p.LastModifiedDate.After(*p.CreationDate) && !p.LastModifiedDate.Equal(*p.CreationDate) {
			t.Errorf("LastModifiedDate %v before CreationDate %v", p.LastModifiedDate, p.CreationDate)
		}
	})
}

func TestDeleteUserPool_DeletionProtection(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		id := must[*cip.CreateUserPoolOutput](t)(s.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{
			PoolName: aws.String("protected"), DeletionProtection: types.DeletionProtectionTypeActive,
		})).UserPool.Id
		_, err := s.Client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: id})
		wantErr(t, err, "InvalidParameterException", "deletion protection")
		must[*cip.DescribeUserPoolOutput](t)(s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id}))

		must[*cip.UpdateUserPoolOutput](t)(s.Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: id, DeletionProtection: types.DeletionProtectionTypeInactive}))
		must[*cip.DeleteUserPoolOutput](t)(s.Client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: id}))
		_, err = s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})
		wantErr(t, err, "ResourceNotFoundException", "")
	})
}

func TestAddCustomAttributes(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		id := aws.String(newPool(t, s.Client, "custom"))
		must[*cip.AddCustomAttributesOutput](t)(s.Client.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: id, CustomAttributes: []types.SchemaAttributeType{
			{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
			{Name: aws.String("born"), AttributeDataType: types.AttributeDataTypeDatetime},
		}}))
		p := must[*cip.DescribeUserPoolOutput](t)(s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})).UserPool
		last := p.SchemaAttributes[len(p.SchemaAttributes)-2:]
		if aws.ToString(last[0].Name) != "custom:tenant" || aws.ToBool(last[0].Mutable) || aws.ToString(last[1].Name) != "custom:born" || last[1].AttributeDataType != types.AttributeDataTypeDatetime {
			t.Errorf("custom attributes = %+v", last)
		}
		_, err := s.Client.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: id, CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: "String"}}})
		wantErr(t, err, "InvalidParameterException", "Existing attribute already has name custom:tenant.")
		_, err = s.Client.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: id, CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("req"), AttributeDataType: "String", Required: aws.Bool(true)}}})
		wantErr(t, err, "InvalidParameterException", "Required custom attributes are not supported currently.")

		// At most 50 custom attributes.
		var many []types.SchemaAttributeType
		for i := 0; i < 25; i++ {
			many = append(many, types.SchemaAttributeType{Name: aws.String(fmt.Sprintf("a%02d", i)), AttributeDataType: "String"})
		}
		must[*cip.AddCustomAttributesOutput](t)(s.Client.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: id, CustomAttributes: many}))
		for i := range many {
			many[i].Name = aws.String(fmt.Sprintf("b%02d", i))
		}
		_, err = s.Client.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: id, CustomAttributes: many})
		wantErr(t, err, "InvalidParameterException", "at most 50")
	})
}

func TestUserPoolMfaConfig(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		id := aws.String(newPool(t, s.Client, "mfa"))
		got := must[*cip.GetUserPoolMfaConfigOutput](t)(s.Client.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: id}))
		if got.MfaConfiguration != types.UserPoolMfaTypeOff {
			t.Errorf("MfaConfiguration = %q", got.MfaConfiguration)
		}
		_, err := s.Client.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: id, MfaConfiguration: types.UserPoolMfaTypeOn})
		wantErr(t, err, "InvalidParameterException", "")
		set := must[*cip.SetUserPoolMfaConfigOutput](t)(s.Client.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
			UserPoolId:                    id,
			MfaConfiguration:              types.UserPoolMfaTypeOptional,
			SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
			WebAuthnConfiguration:         &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("example.com")},
		}))
		if set.MfaConfiguration != types.UserPoolMfaTypeOptional || !set.SoftwareTokenMfaConfiguration.Enabled {
			t.Errorf("set = %+v", set)
		}
		got = must[*cip.GetUserPoolMfaConfigOutput](t)(s.Client.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: id}))
		if got.MfaConfiguration != types.UserPoolMfaTypeOptional || !got.SoftwareTokenMfaConfiguration.Enabled || aws.ToString(got.WebAuthnConfiguration.RelyingPartyId) != "example.com" || got.WebAuthnConfiguration.UserVerification != types.UserVerificationTypePreferred {
			t.Errorf("get = %+v", got)
		}
		p := must[*cip.DescribeUserPoolOutput](t)(s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})).UserPool
		if p.MfaConfiguration != types.UserPoolMfaTypeOptional {
			t.Errorf("DescribeUserPool MfaConfiguration = %q", p.MfaConfiguration)
		}
	})
}

func TestTags(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		p := must[*cip.CreateUserPoolOutput](t)(s.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("tags"), UserPoolTags: map[string]string{"a": "1"}})).UserPool
		must[*cip.TagResourceOutput](t)(s.Client.TagResource(ctx, &cip.TagResourceInput{ResourceArn: p.Arn, Tags: map[string]string{"b": "2", "a": "3"}}))
		must[*cip.UntagResourceOutput](t)(s.Client.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: p.Arn, TagKeys: []string{"b"}}))
		tags := must[*cip.ListTagsForResourceOutput](t)(s.Client.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: p.Arn})).Tags
		if len(tags) != 1 || tags["a"] != "3" {
			t.Errorf("tags = %v", tags)
		}
		_, err := s.Client.TagResource(ctx, &cip.TagResourceInput{ResourceArn: aws.String("arn:aws:sns:us-east-1:123456789012:topic"), Tags: map[string]string{"x": "y"}})
		wantErr(t, err, "ResourceNotFoundException", "")
	})
}

func TestGetSigningCertificate(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		id := aws.String(newPool(t, s.Client, "cert"))
		first := aws.ToString(must[*cip.GetSigningCertificateOutput](t)(s.Client.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: id})).Certificate)
		der, err := base64.StdEncoding.DecodeString(first)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x509.ParseCertificate(der); err != nil {
			t.Fatalf("certificate: %v", err)
		}
		again := aws.ToString(must[*cip.GetSigningCertificateOutput](t)(s.Client.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: id})).Certificate)
		if again != first {
			t.Error("the signing certificate changed between calls")
		}
	})
}
