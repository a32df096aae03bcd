package cognito

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"cognate/internal/api"
	"cognate/internal/store"
)

// importPool makes a pool and an import file of n users.
func importPool(t testing.TB, s *Service, n int) (string, []byte) {
	t.Helper()
	p, err := s.CreateUserPool(context.Background(), &api.CreateUserPoolInput{PoolName: new("import")})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString("email,cognito:username\n")
	for i := range n {
		fmt.Fprintf(&b, "u%d@example.com,user%06d\n", i, i)
	}
	return *p.UserPool.Id, b.Bytes()
}

// A job interrupted after a batch resumes where it stood: no row is
// imported twice, none is lost.
func TestImportJob_ResumesAfterInterruption(t *testing.T) {
	s, st := newTestService(t)
	poolID, file := importPool(t, s, 2*importBatch+500)
	ctx, cancel := context.WithCancel(context.Background())
	jobID, err := s.ImportFile(ctx, poolID, "resume", bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	err = s.RunImportJob(ctx, poolID, jobID, "first", func(store.ImportJob) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	j, err := st.GetImportJob(context.Background(), poolID, jobID)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != jobInProgress || j.Imported != importBatch || j.LeaseOwner != "" || j.Line != importBatch+2 {
		t.Fatalf("after one batch: status %s imported %d lease %q line %d", j.Status, j.Imported, j.LeaseOwner, j.Line)
	}
	if err := s.RunImportJob(context.Background(), poolID, jobID, "second", nil); err != nil {
		t.Fatal(err)
	}
	j, _ = st.GetImportJob(context.Background(), poolID, jobID)
	n, _ := st.CountUsers(context.Background(), poolID)
	if j.Status != jobSucceeded || j.Imported != int64(2*importBatch+500) || j.Skipped != 0 || j.Failed != 0 || n != int64(2*importBatch+500) {
		t.Fatalf("after the resumed run: status %s imported %d skipped %d failed %d, %d users", j.Status, j.Imported, j.Skipped, j.Failed, n)
	}
}

// Rows whose values span lines keep the report's line numbers true.
func TestImportJob_LineNumbers(t *testing.T) {
	s, st := newTestService(t)
	poolID, _ := importPool(t, s, 0)
	file := "name,cognito:username\n\"two\nlines\",a\nbad\"quote,b\n,\n\"x\",c\n=1,d\n"
	jobID, err := s.ImportFile(context.Background(), poolID, "lines", strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RunImportJob(context.Background(), poolID, jobID, "runner", nil); err != nil {
		t.Fatal(err)
	}
	rows, err := st.ListImportRowResults(context.Background(), poolID, jobID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, r := range rows {
		got[r.Line] = r.Reason
	}
	if len(rows) != 3 || !strings.Contains(got[4], "quote") || !strings.Contains(got[5], "cognito:username is empty") || !strings.Contains(got[7], "formula") {
		t.Fatalf("report %+v", rows)
	}
}

// FuzzImportRows: any file goes through the reader and the row checks
// without a panic; each row is imported or refused with a reason.
func FuzzImportRows(f *testing.F) {
	s, _ := newTestService(f)
	poolID, _ := importPool(f, s, 0)
	p, err := s.getPool(context.Background(), s.store, poolID)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("email,cognito:username\na@example.com,a\n"))
	f.Add([]byte("\ufeffemail,cognito:username\n\"unterminated,a\n"))
	f.Add([]byte("email,cognito:username\n\xff\xfe,a\n=cmd,b\n,,,,\n"))
	f.Add([]byte(strings.Repeat("\"", 1000)))
	f.Fuzz(func(t *testing.T, file []byte) {
		r := newRowReader(bytes.NewReader(file))
		header, _, err := r.next()
		if err != nil {
			return
		}
		cols, err := p.parseHeader(header)
		if err != nil {
			return
		}
		for range 100 {
			rec, _, err := r.next()
			if err != nil {
				return
			}
			if _, err := s.importRow(p, cols, rec, ""); err != nil && err.Error() == "" {
				t.Fatal("a refused row without a reason")
			}
		}
	})
}

// A job's PasswordHashingAlgorithm must match every hash of the file (the
// official SDKs of this version do not send it yet, so it is tested here).
func TestImportJob_PasswordHashingAlgorithm(t *testing.T) {
	s, st := newTestService(t)
	ctx := context.Background()
	poolID, _ := importPool(t, s, 0)
	out, err := s.CreateUserImportJob(ctx, &api.CreateUserImportJobInput{UserPoolId: &poolID, JobName: new("scrypt"),
		CloudWatchLogsRoleArn: new("arn:aws:iam::123456789012:role/import"), PasswordHashingAlgorithm: api.PasswordHashingAlgorithmTypeScrypt})
	if err != nil {
		t.Fatal(err)
	}
	if out.UserImportJob.PasswordHashingAlgorithm != api.PasswordHashingAlgorithmTypeScrypt {
		t.Errorf("job algorithm %q", out.UserImportJob.PasswordHashingAlgorithm)
	}
	const bcryptHash = "$2b$04$abcdefghijklmnopqrstuu5Pm6e1lqUZ7lO7f0mnHwvGOz2SnXIbS"
	file := "cognito:username,cognate:password_hash\nann," + bcryptHash + "\n"
	q := mustQuery(t, *out.UserImportJob.PreSignedUrl)
	if err := s.UploadImportFile(ctx, poolID, *out.UserImportJob.JobId, q.Get("expires"), q.Get("signature"), strings.NewReader(file)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartUserImportJob(ctx, &api.StartUserImportJobInput{UserPoolId: &poolID, JobId: out.UserImportJob.JobId}); err != nil {
		t.Fatal(err)
	}
	if err := s.RunImportJob(ctx, poolID, *out.UserImportJob.JobId, "runner", nil); err != nil {
		t.Fatal(err)
	}
	rows, _ := st.ListImportRowResults(ctx, poolID, *out.UserImportJob.JobId, 0, 0)
	if len(rows) != 1 || !strings.Contains(rows[0].Reason, "PasswordHashingAlgorithm is SCRYPT") {
		t.Fatalf("report %+v", rows)
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
