-- A refresh token's family is always looked up with its user (the access
-- token names the user, the refresh token holds it), so one index serves
-- the user's tokens and a family's, where there were two: a sign-in's
-- insert now changes three b-trees besides the table rather than four.
CREATE INDEX refresh_tokens_user_family ON refresh_tokens (pool_id, user_key, family);
DROP INDEX refresh_tokens_family;
DROP INDEX refresh_tokens_user;
