-- +goose Up
-- Browse and search list movies and series by name_key; episodes, a good
-- part of a catalog, are found through their series. Walking an index of
-- listed titles only means a walk never wades through episodes.
CREATE INDEX titles_listed_name_key_idx ON titles (name_key, id) INCLUDE (min_age) WHERE kind <> 'episode';
DROP INDEX titles_name_key_idx;

-- Browse of one kind (?kind=series): a keyset walk that meets only titles of
-- that kind, and tests max_age in the index.
CREATE INDEX titles_kind_name_key_idx ON titles (kind, name_key, id) INCLUDE (min_age);

-- +goose Down
DROP INDEX titles_kind_name_key_idx;
CREATE INDEX titles_name_key_idx ON titles (name_key, id) INCLUDE (kind, min_age);
DROP INDEX titles_listed_name_key_idx;
