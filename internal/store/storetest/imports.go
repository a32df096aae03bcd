package storetest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"cognate/internal/store"
)

var importTests = []test{
	{"ImportJobs", testImportJobs},
	{"ImportJobPagination", testImportJobPagination},
	{"UpdateImportJob", testUpdateImportJob},
	{"ImportJobTimes", testImportJobTimes},
	{"ImportChunks", testImportChunks},
	{"ImportRowResults", testImportRowResults},
	{"ImportRowResultsRefused", testImportRowResultsRefused},
	{"ImportRowResultsInBulk", testImportRowResultsInBulk},
	{"RunnableImportJobs", testRunnableImportJobs},
	{"RunnableImportJobsLeases", testRunnableImportJobsLeases},
	{"ExistingUserKeys", testExistingUserKeys},
	{"ExistingInTx", testExistingInTx},
	{"DeleteUserPoolDeletesImports", testDeleteUserPoolDeletesImports},
	{"ImportReadsCanceled", testImportReadsCanceled},
}

// importStatuses are every status a job may have; the runnable ones are
// Pending, InProgress and Stopping.
var importStatuses = []string{"Created", "Pending", "InProgress", "Stopping", "Stopped", "Succeeded", "Failed", "Expired"}

func newImportJob(poolID, id string) store.ImportJob {
	return store.ImportJob{PoolID: poolID, ID: id, Name: "import " + id, Status: "Created", CreatedAt: at(30),
		LogsRoleARN: "arn:aws:iam::123456789012:role/import-" + id, HashAlgorithm: "BCRYPT"}
}

// startedJob is a job part way through, with every field set.
func startedJob(poolID, id string) store.ImportJob {
	j := newImportJob(poolID, id)
	j.Status, j.StartedAt, j.Message = "InProgress", at(40), "Import Job is in progress."
	j.Imported, j.Skipped, j.Failed, j.Size, j.Offset, j.Line = 1500, 3, 2, 3<<20, 1<<20+17, 1506
	j.LeaseOwner, j.LeaseUntil = "runner-1", at(70)
	return j
}

func newRowResult(j store.ImportJob, line int64, outcome string) store.ImportRowResult {
	return store.ImportRowResult{PoolID: j.PoolID, JobID: j.ID, Line: line, Username: fmt.Sprintf("user-%d", line),
		Outcome: outcome, Reason: fmt.Sprintf("line %d: %s", line, outcome)}
}

func jobID(j store.ImportJob) string { return j.ID }

// checkChunk compares a chunk's bytes: an empty one may come back nil.
func checkChunk(t *testing.T, what string, got []byte, err error, want []byte) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: got %d bytes %.40q, want %d bytes %.40q", what, len(got), got, len(want), want)
	}
}

func createImportJobs(t *testing.T, s store.Store, jobs ...store.ImportJob) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, j := range jobs {
			if err := tx.CreateImportJob(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})
}

func addRowResults(t *testing.T, s store.Store, results ...store.ImportRowResult) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.AddImportRowResults(ctx, results) })
}

func putChunks(t *testing.T, s store.Store, j store.ImportJob, chunks ...[]byte) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for seq, data := range chunks {
			if err := tx.PutImportChunk(ctx, j.PoolID, j.ID, int64(seq), data); err != nil {
				return err
			}
		}
		return nil
	})
}

func testImportJobs(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	// Created out of order, and with IDs that sort differently but byte-wise.
	fresh, started := newImportJob(p.ID, "import-b"), startedJob(p.ID, "import-B")
	upper := newImportJob(p.ID, "import-_")
	// Jobs are keyed by pool: the same ID in another pool is another job.
	same := newImportJob(q.ID, fresh.ID)
	same.Name, same.LogsRoleARN = "in pool b", ""
	createImportJobs(t, s, fresh, started, upper, same)

	got, err := s.GetImportJob(ctx, p.ID, fresh.ID)
	// A job not started comes back with zero StartedAt, CompletedAt and LeaseUntil.
	check(t, "GetImportJob", got, err, fresh)
	got, err = s.GetImportJob(ctx, p.ID, started.ID)
	check(t, "GetImportJob of a started job", got, err, started)
	got, err = s.GetImportJob(ctx, q.ID, same.ID)
	check(t, "GetImportJob in the other pool", got, err, same)
	jobs, err := s.ListImportJobs(ctx, p.ID, store.Page{})
	checkAll(t, "ListImportJobs", jobs, err, started, upper, fresh) // 'B' < '_' < 'b'
	jobs, err = s.ListImportJobs(ctx, q.ID, store.Page{})
	checkAll(t, "ListImportJobs of the other pool", jobs, err, same)
	jobs, err = s.ListImportJobs(ctx, "us-east-1_missing", store.Page{})
	checkAll(t, "ListImportJobs of a missing pool", jobs, err)

	for what, key := range map[string][2]string{
		"of a missing job":        {p.ID, "import-missing"},
		"in another pool":         {q.ID, started.ID},
		"in a missing pool":       {"us-east-1_missing", fresh.ID},
		"of an ID's prefix":       {p.ID, "import-"},
		"of an ID in other case":  {p.ID, "IMPORT-B"},
		"of an ID with a suffix":  {p.ID, fresh.ID + " "},
		"of an ID of another job": {p.ID, upper.ID + "x"},
	} {
		_, err := s.GetImportJob(ctx, key[0], key[1])
		wantErr(t, "GetImportJob "+what, err, store.ErrNotFound)
	}

	// Every refusal changes nothing, and the transaction goes on; it reads
	// its own writes.
	taken := startedJob(p.ID, fresh.ID)
	added := newImportJob(q.ID, "import-c")
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		wantErr(t, "CreateImportJob with a taken ID", tx.CreateImportJob(ctx, taken), store.ErrConflict)
		wantErr(t, "CreateImportJob in a missing pool", tx.CreateImportJob(ctx, newImportJob("us-east-1_missing", "import-c")), store.ErrNotFound)
		wantErr(t, "UpdateImportJob of a missing job", tx.UpdateImportJob(ctx, newImportJob(p.ID, "import-missing")), store.ErrNotFound)
		wantErr(t, "UpdateImportJob in another pool", tx.UpdateImportJob(ctx, startedJob(q.ID, started.ID)), store.ErrNotFound)
		if err := tx.CreateImportJob(ctx, added); err != nil {
			return err
		}
		got, err := tx.GetImportJob(ctx, q.ID, added.ID)
		check(t, "GetImportJob in the tx", got, err, added)
		jobs, err := tx.ListImportJobs(ctx, q.ID, store.Page{})
		checkAll(t, "ListImportJobs in the tx", jobs, err, same, added)
		// Outside the transaction its writes are not seen before it commits.
		if _, err := s.GetImportJob(ctx, q.ID, added.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetImportJob outside the open tx: got %v, want ErrNotFound", err)
		}
		return nil
	})
	got, err = s.GetImportJob(ctx, p.ID, fresh.ID)
	check(t, "GetImportJob after the refused create", got, err, fresh)
	_, err = s.GetImportJob(ctx, q.ID, started.ID)
	wantErr(t, "GetImportJob of the refused update", err, store.ErrNotFound)
	got, err = s.GetImportJob(ctx, q.ID, added.ID)
	check(t, "GetImportJob of the job created after refused writes", got, err, added)
	_, err = s.GetImportJob(ctx, "us-east-1_missing", "import-c")
	wantErr(t, "GetImportJob of the refused create", err, store.ErrNotFound)

	// A rolled back transaction creates nothing.
	rollback := errors.New("roll back")
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateImportJob(ctx, newImportJob(p.ID, "import-rolled-back")); err != nil {
			return err
		}
		return rollback
	})
	wantErr(t, "Update that rolls back", err, rollback)
	_, err = s.GetImportJob(ctx, p.ID, "import-rolled-back")
	wantErr(t, "GetImportJob of a rolled back create", err, store.ErrNotFound)
}

