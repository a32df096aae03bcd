package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/crypto/bcrypt"

	"cognate/internal/cognatetest"
)

const logsRole = "arn:aws:iam::123456789012:role/CognitoImport"

// csvFile builds an import file with the given header and rows.
func csvFile(header []string, rows ...[]string) []byte {
	var b bytes.Buffer
	b.WriteString(strings.Join(header, ",") + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return b.Bytes()
}

// row fills a row of header with the values given by column name.
func row(header []string, values map[string]string) []string {
	out := make([]string, len(header))
	for i, h := range header {
		out[i] = values[h]
	}
	return out
}

// upload PUTs a file to a job's presigned URL, as a client uploading to S3 does.
func upload(t *testing.T, url string, body []byte) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("x-amz-server-side-encryption", "aws:kms")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// waitJob waits for a job to reach a final status.
func waitJob(t *testing.T, c *cip.Client, poolID, jobID string) *types.UserImportJobType {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		j := must[*cip.DescribeUserImportJobOutput](t)(c.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: &poolID, JobId: &jobID})).UserImportJob
		switch j.Status {
		case types.UserImportJobStatusTypeSucceeded, types.UserImportJobStatusTypeFailed, types.UserImportJobStatusTypeStopped:
			return j
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("import job %s did not finish", jobID)
	return nil
}

type reportRow struct {
	Line     int64
	Username string
	Outcome  string
	Reason   string
}

func importReport(t *testing.T, s *cognatetest.Server, poolID, jobID string) []reportRow {
	t.Helper()
	resp := adminGet(t, s, "/_cognate/import/"+poolID+"/"+jobID+"/report", true)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("report: %d %s", resp.StatusCode, body)
	}
	var out struct{ Rows []reportRow }
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	return out.Rows
}

// runImport creates a job, uploads the file, starts it and waits for its end.
func runImport(t *testing.T, s *cognatetest.Server, poolID string, file []byte) *types.UserImportJobType {
	t.Helper()
	c := s.Client
	job := must[*cip.CreateUserImportJobOutput](t)(c.CreateUserImportJob(ctx, &cip.CreateUserImportJobInput{UserPoolId: &poolID,
		JobName: aws.String("import"), CloudWatchLogsRoleArn: aws.String(logsRole)})).UserImportJob
	if resp := upload(t, aws.ToString(job.PreSignedUrl), file); resp.StatusCode != 200 {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	must[*cip.StartUserImportJobOutput](t)(c.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: &poolID, JobId: job.JobId}))
	return waitJob(t, c, poolID, aws.ToString(job.JobId))
}

