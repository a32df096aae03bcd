package e2e_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"cognate/internal/cognatetest"
)

// selfServicePool is a pool where users sign up with their email address as
// username, emails are verified automatically and recovery goes by email;
// its client allows password sign-in.
func selfServicePool(t *testing.T, c *cip.Client, secret bool, edit ...func(*cip.CreateUserPoolInput)) (poolID, clientID, clientSecret string) {
	t.Helper()
	in := &cip.CreateUserPoolInput{PoolName: aws.String("self-service"),
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		AccountRecoverySetting: &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)}}},
	}
	for _, e := range edit {
		e(in)
	}
	poolID = aws.ToString(must[*cip.CreateUserPoolOutput](t)(c.CreateUserPool(ctx, in)).UserPool.Id)
	client := must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID,
		ClientName: aws.String("app"), ExplicitAuthFlows: allFlows, GenerateSecret: secret})).UserPoolClient
	return poolID, aws.ToString(client.ClientId), aws.ToString(client.ClientSecret)
}

// lastCode is the code of the newest message to a user.
func lastCode(t *testing.T, s *cognatetest.Server, poolID, username string) string {
	t.Helper()
	msgs := outboxMessages(t, s, poolID, username)
	if len(msgs) == 0 || msgs[0].Code == "" {
		t.Fatalf("no code was sent to %s: %+v", username, msgs)
	}
	return msgs[0].Code
}

// hasher computes SECRET_HASH for a client ("" for a client without secret).
func hasher(clientID, secret string) func(name string) *string {
	return func(name string) *string {
		if secret == "" {
			return nil
		}
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(name + clientID))
		return aws.String(base64.StdEncoding.EncodeToString(m.Sum(nil)))
	}
}

// The newcomer's journey: sign up, confirm with the code, sign in, forget
// the password, reset it with the code, sign in with the new one; with and
// without a client secret.
func TestSelfService_Journey(t *testing.T) {
	for _, secret := range []bool{false, true} {
		name := "public"
		if secret {
			name = "secret"
		}
		t.Run(name, func(t *testing.T) {
			cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
				c := s.Client
				poolID, clientID, clientSecret := selfServicePool(t, c, secret)
				hash := hasher(clientID, clientSecret)
				email := "newcomer@example.com"
				auth := func(pw string) (*cip.InitiateAuthOutput, error) {
					params := map[string]string{"USERNAME": email, "PASSWORD": pw}
					if h := hash(email); h != nil {
						params["SECRET_HASH"] = *h
					}
					return c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: params})
				}

				up := must[*cip.SignUpOutput](t)(c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, SecretHash: hash(email), Username: aws.String(email),
					Password: aws.String(password), UserAttributes: userAttrs("name", "New Comer")}))
				if up.UserConfirmed || aws.ToString(up.UserSub) == "" || up.CodeDeliveryDetails == nil ||
					aws.ToString(up.CodeDeliveryDetails.Destination) != "n***@e***" || up.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail {
					t.Fatalf("SignUp: %+v %+v", up, up.CodeDeliveryDetails)
				}
				user := getUser(t, c, poolID, email)
				if user.UserStatus != types.UserStatusTypeUnconfirmed || aws.ToString(user.Username) != aws.ToString(up.UserSub) {
					t.Fatalf("after sign-up: %s %s", user.UserStatus, aws.ToString(user.Username))
				}
				_, err := auth(password)
				wantErr(t, err, "UserNotConfirmedException", "User is not confirmed.")

				_, err = c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, SecretHash: hash(email), Username: aws.String(email), ConfirmationCode: aws.String("000000x")})
				wantErr(t, err, "CodeMismatchException", "Invalid verification code provided, please try again.")
				code := lastCode(t, s, poolID, email)
				must[*cip.ConfirmSignUpOutput](t)(c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, SecretHash: hash(email), Username: aws.String(email), ConfirmationCode: &code}))
				_, err = c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, SecretHash: hash(email), Username: aws.String(email), ConfirmationCode: &code})
				wantErr(t, err, "NotAuthorizedException", "Current status is CONFIRMED")
				user = getUser(t, c, poolID, email)
				wantAttr(t, user.UserAttributes, "email_verified", "true", true)
				must[*cip.InitiateAuthOutput](t)(auth(password))

				forgot := must[*cip.ForgotPasswordOutput](t)(c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, SecretHash: hash(email), Username: aws.String(email)}))
				if aws.ToString(forgot.CodeDeliveryDetails.AttributeName) != "email" {
					t.Errorf("ForgotPassword details %+v", forgot.CodeDeliveryDetails)
				}
				code = lastCode(t, s, poolID, email)
				_, err = c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, SecretHash: hash(email), Username: aws.String(email),
					ConfirmationCode: &code, Password: aws.String("short")})
				wantErr(t, err, "InvalidPasswordException", "")
				must[*cip.ConfirmForgotPasswordOutput](t)(c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, SecretHash: hash(email),
					Username: aws.String(email), ConfirmationCode: &code, Password: aws.String("Brand-New-Pass-2")}))
				_, err = auth(password)
				wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
				must[*cip.InitiateAuthOutput](t)(auth("Brand-New-Pass-2"))
				_, err = c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, SecretHash: hash(email),
					Username: aws.String(email), ConfirmationCode: &code, Password: aws.String("Brand-New-Pass-3")})
				wantErr(t, err, "CodeMismatchException", "")
			})
		})
	}
}

