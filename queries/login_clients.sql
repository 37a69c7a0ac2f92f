-- The client throttle: failed logins, wrong passwords and refused
-- registrations, counted per client address (auth.ClientThrottle).

-- name: LoginClientAttempt :one
-- Counts an attempt before any password is hashed for it, unless the client
-- has used its limit within the window: then the attempt is refused and not
-- counted, and frees_at is when the oldest attempt in its way ages out (now,
-- when there is room).
-- A row keeps the times of the client's latest counted attempts, at most the
-- limit of them, oldest first: an attempt is let through when there are
-- fewer, or when the limit-th latest lies outside the window (the window
-- slides). The row lock of the upsert serialises one client's attempts, so
-- that attempts sent in parallel cannot all pass, and under it
-- clock_timestamp() only grows, which keeps the times in order. Rows with no
-- attempt in the window are purged on the way (login_client_failures_last_idx).
WITH w AS (
    SELECT now() - make_interval(secs => @window_seconds::float8) AS since, @max_attempts::integer AS lim
), purged AS (
    DELETE FROM login_client_failures
    WHERE last_attempt < (SELECT since FROM w) AND client <> @client
)
INSERT INTO login_client_failures AS c (client, attempts, admitted, last_attempt)
VALUES (@client, ARRAY[clock_timestamp()], true, now())
ON CONFLICT (client) DO UPDATE
SET attempts     = CASE WHEN cardinality(c.attempts) < (SELECT lim FROM w)
                          OR c.attempts[cardinality(c.attempts) - (SELECT lim FROM w) + 1] <= (SELECT since FROM w)
                        THEN (c.attempts || clock_timestamp())[(cardinality(c.attempts) + 2 - (SELECT lim FROM w)) :]
                        ELSE c.attempts END,
    admitted     = cardinality(c.attempts) < (SELECT lim FROM w)
                   OR c.attempts[cardinality(c.attempts) - (SELECT lim FROM w) + 1] <= (SELECT since FROM w),
    last_attempt = now()
RETURNING admitted, attempts[cardinality(attempts)]::timestamptz AS attempted_at,
    coalesce(attempts[cardinality(attempts) - (SELECT lim FROM w) + 1] + make_interval(secs => @window_seconds::float8), now())::timestamptz AS frees_at;

-- name: LoginClientForgive :exec
-- An attempt that turned out well (the right password, a new account) does
-- not count: its time leaves the client's row.
UPDATE login_client_failures
SET attempts = attempts[:array_position(attempts, @attempted_at::timestamptz) - 1]
            || attempts[array_position(attempts, @attempted_at::timestamptz) + 1:]
WHERE client = @client AND @attempted_at::timestamptz = ANY(attempts);
