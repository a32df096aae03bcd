-- One-time codes, and the envelope of an email in the outbox. Every column a
-- key or a lookup compares is COLLATE "C", so that indexes order it byte-wise
-- as SQLite's BINARY does. Times are epoch milliseconds.

-- A user's codes, one per purpose: a new code replaces the old one in place.
-- They go with the user (and so with its pool); the primary key starts with
-- (pool_id, user_key), so that deleting a user finds them without a scan.
CREATE TABLE codes (
    pool_id     TEXT COLLATE "C" NOT NULL,
    user_key    TEXT COLLATE "C" NOT NULL,
    purpose     TEXT COLLATE "C" NOT NULL,
    hash        BYTEA  NOT NULL,
    destination TEXT   NOT NULL,
    value       TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    attempts    BIGINT NOT NULL,
    PRIMARY KEY (pool_id, user_key, purpose),
    FOREIGN KEY (pool_id, user_key) REFERENCES users (pool_id, key) ON DELETE CASCADE
);

-- FROM is a keyword in both dialects, hence from_address. The default gives
-- the messages already queued the sender's default envelope.
ALTER TABLE outbox ADD COLUMN from_address TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN reply_to     TEXT NOT NULL DEFAULT '';

-- Codes are rate-limited per destination too: the messages sent to an
-- address in the last hour are one range of this index.
ALTER TABLE outbox ALTER COLUMN destination TYPE TEXT COLLATE "C";
CREATE INDEX outbox_destination ON outbox (pool_id, destination, created_at);
