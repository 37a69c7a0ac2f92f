-- Sessions, one per signed-in device: started at login, checked on every
-- request, ended by deletion (see migration 00012).

-- name: SessionStart :one
-- Login. Expired sessions are purged here, a hundred at most each time
-- (sessions_expires_idx): logins are what adds sessions, so each one taking
-- away more dead ones than it adds keeps the table from growing without
-- bound, with no job to schedule.
WITH purged AS (
    DELETE FROM sessions
    WHERE id IN (SELECT id FROM sessions WHERE expires_at <= now() ORDER BY expires_at LIMIT 100)
)
INSERT INTO sessions (user_id, device, expires_at)
VALUES (@user_id, @device, @expires_at)
RETURNING id;

-- name: SessionLock :one
-- Serialises every rotation and ending of one session until the end of the
-- transaction (primary key): an ending then sees the token a concurrent
-- refresh adds, instead of missing it.
SELECT id, user_id, profile_id, expires_at
FROM sessions
WHERE id = @id
FOR UPDATE;

-- name: SessionExtend :exec
-- A refresh: the session lives as long as its newest refresh token.
UPDATE sessions
SET expires_at = @expires_at, last_used_at = now()
WHERE id = @id;

-- name: SessionEnd :execrows
-- Logout, revocation, a refresh token presented twice: the session and its
-- refresh tokens go (ON DELETE CASCADE), and its access tokens are refused
-- from the next request on.
DELETE FROM sessions
WHERE id = @id AND user_id = @user_id;

-- name: SessionGetOwned :one
-- auth.RequireSessionOwner on /v1/me/sessions/{sessionID}: the session, when
-- it is live and the caller's (primary key).
SELECT *
FROM sessions
WHERE id = @id AND user_id = @user_id AND expires_at > now();

-- name: SessionEndOthers :many
-- Sign out everywhere else, and a password change: every session of the
-- account but keep goes, its refresh tokens with it; the ids tell the
-- instance which live sessions to forget (sessions_user_idx).
DELETE FROM sessions
WHERE user_id = @user_id AND id <> @keep
RETURNING id;

-- name: SessionList :many
-- GET /v1/me/sessions: an account's live sessions, most recently used
-- first, keyset-paged on sessions_user_idx (ties on last_used_at, rare,
-- are sorted by id on the few rows they hold). A session used while a
-- client pages may move to the top and be skipped: the list is of devices
-- signed in, not a log.
SELECT id, device, profile_id, created_at, last_used_at
FROM sessions
WHERE user_id = @user_id AND expires_at > now()
  AND last_used_at <= @before_used_at::timestamptz
  AND (last_used_at, id) < (@before_used_at::timestamptz, @before_id::uuid)
ORDER BY last_used_at DESC, id DESC
LIMIT @lim;

-- name: UserGetBySession :one
-- The caller of every authenticated request (auth.Authenticate): the account,
-- when the token's session is live and narrowed as the token says (primary
-- keys). The session's last use is recorded on the way, at most once a
-- minute.
WITH touched AS (
    UPDATE sessions
    SET last_used_at = now()
    WHERE id = @session_id AND user_id = @user_id AND last_used_at < now() - interval '1 minute'
)
SELECT sqlc.embed(u), s.expires_at AS session_expires_at
FROM sessions s
JOIN users u ON u.id = s.user_id
WHERE s.id = @session_id AND s.user_id = @user_id AND s.expires_at > now()
  AND s.profile_id IS NOT DISTINCT FROM sqlc.narg('narrowed_to')::uuid;

-- name: ProfileGetOwnedBySession :one
-- auth.Guard.Profile on a route under /v1/profiles/{profileID}: the
-- profile (with whether it is locked) and its account in one query, when
-- the caller owns it; the session check of Authenticate rides along, with
-- its touch (primary keys).
WITH touched AS (
    UPDATE sessions
    SET last_used_at = now()
    WHERE id = @session_id AND user_id = @user_id AND last_used_at < now() - interval '1 minute'
)
SELECT sqlc.embed(u), sqlc.embed(p), s.expires_at AS session_expires_at
FROM sessions s
JOIN users u ON u.id = s.user_id
JOIN profiles p ON p.user_id = s.user_id
WHERE p.id = @id AND s.id = @session_id AND s.user_id = @user_id AND s.expires_at > now()
  AND s.profile_id IS NOT DISTINCT FROM sqlc.narg('narrowed_to')::uuid;

-- name: SessionNarrow :exec
-- Narrows a session to one of its account's profiles (run under
-- SessionLock): its access tokens issued before, which name no profile or
-- another, are refused from the next request on (UserGetBySession). The
-- trigger of migration 00012 announces the change to every instance.
UPDATE sessions
SET profile_id = @profile_id::uuid, expires_at = @expires_at, last_used_at = now()
WHERE id = @id AND user_id = @user_id;

-- name: SessionEndNarrowedTo :many
-- A profile's PIN is set or changed, or the profile is deleted: the
-- sessions narrowed to it end, and their ids are returned so that this
-- instance evicts them at once (sessions_profile_idx; a profile has a few).
DELETE FROM sessions
WHERE profile_id = @profile_id::uuid
RETURNING id;
