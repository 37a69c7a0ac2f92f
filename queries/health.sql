-- Readiness: the smallest statement that proves the database answers queries.

-- name: HealthCheck :one
SELECT 1::int AS ok;
