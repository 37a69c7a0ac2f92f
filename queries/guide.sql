-- The live-TV guide: channels, the programmes of a time window, favourite
-- channels per profile, the admin writes of channels, and the bulk writes of
-- an XMLTV import. @profile_id is uuid.Nil for a request without a profile:
-- no channel is its favourite.

-- name: ChannelList :many
-- By number, keyset-paged on channels_number_key; favorite through
-- favorite_channels' primary key.
SELECT sqlc.embed(c),
       EXISTS (SELECT 1 FROM favorite_channels f WHERE f.profile_id = @profile_id AND f.channel_id = c.id) AS favorite
FROM channels c
WHERE c.number > @after_number::int
ORDER BY c.number
LIMIT @lim;

-- name: ChannelGuide :many
-- The channels of a guide, by number: every one when @every, else those of
-- @ids (ids of no channel are ignored).
SELECT sqlc.embed(c),
       EXISTS (SELECT 1 FROM favorite_channels f WHERE f.profile_id = @profile_id AND f.channel_id = c.id) AS favorite
FROM channels c
WHERE @every::bool OR c.id = ANY (@ids::uuid[])
ORDER BY c.number;

-- name: ProgrammeWindow :many
-- Programmes of @channel_ids overlapping [@from_at, @to_at) that a viewer of
-- @max_age may see. For each channel, one range of
-- programmes_channel_start_key (a nested loop over the ids): no programme
-- is longer than 24 hours (programmes_length), so every one that ends after
-- @from_at starts after @from_at - 24 h. The rows come channel by channel
-- in start order, but no ORDER BY promises it (one would sort thousands of
-- rows): the caller orders them. Ids travel as text, as the guide shows
-- them: pgx would take each uuid through database/sql's Scanner or Valuer,
-- formatting and parsing it (a third of the time of a 3,000-row guide);
-- categories as one text joined by U+001F (as an import writes them), which
-- costs a tenth of decoding an array. (sqlc.arg below: sqlc garbles an
-- @name followed by interval arithmetic.)
SELECT p.id::text AS id, p.channel_id::text AS channel_id, p.start_at, p.end_at,
       p.title, p.synopsis, p.min_age, array_to_string(p.categories, chr(31))::text AS categories
FROM unnest(@channel_ids::text[]) AS c(id)
JOIN programmes p ON p.channel_id = c.id::uuid
WHERE p.end_at > @from_at::timestamptz
  AND p.start_at > sqlc.arg(from_at)::timestamptz - interval '24 hours'
  AND p.start_at < @to_at::timestamptz
  AND p.min_age <= @max_age::smallint;

-- name: FavoriteList :many
-- A profile's favourite channels by number (favorite_channels' primary key,
-- then channels').
SELECT c.*
FROM favorite_channels f
JOIN channels c ON c.id = f.channel_id
WHERE f.profile_id = @profile_id AND c.number > @after_number::int
ORDER BY c.number
LIMIT @lim;

-- name: FavoriteAdd :exec
-- Adding a favourite twice keeps the first added_at. An unknown channel
-- fails on favorite_channels_channel_id_fkey.
INSERT INTO favorite_channels (profile_id, channel_id)
VALUES (@profile_id, @channel_id)
ON CONFLICT DO NOTHING;

-- name: FavoriteRemove :exec
DELETE FROM favorite_channels
WHERE profile_id = @profile_id AND channel_id = @channel_id;

-- name: ChannelGetForUpdate :one
-- An admin update reads the channel under a lock, merges the change, writes it.
SELECT *
FROM channels
WHERE id = @id
FOR UPDATE;

-- name: ChannelCreate :one
INSERT INTO channels (number, name, logo_url, xmltv_id)
VALUES (@number, @name, @logo_url, @xmltv_id)
RETURNING *;

-- name: ChannelUpdate :one
UPDATE channels
SET number = @number, name = @name, logo_url = @logo_url, xmltv_id = @xmltv_id
WHERE id = @id
RETURNING *;

-- name: ChannelDelete :execrows
-- Its programmes and every favourite of it go too (ON DELETE CASCADE).
DELETE FROM channels
WHERE id = @id;

-- name: GuideImportLock :exec
-- Imports take turns (a transaction-level advisory lock), so that two never
-- hand out the same free channel number.
SELECT pg_advisory_xact_lock(@key::bigint);


-- name: ChannelKeys :many
-- Every channel's id, XMLTV id and number: an import matches channels by
-- XMLTV id and numbers new ones.
SELECT id, xmltv_id, number
FROM channels;

-- name: ChannelUpsertMany :many
-- A batch of an import's channels, matched by XMLTV id: new ones are created
-- with the number given; known ones keep their number and take the name, and
-- the logo when the feed has one. A row that would not change is left alone
-- (and not returned), so that importing a file again writes nothing. The
-- arrays run in step; an empty logo means none. Each XMLTV id comes once per
-- batch (ON CONFLICT DO UPDATE cannot touch a row twice).
INSERT INTO channels AS c (xmltv_id, name, logo_url, number)
SELECT u.xmltv_id, u.name, nullif(u.logo_url, ''), u.number
FROM (
    SELECT unnest(@xmltv_ids::text[]) AS xmltv_id, unnest(@names::text[]) AS name,
           unnest(@logo_urls::text[]) AS logo_url, unnest(@numbers::int[]) AS number
) u
ON CONFLICT (xmltv_id) DO UPDATE
SET name = excluded.name, logo_url = coalesce(excluded.logo_url, c.logo_url)
WHERE c.name <> excluded.name OR c.logo_url IS DISTINCT FROM coalesce(excluded.logo_url, c.logo_url)
RETURNING c.id, c.xmltv_id;

-- name: ProgrammeUpsertMany :exec
-- A batch of an import's programmes, upserted on programmes_channel_start_key.
-- Each (channel, start) comes once per batch (ON CONFLICT DO UPDATE cannot
-- touch a row twice). A row that would not change is left alone, so that
-- importing a file again writes nothing. The arrays run in step; each
-- programme's categories travel as one text joined by U+001F, a character
-- XML cannot carry.
INSERT INTO programmes AS p (channel_id, start_at, end_at, title, synopsis, min_age, categories)
SELECT u.channel_id, u.start_at, u.end_at, u.title, u.synopsis, u.min_age, string_to_array(u.categories, chr(31))
FROM (
    SELECT unnest(@channel_ids::uuid[]) AS channel_id, unnest(@starts::timestamptz[]) AS start_at,
           unnest(@ends::timestamptz[]) AS end_at, unnest(@titles::text[]) AS title,
           unnest(@synopses::text[]) AS synopsis, unnest(@min_ages::smallint[]) AS min_age,
           unnest(@categories::text[]) AS categories
) u
ON CONFLICT (channel_id, start_at) DO UPDATE
SET end_at = excluded.end_at, title = excluded.title, synopsis = excluded.synopsis,
    min_age = excluded.min_age, categories = excluded.categories
WHERE (p.end_at, p.title, p.synopsis, p.min_age, p.categories)
      IS DISTINCT FROM (excluded.end_at, excluded.title, excluded.synopsis, excluded.min_age, excluded.categories);