func TestSignUp_Errors(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		poolID, clientID, _ := selfServicePool(t, c, false)
		signUp := func(name, pw string, kv ...string) error {
			_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String(name), Password: aws.String(pw), UserAttributes: userAttrs(kv...)})
			return err
		}
		wantErr(t, signUp("a@example.com", "short"), "InvalidPasswordException", "Password does not conform to policy")
		wantErr(t, signUp("not-an-email", password), "InvalidParameterException", "Username should be an email.")
		wantErr(t, signUp("a@example.com", password, "custom:nope", "x"), "InvalidParameterException", "Attribute does not exist in the schema.")
		wantErr(t, signUp("a@example.com", password, "email_verified", "true"), "NotAuthorizedException", "A client attempted to write unauthorized attribute")
		if err := signUp("a@example.com", password); err != nil {
			t.Fatal(err)
		}
		wantErr(t, signUp("a@example.com", password), "UsernameExistsException", "")
		_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String("nosuchclient0000000000000a"), Username: aws.String("b@example.com"), Password: aws.String(password)})
		wantErr(t, err, "ResourceNotFoundException", "")

		// Pools where only administrators create users refuse sign-ups.
		must[*cip.UpdateUserPoolOutput](t)(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID,
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			AdminCreateUserConfig:  &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true}}))
		wantErr(t, signUp("c@example.com", password), "NotAuthorizedException", "SignUp is not permitted for this user pool")

		// With a secret, the hash is required.
		_, secretClient, _ := selfServicePool(t, c, true)
		_, err = c.SignUp(ctx, &cip.SignUpInput{ClientId: &secretClient, Username: aws.String("d@example.com"), Password: aws.String(password)})
		wantErr(t, err, "NotAuthorizedException", "Unable to verify secret hash")
	})
}

func TestCodes_ExpiryAttemptsAndResend(t *testing.T) {
	for _, backend := range cognatetest.Backends {
		t.Run(string(backend), func(t *testing.T) {
			t.Parallel()
			clk := cognatetest.NewManualClock()
			s := cognatetest.Start(t, backend, cognatetest.Clock(clk.Now), cognatetest.Dev())
			c := s.Client
			poolID, clientID, _ := selfServicePool(t, c, false)
			signUp := func(email string) {
				must[*cip.SignUpOutput](t)(c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String(email), Password: aws.String(password)}))
			}
			confirm := func(email, code string) error {
				_, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String(email), ConfirmationCode: aws.String(code)})
				return err
			}

			// Five wrong codes use the code up.
			signUp("tries@example.com")
			code := lastCode(t, s, poolID, "tries@example.com")
			for range 5 {
				wantErr(t, confirm("tries@example.com", "999999x"), "CodeMismatchException", "")
			}
			wantErr(t, confirm("tries@example.com", code), "LimitExceededException", "Attempt limit exceeded, please try after some time.")
			// A new code starts afresh, and the old one no longer works.
			must[*cip.ResendConfirmationCodeOutput](t)(c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: aws.String("tries@example.com")}))
			fresh := lastCode(t, s, poolID, "tries@example.com")
			if fresh != code {
				wantErr(t, confirm("tries@example.com", code), "CodeMismatchException", "")
			}
			if err := confirm("tries@example.com", fresh); err != nil {
				t.Fatal(err)
			}
			_, err := c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: aws.String("tries@example.com")})
			wantErr(t, err, "InvalidParameterException", "User is already confirmed.")

			// A sign-up code lasts a day.
			signUp("late@example.com")
			code = lastCode(t, s, poolID, "late@example.com")
			clk.Advance(25 * time.Hour)
			wantErr(t, confirm("late@example.com", code), "ExpiredCodeException", "Invalid code provided, please request a code again.")

			// Codes to one user are limited per hour.
			var last error
			for range 6 {
				_, last = c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: aws.String("late@example.com")})
			}
			wantErr(t, last, "LimitExceededException", "")
			clk.Advance(time.Hour)
			must[*cip.ResendConfirmationCodeOutput](t)(c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: aws.String("late@example.com")}))
		})
	}
}