func TestUserImportJob_Lifecycle(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		poolID := newPool(t, c, "import")
		header := must[*cip.GetCSVHeaderOutput](t)(c.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: &poolID})).CSVHeader
		if n := len(header); n < 3 || header[n-1] != "cognito:username" || header[n-2] != "cognito:mfa_enabled" || header[0] != "name" {
			t.Fatalf("CSV header %v", header)
		}
		createUser(t, c, poolID, "existing")

		job := must[*cip.CreateUserImportJobOutput](t)(c.CreateUserImportJob(ctx, &cip.CreateUserImportJobInput{UserPoolId: &poolID,
			JobName: aws.String("first"), CloudWatchLogsRoleArn: aws.String(logsRole)})).UserImportJob
		if job.Status != types.UserImportJobStatusTypeCreated || !strings.HasPrefix(aws.ToString(job.JobId), "import-") ||
			!strings.HasPrefix(aws.ToString(job.PreSignedUrl), s.Config.PublicURL+"/") {
			t.Fatalf("new job %+v", job)
		}
		_, err := c.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: &poolID, JobId: job.JobId})
		wantErr(t, err, "PreconditionNotMetException", "has not been uploaded")
		if resp := upload(t, aws.ToString(job.PreSignedUrl)+"x", []byte("x")); resp.StatusCode != 403 {
			t.Errorf("upload with a forged signature: %d", resp.StatusCode)
		}

		file := csvFile(header,
			row(header, map[string]string{"cognito:username": "ann", "email": "ann@example.com", "email_verified": "true", "name": "Ann"}),
			row(header, map[string]string{"cognito:username": "bea", "email": "not-an-email"}),
			row(header, map[string]string{"cognito:username": "existing"}),
			[]string{"ragged"},
			row(header, map[string]string{"cognito:username": "cid", "name": "=SUM(A1)"}),
			row(header, map[string]string{"cognito:username": "dee", "phone_number": "+15555550100", "phone_number_verified": "true"}),
		)
		if resp := upload(t, aws.ToString(job.PreSignedUrl), file); resp.StatusCode != 200 {
			t.Fatalf("upload: %d", resp.StatusCode)
		}
		started := must[*cip.StartUserImportJobOutput](t)(c.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: &poolID, JobId: job.JobId})).UserImportJob
		if started.Status != types.UserImportJobStatusTypePending || started.StartDate == nil {
			t.Errorf("started job %+v", started)
		}
		done := waitJob(t, c, poolID, aws.ToString(job.JobId))
		if done.Status != types.UserImportJobStatusTypeSucceeded || done.ImportedUsers != 2 || done.SkippedUsers != 1 ||
			done.FailedUsers != 3 || done.CompletionDate == nil || aws.ToString(done.CompletionMessage) == "" {
			t.Fatalf("finished job: %s imported %d skipped %d failed %d %q", done.Status, done.ImportedUsers,
				done.SkippedUsers, done.FailedUsers, aws.ToString(done.CompletionMessage))
		}
		ann := getUser(t, c, poolID, "ann")
		if ann.UserStatus != types.UserStatusTypeResetRequired {
			t.Errorf("imported user status %s", ann.UserStatus)
		}
		wantAttr(t, ann.UserAttributes, "email", "ann@example.com", true)
		report := importReport(t, s, poolID, aws.ToString(job.JobId))
		lines := map[int64]string{}
		for _, r := range report {
			lines[r.Line] = r.Outcome + ": " + r.Reason
		}
		for line, want := range map[int64]string{3: "Failed: Invalid email", 4: "Skipped", 5: "Failed: the row has 1 fields", 6: "Failed: name starts like a spreadsheet formula"} {
			if !strings.HasPrefix(lines[line], want) {
				t.Errorf("report line %d = %q, want %q… (report %+v)", line, lines[line], want, report)
			}
		}
		list := must[*cip.ListUserImportJobsOutput](t)(c.ListUserImportJobs(ctx, &cip.ListUserImportJobsInput{UserPoolId: &poolID, MaxResults: aws.Int32(10)}))
		if len(list.UserImportJobs) != 1 || aws.ToString(list.UserImportJobs[0].JobId) != aws.ToString(job.JobId) {
			t.Errorf("ListUserImportJobs %+v", list.UserImportJobs)
		}
		_, err = c.StopUserImportJob(ctx, &cip.StopUserImportJobInput{UserPoolId: &poolID, JobId: job.JobId})
		wantErr(t, err, "PreconditionNotMetException", "")
		_, err = c.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: &poolID, JobId: aws.String("import-nosuchjob")})
		wantErr(t, err, "ResourceNotFoundException", "")

		// A file whose header the pool does not know fails the job.
		bad := runImport(t, s, poolID, []byte("cognito:username,shoe_size\nx,44\n"))
		if bad.Status != types.UserImportJobStatusTypeFailed || !strings.Contains(aws.ToString(bad.CompletionMessage), "shoe_size") {
			t.Errorf("job with an unknown column: %s %q", bad.Status, aws.ToString(bad.CompletionMessage))
		}
	})
}

