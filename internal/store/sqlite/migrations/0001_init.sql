-- Identifiers compare byte-wise (BINARY, SQLite's default collation), as they
-- do under COLLATE "C" in PostgreSQL, so that pages come in the same order.
-- Timestamps are epoch milliseconds.

CREATE TABLE user_pools (
    id         TEXT   NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    config     BLOB   NOT NULL
);

CREATE TABLE clients (
    pool_id    TEXT   NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    id         TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    config     BLOB   NOT NULL,
    PRIMARY KEY (pool_id, id)
);

CREATE TABLE client_secrets (
    pool_id    TEXT   NOT NULL,
    client_id  TEXT   NOT NULL,
    id         TEXT   NOT NULL,
    value      BLOB   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (pool_id, client_id, id),
    FOREIGN KEY (pool_id, client_id) REFERENCES clients (pool_id, id) ON DELETE CASCADE
);

CREATE TABLE access_keys (
    id         TEXT   NOT NULL PRIMARY KEY,
    secret     BLOB   NOT NULL,
    created_at BIGINT NOT NULL
);
