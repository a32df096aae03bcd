package e2e_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"cognate/internal/cognatetest"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// userAttrs makes attributes from name, value pairs.
func userAttrs(kv ...string) []types.AttributeType {
	var out []types.AttributeType
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// attrValue returns the value of the named attribute and whether it is there.
func attrValue(attrs []types.AttributeType, name string) (string, bool) {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value), true
		}
	}
	return "", false
}

// createUser creates a user with no invitation and returns it.
func createUser(t *testing.T, c *cip.Client, poolID, username string, kv ...string) *types.UserType {
	t.Helper()
	return must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: &poolID, Username: &username, MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: userAttrs(kv...),
	})).User
}

func getUser(t *testing.T, c *cip.Client, poolID, username string) *cip.AdminGetUserOutput {
	t.Helper()
	return must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: &username}))
}

// wantAttr fails unless the user has the attribute with the value ("" and
// absent: the attribute must be missing).
func wantAttr(t *testing.T, attrs []types.AttributeType, name, want string, present bool) {
	t.Helper()
	got, ok := attrValue(attrs, name)
	if ok != present || got != want {
		t.Errorf("attribute %s = %q (present %v), want %q (present %v)", name, got, ok, want, present)
	}
}

// newPoolWith creates a pool from a request and returns its ID.
func newPoolWith(t *testing.T, c *cip.Client, in *cip.CreateUserPoolInput) string {
	t.Helper()
	if in.PoolName == nil {
		in.PoolName = aws.String("users")
	}
	return aws.ToString(must[*cip.CreateUserPoolOutput](t)(c.CreateUserPool(ctx, in)).UserPool.Id)
}

// aliasPool creates a pool where a verified email and the preferred username
// are sign-in aliases.
func aliasPool(t *testing.T, c *cip.Client) string {
	t.Helper()
	return newPoolWith(t, c, &cip.CreateUserPoolInput{
		PoolName:        aws.String("aliases"),
		AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail, types.AliasAttributeTypePreferredUsername},
	})
}

func TestAdminCreateUser_TemporaryPassword(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users") // the default policy: 8 characters of all four kinds
		create := func(username, password string) (*cip.AdminCreateUserOutput, error) {
			return c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
				UserPoolId: &pool, Username: &username, TemporaryPassword: &password,
				MessageAction: types.MessageActionTypeSuppress,
			})
		}
		for _, tc := range []struct{ password, reason string }{
			{"Sh0rt!", "Password not long enough"},
			{"ALLUPPER1!", "Password must have lowercase characters"},
			{"alllower1!", "Password must have uppercase characters"},
			{"NoNumbers!", "Password must have numeric characters"},
			{"NoSymbols12", "Password must have symbol characters"},
		} {
			_, err := create("refused", tc.password)
			wantErr(t, err, "InvalidPasswordException", "Password does not conform to policy: "+tc.reason)
		}
		_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String("refused")})
		wantErr(t, err, "UserNotFoundException", "User does not exist.")

		before := time.Now().Add(-time.Minute)
		u := must[*cip.AdminCreateUserOutput](t)(create("alice", "Temp-Passw0rd!")).User
		if aws.ToString(u.Username) != "alice" || u.UserStatus != types.UserStatusTypeForceChangePassword || !u.Enabled {
			t.Errorf("created user = %+v", u)
		}
		if u.UserCreateDate == nil || u.UserCreateDate.Before(before) || u.UserLastModifiedDate == nil {
			t.Errorf("dates: %v %v", u.UserCreateDate, u.UserLastModifiedDate)
		}
		sub, _ := attrValue(u.Attributes, "sub")
		if !uuidPattern.MatchString(sub) {
			t.Errorf("sub = %q, want a UUID", sub)
		}
		got := getUser(t, c, pool, "alice")
		if aws.ToString(got.Username) != "alice" || got.UserStatus != types.UserStatusTypeForceChangePassword || !got.Enabled {
			t.Errorf("AdminGetUser = %+v", got)
		}
		wantAttr(t, got.UserAttributes, "sub", sub, true)

		// Another pool's policy applies to its own users.
		lax := newPoolWith(t, c, &cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{
			PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(6)},
		}})
		must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &lax, Username: aws.String("bob"), TemporaryPassword: aws.String("abcdef"),
			MessageAction: types.MessageActionTypeSuppress,
		}))
		_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &lax, Username: aws.String("carol"), TemporaryPassword: aws.String("abcde"),
		})
		wantErr(t, err, "InvalidPasswordException", "Password not long enough")
	})
}

// satisfiesPolicy reports why password breaks a policy requiring every kind
// of character and min characters ("" when it does not).
func satisfiesPolicy(password string, min int) string {
	has := func(f func(rune) bool) bool { return strings.IndexFunc(password, f) >= 0 }
	switch {
	case len([]rune(password)) < min:
		return "too short"
	case !has(unicode.IsLower):
		return "no lowercase"
	case !has(unicode.IsUpper):
		return "no uppercase"
	case !has(unicode.IsDigit):
		return "no digit"
	case !has(func(r rune) bool { return strings.ContainsRune("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ", r) }):
		return "no symbol"
	}
	return ""
}

