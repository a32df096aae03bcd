package sigv4

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
)

// verifyingServer answers every request after verifying it with v, and
// remembers the outcome of the last one.
type verifyingServer struct {
	*httptest.Server
	mu   sync.Mutex
	id   Identity
	err  error
	seen int
}

func newVerifyingServer(t *testing.T, v *Verifier) *verifyingServer {
	s := &verifyingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
			return
		}
		id, err := v.Verify(r, body)
		s.mu.Lock()
		s.id, s.err = id, err
		s.seen++
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		var e *Error
		switch {
		case err == nil:
			w.Write([]byte(`{}`))
		case errors.As(err, &e):
			w.Header().Set("X-Amzn-ErrorType", e.Code)
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
		default:
			t.Errorf("Verify: %v", err)
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *verifyingServer) last(t *testing.T) (Identity, error) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == 0 {
		t.Fatal("the server received no request")
	}
	return s.id, s.err
}

// TestVerify_SDKClient sends real calls from aws-sdk-go-v2's Cognito client.
func TestVerify_SDKClient(t *testing.T) {
	v := &Verifier{Lookup: keys(map[string]string{keyID: secret}), Now: time.Now, Service: "cognito-idp"}
	s := newVerifyingServer(t, v)
	client := func(id, secret, token, region string) *cip.Client {
		return cip.New(cip.Options{
			BaseEndpoint:     aws.String(s.URL),
			Region:           region,
			RetryMaxAttempts: 1,
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token}, nil
			}),
		})
	}
	listPools := func(c *cip.Client) error {
		_, err := c.ListUserPools(context.Background(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
		return err
	}
	createUser := func(c *cip.Client) error {
		_, err := c.AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{
			UserPoolId: aws.String("eu-west-1_AbCdEfGhI"),
			Username:   aws.String("zoë"),
			UserAttributes: []types.AttributeType{
				{Name: aws.String("name"), Value: aws.String("Zoë Ünïcode 😀 \"quoted\" \\ back")},
			},
			MessageAction: types.MessageActionTypeSuppress,
		})
		return err
	}
	for _, tc := range []struct {
		name                 string
		client               *cip.Client
		call                 func(*cip.Client) error
		wantRegion, wantCode string
	}{
		{"list user pools", client(keyID, secret, "", "us-east-1"), listPools, "us-east-1", ""},
		{"non-ASCII body", client(keyID, secret, "", "eu-west-1"), createUser, "eu-west-1", ""},
		{"session token", client(keyID, secret, "FQoGZXIvYXdzEXAMPLE", "ap-southeast-2"), listPools, "ap-southeast-2", ""},
		{"wrong secret", client(keyID, "not-the-secret", "", "us-east-1"), listPools, "", CodeInvalidSignature},
		{"unknown key", client("AKIAUNKNOWN", secret, "", "us-east-1"), createUser, "", CodeUnrecognizedClient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(tc.client)
			id, verr := s.last(t)
			if tc.wantCode == "" {
				if err != nil || verr != nil {
					t.Fatalf("call: %v; Verify: %v", err, verr)
				}
				if id != (Identity{keyID, tc.wantRegion}) {
					t.Errorf("identity %+v", id)
				}
				return
			}
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.wantCode {
				t.Errorf("call: %v, want %s", err, tc.wantCode)
			}
		})
	}
}

// TestVerify_AWSCLI runs the AWS CLI (botocore) against a verifying server.
func TestVerify_AWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the AWS CLI is not installed; .ci/run installs it")
		}
		t.Skip("the AWS CLI is not installed (apt-get install awscli): skipping the check that its signatures verify")
	}
	v := &Verifier{Lookup: keys(map[string]string{keyID: secret}), Now: time.Now, Service: "cognito-idp"}
	s := newVerifyingServer(t, v)
	run := func(secret string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "aws", "--endpoint-url", s.URL, "cognito-idp", "list-user-pools", "--max-results", "1")
		cmd.Env = []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
			"AWS_ACCESS_KEY_ID=" + keyID, "AWS_SECRET_ACCESS_KEY=" + secret,
			"AWS_DEFAULT_REGION=eu-central-1", "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=",
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(secret); err != nil {
		id, verr := s.last(t)
		t.Fatalf("aws: %v\n%s\nVerify: %+v, %v", err, out, id, verr)
	}
	if id, err := s.last(t); err != nil || id != (Identity{keyID, "eu-central-1"}) {
		t.Fatalf("Verify: %+v, %v", id, err)
	}
	out, err := run("not-the-secret")
	if err == nil || !strings.Contains(out, CodeInvalidSignature) {
		t.Errorf("wrong secret: %v\n%s", err, out)
	}
}
