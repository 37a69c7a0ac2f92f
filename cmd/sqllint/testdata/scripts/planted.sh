#!/usr/bin/env bash
# Shell values spliced into SQL text, each line marked with what the lint must say.
url=$1 name=$2 password=$3 id=$4 work=$5
spliced="shell expansion spliced into SQL"

psql "$url" -c "SELECT 1 FROM pg_database WHERE datname = '$name'" # want "shell expansion spliced into SQL"
psql "$url" -qAtc "CREATE DATABASE \"$name\""                       # want "shell expansion spliced into SQL"
psql_admin "$url" "DROP DATABASE IF EXISTS ${name} WITH (FORCE)"    # want "shell expansion spliced into SQL"
psql "$url" -c "select count(*) from $name"                         # want "shell expansion spliced into SQL"
psql "$url" -c "SELECT * FROM titles WHERE id = "$id                # want "shell expansion spliced into SQL"
psql "$url" -c 'SELECT * FROM titles WHERE id = '"$id"              # want "shell expansion spliced into SQL"
psql "$url" -c "SELECT pg_sleep($((id * 2)))"                       # want "shell expansion spliced into SQL"
psql "$url" -c "VACUUM $(echo titles) WHERE x IN (1)"               # want "shell expansion spliced into SQL"
psql "$url" <<<"UPDATE titles SET name = '$name'"                   # want "shell expansion spliced into SQL"
count=$(psql "$url" -qAt -c "SELECT count(*) FROM titles WHERE name ILIKE '%$name%'") # want "shell expansion spliced into SQL"
trap 'psql_admin "$url" "DROP DATABASE IF EXISTS $name"' EXIT      # want "shell expansion spliced into SQL"
sh -c 'psql "$0" -c "DELETE FROM titles WHERE id = $1"' "$url" "$id" # want "shell expansion spliced into SQL"
path_sql="SET search_path TO $name"                                  # want "shell expansion spliced into SQL"
eval "psql -c \"DELETE FROM titles WHERE id = $id\""                # want "shell expansion spliced into SQL"
(( id << 1 )) && echo $((id << 2)) # a shift, not a here-document: the lines below are still read
psql -v ON_ERROR_STOP=1 <<SQL # want "shell expansion spliced into SQL"
ALTER ROLE marquee LOGIN PASSWORD '$password';
SQL
psql <<-SQL # want "shell expansion spliced into SQL"
	select 1 from pg_database where datname = '${name}';
	SQL
psql <<SQL # want "shell expansion spliced into SQL"
DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'marquee') THEN RAISE NOTICE 'here'; END IF;
END $$;
SQL
read -r n < <(psql "$url" -qAt <<SQL # want "shell expansion spliced into SQL"
CREATE TEMP TABLE acks (id uuid);
\copy acks FROM '$work/acks.csv' (FORMAT csv)
SELECT count(*) FROM acks;
SQL
)
echo "$spliced $n $count"