func testImportJobPagination(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	r := rand.New(rand.NewPCG(7, 8))
	var jobs []store.ImportJob
	var want []string
	seen := map[string]bool{}
	for len(want) < 25 {
		id := randomID(r, "import-")
		if seen[id] {
			continue
		}
		seen[id] = true
		jobs = append(jobs, newImportJob(p.ID, id))
		want = append(want, id)
		// Jobs of another pool, between them, must not appear.
		jobs = append(jobs, newImportJob(q.ID, id+"q"))
	}
	createImportJobs(t, s, jobs...)
	slices.Sort(want) // byte-wise, as the store orders keys

	for _, size := range []int{1, 4, 25, 100} {
		got := pages(t, size, jobID, func(page store.Page) ([]store.ImportJob, error) { return s.ListImportJobs(ctx, p.ID, page) })
		if g := ids(got, jobID); !slices.Equal(g, want) {
			t.Fatalf("ListImportJobs in pages of %d:\n got %q\nwant %q", size, g, want)
		}
	}
	// After need not be a stored ID: this one sorts between want[10] and want[11].
	after := want[10] + "-"
	tail, err := s.ListImportJobs(ctx, p.ID, store.Page{After: after, Limit: 3})
	if g := ids(tail, jobID); err != nil || !slices.Equal(g, want[11:14]) {
		t.Fatalf("ListImportJobs after %q: %q, %v; want %q", after, g, err, want[11:14])
	}
	tail, err = s.ListImportJobs(ctx, p.ID, store.Page{After: want[len(want)-1]})
	checkAll(t, "ListImportJobs after the last job", tail, err)
}

func testUpdateImportJob(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	j, other := newImportJob(p.ID, "import-1"), startedJob(p.ID, "import-2")
	createImportJobs(t, s, j, other)

	// UpdateImportJob replaces everything but PoolID, ID, Name, CreatedAt and
	// LogsRoleARN.
	changed := startedJob(p.ID, j.ID)
	changed.Status, changed.CompletedAt, changed.Message = "Failed", at(90), "Too many users failed."
	changed.Name, changed.CreatedAt, changed.LogsRoleARN, changed.HashAlgorithm = "renamed", at(-60), "arn:aws:iam::123456789012:role/other", "SCRYPT"
	want := changed
	want.Name, want.CreatedAt, want.LogsRoleARN, want.HashAlgorithm = j.Name, j.CreatedAt, j.LogsRoleARN, j.HashAlgorithm
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.UpdateImportJob(ctx, changed); err != nil {
			return err
		}
		got, err := tx.GetImportJob(ctx, p.ID, j.ID)
		check(t, "GetImportJob in the tx after UpdateImportJob", got, err, want)
		return nil
	})
	got, err := s.GetImportJob(ctx, p.ID, j.ID)
	check(t, "GetImportJob after UpdateImportJob", got, err, want)
	got, err = s.GetImportJob(ctx, p.ID, other.ID)
	check(t, "GetImportJob of another job after UpdateImportJob", got, err, other)

	// Zero times and counts replace set ones: a lease given up, a job
	// reset for a new upload.
	reset := newImportJob(p.ID, j.ID)
	reset.Status = "Pending"
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateImportJob(ctx, reset) })
	want = reset
	want.Name, want.CreatedAt, want.LogsRoleARN, want.HashAlgorithm = j.Name, j.CreatedAt, j.LogsRoleARN, j.HashAlgorithm
	got, err = s.GetImportJob(ctx, p.ID, j.ID)
	check(t, "GetImportJob after clearing", got, err, want)
	if !got.StartedAt.IsZero() || !got.CompletedAt.IsZero() || !got.LeaseUntil.IsZero() {
		t.Fatalf("GetImportJob after clearing: times %v, %v, %v; want zero", got.StartedAt, got.CompletedAt, got.LeaseUntil)
	}

	// Updating with the same values changes nothing and is no error.
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateImportJob(ctx, want) })
	got, err = s.GetImportJob(ctx, p.ID, j.ID)
	check(t, "GetImportJob after the same update again", got, err, want)

	err = s.Update(ctx, func(tx store.Tx) error { return tx.UpdateImportJob(ctx, newImportJob(p.ID, "import-missing")) })
	wantErr(t, "UpdateImportJob of a missing job", err, store.ErrNotFound)
	err = s.Update(ctx, func(tx store.Tx) error { return tx.UpdateImportJob(ctx, newImportJob("us-east-1_missing", j.ID)) })
	wantErr(t, "UpdateImportJob in a missing pool", err, store.ErrNotFound)
	_, err = s.GetImportJob(ctx, p.ID, "import-missing")
	wantErr(t, "GetImportJob after the refused update", err, store.ErrNotFound)
}

