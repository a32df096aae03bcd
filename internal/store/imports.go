package store

import (
	"context"
	"time"
)

// ImportJob is a user import job. The uploaded CSV is kept in chunks of
// ImportChunkSize bytes (see PutImportChunk); Offset and Line say where
// processing stands (the byte offset and line number of the next row), so
// a job interrupted by a crash resumes there. A runner holds a job while
// LeaseUntil is in the future; LeaseOwner names it.
type ImportJob struct {
	PoolID      string
	ID          string
	Name        string
	Status      string // Created, Pending, InProgress, Stopping, Stopped, Succeeded, Failed, Expired
	CreatedAt   time.Time
	StartedAt   time.Time // zero until started
	CompletedAt time.Time // zero until finished
	LogsRoleARN string
	// HashAlgorithm is the job's PasswordHashingAlgorithm ("" for none).
	HashAlgorithm string
	Message       string // the CompletionMessage
	Imported      int64
	Skipped       int64
	Failed        int64
	Size          int64 // bytes uploaded; 0 until the upload completes
	Offset        int64
	Line          int64
	LeaseOwner    string
	LeaseUntil    time.Time
}

// ImportChunkSize is the size of every stored chunk of an upload but the last.
const ImportChunkSize = 1 << 20

// ImportRowResult is the outcome of one row of an import that did not
// simply succeed: it is the job's per-row report.
type ImportRowResult struct {
	PoolID   string
	JobID    string
	Line     int64
	Username string
	Outcome  string // "Skipped" or "Failed"
	Reason   string
}

// ImportReader reads import jobs.
type ImportReader interface {
	// GetImportJob returns ErrNotFound if the pool has no such job.
	GetImportJob(ctx context.Context, poolID, id string) (ImportJob, error)
	// ListImportJobs returns the pool's jobs ordered by ID, after page.After.
	ListImportJobs(ctx context.Context, poolID string, page Page) ([]ImportJob, error)
	// GetImportChunk returns chunk seq of a job's upload; ErrNotFound if absent.
	GetImportChunk(ctx context.Context, poolID, jobID string, seq int64) ([]byte, error)
	// ListImportRowResults returns a job's row results ordered by Line,
	// those after afterLine; limit <= 0 is no limit.
	ListImportRowResults(ctx context.Context, poolID, jobID string, afterLine int64, limit int) ([]ImportRowResult, error)
	// RunnableImportJobs returns up to limit jobs, of any pool, that a
	// runner may take: status Pending, InProgress or Stopping, with no
	// lease or one that ended before now. They come oldest first (by
	// CreatedAt, then PoolID and ID); limit <= 0 is no limit. It changes
	// nothing: the runner takes a job by updating its lease in the same
	// transaction.
	RunnableImportJobs(ctx context.Context, now time.Time, limit int) ([]ImportJob, error)
	// ExistingUserKeys returns which of keys are taken by users of the pool.
	ExistingUserKeys(ctx context.Context, poolID string, keys []string) (map[string]bool, error)
	// ExistingSignInNames returns which of names belong to users of the pool.
	ExistingSignInNames(ctx context.Context, poolID string, names []string) (map[string]bool, error)
}

// ImportWriter changes import jobs. A job, its chunks and its row results
// are deleted with their pool.
type ImportWriter interface {
	// CreateImportJob returns ErrConflict if the ID is taken, ErrNotFound if
	// the pool does not exist.
	CreateImportJob(ctx context.Context, j ImportJob) error
	// UpdateImportJob replaces everything but PoolID, ID, Name, CreatedAt,
	// LogsRoleARN and HashAlgorithm; ErrNotFound if absent.
	UpdateImportJob(ctx context.Context, j ImportJob) error
	// PutImportChunk stores (or replaces) chunk seq of a job's upload;
	// ErrNotFound if the job does not exist.
	PutImportChunk(ctx context.Context, poolID, jobID string, seq int64, data []byte) error
	// DeleteImportChunks removes a job's upload (a new upload replaces it,
	// and a finished job no longer needs it).
	DeleteImportChunks(ctx context.Context, poolID, jobID string) error
	// AddImportRowResults records row outcomes; ErrConflict if a line is
	// recorded twice, ErrNotFound if the job does not exist.
	AddImportRowResults(ctx context.Context, results []ImportRowResult) error
}
