-- Profile locks: the PIN of a locked profile (migration 00015), read only to
-- set, remove and check it, and the throttle of wrong PINs.

-- name: ProfilePinSet :execrows
-- Locks a profile of the account, or changes its PIN (primary keys); no row
-- when the profile is gone. The trigger of profile_pins sets profiles.locked.
INSERT INTO profile_pins (profile_id, pin_hash)
SELECT p.id, @pin_hash
FROM profiles p
WHERE p.id = @profile_id AND p.user_id = @user_id
ON CONFLICT (profile_id) DO UPDATE
SET pin_hash = EXCLUDED.pin_hash, set_at = now();

-- name: ProfilePinRemove :exec
-- Unlocks a profile of the account (primary key); the trigger of
-- profile_pins clears profiles.locked.
DELETE FROM profile_pins pp
USING profiles p
WHERE pp.profile_id = @profile_id AND p.id = pp.profile_id AND p.user_id = @user_id;

-- name: ProfilePinHash :one
-- The PIN of a profile to check, when it has one (primary key).
SELECT pin_hash
FROM profile_pins
WHERE profile_id = @profile_id;

-- name: ProfilePinAttempt :one
-- Counts a PIN attempt before the PIN is hashed, unless the profile has had
-- its limit of attempts within the window: then the attempt is refused and
-- not counted, and frees_at is when the oldest attempt in its way ages out
-- (now, when there is room). The row keeps the times of the latest counted
-- attempts, at most the limit of them, oldest first; the row lock of the
-- upsert serialises one profile's attempts, so that attempts sent in
-- parallel cannot all pass (as LoginClientAttempt does for clients).
WITH w AS (
    SELECT now() - make_interval(secs => @window_seconds::float8) AS since, @max_attempts::integer AS lim
)
INSERT INTO profile_pin_failures AS c (profile_id, attempts, admitted)
VALUES (@profile_id, ARRAY[clock_timestamp()], true)
ON CONFLICT (profile_id) DO UPDATE
SET attempts = CASE WHEN cardinality(c.attempts) < (SELECT lim FROM w)
                      OR c.attempts[cardinality(c.attempts) - (SELECT lim FROM w) + 1] <= (SELECT since FROM w)
                    THEN (c.attempts || clock_timestamp())[(cardinality(c.attempts) + 2 - (SELECT lim FROM w)) :]
                    ELSE c.attempts END,
    admitted = cardinality(c.attempts) < (SELECT lim FROM w)
               OR c.attempts[cardinality(c.attempts) - (SELECT lim FROM w) + 1] <= (SELECT since FROM w)
RETURNING admitted, attempts[cardinality(attempts)]::timestamptz AS attempted_at,
    coalesce(attempts[cardinality(attempts) - (SELECT lim FROM w) + 1] + make_interval(secs => @window_seconds::float8), now())::timestamptz AS frees_at;

-- name: ProfilePinForgive :exec
-- The right PIN does not count: its attempt's time leaves the profile's row.
UPDATE profile_pin_failures
SET attempts = attempts[:array_position(attempts, @attempted_at::timestamptz) - 1]
            || attempts[array_position(attempts, @attempted_at::timestamptz) + 1:]
WHERE profile_id = @profile_id AND @attempted_at::timestamptz = ANY(attempts);

-- name: ProfilePinFailuresClear :exec
-- A new PIN: the guesses at the old one no longer count.
DELETE FROM profile_pin_failures
WHERE profile_id = @profile_id;
