-- +goose Up

-- A live-TV channel. number is what viewers key in and the guide's order;
-- xmltv_id is the channel's id in the XMLTV feeds that an import matches it
-- by. logo_url is NULL when the channel has no logo.
CREATE TABLE channels (
    id       uuid    PRIMARY KEY DEFAULT gen_random_uuid(),
    number   integer NOT NULL,
    name     text    NOT NULL,
    logo_url text,
    xmltv_id text    NOT NULL,
    -- The guide's order and its keyset pages (GET /v1/epg/channels); the
    -- duplicate check of admin writes (409).
    CONSTRAINT channels_number_key UNIQUE (number),
    -- An import matches channels by XMLTV id: ON CONFLICT (xmltv_id).
    CONSTRAINT channels_xmltv_id_key UNIQUE (xmltv_id),
    CONSTRAINT channels_number_range CHECK (number BETWEEN 1 AND 99999),
    CONSTRAINT channels_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    CONSTRAINT channels_logo_url_length CHECK (char_length(logo_url) BETWEEN 1 AND 2048),
    CONSTRAINT channels_xmltv_id_length CHECK (char_length(xmltv_id) BETWEEN 1 AND 255)
);

-- A programme on a channel, times in UTC. Deleted with its channel.
CREATE TABLE programmes (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    channel_id uuid        NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    start_at   timestamptz NOT NULL,
    end_at     timestamptz NOT NULL,
    title      text        NOT NULL,
    synopsis   text        NOT NULL DEFAULT '',
    min_age    smallint    NOT NULL DEFAULT 0,
    categories text[]      NOT NULL DEFAULT '{}',
    -- Imports upsert on (channel, start), so importing a file again changes
    -- nothing. The same index serves the guide: the programmes overlapping
    -- [from, to) on a channel all start in [from - 24 h, to), because of
    -- programmes_length, so one range of this index per channel finds them
    -- (see ProgrammeWindow in queries/guide.sql).
    --
    -- Measured on PostgreSQL 15 with the demo guide of 100 channels (make
    -- bench-guide: 3 days, programmes of 10 minutes to 3 hours), generic
    -- plans, a 24 h window of all channels (3,274 programmes), median
    -- execution: a nested loop of one range of this index per channel,
    -- 1.2 ms; a bitmap scan of it and a sort, 3.6 ms; a GiST index on
    -- (channel_id, tstzrange(start_at, end_at)), which reads only the
    -- overlapping rows, 4 ms. The GiST index would also be a second index
    -- (and btree_gist) to maintain on every import write, so the bound on
    -- programme length it is.
    CONSTRAINT programmes_channel_start_key UNIQUE (channel_id, start_at),
    -- Real programmes last minutes to hours (UK_Data.xml: 5 h 45 min at
    -- most); an import skips any longer than a day and counts it.
    CONSTRAINT programmes_length CHECK (end_at > start_at AND end_at - start_at <= interval '24 hours'),
    CONSTRAINT programmes_min_age_level CHECK (min_age IN (0, 7, 13, 16, 18)),
    CONSTRAINT programmes_title_length CHECK (char_length(title) >= 1)
);

-- A profile's favourite channels; they go with the profile or the channel.
-- The primary key lists a profile's favourites and makes adding one twice a
-- no-op.
CREATE TABLE favorite_channels (
    profile_id uuid        NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    channel_id uuid        NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (profile_id, channel_id)
);
-- Deleting a channel removes it from every profile's favourites (ON DELETE
-- CASCADE) without a scan.
CREATE INDEX favorite_channels_channel_idx ON favorite_channels (channel_id);

-- +goose Down
DROP TABLE favorite_channels;
DROP TABLE programmes;
DROP TABLE channels;
