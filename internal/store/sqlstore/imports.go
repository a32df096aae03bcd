package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"time"

	"cognate/internal/store"
)

func scanImportJob(s scanner) (store.ImportJob, error) {
	var j store.ImportJob
	var created int64
	var started, completed, leaseUntil sql.NullInt64
	err := s.Scan(&j.PoolID, &j.ID, &j.Name, &j.Status, &created, &started, &completed, &j.LogsRoleARN, &j.HashAlgorithm, &j.Message,
		&j.Imported, &j.Skipped, &j.Failed, &j.Size, &j.Offset, &j.Line, &j.LeaseOwner, &leaseUntil)
	j.CreatedAt, j.StartedAt, j.CompletedAt = fromMillis(created), fromNullMillis(started), fromNullMillis(completed)
	j.LeaseUntil = fromNullMillis(leaseUntil)
	return j, err
}

func scanImportRowResult(s scanner) (store.ImportRowResult, error) {
	var r store.ImportRowResult
	err := s.Scan(&r.PoolID, &r.JobID, &r.Line, &r.Username, &r.Outcome, &r.Reason)
	return r, err
}

func (c *conn) GetImportJob(ctx context.Context, poolID, id string) (store.ImportJob, error) {
	return get(ctx, c, fmt.Sprintf("get import job %q of pool %q", id, poolID), scanImportJob, getImportJob, poolID, id)
}

func (c *conn) ListImportJobs(ctx context.Context, poolID string, page store.Page) ([]store.ImportJob, error) {
	return list(ctx, c, fmt.Sprintf("list import jobs of pool %q", poolID), scanImportJob, listImportJobs,
		poolID, page.After, limit(page))
}

func (c *conn) GetImportChunk(ctx context.Context, poolID, jobID string, seq int64) ([]byte, error) {
	return get(ctx, c, fmt.Sprintf("get chunk %d of import job %q of pool %q", seq, jobID, poolID),
		func(s scanner) (b []byte, err error) { return b, s.Scan(&b) }, getImportChunk, poolID, jobID, seq)
}

func (c *conn) ListImportRowResults(ctx context.Context, poolID, jobID string, afterLine int64, n int) ([]store.ImportRowResult, error) {
	return list(ctx, c, fmt.Sprintf("list row results of import job %q of pool %q", jobID, poolID), scanImportRowResult,
		listImportRowResults, poolID, jobID, afterLine, rowLimit(n))
}

func (c *conn) RunnableImportJobs(ctx context.Context, now time.Time, n int) ([]store.ImportJob, error) {
	return list(ctx, c, "list runnable import jobs", scanImportJob, runnableImportJobs, millis(now), rowLimit(n))
}

// The lookups of an import batch: a SELECT of one row, by the primary key,
// of the value v.column1 that present gives it.
const (
	userKeysLookup    = `SELECT key FROM users WHERE pool_id = ? AND key = v.column1`
	signInNamesLookup = `SELECT name FROM sign_in_names WHERE pool_id = ? AND name = v.column1`
	rowResultsLookup  = `SELECT line FROM import_row_results WHERE pool_id = ? AND job_id = ? AND line = v.column1`
)

// The rows of present's VALUES. A parameter there is text on PostgreSQL
// unless cast.
const (
	textValue   = "(?)"
	bigintValue = "(CAST(? AS BIGINT))"
)

func (c *conn) ExistingUserKeys(ctx context.Context, poolID string, keys []string) (map[string]bool, error) {
	found, err := present(ctx, c, userKeysLookup, textValue, []any{poolID}, keys)
	if err != nil {
		return nil, c.fail(fmt.Sprintf("look up %d user keys in pool %q", len(keys), poolID), err)
	}
	return found, nil
}

func (c *conn) ExistingSignInNames(ctx context.Context, poolID string, names []string) (map[string]bool, error) {
	found, err := present(ctx, c, signInNamesLookup, textValue, []any{poolID}, names)
	if err != nil {
		return nil, c.fail(fmt.Sprintf("look up %d sign-in names in pool %q", len(names), poolID), err)
	}
	return found, nil
}

