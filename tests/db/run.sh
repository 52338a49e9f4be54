#!/bin/sh
# Database tests: a throwaway PostgreSQL cluster with a migrated template
# database (small demo data set); each test makes its own copy of the
# template (dbtest.c), so tests are isolated and order does not matter.
# Usage: tests/db/run.sh KONTOR_BIN TEST_BINARY...
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/sql/pglib.sh"
bin=$1; shift
base=$(mktemp -d /tmp/kontor-dbtest-XXXXXX)
chmod 0755 "$base"
[ "$(id -u)" = 0 ] && chown "$(pg_runner)" "$base"
cleanup() {
    pg_stop "$base/data" 2>/dev/null
    rm -rf "$base"
}
trap cleanup EXIT INT TERM
pg_make_private_dir "$base/data"
pg_make_private_dir "$base/run"
pg_init "$base/data" "$base/run" "$(id -un)" || exit 1
pg_start "$base/data" "$base/server.log" || exit 1
export PGHOST="$base/run" PGPORT=5432 PGUSER="$(id -un)"
psql -X -q -d postgres -c "create database kontor_tmpl" >/dev/null || exit 1
PGDATABASE=kontor_tmpl "$bin" db migrate --sql-dir "$top/sql/migrations" >/dev/null || {
    echo "db tests: migrations failed" >&2; exit 1; }
if [ -f "$top/sql/demo/load.sql" ]; then
    psql -X -q -v ON_ERROR_STOP=1 -v scale=test -d kontor_tmpl -f "$top/sql/demo/load.sql" \
        >"$base/load.log" 2>&1 || { echo "db tests: demo data failed" >&2; cat "$base/load.log" >&2; exit 1; }
fi
export KONTOR_TEST_TEMPLATE=kontor_tmpl KONTOR_BIN="$bin" KONTOR_TOP="$top"
failed=0
for t in "$@"; do
    "$t" || { echo "FAILED: $t" >&2; failed=$((failed + 1)); }
done
[ $failed -eq 0 ] || { echo "db tests: $failed binaries failed" >&2; exit 1; }
