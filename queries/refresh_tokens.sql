-- Refresh tokens: issued at login, rotated on every use; they are their
-- session's family and end with it.

-- name: RefreshTokenCreate :exec
INSERT INTO refresh_tokens (token_hash, session_id, user_id, expires_at)
VALUES (@token_hash, @session_id, @user_id, @expires_at);

-- name: RefreshTokenSession :one
-- The session of a presented token (refresh_tokens_hash_key), to lock first.
SELECT session_id
FROM refresh_tokens
WHERE token_hash = @token_hash;

-- name: RefreshTokenLock :one
-- Locks the presented token (refresh_tokens_hash_key), so that two requests
-- presenting it at once cannot both spend it.
SELECT id, session_id, user_id, expires_at, spent_at
FROM refresh_tokens
WHERE token_hash = @token_hash
FOR UPDATE;

-- name: RefreshTokenSpend :exec
UPDATE refresh_tokens
SET spent_at = now()
WHERE id = @id;

-- name: RefreshTokenSpendSession :exec
-- Narrowing: every refresh token of the session not yet spent is spent
-- (refresh_tokens_session_idx), so that presenting one again is reuse.
UPDATE refresh_tokens
SET spent_at = now()
WHERE session_id = @session_id AND spent_at IS NULL;