// lookupRows is the most values one query of present looks up: a batch of
// n values takes ⌈n/lookupRows⌉ queries, each far below SQLite's 32766
// parameters and PostgreSQL's 65535. A shorter list is padded with its last
// value again, to a multiple of lookupPad values or a power of two below
// that, so that 14 texts serve every batch and PostgreSQL's driver prepares
// each once per connection rather than once per batch size; a padded value
// costs one probe more.
const (
	lookupRows = 512
	lookupPad  = 64
)

// present returns the values that a lookup finds, args going before the
// values, each a row of VALUES as value writes it. Each query is
// SELECT (lookup) FROM (VALUES …) AS v, a scalar subquery per value, which
// both databases run as one probe of the primary key per value. The plainer
// key IN (…) leaves PostgreSQL the choice of reading every row of the pool
// and filtering it, which it makes while its statistics predate the pool (a
// pool being imported): at 100,000 users, 40 ms for 1,000 keys rather than 5.
func present[T comparable](ctx context.Context, c *conn, lookup, value string, args []any, values []T) (map[T]bool, error) {
	found := make(map[T]bool)
	list := make([]any, 0, len(args)+min(len(values), lookupRows))
	for start := 0; start < len(values); start += lookupRows {
		chunk := values[start:min(start+lookupRows, len(values))]
		n := 1 << bits.Len(uint(len(chunk)-1))
		if len(chunk) > lookupPad {
			n = (len(chunk) + lookupPad - 1) / lookupPad * lookupPad
		}
		list = append(list[:0], args...)
		for _, v := range chunk {
			list = append(list, v)
		}
		for range n - len(chunk) {
			list = append(list, chunk[len(chunk)-1])
		}
		if err := lookupChunk(ctx, c, c.rebind(lookupText(lookup, value, n)), list, found); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// lookupText is the query of present that looks up n values.
func lookupText(lookup, value string, n int) string {
	return "SELECT (" + lookup + ") FROM (VALUES " + strings.Repeat(value+", ", n-1) + value + ") AS v"
}

// lookupChunk runs one query of present: a row per value, NULL where the
// lookup found nothing.
func lookupChunk[T comparable](ctx context.Context, c *conn, text string, args []any, found map[T]bool) error {
	rows, err := c.q.QueryContext(ctx, text, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v *T
		if err := rows.Scan(&v); err != nil {
			return err
		}
		if v != nil {
			found[*v] = true
		}
	}
	return rows.Err()
}

func (t *tx) CreateImportJob(ctx context.Context, j store.ImportJob) error {
	return t.insertChild(ctx, fmt.Sprintf("create import job %q in pool %q", j.ID, j.PoolID), insertImportJob,
		[]any{j.PoolID, j.ID, j.Name, j.Status, millis(j.CreatedAt), nullMillis(j.StartedAt), nullMillis(j.CompletedAt),
			j.LogsRoleARN, j.HashAlgorithm, j.Message, j.Imported, j.Skipped, j.Failed, j.Size, j.Offset, j.Line,
			j.LeaseOwner, nullMillis(j.LeaseUntil), j.PoolID},
		userPoolExists, j.PoolID)
}

func (t *tx) UpdateImportJob(ctx context.Context, j store.ImportJob) error {
	return t.change(ctx, fmt.Sprintf("update import job %q of pool %q", j.ID, j.PoolID), updateImportJob,
		j.Status, nullMillis(j.StartedAt), nullMillis(j.CompletedAt), j.Message, j.Imported, j.Skipped, j.Failed,
		j.Size, j.Offset, j.Line, j.LeaseOwner, nullMillis(j.LeaseUntil), j.PoolID, j.ID)
}

func (t *tx) PutImportChunk(ctx context.Context, poolID, jobID string, seq int64, data []byte) error {
	// As PutCode: only a missing job leaves the upsert without a row.
	return t.change(ctx, fmt.Sprintf("put chunk %d of import job %q of pool %q", seq, jobID, poolID), putImportChunk,
		poolID, jobID, seq, blob(data), poolID, jobID)
}

func (t *tx) DeleteImportChunks(ctx context.Context, poolID, jobID string) error {
	if _, err := t.exec(ctx, deleteImportChunks, poolID, jobID); err != nil {
		return t.fail(fmt.Sprintf("delete the upload of import job %q of pool %q", jobID, poolID), err)
	}
	return nil
}

// AddImportRowResults checks the batch before its first write, so that a
// refusal changes nothing: the jobs exist, and no line is given twice or
// recorded already (one query per lookupRows lines). The rows then go in
// Dialect.BulkRows per INSERT, prepared once per call, as CreateUsers's do.
func (t *tx) AddImportRowResults(ctx context.Context, results []store.ImportRowResult) error {
	const what = "add import row results"
	if len(results) == 0 {
		return nil
	}
	if err := t.checkRowResults(ctx, results); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := t.insertRowResults(ctx, results); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// checkRowResults returns store.ErrNotFound if a job of the batch is
// missing, store.ErrConflict if a line of a job is given twice or recorded.
func (t *tx) checkRowResults(ctx context.Context, results []store.ImportRowResult) error {
	type job struct{ pool, id string }
	var jobs []job
	lines := map[job][]int64{}
	given := make(map[job]map[int64]bool)
	for _, r := range results {
		j := job{r.PoolID, r.JobID}
		if given[j] == nil {
			jobs = append(jobs, j)
			given[j] = map[int64]bool{}
		}
		if given[j][r.Line] {
			return fmt.Errorf("line %d of import job %q given twice: %w", r.Line, r.JobID, store.ErrConflict)
		}
		given[j][r.Line] = true
		lines[j] = append(lines[j], r.Line)
	}
	for _, j := range jobs {
		found, err := t.exists(ctx, importJobExists, j.pool, j.id)
		if err != nil {
			return t.mapErr(err)
		}
		if !found {
			return fmt.Errorf("import job %q of pool %q: %w", j.id, j.pool, store.ErrNotFound)
		}
	}
	for _, j := range jobs {
		recorded, err := present(ctx, &t.conn, rowResultsLookup, bigintValue, []any{j.pool, j.id}, lines[j])
		if err != nil {
			return t.mapErr(err)
		}
		if len(recorded) > 0 {
			first := slices.Min(slices.Collect(maps.Keys(recorded)))
			return fmt.Errorf("line %d of import job %q recorded already: %w", first, j.id, store.ErrConflict)
		}
	}
	return nil
}

// insertRowResults inserts checked rows. The checks leave one way to insert
// fewer: another transaction recorded a line since, which SQLite's single
// writer rules out and PostgreSQL reports as a serialization failure.
func (t *tx) insertRowResults(ctx context.Context, results []store.ImportRowResult) error {
	text := func(n int) string {
		row := "(" + placeholders(importRowResultColumns) + ")"
		return t.rebind("INSERT INTO import_row_results (" + importRowResultColumns + ") VALUES " +
			strings.Repeat(row+", ", n-1) + row + " ON CONFLICT DO NOTHING")
	}
	per := t.bulkRows
	var full *sql.Stmt
	if len(results) >= per {
		var err error
		if full, err = t.q.PrepareContext(ctx, text(per)); err != nil {
			return t.mapErr(err)
		}
		defer full.Close()
	}
	args := make([]any, 0, min(len(results), per)*columnsOf(importRowResultColumns))
	for done := 0; done < len(results); {
		chunk := results[done:min(done+per, len(results))]
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r.PoolID, r.JobID, r.Line, r.Username, r.Outcome, r.Reason)
		}
		stmt := full
		if len(chunk) < per {
			var err error
			if stmt, err = t.q.PrepareContext(ctx, text(len(chunk))); err != nil {
				return t.mapErr(err)
			}
			defer stmt.Close()
		}
		res, err := stmt.ExecContext(ctx, args...)
		if err != nil {
			return t.mapErr(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return t.mapErr(err)
		}
		if int(n) < len(chunk) {
			return fmt.Errorf("%d of %d lines recorded meanwhile: %w", len(chunk)-int(n), len(chunk), store.ErrConflict)
		}
		done += len(chunk)
	}
	return nil
}
