-- +goose Up
-- The heartbeat rewrites a bookmark's position and time every 10-30 s. With
-- no index on those columns, and room left on each page, PostgreSQL updates
-- the row in place (a HOT update): no index entry and far less WAL per
-- heartbeat. "Continue watching" then reads a profile's bookmarks by the
-- primary key and sorts its few rows by time.
DROP INDEX bookmarks_recent_idx;
ALTER TABLE bookmarks SET (fillfactor = 70);

-- +goose Down
ALTER TABLE bookmarks RESET (fillfactor);
CREATE INDEX bookmarks_recent_idx ON bookmarks (profile_id, updated_at, title_id);
