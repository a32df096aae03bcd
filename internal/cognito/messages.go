package cognito

// The wording of the errors clients see, in Cognito's words where they are known,
// because applications match on them.
const (
	msgPoolNotFound              = "User pool %s does not exist."
	msgClientNotFound            = "User pool client %s does not exist."
	msgDeletionProtected         = "The user pool %s has deletion protection enabled. You must disable deletion protection before you can delete the user pool."
	msgUsernameAndAliasBoth      = "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
	msgRequiredCustomAttribute   = "Required custom attributes are not supported currently."
	msgTooManyCustomAttributes   = "Too many custom attributes: a user pool can have at most 50."
	msgDuplicateAttribute        = "Existing attribute already has name %s."
	msgInvalidResourceARN        = "Invalid resource ARN: %s"
	msgMfaNeedsSms               = "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"
	msgMfaNeedsSecondFactor      = "At least one MFA method must be enabled when MFA is required or optional."
	msgInvalidCustomAttrName     = "Invalid custom attribute name: %s"
	msgStandardAttributeNotFound = "Type for attribute {%s} could not be determined"
)

const msgInvalidPaginationToken = "Invalid pagination token."

const (
	msgUseTemporaryPasswordValidity      = "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays"
	msgDeveloperEmailNeedsSource         = "SourceArn is required in EmailConfiguration when EmailSendingAccount is DEVELOPER."
	msgVerifyBeforeUpdateNeedsAutoVerify = "Attribute %s in AttributesRequireVerificationBeforeUpdate must also be in AutoVerifiedAttributes."
	msgRecoveryDuplicate                 = "Recovery mechanisms must have different names and priorities."
	msgRecoveryAdminOnlyAlone            = "admin_only cannot be combined with another recovery mechanism."
	msgEmailMfaNeedsTier                 = "Email MFA requires the Essentials or Plus feature plan."
)

const msgTooManyTags = "A user pool can have at most %d tags."

const (
	msgGenerateAndCustomSecret      = "You cannot specify both GenerateSecret as true and a ClientSecret."
	msgMixedAuthFlows               = "ExplicitAuthFlows cannot combine ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY or USER_PASSWORD_AUTH with values that begin with ALLOW_."
	msgUserAuthNeedsTier            = "ALLOW_USER_AUTH requires the Essentials or Plus feature plan."
	msgInvalidTokenValidity         = "Invalid range for token validity."
	msgInvalidReadAttributes        = "Invalid read attributes specified while %s a client"
	msgInvalidWriteAttributes       = "Invalid write attributes specified while %s a client"
	msgContextDataNeedsSecret       = "EnablePropagateAdditionalUserContextData can only be enabled for a client with a client secret."
	msgProviderNotFound             = "The provider %s does not exist for User Pool %s"
	msgInvalidRedirectURL           = "%s is not a valid redirect URI: it must be absolute and have no fragment."
	msgRedirectURLNotHTTPS          = "%s cannot use the HTTP protocol."
	msgDefaultRedirectNotCallback   = "DefaultRedirectURI must be one of the CallbackURLs."
	msgClientCredentialsAlone       = "client_credentials flow can not be selected along with code flow or implicit flow."
	msgClientCredentialsNeedsSecret = "client_credentials flow can not be selected if client does not have a client secret."
	msgCallbackURLsRequired         = "CallbackUrls can not be empty when code flow or implicit flow is selected"
	msgOAuthNeedsFlowsAndScopes     = "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."
	msgScopeNotFound                = "Invalid scope requested: %s"
	msgScopeNotForClientCredentials = "%s is not supported with client_credentials flow"
	msgClientHasNoSecret            = "User pool client %s does not have a client secret."
	msgTooManyClientSecrets         = "A user pool client can have at most %d client secrets."
	msgClientSecretNotFound         = "Client secret %s does not exist."
	msgLastClientSecret             = "You cannot delete the last remaining client secret of a user pool client."
)

// Users and their attributes.
const (
	msgUserNotFound                = "User does not exist."
	msgUserExists                  = "User account already exists"
	msgAttributeInUse              = "An account with the given %s already exists."
	msgAliasTaken                  = "An account with the given alias already exists."
	msgDuplicateAttributeInRequest = "Duplicate attribute in the request: %s"
	msgAttributeNotInSchema        = "user.%s: Attribute does not exist in the schema."
	msgCannotModifyAttribute       = "Cannot modify the non-mutable attribute %s"
	msgAttributeNotNumber          = "user.%s: Number must be a valid number."
	msgAttributeNumberRange        = "user.%s: Number is out of the range the schema allows."
	msgAttributeNotBoolean         = "user.%s: Boolean must be true or false."
	msgAttributeNotDatetime        = "user.%s: Datetime must be an ISO 8601 time or epoch seconds."
	msgAttributeTooLong            = "user.%s: String must be no longer than %d characters"
	msgAttributeTooShort           = "user.%s: String must be at least %d characters"
	msgInvalidEmail                = "Invalid email address format."
	msgInvalidPhone                = "Invalid phone number format."
	msgRequiredAttribute           = "Attributes did not conform to the schema: %s: The attribute is required"
	msgRequiredAttributeDelete     = "Cannot delete the required attribute %s"
	msgUsernameMustBeEmailOrPhone  = "Username should be either an email or a phone number."
	msgUsernameMustBeEmail         = "Username should be an email."
	msgUsernameMustBePhone         = "Username should be a phone number."
	msgUsernameNotEmail            = "Username cannot be of email format, since user pool is configured for email alias."
	msgUsernameNotPhone            = "Username cannot be of phone format, since user pool is configured for phone_number alias."
	msgResendWrongStatus           = "User status must be FORCE_CHANGE_PASSWORD to resend the invitation."
	msgConfirmNotUnconfirmed       = "User cannot be confirmed. Current status is %s"
	msgInvalidFilter               = "Error while parsing filter."
	msgInvalidFilterAttribute      = "Invalid search attribute: %s"
	msgInvalidAttributesToGet      = "One or more requested attributes do not exist."
	msgGroupNotFound               = "Group not found."
	msgGroupExists                 = "A group with the name %s already exists."
	msgNoRecoveryDestination       = "Cannot reset password for the user as there is no registered/verified email or phone_number"
)
