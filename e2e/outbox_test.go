package e2e_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"cognate/internal/cognatetest"
)

// outboxMessage is a message as GET /_cognate/outbox shows it.
type outboxMessage struct {
	Id             string
	CreatedAt      float64
	Kind           string
	DeliveryMedium string
	Destination    string
	Subject        string
	Body           string
	Code           string
	Status         string
	Attempts       int
	LastError      string
}

// outboxRequest sends GET /_cognate/outbox for a user, SigV4-signed with the
// test administrator key when sign is true.
func outboxRequest(t *testing.T, s *cognatetest.Server, poolID, username string, sign bool) *http.Response {
	t.Helper()
	q := url.Values{}
	if poolID != "" {
		q.Set("userPoolId", poolID)
	}
	if username != "" {
		q.Set("username", username)
	}
	return adminGet(t, s, "/_cognate/outbox?"+q.Encode(), sign)
}

// adminGet GETs path, SigV4-signed with the test administrator key when
// sign is true.
func adminGet(t *testing.T, s *cognatetest.Server, path string, sign bool) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sign {
		empty := sha256.Sum256(nil)
		creds := aws.Credentials{AccessKeyID: cognatetest.AccessKeyID, SecretAccessKey: cognatetest.SecretAccessKey}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(empty[:]), "cognito-idp", cognatetest.Region, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// outboxMessages returns the messages the outbox holds for a user (named by
// any name it signs in with), newest first.
func outboxMessages(t *testing.T, s *cognatetest.Server, poolID, username string) []outboxMessage {
	t.Helper()
	resp := outboxRequest(t, s, poolID, username, true)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET outbox for %s: %s: %s", username, resp.Status, body)
	}
	var out struct{ Messages []outboxMessage }
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("outbox response %s: %v", body, err)
	}
	if out.Messages == nil {
		t.Fatalf("outbox response %s has no Messages list", body)
	}
	return out.Messages
}

// outboxError reads an error response of the outbox endpoint.
func outboxError(t *testing.T, resp *http.Response, status int, code string) {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("status %s, want %d: %s", resp.Status, status, body)
	}
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Type != code || e.Message == "" {
		t.Fatalf("error body %s, want __type %s and a message", body, code)
	}
	if got := resp.Header.Get("x-amzn-ErrorType"); got != code {
		t.Errorf("x-amzn-ErrorType = %q, want %q", got, code)
	}
}

func TestOutbox_Signed(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		pool := newPool(t, s.Client, "outbox")
		must[*cip.AdminCreateUserOutput](t)(s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("alice"), TemporaryPassword: aws.String("Temp-Passw0rd!"),
			UserAttributes:         userAttrs("email", "alice@example.com"),
			DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
		}))
		before := time.Now().Add(-time.Minute)

		msgs := outboxMessages(t, s, pool, "alice")
		if len(msgs) != 1 {
			t.Fatalf("messages = %+v, want one invitation", msgs)
		}
		m := msgs[0]
		if m.Id == "" || m.Kind == "" || m.DeliveryMedium != "EMAIL" || m.Destination != "alice@example.com" || m.Subject == "" {
			t.Errorf("invitation = %+v", m)
		}
		if m.Code != "Temp-Passw0rd!" || !strings.Contains(m.Body, "Temp-Passw0rd!") || !strings.Contains(m.Body, "alice") {
			t.Errorf("invitation code %q, body %q: want the temporary password and the username", m.Code, m.Body)
		}
		if m.Status != "pending" && m.Status != "sent" {
			t.Errorf("Status = %q", m.Status)
		}
		if created := time.UnixMilli(int64(m.CreatedAt * 1000)); created.Before(before) || created.After(time.Now().Add(time.Minute)) {
			t.Errorf("CreatedAt = %v", created)
		}
		if other := outboxMessages(t, s, pool, "nobody"); len(other) != 0 {
			t.Errorf("messages to an unknown user: %+v", other)
		}

		outboxError(t, outboxRequest(t, s, pool, "alice", false), http.StatusForbidden, "MissingAuthenticationTokenException")
		outboxError(t, outboxRequest(t, s, pool, "", true), http.StatusBadRequest, "InvalidParameterException")
		outboxError(t, outboxRequest(t, s, "", "alice", true), http.StatusBadRequest, "InvalidParameterException")
		outboxError(t, outboxRequest(t, s, "us-east-1_000000000", "alice", true), http.StatusBadRequest, "ResourceNotFoundException")

		// A request signed with the wrong secret is refused too.
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/_cognate/outbox?"+url.Values{"userPoolId": {pool}, "username": {"alice"}}.Encode(), nil)
		empty := sha256.Sum256(nil)
		creds := aws.Credentials{AccessKeyID: cognatetest.AccessKeyID, SecretAccessKey: "not-the-secret"}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(empty[:]), "cognito-idp", cognatetest.Region, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp := must[*http.Response](t)(http.DefaultClient.Do(req))
		defer resp.Body.Close()
		outboxError(t, resp, http.StatusBadRequest, "InvalidSignatureException")
	})
}

