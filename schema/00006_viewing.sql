-- +goose Up

-- A profile's place in a title: the playback heartbeat writes it every
-- 10 to 30 seconds, so it is one row per (profile, title), updated in place.
CREATE TABLE bookmarks (
    profile_id       uuid        NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    title_id         uuid        NOT NULL REFERENCES titles (id) ON DELETE CASCADE,
    position_seconds integer     NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (profile_id, title_id),
    CONSTRAINT bookmarks_position CHECK (position_seconds >= 0)
);
-- "Continue watching", newest first (read backwards), keyset-paged.
CREATE INDEX bookmarks_recent_idx ON bookmarks (profile_id, updated_at, title_id);
-- Deleting a title deletes its bookmarks without a scan.
CREATE INDEX bookmarks_title_idx ON bookmarks (title_id);

-- Titles a profile has watched to the end (or marked watched): one row per
-- title, at the latest watch.
CREATE TABLE history (
    profile_id uuid        NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    title_id   uuid        NOT NULL REFERENCES titles (id) ON DELETE CASCADE,
    watched_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (profile_id, title_id)
);
-- The history list, newest first, and a profile's latest watches (recommendations).
CREATE INDEX history_recent_idx ON history (profile_id, watched_at, title_id);
-- Who watched a title lately (recommendations' neighbours); title deletes.
CREATE INDEX history_title_idx ON history (title_id, watched_at) INCLUDE (profile_id);
-- What the platform watched lately ("Popular now").
CREATE INDEX history_watched_at_idx ON history (watched_at) INCLUDE (title_id);

-- Titles a profile means to watch.
CREATE TABLE watchlist (
    profile_id uuid        NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    title_id   uuid        NOT NULL REFERENCES titles (id) ON DELETE CASCADE,
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (profile_id, title_id)
);
-- The watchlist, newest first.
CREATE INDEX watchlist_recent_idx ON watchlist (profile_id, added_at, title_id);
-- Title deletes.
CREATE INDEX watchlist_title_idx ON watchlist (title_id);

-- A profile's scores, 1 to 5.
CREATE TABLE ratings (
    profile_id uuid        NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    title_id   uuid        NOT NULL REFERENCES titles (id) ON DELETE CASCADE,
    score      smallint    NOT NULL,
    rated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (profile_id, title_id),
    CONSTRAINT ratings_score CHECK (score BETWEEN 1 AND 5)
);
-- The ratings list, newest first; a profile's latest likes (recommendations).
CREATE INDEX ratings_recent_idx ON ratings (profile_id, rated_at, title_id) INCLUDE (score);
-- Who liked a title lately (recommendations' neighbours).
CREATE INDEX ratings_liked_idx ON ratings (title_id, rated_at) INCLUDE (profile_id) WHERE score >= 4;
-- Title deletes (the partial index above does not cover every row).
CREATE INDEX ratings_title_idx ON ratings (title_id);

-- New releases, the recommendations of a catalog nobody has watched yet.
CREATE INDEX titles_listed_release_idx ON titles (release_year, id) WHERE kind <> 'episode';

-- +goose Down
DROP INDEX titles_listed_release_idx;
DROP TABLE ratings;
DROP TABLE watchlist;
DROP TABLE history;
DROP TABLE bookmarks;