func TestUserImportJob_PasswordHashes(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		poolID, clientID := signInPool(t, c)
		hash, _ := bcrypt.GenerateFromPassword([]byte("Imported-Pass-1"), bcrypt.MinCost)
		header := append(must[*cip.GetCSVHeaderOutput](t)(c.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: &poolID})).CSVHeader, "cognate:password_hash")
		done := runImport(t, s, poolID, csvFile(header,
			row(header, map[string]string{"cognito:username": "moved", "cognate:password_hash": string(hash)}),
			row(header, map[string]string{"cognito:username": "broken", "cognate:password_hash": "$md5$nope"})))
		if done.ImportedUsers != 1 || done.FailedUsers != 1 {
			t.Fatalf("imported %d, failed %d", done.ImportedUsers, done.FailedUsers)
		}
		if st := getUser(t, c, poolID, "moved").UserStatus; st != types.UserStatusTypeConfirmed {
			t.Errorf("a user imported with a password is %s", st)
		}
		// SRP needs a verifier, which only the first password sign-in makes.
		_, err := srpAuth(t, c, poolID, clientID, "moved", "Imported-Pass-1", nil)
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
		_, err = passwordAuth(c, clientID, "moved", "wrong")
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
		must[*cip.InitiateAuthOutput](t)(passwordAuth(c, clientID, "moved", "Imported-Pass-1"))
		if _, err := srpAuth(t, c, poolID, clientID, "moved", "Imported-Pass-1", nil); err != nil {
			t.Fatalf("SRP after the first password sign-in: %v", err)
		}
	})
}

// A job runs on exactly one of two nodes sharing PostgreSQL.
func TestUserImportJob_TwoNodes(t *testing.T) {
	a, b := twoNodes(t)
	poolID := newPool(t, a.Client, "import")
	header := []string{"email", "cognito:username"}
	var rows [][]string
	for i := range 5000 {
		rows = append(rows, []string{fmt.Sprintf("u%d@example.com", i), fmt.Sprintf("user%05d", i)})
	}
	job := runImport(t, b, poolID, csvFile(header, rows...))
	if job.Status != types.UserImportJobStatusTypeSucceeded || job.ImportedUsers != 5000 || job.SkippedUsers != 0 || job.FailedUsers != 0 {
		t.Fatalf("job on two nodes: %s imported %d skipped %d failed %d", job.Status, job.ImportedUsers, job.SkippedUsers, job.FailedUsers)
	}
	pool := must[*cip.DescribeUserPoolOutput](t)(a.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})).UserPool
	if pool.EstimatedNumberOfUsers != 5000 {
		t.Errorf("users in the pool: %d", pool.EstimatedNumberOfUsers)
	}
}

// Export a pool and import it into a fresh one: every user, attribute and
// group membership is the same, and with passwords users sign in unchanged.
func TestUserExport_RoundTrip(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		from, _ := signInPool(t, c)
		must[*cip.CreateGroupOutput](t)(c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &from, GroupName: aws.String("admins")}))
		createSignInUser(t, c, from, "bob", "Bobs-Password-1", true, "name", "Bob, \"the\" Builder", "phone_number", "+15555550123")
		must[*cip.AdminAddUserToGroupOutput](t)(c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &from, Username: aws.String("bob"), GroupName: aws.String("admins")}))

		var file bytes.Buffer
		n := must[int](t)(s.Inner().Service.ExportUsers(ctx, from, &file, true))
		if n != 2 {
			t.Fatalf("exported %d users", n)
		}
		to, toClient := signInPool(t, c)
		must[*cip.AdminDeleteUserOutput](t)(c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &to, Username: aws.String("alice")}))
		job := runImport(t, s, to, file.Bytes())
		if job.ImportedUsers != 2 {
			t.Fatalf("round trip imported %d: %s", job.ImportedUsers, aws.ToString(job.CompletionMessage))
		}
		for _, name := range []string{"alice", "bob"} {
			a, b := getUser(t, c, from, name), getUser(t, c, to, name)
			if fmt.Sprint(sortedAttrs(a.UserAttributes)) != fmt.Sprint(sortedAttrs(b.UserAttributes)) {
				t.Errorf("%s: attributes %v became %v", name, sortedAttrs(a.UserAttributes), sortedAttrs(b.UserAttributes))
			}
		}
		groups := must[*cip.AdminListGroupsForUserOutput](t)(c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &to, Username: aws.String("bob")})).Groups
		if len(groups) != 1 || aws.ToString(groups[0].GroupName) != "admins" {
			t.Errorf("bob's groups after the round trip: %+v", groups)
		}
		must[*cip.InitiateAuthOutput](t)(passwordAuth(c, toClient, "bob", "Bobs-Password-1"))
		must[*cip.InitiateAuthOutput](t)(passwordAuth(c, toClient, "alice", password))
	})
}

