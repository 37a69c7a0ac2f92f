-- Recommendations: two statements, one to learn what a profile has seen and
-- likes, one to score candidates from everyone's viewing in a single pass.

-- name: RecommendationTaste :many
-- Everything a profile has seen, newest first: watched, rated or in
-- progress, with the title it is listed as (an episode's series), and
-- whether the profile may see it now (@max_age; an episode's series is
-- rated no higher than the episode): a title it may not see never shapes
-- its taste, so that no reason names it. Primary keys of history, ratings
-- and bookmarks lead with profile_id.
SELECT s.title_id, coalesce(t.series_id, t.id)::uuid AS listed_id, s.watched, s.score::smallint AS score, s.at::timestamptz AS at,
       (t.min_age <= @max_age::smallint)::bool AS visible
FROM (
    SELECT h.title_id, true AS watched, 0 AS score, h.watched_at AS at
    FROM history h WHERE h.profile_id = @profile_id
    UNION ALL
    SELECT r.title_id, false, r.score, r.rated_at
    FROM ratings r WHERE r.profile_id = @profile_id
    UNION ALL
    SELECT b.title_id, false, 0, b.updated_at
    FROM bookmarks b WHERE b.profile_id = @profile_id
) s
JOIN titles t ON t.id = s.title_id
ORDER BY s.at DESC;

-- name: RecommendationList :many
-- Scores candidates for a profile and returns the best @lim.
--   co-occurrence: the profiles of other accounts that lately watched
--   (history_title_idx) or liked (ratings_liked_idx) each of @liked (titles
--   the profile may see: RecommendationTaste), at most @fanout per title,
--   and what those profiles watched lately (history_recent_idx), at most
--   @depth each; a recent like (early in @liked) weighs more, and the most
--   recent one that led to a title is its reason; a liked title counts for
--   a candidate only when profiles of at least @min_backers distinct other
--   accounts lead from one to the other, so that what one other account
--   watched can never be read back from them, not even by an account whose
--   own profiles lead there too (they are never neighbours);
--   genre affinity: how many of @liked_listed share a candidate's genre;
--   popularity: plays among the platform's last 5,000 watches
--   (history_watched_at_idx);
--   new releases (titles_listed_release_idx) when nobody watched anything.
-- Each title read is looked up once (as listed), and details are read for
-- the @lim winners only.
-- Never a title of @seen (watched, rated, in progress, or the series of
-- one), never one above @max_age, never an episode (its series stands for it).
WITH liked AS (
    SELECT l.title_id, l.pos
    FROM unnest(@liked::uuid[]) WITH ORDINALITY AS l (title_id, pos)
), mine AS (
    -- The caller's account's profiles (profiles_user_id_idx): never
    -- neighbours, so that they cannot vouch for another account's viewing.
    SELECT array_agg(p.id) AS ids
    FROM profiles p
    WHERE p.user_id = @user_id
), neighbours AS (
    SELECT l.pos, n.profile_id
    FROM liked l
    CROSS JOIN LATERAL (
        SELECT h.profile_id
        FROM history h
        WHERE h.title_id = l.title_id AND h.profile_id <> ALL ((SELECT ids FROM mine)::uuid[])
        ORDER BY h.watched_at DESC
        LIMIT @fanout::int
    ) n
    UNION ALL
    SELECT l.pos, n.profile_id
    FROM liked l
    CROSS JOIN LATERAL (
        SELECT r.profile_id
        FROM ratings r
        WHERE r.title_id = l.title_id AND r.score >= 4 AND r.profile_id <> ALL ((SELECT ids FROM mine)::uuid[])
        ORDER BY r.rated_at DESC
        LIMIT @fanout::int
    ) n
), nb AS (
    -- Each neighbour once per liked title that led to it, with its account.
    SELECT DISTINCT n.pos, n.profile_id, pr.user_id
    FROM neighbours n
    JOIN profiles pr ON pr.id = n.profile_id
), reads AS (
    -- Each neighbour's latest watches, read once.
    SELECT p.profile_id, x.title_id
    FROM (SELECT DISTINCT profile_id FROM nb) p
    CROSS JOIN LATERAL (
        SELECT h.title_id
        FROM history h
        WHERE h.profile_id = p.profile_id
        ORDER BY h.watched_at DESC
        LIMIT @depth::int
    ) x
), listed AS (
    -- The titles read, as listed (an episode's series), each looked up once.
    SELECT t.id, coalesce(t.series_id, t.id) AS title_id
    FROM titles t
    WHERE t.id IN (SELECT r.title_id FROM reads r)
), paths AS (
    -- Each (candidate, liked title, account) once: a neighbour that watched
    -- several episodes of a series leads to it once, and so do several
    -- profiles of one account.
    SELECT l.title_id, nb.pos, nb.user_id
    FROM nb
    JOIN reads r ON r.profile_id = nb.profile_id
    JOIN listed l ON l.id = r.title_id
    GROUP BY 1, 2, 3
), co_pos AS (
    -- Fewer than @min_backers accounts from a liked title to a candidate,
    -- and that liked title does not count for it (nor becomes its reason).
    SELECT title_id, pos, count(*) AS backers
    FROM paths
    GROUP BY 1, 2
    HAVING count(*) >= @min_backers::int
), co AS (
    SELECT c.title_id, sum(c.backers / c.pos::float8) AS weight, min(c.pos) AS pos
    FROM co_pos c
    GROUP BY c.title_id
    ORDER BY 2 DESC
    LIMIT 300
), popular AS (
    SELECT coalesce(t.series_id, t.id) AS title_id, sum(r.plays) AS plays
    FROM (
        SELECT recent.title_id, count(*)::float8 AS plays
        FROM (SELECT h.title_id FROM history h ORDER BY h.watched_at DESC LIMIT 5000) recent
        GROUP BY recent.title_id
    ) r
    JOIN titles t ON t.id = r.title_id
    GROUP BY 1
    ORDER BY 2 DESC
    LIMIT 100
), fresh AS (
    SELECT t.id AS title_id
    FROM titles t
    WHERE t.kind <> 'episode' AND t.min_age <= @max_age::smallint
    ORDER BY t.release_year DESC, t.id DESC
    LIMIT 50
), taste AS (
    SELECT g.genre, count(*)::float8 AS n
    FROM title_genres g
    WHERE g.title_id = ANY (@liked_listed::uuid[])
    GROUP BY g.genre
), candidates AS (
    SELECT title_id FROM co
    UNION SELECT title_id FROM popular
    UNION SELECT title_id FROM fresh
), scored AS (
    SELECT c.title_id, coalesce(co.weight, 0) AS co_weight, co.pos,
           coalesce(p.plays, 0) AS plays, coalesce(best.n, 0) AS genre_n, best.genre
    FROM candidates c
    JOIN titles t ON t.id = c.title_id
    LEFT JOIN co ON co.title_id = c.title_id
    LEFT JOIN popular p ON p.title_id = c.title_id
    LEFT JOIN LATERAL (
        SELECT ta.genre, ta.n
        FROM title_genres g
        JOIN taste ta ON ta.genre = g.genre
        WHERE g.title_id = c.title_id
        ORDER BY ta.n DESC, ta.genre
        LIMIT 1
    ) best ON true
    WHERE t.kind <> 'episode' AND t.min_age <= @max_age::smallint AND c.title_id <> ALL (@seen::uuid[])
), winners AS (
    SELECT s.*,
           (s.co_weight / greatest(max(s.co_weight) OVER (), 1e-9)
            + 0.5 * s.genre_n / greatest(max(s.genre_n) OVER (), 1e-9)
            + 0.3 * s.plays / greatest(max(s.plays) OVER (), 1e-9)) / 1.8 AS score
    FROM scored s
    ORDER BY score DESC, s.title_id
    LIMIT @lim
)
SELECT w.score::float8 AS score, w.co_weight::float8 AS co_weight,
       coalesce(b.id, '00000000-0000-0000-0000-000000000000')::uuid AS because,
       coalesce(bs.name, b.name, '')::text AS because_name, w.genre_n::float8 AS genre_n,
       coalesce(gn.name, '')::text AS genre_name, w.plays::float8 AS plays, sqlc.embed(d)
FROM winners w
JOIN title_details d ON d.id = w.title_id
LEFT JOIN titles b ON b.id = (@liked::uuid[])[w.pos]
LEFT JOIN titles bs ON bs.id = b.series_id
LEFT JOIN genres gn ON gn.slug = w.genre
ORDER BY w.score DESC, w.title_id;