// testImportJobTimes: every time of a job comes back to the millisecond, in
// UTC, whatever zone it was given in.
func testImportJobTimes(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	zone := time.FixedZone("UTC-09:30", -(9*3600 + 30*60))
	in := func(seconds int) time.Time { return at(seconds).In(zone) }
	j := newImportJob(p.ID, "import-1")
	j.CreatedAt = time.Date(1969, 12, 31, 23, 59, 59, 999_999_999, zone) // before the epoch
	j.StartedAt, j.CompletedAt, j.LeaseUntil = in(1), in(2), in(3)
	createImportJobs(t, s, j)
	wantTime := func(what string, got, given time.Time) {
		t.Helper()
		if want := given.Truncate(time.Millisecond); got.Location() != time.UTC || !got.Equal(want) {
			t.Fatalf("%s: got %v, want %v in UTC", what, got, want.UTC())
		}
	}
	got, err := s.GetImportJob(ctx, p.ID, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantTime("ImportJob.CreatedAt before the epoch", got.CreatedAt, j.CreatedAt)
	wantTime("ImportJob.StartedAt", got.StartedAt, j.StartedAt)
	wantTime("ImportJob.CompletedAt", got.CompletedAt, j.CompletedAt)
	wantTime("ImportJob.LeaseUntil", got.LeaseUntil, j.LeaseUntil)

	j.StartedAt, j.CompletedAt, j.LeaseUntil = in(4), in(5), in(6)
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateImportJob(ctx, j) })
	jobs, err := s.ListImportJobs(ctx, p.ID, store.Page{})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("ListImportJobs: %+v, %v", jobs, err)
	}
	wantTime("ImportJob.StartedAt after UpdateImportJob", jobs[0].StartedAt, j.StartedAt)
	wantTime("ImportJob.CompletedAt after UpdateImportJob", jobs[0].CompletedAt, j.CompletedAt)
	wantTime("ImportJob.LeaseUntil after UpdateImportJob", jobs[0].LeaseUntil, j.LeaseUntil)
	runnable := j
	runnable.Status = "InProgress"
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateImportJob(ctx, runnable) })
	jobs, err = s.RunnableImportJobs(ctx, in(7), 0)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("RunnableImportJobs: %+v, %v", jobs, err)
	}
	wantTime("ImportJob.CreatedAt from RunnableImportJobs", jobs[0].CreatedAt, j.CreatedAt)
	wantTime("ImportJob.LeaseUntil from RunnableImportJobs", jobs[0].LeaseUntil, j.LeaseUntil)
}

