package cognito

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"cognate/internal/api"
	"cognate/internal/store"
)

// Import job statuses, as Cognito names them.
const (
	jobCreated    = "Created"
	jobPending    = "Pending"
	jobInProgress = "InProgress"
	jobStopping   = "Stopping"
	jobStopped    = "Stopped"
	jobSucceeded  = "Succeeded"
	jobFailed     = "Failed"
	jobExpired    = "Expired"
)

const (
	// uploadValidity is how long a job's PreSignedUrl accepts the file; a
	// job never uploaded to is Expired after it.
	uploadValidity = 24 * time.Hour
	// maxUploadSize bounds an import file.
	maxUploadSize = 1 << 30
	// A job's first transaction imports importBatch rows, each next one
	// twice as many up to maxImportBatch. The first progress (and a
	// stop) comes soon after the start; later, larger batches spare
	// commits: a commit writes every page its batch changed, and random
	// subs put a batch's rows on nearly as many pages of that index as
	// there are rows. On SQLite, 10,000-row transactions spent nearly half
	// as long committing as 2,000-row ones, holding the writer about a
	// second each.
	importBatch    = 2000
	maxImportBatch = 10000
	// importLease is how long a runner holds a job between batches.
	importLease = time.Minute
	// defaultListImportJobs is the page size of ListUserImportJobs.
	defaultListImportJobs = 60
)

const (
	msgJobNotFound       = "Import job %s does not exist."
	msgJobNotUploaded    = "The CSV file has not been uploaded yet: PUT it to the job's PreSignedUrl first."
	msgJobNotStartable   = "The import job is %s: only a job in status Created can be started."
	msgJobNotRunning     = "The import job is %s: only a Pending or InProgress job can be stopped."
	msgJobCompleted      = "Import Job Completed Successfully."
	msgJobStopped        = "Import Job Stopped."
	msgJobFailedFile     = "The import file cannot be read: %s."
	msgUploadBadURL      = "The upload URL is not valid for this job: use the PreSignedUrl that CreateUserImportJob returned."
	msgUploadExpired     = "The upload URL has expired: create a new import job."
	msgUploadWrongStatus = "The import job is %s: a file can only be uploaded to a job in status Created."
	msgUploadTooLarge    = "The import file is larger than %d MiB."
)

// UploadError is a refused upload: Status is the HTTP status to answer with.
type UploadError struct {
	Status  int
	Message string
}

func (e *UploadError) Error() string { return e.Message }