func TestForgotPassword_Recovery(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		poolID, clientID, _ := selfServicePool(t, c, false)
		forgot := func(name string) error {
			_, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String(name)})
			return err
		}
		wantErr(t, forgot("nobody@example.com"), "UserNotFoundException", "")
		createSignInUser(t, c, poolID, "unverified@example.com", password, true)
		wantErr(t, forgot("unverified@example.com"), "InvalidParameterException", "no registered/verified email or phone_number")

		// AdminResetUserPassword sends a code the same way; the user
		// then resets with it and is confirmed.
		createSignInUser(t, c, poolID, "reset@example.com", password, true, "email_verified", "true")
		must[*cip.AdminResetUserPasswordOutput](t)(c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("reset@example.com")}))
		code := lastCode(t, s, poolID, "reset@example.com")
		must[*cip.ConfirmForgotPasswordOutput](t)(c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID,
			Username: aws.String("reset@example.com"), ConfirmationCode: &code, Password: aws.String("Brand-New-Pass-2")}))
		if st := getUser(t, c, poolID, "reset@example.com").UserStatus; st != types.UserStatusTypeConfirmed {
			t.Errorf("status after the reset: %s", st)
		}
		must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "reset@example.com", "Brand-New-Pass-2"))

		// A client hiding user existence answers for unknown users too.
		hiding := aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID,
			ClientName: aws.String("hide"), PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})).UserPoolClient.ClientId)
		out := must[*cip.ForgotPasswordOutput](t)(c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &hiding, Username: aws.String("nobody@example.com")}))
		if aws.ToString(out.CodeDeliveryDetails.Destination) != "n***@e***" {
			t.Errorf("decoy delivery %+v", out.CodeDeliveryDetails)
		}

		// Admin-only recovery refuses users.
		adminOnly, adminClient, _ := selfServicePool(t, c, false, func(in *cip.CreateUserPoolInput) {
			in.AccountRecoverySetting = &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{{Name: types.RecoveryOptionNameTypeAdminOnly, Priority: aws.Int32(1)}}}
		})
		createSignInUser(t, c, adminOnly, "admin-only@example.com", password, true, "email_verified", "true")
		_, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &adminClient, Username: aws.String("admin-only@example.com")})
		wantErr(t, err, "NotAuthorizedException", "")
	})
}

