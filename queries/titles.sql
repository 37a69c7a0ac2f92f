-- The VOD catalog: browse, detail, episodes, search, genres, and the admin
-- writes. Every read takes the viewer's max_age (18 without a profile).

-- name: TitleGet :one
-- Primary key.
SELECT *
FROM title_details
WHERE id = @id AND min_age <= @max_age::smallint;

-- name: TitleBrowse :many
-- Movies and series by name: a keyset walk of titles_listed_name_key_idx that
-- reads kind and max_age from the index and probes the genre through
-- title_genres' primary key, then the details of the page's titles only.
SELECT sqlc.embed(d)
FROM (
    SELECT t.id, t.name_key
    FROM titles t
    WHERE (t.name_key, t.id) > (@after_key::text, @after_id::uuid)
      AND t.kind <> 'episode'
      AND t.min_age <= @max_age::smallint
      AND (sqlc.narg(genre)::text IS NULL
           OR sqlc.narg(genre)::text = ANY (array(SELECT g.genre FROM title_genres g WHERE g.title_id = t.id)))
    ORDER BY t.name_key, t.id
    LIMIT @lim
) page
JOIN title_details d ON d.id = page.id
ORDER BY page.name_key, page.id;

-- name: TitleBrowseKind :many
-- One kind by name: the same walk on titles_kind_name_key_idx.
SELECT sqlc.embed(d)
FROM (
    SELECT t.id, t.name_key
    FROM titles t
    WHERE t.kind = @kind::text
      AND (t.name_key, t.id) > (@after_key::text, @after_id::uuid)
      AND t.min_age <= @max_age::smallint
      AND (sqlc.narg(genre)::text IS NULL
           OR sqlc.narg(genre)::text = ANY (array(SELECT g.genre FROM title_genres g WHERE g.title_id = t.id)))
    ORDER BY t.name_key, t.id
    LIMIT @lim
) page
JOIN title_details d ON d.id = page.id
ORDER BY page.name_key, page.id;

-- name: TitleEpisodes :many
-- titles_episode_key (series_id, season, episode).
SELECT *
FROM title_details
WHERE series_id = @series_id
  AND (season, episode) > (@after_season::smallint, @after_episode::smallint)
  AND min_age <= @max_age::smallint
ORDER BY season, episode
LIMIT @lim;