func testImportChunks(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	j, k, same := newImportJob(p.ID, "import-1"), newImportJob(p.ID, "import-2"), newImportJob(q.ID, "import-1")
	createImportJobs(t, s, j, k, same)
	// A full chunk of every byte value, a short last one, and an empty one.
	full := make([]byte, store.ImportChunkSize)
	for i := range full {
		full[i] = byte(i * 7)
	}
	last := []byte("username,email\r\nalice,alice@example.com\n\x00\xff")
	chunks := [][]byte{full, last, {}}
	putChunks(t, s, j, chunks...)
	putChunks(t, s, k, []byte("chunk of job 2"))
	putChunks(t, s, same, []byte("chunk of job 1 in pool b"))
	for seq, want := range chunks {
		got, err := s.GetImportChunk(ctx, p.ID, j.ID, int64(seq))
		checkChunk(t, fmt.Sprintf("GetImportChunk %d", seq), got, err, want)
	}
	got, err := s.GetImportChunk(ctx, p.ID, k.ID, 0)
	checkChunk(t, "GetImportChunk of another job", got, err, []byte("chunk of job 2"))
	got, err = s.GetImportChunk(ctx, q.ID, same.ID, 0)
	checkChunk(t, "GetImportChunk of the same job ID in another pool", got, err, []byte("chunk of job 1 in pool b"))
	for what, key := range map[string]struct {
		pool, job string
		seq       int64
	}{
		"past the last":     {p.ID, j.ID, 3},
		"before the first":  {p.ID, j.ID, -1},
		"of another job":    {p.ID, k.ID, 1},
		"of a missing job":  {p.ID, "import-missing", 0},
		"in another pool":   {q.ID, j.ID, 1},
		"in a missing pool": {"us-east-1_missing", j.ID, 0},
	} {
		_, err := s.GetImportChunk(ctx, key.pool, key.job, key.seq)
		wantErr(t, "GetImportChunk "+what, err, store.ErrNotFound)
	}

	// A chunk sent again replaces the old one, and only that one.
	again := []byte("the second chunk, sent again")
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutImportChunk(ctx, p.ID, j.ID, 1, again); err != nil {
			return err
		}
		got, err := tx.GetImportChunk(ctx, p.ID, j.ID, 1)
		checkChunk(t, "GetImportChunk in the tx after replacing it", got, err, again)
		return nil
	})
	chunks[1] = again
	for seq, want := range chunks {
		got, err := s.GetImportChunk(ctx, p.ID, j.ID, int64(seq))
		checkChunk(t, fmt.Sprintf("GetImportChunk %d after replacing chunk 1", seq), got, err, want)
	}
	got, err = s.GetImportChunk(ctx, q.ID, same.ID, 0)
	checkChunk(t, "GetImportChunk of the other pool after replacing", got, err, []byte("chunk of job 1 in pool b"))

	// Every refusal changes nothing, and the transaction goes on.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		wantErr(t, "PutImportChunk of a missing job", tx.PutImportChunk(ctx, p.ID, "import-missing", 0, last), store.ErrNotFound)
		wantErr(t, "PutImportChunk in a missing pool", tx.PutImportChunk(ctx, "us-east-1_missing", j.ID, 0, last), store.ErrNotFound)
		wantErr(t, "PutImportChunk of a job of another pool", tx.PutImportChunk(ctx, q.ID, k.ID, 0, last), store.ErrNotFound)
		return tx.PutImportChunk(ctx, p.ID, k.ID, 1, last)
	})
	for _, key := range [][2]string{{p.ID, "import-missing"}, {"us-east-1_missing", j.ID}, {q.ID, k.ID}} {
		_, err := s.GetImportChunk(ctx, key[0], key[1], 0)
		wantErr(t, "GetImportChunk of a refused PutImportChunk", err, store.ErrNotFound)
	}
	got, err = s.GetImportChunk(ctx, p.ID, k.ID, 1)
	checkChunk(t, "GetImportChunk of the chunk put after refused writes", got, err, last)

	// DeleteImportChunks removes one job's upload, and is no error when
	// there is none.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.DeleteImportChunks(ctx, p.ID, j.ID); err != nil {
			return err
		}
		_, err := tx.GetImportChunk(ctx, p.ID, j.ID, 0)
		wantErr(t, "GetImportChunk in the tx after DeleteImportChunks", err, store.ErrNotFound)
		return tx.DeleteImportChunks(ctx, p.ID, j.ID)
	})
	for seq := range chunks {
		_, err := s.GetImportChunk(ctx, p.ID, j.ID, int64(seq))
		wantErr(t, fmt.Sprintf("GetImportChunk %d after DeleteImportChunks", seq), err, store.ErrNotFound)
	}
	got, err = s.GetImportChunk(ctx, p.ID, k.ID, 0)
	checkChunk(t, "GetImportChunk of another job after DeleteImportChunks", got, err, []byte("chunk of job 2"))
	got, err = s.GetImportChunk(ctx, q.ID, same.ID, 0)
	checkChunk(t, "GetImportChunk of the other pool after DeleteImportChunks", got, err, []byte("chunk of job 1 in pool b"))
	gotJob, err := s.GetImportJob(ctx, p.ID, j.ID)
	check(t, "GetImportJob after DeleteImportChunks", gotJob, err, j)

	// A new upload starts again from chunk 0.
	putChunks(t, s, j, last)
	got, err = s.GetImportChunk(ctx, p.ID, j.ID, 0)
	checkChunk(t, "GetImportChunk of a new upload", got, err, last)
	_, err = s.GetImportChunk(ctx, p.ID, j.ID, 1)
	wantErr(t, "GetImportChunk 1 of a new upload of one chunk", err, store.ErrNotFound)
}

func testImportRowResults(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	j, k, same := newImportJob(p.ID, "import-1"), newImportJob(p.ID, "import-2"), newImportJob(q.ID, "import-1")
	createImportJobs(t, s, j, k, same)
	r1, r2, r5, r7, r9 := newRowResult(j, 1, "Failed"), newRowResult(j, 2, "Skipped"), newRowResult(j, 5, "Failed"),
		newRowResult(j, 7, "Skipped"), newRowResult(j, 9, "Failed")
	r5.Username, r5.Reason = "Ünïcødé 名前", "INVALID_PARAMETER: the email attribute is malformed; '\" --"
	r7.Username = ""
	ofK, ofSame := newRowResult(k, 2, "Failed"), newRowResult(same, 2, "Skipped")
	// Out of order, over several calls and transactions.
	addRowResults(t, s, r5, r2, r9)
	addRowResults(t, s, ofK, ofSame)
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.AddImportRowResults(ctx, []store.ImportRowResult{r7}); err != nil {
			return err
		}
		if err := tx.AddImportRowResults(ctx, []store.ImportRowResult{r1}); err != nil {
			return err
		}
		got, err := tx.ListImportRowResults(ctx, p.ID, j.ID, 0, 0)
		checkAll(t, "ListImportRowResults in the tx", got, err, r1, r2, r5, r7, r9)
		return nil
	})

	all := []store.ImportRowResult{r1, r2, r5, r7, r9}
	for _, c := range []struct {
		after int64
		limit int
		want  []store.ImportRowResult
	}{
		{0, 0, all},
		{-1, 0, all},
		{0, -1, all},
		{0, 100, all},
		{0, 2, all[:2]},
		{1, 0, all[1:]},
		{2, 2, all[2:4]},
		{3, 0, all[2:]}, // afterLine need not be a recorded line
		{7, 1, all[4:]},
		{9, 0, nil},
		{1 << 40, 0, nil},
	} {
		got, err := s.ListImportRowResults(ctx, p.ID, j.ID, c.after, c.limit)
		checkAll(t, fmt.Sprintf("ListImportRowResults after line %d, limit %d", c.after, c.limit), got, err, c.want...)
	}
	// Page through, a page's last line continuing it.
	var paged []store.ImportRowResult
	for after := int64(0); ; {
		page, err := s.ListImportRowResults(ctx, p.ID, j.ID, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page...)
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1].Line
	}
	checkAll(t, "ListImportRowResults in pages of 2", paged, nil, all...)

	got, err := s.ListImportRowResults(ctx, p.ID, k.ID, 0, 0)
	checkAll(t, "ListImportRowResults of another job", got, err, ofK)
	got, err = s.ListImportRowResults(ctx, q.ID, same.ID, 0, 0)
	checkAll(t, "ListImportRowResults of the same job ID in another pool", got, err, ofSame)
	got, err = s.ListImportRowResults(ctx, p.ID, "import-missing", 0, 0)
	checkAll(t, "ListImportRowResults of a missing job", got, err)

	// An empty batch is no error.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(tx.AddImportRowResults(ctx, nil), tx.AddImportRowResults(ctx, []store.ImportRowResult{}))
	})
}