func TestAdminCreateUser_GeneratedPassword(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPoolWith(t, c, &cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{
			PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(16), RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true},
		}})
		codes := map[string]bool{}
		var alicePassword string
		for _, name := range []string{"alice", "bob", "carol"} {
			must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
				UserPoolId: &pool, Username: aws.String(name),
				UserAttributes:         userAttrs("email", name+"@example.com"),
				DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
			}))
			msgs := outboxMessages(t, s, pool, name)
			if len(msgs) != 1 {
				t.Fatalf("%s: messages = %+v, want one invitation", name, msgs)
			}
			m := msgs[0]
			if why := satisfiesPolicy(m.Code, 16); why != "" {
				t.Errorf("%s: generated password %q breaks the policy: %s", name, m.Code, why)
			}
			if !strings.Contains(m.Body, m.Code) || !strings.Contains(m.Body, name) || m.Destination != name+"@example.com" {
				t.Errorf("%s: invitation = %+v", name, m)
			}
			codes[m.Code] = true
			if name == "alice" {
				alicePassword = m.Code
			}
		}
		if len(codes) != 3 {
			t.Errorf("generated passwords repeat: %v", codes)
		}
		// The server's own policy check accepts what it generated.
		must[*cip.AdminSetUserPasswordOutput](t)(c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: &pool, Username: aws.String("alice"), Password: aws.String(alicePassword), Permanent: true,
		}))
	})
}

func TestAdminCreateUser_SuppressMessage(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		pool := newPool(t, s.Client, "users")
		u := must[*cip.AdminCreateUserOutput](t)(s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("alice"), MessageAction: types.MessageActionTypeSuppress,
			UserAttributes:         userAttrs("email", "alice@example.com", "phone_number", "+15555550100"),
			DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail, types.DeliveryMediumTypeSms},
		})).User
		if u.UserStatus != types.UserStatusTypeForceChangePassword {
			t.Errorf("status = %s", u.UserStatus)
		}
		if msgs := outboxMessages(t, s, pool, "alice"); len(msgs) != 0 {
			t.Errorf("SUPPRESS sent %+v", msgs)
		}
	})
}

func TestAdminCreateUser_DesiredDeliveryMediums(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users")
		both := userAttrs("email", "u@example.com", "phone_number", "+15555550100")
		for _, tc := range []struct {
			name    string
			mediums []types.DeliveryMediumType
			want    []string
		}{
			{"default", nil, []string{"SMS:+15555550100"}},
			{"email", []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}, []string{"EMAIL:u@example.com"}},
			{"sms", []types.DeliveryMediumType{types.DeliveryMediumTypeSms}, []string{"SMS:+15555550100"}},
			{"both", []types.DeliveryMediumType{types.DeliveryMediumTypeEmail, types.DeliveryMediumTypeSms}, []string{"EMAIL:u@example.com", "SMS:+15555550100"}},
		} {
			must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
				UserPoolId: &pool, Username: aws.String(tc.name), UserAttributes: both, DesiredDeliveryMediums: tc.mediums,
			}))
			var got []string
			for _, m := range outboxMessages(t, s, pool, tc.name) {
				got = append(got, m.DeliveryMedium+":"+m.Destination)
				if m.DeliveryMedium == "EMAIL" && m.Subject == "" || m.DeliveryMedium == "SMS" && m.Subject != "" {
					t.Errorf("%s: subject %q on %s", tc.name, m.Subject, m.DeliveryMedium)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: sent %v, want %v", tc.name, got, tc.want)
			}
		}
	})
}

func TestAdminCreateUser_Resend(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users")
		email := []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}
		created := must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("alice"), TemporaryPassword: aws.String("First-Passw0rd!"),
			UserAttributes: userAttrs("email", "alice@example.com"), DesiredDeliveryMediums: email,
		})).User
		resent := must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("alice"), MessageAction: types.MessageActionTypeResend, DesiredDeliveryMediums: email,
		})).User
		subBefore, _ := attrValue(created.Attributes, "sub")
		subAfter, _ := attrValue(resent.Attributes, "sub")
		if aws.ToString(resent.Username) != "alice" || subAfter != subBefore || resent.UserStatus != types.UserStatusTypeForceChangePassword {
			t.Errorf("RESEND returned %+v: want the same user", resent)
		}
		msgs := outboxMessages(t, s, pool, "alice")
		if len(msgs) != 2 || msgs[1].Code != "First-Passw0rd!" || msgs[0].Code == "" || msgs[0].Code == msgs[1].Code {
			t.Fatalf("messages after RESEND = %+v: want a new invitation with a new password first", msgs)
		}
		if why := satisfiesPolicy(msgs[0].Code, 8); why != "" {
			t.Errorf("resent password %q: %s", msgs[0].Code, why)
		}
		// RESEND with a password of the caller's choosing, checked by the policy.
		_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("alice"), MessageAction: types.MessageActionTypeResend,
			TemporaryPassword: aws.String("weak"), DesiredDeliveryMediums: email,
		})
		wantErr(t, err, "InvalidPasswordException", "Password does not conform to policy")
		must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("alice"), MessageAction: types.MessageActionTypeResend,
			TemporaryPassword: aws.String("Third-Passw0rd!"), DesiredDeliveryMediums: email,
		}))
		if msgs := outboxMessages(t, s, pool, "alice"); len(msgs) != 3 || msgs[0].Code != "Third-Passw0rd!" {
			t.Errorf("messages = %+v", msgs)
		}

		_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("nobody"), MessageAction: types.MessageActionTypeResend,
		})
		wantErr(t, err, "UserNotFoundException", "User does not exist.")

		// Once the user has a permanent password there is no invitation to resend.
		must[*cip.AdminSetUserPasswordOutput](t)(c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: &pool, Username: aws.String("alice"), Password: aws.String("Perm-Passw0rd!"), Permanent: true,
		}))
		_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("alice"), MessageAction: types.MessageActionTypeResend, DesiredDeliveryMediums: email,
		})
		wantErr(t, err, "UnsupportedUserStateException", "")
		if msgs := outboxMessages(t, s, pool, "alice"); len(msgs) != 3 {
			t.Errorf("a refused RESEND sent a message: %+v", msgs)
		}
		if u := getUser(t, c, pool, "alice"); u.UserStatus != types.UserStatusTypeConfirmed {
			t.Errorf("a refused RESEND changed the status to %s", u.UserStatus)
		}
	})
}

