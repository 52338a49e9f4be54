#!/bin/sh
# make bench: a data set of a named scale (S demo, M 1,000,000 orders, L
# 10,000,000 orders) in its own cluster under bench-data/, generated once and
# reused, then the benchmarks. Usage: tests/bench/run.sh KONTOR_BIN BENCH_BIN SCALE
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/sql/pglib.sh"
. "$top/tests/bench/dataset.sh"
bin=$1 bench=$2 scale=${3:-M}
dataset_locate "$scale" || exit 2
base=$DATASET_BASE
dataset_up
if ! dataset_has_db; then
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