// testImportRowResultsRefused: a refused batch records none of its rows, and
// the transaction goes on.
func testImportRowResultsRefused(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	j, k := newImportJob(p.ID, "import-1"), newImportJob(p.ID, "import-2")
	createImportJobs(t, s, j, k)
	stored := []store.ImportRowResult{newRowResult(j, 2, "Failed"), newRowResult(j, 5, "Skipped")}
	addRowResults(t, s, stored...)

	dup := newRowResult(j, 5, "Failed")
	dup.Reason = "recorded twice"
	fresh := newRowResult(j, 3, "Failed")
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for what, c := range map[string]struct {
			batch []store.ImportRowResult
			want  error
		}{
			"of a recorded line":                     {[]store.ImportRowResult{dup}, store.ErrConflict},
			"of a recorded line after a new one":     {[]store.ImportRowResult{newRowResult(j, 4, "Failed"), dup}, store.ErrConflict},
			"of a line given twice":                  {[]store.ImportRowResult{newRowResult(j, 6, "Failed"), newRowResult(j, 6, "Skipped")}, store.ErrConflict},
			"of a line of another job given twice":   {[]store.ImportRowResult{newRowResult(k, 2, "Failed"), newRowResult(k, 2, "Failed")}, store.ErrConflict},
			"of a missing job":                       {[]store.ImportRowResult{newRowResult(newImportJob(p.ID, "import-missing"), 1, "Failed")}, store.ErrNotFound},
			"of a job of another pool":               {[]store.ImportRowResult{newRowResult(newImportJob(q.ID, j.ID), 1, "Failed")}, store.ErrNotFound},
			"of a missing job after an existing one": {[]store.ImportRowResult{newRowResult(k, 1, "Failed"), newRowResult(newImportJob(p.ID, "import-missing"), 1, "Failed")}, store.ErrNotFound},
		} {
			wantErr(t, "AddImportRowResults "+what, tx.AddImportRowResults(ctx, c.batch), c.want)
			got, err := tx.ListImportRowResults(ctx, p.ID, j.ID, 0, 0)
			checkAll(t, "ListImportRowResults in the tx after AddImportRowResults "+what, got, err, stored...)
			got, err = tx.ListImportRowResults(ctx, p.ID, k.ID, 0, 0)
			checkAll(t, "ListImportRowResults of another job after AddImportRowResults "+what, got, err)
		}
		return tx.AddImportRowResults(ctx, []store.ImportRowResult{fresh})
	})
	got, err := s.ListImportRowResults(ctx, p.ID, j.ID, 0, 0)
	checkAll(t, "ListImportRowResults after the refused batches", got, err, stored[0], fresh, stored[1])
	got, err = s.ListImportRowResults(ctx, p.ID, k.ID, 0, 0)
	checkAll(t, "ListImportRowResults of another job after the refused batches", got, err)
	got, err = s.ListImportRowResults(ctx, p.ID, "import-missing", 0, 0)
	checkAll(t, "ListImportRowResults of a missing job after the refused batches", got, err)
	got, err = s.ListImportRowResults(ctx, q.ID, j.ID, 0, 0)
	checkAll(t, "ListImportRowResults of a job of another pool after the refused batches", got, err)
}

// testImportRowResultsInBulk: batches larger than one statement (or one
// lookup) are recorded whole, or not at all.
func testImportRowResultsInBulk(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	j, k := newImportJob(p.ID, "import-1"), newImportJob(p.ID, "import-2")
	createImportJobs(t, s, j, k)
	// Every third line from the end backwards, and lines past 32 bits.
	const n = 2500
	var batch []store.ImportRowResult
	for i := n; i > 0; i-- {
		batch = append(batch, newRowResult(j, int64(3*i), []string{"Failed", "Skipped"}[i%2]))
	}
	batch = append(batch, newRowResult(j, 1<<40, "Failed"))
	// The batch may hold rows of several jobs.
	batch = append(batch, newRowResult(k, 3, "Failed"))
	addRowResults(t, s, batch...)
	got, err := s.ListImportRowResults(ctx, p.ID, j.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(batch[:n+1])
	slices.SortFunc(want, func(a, b store.ImportRowResult) int { return int(a.Line-b.Line) / 3 })
	checkAll(t, "ListImportRowResults of a large batch", got, nil, want...)
	got, err = s.ListImportRowResults(ctx, p.ID, k.ID, 0, 0)
	checkAll(t, "ListImportRowResults of the batch's other job", got, err, batch[n+1])

	// A conflict on the last row of a second large batch: none of it is
	// recorded.
	var second []store.ImportRowResult
	for i := range n {
		second = append(second, newRowResult(j, int64(3*i+1), "Failed"))
	}
	second = append(second, newRowResult(j, 3*n, "Skipped"))
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		wantErr(t, "AddImportRowResults of a large batch ending in a recorded line", tx.AddImportRowResults(ctx, second), store.ErrConflict)
		got, err := tx.ListImportRowResults(ctx, p.ID, j.ID, 0, 0)
		if err != nil || len(got) != n+1 {
			t.Fatalf("ListImportRowResults in the tx after the refused batch: %d rows, %v; want %d", len(got), err, n+1)
		}
		// The batch without it goes in.
		return tx.AddImportRowResults(ctx, second[:n])
	})
	got, err = s.ListImportRowResults(ctx, p.ID, j.ID, 0, 0)
	var lines []int64
	for _, r := range got {
		lines = append(lines, r.Line)
	}
	if err != nil || len(lines) != 2*n+1 || !slices.IsSorted(lines) {
		t.Fatalf("ListImportRowResults after the second batch: %d lines, sorted %v, %v; want %d sorted",
			len(lines), slices.IsSorted(lines), err, 2*n+1)
	}
}

