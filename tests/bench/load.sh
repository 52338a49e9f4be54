#!/bin/sh
# make load: N simulated consoles (tests/bench/load.c) through PgBouncer in
# front of the data set of a named scale (the cluster make bench generated
# under bench-data/, started when stopped; never generated here), for
# DURATION seconds. Prints the table and appends the figures to
# bench-data/load-SCALE.jsonl.
# Usage: tests/bench/load.sh KONTOR_BIN LOAD_BIN SCALE N DURATION
# POOL_SIZE: the pooler's server connections (default 20, for 2 cores);
# LOAD_OPTS: more options for the driver (--think-ms 1000, --seed 7, ...).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/sql/pglib.sh"
. "$top/tests/pooler.sh"
. "$top/tests/bench/dataset.sh"
bin=$1 load=$2 scale=${3:-M} consoles=${4:-500} duration=${5:-60}
pool=${POOL_SIZE:-20}
dataset_locate "$scale" || exit 2
if ! dataset_exists; then
    echo "load: there is no data set $scale yet: run make bench SCALE=$scale first (it generates it once)" >&2
    exit 1
fi
dataset_up
if ! dataset_has_db; then
    echo "load: the data set $scale has no database yet: run make bench SCALE=$scale first" >&2
    exit 1
fi
"$bin" db migrate --sql-dir "$top/sql/migrations" >/dev/null

# A descriptor per console in the driver and another at the pooler (which
# inherits our limit), plus the pool and some to spare.
# shellcheck disable=SC3045 # ulimit -n and -H: dash and bash have them
raise_open_files() {
    [ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$1" ] && return 0
    ulimit -n "$1" 2>/dev/null || ulimit -n "$(ulimit -H -n)"
    [ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$1" ] && return 0
    echo "load: only $(ulimit -n) open files allowed, $1 wanted: raise the hard limit (ulimit -Hn)" >&2
    return 1
}
raise_open_files $((consoles + pool + 256)) || exit 1

dir=$(mktemp -d /tmp/kontor-load-XXXXXX)
chmod 0755 "$dir"
[ "$(id -u)" = 0 ] && chown "$(pg_runner)" "$dir"
trap 'pooler_stop; rm -rf "$dir"' EXIT
# Ctrl-C reaches the driver too: it stops early and still reports; this
# shell carries on to stop the pooler.
trap : INT TERM
pooler_start "$dir/pooler" "$pool" || exit 1
echo "load: $consoles consoles for ${duration}s through PgBouncer (transaction pooling, pool $pool) on data set $scale"
rc=0
# shellcheck disable=SC2086 # LOAD_OPTS is a list of options
"$load" --conninfo "host=127.0.0.1 port=$POOLER_PORT dbname=kontor sslmode=disable gssencmode=disable" \
    --consoles "$consoles" --duration "$duration" --pool-size "$pool" --scale "$scale" \
    --json "$top/bench-data/load-$scale.jsonl" ${LOAD_OPTS:-} || rc=$?
exit $rc
