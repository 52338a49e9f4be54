# The benchmark data sets (sourced after sql/pglib.sh by tests/bench/run.sh
# and tests/bench/load.sh): one private cluster per scale under
# bench-data/SCALE (under /tmp when the server's user cannot reach the
# checkout), generated once and kept between runs.
#
#   dataset_locate SCALE  sets DATASET_BASE, the scale's directory; returns 2
#                         (with a message) when SCALE is not S, M or L
#   dataset_exists        true when the scale's cluster has been created
#   dataset_up            creates the cluster when there is none, starts it
#                         when stopped, and exports PGHOST, PGPORT, PGUSER and
#                         PGDATABASE=kontor for it
#   dataset_has_db        true when the database kontor exists (it may still
#                         need generating: see tests/bench/run.sh)

dataset_locate() {
    case $1 in
    S|M|L) ;;
    *) echo "data set: SCALE is S, M or L, not \"$1\"" >&2; return 2 ;;
    esac
    DATASET_BASE="$top/bench-data/$1"
    if ! runner_can_use "$top"; then
        DATASET_BASE="/tmp/kontor-bench-$(id -u)-$(printf '%s' "$top" | cksum | cut -d' ' -f1)/$1"
    fi
}

dataset_exists() {
    [ -f "$DATASET_BASE/data/PG_VERSION" ]
}

dataset_up() {
    mkdir -p "$DATASET_BASE"
    [ "$(id -u)" = 0 ] && chown "$(pg_runner)" "$DATASET_BASE" "$(dirname "$DATASET_BASE")"
    if ! dataset_exists; then
        pg_make_private_dir "$DATASET_BASE/data"
        pg_make_private_dir "$DATASET_BASE/run"
        pg_init "$DATASET_BASE/data" "$DATASET_BASE/run" "$(id -un)" || return 1
        printf "shared_buffers = 1GB\nmax_wal_size = 8GB\nwork_mem = 64MB\n" \
            >>"$DATASET_BASE/data/postgresql.conf"
    fi
    pg_running "$DATASET_BASE/data" || pg_start "$DATASET_BASE/data" "$DATASET_BASE/server.log" ||
        return 1
    export PGHOST="$DATASET_BASE/run" PGPORT=5432 PGUSER="$(id -un)" PGDATABASE=kontor
}

dataset_has_db() {
    psql -X -q -d postgres -tAc "select 1 from pg_database where datname = 'kontor'" | grep -q 1
}
