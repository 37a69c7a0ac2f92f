-- +goose Up
-- A session is one signed-in device: a login starts one, its refresh tokens
-- are its family (each refresh spends one and adds the next), and every
-- access token names it (the sid claim). A session ends by being deleted:
-- logout, revocation from another device, a password change, a refresh
-- token presented twice, the account's deletion. Its tokens go with it, and
-- the access tokens that name it are refused from then on, since every
-- request checks that its session is still here (queries/sessions.sql).
-- profile_id is the profile a session is narrowed to (null: the whole
-- account); deleting that profile ends the session, so that it cannot widen.
-- expires_at moves forward with each refresh, as far as the refresh token's
-- lifetime; last_used_at is touched at most once a minute.
CREATE TABLE sessions (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device       text        NOT NULL,
    profile_id   uuid        REFERENCES profiles (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    CONSTRAINT sessions_device_length CHECK (char_length(device) BETWEEN 1 AND 64)
);
-- An account's sessions, most recently used first (the device list), and
-- deleting them with the account without a scan.
CREATE INDEX sessions_user_idx ON sessions (user_id, last_used_at DESC);
-- Deleting the sessions narrowed to a deleted profile without a scan.
CREATE INDEX sessions_profile_idx ON sessions (profile_id) WHERE profile_id IS NOT NULL;
-- Purging expired sessions, oldest first.
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- The refresh token families live now become sessions of an unknown
-- device; the others are dead, and their tokens go.
DELETE FROM refresh_tokens t
WHERE NOT EXISTS (
    SELECT 1 FROM refresh_tokens l
    WHERE l.family_id = t.family_id AND l.revoked_at IS NULL AND l.spent_at IS NULL AND l.expires_at > now()
);
INSERT INTO sessions (id, user_id, device, created_at, last_used_at, expires_at)
SELECT family_id, (array_agg(user_id))[1], 'unknown', min(created_at), max(created_at), max(expires_at)
FROM refresh_tokens
GROUP BY family_id;

-- A session is revoked by deleting it, not token by token.
ALTER TABLE refresh_tokens DROP COLUMN revoked_at;
ALTER TABLE refresh_tokens RENAME COLUMN family_id TO session_id;
ALTER TABLE refresh_tokens
    ADD CONSTRAINT refresh_tokens_session_fk FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE;
ALTER INDEX refresh_tokens_family_idx RENAME TO refresh_tokens_session_idx;

-- Every instance keeps a cache of live sessions beside its ownership cache
-- (auth.LiveSessions): an ended session, and a session narrowed to another
-- profile, are announced on marquee_auth as "session:<id>" so that each
-- evicts it at once (migration 00008 announces users and profiles). The
-- touch of last_used_at is not announced: it changes nothing a cache holds.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION announce_auth_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('marquee_auth', CASE TG_TABLE_NAME
        WHEN 'users' THEN 'user:'
        WHEN 'sessions' THEN 'session:'
        ELSE 'profile:' END || OLD.id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER sessions_announce_change AFTER DELETE OR UPDATE OF profile_id, user_id ON sessions
    FOR EACH ROW EXECUTE FUNCTION announce_auth_change();

-- +goose Down
DROP TRIGGER sessions_announce_change ON sessions;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION announce_auth_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('marquee_auth', CASE TG_TABLE_NAME WHEN 'users' THEN 'user:' ELSE 'profile:' END || OLD.id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
ALTER INDEX refresh_tokens_session_idx RENAME TO refresh_tokens_family_idx;
ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_session_fk;
ALTER TABLE refresh_tokens RENAME COLUMN session_id TO family_id;
ALTER TABLE refresh_tokens ADD COLUMN revoked_at timestamptz;
DROP TABLE sessions;
