-- +goose Up
-- Trigram indexes make substring search on titles use an index instead of a
-- scan of the whole catalog (see queries/titles.sql).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- +goose Down
DROP EXTENSION IF EXISTS pg_trgm;