func (s *Service) GetCSVHeader(ctx context.Context, in *api.GetCSVHeaderInput) (*api.GetCSVHeaderOutput, error) {
	p, err := s.getPool(ctx, s.store, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	return &api.GetCSVHeaderOutput{UserPoolId: &p.rec.ID, CSVHeader: p.csvHeader()}, nil
}

// newJobID is "import-" and a time-ordered UUID, so that jobs list in
// creation order.
func newJobID() string {
	id, _ := uuid.NewV7()
	return "import-" + strings.ReplaceAll(id.String(), "-", "")
}

// uploadSignature is the HMAC that makes a job's upload URL unforgeable.
func (s *Service) uploadSignature(poolID, jobID string, expires int64) string {
	m := hmac.New(sha256.New, s.box.Derive("import uploads"))
	fmt.Fprintf(m, "%s\x00%s\x00%d", poolID, jobID, expires)
	return hex.EncodeToString(m.Sum(nil))
}

// uploadURL is the PreSignedUrl of a job: a PUT of the CSV to Cognate itself.
func (s *Service) uploadURL(j store.ImportJob) string {
	expires := j.CreatedAt.Add(uploadValidity).Unix()
	q := url.Values{"expires": {strconv.FormatInt(expires, 10)}, "signature": {s.uploadSignature(j.PoolID, j.ID, expires)}}
	return s.publicBase() + "/_cognate/import/" + url.PathEscape(j.PoolID) + "/" + url.PathEscape(j.ID) + "?" + q.Encode()
}

// jobView is a job as the API shows it; a job whose upload URL expired
// unused is Expired.
func (s *Service) jobView(j store.ImportJob) *api.UserImportJobType {
	status := j.Status
	if status == jobCreated && j.Size == 0 && !s.now().Before(j.CreatedAt.Add(uploadValidity)) {
		status = jobExpired
	}
	out := &api.UserImportJobType{
		JobName: new(j.Name), JobId: new(j.ID), UserPoolId: new(j.PoolID), PreSignedUrl: new(s.uploadURL(j)),
		CreationDate: api.Time(j.CreatedAt), Status: api.UserImportJobStatusType(status),
		CloudWatchLogsRoleArn: new(j.LogsRoleARN),
		ImportedUsers:         new(j.Imported), SkippedUsers: new(j.Skipped), FailedUsers: new(j.Failed),
		PasswordHashingAlgorithm: api.PasswordHashingAlgorithmType(j.HashAlgorithm),
	}
	if !j.StartedAt.IsZero() {
		out.StartDate = api.Time(j.StartedAt)
	}
	if !j.CompletedAt.IsZero() {
		out.CompletionDate = api.Time(j.CompletedAt)
	}
	if j.Message != "" {
		out.CompletionMessage = new(j.Message)
	}
	return out
}

func (s *Service) getJob(ctx context.Context, r store.Reader, poolID, jobID string) (store.ImportJob, error) {
	j, err := r.GetImportJob(ctx, poolID, jobID)
	return j, notFound(err, &api.ResourceNotFoundException{Message: fmt.Sprintf(msgJobNotFound, jobID)})
}

func (s *Service) CreateUserImportJob(ctx context.Context, in *api.CreateUserImportJobInput) (*api.CreateUserImportJobOutput, error) {
	p, err := s.getPool(ctx, s.store, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	j := store.ImportJob{PoolID: p.rec.ID, ID: newJobID(), Name: *in.JobName, Status: jobCreated, CreatedAt: s.now(),
		LogsRoleARN: *in.CloudWatchLogsRoleArn, HashAlgorithm: string(in.PasswordHashingAlgorithm)}
	err = s.update(ctx, func(tx store.Tx) error {
		return notFound(tx.CreateImportJob(ctx, j), &api.ResourceNotFoundException{Message: fmt.Sprintf(msgPoolNotFound, p.rec.ID)})
	})
	if err != nil {
		return nil, err
	}
	return &api.CreateUserImportJobOutput{UserImportJob: s.jobView(j)}, nil
}

func (s *Service) DescribeUserImportJob(ctx context.Context, in *api.DescribeUserImportJobInput) (*api.DescribeUserImportJobOutput, error) {
	if _, err := s.getPool(ctx, s.store, *in.UserPoolId); err != nil {
		return nil, err
	}
	j, err := s.getJob(ctx, s.store, *in.UserPoolId, *in.JobId)
	if err != nil {
		return nil, err
	}
	return &api.DescribeUserImportJobOutput{UserImportJob: s.jobView(j)}, nil
}

func (s *Service) ListUserImportJobs(ctx context.Context, in *api.ListUserImportJobsInput) (*api.ListUserImportJobsOutput, error) {
	p, err := s.getPool(ctx, s.store, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	limit := defaultListImportJobs
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	jobs, next, err := listPage(in.PaginationToken, limit, func(j store.ImportJob) string { return j.ID },
		func(page store.Page) ([]store.ImportJob, error) { return s.store.ListImportJobs(ctx, p.rec.ID, page) })
	if err != nil {
		return nil, err
	}
	out := &api.ListUserImportJobsOutput{UserImportJobs: []api.UserImportJobType{}, PaginationToken: next}
	for _, j := range jobs {
		out.UserImportJobs = append(out.UserImportJobs, *s.jobView(j))
	}
	return out, nil
}

// changeJob runs fn on a job in one transaction and saves it.
func (s *Service) changeJob(ctx context.Context, poolID, jobID string, fn func(j *store.ImportJob) error) (store.ImportJob, error) {
	var j store.ImportJob
	err := s.update(ctx, func(tx store.Tx) error {
		if _, err := s.getPool(ctx, tx, poolID); err != nil {
			return err
		}
		var err error
		if j, err = s.getJob(ctx, tx, poolID, jobID); err != nil {
			return err
		}
		if err := fn(&j); err != nil {
			return err
		}
		return tx.UpdateImportJob(ctx, j)
	})
	return j, err
}

func (s *Service) StartUserImportJob(ctx context.Context, in *api.StartUserImportJobInput) (*api.StartUserImportJobOutput, error) {
	j, err := s.changeJob(ctx, *in.UserPoolId, *in.JobId, func(j *store.ImportJob) error {
		if status := s.jobView(*j).Status; status != jobCreated {
			return &api.PreconditionNotMetException{Message: fmt.Sprintf(msgJobNotStartable, status)}
		}
		if j.Size == 0 {
			return &api.PreconditionNotMetException{Message: msgJobNotUploaded}
		}
		j.Status, j.StartedAt = jobPending, s.now()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.StartUserImportJobOutput{UserImportJob: s.jobView(j)}, nil
}

// StopUserImportJob stops a job: at once if it has not begun, else after
// the batch in progress (Stopping, then Stopped).
func (s *Service) StopUserImportJob(ctx context.Context, in *api.StopUserImportJobInput) (*api.StopUserImportJobOutput, error) {
	j, err := s.changeJob(ctx, *in.UserPoolId, *in.JobId, func(j *store.ImportJob) error {
		switch j.Status {
		case jobPending:
			j.Status, j.CompletedAt, j.Message = jobStopped, s.now(), msgJobStopped
		case jobInProgress:
			j.Status = jobStopping
		default:
			return &api.PreconditionNotMetException{Message: fmt.Sprintf(msgJobNotRunning, s.jobView(*j).Status)}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.StopUserImportJobOutput{UserImportJob: s.jobView(j)}, nil
}

// UploadImportFile stores the CSV PUT to a job's PreSignedUrl. Each chunk
// is its own transaction, so a slow upload holds no lock; the job counts as
// uploaded only when the last chunk is in.
func (s *Service) UploadImportFile(ctx context.Context, poolID, jobID, expires, signature string, body io.Reader) error {
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || !hmac.Equal([]byte(signature), []byte(s.uploadSignature(poolID, jobID, exp))) {
		return &UploadError{Status: 403, Message: msgUploadBadURL}
	}
	if s.now().Unix() >= exp {
		return &UploadError{Status: 403, Message: msgUploadExpired}
	}
	check := func(tx store.Tx) (store.ImportJob, error) {
		j, err := tx.GetImportJob(ctx, poolID, jobID)
		if errors.Is(err, store.ErrNotFound) {
			return j, &UploadError{Status: 404, Message: fmt.Sprintf(msgJobNotFound, jobID)}
		}
		if err == nil && j.Status != jobCreated {
			return j, &UploadError{Status: 409, Message: fmt.Sprintf(msgUploadWrongStatus, j.Status)}
		}
		return j, err
	}
	err = s.update(ctx, func(tx store.Tx) error {
		j, err := check(tx)
		if err != nil {
			return err
		}
		if err := tx.DeleteImportChunks(ctx, poolID, jobID); err != nil {
			return err
		}
		j.Size = 0
		return tx.UpdateImportJob(ctx, j)
	})
	if err != nil {
		return err
	}
	buf := make([]byte, store.ImportChunkSize)
	var size int64
	for seq := int64(0); ; seq++ {
		n, rerr := io.ReadFull(body, buf)
		if n > 0 {
			size += int64(n)
			if size > maxUploadSize {
				return &UploadError{Status: 413, Message: fmt.Sprintf(msgUploadTooLarge, maxUploadSize>>20)}
			}
			chunk := buf[:n]
			if err := s.update(ctx, func(tx store.Tx) error { return tx.PutImportChunk(ctx, poolID, jobID, seq, chunk) }); err != nil {
				return err
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("read the upload: %w", rerr)
		}
	}
	return s.update(ctx, func(tx store.Tx) error {
		j, err := check(tx)
		if err != nil {
			return err
		}
		j.Size = size
		return tx.UpdateImportJob(ctx, j)
	})
}

// chunkReader reads a job's upload from a byte offset, a chunk at a time.
type chunkReader struct {
	ctx          context.Context
	r            store.Reader
	poolID, job  string
	off, size    int64
	chunk        []byte
	chunkSeq     int64
	haveChunkSeq bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.off >= c.size {
		return 0, io.EOF
	}
	seq := c.off / store.ImportChunkSize
	if !c.haveChunkSeq || seq != c.chunkSeq {
		data, err := c.r.GetImportChunk(c.ctx, c.poolID, c.job, seq)
		if err != nil {
			return 0, fmt.Errorf("read chunk %d of the upload: %w", seq, err)
		}
		c.chunk, c.chunkSeq, c.haveChunkSeq = data, seq, true
	}
	start := c.off - seq*store.ImportChunkSize
	if start >= int64(len(c.chunk)) {
		return 0, io.ErrUnexpectedEOF
	}
	n := copy(p, c.chunk[start:])
	c.off += int64(n)
	return n, nil
}

// RunImportJobs takes one runnable job (of any pool) and runs it to its end
// or until ctx ends; it reports whether it found one. owner names this
// runner in the job's lease.
func (s *Service) RunImportJobs(ctx context.Context, owner string) (bool, error) {
	var j store.ImportJob
	found := false
	err := s.update(ctx, func(tx store.Tx) error {
		jobs, err := tx.RunnableImportJobs(ctx, s.now(), 1)
		if err != nil || len(jobs) == 0 {
			found = false
			return err
		}
		j, found = jobs[0], true
		return s.takeJob(ctx, tx, &j, owner)
	})
	if err != nil || !found {
		return false, err
	}
	return true, s.runJob(ctx, j, owner, nil)
}

// takeJob gives the runner the job's lease, in tx.
func (s *Service) takeJob(ctx context.Context, tx store.Tx, j *store.ImportJob, owner string) error {
	if j.Status == jobPending {
		j.Status = jobInProgress
	}
	j.LeaseOwner, j.LeaseUntil = owner, s.now().Add(importLease)
	return tx.UpdateImportJob(ctx, *j)
}

// RunImportJob runs one job of a pool in the caller, as the CLI does,
// taking its lease first; progress, if set, is called after each batch.
func (s *Service) RunImportJob(ctx context.Context, poolID, jobID, owner string, progress func(store.ImportJob)) error {
	var j store.ImportJob
	err := s.update(ctx, func(tx store.Tx) error {
		var err error
		if j, err = s.getJob(ctx, tx, poolID, jobID); err != nil {
			return err
		}
		if j.LeaseOwner != "" && j.LeaseOwner != owner && j.LeaseUntil.After(s.now()) {
			return fmt.Errorf("import job %s is being run by %s", jobID, j.LeaseOwner)
		}
		switch j.Status {
		case jobPending, jobInProgress, jobStopping:
			return s.takeJob(ctx, tx, &j, owner)
		}
		return fmt.Errorf("import job %s is %s, not runnable", jobID, j.Status)
	})
	if err != nil {
		return err
	}
	return s.runJob(ctx, j, owner, progress)
}

// runJob imports the job's rows from where it stands, a batch per
// transaction; each batch also moves the job's offset, line and counters
// and renews the lease, so that a crash repeats no row and loses none.
func (s *Service) runJob(ctx context.Context, j store.ImportJob, owner string, progress func(store.ImportJob)) error {
	p, err := s.getPool(ctx, s.store, j.PoolID)
	if err != nil {
		return err
	}
	fail := func(reason string) error {
		return s.finishJob(ctx, j, owner, jobFailed, fmt.Sprintf(msgJobFailedFile, reason))
	}
	// The header comes first in the file, wherever the job stands.
	hr := newRowReader(&chunkReader{ctx: ctx, r: s.store, poolID: j.PoolID, job: j.ID, size: j.Size})
	header, _, err := hr.next()
	if ctx.Err() != nil {
		return errors.Join(ctx.Err(), s.releaseJob(context.WithoutCancel(ctx), j, owner))
	}
	if err != nil {
		return fail("line 1: " + err.Error())
	}
	cols, err := p.parseHeader(header)
	if err != nil {
		return fail(err.Error())
	}
	if j.Offset == 0 {
		j.Offset, j.Line = hr.offset(), 2
	}
	pos := &filePos{baseOffset: j.Offset, baseLine: j.Line, next: 1}
	// The next batch is read and checked while the last one commits, so
	// that parsing and validation run beside the writer rather than
	// between its transactions.
	readCtx, stopReading := context.WithCancel(ctx)
	pos.rows = newRowReader(&chunkReader{ctx: readCtx, r: s.store, poolID: j.PoolID, job: j.ID, off: j.Offset, size: j.Size})
	batches := make(chan readBatchResult)
	reading := j
	go func() {
		defer close(batches)
		for n := importBatch; ; n = min(2*n, maxImportBatch) {
			var r readBatchResult
			r.batch, r.results, r.eof, r.err = s.readBatch(p, cols, pos, reading, n)
			r.offset, r.line = pos.offset(), pos.line()
			r.byKey, r.names = orderBatch(r.batch)
			select {
			case batches <- r:
			case <-readCtx.Done():
				return
			}
			if r.eof || r.err != nil {
				return
			}
		}
	}()
	defer func() {
		stopReading()
		for range batches {
		}
	}()
	// Shutting down: let the next runner, on any node, take the job up at
	// once rather than when the lease runs out.
	release := func() error {
		return errors.Join(ctx.Err(), s.releaseJob(context.WithoutCancel(ctx), j, owner))
	}
	lookFirst := false
	for {
		if ctx.Err() != nil {
			return release()
		}
		r, ok := <-batches
		if ctx.Err() != nil || !ok {
			return release()
		}
		if r.err != nil {
			return fail(fmt.Sprintf("line %d: %v", r.line, r.err))
		}
		next, stopped, err := s.commitBatch(ctx, p, j, owner, r, &lookFirst)
		if errors.Is(err, errLostLease) {
			return nil
		}
		if ctx.Err() != nil {
			return release()
		}
		if err != nil {
			return err
		}
		j = next
		if progress != nil {
			progress(j)
		}
		switch {
		case stopped:
			return s.finishJob(ctx, j, owner, jobStopped, msgJobStopped)
		case r.eof:
			return s.finishJob(ctx, j, owner, jobSucceeded, msgJobCompleted)
		}
	}
}

// readBatchResult is a batch as readBatch read it, the orders its inserts
// go in, and where the file stands after it.
type readBatchResult struct {
	batch        []importedUser
	byKey        []int       // the batch's indexes in key order
	names        []batchName // the batch's sign-in names in name order
	results      []store.ImportRowResult
	offset, line int64
	eof          bool
	err          error
}

// batchName is a sign-in name of the row batch[row].
type batchName struct {
	row  int
	name store.SignInName
}

// orderBatch returns the orders a batch is looked up and inserted in: its
// rows by key, and its sign-in names by name.
func orderBatch(batch []importedUser) ([]int, []batchName) {
	byKey := make([]int, len(batch))
	var names []batchName
	for i, b := range batch {
		byKey[i] = i
		for _, n := range b.names {
			names = append(names, batchName{i, n})
		}
	}
	slices.SortStableFunc(byKey, func(a, b int) int { return strings.Compare(batch[a].user.Key, batch[b].user.Key) })
	slices.SortStableFunc(names, func(a, b batchName) int { return strings.Compare(a.name.Name, b.name.Name) })
	return byKey, names
}

// filePos is where a runner stands in a job's file: the reader started at
// baseOffset, on line baseLine; next is the line (counted from the
// reader's first, from 1) the next row starts on.
type filePos struct {
	rows       *rowReader
	baseOffset int64
	baseLine   int64
	next       int
}

func (f *filePos) offset() int64 { return f.baseOffset + f.rows.offset() }
func (f *filePos) line() int64   { return f.baseLine + int64(f.next) - 1 }

// readBatch reads up to n rows: the valid ones, and the outcome of
// each row that is not. A file-level error (a row too long, a read error)
// ends the job.
func (s *Service) readBatch(p *pool, cols importColumns, pos *filePos, j store.ImportJob, n int) (batch []importedUser, results []store.ImportRowResult, eof bool, err error) {
	for len(batch)+len(results) < n {
		rec, _, rerr := pos.rows.next()
		if rerr == io.EOF {
			return batch, results, true, nil
		}
		var pe *csv.ParseError
		if errors.As(rerr, &pe) && !errors.Is(rerr, errRowTooLong) {
			results = append(results, store.ImportRowResult{PoolID: j.PoolID, JobID: j.ID,
				Line: pos.baseLine + int64(pe.StartLine) - 1, Outcome: "Failed", Reason: pe.Err.Error()})
			pos.next = pe.Line + 1
			continue
		}
		if rerr != nil {
			return nil, nil, false, rerr
		}
		start, _ := pos.rows.csv.FieldPos(0)
		end, _ := pos.rows.csv.FieldPos(len(rec) - 1)
		pos.next = end + strings.Count(rec[len(rec)-1], "\n") + 1
		line := pos.baseLine + int64(start) - 1
		u, rowErr := s.importRow(p, cols, rec, api.PasswordHashingAlgorithmType(j.HashAlgorithm))
		if rowErr != nil {
			results = append(results, store.ImportRowResult{PoolID: j.PoolID, JobID: j.ID, Line: line,
				Username: rowUsername(cols, rec), Outcome: "Failed", Reason: rowErr.Error()})
			continue
		}
		u.line = line
		batch = append(batch, u)
	}
	return batch, results, false, nil
}

// rowUsername is the row's cognito:username, for the report.
func rowUsername(cols importColumns, rec []string) string {
	if cols.username < len(rec) {
		return rec[cols.username]
	}
	return ""
}

// errLostLease: another runner took the job (this one stalled past its
// lease); this one stops without writing.
var errLostLease = errors.New("the import job's lease passed to another runner")

// commitBatch imports a batch in one transaction: users that exist already
// (or come twice in the file) are skipped, the rest created with their
// sign-in names and groups, the row outcomes recorded and the job moved on.
// A job asked to stop stops here, before the batch.
func (s *Service) commitBatch(ctx context.Context, p *pool, j store.ImportJob, owner string, r readBatchResult, lookFirst *bool) (store.ImportJob, bool, error) {
	var out store.ImportJob
	stopped := false
	err := s.update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetImportJob(ctx, j.PoolID, j.ID)
		if err != nil {
			return err
		}
		if cur.LeaseOwner != owner {
			return errLostLease
		}
		if stopped = cur.Status == jobStopping; stopped {
			out = cur
			return nil
		}
		outcomes := append([]store.ImportRowResult(nil), r.results...)
		created, failed, skipped, err := s.insertBatch(ctx, tx, p, j, r, &outcomes, lookFirst)
		if err != nil {
			return err
		}
		if err := tx.AddImportRowResults(ctx, outcomes); err != nil {
			return err
		}
		cur.Imported += created
		cur.Failed += failed + int64(len(r.results))
		cur.Skipped += skipped
		cur.Offset, cur.Line = r.offset, r.line
		cur.LeaseUntil = s.now().Add(importLease)
		out = cur
		return tx.UpdateImportJob(ctx, cur)
	})
	return out, stopped, err
}

// insertBatch creates a batch's users in tx, adding the outcome of each row
// that is not imported to outcomes. Until a batch of the job meets a user
// or sign-in name of the pool (*lookFirst), it is inserted without looking
// its rows up first: the store refuses a batch that clashes, changing
// nothing, and only then are the rows looked up. An import into a pool
// that holds none of its users is spared the lookups (on SQLite, a tenth
// of the writer's time).
func (s *Service) insertBatch(ctx context.Context, tx store.Tx, p *pool, j store.ImportJob, r readBatchResult, outcomes *[]store.ImportRowResult, lookFirst *bool) (created, failed, skipped int64, err error) {
	if !*lookFirst {
		mark := len(*outcomes)
		created, failed, skipped, err = s.createBatch(ctx, tx, p, j, r, outcomes, map[string]bool{}, map[string]bool{}, false)
		if !errors.Is(err, store.ErrConflict) {
			return created, failed, skipped, err
		}
		*outcomes = (*outcomes)[:mark]
		*lookFirst = true
	}
	keys := make([]string, len(r.byKey))
	for i, row := range r.byKey {
		keys[i] = r.batch[row].user.Key
	}
	names := make([]string, len(r.names))
	for i, n := range r.names {
		names[i] = n.name.Name
	}
	takenKeys, err := tx.ExistingUserKeys(ctx, p.rec.ID, keys)
	if err != nil {
		return 0, 0, 0, err
	}
	takenNames, err := tx.ExistingSignInNames(ctx, p.rec.ID, names)
	if err != nil {
		return 0, 0, 0, err
	}
	return s.createBatch(ctx, tx, p, j, r, outcomes, takenKeys, takenNames, true)
}

// createBatch creates the users of a batch that are neither in takenKeys
// nor claim a name of takenNames, nor come again in the batch. Which row
// wins a clash is decided in the file's order; the inserts then go in key
// and name order, so that each index's pages are visited in order rather
// than at random (on SQLite, a million-user import ran a tenth faster).
// If the store refuses the batch, createBatch returns store.ErrConflict,
// or with oneByOne inserts the users one by one, so that only the clashing
// rows fail.
func (s *Service) createBatch(ctx context.Context, tx store.Tx, p *pool, j store.ImportJob, r readBatchResult, outcomes *[]store.ImportRowResult, takenKeys, takenNames map[string]bool, oneByOne bool) (created, failed, skipped int64, err error) {
	report := func(b importedUser, outcome, reason string) {
		*outcomes = append(*outcomes, store.ImportRowResult{PoolID: j.PoolID, JobID: j.ID, Line: b.line,
			Username: b.user.Username, Outcome: outcome, Reason: reason})
	}
	accepted := make([]bool, len(r.batch))
	count := 0
	for i, b := range r.batch {
		if takenKeys[b.user.Key] {
			report(b, "Skipped", "a user with this username exists already")
			skipped++
			continue
		}
		clash := ""
		for _, n := range b.names {
			if takenNames[n.Name] {
				clash = n.Kind
			}
		}
		if clash != "" {
			report(b, "Failed", fmt.Sprintf(msgAttributeInUse, attributeNoun(clash)))
			failed++
			continue
		}
		takenKeys[b.user.Key] = true
		for _, n := range b.names {
			takenNames[n.Name] = true
		}
		accepted[i] = true
		count++
	}
	users := make([]store.User, 0, count)
	for _, row := range r.byKey {
		if accepted[row] {
			users = append(users, r.batch[row].user)
		}
	}
	names := make([]store.SignInName, 0, len(r.names))
	for _, bn := range r.names {
		if accepted[bn.row] {
			names = append(names, bn.name)
		}
	}
	err = tx.CreateUsers(ctx, users, names)
	if errors.Is(err, store.ErrConflict) && oneByOne {
		// A user made meanwhile by another request.
		for i, b := range r.batch {
			if !accepted[i] {
				continue
			}
			if err := tx.CreateUser(ctx, b.user, b.names); errors.Is(err, store.ErrConflict) {
				report(b, "Skipped", "a user with this username or alias exists already")
				skipped++
				accepted[i] = false
				count--
			} else if err != nil {
				return 0, 0, 0, err
			}
		}
		err = nil
	}
	if err != nil {
		return 0, 0, 0, err
	}
	for i, b := range r.batch {
		if !accepted[i] {
			continue
		}
		for _, g := range b.groups {
			if err := s.ensureMember(ctx, tx, p, g, b.user.Key); err != nil {
				return 0, 0, 0, err
			}
		}
	}
	return int64(count), failed, skipped, nil
}

// ensureMember adds an imported user to a group, making the group if the
// pool lacks it (an export of another pool names its groups).
func (s *Service) ensureMember(ctx context.Context, tx store.Tx, p *pool, group, userKey string) error {
	err := tx.AddUserToGroup(ctx, p.rec.ID, group, userKey)
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	now := s.now()
	if err := tx.CreateGroup(ctx, store.Group{PoolID: p.rec.ID, Name: group, CreatedAt: now, UpdatedAt: now}); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	return tx.AddUserToGroup(ctx, p.rec.ID, group, userKey)
}

// releaseJob gives up a job's lease, leaving it where it stands.
func (s *Service) releaseJob(ctx context.Context, j store.ImportJob, owner string) error {
	return s.update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetImportJob(ctx, j.PoolID, j.ID)
		if err != nil || cur.LeaseOwner != owner {
			return err
		}
		cur.LeaseOwner, cur.LeaseUntil = "", time.Time{}
		return tx.UpdateImportJob(ctx, cur)
	})
}

// finishJob ends a job with a status and message, and drops its upload.
func (s *Service) finishJob(ctx context.Context, j store.ImportJob, owner, status, message string) error {
	return s.update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetImportJob(ctx, j.PoolID, j.ID)
		if err != nil {
			return err
		}
		if cur.LeaseOwner != owner {
			return nil
		}
		cur.Status, cur.Message, cur.CompletedAt = status, message, s.now()
		cur.LeaseOwner, cur.LeaseUntil = "", time.Time{}
		if err := tx.UpdateImportJob(ctx, cur); err != nil {
			return err
		}
		return tx.DeleteImportChunks(ctx, j.PoolID, j.ID)
	})
}

// ImportRowResult is one line of a job's report.
type ImportRowResult struct {
	Line     int64  `json:"Line"`
	Username string `json:"Username,omitempty"`
	Outcome  string `json:"Outcome"`
	Reason   string `json:"Reason"`
}

// ImportReport returns a job's per-row report (what Cognito writes to
// CloudWatch Logs), after afterLine.
func (s *Service) ImportReport(ctx context.Context, poolID, jobID string, afterLine int64, limit int) ([]ImportRowResult, error) {
	if _, err := s.getPool(ctx, s.store, poolID); err != nil {
		return nil, err
	}
	if _, err := s.getJob(ctx, s.store, poolID, jobID); err != nil {
		return nil, err
	}
	rows, err := s.store.ListImportRowResults(ctx, poolID, jobID, afterLine, limit)
	if err != nil {
		return nil, err
	}
	out := make([]ImportRowResult, len(rows))
	for i, r := range rows {
		out[i] = ImportRowResult{Line: r.Line, Username: r.Username, Outcome: r.Outcome, Reason: r.Reason}
	}
	return out, nil
}

// ImportFile makes an import job from a local file and starts it, as
// 'cognate users import' does; the caller runs it with RunImportJob.
func (s *Service) ImportFile(ctx context.Context, poolID, name string, file io.Reader) (string, error) {
	out, err := s.CreateUserImportJob(ctx, &api.CreateUserImportJobInput{UserPoolId: &poolID, JobName: &name,
		CloudWatchLogsRoleArn: new("arn:aws:iam::" + s.cfg.AccountID + ":role/cognate-import")})
	if err != nil {
		return "", err
	}
	u, err := url.Parse(*out.UserImportJob.PreSignedUrl)
	if err != nil {
		return "", err
	}
	q := u.Query()
	if err := s.UploadImportFile(ctx, poolID, *out.UserImportJob.JobId, q.Get("expires"), q.Get("signature"), file); err != nil {
		return "", err
	}
	if _, err := s.StartUserImportJob(ctx, &api.StartUserImportJobInput{UserPoolId: &poolID, JobId: out.UserImportJob.JobId}); err != nil {
		return "", err
	}
	return *out.UserImportJob.JobId, nil
}
