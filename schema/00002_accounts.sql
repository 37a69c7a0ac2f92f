-- +goose Up

-- An account. Emails are stored trimmed and lower-cased (the application
-- normalises them; the CHECK makes sure nothing else slips in), so the
-- unique constraint is the duplicate check of registration.
CREATE TABLE users (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email        text        NOT NULL,
    display_name text        NOT NULL,
    is_admin     boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_email_normalised CHECK (email = lower(btrim(email)))
);

-- The password hash (argon2id, PHC string format) lives apart from users, so
-- that no query reading accounts can carry it by accident.
CREATE TABLE user_credentials (
    user_id       uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    password_hash text NOT NULL
);
-- Admin user list, paged by (created_at, id).
CREATE INDEX users_created_at_idx ON users (created_at, id);

-- A viewing profile; an account has at most five (enforced under a lock on
-- the owner's row, see queries/profiles.sql). Deleted with its owner.
CREATE TABLE profiles (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       text        NOT NULL,
    kids       boolean     NOT NULL DEFAULT false,
    max_age    smallint    NOT NULL DEFAULT 18,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT profiles_max_age_level CHECK (max_age IN (0, 7, 13, 16, 18)),
    CONSTRAINT profiles_kids_max_age CHECK (NOT kids OR max_age <= 7)
);
-- An account's profiles, in creation order; also serves the count of the
-- five-profile limit. The ownership check uses the primary key.
CREATE INDEX profiles_user_id_idx ON profiles (user_id, created_at);

-- Refresh tokens, stored only as SHA-256 hashes. A login starts a family;
-- each refresh spends its token and adds the next one to the family. A spent
-- token presented again means it was stolen: the whole family is revoked.
CREATE TABLE refresh_tokens (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash bytea       NOT NULL,
    family_id  uuid        NOT NULL,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    spent_at   timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash)
);
-- Revoking a family.
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
-- Deleting a user's tokens (ON DELETE CASCADE) without a scan.
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- Failed logins per normalised email (known or not, so that throttling
-- reveals nothing), for the login throttle. Rows go after a day.
CREATE TABLE login_failures (
    email          text        PRIMARY KEY,
    failures       integer     NOT NULL,
    first_failure  timestamptz NOT NULL,
    last_failure   timestamptz NOT NULL,
    locked_until   timestamptz
);
-- Purging stale rows.
CREATE INDEX login_failures_last_idx ON login_failures (last_failure);

-- Every admin write, recorded in the transaction of the write itself. The
-- actor is kept as an id even after the account is gone.
CREATE TABLE audit_log (
    id       uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    actor_id uuid,
    action   text        NOT NULL,
    target   text        NOT NULL,
    at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- Newest first, paged by (at, id).
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE login_failures;
DROP TABLE refresh_tokens;
DROP TABLE profiles;
DROP TABLE user_credentials;
DROP TABLE users;
