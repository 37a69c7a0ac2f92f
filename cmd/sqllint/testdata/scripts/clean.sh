#!/usr/bin/env bash
# Values given to psql as variables, and text that only looks a little like SQL.
url=$1 name=$2 password=$3 work=$4 host=$5 port=$6

psql "$url" -v name="$name" -qAt <<'SQL'
SELECT 1 FROM pg_database WHERE datname = :'name';
CREATE DATABASE :"name";
SQL
psql "$url" -v password="$password" <<"SQL"
SELECT 'CREATE ROLE marquee' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'marquee') \gexec
ALTER ROLE marquee LOGIN CREATEDB PASSWORD :'password';
SQL
psql "$url" <<\SQL
DO $$ BEGIN PERFORM 1; END $$;
SQL
psql "$url" <<-'SQL'
	SELECT $1::int WHERE $name IS NULL;
	SQL
psql "$url" -qc 'VACUUM (ANALYZE) titles' -c "SELECT count(*) FROM titles WHERE name LIKE 'a%'"
psql "$url" -c "SELECT 1 WHERE \$x IS NULL"
psql "$url" -c '\copy acks FROM pstdin (FORMAT csv)' <"$work/acks.csv"
# psql "$url" -c "SELECT * FROM titles WHERE name = '$name'"  (a comment)
echo 'psql -c "SELECT * FROM titles WHERE name = $name"'
cat >"$work/pgbouncer.ini" <<INI
[databases]
* = host=$host port=$port

[pgbouncer]
auth_type = trust
pool_mode = transaction
INI
FROM=$name LIMIT="$port"
cat <<EOF
Usage: $0 [-n LIMIT] [--from FROM]
  -n LIMIT   show at most LIMIT titles, ordered by name
EOF
log() { printf '%s\n' "$*" >&2; }
log "env: creating database $name"
log "lint: failed to set $name in $work, or select a profile from $url"
log "delete it (make generate): $work is missing"
printf 'pgbench: %.0f tx/s\n' "$port"
awk -v n="$name" '/^Benchmark/ { printf "%-9s %s\n", n, $0 }' "$work/out"
ratio=$(awk -v x="$host" -v z="$port" 'BEGIN { printf "%.2f", x / z }')
trap 'rm -rf "$work"; echo "$ratio"' EXIT
[[ $name == \#* || ${#name} -gt 63 ]] && exit 1
echo "done in $((port << 1)) ms"
