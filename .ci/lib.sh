# Shell functions shared by the scripts of .ci. Sourced, not run.

log() { printf '%s\n' "$*" >&2; }

# with_db URL NAME: URL (postgres://...) pointed at database NAME.
with_db() {
  local url=$1 name=$2 base query=""
  base=${url%%\?*}
  [[ $url == *\?* ]] && query="?${url#*\?}"
  local authority=${base#*://}
  if [[ $authority == */* ]]; then base=${base%/*}; fi
  printf '%s/%s%s\n' "$base" "$name" "$query"
}

# db_name URL: the database a postgres:// URL names.
db_name() {
  local base=${1%%\?*}
  local authority=${base#*://}
  [[ $authority == */* ]] && printf '%s\n' "${base##*/}"
}

# psql_admin URL [NAME=VALUE...]: run the SQL script read from stdin on the
# server's maintenance database, each NAME a psql variable. Values reach the
# SQL only through them, quoted by psql (:'name' a literal, :"name" an
# identifier): never spliced into the script's text, which comes in a quoted
# here-document (<<'SQL').
psql_admin() {
  local url vars=()
  url=$(with_db "$1" postgres)
  shift
  for var in "$@"; do vars+=(-v "$var"); done
  PGOPTIONS=--client-min-messages=warning psql "$url" -v ON_ERROR_STOP=1 -qAt "${vars[@]}" -f -
}

# create_database URL: create the database URL names.
create_database() {
  psql_admin "$1" name="$(db_name "$1")" <<'SQL'
CREATE DATABASE :"name";
SQL
}

# drop_database URL: drop the database URL names, if it exists, closing its
# connections.
drop_database() {
  psql_admin "$1" name="$(db_name "$1")" <<'SQL'
DROP DATABASE IF EXISTS :"name" WITH (FORCE);
SQL
}

# ensure_database URL: create the database URL names if it does not exist.
ensure_database() {
  local url=$1 name exists
  name=$(db_name "$url")
  [[ -n $name ]] || return 0
  command -v psql >/dev/null || { log "env: psql not found; create database '$name' yourself if it does not exist"; return 0; }
  exists=$(psql_admin "$url" name="$name" <<'SQL'
SELECT 1 FROM pg_database WHERE datname = :'name';
SQL
  )
  if [[ $exists != 1 ]]; then
    log "env: creating database $name"
    create_database "$url"
  fi
}

# serve LOG [NAME=VALUE...]: start bin/marquee serve in the background on
# free ports with a random secret and the variables given (which win),
# logging to LOG; once it listens, sets server (its pid) and addr (its
# host:port).
serve() {
  local logfile=$1
  shift
  : >"$logfile"
  env JWT_SECRET="$(head -c 48 /dev/urandom | base64)" HTTP_ADDR=127.0.0.1:0 METRICS_ADDR=127.0.0.1:0 "$@" \
    bin/marquee serve 2>"$logfile" &
  server=$!
  addr=
  for _ in $(seq 100); do
    addr=$(grep -o '"msg":"listening","addr":"[^"]*"' "$logfile" | sed 's/.*"addr":"//; s/"$//' || true)
    [[ -n $addr ]] && return 0
    sleep 0.1
  done
  cat "$logfile" >&2
  return 1
}
