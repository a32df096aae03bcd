-- Users, their sign-in names, groups and the outbox. Every column a key, a
-- filter or a page compares is TEXT in BINARY collation, so that indexes
-- order it byte-wise as PostgreSQL's COLLATE "C" does. Fields a user lacks
-- are '' rather than NULL, so that every user is in every filter's index.

CREATE TABLE users (
    pool_id            TEXT    NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    key                TEXT    NOT NULL,
    username           TEXT    NOT NULL,
    sub                TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    enabled            BOOLEAN NOT NULL,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL,
    attributes         BLOB    NOT NULL,
    credential         BLOB,
    settings           BLOB    NOT NULL,
    email              TEXT    NOT NULL,
    phone_number       TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    given_name         TEXT    NOT NULL,
    family_name        TEXT    NOT NULL,
    preferred_username TEXT    NOT NULL,
    PRIMARY KEY (pool_id, key),
    UNIQUE (pool_id, sub)
);

-- One index per field ListUsers filters on, ending in key: a page of an
-- equality or prefix filter is one range of it, in the order pages continue.
-- The sub's is the unique constraint's: subs are unique, so (pool_id, sub)
-- orders as (pool_id, sub, key) would, and a second index of random values
-- would cost a quarter of the bulk insert rate.
CREATE INDEX users_email              ON users (pool_id, email, key);
CREATE INDEX users_phone_number       ON users (pool_id, phone_number, key);
CREATE INDEX users_name               ON users (pool_id, name, key);
CREATE INDEX users_given_name         ON users (pool_id, given_name, key);
CREATE INDEX users_family_name        ON users (pool_id, family_name, key);
CREATE INDEX users_preferred_username ON users (pool_id, preferred_username, key);
CREATE INDEX users_status             ON users (pool_id, status, key);
CREATE INDEX users_enabled            ON users (pool_id, enabled, key);

-- A user's sign-in names besides its key. The primary key makes a name
-- belong to one user of the pool at most, whoever races for it.
CREATE TABLE sign_in_names (
    pool_id  TEXT NOT NULL,
    name     TEXT NOT NULL,
    user_key TEXT NOT NULL,
    kind     TEXT NOT NULL,
    PRIMARY KEY (pool_id, name),
    FOREIGN KEY (pool_id, user_key) REFERENCES users (pool_id, key) ON DELETE CASCADE
);

CREATE INDEX sign_in_names_user ON sign_in_names (pool_id, user_key, name);

CREATE TABLE groups (
    pool_id     TEXT   NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    name        TEXT   NOT NULL,
    description TEXT   NOT NULL,
    role_arn    TEXT   NOT NULL,
    precedence  BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE group_members (
    pool_id    TEXT NOT NULL,
    group_name TEXT NOT NULL,
    user_key   TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, user_key),
    FOREIGN KEY (pool_id, group_name) REFERENCES groups (pool_id, name) ON DELETE CASCADE,
    FOREIGN KEY (pool_id, user_key) REFERENCES users (pool_id, key) ON DELETE CASCADE
);

CREATE INDEX group_members_user ON group_members (pool_id, user_key, group_name);

-- The outbox is the record of what was sent: its rows outlive their user,
-- and go only with the pool.
CREATE TABLE outbox (
    id           TEXT   NOT NULL PRIMARY KEY,
    pool_id      TEXT   NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    user_key     TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    kind         TEXT   NOT NULL,
    medium       TEXT   NOT NULL,
    destination  TEXT   NOT NULL,
    subject      TEXT   NOT NULL,
    body         TEXT   NOT NULL,
    code         TEXT   NOT NULL,
    status       TEXT   NOT NULL,
    attempts     BIGINT NOT NULL,
    next_attempt BIGINT NOT NULL,
    last_error   TEXT   NOT NULL
);

CREATE INDEX outbox_user ON outbox (pool_id, user_key, id);
CREATE INDEX outbox_due  ON outbox (status, next_attempt, id);