// attributePool has a required standard attribute and custom attributes of
// each type with constraints, one of them immutable.
func attributePool(t *testing.T, c *cip.Client) string {
	t.Helper()
	return newPoolWith(t, c, &cip.CreateUserPoolInput{
		PoolName: aws.String("attributes"),
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("family_name"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
			{Name: aws.String("age"), AttributeDataType: types.AttributeDataTypeNumber, Mutable: aws.Bool(true),
				NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("0"), MaxValue: aws.String("150")}},
			{Name: aws.String("vip"), AttributeDataType: types.AttributeDataTypeBoolean, Mutable: aws.Bool(true)},
			{Name: aws.String("code"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true),
				StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("1"), MaxLength: aws.String("5")}},
			{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
		},
	})
}

func TestAdminCreateUser_InvalidAttributes(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := attributePool(t, c)
		base := []string{"family_name", "Smith"}
		for _, tc := range []struct {
			name  string
			attrs []string
			msg   string
		}{
			{"unknown attribute", []string{"custom:nope", "x"}, "custom:nope"},
			{"unknown standard attribute", []string{"shoe_size", "42"}, "shoe_size"},
			{"not a number", []string{"custom:age", "old"}, "custom:age"},
			{"number out of range", []string{"custom:age", "151"}, "custom:age"},
			{"not a boolean", []string{"custom:vip", "yes"}, "custom:vip"},
			{"string too long", []string{"custom:code", "abcdef"}, "custom:code"},
			{"email_verified not a boolean", []string{"email", "a@example.com", "email_verified", "maybe"}, "email_verified"},
			{"bad email", []string{"email", "not-an-email"}, "email"},
			{"bad phone", []string{"phone_number", "555-0100"}, "phone"},
			{"sub", []string{"sub", "11111111-1111-1111-1111-111111111111"}, "sub"},
			{"twice", []string{"given_name", "A", "given_name", "B"}, "given_name"},
		} {
			_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
				UserPoolId: &pool, Username: aws.String("alice"), MessageAction: types.MessageActionTypeSuppress,
				UserAttributes: userAttrs(append(append([]string{}, base...), tc.attrs...)...),
			})
			t.Run(tc.name, func(t *testing.T) { wantErr(t, err, "InvalidParameterException", tc.msg) })
		}
		_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("alice"), MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: userAttrs("given_name", "Alice"),
		})
		wantErr(t, err, "InvalidParameterException", "family_name")
		_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String("alice")})
		wantErr(t, err, "UserNotFoundException", "User does not exist.")

		u := createUser(t, c, pool, "alice", "family_name", "Smith", "custom:age", "42", "custom:vip", "true",
			"custom:code", "abcde", "custom:tenant", "acme", "email", "alice@example.com", "phone_number", "+15555550100",
			"birthdate", "1990-01-31", "updated_at", "1700000000")
		got := getUser(t, c, pool, "alice")
		for _, kv := range [][2]string{{"family_name", "Smith"}, {"custom:age", "42"}, {"custom:vip", "true"}, {"custom:code", "abcde"},
			{"custom:tenant", "acme"}, {"email", "alice@example.com"}, {"phone_number", "+15555550100"}, {"birthdate", "1990-01-31"}} {
			wantAttr(t, got.UserAttributes, kv[0], kv[1], true)
			wantAttr(t, u.Attributes, kv[0], kv[1], true)
		}
	})
}

func TestAdminCreateUser_UsernameExists(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users")
		first := createUser(t, c, pool, "alice", "email", "first@example.com")
		_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("alice"), MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: userAttrs("email", "second@example.com"),
		})
		wantErr(t, err, "UsernameExistsException", "User account already exists")
		got := getUser(t, c, pool, "alice")
		wantAttr(t, got.UserAttributes, "email", "first@example.com", true)
		sub, _ := attrValue(first.Attributes, "sub")
		wantAttr(t, got.UserAttributes, "sub", sub, true)

		// Pools are case-sensitive unless they say otherwise.
		createUser(t, c, pool, "Alice")
		if u := getUser(t, c, pool, "Alice"); aws.ToString(u.Username) != "Alice" {
			t.Errorf("AdminGetUser(Alice) = %s", aws.ToString(u.Username))
		}
		_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String("ALICE")})
		wantErr(t, err, "UserNotFoundException", "User does not exist.")
	})
}

