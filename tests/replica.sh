# A streaming replica of a private cluster, for the report-route tests
# (sourced after sql/pglib.sh). It is a base backup of the cluster at
# $PGHOST/$PGPORT taken with pg_basebackup -R (WAL streamed), on a Unix
# socket of its own, hot_standby on: the console's [database] reports.
#
#   replica_start DIR        the replica in DIR (DIR/data, socket in DIR/run);
#                            sets REPLICA_HOST, REPLICA_PORT, REPLICA_DIR. On a
#                            DIR that already holds a stopped replica, starts
#                            it again.
#   replica_stop             stops it (also safe when it never started).
#   replica_pause            pauses WAL replay (the replica falls behind);
#                            returns once it is paused.
#   replica_resume           resumes it.
#   replica_wait_caught_up   waits until the replica has replayed everything
#                            the primary had written when it was called.
#   replica_wait_received    the same for what it has received (streamed),
#                            replayed or not.
#   replica_sql SQL          runs SQL on the replica as the superuser.

replica_port() { echo $((PGPORT + 1)); }

replica_bin() {
    # The tools beside the server pg_bin found (pg_basebackup may not be on PATH).
    _rb=$(pg_bin) || return 1
    [ -x "$_rb/pg_basebackup" ] || _rb=$(dirname "$(readlink -f "$_rb/pg_ctl")")
    echo "$_rb"
}

replica_sql() {
    psql -X -q -tA -h "$REPLICA_HOST" -p "$REPLICA_PORT" -U "$PGUSER" -d postgres -c "$1"
}

# replica_until SQL VALUE: until SQL on the replica says VALUE (about 30 s at most).
replica_until() {
    _n=0
    while [ $_n -lt 1200 ]; do
        [ "$(replica_sql "$1" 2>/dev/null)" = "$2" ] && return 0
        _n=$((_n + 1))
        sleep 0.025
    done
    return 1
}

replica_start() {
    REPLICA_DIR=$1
    REPLICA_HOST=$REPLICA_DIR/run
    REPLICA_PORT=$(replica_port)
    export REPLICA_DIR REPLICA_HOST REPLICA_PORT
    _rbin=$(replica_bin) || return 1
    if [ ! -f "$REPLICA_DIR/data/PG_VERSION" ]; then
        pg_make_private_dir "$REPLICA_DIR"
        pg_make_private_dir "$REPLICA_DIR/run"
        pg_make_private_dir "$REPLICA_DIR/data"
        # A fast checkpoint: the default spread one would take minutes. A
        # slot of its own keeps the primary's WAL until the replica has it,
        # also while it is stopped or the primary restarts.
        as_runner "$_rbin/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" \
            -D "$REPLICA_DIR/data" -R -X stream -c fast -C -S kontor_test_replica \
            >"$REPLICA_DIR/basebackup.log" 2>&1 || {
            echo "replica: pg_basebackup failed, see $REPLICA_DIR/basebackup.log" >&2
            tail -5 "$REPLICA_DIR/basebackup.log" >&2
            return 1
        }
        cat >>"$REPLICA_DIR/data/postgresql.conf" <<CONF
# Kontor test replica: its own socket and port, read-only queries allowed;
# the primary keeps what its queries still see (no cleanup conflicts).
port = $REPLICA_PORT
unix_socket_directories = '$REPLICA_HOST'
hot_standby = on
hot_standby_feedback = on
CONF
    fi
    pg_start "$REPLICA_DIR/data" "$REPLICA_DIR/server.log" || return 1
    # pg_ctl -w returns once it accepts connections; make sure it is a standby.
    replica_until "select pg_is_in_recovery()" t || {
        echo "replica: the server at $REPLICA_HOST:$REPLICA_PORT is not a standby" >&2
        return 1
    }
}

replica_stop() {
    [ -n "${REPLICA_DIR:-}" ] && [ -f "$REPLICA_DIR/data/PG_VERSION" ] || return 0
    pg_running "$REPLICA_DIR/data" && pg_stop "$REPLICA_DIR/data"
    return 0
}

replica_pause() {
    replica_sql "select pg_wal_replay_pause()" >/dev/null || return 1
    replica_until "select pg_get_wal_replay_pause_state()" paused || {
        echo "replica: replay did not pause" >&2
        return 1
    }
}

replica_resume() {
    replica_sql "select pg_wal_replay_resume()" >/dev/null
}

# replica_wait_lsn FUNCTION: until FUNCTION() on the replica reaches the
# primary's position.
replica_wait_lsn() {
    # The test cluster runs with synchronous_commit off: what was committed
    # may not be written yet. A synchronous commit that wrote WAL (a
    # transactional message) flushes everything before it.
    _lsn=$(psql -X -q -tA -d postgres -c "set synchronous_commit = on" \
        -c "select pg_logical_emit_message(true, 'kontor', 'sync')" \
        -c "select pg_current_wal_lsn()" | tail -1) || return 1
    replica_until "select $1() >= '$_lsn'::pg_lsn" t || {
        echo "replica: $1 did not reach $_lsn in 30 s; received, replayed, state:" \
            "$(replica_sql "select pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(),
                                   pg_get_wal_replay_pause_state()")" >&2
        tail -5 "$REPLICA_DIR/server.log" >&2
        return 1
    }
}

replica_wait_caught_up() {
    replica_wait_lsn pg_last_wal_replay_lsn
}

replica_wait_received() {
    replica_wait_lsn pg_last_wal_receive_lsn
}
