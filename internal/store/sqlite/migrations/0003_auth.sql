-- What sign-in keeps: signing keys, sessions between a challenge and its
-- answer, refresh tokens and authentication events. Every column a key or a
-- lookup compares is TEXT in BINARY collation, so that indexes order it
-- byte-wise as PostgreSQL's COLLATE "C" does. Times are epoch milliseconds.

-- A pool's signing keys; retired_at and expires_at are NULL until the key is
-- retired. A pool has a handful: its part of the primary key is enough to
-- list them.
CREATE TABLE signing_keys (
    pool_id    TEXT   NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    id         TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT,
    expires_at BIGINT,
    private    BLOB   NOT NULL,
    PRIMARY KEY (pool_id, id)
);

-- Sessions, refresh tokens and events belong to a user and go with it (and
-- so with its pool). Each has an index starting with (pool_id, user_key),
-- so that deleting a user finds them without a scan.
CREATE TABLE auth_sessions (
    pool_id    TEXT   NOT NULL,
    id         TEXT   NOT NULL,
    client_id  TEXT   NOT NULL,
    user_key   TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    data       BLOB   NOT NULL,
    PRIMARY KEY (pool_id, id),
    FOREIGN KEY (pool_id, user_key) REFERENCES users (pool_id, key) ON DELETE CASCADE
);

CREATE INDEX auth_sessions_user    ON auth_sessions (pool_id, user_key);
-- DeleteExpiredAuth reads the oldest expiries of every pool first.
CREATE INDEX auth_sessions_expires ON auth_sessions (expires_at);

CREATE TABLE refresh_tokens (
    pool_id    TEXT   NOT NULL,
    id         TEXT   NOT NULL,
    family     TEXT   NOT NULL,
    client_id  TEXT   NOT NULL,
    user_key   TEXT   NOT NULL,
    auth_time  BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (pool_id, id),
    FOREIGN KEY (pool_id, user_key) REFERENCES users (pool_id, key) ON DELETE CASCADE
);

CREATE INDEX refresh_tokens_family  ON refresh_tokens (pool_id, family);
CREATE INDEX refresh_tokens_user    ON refresh_tokens (pool_id, user_key);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

-- A user's events are one range of the primary key, read backwards to list
-- them newest first.
CREATE TABLE auth_events (
    pool_id    TEXT   NOT NULL,
    user_key   TEXT   NOT NULL,
    id         TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    data       BLOB   NOT NULL,
    PRIMARY KEY (pool_id, user_key, id),
    FOREIGN KEY (pool_id, user_key) REFERENCES users (pool_id, key) ON DELETE CASCADE
);

-- The operations users call name an app client by its ID alone, which this
-- index finds in one lookup. The domain makes IDs random enough to be unique
-- across pools; the key stays (pool_id, id), as every other lookup uses it.
CREATE INDEX clients_id ON clients (id);