func TestAdminCreateUser_CaseInsensitive(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPoolWith(t, c, &cip.CreateUserPoolInput{UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}})
		created := createUser(t, c, pool, "Bob")
		sub, _ := attrValue(created.Attributes, "sub")
		for _, name := range []string{"Bob", "bob", "BOB"} {
			u := getUser(t, c, pool, name)
			wantAttr(t, u.UserAttributes, "sub", sub, true)
			if aws.ToString(u.Username) != "Bob" {
				t.Errorf("AdminGetUser(%s).Username = %q, want the name as created", name, aws.ToString(u.Username))
			}
		}
		_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &pool, Username: aws.String("bOB"), MessageAction: types.MessageActionTypeSuppress})
		wantErr(t, err, "UsernameExistsException", "User account already exists")
		must[*cip.AdminDisableUserOutput](t)(c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &pool, Username: aws.String("bob")}))
		if u := getUser(t, c, pool, "BOB"); u.Enabled {
			t.Error("AdminDisableUser(bob) did not disable Bob")
		}
		list := must[*cip.ListUsersOutput](t)(c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &pool, Filter: aws.String(`username = "bob"`)}))
		if len(list.Users) != 1 || aws.ToString(list.Users[0].Username) != "Bob" {
			t.Errorf(`ListUsers(username = "bob") = %+v`, list.Users)
		}
		must[*cip.AdminDeleteUserOutput](t)(c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &pool, Username: aws.String("BOB")}))
		_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String("Bob")})
		wantErr(t, err, "UserNotFoundException", "User does not exist.")
	})
}

func TestAdminCreateUser_UsernameAttributes(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPoolWith(t, c, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
		u := createUser(t, c, pool, "alice@example.com")
		sub, _ := attrValue(u.Attributes, "sub")
		if !uuidPattern.MatchString(aws.ToString(u.Username)) || aws.ToString(u.Username) != sub {
			t.Errorf("Username %q, sub %q: want the username to be the sub", aws.ToString(u.Username), sub)
		}
		wantAttr(t, u.Attributes, "email", "alice@example.com", true)
		for _, name := range []string{"alice@example.com", sub} {
			got := getUser(t, c, pool, name)
			if aws.ToString(got.Username) != sub {
				t.Errorf("AdminGetUser(%s).Username = %q, want %q", name, aws.ToString(got.Username), sub)
			}
			wantAttr(t, got.UserAttributes, "email", "alice@example.com", true)
		}

		_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &pool, Username: aws.String("alice@example.com"), MessageAction: types.MessageActionTypeSuppress})
		wantErr(t, err, "UsernameExistsException", "An account with the given email already exists.")
		_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &pool, Username: aws.String("alice"), MessageAction: types.MessageActionTypeSuppress})
		wantErr(t, err, "InvalidParameterException", "Username should be an email.")
		_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &pool, Username: aws.String("+15555550100"), MessageAction: types.MessageActionTypeSuppress})
		wantErr(t, err, "InvalidParameterException", "Username should be an email.")
		if n := describePool(t, c, pool).EstimatedNumberOfUsers; n != 1 {
			t.Errorf("EstimatedNumberOfUsers = %d after refusals, want 1", n)
		}

		// The invitation of such a user is read by its email too.
		must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("bob@example.com"),
			DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
		}))
		msgs := outboxMessages(t, s, pool, "bob@example.com")
		if len(msgs) != 1 || msgs[0].Destination != "bob@example.com" {
			t.Errorf("bob's messages = %+v", msgs)
		}
		bob := getUser(t, c, pool, "bob@example.com")
		if m := outboxMessages(t, s, pool, aws.ToString(bob.Username)); len(m) != 1 || m[0].Id != msgs[0].Id {
			t.Errorf("bob's messages by username = %+v", m)
		}

		phones := newPoolWith(t, c, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypePhoneNumber}})
		p := createUser(t, c, phones, "+15555550100")
		wantAttr(t, p.Attributes, "phone_number", "+15555550100", true)
		if got := getUser(t, c, phones, "+15555550100"); aws.ToString(got.Username) != aws.ToString(p.Username) {
			t.Errorf("AdminGetUser(phone) = %s", aws.ToString(got.Username))
		}
		_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &phones, Username: aws.String("carol@example.com"), MessageAction: types.MessageActionTypeSuppress})
		wantErr(t, err, "InvalidParameterException", "Username should be a phone number.")

		either := newPoolWith(t, c, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail, types.UsernameAttributeTypePhoneNumber}})
		createUser(t, c, either, "dave@example.com")
		createUser(t, c, either, "+15555550199")
		_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &either, Username: aws.String("dave"), MessageAction: types.MessageActionTypeSuppress})
		wantErr(t, err, "InvalidParameterException", "Username should be either an email or a phone number.")
	})
}

