package main

import "testing"

func TestLooksLikeSQL(t *testing.T) {
	sql := []string{
		// Upper case, as the queries of this project are written.
		"SELECT * FROM titles WHERE name = '%s'",
		"id IN (%s)",
		"id IN (",
		"WHERE id NOT IN ",
		"name ILIKE '%",
		" AND name = ",
		" AND ",
		" OR ",
		"OR",
		" OR name = '",
		"name LIKE '%",
		" SET name = ",
		"SET search_path TO ",
		"UPDATE titles SET ",

		"DELETE FROM titles WHERE id = ",
		"INSERT INTO t VALUES (",
		"CREATE DATABASE \"%s\"",
		"DROP DATABASE IF EXISTS %s WITH (FORCE)",
		"ALTER ROLE marquee LOGIN PASSWORD '%s'",
		"GRANT SELECT ON titles TO ",
		" ORDER BY ",
		" LIMIT %d",
		"\\copy acks FROM '%s/acks.csv' (FORMAT csv)",
		// Lower case.
		"select id from titles where name = '",
		"select id, name from ",
		"select count(*) from titles",
		"select * from %s",
		"where name = ",
		"where id in (",
		"where name like '",
		"where deleted_at is null",
		"id in (%s)",
		"id not in ('",
		"name ilike $1",
		"name like '%",
		"name like $1",
		"update titles set name = ",
		"delete from titles where id = ",
		"delete from titles",
		"insert into titles (id, name) values (",
		" order by name limit %d",
		"set name = $1 returning id",
		"name = $1 and year = $2 or year is null",
	}
	english := []string{
		"must be one of %s",
		"must be one of: live, vod, or both",
		"failed to set %s: %v",
		"set the password in .env",
		"set JWT_SECRET=... (see README.md)",
		"id in the body",
		"New in the catalog",
		"the time in (UTC)",
		"replacing interface node in (%v,%v) to %v",
		"value must be in (%d, %d]",
		"log in from %s",
		"select a profile from the list",
		"select one from the list",
		"loaded %d titles from the catalog",
		"looks like %s",
		"it looks like '%s' is missing",
		"people like it",
		"where the name is taken",
		"where it is stored",
		"could not create database %s: %v",
		"failed to drop database %s",
		"delete it (make generate)",
		"delete from the cache %s",
		"update the profile first",
		"a or b",
		"got %d and want %d",
		"got a = %d and b = %d",
		"order by date, then by name",
		"limit 5 per profile",
		"is null when unset",
		"DELETE",
		"DELETE /v1/profiles/%s",
		"DELETE of an unknown channel = %d, want 204",
		"UPDATE of a profile",
		"GET, HEAD or DELETE",
		"OPTIONS INHERITED FROM PARENT COMMANDS",
		"#%d-CONTROL-FRAME-FROM-SERVER",
		"CONN AND LISTENER TEST",
		"JWT_SECRET is not SET",
		"DB_POOL_LIMIT",
		"env: creating database %s",
		"postgres://%s@127.0.0.1:%s/marquee?sslmode=disable",
		"[databases]\n* = host=%s port=%s\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nauth_type = trust\npool_mode = transaction\n",
	}
	for _, s := range sql {
		if !looksLikeSQL(s) {
			t.Errorf("looksLikeSQL(%q) = false, want true", s)
		}
	}
	for _, s := range english {
		if looksLikeSQL(s) {
			t.Errorf("looksLikeSQL(%q) = true, want false", s)
		}
	}
}
