-- +goose Up
-- Announces every change to an account or a profile on channel marquee_auth
-- ("user:<id>" or "profile:<id>"), so that each instance can evict what its
-- ownership cache holds of them at once (auth.Cache, db.ListenChanges).
-- Deleting an account deletes its profiles, which announce themselves too.
-- +goose StatementBegin
CREATE FUNCTION announce_auth_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('marquee_auth', CASE TG_TABLE_NAME WHEN 'users' THEN 'user:' ELSE 'profile:' END || OLD.id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER users_announce_change AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION announce_auth_change();
CREATE TRIGGER profiles_announce_change AFTER UPDATE OR DELETE ON profiles
    FOR EACH ROW EXECUTE FUNCTION announce_auth_change();

-- +goose Down
DROP TRIGGER profiles_announce_change ON profiles;
DROP TRIGGER users_announce_change ON users;
DROP FUNCTION announce_auth_change();
