-- Bookmarks: the playback heartbeat and "continue watching".

-- name: BookmarkHeartbeat :one
-- The heartbeat, in one round trip. The title must be playable (it has a
-- runtime) and within the profile's max_age, and the profile the caller's
-- own: checked here as well as by the guard, so that no stale check can
-- write. A position below 90% of the runtime is saved; from 90% on the title
-- joins the history and leaves "continue watching", in the same statement.
-- runtime is -1 when the title is not there for this profile; written is 0
-- when the position was past the runtime.
WITH target AS (
    SELECT t.id, t.runtime_seconds
    FROM titles t
    JOIN profiles p ON p.id = @profile_id AND p.user_id = @user_id
    WHERE t.id = @title_id AND t.min_age <= p.max_age AND t.runtime_seconds IS NOT NULL
), accepted AS (
    SELECT id, runtime_seconds
    FROM target
    WHERE sqlc.arg(position_seconds)::int <= runtime_seconds
), finished AS (
    INSERT INTO history (profile_id, title_id, watched_at)
    SELECT @profile_id, id, now()
    FROM accepted
    WHERE 10 * sqlc.arg(position_seconds)::int >= 9 * runtime_seconds
    ON CONFLICT (profile_id, title_id) DO UPDATE SET watched_at = excluded.watched_at
    RETURNING title_id
), cleared AS (
    DELETE FROM bookmarks b
    USING finished f
    WHERE b.profile_id = @profile_id AND b.title_id = f.title_id
), saved AS (
    INSERT INTO bookmarks (profile_id, title_id, position_seconds, updated_at)
    SELECT @profile_id, id, sqlc.arg(position_seconds)::int, now()
    FROM accepted
    WHERE 10 * sqlc.arg(position_seconds)::int < 9 * runtime_seconds
    ON CONFLICT (profile_id, title_id) DO UPDATE
    SET position_seconds = excluded.position_seconds, updated_at = excluded.updated_at
    RETURNING title_id
)
SELECT coalesce((SELECT runtime_seconds FROM target), -1)::int AS runtime,
       ((SELECT count(*) FROM finished) + (SELECT count(*) FROM saved))::int AS written;

-- name: BookmarkList :many
-- Continue watching, newest first: bookmarks_recent_idx read backwards.
SELECT b.position_seconds, b.updated_at, sqlc.embed(d)
FROM bookmarks b
JOIN title_details d ON d.id = b.title_id
WHERE b.profile_id = @profile_id
  AND (b.updated_at, b.title_id) < (@before_at::timestamptz, @before_id::uuid)
  AND d.min_age <= @max_age::smallint
ORDER BY b.updated_at DESC, b.title_id DESC
LIMIT @lim;

-- name: BookmarkDelete :exec
DELETE FROM bookmarks
WHERE profile_id = @profile_id AND title_id = @title_id;

-- name: BookmarkInsertMany :exec
-- Bulk load of demo viewing (marquee seed).
INSERT INTO bookmarks (profile_id, title_id, position_seconds, updated_at)
SELECT unnest(@profile_ids::uuid[]), unnest(@title_ids::uuid[]), unnest(@positions::int[]), unnest(@updated_ats::timestamptz[])
ON CONFLICT DO NOTHING;