func TestAdminCreateUser_AliasAttributes(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := aliasPool(t, c)
		createUser(t, c, pool, "alice", "email", "a@example.com", "email_verified", "true")
		createUser(t, c, pool, "bob", "email", "b@example.com")

		if got := getUser(t, c, pool, "a@example.com"); aws.ToString(got.Username) != "alice" {
			t.Errorf("the verified email resolves to %q, want alice", aws.ToString(got.Username))
		}
		_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String("b@example.com")})
		wantErr(t, err, "UserNotFoundException", "User does not exist.")

		// Two users cannot hold the same verified email...
		_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("carol"), MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: userAttrs("email", "a@example.com", "email_verified", "true"),
		})
		wantErr(t, err, "AliasExistsException", "An account with the given email already exists.")
		_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String("carol")})
		wantErr(t, err, "UserNotFoundException", "User does not exist.")
		_, err = c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
			UserPoolId: &pool, Username: aws.String("bob"), UserAttributes: userAttrs("email", "a@example.com", "email_verified", "true"),
		})
		wantErr(t, err, "AliasExistsException", "An account with the given email already exists.")
		wantAttr(t, getUser(t, c, pool, "bob").UserAttributes, "email", "b@example.com", true)

		// ...but an unverified one may be shared.
		createUser(t, c, pool, "erin", "email", "a@example.com")

		// ForceAliasCreation moves the alias to the new user.
		must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("carol"), MessageAction: types.MessageActionTypeSuppress, ForceAliasCreation: true,
			UserAttributes: userAttrs("email", "a@example.com", "email_verified", "true"),
		}))
		if got := getUser(t, c, pool, "a@example.com"); aws.ToString(got.Username) != "carol" {
			t.Errorf("after ForceAliasCreation the email resolves to %q, want carol", aws.ToString(got.Username))
		}
		alice := getUser(t, c, pool, "alice")
		wantAttr(t, alice.UserAttributes, "email", "a@example.com", true)
		wantAttr(t, alice.UserAttributes, "email_verified", "false", true)

		// A username that looks like an email would be ambiguous.
		_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &pool, Username: aws.String("dave@example.com"), MessageAction: types.MessageActionTypeSuppress})
		wantErr(t, err, "InvalidParameterException", "Username cannot be of email format, since user pool is configured for email alias.")

		// The preferred username is an alias whether or not anything is verified.
		must[*cip.AdminUpdateUserAttributesOutput](t)(c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
			UserPoolId: &pool, Username: aws.String("alice"), UserAttributes: userAttrs("preferred_username", "ally"),
		}))
		if got := getUser(t, c, pool, "ally"); aws.ToString(got.Username) != "alice" {
			t.Errorf("preferred_username resolves to %q, want alice", aws.ToString(got.Username))
		}
		_, err = c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
			UserPoolId: &pool, Username: aws.String("bob"), UserAttributes: userAttrs("preferred_username", "ally"),
		})
		wantErr(t, err, "AliasExistsException", "")
		_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("frank"), MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: userAttrs("preferred_username", "ally"),
		})
		wantErr(t, err, "AliasExistsException", "")

		// Verifying bob's own email makes it resolve to him; the alias goes
		// with the user when the user is deleted.
		must[*cip.AdminUpdateUserAttributesOutput](t)(c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
			UserPoolId: &pool, Username: aws.String("bob"), UserAttributes: userAttrs("email_verified", "true"),
		}))
		if got := getUser(t, c, pool, "b@example.com"); aws.ToString(got.Username) != "bob" {
			t.Errorf("b@example.com resolves to %q, want bob", aws.ToString(got.Username))
		}
		must[*cip.AdminDeleteUserOutput](t)(c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &pool, Username: aws.String("b@example.com")}))
		_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String("bob")})
		wantErr(t, err, "UserNotFoundException", "User does not exist.")
		createUser(t, c, pool, "gina", "email", "b@example.com", "email_verified", "true")
		if got := getUser(t, c, pool, "b@example.com"); aws.ToString(got.Username) != "gina" {
			t.Errorf("b@example.com resolves to %q, want gina", aws.ToString(got.Username))
		}
	})
}

func describePool(t *testing.T, c *cip.Client, pool string) *types.UserPoolType {
	t.Helper()
	return must[*cip.DescribeUserPoolOutput](t)(c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &pool})).UserPool
}

