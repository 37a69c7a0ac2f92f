-- Ratings, 1 to 5.

-- name: RatingSet :one
-- found is false when the title is not there for this profile.
WITH target AS (
    SELECT t.id
    FROM titles t
    JOIN profiles p ON p.id = @profile_id AND p.user_id = @user_id
    WHERE t.id = @title_id AND t.min_age <= p.max_age
), rated AS (
    INSERT INTO ratings (profile_id, title_id, score, rated_at)
    SELECT @profile_id, id, @score, now()
    FROM target
    ON CONFLICT (profile_id, title_id) DO UPDATE SET score = excluded.score, rated_at = excluded.rated_at
)
SELECT EXISTS (SELECT 1 FROM target) AS found;

-- name: RatingList :many
-- ratings_recent_idx read backwards.
SELECT r.score, r.rated_at, sqlc.embed(d)
FROM ratings r
JOIN title_details d ON d.id = r.title_id
WHERE r.profile_id = @profile_id
  AND (r.rated_at, r.title_id) < (@before_at::timestamptz, @before_id::uuid)
  AND d.min_age <= @max_age::smallint
ORDER BY r.rated_at DESC, r.title_id DESC
LIMIT @lim;

-- name: RatingDelete :exec
DELETE FROM ratings
WHERE profile_id = @profile_id AND title_id = @title_id;

-- name: RatingInsertMany :exec
-- Bulk load of demo viewing (marquee seed).
INSERT INTO ratings (profile_id, title_id, score, rated_at)
SELECT unnest(@profile_ids::uuid[]), unnest(@title_ids::uuid[]), unnest(@scores::smallint[]), unnest(@rated_ats::timestamptz[])
ON CONFLICT DO NOTHING;
