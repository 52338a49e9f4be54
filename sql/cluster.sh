#!/bin/sh
# The local database ("embedded default"): a private PostgreSQL cluster for this
# checkout. Usage: sql/cluster.sh up | down | env | console | psql
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/sql/pglib.sh"
BIN=${KONTOR_BIN:-$top/build/kontor}
DBNAME=kontor
PORT=5432
SUPER=$(id -un)

# Where the cluster lives: .db/ in the checkout, unless the server's user cannot
# reach it or the socket path would be too long; then a private folder in /tmp.
locate() {
    base="$top/.db"
    sock="$base/run/.s.PGSQL.$PORT"
    if ! runner_can_use "$top" || [ ${#sock} -gt 100 ]; then
        key=$(printf '%s' "$top" | cksum | cut -d' ' -f1)
        base="/tmp/kontor-$(id -u)-$key"
    fi
    DATA="$base/data"; RUN="$base/run"; LOG="$base/server.log"
}

print_env() {
    echo "export PGHOST=$RUN"
    echo "export PGPORT=$PORT"
    echo "export PGDATABASE=$DBNAME"
}

print_signins() {
    cat <<TXT
Demo sign-ins (password 'demo' for each):
  admin    administrator
  manager  manager, Bremen
  service  customer service, Hamburg
  clerk    store clerk, Bremen
TXT
}

up() {
    locate
    if [ ! -f "$DATA/PG_VERSION" ]; then
        echo "kontor: creating the local database in $base"
        [ -d "$base" ] || { mkdir -p "$base"; chmod 0700 "$base"; }
        [ "$(id -u)" = 0 ] && chown "$(pg_runner)" "$base"
        pg_make_private_dir "$DATA"
        pg_make_private_dir "$RUN"
        pg_init "$DATA" "$RUN" "$SUPER"
    fi
    if ! pg_running "$DATA"; then
        pg_start "$DATA" "$LOG"
    fi
    export PGHOST="$RUN" PGPORT="$PORT" PGUSER="$SUPER"
    if ! psql -X -q -d postgres -tAc "select 1 from pg_database where datname='$DBNAME'" | grep -q 1; then
        psql -X -q -d postgres -c "create database $DBNAME" >/dev/null
    fi
    PGDATABASE=$DBNAME "$BIN" db migrate --sql-dir "$top/sql/migrations"
    if [ -z "$(psql -X -q -d $DBNAME -tAc "select 1 from kontor.staff limit 1")" ]; then
        echo "kontor: loading the demo data (Nordhafen Schuh & Mode)"
        start=$(date +%s)
        psql -X -q -v ON_ERROR_STOP=1 -d $DBNAME -f "$top/sql/demo/load.sql" >/dev/null
        echo "kontor: demo data loaded in $(( $(date +%s) - start ))s"
    fi
    echo "kontor: the local database is running. For psql and kontor:"
    print_env
    print_signins
}

down() {
    locate
    if [ -f "$DATA/PG_VERSION" ] && pg_running "$DATA"; then
        pg_stop "$DATA"
        echo "kontor: the local database in $base is stopped"
    else
        echo "kontor: the local database is not running"
    fi
}

console() {
    locate
    print_signins
    PGHOST="$RUN" PGPORT="$PORT" PGDATABASE=$DBNAME exec "$BIN" "$@"
}

cmd=${1:-up}
[ $# -gt 0 ] && shift
case $cmd in
    up) up ;;
    down) down ;;
    env) locate; print_env ;;
    console) console "$@" ;;
    psql) locate; PGHOST="$RUN" PGPORT="$PORT" PGUSER="$SUPER" exec psql -d $DBNAME "$@" ;;
    *) echo "usage: sql/cluster.sh up|down|env|console|psql" >&2; exit 2 ;;
esac