func TestAdminDeleteUser(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users")
		if n := describePool(t, c, pool).EstimatedNumberOfUsers; n != 0 {
			t.Errorf("EstimatedNumberOfUsers = %d, want 0", n)
		}
		first := createUser(t, c, pool, "alice")
		createUser(t, c, pool, "bob")
		createUser(t, c, pool, "carol")
		if n := describePool(t, c, pool).EstimatedNumberOfUsers; n != 3 {
			t.Errorf("EstimatedNumberOfUsers = %d, want 3", n)
		}
		must[*cip.AdminDeleteUserOutput](t)(c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &pool, Username: aws.String("alice")}))
		_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String("alice")})
		wantErr(t, err, "UserNotFoundException", "User does not exist.")
		_, err = c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &pool, Username: aws.String("alice")})
		wantErr(t, err, "UserNotFoundException", "User does not exist.")
		if n := describePool(t, c, pool).EstimatedNumberOfUsers; n != 2 {
			t.Errorf("EstimatedNumberOfUsers = %d, want 2", n)
		}
		// The name is free again, for a new user with a new sub.
		again := createUser(t, c, pool, "alice")
		oldSub, _ := attrValue(first.Attributes, "sub")
		newSub, _ := attrValue(again.Attributes, "sub")
		if oldSub == newSub {
			t.Error("a recreated user kept the deleted user's sub")
		}
		// Users of other pools are not counted.
		other := newPool(t, c, "other")
		createUser(t, c, other, "alice")
		if n := describePool(t, c, pool).EstimatedNumberOfUsers; n != 3 {
			t.Errorf("EstimatedNumberOfUsers = %d, want 3", n)
		}
	})
}

func TestAdminDisableUser(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users")
		createUser(t, c, pool, "alice")
		for range 2 { // both are idempotent
			must[*cip.AdminDisableUserOutput](t)(c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &pool, Username: aws.String("alice")}))
			if u := getUser(t, c, pool, "alice"); u.Enabled || u.UserStatus != types.UserStatusTypeForceChangePassword {
				t.Errorf("after AdminDisableUser: enabled %v, status %s", u.Enabled, u.UserStatus)
			}
		}
		for range 2 {
			must[*cip.AdminEnableUserOutput](t)(c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: &pool, Username: aws.String("alice")}))
			if u := getUser(t, c, pool, "alice"); !u.Enabled {
				t.Error("AdminEnableUser left the user disabled")
			}
		}
	})
}

func TestAdminUpdateUserAttributes(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := attributePool(t, c)
		createUser(t, c, pool, "alice", "family_name", "Smith", "email", "old@example.com", "email_verified", "true",
			"phone_number", "+15555550100", "phone_number_verified", "true", "custom:tenant", "acme")
		update := func(kv ...string) error {
			_, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
				UserPoolId: &pool, Username: aws.String("alice"), UserAttributes: userAttrs(kv...),
			})
			return err
		}

		// A new email is not verified unless the same call says so.
		if err := update("email", "new@example.com", "given_name", "Alice"); err != nil {
			t.Fatal(err)
		}
		u := getUser(t, c, pool, "alice")
		wantAttr(t, u.UserAttributes, "email", "new@example.com", true)
		wantAttr(t, u.UserAttributes, "email_verified", "false", true)
		wantAttr(t, u.UserAttributes, "given_name", "Alice", true)
		wantAttr(t, u.UserAttributes, "phone_number_verified", "true", true)
		if err := update("email", "newer@example.com", "email_verified", "true"); err != nil {
			t.Fatal(err)
		}
		wantAttr(t, getUser(t, c, pool, "alice").UserAttributes, "email_verified", "true", true)
		if err := update("email_verified", "true", "email", "newest@example.com"); err != nil {
			t.Fatal(err)
		}
		wantAttr(t, getUser(t, c, pool, "alice").UserAttributes, "email_verified", "true", true)
		// Setting the same email again keeps it verified.
		if err := update("email", "newest@example.com"); err != nil {
			t.Fatal(err)
		}
		wantAttr(t, getUser(t, c, pool, "alice").UserAttributes, "email_verified", "true", true)
		if err := update("phone_number", "+15555550111"); err != nil {
			t.Fatal(err)
		}
		wantAttr(t, getUser(t, c, pool, "alice").UserAttributes, "phone_number_verified", "false", true)

		// An immutable attribute cannot change once set.
		wantErr(t, update("custom:tenant", "other"), "InvalidParameterException", "custom:tenant")
		wantErr(t, update("sub", "11111111-1111-1111-1111-111111111111"), "InvalidParameterException", "sub")
		wantErr(t, update("custom:nope", "x"), "InvalidParameterException", "custom:nope")
		wantErr(t, update("custom:age", "-1"), "InvalidParameterException", "custom:age")
		wantErr(t, update("email", "nope"), "InvalidParameterException", "")
		wantErr(t, update("family_name", ""), "InvalidParameterException", "family_name")
		// A refused update changes nothing, even the attributes it got right.
		wantErr(t, update("given_name", "Changed", "custom:vip", "maybe"), "InvalidParameterException", "custom:vip")
		u = getUser(t, c, pool, "alice")
		wantAttr(t, u.UserAttributes, "custom:tenant", "acme", true)
		wantAttr(t, u.UserAttributes, "given_name", "Alice", true)
		wantAttr(t, u.UserAttributes, "family_name", "Smith", true)
	})
}

func TestAdminUpdateUserAttributes_AliasFollowsVerification(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := aliasPool(t, c)
		createUser(t, c, pool, "alice", "email", "a@example.com", "email_verified", "true")
		must[*cip.AdminUpdateUserAttributesOutput](t)(c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
			UserPoolId: &pool, Username: aws.String("alice"), UserAttributes: userAttrs("email", "a2@example.com"),
		}))
		// The changed email is unverified, so neither address resolves.
		for _, name := range []string{"a@example.com", "a2@example.com"} {
			_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String(name)})
			wantErr(t, err, "UserNotFoundException", "User does not exist.")
		}
		// The old address is free for someone else.
		createUser(t, c, pool, "bob", "email", "a@example.com", "email_verified", "true")
		if got := getUser(t, c, pool, "a@example.com"); aws.ToString(got.Username) != "bob" {
			t.Errorf("a@example.com resolves to %q, want bob", aws.ToString(got.Username))
		}
	})
}

