-- History: titles watched to the end, newest first.

-- name: HistoryMark :one
-- Marks a title watched (and takes it out of "continue watching"), if it is
-- there for this profile (found).
WITH target AS (
    SELECT t.id
    FROM titles t
    JOIN profiles p ON p.id = @profile_id AND p.user_id = @user_id
    WHERE t.id = @title_id AND t.min_age <= p.max_age
), marked AS (
    INSERT INTO history (profile_id, title_id, watched_at)
    SELECT @profile_id, id, now()
    FROM target
    ON CONFLICT (profile_id, title_id) DO UPDATE SET watched_at = excluded.watched_at
    RETURNING watched_at
), cleared AS (
    DELETE FROM bookmarks b
    USING target t
    WHERE b.profile_id = @profile_id AND b.title_id = t.id
)
SELECT EXISTS (SELECT 1 FROM target) AS found, coalesce((SELECT watched_at FROM marked), now())::timestamptz AS watched_at;

-- name: HistoryList :many
-- history_recent_idx read backwards.
SELECT h.watched_at, sqlc.embed(d)
FROM history h
JOIN title_details d ON d.id = h.title_id
WHERE h.profile_id = @profile_id
  AND (h.watched_at, h.title_id) < (@before_at::timestamptz, @before_id::uuid)
  AND d.min_age <= @max_age::smallint
ORDER BY h.watched_at DESC, h.title_id DESC
LIMIT @lim;

-- name: HistoryClear :exec
DELETE FROM history
WHERE profile_id = @profile_id;

-- name: HistoryInsertMany :exec
-- Bulk load of demo viewing (marquee seed).
INSERT INTO history (profile_id, title_id, watched_at)
SELECT unnest(@profile_ids::uuid[]), unnest(@title_ids::uuid[]), unnest(@watched_ats::timestamptz[])
ON CONFLICT DO NOTHING;
