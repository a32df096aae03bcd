package e2e_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"
)

var ctx = context.Background()

// wantErr fails unless err is the AWS error code, and, when msg is not empty,
// its message contains msg.
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if apiErr.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
	if msg != "" && !strings.Contains(apiErr.ErrorMessage(), msg) {
		t.Fatalf("%s message %q does not contain %q", code, apiErr.ErrorMessage(), msg)
	}
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// newPool creates a pool with default settings and returns its ID.
func newPool(t *testing.T, c *cip.Client, name string) string {
	t.Helper()
	out := must[*cip.CreateUserPoolOutput](t)(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(name)}))
	return aws.ToString(out.UserPool.Id)
}
