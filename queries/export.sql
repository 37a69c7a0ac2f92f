-- An account's data for its owner to take away (GET /v1/me/export): read
-- page by page, in key order, inside one snapshot (db.Pool.InSnapshot), so
-- that a long history is never held in memory at once. The profiles and
-- the sessions are read with ProfileListByUser and SessionList.

-- name: ExportBookmarks :many
-- A page of a profile's bookmarks after title @after (primary key).
SELECT b.title_id, t.name AS title, b.position_seconds, b.updated_at
FROM bookmarks b
JOIN titles t ON t.id = b.title_id
WHERE b.profile_id = @profile_id AND b.title_id > @after::uuid
ORDER BY b.title_id
LIMIT @lim;

-- name: ExportHistory :many
-- A page of a profile's history after title @after (primary key).
SELECT h.title_id, t.name AS title, h.watched_at
FROM history h
JOIN titles t ON t.id = h.title_id
WHERE h.profile_id = @profile_id AND h.title_id > @after::uuid
ORDER BY h.title_id
LIMIT @lim;

-- name: ExportWatchlist :many
-- A page of a profile's watchlist after title @after (primary key).
SELECT w.title_id, t.name AS title, w.added_at
FROM watchlist w
JOIN titles t ON t.id = w.title_id
WHERE w.profile_id = @profile_id AND w.title_id > @after::uuid
ORDER BY w.title_id
LIMIT @lim;

-- name: ExportRatings :many
-- A page of a profile's ratings after title @after (primary key).
SELECT r.title_id, t.name AS title, r.score, r.rated_at
FROM ratings r
JOIN titles t ON t.id = r.title_id
WHERE r.profile_id = @profile_id AND r.title_id > @after::uuid
ORDER BY r.title_id
LIMIT @lim;

-- name: ExportFavoriteChannels :many
-- A page of a profile's favourite channels after channel @after (primary key).
SELECT f.channel_id, c.name AS channel, f.added_at
FROM favorite_channels f
JOIN channels c ON c.id = f.channel_id
WHERE f.profile_id = @profile_id AND f.channel_id > @after::uuid
ORDER BY f.channel_id
LIMIT @lim;
