# PgBouncer in transaction-pooling mode on loopback in front of a private
# cluster, for the test suites and the load driver (sourced after
# sql/pglib.sh). Kontor must work through it: every transaction is one
# pipeline with SET LOCAL only, unnamed statements, and LISTEN on its own
# direct connection ([database] listen).
#
#   pooler_start DIR [POOL_SIZE]  PgBouncer for the cluster at $PGHOST/$PGPORT;
#                                 sets POOLER_PORT (TCP on 127.0.0.1) and
#                                 POOLER_DIR. Returns 2 (with a message) when
#                                 PgBouncer is not installed.
#   pooler_stop                   stops it (also safe when it never started).
#   pooler_admin SQL              runs a command on its admin console
#                                 (SHOW POOLS, SHOW STATS_TOTALS, ...).

pooler_bin() {
    command -v pgbouncer 2>/dev/null && return 0
    [ -x /usr/sbin/pgbouncer ] && { echo /usr/sbin/pgbouncer; return 0; }
    return 1
}

pooler_start() {
    POOLER_DIR=$1
    _size=${2:-20}
    _pgb=$(pooler_bin) || {
        echo "pooler: PgBouncer is not installed (apt-get install pgbouncer); pooler tests skipped" >&2
        return 2
    }
    pg_make_private_dir "$POOLER_DIR"
    # PgBouncer refuses to run as root: it runs as the cluster's user, and
    # lets in (trust, on loopback only) the users a console connects as.
    _users="kontor_login $(pg_runner) $(id -un)"
    : >"$POOLER_DIR/userlist.txt"
    for _u in $_users; do
        printf '"%s" ""\n' "$_u" >>"$POOLER_DIR/userlist.txt"
    done
    # A port of our own: start at one derived from our pid, move on when taken.
    _port=$(( 20000 + $$ % 20000 ))
    _try=0
    while [ $_try -lt 20 ]; do
        cat >"$POOLER_DIR/pgbouncer.ini" <<INI
[databases]
* = host=$PGHOST port=$PGPORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $_port
unix_socket_dir =
auth_type = trust
auth_file = $POOLER_DIR/userlist.txt
admin_users = $(pg_runner),$(id -un)
pool_mode = transaction
default_pool_size = $_size
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 4000
max_db_connections = $_size
server_lifetime = 3600
server_idle_timeout = 600
ignore_startup_parameters = extra_float_digits
logfile = $POOLER_DIR/pgbouncer.log
pidfile = $POOLER_DIR/pgbouncer.pid
log_connections = 0
log_disconnections = 0
INI
        [ "$(id -u)" = 0 ] && chown -R "$(pg_runner)" "$POOLER_DIR"
        rm -f "$POOLER_DIR/pgbouncer.pid" "$POOLER_DIR/pgbouncer.log"
        if as_runner "$_pgb" -d -q "$POOLER_DIR/pgbouncer.ini" 2>>"$POOLER_DIR/start.log"; then
            # -d returns before it listens, and a port that was taken makes
            # it exit later ("nowhere to listen on"): wait until the one that
            # answers on the port is this one (another pooler of ours may
            # hold it), or this one has given up.
            _n=0
            while [ $_n -lt 50 ]; do
                if psql -X -q -tA -h 127.0.0.1 -p "$_port" -d pgbouncer -U "$(pg_runner)" \
                    -c "SHOW CONFIG" 2>/dev/null |
                    grep -qF "pidfile|$POOLER_DIR/pgbouncer.pid|"; then
                    POOLER_PORT=$_port
                    export POOLER_PORT POOLER_DIR
                    return 0
                fi
                grep -q FATAL "$POOLER_DIR/pgbouncer.log" 2>/dev/null && break
                _n=$((_n + 1))
                sleep 0.1
            done
            pooler_stop
        fi
        _port=$((_port + 1))
        _try=$((_try + 1))
    done
    echo "pooler: PgBouncer did not start, see $POOLER_DIR/pgbouncer.log" >&2
    tail -5 "$POOLER_DIR/pgbouncer.log" "$POOLER_DIR/start.log" >&2 2>/dev/null
    return 1
}

pooler_stop() {
    [ -n "${POOLER_DIR:-}" ] && [ -f "$POOLER_DIR/pgbouncer.pid" ] || return 0
    _pid=$(cat "$POOLER_DIR/pgbouncer.pid" 2>/dev/null)
    [ -n "$_pid" ] && kill "$_pid" 2>/dev/null
    _n=0
    while [ -n "$_pid" ] && kill -0 "$_pid" 2>/dev/null && [ $_n -lt 50 ]; do
        sleep 0.1
        _n=$((_n + 1))
    done
    rm -f "$POOLER_DIR/pgbouncer.pid"
    return 0
}

pooler_admin() {
    psql -X -q -tA -h 127.0.0.1 -p "$POOLER_PORT" -d pgbouncer -U "$(pg_runner)" -c "$1"
}
