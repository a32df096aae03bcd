package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"cognate/internal/cognatetest"
)

const identityJSDir = "identityjs"

// installIdentityJS runs npm ci when node_modules does not hold exactly the
// versions package.json pins, so a fresh clone or a version bump needs no
// manual step.
func installIdentityJS(t *testing.T) {
	t.Helper()
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	readJSON(t, filepath.Join(identityJSDir, "package.json"), &pkg)
	if installedMatches(pkg.Dependencies) {
		return
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Fatalf("npm is not installed (apt-get install nodejs npm); it installs %s/package-lock.json", identityJSDir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = identityJSDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", identityJSDir, err, out)
	}
	if !installedMatches(pkg.Dependencies) {
		t.Fatalf("npm ci did not install the versions %s/package.json pins: %v", identityJSDir, pkg.Dependencies)
	}
}

func installedMatches(deps map[string]string) bool {
	for name, want := range deps {
		var got struct{ Version string }
		b, err := os.ReadFile(filepath.Join(identityJSDir, "node_modules", name, "package.json"))
		if err != nil || json.Unmarshal(b, &got) != nil || got.Version != want {
			return false
		}
	}
	return true
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// jsStep is one step of the summary identityjs/signin.js prints.
type jsStep struct {
	Name       string            `json:"name"`
	OK         bool              `json:"ok"`
	Error      string            `json:"error"`
	Calls      []string          `json:"calls"`
	Flows      []string          `json:"flows"`
	Sub        string            `json:"sub"`
	ErrorCode  string            `json:"errorCode"`
	Status     int               `json:"status"`
	Attributes map[string]string `json:"attributes"`
	IDClaims   []string          `json:"idClaims"`
	AccClaims  []string          `json:"accessClaims"`
}

// TestIdentityJS signs in with amazon-cognito-identity-js, the library behind
// Amplify's Cognito sign-in, over every flow it offers a client without a
// secret, and verifies the tokens with aws-jwt-verify against the JWKS.
func TestIdentityJS(t *testing.T) {
	requireTool(t, "node", "nodejs npm", "amazon-cognito-identity-js")
	installIdentityJS(t)

	s := cognatetest.Start(t, cognatetest.SQLite)
	ctx := context.Background()
	c := s.Client
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("identityjs")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	client, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("web"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth,
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	clientID := aws.ToString(client.UserPoolClient.ClientId)

	const (
		user, password, email              = "alice", "Correct-Horse-42", "alice@example.com"
		newUser, tempPassword, newPassword = "bob", "Temporary-Pass-1", "Brand-New-Pass-7"
	)
	create := func(name, pw string, attrs ...types.AttributeType) {
		t.Helper()
		if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String(name),
			MessageAction: types.MessageActionTypeSuppress, TemporaryPassword: aws.String(pw), UserAttributes: attrs}); err != nil {
			t.Fatal(err)
		}
	}
	create(user, "Temporary-Pass-0", types.AttributeType{Name: aws.String("email"), Value: aws.String(email)})
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String(user),
		Password: aws.String(password), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	create(newUser, tempPassword)

	start := time.Now()
	nctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(nctx, "node", "signin.js")
	cmd.Dir = identityJSDir
	cmd.Env = append(os.Environ(),
		"COGNATE_ENDPOINT="+s.URL, "COGNATE_PUBLIC_URL="+s.Config.PublicURL,
		"COGNATE_POOL_ID="+poolID, "COGNATE_CLIENT_ID="+clientID,
		"COGNATE_USER="+user, "COGNATE_PASSWORD="+password, "COGNATE_EMAIL="+email,
		"COGNATE_NEW_USER="+newUser, "COGNATE_TEMP_PASSWORD="+tempPassword, "COGNATE_NEW_PASSWORD="+newPassword)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	t.Logf("signin.js ran in %v", time.Since(start).Round(time.Millisecond))

	var summary struct {
		Steps    []jsStep          `json:"steps"`
		Requests []json.RawMessage `json:"requests"`
		Fatal    string            `json:"fatal"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &summary); err != nil {
		t.Fatalf("signin.js: %v, no JSON summary (%v)\nstdout:\n%s\nstderr:\n%s", runErr, err, stdout.String(), stderr.String())
	}
	trace := func() string {
		var b strings.Builder
		for _, r := range summary.Requests {
			b.Write(r)
			b.WriteByte('\n')
		}
		return b.String()
	}
	if summary.Fatal != "" || runErr != nil {
		t.Fatalf("signin.js: %v %s\nstderr:\n%s\nrequests:\n%s", runErr, summary.Fatal, stderr.String(), trace())
	}

	steps := map[string]jsStep{}
	failed := false
	for _, st := range summary.Steps {
		steps[st.Name] = st
		if !st.OK {
			failed = true
			t.Errorf("step %s: %s (calls %v)", st.Name, st.Error, st.Calls)
		}
	}
	if failed {
		t.Fatalf("requests the library sent, and what Cognate answered:\n%s", trace())
	}

	// Each step went through the flow it is named for, and nothing else.
	srp := []string{"USER_SRP_AUTH", "PASSWORD_VERIFIER"}
	wantFlows := map[string][]string{
		"srp":                          srp,
		"srp_wrong_password":           srp,
		"user_password":                {"USER_PASSWORD_AUTH"},
		"user_password_wrong_password": {"USER_PASSWORD_AUTH"},
		"refresh":                      {"REFRESH_TOKEN_AUTH"},
		"get_user_attributes":          nil,
		"new_password_required":        append(slices.Clone(srp), "NEW_PASSWORD_REQUIRED"),
		"new_password_sign_in":         append(slices.Clone(srp), srp...),
	}
	for name, want := range wantFlows {
		st, ok := steps[name]
		if !ok {
			t.Errorf("step %s did not run", name)
			continue
		}
		if !slices.Equal(st.Flows, want) {
			t.Errorf("step %s ran flows %v, want %v", name, st.Flows, want)
		}
	}
	if got := steps["get_user_attributes"].Calls; !slices.Equal(got, []string{"GetUser"}) {
		t.Errorf("getUserAttributes called %v, want [GetUser]", got)
	}
	// The first verification fetched the JWKS from Cognate itself.
	jwks := "GET /" + poolID + "/.well-known/jwks.json"
	if !slices.Contains(steps["srp"].Calls, jwks) {
		t.Errorf("srp step calls %v, want %s among them", steps["srp"].Calls, jwks)
	}
	for _, name := range []string{"srp_wrong_password", "user_password_wrong_password"} {
		if st := steps[name]; st.ErrorCode != "NotAuthorizedException" || st.Status != 400 {
			t.Errorf("step %s: error %q with status %d, want NotAuthorizedException with 400", name, st.ErrorCode, st.Status)
		}
	}

	// The subjects the tokens carry are the users' sub attributes.
	subOf := func(name string) string {
		out, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.UserAttributes {
			if aws.ToString(a.Name) == "sub" {
				return aws.ToString(a.Value)
			}
		}
		t.Fatalf("%s has no sub", name)
		return ""
	}
	aliceSub, bobSub := subOf(user), subOf(newUser)
	for _, name := range []string{"srp", "user_password", "refresh"} {
		if got := steps[name].Sub; got != aliceSub {
			t.Errorf("step %s: sub %q, want %q", name, got, aliceSub)
		}
	}
	for _, name := range []string{"new_password_required", "new_password_sign_in"} {
		if got := steps[name].Sub; got != bobSub {
			t.Errorf("step %s: sub %q, want %q", name, got, bobSub)
		}
	}
	if got := steps["get_user_attributes"].Attributes; got["sub"] != aliceSub || got["email"] != email {
		t.Errorf("getUserAttributes: %v", got)
	}
	out, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String(newUser)})
	if err != nil {
		t.Fatal(err)
	}
	if out.UserStatus != types.UserStatusTypeConfirmed {
		t.Errorf("%s is %s after the new password, want CONFIRMED", newUser, out.UserStatus)
	}
	t.Logf("ID token claims %v; access token claims %v", steps["srp"].IDClaims, steps["srp"].AccClaims)
}