-- name: TitleSearch :many
-- Case-insensitive substring search on the name, ranked: exact matches
-- (rank 0), then prefix matches (1), then the rest (2), each in name_key
-- order, keyset-paged on (rank, name_key, id). @pattern is the user's text
-- with \, % and _ escaped; @lo is it lower-cased and [@lo, @hi) the range of
-- keys it prefixes. Movies and series only: episodes are found through
-- their series. Every branch requires the match, name ILIKE the pattern or
-- its equal on name_key = lower(name), LIKE the lower-cased pattern (which
-- no trigram index serves, so the planner keeps to the ordered walks), so
-- the three ranks partition exactly the titles whose name contains the text.
-- Each branch is index-ordered with its own LIMIT, and runs only when the
-- ones before it left room on the page:
--   exact and prefix: a range of titles_listed_name_key_idx;
--   the rest of a text with no three letters or digits in a row ("zq",
--   "a b", "-"), from which pg_trgm takes no trigram, or only ones padded at
--   the start of a word, which many titles share: its matches among the
--   first @far titles in name order, whatever the cursor, so that every page
--   is cut from the same list. The trigram index would hand such a text much
--   or all of the catalog to recheck; this walk costs at most what the
--   farther walk below may, and the ranges above still find every exact and
--   prefix match;
--   for any other text, the rest where matches are dense: a walk of
--   titles_listed_name_key_idx (alone: it covers what is tested) from the
--   cursor on, which stops as soon as the page is full, and after @walk keys
--   at most;
--   the rest where the walk found too few: its matches after the cursor
--   from the trigram index titles_name_trgm_idx, at most @probe of them.
--   Fewer than that is every one there is: top-N sorted, they are the page.
--   @probe or more is a common text whose matches are bunched elsewhere in
--   name order (as "of the" is): sorting them all would fetch each one, so
--   a longer walk, of up to @far keys from the cursor, looks for the page,
--   and only if that too finds too few are they all sorted.
WITH words AS (
    -- Whether the text has a word that pg_trgm takes a whole trigram from:
    -- [[:alnum:]] follows the database's LC_CTYPE, as pg_trgm's words do.
    SELECT @lo::text ~ '[[:alnum:]]{3}' AS trigrams
), exact AS (
    SELECT t.id, t.name_key
    FROM titles t
    WHERE t.name_key = @lo::text
      AND @rank::int <= 0 AND (t.name_key, t.id) > (@after_key::text, @after_id::uuid)
      AND t.name_key LIKE (SELECT '%' || lower(@pattern::text) || '%') ESCAPE '\'
      AND t.kind <> 'episode' AND t.min_age <= @max_age::smallint
    ORDER BY t.name_key, t.id
    LIMIT @lim
), prefix AS (
    SELECT t.id, t.name_key
    FROM titles t
    WHERE t.name_key > @lo::text AND t.name_key < @hi::text
      AND @rank::int <= 1 AND (@rank::int < 1 OR (t.name_key, t.id) > (@after_key::text, @after_id::uuid))
      AND t.name_key LIKE (SELECT '%' || lower(@pattern::text) || '%') ESCAPE '\'
      AND t.kind <> 'episode' AND t.min_age <= @max_age::smallint
      AND (SELECT count(*) FROM exact) < @lim
    ORDER BY t.name_key, t.id
    LIMIT @lim
), head AS (
    SELECT w.id, w.name_key
    FROM (
        SELECT t.id, t.name_key, t.min_age
        FROM titles t
        WHERE t.kind <> 'episode'
          AND NOT (SELECT trigrams FROM words)
          AND (SELECT count(*) FROM exact) + (SELECT count(*) FROM prefix) < @lim
        ORDER BY t.name_key, t.id
        LIMIT @far::int
    ) w
    WHERE (w.name_key, w.id) > (@rest_key::text, @rest_id::uuid) AND w.min_age <= @max_age::smallint
      AND w.name_key LIKE (SELECT '%' || lower(@pattern::text) || '%') ESCAPE '\'
      AND w.name_key <> @lo::text AND NOT (w.name_key > @lo::text AND w.name_key < @hi::text)
    ORDER BY w.name_key, w.id
    LIMIT @lim
), dense AS (
    SELECT w.id, w.name_key
    FROM (
        SELECT t.id, t.name_key
        FROM titles t
        WHERE (t.name_key, t.id) > (@rest_key::text, @rest_id::uuid)
          AND t.kind <> 'episode' AND t.min_age <= @max_age::smallint
          AND (SELECT trigrams FROM words)
          AND (SELECT count(*) FROM exact) + (SELECT count(*) FROM prefix) < @lim
        ORDER BY t.name_key, t.id
        LIMIT @walk::int
    ) w
    WHERE w.name_key LIKE (SELECT '%' || lower(@pattern::text) || '%') ESCAPE '\'
      AND w.name_key <> @lo::text AND NOT (w.name_key > @lo::text AND w.name_key < @hi::text)
    ORDER BY w.name_key, w.id
    LIMIT @lim
), matches AS NOT MATERIALIZED (
    -- The rest from the trigram index; each use below reads it afresh, as
    -- far as it needs.
    SELECT m.id, m.name_key
    FROM (
        -- OFFSET 0 keeps this a scan of its own, which only the trigram
        -- index can serve, and only for a text it can narrow.
        SELECT t.id, t.name_key, t.kind, t.min_age
        FROM titles t
        WHERE t.name ILIKE '%' || @pattern::text || '%' ESCAPE '\'
          AND (SELECT trigrams FROM words)
        OFFSET 0
    ) m
    WHERE (m.name_key, m.id) > (@rest_key::text, @rest_id::uuid)
      AND m.name_key <> @lo::text AND NOT (m.name_key > @lo::text AND m.name_key < @hi::text)
      AND m.kind <> 'episode' AND m.min_age <= @max_age::smallint
), probe AS (
    SELECT id, name_key
    FROM matches
    WHERE (SELECT count(*) FROM exact) + (SELECT count(*) FROM prefix) + (SELECT count(*) FROM dense) < @lim
    LIMIT @probe::int
), sparse AS (
    SELECT id, name_key
    FROM probe
    WHERE (SELECT count(*) FROM probe) < @probe::int
    ORDER BY name_key, id
    LIMIT @lim
), farther AS (
    SELECT w.id, w.name_key
    FROM (
        SELECT t.id, t.name_key
        FROM titles t
        WHERE (t.name_key, t.id) > (@rest_key::text, @rest_id::uuid)
          AND t.kind <> 'episode' AND t.min_age <= @max_age::smallint
          AND (SELECT count(*) FROM probe) >= @probe::int
        ORDER BY t.name_key, t.id
        LIMIT @far::int
    ) w
    WHERE w.name_key LIKE (SELECT '%' || lower(@pattern::text) || '%') ESCAPE '\'
      AND w.name_key <> @lo::text AND NOT (w.name_key > @lo::text AND w.name_key < @hi::text)
    ORDER BY w.name_key, w.id
    LIMIT @lim
), everywhere AS (
    SELECT id, name_key
    FROM matches
    WHERE (SELECT count(*) FROM probe) >= @probe::int
      AND (SELECT count(*) FROM exact) + (SELECT count(*) FROM prefix) + (SELECT count(*) FROM farther) < @lim
    ORDER BY name_key, id
    LIMIT @lim
), found AS (
    SELECT 0 AS rank, id, name_key FROM exact
    UNION ALL SELECT 1, id, name_key FROM prefix
    UNION ALL SELECT 2, id, name_key FROM head
    -- The rest of a text with no trigram from the head of the catalog; of
    -- any other, from the first branch that is sure of its page: the walk's
    -- matches if it filled the page; else every match, if there were few;
    -- else the farther walk's, if it filled the page; else every match.
    UNION ALL SELECT 2, id, name_key FROM dense
        WHERE (SELECT count(*) FROM exact) + (SELECT count(*) FROM prefix) + (SELECT count(*) FROM dense) >= @lim
    UNION ALL SELECT 2, id, name_key FROM sparse
    UNION ALL SELECT 2, id, name_key FROM farther
        WHERE (SELECT count(*) FROM exact) + (SELECT count(*) FROM prefix) + (SELECT count(*) FROM farther) >= @lim
    UNION ALL SELECT 2, id, name_key FROM everywhere
)
SELECT f.rank::int AS rank, sqlc.embed(d)
FROM found f
JOIN title_details d ON d.id = f.id
ORDER BY f.rank, f.name_key, f.id
LIMIT @lim;

