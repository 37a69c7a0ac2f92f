-- Viewing profiles of an account, and the ownership check that guards every
-- profile-scoped route (ProfileGetOwnedWithUser).

-- name: ProfileListByUser :many
-- profiles_user_id_idx.
SELECT *
FROM profiles
WHERE user_id = @user_id
ORDER BY created_at, id;

-- name: ProfileCreateIfRoom :one
-- Run after UserLock in the same transaction: no row when the account
-- already has @max_profiles profiles.
INSERT INTO profiles (user_id, name, kids, max_age)
SELECT @user_id, @name, @kids, @max_age
WHERE (SELECT count(*) FROM profiles WHERE user_id = @user_id) < @max_profiles::int
RETURNING *;

-- name: ProfileUpdate :one
UPDATE profiles
SET name = @name, kids = @kids, max_age = @max_age
WHERE id = @id AND user_id = @user_id
RETURNING *;

-- name: ProfileDelete :exec
-- Bookmarks, history, watchlist, ratings and favourites go with it (ON DELETE CASCADE).
DELETE FROM profiles
WHERE id = @id AND user_id = @user_id;

-- name: ProfileInsertMany :exec
-- Bulk load of demo viewers' profiles (marquee seed).
INSERT INTO profiles (id, user_id, name, kids, max_age)
SELECT unnest(@ids::uuid[]), unnest(@user_ids::uuid[]), unnest(@names::text[]), unnest(@kids::bool[]), unnest(@max_ages::smallint[])
ON CONFLICT DO NOTHING;

-- name: ProfileExists :one
SELECT EXISTS (SELECT 1 FROM profiles WHERE id = @id);

-- name: ProfileGetOwnedWithUser :one
-- auth.RequireProfileOwner: the profile and its account in one query, when
-- the caller owns it; the account check of Authenticate rides along
-- (primary keys).
SELECT sqlc.embed(u), sqlc.embed(p)
FROM profiles p
JOIN users u ON u.id = p.user_id
WHERE p.id = @id AND p.user_id = @user_id;
