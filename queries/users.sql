-- Accounts: registration, the caller of each request, password checks, the
-- admin user list, and admin rights.

-- name: UserCreate :one
INSERT INTO users (email, display_name)
VALUES (@email, @display_name)
RETURNING *;

-- name: CredentialSet :exec
INSERT INTO user_credentials (user_id, password_hash)
VALUES (@user_id, @password_hash)
ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash;

-- name: UserGet :one
-- The caller of every authenticated request (auth.Authenticate); primary key.
SELECT *
FROM users
WHERE id = @id;

-- name: UserCredentials :one
-- Login: users_email_key, then the credentials' primary key.
SELECT u.id, c.password_hash
FROM users u
JOIN user_credentials c ON c.user_id = u.id
WHERE u.email = @email;

-- name: CredentialGet :one
-- The password check of a signed-in account; primary key.
SELECT password_hash
FROM user_credentials
WHERE user_id = @user_id;

-- name: CredentialHold :one
-- Login, as its session starts: the password hash, held (FOR SHARE) until
-- the session is committed, so that a password change waits for the new
-- session and ends it with the others; or, if the change came first, the
-- login sees that the password it checked is no longer the account's.
-- Primary key.
SELECT password_hash
FROM user_credentials
WHERE user_id = @user_id
FOR SHARE;

-- name: UserLock :one
-- Serialises profile creation per account, so that the five-profile limit
-- holds under concurrent requests.
SELECT id
FROM users
WHERE id = @id
FOR UPDATE;

-- name: UserList :many
-- Admin list, oldest first, keyset-paged on users_created_at_idx, with each
-- account's number of live sessions (sessions_user_idx).
SELECT sqlc.embed(u),
    (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > now()) AS sessions
FROM users u
WHERE (u.created_at, u.id) > (@after_created_at::timestamptz, @after_id::uuid)
ORDER BY u.created_at, u.id
LIMIT @lim;

-- name: UserSetAdmin :one
UPDATE users
SET is_admin = @is_admin
WHERE id = @id
RETURNING *;

-- name: UserGetByEmail :one
-- marquee promote EMAIL; users_email_key.
SELECT *
FROM users
WHERE email = @email;

-- name: UserDelete :execrows
-- DELETE /v1/me. Everything of the account goes with it (ON DELETE CASCADE
-- from users: credentials, refresh tokens, profiles and their viewing
-- state); the audit log keeps the actor's id (audit_log.actor_id has no
-- foreign key). Primary key.
DELETE FROM users
WHERE id = @id;

-- name: AdminsLock :many
-- The admins, locked, so that two admins revoking each other at once cannot
-- leave the platform with none.
SELECT id
FROM users
WHERE is_admin
FOR UPDATE;

-- name: UserInsertMany :exec
-- Bulk load of demo viewers (marquee seed); existing ones are left alone.
INSERT INTO users (id, email, display_name)
SELECT unnest(@ids::uuid[]), unnest(@emails::text[]), unnest(@display_names::text[])
ON CONFLICT DO NOTHING;