func TestOutbox_DevModeOpen(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		pool := newPool(t, s.Client, "outbox")
		must[*cip.AdminCreateUserOutput](t)(s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("alice"),
			UserAttributes: userAttrs("phone_number", "+15555550100"),
		}))
		resp := outboxRequest(t, s, pool, "alice", false)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("unsigned GET in dev mode: %s: %s", resp.Status, body)
		}
		var out struct{ Messages []outboxMessage }
		if err := json.Unmarshal(body, &out); err != nil || len(out.Messages) != 1 {
			t.Fatalf("response %s: %v", body, err)
		}
		// With no DesiredDeliveryMediums the invitation goes by SMS.
		if m := out.Messages[0]; m.DeliveryMedium != "SMS" || m.Destination != "+15555550100" || m.Code == "" || !strings.Contains(m.Body, m.Code) {
			t.Errorf("invitation = %+v", m)
		}
	}, cognatetest.Dev())
}

func TestOutbox_NewestFirst(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		pool := newPool(t, s.Client, "outbox")
		c := s.Client
		must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("alice"), TemporaryPassword: aws.String("First-Passw0rd!"),
			UserAttributes:         userAttrs("email", "alice@example.com", "email_verified", "true"),
			DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
		}))
		must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("alice"), MessageAction: types.MessageActionTypeResend,
			DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
		}))
		must[*cip.AdminSetUserPasswordOutput](t)(c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: &pool, Username: aws.String("alice"), Password: aws.String("Perm-Passw0rd!"), Permanent: true,
		}))
		must[*cip.AdminResetUserPasswordOutput](t)(c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{
			UserPoolId: &pool, Username: aws.String("alice"),
		}))

		msgs := outboxMessages(t, s, pool, "alice")
		if len(msgs) != 3 {
			t.Fatalf("messages = %+v, want reset, invitation, invitation", msgs)
		}
		reset, resent, first := msgs[0], msgs[1], msgs[2]
		if first.Code != "First-Passw0rd!" || resent.Code == "" || resent.Code == first.Code || resent.Kind != first.Kind {
			t.Errorf("invitations: first %+v, resent %+v", first, resent)
		}
		if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(reset.Code) || !strings.Contains(reset.Body, reset.Code) || reset.Kind == first.Kind {
			t.Errorf("reset code message = %+v", reset)
		}
		for _, m := range msgs {
			if m.DeliveryMedium != "EMAIL" || m.Destination != "alice@example.com" || m.Subject == "" {
				t.Errorf("message %+v: want an email to alice@example.com with a subject", m)
			}
		}
		if !(msgs[0].CreatedAt >= msgs[1].CreatedAt && msgs[1].CreatedAt >= msgs[2].CreatedAt) {
			t.Errorf("not newest first: %v %v %v", msgs[0].CreatedAt, msgs[1].CreatedAt, msgs[2].CreatedAt)
		}
		ids := map[string]bool{}
		for _, m := range msgs {
			ids[m.Id] = true
		}
		if len(ids) != 3 {
			t.Errorf("message IDs are not distinct: %+v", msgs)
		}
	})
}

func TestOutbox_InviteMessageTemplate(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		pool := aws.ToString(must[*cip.CreateUserPoolOutput](t)(s.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{
			PoolName: aws.String("templates"),
			AdminCreateUserConfig: &types.AdminCreateUserConfigType{InviteMessageTemplate: &types.MessageTemplateType{
				EmailSubject: aws.String("Welcome aboard"),
				EmailMessage: aws.String("Hello {username}, sign in with {####} soon."),
				SMSMessage:   aws.String("{username}: {####}"),
			}},
		})).UserPool.Id)
		must[*cip.AdminCreateUserOutput](t)(s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: &pool, Username: aws.String("bob"), TemporaryPassword: aws.String("Temp-Passw0rd!"),
			UserAttributes:         userAttrs("email", "bob@example.com", "phone_number", "+15555550101"),
			DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail, types.DeliveryMediumTypeSms},
		}))
		byMedium := map[string]outboxMessage{}
		for _, m := range outboxMessages(t, s, pool, "bob") {
			byMedium[m.DeliveryMedium] = m
		}
		if len(byMedium) != 2 {
			t.Fatalf("messages by medium = %+v, want one email and one SMS", byMedium)
		}
		if m := byMedium["EMAIL"]; m.Subject != "Welcome aboard" || m.Body != "Hello bob, sign in with Temp-Passw0rd! soon." || m.Destination != "bob@example.com" {
			t.Errorf("email = %+v", m)
		}
		if m := byMedium["SMS"]; m.Subject != "" || m.Body != "bob: Temp-Passw0rd!" || m.Destination != "+15555550101" {
			t.Errorf("SMS = %+v", m)
		}
	})
}