func testRunnableImportJobs(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	// A job of every status in each pool, the pools' jobs created in
	// turns, and two of them at the same time: oldest first, then by pool
	// and ID.
	var jobs, want []store.ImportJob
	for i, status := range importStatuses {
		for pool, id := range map[string]string{p.ID: "import-b", q.ID: "import-a"} {
			j := newImportJob(pool, fmt.Sprintf("%s-%d", id, i))
			j.Status, j.CreatedAt = status, at(100-i)
			jobs = append(jobs, j)
		}
	}
	both := []store.ImportJob{newImportJob(q.ID, "import-z"), newImportJob(q.ID, "import-y"), newImportJob(p.ID, "import-x")}
	for _, j := range both {
		j.Status, j.CreatedAt = "Pending", at(0)
		jobs = append(jobs, j)
	}
	createImportJobs(t, s, jobs...)
	for _, j := range jobs {
		if j.Status == "Pending" || j.Status == "InProgress" || j.Status == "Stopping" {
			want = append(want, j)
		}
	}
	slices.SortFunc(want, func(a, b store.ImportJob) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		if c := cmp.Compare(a.PoolID, b.PoolID); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if len(want) != 9 || want[0].ID != "import-x" || want[1].ID != "import-y" {
		t.Fatalf("the test's jobs: %q", ids(want, jobID))
	}

	now := at(200)
	got, err := s.RunnableImportJobs(ctx, now, 0)
	checkAll(t, "RunnableImportJobs", got, err, want...)
	got, err = s.RunnableImportJobs(ctx, now, -1)
	checkAll(t, "RunnableImportJobs with a negative limit", got, err, want...)
	got, err = s.RunnableImportJobs(ctx, now, 4)
	checkAll(t, "RunnableImportJobs with a limit", got, err, want[:4]...)
	got, err = s.RunnableImportJobs(ctx, now, 100)
	checkAll(t, "RunnableImportJobs with a limit past them", got, err, want...)
	// It changes nothing.
	for _, j := range jobs {
		got, err := s.GetImportJob(ctx, j.PoolID, j.ID)
		check(t, "GetImportJob after RunnableImportJobs", got, err, j)
	}

	// A job leaves the runnable ones when it finishes.
	done := want[0]
	done.Status, done.CompletedAt = "Succeeded", now
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateImportJob(ctx, done) })
	got, err = s.RunnableImportJobs(ctx, now, 0)
	checkAll(t, "RunnableImportJobs after a job finished", got, err, want[1:]...)
}

func testRunnableImportJobsLeases(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	now := at(200)
	job := func(pool, id, status string, created int, leaseUntil time.Time) store.ImportJob {
		j := newImportJob(pool, id)
		j.Status, j.CreatedAt, j.LeaseUntil = status, at(created), leaseUntil
		if !leaseUntil.IsZero() {
			j.LeaseOwner = "runner-" + id
		}
		return j
	}
	none := time.Time{}
	expired := job(p.ID, "import-expired", "InProgress", 1, now.Add(-time.Millisecond))
	longAgo := job(q.ID, "import-long-ago", "Stopping", 2, at(-1000))
	free := job(q.ID, "import-free", "Pending", 3, none)
	held := job(p.ID, "import-held", "InProgress", 4, now.Add(time.Millisecond))
	endsNow := job(q.ID, "import-ends-now", "Pending", 5, now) // ends at now, not before
	finished := job(p.ID, "import-finished", "Succeeded", 6, at(-1000))
	stopped := job(q.ID, "import-stopped", "Stopped", 7, none)
	createImportJobs(t, s, expired, longAgo, free, held, endsNow, finished, stopped)

	got, err := s.RunnableImportJobs(ctx, now, 0)
	checkAll(t, "RunnableImportJobs", got, err, expired, longAgo, free)
	got, err = s.RunnableImportJobs(ctx, now.Add(time.Millisecond), 0)
	checkAll(t, "RunnableImportJobs a millisecond later", got, err, expired, longAgo, free, endsNow)
	got, err = s.RunnableImportJobs(ctx, now.Add(2*time.Millisecond), 0)
	checkAll(t, "RunnableImportJobs two milliseconds later", got, err, expired, longAgo, free, held, endsNow)
	got, err = s.RunnableImportJobs(ctx, at(-2000), 0)
	checkAll(t, "RunnableImportJobs before every lease ended", got, err, free)

	// A runner takes the oldest job by leasing it in the same transaction:
	// then, in the tx and after, it is no longer runnable until the lease
	// ends.
	taken := expired
	taken.LeaseOwner, taken.LeaseUntil = "runner-2", now.Add(30*time.Second)
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		jobs, err := tx.RunnableImportJobs(ctx, now, 1)
		checkAll(t, "RunnableImportJobs in the tx", jobs, err, expired)
		if err := tx.UpdateImportJob(ctx, taken); err != nil {
			return err
		}
		jobs, err = tx.RunnableImportJobs(ctx, now, 1)
		checkAll(t, "RunnableImportJobs in the tx after the lease", jobs, err, longAgo)
		return nil
	})
	got, err = s.RunnableImportJobs(ctx, now, 0)
	checkAll(t, "RunnableImportJobs after the lease", got, err, longAgo, free)
	got, err = s.RunnableImportJobs(ctx, now.Add(31*time.Second), 0)
	checkAll(t, "RunnableImportJobs after the lease ended", got, err, taken, longAgo, free, held, endsNow)

	// A lease given up makes the job runnable again at once.
	released := taken
	released.LeaseOwner, released.LeaseUntil = "", none
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateImportJob(ctx, released) })
	got, err = s.RunnableImportJobs(ctx, now, 2)
	checkAll(t, "RunnableImportJobs after the lease was given up", got, err, released, longAgo)
}

