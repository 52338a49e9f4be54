#!/bin/sh
# make bench: a data set of a named scale (S demo, M 1,000,000 orders, L
# 10,000,000 orders) in its own cluster under bench-data/, generated once and
# reused, then the benchmarks. Usage: tests/bench/run.sh KONTOR_BIN BENCH_BIN SCALE
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/sql/pglib.sh"
bin=$1 bench=$2 scale=${3:-M}
case $scale in S|M|L) ;; *) echo "bench: SCALE is S, M or L" >&2; exit 2 ;; esac
base="$top/bench-data/$scale"
if ! runner_can_use "$top"; then
    base="/tmp/kontor-bench-$(id -u)-$(printf '%s' "$top" | cksum | cut -d' ' -f1)/$scale"
fi
mkdir -p "$base"
[ "$(id -u)" = 0 ] && chown "$(pg_runner)" "$base" "$(dirname "$base")"
if [ ! -f "$base/data/PG_VERSION" ]; then
    pg_make_private_dir "$base/data"
    pg_make_private_dir "$base/run"
    pg_init "$base/data" "$base/run" "$(id -un)"
    printf "shared_buffers = 1GB\nmax_wal_size = 8GB\nwork_mem = 64MB\n" >>"$base/data/postgresql.conf"
fi
pg_running "$base/data" || pg_start "$base/data" "$base/server.log"
export PGHOST="$base/run" PGPORT=5432 PGUSER="$(id -un)" PGDATABASE=kontor
if ! psql -X -q -d postgres -tAc "select 1 from pg_database where datname = 'kontor'" | grep -q 1; then
    psql -X -q -d postgres -c "create database kontor" >/dev/null
    "$bin" db migrate --sql-dir "$top/sql/migrations" >/dev/null
    echo "bench: generating data set $scale (once; kept in $base)"
    start=$(date +%s)
    psql -X -q -v ON_ERROR_STOP=1 -v scale="$scale" -f "$top/sql/demo/load.sql" >/dev/null
    echo "bench: generated in $(( $(date +%s) - start ))s, $(psql -X -tAc "select pg_size_pretty(pg_database_size('kontor'))")"
else
    "$bin" db migrate --sql-dir "$top/sql/migrations" >/dev/null
fi
out="$top/bench-data/results-$scale.jsonl"
"$bench" "$scale" 30 2>"$out"
echo "bench: machine-readable figures in $out"
if command -v python3 >/dev/null 2>&1; then
    python3 "$top/tests/bench/console.py" "$bin" 5 "$scale" "$out" || true
fi
