package e2e_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"cognate/internal/cognatetest"
)

func TestSigV4_Refusals(t *testing.T) {
	s := cognatetest.Start(t, cognatetest.SQLite)
	list := &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)}

	_, err := s.NewClient("AKIAUNKNOWNKEY000000", "whatever").ListUserPools(ctx, list)
	wantErr(t, err, "UnrecognizedClientException", "The security token included in the request is invalid.")

	_, err = s.NewClient(cognatetest.AccessKeyID, "not-the-secret").ListUserPools(ctx, list)
	wantErr(t, err, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.")

	anon := cip.New(cip.Options{BaseEndpoint: aws.String(s.URL), Region: "us-east-1", Credentials: aws.AnonymousCredentials{}})
	_, err = anon.ListUserPools(ctx, list)
	wantErr(t, err, "MissingAuthenticationTokenException", "Missing Authentication Token")

	must[*cip.ListUserPoolsOutput](t)(s.Client.ListUserPools(ctx, list))
}

func TestSigV4_RegionFromCredentialScope(t *testing.T) {
	s := cognatetest.Start(t, cognatetest.SQLite)
	eu := cip.New(cip.Options{BaseEndpoint: aws.String(s.URL), Region: "eu-west-1",
		Credentials: credentials.NewStaticCredentialsProvider(cognatetest.AccessKeyID, cognatetest.SecretAccessKey, "")})
	p := must[*cip.CreateUserPoolOutput](t)(eu.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("eu")})).UserPool
	if !strings.HasPrefix(aws.ToString(p.Id), "eu-west-1_") || !strings.HasPrefix(aws.ToString(p.Arn), "arn:aws:cognito-idp:eu-west-1:") {
		t.Errorf("pool %s, ARN %s: not in the signature's region", aws.ToString(p.Id), aws.ToString(p.Arn))
	}
}

func TestSigV4_DevModeAcceptsAnyKey(t *testing.T) {
	s := cognatetest.Start(t, cognatetest.SQLite, cognatetest.Dev())
	c := s.NewClient("local", "local")
	id := newPool(t, c, "dev")
	must[*cip.DescribeUserPoolOutput](t)(c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(id)}))
}

func TestFirstStart_CreatesAdministratorKey(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		path := filepath.Join(s.Config.DataDir, "admin-credentials")
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("no credentials file: %v", err)
		}
		id := regexp.MustCompile(`aws_access_key_id = (\S+)`).FindSubmatch(raw)
		secret := regexp.MustCompile(`aws_secret_access_key = (\S+)`).FindSubmatch(raw)
		if id == nil || secret == nil {
			t.Fatalf("credentials file:\n%s", raw)
		}
		c := s.NewClient(string(id[1]), string(secret[1]))
		newPool(t, c, "first")
		// The key is kept across restarts, and no second key is made.
		s = s.Restart(t)
		newPool(t, s.NewClient(string(id[1]), string(secret[1])), "again")
		if again, _ := os.ReadFile(path); string(again) != string(raw) {
			t.Error("the credentials file changed on restart")
		}
	}, cognatetest.FirstStart())
}