// testExistingUserKeys looks up batches of every size around the lookups'
// and the bulk statements' lengths, of keys present and absent.
func testExistingUserKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	key := func(i int) string { return fmt.Sprintf("user%05d", i) }
	email := func(i int) string { return key(i) + "@example.com" }
	// Pool a has the even users, with their email as a sign-in name for
	// every fourth; pool b the odd ones, all with their email.
	const n = 1400
	var users []store.User
	var names []store.SignInName
	for i := range n {
		pool := p.ID
		if i%2 == 1 {
			pool = q.ID
		}
		u := newUser(pool, key(i))
		u.Email = email(i)
		users = append(users, u)
		if i%4 == 0 || pool == q.ID {
			names = append(names, emailName(u))
		}
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateUsers(ctx, users, names) })

	// Keys and names of users 0 to 1599 (the last 200 of no user), in a
	// shuffled order, with others that differ from them in case or by a
	// byte.
	r := rand.New(rand.NewPCG(9, 10))
	var keys, emails []string
	wantKeys, wantNames := map[string]bool{}, map[string]bool{}
	for i := range n + 200 {
		keys, emails = append(keys, key(i)), append(emails, email(i))
		if i < n && i%2 == 0 {
			wantKeys[key(i)] = true
		}
		if i < n && i%4 == 0 {
			wantNames[email(i)] = true
		}
	}
	keys = append(keys, "USER00000", "user0000", "user00000 ", "user00000@example.com")
	emails = append(emails, "USER00000@example.com", "user00000@example.co", "user00000")
	r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	r.Shuffle(len(emails), func(i, j int) { emails[i], emails[j] = emails[j], emails[i] })

	subset := func(all []string, want map[string]bool, size int) ([]string, map[string]bool) {
		in, found := all[:size], map[string]bool{}
		for _, k := range in {
			if want[k] {
				found[k] = true
			}
		}
		return in, found
	}
	for _, size := range []int{1, 2, 3, 255, 256, 257, 511, 512, 513, 999, 1000, 1001, 1025, len(keys)} {
		in, want := subset(keys, wantKeys, size)
		got, err := s.ExistingUserKeys(ctx, p.ID, in)
		if err != nil || !maps.Equal(got, want) {
			t.Fatalf("ExistingUserKeys of %d keys: %d found (%v), want %d", size, len(got), err, len(want))
		}
		in, want = subset(emails, wantNames, min(size, len(emails)))
		got, err = s.ExistingSignInNames(ctx, p.ID, in)
		if err != nil || !maps.Equal(got, want) {
			t.Fatalf("ExistingSignInNames of %d names: %d found (%v), want %d", len(in), len(got), err, len(want))
		}
	}
	if len(wantKeys) != n/2 || len(wantNames) != n/4 {
		t.Fatalf("the test's users: %d keys and %d names", len(wantKeys), len(wantNames))
	}

	// A key given twice is found once.
	got, err := s.ExistingUserKeys(ctx, p.ID, []string{key(0), "nobody", key(0), key(2), key(0)})
	if want := map[string]bool{key(0): true, key(2): true}; err != nil || !maps.Equal(got, want) {
		t.Fatalf("ExistingUserKeys of repeated keys: %v, %v; want %v", got, err, want)
	}
	for what, lookup := range map[string]func([]string) (map[string]bool, error){
		"ExistingUserKeys":    func(in []string) (map[string]bool, error) { return s.ExistingUserKeys(ctx, p.ID, in) },
		"ExistingSignInNames": func(in []string) (map[string]bool, error) { return s.ExistingSignInNames(ctx, p.ID, in) },
	} {
		for _, in := range [][]string{nil, {}, {"nobody"}, {"", "nobody@example.com"}} {
			got, err := lookup(in)
			if err != nil || len(got) != 0 {
				t.Fatalf("%s of %q: %v, %v; want none", what, in, got, err)
			}
		}
	}
	// Names are not keys, nor keys names; the other pool's and a missing
	// pool's are their own.
	got, err = s.ExistingUserKeys(ctx, p.ID, []string{email(0), email(4)})
	if err != nil || len(got) != 0 {
		t.Fatalf("ExistingUserKeys of sign-in names: %v, %v; want none", got, err)
	}
	got, err = s.ExistingSignInNames(ctx, p.ID, []string{key(0), key(4)})
	if err != nil || len(got) != 0 {
		t.Fatalf("ExistingSignInNames of keys: %v, %v; want none", got, err)
	}
	got, err = s.ExistingUserKeys(ctx, q.ID, []string{key(0), key(1), key(2), key(3)})
	if want := map[string]bool{key(1): true, key(3): true}; err != nil || !maps.Equal(got, want) {
		t.Fatalf("ExistingUserKeys in the other pool: %v, %v; want %v", got, err, want)
	}
	got, err = s.ExistingSignInNames(ctx, q.ID, []string{email(0), email(1), email(2), email(3)})
	if want := map[string]bool{email(1): true, email(3): true}; err != nil || !maps.Equal(got, want) {
		t.Fatalf("ExistingSignInNames in the other pool: %v, %v; want %v", got, err, want)
	}
	got, err = s.ExistingUserKeys(ctx, "us-east-1_missing", []string{key(0), key(1)})
	if err != nil || len(got) != 0 {
		t.Fatalf("ExistingUserKeys in a missing pool: %v, %v; want none", got, err)
	}
}

