-- The login throttle: attempts counted per normalised email, known or not.

-- name: LoginAttempt :one
-- Counts an attempt before its password is checked; the row lock of the
-- upsert serialises attempts for one email. A locked email's attempts are
-- refused without being counted. A count lasts a window; the streak of
-- lock-outs (locks) ends only after a quiet window once the last lock is
-- over, measured from the later of the last attempt and the lock's end:
-- from the lock's start, the longest lock outlasts the window, and waiting
-- it out would start a fresh streak of short locks. Rows idle for a day are
-- purged on the way (login_failures_last_idx).
WITH purged AS (
    DELETE FROM login_failures
    WHERE last_failure < now() - interval '1 day' AND email <> @email
)
INSERT INTO login_failures AS lf (email, failures, first_failure, last_failure)
VALUES (@email, 1, now(), now())
ON CONFLICT (email) DO UPDATE
SET failures      = CASE WHEN lf.locked_until > now() THEN lf.failures
                         WHEN lf.first_failure < now() - make_interval(secs => @window_seconds::float8) THEN 1
                         ELSE lf.failures + 1 END,
    locks         = CASE WHEN lf.locked_until > now() THEN lf.locks
                         WHEN greatest(lf.last_failure, lf.locked_until) < now() - make_interval(secs => @window_seconds::float8) THEN 0
                         ELSE lf.locks END,
    first_failure = CASE WHEN lf.locked_until > now() THEN lf.first_failure
                         WHEN lf.first_failure < now() - make_interval(secs => @window_seconds::float8) THEN now()
                         ELSE lf.first_failure END,
    last_failure  = now()
RETURNING failures, locks, locked_until;

-- name: LoginLock :one
-- Locks an email out and starts a new count; of attempts racing past the
-- threshold only the first locks (the others find it locked).
UPDATE login_failures
SET locked_until = now() + make_interval(secs => @seconds::float8),
    locks = locks + 1, failures = 0, first_failure = now()
WHERE email = @email AND (locked_until IS NULL OR locked_until <= now())
RETURNING locked_until::timestamptz;

-- name: LoginLockedUntil :one
-- The lock an email is under, for the refusal's Retry-After.
SELECT locked_until::timestamptz
FROM login_failures
WHERE email = @email AND locked_until > now();

-- name: LoginFailuresClear :exec
-- A successful login forgets the attempts.
DELETE FROM login_failures
WHERE email = @email;
