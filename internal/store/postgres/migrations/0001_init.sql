-- Identifiers are COLLATE "C" so that they compare byte-wise, as SQLite's
-- BINARY does, and pages come in the same order on both. Timestamps are epoch
-- milliseconds.

CREATE TABLE user_pools (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    config     BYTEA  NOT NULL
);

CREATE TABLE clients (
    pool_id    TEXT COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    id         TEXT COLLATE "C" NOT NULL,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    config     BYTEA  NOT NULL,
    PRIMARY KEY (pool_id, id)
);

CREATE TABLE client_secrets (
    pool_id    TEXT COLLATE "C" NOT NULL,
    client_id  TEXT COLLATE "C" NOT NULL,
    id         TEXT COLLATE "C" NOT NULL,
    value      BYTEA  NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (pool_id, client_id, id),
    FOREIGN KEY (pool_id, client_id) REFERENCES clients (pool_id, id) ON DELETE CASCADE
);

CREATE TABLE access_keys (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    secret     BYTEA  NOT NULL,
    created_at BIGINT NOT NULL
);
