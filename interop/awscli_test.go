// Package interop runs the clients people really use against a real server.
package interop

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"cognate/internal/cognatetest"
)

// requireTool skips when a client is not installed, except in CI, which
// installs it. pkgs are the Debian packages that bring it; what names the test.
func requireTool(t *testing.T, name, pkgs, what string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (apt-get install %s); .ci/run installs it", name, pkgs)
		}
		t.Skipf("%s is not installed (apt-get install %s): skipping the %s interop test", name, pkgs, what)
	}
}

var cliSession = regexp.MustCompile("(?s)<!-- cli-session -->\\s*```sh\\n(.*?)```\\s*<!-- /cli-session -->")

// TestREADMESession runs the AWS CLI session of README.md, as written, against
// a fresh server in development mode.
func TestREADMESession(t *testing.T) {
	requireTool(t, "aws", "awscli", "AWS CLI")
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := cliSession.FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no <!-- cli-session --> block")
	}
	s := cognatetest.Start(t, cognatetest.SQLite, cognatetest.Dev())
	script := strings.ReplaceAll(string(m[1]), "http://localhost:9229", s.URL)
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "AWS_CONFIG_FILE=/dev/null", "AWS_PAGER=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README session failed: %v\n%s", err, out)
	}
	for _, want := range []string{`"MinimumLength": 10`, `"ClientName": "web"`, `"UserPools"`, `"GroupName": "admins"`, `"Code":`, `"Username": "alice"`, `"kty":"RSA"`, `"UserConfirmed": false`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}

// TestAdminCredentialsFile signs with the credentials file a first start
// writes, as the README tells a user to, and checks an unsigned call is refused.
func TestAdminCredentialsFile(t *testing.T) {
	requireTool(t, "aws", "awscli", "AWS CLI")
	s := cognatetest.Start(t, cognatetest.SQLite, cognatetest.FirstStart())
	run := func(env ...string) (string, error) {
		cmd := exec.Command("aws", "--endpoint-url", s.URL, "cognito-idp", "list-user-pools", "--max-results", "5")
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_CONFIG_FILE=/dev/null", "AWS_DEFAULT_REGION=us-east-1"}, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("AWS_SHARED_CREDENTIALS_FILE="+s.Config.DataDir+"/admin-credentials", "AWS_PROFILE=cognate"); err != nil {
		t.Fatalf("signed call failed: %v\n%s", err, out)
	}
	out, err := run("AWS_ACCESS_KEY_ID=AKIAWRONGWRONGWRONG0", "AWS_SECRET_ACCESS_KEY=wrong")
	if err == nil || !strings.Contains(out, "UnrecognizedClientException") {
		t.Fatalf("unknown key: %v\n%s", err, out)
	}
}