func sortedAttrs(attrs []types.AttributeType) map[string]string {
	m := map[string]string{}
	for _, a := range attrs {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

// Stopping a running job stops it after the batch in progress; a server
// restarted in the middle of a job takes it up where it stood, importing
// every row once.
func TestUserImportJob_StopAndRestart(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		poolID := newPool(t, s.Client, "import")
		header := []string{"email", "cognito:username"}
		var rows [][]string
		for i := range 20000 {
			rows = append(rows, []string{fmt.Sprintf("u%d@example.com", i), fmt.Sprintf("user%05d", i)})
		}
		file := csvFile(header, rows...)
		start := func(c *cip.Client) string {
			job := must[*cip.CreateUserImportJobOutput](t)(c.CreateUserImportJob(ctx, &cip.CreateUserImportJobInput{UserPoolId: &poolID,
				JobName: aws.String("big"), CloudWatchLogsRoleArn: aws.String(logsRole)})).UserImportJob
			upload(t, aws.ToString(job.PreSignedUrl), file)
			must[*cip.StartUserImportJobOutput](t)(c.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: &poolID, JobId: job.JobId}))
			return aws.ToString(job.JobId)
		}
		describe := func(c *cip.Client, id string) *types.UserImportJobType {
			return must[*cip.DescribeUserImportJobOutput](t)(c.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: &poolID, JobId: &id})).UserImportJob
		}
		// waitProgress waits until a job has imported some rows but not all.
		waitProgress := func(c *cip.Client, id string) bool {
			for range 3000 {
				j := describe(c, id)
				if j.ImportedUsers+j.SkippedUsers > 0 && j.Status == types.UserImportJobStatusTypeInProgress {
					return true
				}
				if j.Status == types.UserImportJobStatusTypeSucceeded {
					return false
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Fatal("the job made no progress")
			return false
		}

		id := start(s.Client)
		if !waitProgress(s.Client, id) {
			t.Skip("the job finished before it could be stopped")
		}
		must[*cip.StopUserImportJobOutput](t)(s.Client.StopUserImportJob(ctx, &cip.StopUserImportJobInput{UserPoolId: &poolID, JobId: &id}))
		stopped := waitJob(t, s.Client, poolID, id)
		if stopped.Status != types.UserImportJobStatusTypeStopped || stopped.ImportedUsers == 20000 {
			t.Fatalf("stopped job: %s with %d imported", stopped.Status, stopped.ImportedUsers)
		}
		imported := stopped.ImportedUsers

		// The rest, through a second job that a restart interrupts: the
		// users the first job imported are skipped, the others imported.
		id = start(s.Client)
		if waitProgress(s.Client, id) {
			s = s.Restart(t)
		}
		done := waitJob(t, s.Client, poolID, id)
		if done.Status != types.UserImportJobStatusTypeSucceeded || done.ImportedUsers+done.SkippedUsers != 20000 ||
			done.SkippedUsers != imported || done.FailedUsers != 0 {
			t.Fatalf("after the restart: %s imported %d skipped %d failed %d (the stopped job imported %d)",
				done.Status, done.ImportedUsers, done.SkippedUsers, done.FailedUsers, imported)
		}
		pool := must[*cip.DescribeUserPoolOutput](t)(s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})).UserPool
		if pool.EstimatedNumberOfUsers != 20000 {
			t.Errorf("users in the pool: %d", pool.EstimatedNumberOfUsers)
		}
	})
}
