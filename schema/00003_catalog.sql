-- +goose Up

-- The fixed list of genres; titles name them by slug.
CREATE TABLE genres (
    slug text PRIMARY KEY,
    name text NOT NULL
);
INSERT INTO genres (slug, name) VALUES
    ('action', 'Action'),
    ('animation', 'Animation'),
    ('comedy', 'Comedy'),
    ('crime', 'Crime'),
    ('documentary', 'Documentary'),
    ('drama', 'Drama'),
    ('family', 'Family'),
    ('fantasy', 'Fantasy'),
    ('horror', 'Horror'),
    ('kids', 'Kids'),
    ('romance', 'Romance'),
    ('sci-fi', 'Sci-Fi'),
    ('thriller', 'Thriller');

-- The VOD catalog: movies, series, and the episodes of series.
-- name_key is the sort and match key of browse and search: the lower-cased
-- name compared byte-wise (code point order), the same on every server
-- whatever its locale, so that keyset pages never skip or repeat a title.
CREATE TABLE titles (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    kind            text        NOT NULL,
    name            text        NOT NULL,
    name_key        text        COLLATE "C" GENERATED ALWAYS AS (lower(name)) STORED,
    synopsis        text        NOT NULL DEFAULT '',
    release_year    smallint    NOT NULL,
    min_age         smallint    NOT NULL DEFAULT 0,
    runtime_seconds integer,
    series_id       uuid,
    season          smallint,
    episode         smallint,
    -- 'series' exactly when series_id is set: with the foreign key below it
    -- makes an episode's series_id name a series, never a movie or episode.
    series_kind     text        GENERATED ALWAYS AS (CASE WHEN series_id IS NOT NULL THEN 'series' END) STORED,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT titles_kind CHECK (kind IN ('movie', 'series', 'episode')),
    CONSTRAINT titles_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT titles_release_year CHECK (release_year BETWEEN 1870 AND 2100),
    CONSTRAINT titles_min_age_level CHECK (min_age IN (0, 7, 13, 16, 18)),
    -- Movies and episodes play, so they have a runtime; a series does not.
    CONSTRAINT titles_runtime CHECK ((kind = 'series') = (runtime_seconds IS NULL) AND runtime_seconds > 0),
    CONSTRAINT titles_episode_fields CHECK (
        (kind = 'episode') = (series_id IS NOT NULL)
        AND (kind = 'episode') = (season IS NOT NULL)
        AND (kind = 'episode') = (episode IS NOT NULL)
        AND (season IS NULL OR season >= 0)
        AND (episode IS NULL OR episode >= 1)),
    CONSTRAINT titles_id_kind_key UNIQUE (id, kind),
    CONSTRAINT titles_series_fkey FOREIGN KEY (series_id, series_kind)
        REFERENCES titles (id, kind) ON DELETE CASCADE ON UPDATE RESTRICT,
    -- Episodes of a series, by season then episode (GET .../episodes).
    CONSTRAINT titles_episode_key UNIQUE (series_id, season, episode)
);

-- Browse and search order: keyset walks on (name_key, id). It covers the
-- columns that the filters read, so a walk past non-matching titles stays in
-- the index.
CREATE INDEX titles_name_key_idx ON titles (name_key, id) INCLUDE (kind, min_age);

-- Substring search (name ILIKE '%...%') on large catalogs: a trigram index
-- finds the rare matches that an ordered walk would have to look far for.
CREATE INDEX titles_name_trgm_idx ON titles USING gin (name gin_trgm_ops);

-- A title's genres.
CREATE TABLE title_genres (
    title_id uuid NOT NULL REFERENCES titles (id) ON DELETE CASCADE,
    genre    text NOT NULL REFERENCES genres (slug),
    PRIMARY KEY (title_id, genre)
);
-- Browse by genre probes (title_id, genre) through the primary key; this
-- serves the reverse question, and deleting a genre.
CREATE INDEX title_genres_genre_idx ON title_genres (genre, title_id);

-- A title as the API shows it: its columns and its genres' slugs. Queries
-- filter and order on titles' indexes; the view only adds the genres of the
-- rows they return.
CREATE VIEW title_details AS
SELECT t.id, t.kind, t.name, t.name_key, t.synopsis, t.release_year, t.min_age,
       t.runtime_seconds, t.series_id, t.season, t.episode,
       array(SELECT g.genre FROM title_genres g WHERE g.title_id = t.id ORDER BY g.genre)::text[] AS genres
FROM titles t;

-- +goose Down
DROP VIEW title_details;
DROP TABLE title_genres;
DROP TABLE titles;
DROP TABLE genres;
