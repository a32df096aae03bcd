-- A pool's generation moves with every change to the pool, its clients or
-- their secrets, so that a node may keep a copy of a client and check it
-- against the pool in the same read that finds the user signing in.
ALTER TABLE user_pools ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