func TestAdminDeleteUserAttributes(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := attributePool(t, c)
		createUser(t, c, pool, "alice", "family_name", "Smith", "given_name", "Alice", "email", "a@example.com",
			"email_verified", "true", "custom:age", "30")
		del := func(names ...string) error {
			_, err := c.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{
				UserPoolId: &pool, Username: aws.String("alice"), UserAttributeNames: names,
			})
			return err
		}
		wantErr(t, del("family_name"), "InvalidParameterException", "family_name")
		wantErr(t, del("given_name", "family_name"), "InvalidParameterException", "family_name")
		wantErr(t, del("sub"), "InvalidParameterException", "sub")
		wantErr(t, del("custom:nope"), "InvalidParameterException", "custom:nope")
		u := getUser(t, c, pool, "alice")
		wantAttr(t, u.UserAttributes, "given_name", "Alice", true)

		if err := del("given_name", "custom:age"); err != nil {
			t.Fatal(err)
		}
		if err := del("email"); err != nil {
			t.Fatal(err)
		}
		u = getUser(t, c, pool, "alice")
		for _, name := range []string{"given_name", "custom:age", "email", "email_verified"} {
			wantAttr(t, u.UserAttributes, name, "", false)
		}
		wantAttr(t, u.UserAttributes, "family_name", "Smith", true)
	})
}

func TestAdminSetUserPassword(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users")
		createUser(t, c, pool, "alice")
		set := func(password string, permanent bool) error {
			_, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
				UserPoolId: &pool, Username: aws.String("alice"), Password: &password, Permanent: permanent,
			})
			return err
		}
		wantErr(t, set("Sh0rt!", true), "InvalidPasswordException", "Password does not conform to policy: Password not long enough")
		wantErr(t, set("nouppercase1!", true), "InvalidPasswordException", "Password does not conform to policy: Password must have uppercase characters")
		if u := getUser(t, c, pool, "alice"); u.UserStatus != types.UserStatusTypeForceChangePassword {
			t.Errorf("a refused password changed the status to %s", u.UserStatus)
		}
		if err := set("Perm-Passw0rd!", true); err != nil {
			t.Fatal(err)
		}
		if u := getUser(t, c, pool, "alice"); u.UserStatus != types.UserStatusTypeConfirmed {
			t.Errorf("after a permanent password: %s", u.UserStatus)
		}
		if err := set("Temp-Passw0rd!", false); err != nil {
			t.Fatal(err)
		}
		if u := getUser(t, c, pool, "alice"); u.UserStatus != types.UserStatusTypeForceChangePassword {
			t.Errorf("after a temporary password: %s", u.UserStatus)
		}
	})
}

func TestAdminConfirmSignUp_NotUnconfirmed(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users")
		createUser(t, c, pool, "alice")
		_, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &pool, Username: aws.String("alice")})
		wantErr(t, err, "NotAuthorizedException", "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD")
		if u := getUser(t, c, pool, "alice"); u.UserStatus != types.UserStatusTypeForceChangePassword {
			t.Errorf("status = %s", u.UserStatus)
		}
	})
}

func TestAdminResetUserPassword(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users")
		createUser(t, c, pool, "alice", "email", "alice@example.com", "email_verified", "true")
		must[*cip.AdminSetUserPasswordOutput](t)(c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: &pool, Username: aws.String("alice"), Password: aws.String("Perm-Passw0rd!"), Permanent: true,
		}))
		must[*cip.AdminResetUserPasswordOutput](t)(c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &pool, Username: aws.String("alice")}))
		if u := getUser(t, c, pool, "alice"); u.UserStatus != types.UserStatusTypeResetRequired {
			t.Errorf("status = %s, want RESET_REQUIRED", u.UserStatus)
		}
		msgs := outboxMessages(t, s, pool, "alice")
		if len(msgs) != 1 {
			t.Fatalf("messages = %+v, want one code", msgs)
		}
		m := msgs[0]
		if m.DeliveryMedium != "EMAIL" || m.Destination != "alice@example.com" || !regexp.MustCompile(`^[0-9]{6}$`).MatchString(m.Code) || !strings.Contains(m.Body, m.Code) {
			t.Errorf("reset code message = %+v", m)
		}

		// A verified phone number receives it by SMS.
		createUser(t, c, pool, "bob", "phone_number", "+15555550100", "phone_number_verified", "true")
		must[*cip.AdminResetUserPasswordOutput](t)(c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &pool, Username: aws.String("bob")}))
		if msgs := outboxMessages(t, s, pool, "bob"); len(msgs) != 1 || msgs[0].DeliveryMedium != "SMS" || msgs[0].Destination != "+15555550100" {
			t.Errorf("bob's messages = %+v", msgs)
		}

		// Without a verified destination there is nowhere to send the code.
		createUser(t, c, pool, "carol", "email", "carol@example.com", "phone_number", "+15555550101")
		must[*cip.AdminSetUserPasswordOutput](t)(c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: &pool, Username: aws.String("carol"), Password: aws.String("Perm-Passw0rd!"), Permanent: true,
		}))
		_, err := c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &pool, Username: aws.String("carol")})
		wantErr(t, err, "InvalidParameterException", "no registered/verified email or phone_number")
		if u := getUser(t, c, pool, "carol"); u.UserStatus != types.UserStatusTypeConfirmed {
			t.Errorf("a refused reset changed the status to %s", u.UserStatus)
		}
		if msgs := outboxMessages(t, s, pool, "carol"); len(msgs) != 0 {
			t.Errorf("a refused reset sent %+v", msgs)
		}
	})
}

