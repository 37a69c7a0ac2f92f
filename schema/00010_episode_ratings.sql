-- +goose Up
-- An episode is never rated below its series, or a kids profile would reach
-- an adult series through its episodes. The rule lives here, where no
-- statement can forget it: titles.min_age, which every read, write check,
-- view and index of titles already uses, becomes the effective rating, the
-- greater of the title's own and its series'; own_min_age is the rating an
-- admin gives the title itself, kept so that re-rating a series down gives
-- each episode its own rating back. Triggers maintain min_age: whatever a
-- statement writes there is replaced.
-- Filled by rewriting the table (ALTER TYPE ... USING), which builds each
-- index afresh: several times faster than an UPDATE of every row, which
-- inserts each row into every index, the trigram one included. No default:
-- an insert that does not rate the title fails.
ALTER TABLE titles ADD COLUMN own_min_age smallint;
ALTER TABLE titles ALTER COLUMN own_min_age TYPE smallint USING min_age;
ALTER TABLE titles
    ALTER COLUMN own_min_age SET NOT NULL,
    ADD CONSTRAINT titles_own_min_age_level CHECK (own_min_age IN (0, 7, 13, 16, 18));
UPDATE titles e
SET min_age = s.own_min_age
FROM titles s
WHERE s.id = e.series_id AND e.min_age < s.own_min_age;

-- A title's effective rating, before it is written. The series row is
-- read FOR SHARE, which a re-rating of that series (FOR NO KEY UPDATE)
-- conflicts with: either this write waits for the re-rating and reads the
-- new rating, or the re-rating waits for this write to commit and then, in
-- a statement of its own, re-rates this episode too. No episode escapes at
-- READ COMMITTED, the level every transaction here runs at.
-- +goose StatementBegin
CREATE FUNCTION titles_effective_min_age() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.min_age := NEW.own_min_age;
    IF NEW.series_id IS NOT NULL THEN
        -- No series row (it comes later in the same statement): the foreign
        -- key is checked at the end of the statement, and the series' own
        -- trigger below re-rates this episode when it is inserted.
        NEW.min_age := greatest(NEW.own_min_age,
            (SELECT s.own_min_age FROM titles s WHERE s.id = NEW.series_id FOR SHARE));
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER titles_effective_min_age
    BEFORE INSERT OR UPDATE ON titles
    FOR EACH ROW EXECUTE FUNCTION titles_effective_min_age();

-- A series rated or re-rated re-rates its episodes (their update runs the
-- trigger above). A deleted series takes its episodes with it (ON DELETE
-- CASCADE), and an episode always has a series, so nothing else changes an
-- episode's series' rating.
-- +goose StatementBegin
CREATE FUNCTION titles_rerate_episodes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- titles_episode_key leads with series_id.
    UPDATE titles e
    SET min_age = greatest(e.own_min_age, NEW.own_min_age)
    WHERE e.series_id = NEW.id AND e.min_age IS DISTINCT FROM greatest(e.own_min_age, NEW.own_min_age);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER titles_rerate_episodes_inserted
    AFTER INSERT ON titles
    FOR EACH ROW WHEN (NEW.kind = 'series') EXECUTE FUNCTION titles_rerate_episodes();
CREATE TRIGGER titles_rerate_episodes_updated
    AFTER UPDATE OF own_min_age ON titles
    FOR EACH ROW WHEN (NEW.kind = 'series' AND NEW.own_min_age IS DISTINCT FROM OLD.own_min_age)
    EXECUTE FUNCTION titles_rerate_episodes();

-- The view gains the own rating, last (a view can only grow at its end):
-- an admin's update that leaves min_age out keeps the title's own rating,
-- not the effective one it shows.
CREATE OR REPLACE VIEW title_details AS
SELECT t.id, t.kind, t.name, t.name_key, t.synopsis, t.release_year, t.min_age,
       t.runtime_seconds, t.series_id, t.season, t.episode,
       array(SELECT g.genre FROM title_genres g WHERE g.title_id = t.id ORDER BY g.genre)::text[] AS genres,
       t.own_min_age
FROM titles t;

-- +goose Down
-- min_age keeps the effective ratings: rolling back hides nothing that was
-- hidden, at the cost of the episodes' own ratings below their series'.
DROP VIEW title_details;
CREATE VIEW title_details AS
SELECT t.id, t.kind, t.name, t.name_key, t.synopsis, t.release_year, t.min_age,
       t.runtime_seconds, t.series_id, t.season, t.episode,
       array(SELECT g.genre FROM title_genres g WHERE g.title_id = t.id ORDER BY g.genre)::text[] AS genres
FROM titles t;
DROP TRIGGER titles_rerate_episodes_updated ON titles;
DROP TRIGGER titles_rerate_episodes_inserted ON titles;
DROP FUNCTION titles_rerate_episodes();
DROP TRIGGER titles_effective_min_age ON titles;
DROP FUNCTION titles_effective_min_age();
ALTER TABLE titles DROP COLUMN own_min_age;
