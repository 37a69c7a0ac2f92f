-- The watchlist.

-- name: WatchlistAdd :one
-- Idempotent: a title already listed keeps its date. found is false when the
-- title is not there for this profile.
WITH target AS (
    SELECT t.id
    FROM titles t
    JOIN profiles p ON p.id = @profile_id AND p.user_id = @user_id
    WHERE t.id = @title_id AND t.min_age <= p.max_age
), added AS (
    INSERT INTO watchlist (profile_id, title_id)
    SELECT @profile_id, id
    FROM target
    ON CONFLICT (profile_id, title_id) DO NOTHING
)
SELECT EXISTS (SELECT 1 FROM target) AS found;

-- name: WatchlistList :many
-- watchlist_recent_idx read backwards.
SELECT w.added_at, sqlc.embed(d)
FROM watchlist w
JOIN title_details d ON d.id = w.title_id
WHERE w.profile_id = @profile_id
  AND (w.added_at, w.title_id) < (@before_at::timestamptz, @before_id::uuid)
  AND d.min_age <= @max_age::smallint
ORDER BY w.added_at DESC, w.title_id DESC
LIMIT @lim;

-- name: WatchlistRemove :exec
DELETE FROM watchlist
WHERE profile_id = @profile_id AND title_id = @title_id;
