-- The login throttle: failed logins counted per normalised email.

-- name: LoginLockedUntil :one
-- Before any password is checked: is this email locked out? Primary key.
SELECT locked_until::timestamptz
FROM login_failures
WHERE email = @email AND locked_until > now();

-- name: LoginFailureRecord :one
-- Counts a failure in the current window, starting a new window when the
-- last one is over; returns the count so far.
INSERT INTO login_failures AS lf (email, failures, first_failure, last_failure)
VALUES (@email, 1, now(), now())
ON CONFLICT (email) DO UPDATE
SET failures      = CASE WHEN lf.first_failure < now() - make_interval(secs => @window_seconds::float8)
                         THEN 1 ELSE lf.failures + 1 END,
    first_failure = CASE WHEN lf.first_failure < now() - make_interval(secs => @window_seconds::float8)
                         THEN now() ELSE lf.first_failure END,
    last_failure  = now()
RETURNING failures;

-- name: LoginLock :exec
UPDATE login_failures
SET locked_until = now() + make_interval(secs => @seconds::float8)
WHERE email = @email;

-- name: LoginFailuresClear :exec
-- A successful login forgets the failures.
DELETE FROM login_failures
WHERE email = @email;

-- name: LoginFailuresPurge :exec
-- Forgets failures older than a day (login_failures_last_idx).
DELETE FROM login_failures
WHERE last_failure < now() - interval '1 day';
