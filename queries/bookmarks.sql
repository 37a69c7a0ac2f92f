-- Bookmarks: the playback heartbeat and "continue watching".

-- name: BookmarkHeartbeatMany :many
-- Playback heartbeats, many in one statement (db.HeartbeatWriter groups the
-- ones that arrive together, each (profile, title) at most once). A title
-- must be playable (it has a runtime) and within its profile's max_age, and
-- the profile the caller's own: checked here as well as by the guard, so
-- that no stale check can write. A position below 90% of the runtime is
-- saved; from 90% on the title joins the history and leaves "continue
-- watching", in the same statement. For each input row (idx): runtime is -1
-- when the title is not there for that profile, written false when the
-- position was past the runtime.
WITH input AS (
    SELECT unnest(@idx::int[]) AS idx, unnest(@profile_ids::uuid[]) AS profile_id,
           unnest(@user_ids::uuid[]) AS user_id, unnest(@title_ids::uuid[]) AS title_id,
           unnest(@positions::int[]) AS position
), target AS (
    SELECT i.idx, i.profile_id, i.title_id, i.position, t.runtime_seconds
    FROM input i
    JOIN profiles p ON p.id = i.profile_id AND p.user_id = i.user_id
    JOIN titles t ON t.id = i.title_id AND t.min_age <= p.max_age AND t.runtime_seconds IS NOT NULL
), accepted AS (
    SELECT profile_id, title_id, position, runtime_seconds
    FROM target
    WHERE position <= runtime_seconds
), finished AS (
    INSERT INTO history (profile_id, title_id, watched_at)
    SELECT profile_id, title_id, now()
    FROM accepted
    WHERE 10 * position >= 9 * runtime_seconds
    ON CONFLICT (profile_id, title_id) DO UPDATE SET watched_at = excluded.watched_at
    RETURNING profile_id, title_id
), cleared AS (
    DELETE FROM bookmarks b
    USING finished f
    WHERE b.profile_id = f.profile_id AND b.title_id = f.title_id
), saved AS (
    INSERT INTO bookmarks (profile_id, title_id, position_seconds, updated_at)
    SELECT profile_id, title_id, position, now()
    FROM accepted
    WHERE 10 * position < 9 * runtime_seconds
    ON CONFLICT (profile_id, title_id) DO UPDATE
    SET position_seconds = excluded.position_seconds, updated_at = excluded.updated_at
)
SELECT i.idx::int AS idx, coalesce(t.runtime_seconds, -1)::int AS runtime,
       coalesce(t.position <= t.runtime_seconds, false)::bool AS written
FROM input i
LEFT JOIN target t ON t.idx = i.idx;

-- name: BookmarkList :many
-- Continue watching, newest first: the profile's bookmarks by primary key
-- (a profile has a few dozen), sorted.
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