-- name: GenreList :many
SELECT *
FROM genres
ORDER BY slug;

-- name: GenresKnown :many
-- Which of @slugs are genres.
SELECT slug
FROM genres
WHERE slug = ANY (@slugs::text[]);

-- name: TitleCreate :one
-- @min_age is the title's own rating; min_age, the effective one, follows
-- from it and from the series' (00010_episode_ratings.sql).
INSERT INTO titles (kind, name, synopsis, release_year, own_min_age, runtime_seconds, series_id, season, episode)
VALUES (@kind, @name, @synopsis, @release_year, @min_age, @runtime_seconds, @series_id, @season, @episode)
RETURNING id;

-- name: TitleUpdate :one
UPDATE titles
SET kind = @kind, name = @name, synopsis = @synopsis, release_year = @release_year, own_min_age = @min_age,
    runtime_seconds = @runtime_seconds, series_id = @series_id, season = @season, episode = @episode
WHERE id = @id
RETURNING id;

-- name: TitleDelete :execrows
-- A series takes its episodes with it; bookmarks, history, watchlist and
-- ratings of the title go too (ON DELETE CASCADE).
DELETE FROM titles
WHERE id = @id;

-- name: TitleGenresClear :exec
DELETE FROM title_genres
WHERE title_id = @title_id;

-- name: TitleGenresAdd :exec
INSERT INTO title_genres (title_id, genre)
SELECT @title_id, unnest(@genres::text[]);

-- name: TitleInsertMany :execrows
-- Bulk load (marquee seed), one batch per statement; ids already present are
-- left alone, so that seeding twice changes nothing. The arrays run in
-- step; NULLs travel as sentinels: runtime 0, series_id nil, season -1,
-- episode 0.
INSERT INTO titles (id, kind, name, synopsis, release_year, own_min_age, runtime_seconds, series_id, season, episode)
SELECT u.id, u.kind, u.name, u.synopsis, u.release_year, u.min_age,
       nullif(u.runtime, 0), nullif(u.series_id, '00000000-0000-0000-0000-000000000000'::uuid),
       nullif(u.season, -1), nullif(u.episode, 0)
FROM (
    SELECT unnest(@ids::uuid[]) AS id, unnest(@kinds::text[]) AS kind, unnest(@names::text[]) AS name,
           unnest(@synopses::text[]) AS synopsis, unnest(@release_years::smallint[]) AS release_year,
           unnest(@min_ages::smallint[]) AS min_age, unnest(@runtimes::int[]) AS runtime,
           unnest(@series_ids::uuid[]) AS series_id, unnest(@seasons::smallint[]) AS season,
           unnest(@episodes::smallint[]) AS episode
) u
ON CONFLICT (id) DO NOTHING;

-- name: TitleGenresInsertMany :exec
INSERT INTO title_genres (title_id, genre)
SELECT unnest(@title_ids::uuid[]), unnest(@genres::text[])
ON CONFLICT DO NOTHING;

-- name: TitleExists :one
SELECT EXISTS (SELECT 1 FROM titles WHERE id = @id);

-- name: TitleCount :one
SELECT count(*)
FROM titles;
