-- +goose Up
-- Login attempts are counted before the password is checked, so that
-- guesses sent in parallel cannot all pass the throttle; `locks` counts the
-- lock-outs of the current streak, each twice as long as the one before.
ALTER TABLE login_failures ADD COLUMN locks integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE login_failures DROP COLUMN locks;
