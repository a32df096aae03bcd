-- User import jobs, the CSV each was given and the report of its rows. Every
-- column a key or a lookup compares is COLLATE "C", so that indexes order it
-- byte-wise as SQLite's BINARY does. Times are epoch milliseconds;
-- started_at, completed_at and lease_until are NULL until set. Everything
-- goes with the pool.

-- next_offset and next_line are where processing resumes (OFFSET is a
-- keyword in both dialects).
CREATE TABLE import_jobs (
    pool_id       TEXT COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    id            TEXT COLLATE "C" NOT NULL,
    name          TEXT   NOT NULL,
    status        TEXT COLLATE "C" NOT NULL,
    created_at    BIGINT NOT NULL,
    started_at    BIGINT,
    completed_at  BIGINT,
    logs_role_arn TEXT   NOT NULL,
    hash_algorithm TEXT   NOT NULL,
    message       TEXT   NOT NULL,
    imported      BIGINT NOT NULL,
    skipped       BIGINT NOT NULL,
    failed        BIGINT NOT NULL,
    size          BIGINT NOT NULL,
    next_offset   BIGINT NOT NULL,
    next_line     BIGINT NOT NULL,
    lease_owner   TEXT   NOT NULL,
    lease_until   BIGINT,
    PRIMARY KEY (pool_id, id)
);

-- RunnableImportJobs reads the few jobs of the runnable statuses, of every
-- pool, without the finished ones that pile up beside them.
CREATE INDEX import_jobs_runnable ON import_jobs (status, lease_until);

-- The upload, in chunks of store.ImportChunkSize bytes numbered from 0.
CREATE TABLE import_chunks (
    pool_id TEXT COLLATE "C" NOT NULL,
    job_id  TEXT COLLATE "C" NOT NULL,
    seq     BIGINT NOT NULL,
    data    BYTEA  NOT NULL,
    PRIMARY KEY (pool_id, job_id, seq),
    FOREIGN KEY (pool_id, job_id) REFERENCES import_jobs (pool_id, id) ON DELETE CASCADE
);

-- The rows that were skipped or failed, one per line of the CSV: the report
-- is one range of the primary key, in line order.
CREATE TABLE import_row_results (
    pool_id  TEXT COLLATE "C" NOT NULL,
    job_id   TEXT COLLATE "C" NOT NULL,
    line     BIGINT NOT NULL,
    username TEXT   NOT NULL,
    outcome  TEXT   NOT NULL,
    reason   TEXT   NOT NULL,
    PRIMARY KEY (pool_id, job_id, line),
    FOREIGN KEY (pool_id, job_id) REFERENCES import_jobs (pool_id, id) ON DELETE CASCADE
);