// testExistingInTx: the lookups see the transaction's own writes, as an
// import's batch does once it has created users of its own.
func testExistingInTx(t *testing.T, s store.Store) {
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	alice, bob := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	createUsers(t, s, alice)
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.CreateUsers(ctx, []store.User{bob}, []store.SignInName{emailName(bob)}); err != nil {
			return err
		}
		if err := tx.DeleteUser(ctx, p.ID, alice.Key); err != nil {
			return err
		}
		got, err := tx.ExistingUserKeys(ctx, p.ID, []string{alice.Key, bob.Key})
		if want := map[string]bool{bob.Key: true}; err != nil || !maps.Equal(got, want) {
			t.Errorf("ExistingUserKeys in the tx: %v, %v; want %v", got, err, want)
		}
		got, err = tx.ExistingSignInNames(ctx, p.ID, []string{alice.Email, bob.Email})
		if want := map[string]bool{bob.Email: true}; err != nil || !maps.Equal(got, want) {
			t.Errorf("ExistingSignInNames in the tx: %v, %v; want %v", got, err, want)
		}
		// Outside the transaction its writes are not seen before it commits.
		got, err = s.ExistingUserKeys(ctx, p.ID, []string{alice.Key, bob.Key})
		if want := map[string]bool{alice.Key: true}; err != nil || !maps.Equal(got, want) {
			t.Errorf("ExistingUserKeys outside the open tx: %v, %v; want %v", got, err, want)
		}
		return nil
	})
}

func testDeleteUserPoolDeletesImports(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_gone"), newPool("us-east-1_kept")
	create(t, s, []store.UserPool{p, q})
	// The same job in both pools, runnable, with an upload and row results.
	var jobs []store.ImportJob
	for _, pool := range []string{p.ID, q.ID} {
		j := startedJob(pool, "import-1")
		j.LeaseUntil = time.Time{}
		jobs = append(jobs, j)
	}
	createImportJobs(t, s, jobs...)
	for _, j := range jobs {
		putChunks(t, s, j, []byte("chunk 0 of "+j.PoolID), []byte("chunk 1 of "+j.PoolID))
		addRowResults(t, s, newRowResult(j, 2, "Failed"), newRowResult(j, 3, "Skipped"))
	}
	gone, kept := jobs[0], jobs[1]

	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.DeleteUserPool(ctx, p.ID); err != nil {
			return err
		}
		_, err := tx.GetImportJob(ctx, p.ID, gone.ID)
		wantErr(t, "GetImportJob in the tx after DeleteUserPool", err, store.ErrNotFound)
		return nil
	})
	_, err := s.GetImportJob(ctx, p.ID, gone.ID)
	wantErr(t, "GetImportJob of the deleted pool", err, store.ErrNotFound)
	jobList, err := s.ListImportJobs(ctx, p.ID, store.Page{})
	checkAll(t, "ListImportJobs of the deleted pool", jobList, err)
	_, err = s.GetImportChunk(ctx, p.ID, gone.ID, 0)
	wantErr(t, "GetImportChunk of the deleted pool", err, store.ErrNotFound)
	results, err := s.ListImportRowResults(ctx, p.ID, gone.ID, 0, 0)
	checkAll(t, "ListImportRowResults of the deleted pool", results, err)
	runnable, err := s.RunnableImportJobs(ctx, at(1000), 0)
	checkAll(t, "RunnableImportJobs after DeleteUserPool", runnable, err, kept)

	// A new pool of the same ID, with a job of the same ID, starts empty.
	create(t, s, []store.UserPool{p})
	fresh := newImportJob(p.ID, gone.ID)
	createImportJobs(t, s, fresh)
	got, err := s.GetImportJob(ctx, p.ID, fresh.ID)
	check(t, "GetImportJob of the re-created pool", got, err, fresh)
	for seq := range int64(2) {
		_, err = s.GetImportChunk(ctx, p.ID, fresh.ID, seq)
		wantErr(t, "GetImportChunk of the re-created pool", err, store.ErrNotFound)
	}
	results, err = s.ListImportRowResults(ctx, p.ID, fresh.ID, 0, 0)
	checkAll(t, "ListImportRowResults of the re-created pool", results, err)
	// Its lines are free again.
	addRowResults(t, s, newRowResult(fresh, 2, "Failed"))

	got, err = s.GetImportJob(ctx, q.ID, kept.ID)
	check(t, "GetImportJob of the other pool", got, err, kept)
	chunk, err := s.GetImportChunk(ctx, q.ID, kept.ID, 1)
	checkChunk(t, "GetImportChunk of the other pool", chunk, err, []byte("chunk 1 of "+q.ID))
	results, err = s.ListImportRowResults(ctx, q.ID, kept.ID, 0, 0)
	checkAll(t, "ListImportRowResults of the other pool", results, err, newRowResult(kept, 2, "Failed"), newRowResult(kept, 3, "Skipped"))
}

func testImportReadsCanceled(t *testing.T, s store.Store) {
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	j := newImportJob(p.ID, "import-1")
	createImportJobs(t, s, j)
	putChunks(t, s, j, []byte("chunk"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	keys := []string{"alice", "bob"}
	for name, read := range map[string]func() error{
		"GetImportJob":         func() error { _, err := s.GetImportJob(ctx, p.ID, j.ID); return err },
		"ListImportJobs":       func() error { _, err := s.ListImportJobs(ctx, p.ID, store.Page{}); return err },
		"GetImportChunk":       func() error { _, err := s.GetImportChunk(ctx, p.ID, j.ID, 0); return err },
		"ListImportRowResults": func() error { _, err := s.ListImportRowResults(ctx, p.ID, j.ID, 0, 0); return err },
		"RunnableImportJobs":   func() error { _, err := s.RunnableImportJobs(ctx, at(0), 0); return err },
		"ExistingUserKeys":     func() error { _, err := s.ExistingUserKeys(ctx, p.ID, keys); return err },
		"ExistingSignInNames":  func() error { _, err := s.ExistingSignInNames(ctx, p.ID, keys); return err },
		"DeleteImportChunks": func() error {
			return s.Update(ctx, func(tx store.Tx) error { return tx.DeleteImportChunks(ctx, p.ID, j.ID) })
		},
	} {
		wantErr(t, name+" with a canceled context", read(), context.Canceled)
	}
	got, err := s.GetImportChunk(t.Context(), p.ID, j.ID, 0)
	checkChunk(t, "GetImportChunk after the canceled DeleteImportChunks", got, err, []byte("chunk"))
}