func TestUpdateUserAttributes_Verification(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		for _, keepOld := range []bool{false, true} {
			poolID, clientID, _ := selfServicePool(t, c, false, func(in *cip.CreateUserPoolInput) {
				in.UsernameAttributes = nil
				in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail}
				if keepOld {
					in.UserAttributeUpdateSettings = &types.UserAttributeUpdateSettingsType{
						AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}
				}
			})
			createSignInUser(t, c, poolID, "frank", password, true, "email", "old@example.com", "email_verified", "true")
			token := must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "frank", password)).AuthenticationResult.AccessToken

			out := must[*cip.UpdateUserAttributesOutput](t)(c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: token,
				UserAttributes: userAttrs("email", "new@example.com", "name", "Frank")}))
			if len(out.CodeDeliveryDetailsList) != 1 || aws.ToString(out.CodeDeliveryDetailsList[0].Destination) != "n***@e***" {
				t.Fatalf("keepOld=%v: delivery %+v", keepOld, out.CodeDeliveryDetailsList)
			}
			attrs := must[*cip.GetUserOutput](t)(c.GetUser(ctx, &cip.GetUserInput{AccessToken: token})).UserAttributes
			wantAttr(t, attrs, "name", "Frank", true)
			if keepOld {
				wantAttr(t, attrs, "email", "old@example.com", true)
				wantAttr(t, attrs, "email_verified", "true", true)
			} else {
				wantAttr(t, attrs, "email", "new@example.com", true)
				wantAttr(t, attrs, "email_verified", "false", true)
			}

			_, err := c.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: token, AttributeName: aws.String("email"), Code: aws.String("000000x")})
			wantErr(t, err, "CodeMismatchException", "")
			must[*cip.GetUserAttributeVerificationCodeOutput](t)(c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: token, AttributeName: aws.String("email")}))
			code := lastCode(t, s, poolID, "frank")
			if msgs := outboxMessages(t, s, poolID, "frank"); msgs[0].Destination != "new@example.com" {
				t.Errorf("verification code went to %s", msgs[0].Destination)
			}
			must[*cip.VerifyUserAttributeOutput](t)(c.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: token, AttributeName: aws.String("email"), Code: &code}))
			attrs = must[*cip.GetUserOutput](t)(c.GetUser(ctx, &cip.GetUserInput{AccessToken: token})).UserAttributes
			wantAttr(t, attrs, "email", "new@example.com", true)
			wantAttr(t, attrs, "email_verified", "true", true)
			// The verified email is now an alias to sign in with.
			must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "new@example.com", password))

			_, err = c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: token, UserAttributes: userAttrs("sub", "x")})
			wantErr(t, err, "InvalidParameterException", "")
			_, err = c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: token, AttributeName: aws.String("name")})
			wantErr(t, err, "InvalidParameterException", "")

			must[*cip.DeleteUserAttributesOutput](t)(c.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: token, UserAttributeNames: []string{"name"}}))
			attrs = must[*cip.GetUserOutput](t)(c.GetUser(ctx, &cip.GetUserInput{AccessToken: token})).UserAttributes
			wantAttr(t, attrs, "name", "", false)

			must[*cip.DeleteUserOutput](t)(c.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: token}))
			_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("frank")})
			wantErr(t, err, "UserNotFoundException", "")
		}
	})
}

func TestSignUp_ConfirmByLink(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		poolID, clientID, _ := selfServicePool(t, c, false, func(in *cip.CreateUserPoolInput) {
			in.VerificationMessageTemplate = &types.VerificationMessageTemplateType{DefaultEmailOption: types.DefaultEmailOptionTypeConfirmWithLink,
				EmailMessageByLink: aws.String("Welcome! {##Confirm your account##}")}
		})
		must[*cip.SignUpOutput](t)(c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("link@example.com"), Password: aws.String(password)}))
		msg := outboxMessages(t, s, poolID, "link@example.com")[0]
		link := regexp.MustCompile(`Confirm your account: (\S+)`).FindStringSubmatch(msg.Body)
		if link == nil || !strings.HasPrefix(link[1], s.Config.PublicURL+"/confirmUser?") {
			t.Fatalf("message body %q has no confirmation link", msg.Body)
		}
		resp, err := http.Get(link[1])
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "confirmed") {
			t.Fatalf("opening the link: %d %s", resp.StatusCode, body)
		}
		if st := getUser(t, c, poolID, "link@example.com").UserStatus; st != types.UserStatusTypeConfirmed {
			t.Errorf("status after the link: %s", st)
		}
	})
}

// Codes to one address are limited per hour, whichever users ask.
func TestCodes_RateLimitPerDestination(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		_, clientID, _ := selfServicePool(t, c, false, func(in *cip.CreateUserPoolInput) { in.UsernameAttributes = nil })
		var last error
		for i := range 6 {
			_, last = c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String(fmt.Sprintf("user%d", i)),
				Password: aws.String(password), UserAttributes: userAttrs("email", "target@example.com")})
			if i < 5 && last != nil {
				t.Fatalf("sign-up %d: %v", i, last)
			}
		}
		wantErr(t, last, "LimitExceededException", "Attempt limit exceeded, please try after some time.")
	})
}
