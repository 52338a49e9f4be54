# A throwaway PostgreSQL cluster for the test suites (sourced). Sets PGHOST,
# PGPORT, PGUSER and TEST_BASE; creates the template database kontor_tmpl
# with every migration and the small demo data set. Removed on exit.
# Usage: . tests/testcluster.sh; testcluster_start KONTOR_BIN
# testcluster_pooler and testcluster_replica add PgBouncer (tests/pooler.sh)
# and a streaming replica (tests/replica.sh) beside it, stopped on exit too.
. "$top/sql/pglib.sh"
. "$top/tests/pooler.sh"
[ -f "$top/tests/replica.sh" ] && . "$top/tests/replica.sh"

testcluster_stop() {
    pooler_stop
    command -v replica_stop >/dev/null 2>&1 && replica_stop
    pg_stop "$TEST_BASE/data" 2>/dev/null
    rm -rf "$TEST_BASE"
}

testcluster_start() {
    TEST_BASE=$(mktemp -d /tmp/kontor-test-XXXXXX)
    chmod 0755 "$TEST_BASE"
    [ "$(id -u)" = 0 ] && chown "$(pg_runner)" "$TEST_BASE"
    trap testcluster_stop EXIT INT TERM
    pg_make_private_dir "$TEST_BASE/data"
    pg_make_private_dir "$TEST_BASE/run"
    pg_init "$TEST_BASE/data" "$TEST_BASE/run" "$(id -un)" || return 1
    pg_start "$TEST_BASE/data" "$TEST_BASE/server.log" || return 1
    export PGHOST="$TEST_BASE/run" PGPORT=5432 PGUSER="$(id -un)"
    unset PGDATABASE PGSERVICE
    psql -X -q -d postgres -c "create database kontor_tmpl" >/dev/null || return 1
    PGDATABASE=kontor_tmpl "$1" db migrate --sql-dir "$top/sql/migrations" >/dev/null || {
        echo "tests: migrations failed" >&2; return 1; }
    psql -X -q -v ON_ERROR_STOP=1 -v scale=test -d kontor_tmpl -f "$top/sql/demo/load.sql" \
        >"$TEST_BASE/load.log" 2>&1 || {
        echo "tests: demo data failed" >&2; cat "$TEST_BASE/load.log" >&2; return 1; }
    export KONTOR_TEST_TEMPLATE=kontor_tmpl KONTOR_BIN="$1" KONTOR_TOP="$top"
}

# PgBouncer in transaction mode in front of the cluster: exports
# KONTOR_TEST_POOLER_PORT, or leaves it empty with a message when PgBouncer
# is not installed (the pooler tests then say they are skipped).
testcluster_pooler() {
    KONTOR_TEST_POOLER_PORT=
    pooler_start "$TEST_BASE/pooler" "${1:-20}"
    case $? in
    0) KONTOR_TEST_POOLER_PORT=$POOLER_PORT ;;
    2) ;;
    *) return 1 ;;
    esac
    export KONTOR_TEST_POOLER_PORT
}

# A streaming replica of the cluster (tests/replica.sh), for the report
# route: exports KONTOR_TEST_REPLICA_HOST, _PORT and _DIR.
testcluster_replica() {
    replica_start "$TEST_BASE/replica" || return 1
    export KONTOR_TEST_REPLICA_HOST="$REPLICA_HOST" KONTOR_TEST_REPLICA_PORT="$REPLICA_PORT" \
        KONTOR_TEST_REPLICA_DIR="$REPLICA_DIR"
}
