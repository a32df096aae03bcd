package awsjson

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cognate/internal/api"
)

// echoService answers DescribeUserPool with the pool ID it was asked for and
// panics on DeleteUserPool; everything else is unimplemented.
type echoService struct{ api.Unimplemented }

func (echoService) DescribeUserPool(_ context.Context, in *api.DescribeUserPoolInput) (*api.DescribeUserPoolOutput, error) {
	return &api.DescribeUserPoolOutput{UserPool: &api.UserPoolType{Id: in.UserPoolId}}, nil
}

func (echoService) DeleteUserPool(context.Context, *api.DeleteUserPoolInput) (*api.DeleteUserPoolOutput, error) {
	panic("boom")
}

func (echoService) ListUserPools(context.Context, *api.ListUserPoolsInput) (*api.ListUserPoolsOutput, error) {
	return nil, errors.New("database on fire")
}

func newHandler() *Handler {
	return &Handler{
		Service: echoService{},
		Authenticate: func(r *http.Request, body []byte) (string, string, error) {
			if r.Header.Get("Authorization") == "" {
				return "", "", &api.ProtocolError{Code: "MissingAuthenticationTokenException", Message: "Missing Authentication Token", Status: http.StatusForbidden}
			}
			return "eu-west-1", "AKID", nil
		},
		Region: "us-east-1",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func do(h http.Handler, method, target, body string, signed bool) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", ContentType)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if signed {
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 ...")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestProtocol(t *testing.T) {
	h := newHandler()
	cases := []struct {
		name, method, op, body string
		signed                 bool
		status                 int
		errType, msg           string
	}{
		{"describe", "POST", "DescribeUserPool", `{"UserPoolId":"us-east-1_abc"}`, true, 200, "", ""},
		{"unknown target", "POST", "Nope", `{}`, true, 400, "UnknownOperationException", "Unknown operation"},
		{"GET", "GET", "DescribeUserPool", ``, true, 400, "UnknownOperationException", ""},
		{"malformed JSON", "POST", "DescribeUserPool", `{"UserPoolId":`, true, 400, "SerializationException", "not valid JSON"},
		{"wrong type", "POST", "DescribeUserPool", `{"UserPoolId":5}`, true, 400, "SerializationException", "UserPoolId"},
		{"not an object", "POST", "DescribeUserPool", `[1,2]`, true, 400, "SerializationException", ""},
		{"trailing data", "POST", "DescribeUserPool", `{"UserPoolId":"us-east-1_a"} {}`, true, 400, "SerializationException", "exactly one"},
		{"int overflow", "POST", "ListUserPools", `{"MaxResults":99999999999}`, true, 400, "SerializationException", "MaxResults"},
		{"validation", "POST", "DescribeUserPool", `{}`, true, 400, "InvalidParameterException", "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"},
		{"pattern", "POST", "DescribeUserPool", `{"UserPoolId":"no"}`, true, 400, "InvalidParameterException", "Value 'no' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"},
		{"two errors", "POST", "ListUserPools", `{"MaxResults":0,"NextToken":""}`, true, 400, "InvalidParameterException", "3 validation errors detected: "},
		{"unsigned", "POST", "DescribeUserPool", `{"UserPoolId":"us-east-1_abc"}`, false, 403, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"unimplemented", "POST", "AdminGetDevice", `{"UserPoolId":"us-east-1_a","Username":"u","DeviceKey":"us-east-1_0000"}`, true, 400, "UnsupportedOperationException", "AdminGetDevice"},
		{"panic", "POST", "DeleteUserPool", `{"UserPoolId":"us-east-1_abc"}`, true, 500, "InternalErrorException", "request ID"},
		{"internal error hidden", "POST", "ListUserPools", `{"MaxResults":1}`, true, 500, "InternalErrorException", "request ID"},
		{"empty body", "POST", "ListUserPools", ``, true, 400, "InvalidParameterException", "maxResults"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := do(h, c.method, api.TargetPrefix+"."+c.op, c.body, c.signed)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if rec.Header().Get("x-amzn-RequestId") == "" {
				t.Error("no x-amzn-RequestId")
			}
			if rec.Header().Get("Content-Type") != ContentType {
				t.Errorf("Content-Type %q", rec.Header().Get("Content-Type"))
			}
			if c.errType == "" {
				return
			}
			var body struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("error body %q: %v", rec.Body, err)
			}
			if body.Type != c.errType || rec.Header().Get("x-amzn-ErrorType") != c.errType {
				t.Fatalf("__type %q (header %q), want %s: %s", body.Type, rec.Header().Get("x-amzn-ErrorType"), c.errType, body.Message)
			}
			if !strings.Contains(body.Message, c.msg) {
				t.Fatalf("message %q does not contain %q", body.Message, c.msg)
			}
			if strings.Contains(body.Message, "boom") || strings.Contains(body.Message, "fire") {
				t.Fatalf("internal detail leaked: %q", body.Message)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	h := newHandler()
	h.MaxBody = 1024
	rec := do(h, "POST", api.TargetPrefix+".DescribeUserPool", `{"UserPoolId":"`+strings.Repeat("a", 2000)+`"}`, true)
	if rec.Code != http.StatusRequestEntityTooLarge || rec.Header().Get("x-amzn-ErrorType") != "SerializationException" {
		t.Fatalf("status %d %s: %s", rec.Code, rec.Header().Get("x-amzn-ErrorType"), rec.Body)
	}
}

func TestRegionReachesService(t *testing.T) {
	var got api.RequestInfo
	h := newHandler()
	h.Service = regionService{got: &got}
	rec := do(h, "POST", api.TargetPrefix+".DescribeUserPool", `{"UserPoolId":"us-east-1_abc"}`, true)
	if rec.Code != 200 || got.Region != "eu-west-1" || got.AccessKeyID != "AKID" || got.RequestID != rec.Header().Get("x-amzn-RequestId") {
		t.Fatalf("status %d, info %+v", rec.Code, got)
	}
}

type regionService struct {
	api.Unimplemented
	got *api.RequestInfo
}

func (s regionService) DescribeUserPool(ctx context.Context, in *api.DescribeUserPoolInput) (*api.DescribeUserPoolOutput, error) {
	*s.got = api.RequestInfoFrom(ctx)
	return &api.DescribeUserPoolOutput{}, nil
}

// FuzzDecodeRequest sends arbitrary targets and bodies: the handler must always
// answer with a well-formed AWS response and never a server error.
func FuzzDecodeRequest(f *testing.F) {
	f.Add("CreateUserPool", `{"PoolName":"p","Policies":{"PasswordPolicy":{"MinimumLength":8}}}`)
	f.Add("DescribeUserPool", `{"UserPoolId":"us-east-1_abc"}`)
	f.Add("AdminCreateUser", `{"UserPoolId":"us-east-1_a","Username":"u","UserAttributes":[{"Name":"email","Value":"a@b"}]}`)
	f.Add("ListUserPools", `{"MaxResults":1e400}`)
	f.Add("UpdateUserPool", `{"UserPoolId":"x_y","UserPoolTags":{"":"\u0000"}}`)
	f.Add("Nope", `{{{`)
	h := newHandler()
	f.Fuzz(func(t *testing.T, op, body string) {
		if op == "DeleteUserPool" || op == "ListUserPools" {
			op = "DescribeUserPool" // the fixture fails those on purpose
		}
		rec := do(h, "POST", api.TargetPrefix+"."+op, body, true)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %s %q: %s", rec.Code, op, body, rec.Body)
		}
		if rec.Code != 200 {
			var e struct {
				Type string `json:"__type"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Type == "" {
				t.Fatalf("error body %q is not an AWS error", rec.Body)
			}
		}
	})
}
