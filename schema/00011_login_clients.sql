-- +goose Up
-- Failed logins, wrong passwords and refused registrations per client (an
-- IPv4 address, or the /64 of an IPv6 one), for the client throttle: one
-- client trying one password over many emails, which the count per email
-- cannot see, is stopped here before its guesses cost a password hash each.
-- `attempts` holds the times of the attempts that count within the last
-- window, oldest first, at most the limit of them: the window slides, and a
-- refusal can say when the oldest ages out. `admitted` says whether the
-- latest attempt was let through, for the RETURNING of the statement that
-- made it (see queries/login_clients.sql). Kept in PostgreSQL, like
-- login_failures, so that the limit holds across instances.
CREATE TABLE login_client_failures (
    client       cidr          PRIMARY KEY,
    attempts     timestamptz[] NOT NULL,
    admitted     boolean       NOT NULL,
    last_attempt timestamptz   NOT NULL
);
-- Purging the rows with no attempt in the window.
CREATE INDEX login_client_failures_last_idx ON login_client_failures (last_attempt);

-- +goose Down
DROP TABLE login_client_failures;
