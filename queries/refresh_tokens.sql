-- Refresh tokens: issued at login, rotated on every use, revoked by family.

-- name: RefreshTokenCreate :exec
INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at)
VALUES (@token_hash, @family_id, @user_id, @expires_at);

-- name: RefreshTokenFamily :one
-- The family of a presented token (refresh_tokens_hash_key), to lock first.
SELECT family_id
FROM refresh_tokens
WHERE token_hash = @token_hash;

-- name: RefreshFamilyLock :exec
-- Serialises every rotation and revocation of one family until the end of
-- the transaction: a revocation then sees the token a concurrent refresh
-- adds, instead of missing it.
SELECT pg_advisory_xact_lock(hashtextextended(sqlc.arg(family_id)::uuid::text, 0));

-- name: RefreshTokenLock :one
-- Locks the presented token (refresh_tokens_hash_key), so that two requests
-- presenting it at once cannot both spend it.
SELECT id, family_id, user_id, expires_at, spent_at, revoked_at
FROM refresh_tokens
WHERE token_hash = @token_hash
FOR UPDATE;

-- name: RefreshTokenSpend :exec
UPDATE refresh_tokens
SET spent_at = now()
WHERE id = @id;

-- name: RefreshFamilyRevoke :exec
-- Logout, or a spent token presented again (refresh_tokens_family_idx).
UPDATE refresh_tokens
SET revoked_at = now()
WHERE family_id = @family_id AND revoked_at IS NULL;