func TestAdminSetUserSettings(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users")
		createUser(t, c, pool, "alice", "phone_number", "+15555550100")
		createUser(t, c, pool, "bob")
		sms := []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeSms, AttributeName: aws.String("phone_number")}}
		must[*cip.AdminSetUserSettingsOutput](t)(c.AdminSetUserSettings(ctx, &cip.AdminSetUserSettingsInput{
			UserPoolId: &pool, Username: aws.String("alice"), MFAOptions: sms,
		}))
		u := getUser(t, c, pool, "alice")
		if len(u.MFAOptions) != 1 || u.MFAOptions[0].DeliveryMedium != types.DeliveryMediumTypeSms || aws.ToString(u.MFAOptions[0].AttributeName) != "phone_number" {
			t.Errorf("MFAOptions = %+v", u.MFAOptions)
		}
		_, err := c.AdminSetUserSettings(ctx, &cip.AdminSetUserSettingsInput{UserPoolId: &pool, Username: aws.String("bob"), MFAOptions: sms})
		wantErr(t, err, "InvalidParameterException", "")
		if u := getUser(t, c, pool, "bob"); len(u.MFAOptions) != 0 {
			t.Errorf("bob's MFAOptions = %+v", u.MFAOptions)
		}
	})
}

func TestUserOperations_NotFound(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users")
		createUser(t, c, pool, "someone")
		must[*cip.CreateGroupOutput](t)(c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &pool, GroupName: aws.String("g")}))
		calls := map[string]func(pool, user string) error{
			"AdminGetUser": func(p, u string) error {
				_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &p, Username: &u})
				return err
			},
			"AdminDeleteUser": func(p, u string) error {
				_, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &p, Username: &u})
				return err
			},
			"AdminDisableUser": func(p, u string) error {
				_, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &p, Username: &u})
				return err
			},
			"AdminEnableUser": func(p, u string) error {
				_, err := c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: &p, Username: &u})
				return err
			},
			"AdminUpdateUserAttributes": func(p, u string) error {
				_, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &p, Username: &u, UserAttributes: userAttrs("given_name", "X")})
				return err
			},
			"AdminDeleteUserAttributes": func(p, u string) error {
				_, err := c.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: &p, Username: &u, UserAttributeNames: []string{"given_name"}})
				return err
			},
			"AdminSetUserPassword": func(p, u string) error {
				_, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &p, Username: &u, Password: aws.String("Perm-Passw0rd!"), Permanent: true})
				return err
			},
			"AdminConfirmSignUp": func(p, u string) error {
				_, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &p, Username: &u})
				return err
			},
			"AdminResetUserPassword": func(p, u string) error {
				_, err := c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &p, Username: &u})
				return err
			},
			"AdminSetUserSettings": func(p, u string) error {
				_, err := c.AdminSetUserSettings(ctx, &cip.AdminSetUserSettingsInput{UserPoolId: &p, Username: &u, MFAOptions: []types.MFAOptionType{}})
				return err
			},
			"AdminCreateUser RESEND": func(p, u string) error {
				_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &p, Username: &u, MessageAction: types.MessageActionTypeResend})
				return err
			},
			"AdminAddUserToGroup": func(p, u string) error {
				_, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &p, Username: &u, GroupName: aws.String("g")})
				return err
			},
			"AdminRemoveUserFromGroup": func(p, u string) error {
				_, err := c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: &p, Username: &u, GroupName: aws.String("g")})
				return err
			},
			"AdminListGroupsForUser": func(p, u string) error {
				_, err := c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &p, Username: &u})
				return err
			},
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) {
				wantErr(t, call(pool, "nobody"), "UserNotFoundException", "User does not exist.")
				wantErr(t, call("us-east-1_000000000", "someone"), "ResourceNotFoundException", "")
			})
		}
		if u := getUser(t, c, pool, "someone"); u.UserStatus != types.UserStatusTypeForceChangePassword {
			t.Errorf("someone's status = %s", u.UserStatus)
		}
		_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String("us-east-1_000000000"), Username: aws.String("x")})
		wantErr(t, err, "ResourceNotFoundException", "User pool us-east-1_000000000 does not exist.")
		_, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String("us-east-1_000000000")})
		wantErr(t, err, "ResourceNotFoundException", "")
	})
}
