-- +goose Up
-- Parental controls. A profile is locked when it has a PIN: its PIN's hash
-- lives in a table of its own, which only the routes that set, remove and
-- check a PIN read, so that no query serving a profile can leak it.
CREATE TABLE profile_pins (
    profile_id uuid        PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
    pin_hash   text        NOT NULL,
    set_at     timestamptz NOT NULL DEFAULT now()
);

-- profiles.locked mirrors whether the profile has a PIN, kept by the
-- trigger below: every query that reads a profile (the ownership check of
-- every profile route, the picker) reads it with no join, the ownership
-- cache holds it, and its change is an UPDATE of profiles, which migration
-- 00008 announces to every instance's cache.
ALTER TABLE profiles ADD COLUMN locked boolean NOT NULL DEFAULT false;

-- +goose StatementBegin
CREATE FUNCTION profile_pins_mirror() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE profiles SET locked = true WHERE id = NEW.profile_id AND NOT locked;
    ELSE
        -- A profile being deleted takes its PIN with it: its row is already
        -- gone, and this updates nothing.
        UPDATE profiles SET locked = false WHERE id = OLD.profile_id AND locked;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER profile_pins_mirror AFTER INSERT OR DELETE ON profile_pins
    FOR EACH ROW EXECUTE FUNCTION profile_pins_mirror();

-- Wrong PINs per profile, for the PIN throttle (auth.Sessions.Narrow): at
-- most a limit of them in a sliding window, then every attempt is refused,
-- before its PIN costs a hash, until the oldest ages out. `attempts` holds
-- the times of the attempts that count within the last window, oldest
-- first, at most the limit of them; `admitted` says whether the latest was
-- let through, for the RETURNING of the statement that made it (see
-- queries/profile_pins.sql, and login_client_failures, its model). Kept in
-- PostgreSQL so that the limit holds across instances; a profile has one
-- row at most, which goes with it.
CREATE TABLE profile_pin_failures (
    profile_id uuid          PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
    attempts   timestamptz[] NOT NULL,
    admitted   boolean       NOT NULL
);

-- +goose Down
DROP TABLE profile_pin_failures;
DROP TRIGGER profile_pins_mirror ON profile_pins;
DROP FUNCTION profile_pins_mirror();
ALTER TABLE profiles DROP COLUMN locked;
DROP TABLE profile_pins;
